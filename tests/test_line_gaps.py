"""Gaps cut into the line art, so the network learns that colour can stop where an outline breaks off."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import ndimage

from linetint.training.line_gaps import Gaps, with_gaps


def boxed(size: int = 128, width: int = 2) -> np.ndarray:
    """A closed square outline on paper: its inside is cut off from the outside."""
    lineart = np.full((size, size), 255, np.uint8)
    a, b = size // 4, 3 * size // 4
    lineart[a : a + width, a:b] = lineart[b - width : b, a:b] = 0
    lineart[a:b, a : a + width] = lineart[a:b, b - width : b] = 0
    return lineart


def paper_areas(lineart: np.ndarray) -> int:
    return int(ndimage.label(lineart > 128)[1])


def test_gaps_open_a_closed_outline_and_only_erase_ink() -> None:
    lineart = boxed()
    assert paper_areas(lineart) == 2
    opened = [with_gaps(lineart, np.random.default_rng(seed)) for seed in range(8)]
    assert sum(paper_areas(o) == 1 for o in opened) >= 6  # most draws cut the box open somewhere
    for o in opened:
        assert (o >= lineart).all()  # nothing drawn, only paper over ink
        assert (o[lineart == 255] == 255).all()
        assert 0 < ((lineart < 128) & (o >= 128)).sum() < (lineart < 128).sum() // 3  # short pieces


def test_gaps_are_seeded_and_a_blank_page_is_left_alone() -> None:
    lineart = boxed()
    first = with_gaps(lineart, np.random.default_rng(5))
    assert np.array_equal(first, with_gaps(lineart, np.random.default_rng(5)))
    assert not np.array_equal(first, with_gaps(lineart, np.random.default_rng(6)))
    blank = np.full((64, 64), 255, np.uint8)
    assert np.array_equal(with_gaps(blank, np.random.default_rng(0)), blank)


def test_gaps_scale_with_the_picture_and_bad_settings_are_refused() -> None:
    """A drawing shown four times larger loses the same share of its ink: gaps are sized by the picture."""
    small, large = np.full((128, 128), 0, np.uint8), np.full((512, 512), 0, np.uint8)
    eight = Gaps(count=(8, 8), size=(0.05, 0.05))
    erased_small = (with_gaps(small, np.random.default_rng(0), eight) > 128).mean()
    erased_large = (with_gaps(large, np.random.default_rng(0), eight) > 128).mean()
    assert erased_small > 0.005 and erased_large == pytest.approx(erased_small, rel=0.3)
    with pytest.raises(ValueError, match="count"):
        Gaps(count=(5, 2))
    with pytest.raises(ValueError, match="size"):
        Gaps(size=(0.0, 0.1))
