"""Thin grey lines from thick black ones: training line art in the look of an illustrator's sketch.

The corpus's line art is 8-11 px of black at training scale (OpenMoji's own outlines, XDoG of clip art);
an illustrator's line art at the app's working size (768 px) is 1-3 px of grey (style2paints' samples:
the darkest 1 % of their pixels at grey 110). Shown only the first, the network reads the second's many
thin strands as dark, busy matter and paints faces and hair navy. `restyled` keeps each stroke's core —
the pixels within about half the new width of the stroke's middle — draws it anti-aliased at a random
darkness, and paints the picture's colour under the ink that went, from the nearest colour beside it, so
that the target says what a colourist would put next to a thin line.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage

INK = 128  # a line pixel: darker than this
# Strokes whose middle is more than this many px from paper are fills (pupils, black hair, XDoG of dark
# areas), not lines: they stay whole. It also bounds how far the search for a stroke's middle reaches, so
# a thin line beside a fill is not measured against the fill.
MAX_HALF_WIDTH = 6
ANTIALIAS_SIGMA = 0.5
PAPER_EDGE = 250  # lighter than this is paper: the anti-aliased edge of a stroke is still ink
OUTLINE_MARGIN = 2


@dataclass(frozen=True)
class LineStyle:
    """What `restyled` draws: stroke width in px and ink darkness (1 = black), each drawn uniformly."""

    width: tuple[float, float] = (1.0, 3.0)
    ink: tuple[float, float] = (0.45, 1.0)

    def __post_init__(self) -> None:
        low, high = self.width
        if not 0.5 <= low <= high:
            raise ValueError(f"stroke widths must satisfy 0.5 <= low <= high, got {self.width}")
        low, high = self.ink
        if not 0 < low <= high <= 1:
            raise ValueError(f"ink darkness must satisfy 0 < low <= high <= 1, got {self.ink}")


def restyled(
    lineart: np.ndarray, target: np.ndarray, rng: np.random.Generator, style: LineStyle = LineStyle()
) -> tuple[np.ndarray, np.ndarray]:
    """`lineart` (uint8 H×W) redrawn with thin strokes of one random width and darkness, and `target`
    (uint8 H×W×3) with the colour beside each removed ink pixel painted under it."""
    width = float(rng.uniform(*style.width))
    ink = float(rng.uniform(*style.ink))
    line = lineart < INK
    core = stroke_core(line, width)
    # The colour picture's own outline can be a pixel or two wider than its line art's (and anti-aliased
    # into the fill): its colour is taken from beyond that margin.
    inked = ndimage.binary_dilation(lineart < PAPER_EDGE, iterations=OUTLINE_MARGIN)
    return drawn(core, ink), filled_under(target, inked, core)


def stroke_core(line: np.ndarray, width: float) -> np.ndarray:
    """The pixels of `line` (bool H×W) within `width` / 2 of their stroke's middle; fills stay whole."""
    if not line.any():
        return line.copy()
    depth = ndimage.distance_transform_edt(line)  # px to the nearest paper pixel
    square = np.ones((3, 3), bool)
    fills = ndimage.binary_dilation(depth > MAX_HALF_WIDTH, square, iterations=MAX_HALF_WIDTH + 1) & line
    middle = ndimage.maximum_filter(np.where(fills, 0, depth), size=2 * MAX_HALF_WIDTH + 1)
    core = line & (depth > middle - width / 2)
    return core | fills


def drawn(core: np.ndarray, ink: float) -> np.ndarray:
    """`core` as uint8 line art: anti-aliased strokes of darkness `ink` on white."""
    coverage = np.clip(ndimage.gaussian_filter(core.astype(np.float32), ANTIALIAS_SIGMA) * 1.5, 0, 1)
    coverage = np.maximum(coverage, core)  # a 1 px stroke keeps its full darkness
    return np.round(255 * (1 - ink * coverage)).astype(np.uint8)


def filled_under(target: np.ndarray, inked: np.ndarray, core: np.ndarray) -> np.ndarray:
    """`target` with every pixel of `inked` (ink and its anti-aliased edge) outside `core` taken from the
    nearest pixel that is neither."""
    removed = inked & ~core
    if not removed.any() or inked.all():
        return target.copy()
    _, (rows, cols) = ndimage.distance_transform_edt(inked, return_indices=True)
    out = target.copy()
    out[removed] = target[rows[removed], cols[removed]]
    return out
