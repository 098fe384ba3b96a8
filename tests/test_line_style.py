"""Thin-line training samples: thick strokes become thin grey ones, and the colour goes under the ink."""

from __future__ import annotations

import numpy as np
import pytest

from linetint.training.line_style import LineStyle, restyled, stroke_core

RED, BLUE = (220, 30, 40), (30, 60, 210)
STYLE = LineStyle(width=(2.0, 2.0), ink=(0.6, 0.6))


def stroke_picture(thickness: int, size: int = 64) -> tuple[np.ndarray, np.ndarray]:
    """Red left, blue right, a black vertical stroke of `thickness` px between them: line art and colour,
    the colour drawn with the same black outline as OpenMoji's pictures are."""
    left = size // 2 - thickness // 2
    lineart = np.full((size, size), 255, np.uint8)
    lineart[:, left : left + thickness] = 0
    colour = np.empty((size, size, 3), np.uint8)
    colour[:, : size // 2] = RED
    colour[:, size // 2 :] = BLUE
    colour[lineart == 0] = 0
    return lineart, colour


def ink_across(lineart: np.ndarray, row: int = 32) -> int:
    return int((lineart[row] < 200).sum())


def test_a_thick_stroke_becomes_a_thin_unbroken_one() -> None:
    lineart, colour = stroke_picture(10)
    lines, _ = restyled(lineart, colour, np.random.default_rng(0), STYLE)
    widths = [ink_across(lines, row) for row in range(lines.shape[0])]
    assert max(widths) <= 3 and min(widths) >= 1  # 10 px -> about 2, with no gap along the stroke


def test_thin_lines_survive_and_fills_stay_whole() -> None:
    line = np.zeros((40, 40), bool)
    line[20, 2:38] = True  # a 1 px line
    line[2:18, 2:18] = True  # a 16 px black fill (a pupil, black hair)
    core = stroke_core(line, width=1.0)
    assert core[20, 2:38].all()
    assert core[2:18, 2:18].all()


def test_the_colour_beside_the_removed_ink_is_painted_under_it() -> None:
    lineart, colour = stroke_picture(10)
    lines, target = restyled(lineart, colour, np.random.default_rng(0), STYLE)
    ink = lines[32] < 200
    left_of_ink, right_of_ink = np.flatnonzero(ink)[0], np.flatnonzero(ink)[-1]
    assert (target[:, :left_of_ink] == RED).all()
    assert (target[:, right_of_ink + 1 :] == BLUE).all()


def test_ink_darkness_is_drawn_from_the_style() -> None:
    lineart, colour = stroke_picture(10)
    for seed in range(5):
        lines, _ = restyled(lineart, colour, np.random.default_rng(seed), LineStyle(ink=(0.4, 0.7)))
        assert 255 * 0.3 - 1 <= lines.min() <= 255 * 0.6 + 1  # grey, never black


def test_same_generator_state_same_sample() -> None:
    lineart, colour = stroke_picture(9)
    first = restyled(lineart, colour, np.random.default_rng(3))
    again = restyled(lineart, colour, np.random.default_rng(3))
    assert all(np.array_equal(a, b) for a, b in zip(first, again, strict=True))


def test_a_blank_page_stays_blank() -> None:
    blank = np.full((16, 16), 255, np.uint8)
    colour = np.full((16, 16, 3), 200, np.uint8)
    lines, target = restyled(blank, colour, np.random.default_rng(0))
    assert (lines == 255).all() and np.array_equal(target, colour)


@pytest.mark.parametrize("kwargs", [{"width": (0.2, 1.0)}, {"width": (3.0, 2.0)}, {"ink": (0.0, 1.0)}])
def test_impossible_styles_are_refused(kwargs) -> None:
    with pytest.raises(ValueError):
        LineStyle(**kwargs)
