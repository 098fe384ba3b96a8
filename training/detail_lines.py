"""Detail strokes inside one colour: training line art with lines that are not colour boundaries.

The corpus's line art comes from flat-colour drawings: every line there separates two colours. An
illustrator's line art is full of lines that do not — hair strands, cloth folds, creases — and a network
that has only seen the first reads each strand as a border, so a hint fills one strand and stops
(style2paints' s2p-006: one blue dot in the hair, one blue strand). `with_detail_strokes` draws a few
curved strokes inside areas of one colour and leaves the target as it was, so the sample says that the
colour carries on across such a line.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw
from scipy import ndimage

SUPERSAMPLE = 4  # strokes are drawn this many times larger and box-filtered down: anti-aliased edges
PAPER = 235  # a target pixel whose channels are all lighter than this is paper: no strokes there
OPEN_LINE_ART = 200  # line art lighter than this is inside an area, not on its lines


@dataclass(frozen=True)
class DetailStrokes:
    """What `with_detail_strokes` draws: how many strokes, their length as a share of the picture's
    short side, width in px, ink darkness (1 = black), and the colour spread (0-255, any channel) and
    least area (px) of the area a stroke stays in."""

    count: tuple[int, int] = (3, 12)
    length: tuple[float, float] = (0.1, 0.45)
    width: tuple[float, float] = (1.0, 3.0)
    ink: tuple[float, float] = (0.45, 1.0)
    same_colour: int = 16
    min_area: int = 300

    def __post_init__(self) -> None:
        if not 0 <= self.count[0] <= self.count[1]:
            raise ValueError(f"stroke counts must satisfy 0 <= low <= high, got {self.count}")
        if not 0 < self.length[0] <= self.length[1]:
            raise ValueError(f"stroke lengths must satisfy 0 < low <= high, got {self.length}")
        if not 0.5 <= self.width[0] <= self.width[1]:
            raise ValueError(f"stroke widths must satisfy 0.5 <= low <= high, got {self.width}")
        if not 0 < self.ink[0] <= self.ink[1] <= 1:
            raise ValueError(f"ink darkness must satisfy 0 < low <= high <= 1, got {self.ink}")


def with_detail_strokes(
    lineart: np.ndarray,
    target: np.ndarray,
    rng: np.random.Generator,
    strokes: DetailStrokes = DetailStrokes(),
) -> np.ndarray:
    """`lineart` (uint8 H×W) with curved strokes drawn inside areas of one colour of `target` (uint8
    H×W×3, unchanged: the colour goes on under the new ink). One width and darkness per picture, as one
    pen drew it."""

    def stroke(start: tuple[int, int], rng: np.random.Generator) -> list[np.ndarray]:
        length = float(rng.uniform(*strokes.length)) * min(lineart.shape)
        return [bezier_points(start, length, rng)]

    pen = Pen(strokes.count, strokes.width, strokes.ink, strokes.same_colour, strokes.min_area)
    return with_marks(lineart, target, rng, pen, stroke)


@dataclass(frozen=True)
class Pen:
    """How `with_marks` draws: how many marks, the width (px) and darkness (1 = black) drawn once per
    picture, and the colour spread (0-255) and least area (px) of the area a mark stays in."""

    count: tuple[int, int]
    width: tuple[float, float]
    ink: tuple[float, float]
    same_colour: int
    min_area: int


# A mark's (x, y) polylines, given its start ((row, col)) and the picture's generator.
MarkShape = Callable[[tuple[int, int], np.random.Generator], list[np.ndarray]]


def with_marks(
    lineart: np.ndarray, target: np.ndarray, rng: np.random.Generator, pen: Pen, shape: MarkShape
) -> np.ndarray:
    """`lineart` with marks of `shape` started at random points inside areas of one colour of `target`,
    each clipped to the area it starts in; the target is left as it was."""
    width = float(rng.uniform(*pen.width))
    ink = float(rng.uniform(*pen.ink))
    coverage = np.zeros(lineart.shape, np.float32)
    rows, cols = np.nonzero((lineart > OPEN_LINE_ART) & (target.min(axis=-1) < PAPER))  # inside colour
    for _ in range(int(rng.integers(pen.count[0], pen.count[1] + 1))):
        if rows.size == 0:
            break
        i = int(rng.integers(rows.size))
        start = int(rows[i]), int(cols[i])
        area = one_colour_area(lineart, target, start, pen.same_colour)
        if area.sum() < pen.min_area:
            continue
        for points in shape(start, rng):
            np.maximum(coverage, curve_coverage(lineart.shape, points, width) * area, out=coverage)
    out = lineart.astype(np.float32) * (1 - ink * coverage)
    return np.round(np.minimum(out, lineart)).astype(np.uint8)


def one_colour_area(
    lineart: np.ndarray, target: np.ndarray, start: tuple[int, int], spread: int
) -> np.ndarray:
    """The pixels off lines connected to `start` whose colour is within `spread` of its (bool H×W)."""
    near = np.abs(target.astype(np.int16) - target[start].astype(np.int16)).max(axis=-1) <= spread
    labels, _ = ndimage.label(near & (lineart > OPEN_LINE_ART))
    return labels == labels[start]


def bezier_points(start: tuple[int, int], length: float, rng: np.random.Generator) -> np.ndarray:
    """About `length` px of a cubic Bézier from `start` ((row, col)) in a random direction with a random
    bend, as (x, y) points: the sweep of a strand or a fold."""
    heading = rng.uniform(0, 2 * np.pi)
    bend = rng.normal(0, 0.6, size=2)  # turn of each control point, radians
    angles = heading + np.array([0.0, bend[0], bend[0] + bend[1]])
    steps = length / 3 * np.stack([np.cos(angles), np.sin(angles)], axis=1)
    origin = np.array([start[1], start[0]], np.float64)
    controls = np.vstack([origin, origin + np.cumsum(steps, axis=0)])
    t = np.linspace(0, 1, max(8, int(length)))[:, None]
    basis = np.hstack([(1 - t) ** 3, 3 * t * (1 - t) ** 2, 3 * t**2 * (1 - t), t**3])
    return basis @ controls


def curve_coverage(shape: tuple[int, int], points: np.ndarray, width: float) -> np.ndarray:
    """How much of each pixel (float32 H×W in 0..1) a `width` px polyline through `points` covers."""
    height, wide = shape
    canvas = Image.new("L", (wide * SUPERSAMPLE, height * SUPERSAMPLE), 0)
    scaled = [(float(x), float(y)) for x, y in (points + 0.5) * SUPERSAMPLE]
    ImageDraw.Draw(canvas).line(scaled, fill=255, width=max(1, round(width * SUPERSAMPLE)), joint="curve")
    small = canvas.reduce(SUPERSAMPLE)  # box filter: the share of each pixel the stroke covers
    return np.asarray(small, np.float32) / 255


__all__ = [
    "DetailStrokes",
    "bezier_points",
    "curve_coverage",
    "MarkShape",
    "Pen",
    "one_colour_area",
    "with_detail_strokes",
    "with_marks",
]
