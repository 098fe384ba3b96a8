"""Hatching: groups of short parallel strokes inside one colour, so blush marks do not read as dark areas."""

from __future__ import annotations

import numpy as np
import pytest

from linetint.training.hatching import Hatching, group_strokes, with_hatching

RED, BLUE = (220, 30, 40), (30, 60, 210)
DENSE = Hatching(groups=(3, 3), strokes=(5, 5), length=(0.15, 0.15), ink=(1.0, 1.0))


def two_areas(size: int = 96) -> tuple[np.ndarray, np.ndarray]:
    """Red above, blue below, a black 3 px line between them: line art and colour."""
    lineart = np.full((size, size), 255, np.uint8)
    lineart[size // 2 - 1 : size // 2 + 2] = 0
    colour = np.empty((size, size, 3), np.uint8)
    colour[: size // 2] = RED
    colour[size // 2 :] = BLUE
    colour[lineart == 0] = 0
    return lineart, colour


def test_hatching_adds_ink_inside_the_areas_and_keeps_the_colour() -> None:
    lineart, colour = two_areas()
    before = colour.copy()
    lines = with_hatching(lineart, colour, np.random.default_rng(0), DENSE)
    assert (lines < 200).sum() > (lineart < 200).sum() + 60  # visible strokes, not a speck
    assert (lines <= lineart).all() and (lines[lineart == 0] == 0).all()  # ink is only added
    np.testing.assert_array_equal(colour, before)  # the target says the colour goes on under it


def test_a_group_is_parallel_evenly_spaced_strokes() -> None:
    rng = np.random.default_rng(3)
    strokes = group_strokes((50, 50), 100, rng, Hatching(strokes=(6, 6), gap=(3.0, 3.0)))
    directions = [(b - a) / np.linalg.norm(b - a) for a, b in strokes]
    assert len(strokes) == 6
    assert all(abs(abs(float(d @ directions[0])) - 1) < 1e-9 for d in directions)  # one direction
    normal = np.array([-directions[0][1], directions[0][0]])
    offsets = sorted(float((a + b) / 2 @ normal) for a, b in strokes)
    np.testing.assert_allclose(np.diff(offsets), 3.0, atol=1e-6)  # the gap asked for


def test_hatching_stays_in_its_area_and_skips_paper() -> None:
    lineart, colour = two_areas()
    one = Hatching(groups=(1, 1), strokes=(7, 7), length=(0.4, 0.4), gap=(4.0, 4.0), ink=(1.0, 1.0))
    for seed in range(10):
        added = with_hatching(lineart, colour, np.random.default_rng(seed), one) < lineart
        assert added.any() and added[:47].any() != added[50:].any()
    paper = np.full((64, 64), 255, np.uint8)
    white = np.full((64, 64, 3), 255, np.uint8)
    np.testing.assert_array_equal(with_hatching(paper, white, np.random.default_rng(0), DENSE), paper)


def test_bad_settings_are_named() -> None:
    with pytest.raises(ValueError, match="hatching gap"):
        Hatching(gap=(0.0, 1.0))
    with pytest.raises(ValueError, match="hatching strokes"):
        Hatching(strokes=(5, 2))
