"""Procedural flat-coloured "illustrations" with their line art, to teach line-bounded colour filling.

Each picture is white paper with a few layered closed shapes (ellipses, polygons, smooth blobs, stripes
across the picture, and smaller parts nested inside a shape, like eyes in a face).  Every shape has a
flat fill, often a cel shadow (a darker tone cut off on one side, with no line at its edge, as in anime
colouring) and sometimes a lighter highlight; its outline has its own width and darkness and may have
open gaps, so the network cannot rely on closed contours.  Some shapes carry short open detail strokes
(folds) that do not bound any colour region.  Later shapes cover earlier ones, outlines included.

The line art is the outline layer; with probability ``xdog_prob`` it is XDoG of the colour image
instead, so the noisier real-data line style is seen too.  Lines are multiplied into the colour image,
as inked illustrations have them.  Everything is drawn at ``supersample`` times the size and reduced
with a box filter: edges are anti-aliased while fills stay exactly flat.

Speed, measured on the 2-core development machine (shared with other work, so it varies): 9-12 ms
per 256 x 256 picture and 27-32 ms per 512 x 512, XDoG line art included.
"""

from __future__ import annotations

import colorsys
import math
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from PIL import Image, ImageChops, ImageDraw

from linetint.imaging.xdog import xdog

Points = list[tuple[float, float]]
RGB = tuple[int, int, int]

SHAPE_KINDS = ("ellipse", "polygon", "blob", "stripe")


@dataclass(frozen=True)
class SyntheticConfig:
    """How the pictures vary; sizes are fractions of the short side unless they say px."""

    min_shapes: int = 3
    max_shapes: int = 8
    shape_weights: tuple[float, float, float, float] = (0.3, 0.25, 0.3, 0.15)  # in SHAPE_KINDS order
    radius: tuple[float, float] = (0.1, 0.35)
    nest_prob: float = 0.35  # a shape gets 1-3 inner parts
    palette_prob: float = 0.6  # reuse one of the picture's few colours rather than a fresh one
    shade_prob: float = 0.7
    highlight_prob: float = 0.35
    line_width_px: tuple[float, float] = (1.0, 3.5)  # in output pixels, not scaled with the picture
    ink: tuple[int, int] = (170, 255)  # line strength; the line art grey is 255 - ink
    gap_prob: float = 0.3  # an outline has 1-2 open gaps
    stroke_prob: float = 0.25  # a shape has 1-2 open detail strokes inside it
    xdog_prob: float = 0.15
    supersample: int = 2

    def __post_init__(self) -> None:
        if not 1 <= self.min_shapes <= self.max_shapes:
            raise ValueError(f"need 1 <= min_shapes <= max_shapes, got {self.min_shapes}, {self.max_shapes}")
        if len(self.shape_weights) != len(SHAPE_KINDS) or sum(self.shape_weights) <= 0:
            raise ValueError(f"shape_weights needs {len(SHAPE_KINDS)} non-negative weights, not all zero")
        if self.supersample < 1:
            raise ValueError(f"supersample must be >= 1, got {self.supersample}")


class SyntheticSample(NamedTuple):
    color: np.ndarray  # uint8 (H, W, 3)
    lineart: np.ndarray  # uint8 (H, W), white paper = 255
    line_source: str  # "outline" or "xdog"


# --------------------------------------------------------------------------------------------------------
# Geometry: every shape is a closed polygon in supersampled pixel coordinates.


def _ring(rng: np.random.Generator, n: int, radius_at: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """Points of a closed curve r(theta) around the origin, stretched and randomly rotated."""
    theta = np.linspace(0, 2 * np.pi, n, endpoint=False)
    xy = np.stack([np.cos(theta), np.sin(theta)], axis=1) * radius_at[:, None] * scale
    angle = rng.uniform(0, np.pi)
    c, s = math.cos(angle), math.sin(angle)
    return xy @ np.array([[c, s], [-s, c]])


def _n_points(radius: float) -> int:
    # About one vertex per 4 supersampled px of circumference: smooth after the 2x reduction.
    return int(np.clip(2 * np.pi * radius / 4, 24, 256))


def _ellipse(rng: np.random.Generator, radius: float) -> np.ndarray:
    n = _n_points(radius)
    return _ring(rng, n, np.ones(n), np.array([radius, radius * rng.uniform(0.4, 1.0)]))


def _polygon(rng: np.random.Generator, radius: float) -> np.ndarray:
    # Sorted angles with varying radii give a simple (star-shaped) polygon, convex or not.
    k = int(rng.integers(3, 8))
    theta = np.sort(rng.uniform(0, 2 * np.pi, k))
    r = radius * rng.uniform(0.55, 1.0, k)
    return np.stack([np.cos(theta) * r, np.sin(theta) * r], axis=1)


def _blob(rng: np.random.Generator, radius: float) -> np.ndarray:
    n = _n_points(radius)
    theta = np.linspace(0, 2 * np.pi, n, endpoint=False)
    r = np.ones(n)
    for harmonic in range(2, 6):
        # Amplitudes shrinking with the harmonic keep the radius positive and the outline smooth.
        r += rng.uniform(0, 0.35 / harmonic) * np.cos(harmonic * theta + rng.uniform(0, 2 * np.pi))
    return _ring(rng, n, r, np.array([radius, radius * rng.uniform(0.5, 1.0)]))


def _stripe(rng: np.random.Generator, radius: float, reach: float) -> np.ndarray:
    """A band across the whole picture (ribbon, floor line), with straight or wavy edges."""
    half_width = radius * rng.uniform(0.25, 0.6)
    n = 48
    t = np.linspace(-reach, reach, n)
    wave = rng.uniform(0, 0.3) * half_width * np.sin(t / reach * rng.uniform(2, 8) + rng.uniform(0, 6.3))
    top = np.stack([t, -half_width + wave], axis=1)
    bottom = np.stack([t[::-1], half_width + wave[::-1] * rng.uniform(-1, 1)], axis=1)
    angle = rng.uniform(0, np.pi)
    c, s = math.cos(angle), math.sin(angle)
    return np.concatenate([top, bottom]) @ np.array([[c, s], [-s, c]])


# --------------------------------------------------------------------------------------------------------
# Colour


def _random_colour(rng: np.random.Generator) -> RGB:
    hue = rng.uniform()
    sat = rng.uniform(0.1, 0.9) ** 0.8
    val = rng.uniform(0.45, 1.0)
    r, g, b = colorsys.hsv_to_rgb(hue, sat, val)
    return (round(r * 255), round(g * 255), round(b * 255))


def _shadow_of(color: RGB, rng: np.random.Generator) -> RGB:
    # Anime shadows are darker and drift towards a cool tint rather than just losing brightness.
    factor = rng.uniform(0.6, 0.85)
    tint = np.array([70, 60, 130])
    mix = rng.uniform(0, 0.2)
    rgb = np.array(color) * factor * (1 - mix) + tint * mix
    r, g, b = np.clip(np.rint(rgb), 0, 255).astype(int).tolist()
    return (r, g, b)


def _highlight_of(color: RGB, rng: np.random.Generator) -> RGB:
    mix = rng.uniform(0.35, 0.7)
    r, g, b = np.rint(np.array(color) * (1 - mix) + 255 * mix).astype(int).tolist()
    return (r, g, b)


# --------------------------------------------------------------------------------------------------------
# Drawing


class _Canvas:
    """The supersampled colour layer and ink layer (0 = paper, 255 = full-strength line)."""

    def __init__(self, width: int, height: int) -> None:
        self.size = (width, height)
        self.color = Image.new("RGB", self.size, (255, 255, 255))
        self.ink = Image.new("L", self.size, 0)

    def box(self, points: np.ndarray, margin: float) -> tuple[int, int, int, int] | None:
        """Bounding box of the points (plus margin), clipped to the canvas; None if off the canvas."""
        x0, y0 = np.floor(points.min(axis=0) - margin).astype(int)
        x1, y1 = np.ceil(points.max(axis=0) + margin).astype(int) + 1
        x0, y0 = max(x0, 0), max(y0, 0)
        x1, y1 = min(x1, self.size[0]), min(y1, self.size[1])
        if x0 >= x1 or y0 >= y1:
            return None
        return (int(x0), int(y0), int(x1), int(y1))


def _mask(points: np.ndarray, box: tuple[int, int, int, int]) -> Image.Image:
    """Filled polygon as an L mask the size of box, in box-local coordinates."""
    mask = Image.new("L", (box[2] - box[0], box[3] - box[1]), 0)
    local = points - np.array(box[:2])
    ImageDraw.Draw(mask).polygon([tuple(p) for p in local.tolist()], fill=255)
    return mask


def _outline_runs(n: int, rng: np.random.Generator, gap_prob: float) -> list[np.ndarray]:
    """Index runs of a closed contour of n points to ink; one run unless gaps are cut into it."""
    closed = np.arange(n + 1) % n
    if n < 12 or rng.random() >= gap_prob:
        return [closed]
    gaps = int(rng.integers(1, 3))
    start = int(rng.integers(n))
    marks = np.sort((start + rng.choice(np.arange(0, n, max(1, n // 6)), gaps, replace=False)) % n)
    keep = np.ones(n, dtype=bool)
    for mark in marks:
        length = max(2, int(n * rng.uniform(0.03, 0.1)))
        keep[(mark + np.arange(length)) % n] = False
    # Rotate so a run never wraps past index 0, then split at the gaps.
    first_gap = int(np.argmin(keep))
    order = (first_gap + np.arange(n + 1)) % n
    kept = keep[order]
    runs, current = [], []
    for i, k in zip(order.tolist(), kept.tolist(), strict=True):
        if k:
            current.append(i)
        elif current:
            runs.append(np.array(current))
            current = []
    if current:
        runs.append(np.array(current))
    return [r for r in runs if len(r) >= 2]


class _Painter:
    """Draws shapes onto a canvas with the randomness and settings of one picture."""

    def __init__(self, canvas: _Canvas, rng: np.random.Generator, config: SyntheticConfig) -> None:
        self.canvas = canvas
        self.rng = rng
        self.config = config
        self.palette = [_random_colour(rng) for _ in range(int(rng.integers(3, 7)))]

    def fill_colour(self) -> RGB:
        if self.rng.random() < self.config.palette_prob:
            return self.palette[int(self.rng.integers(len(self.palette)))]
        return _random_colour(self.rng)

    def shape(self, kind: str, centre: np.ndarray, radius: float) -> np.ndarray:
        rng = self.rng
        if kind == "ellipse":
            local = _ellipse(rng, radius)
        elif kind == "polygon":
            local = _polygon(rng, radius)
        elif kind == "blob":
            local = _blob(rng, radius)
        else:
            local = _stripe(rng, radius, reach=2.0 * max(self.canvas.size))
        return local + centre

    def paint(self, points: np.ndarray, radius: float) -> None:
        rng, cfg, canvas = self.rng, self.config, self.canvas
        scale = cfg.supersample
        width = max(1, round(rng.uniform(*cfg.line_width_px) * scale))
        box = canvas.box(points, margin=width)
        if box is None:
            return
        mask = _mask(points, box)
        color = self.fill_colour()
        canvas.color.paste(color, box, mask)
        if rng.random() < cfg.shade_prob:
            # The shape minus itself moved towards the light leaves a crescent of shadow on the far side.
            direction = rng.normal(size=2)
            offset = direction / (np.linalg.norm(direction) + 1e-9) * radius * rng.uniform(0.15, 0.45)
            lit = _mask(points + offset, box)
            canvas.color.paste(_shadow_of(color, rng), box, ImageChops.subtract(mask, lit))
        if rng.random() < cfg.highlight_prob:
            spot_centre = points.mean(axis=0) + rng.uniform(-0.4, 0.4, 2) * radius
            spot = _ellipse(rng, radius * rng.uniform(0.12, 0.3)) + spot_centre
            canvas.color.paste(_highlight_of(color, rng), box, ImageChops.multiply(mask, _mask(spot, box)))
        # This shape covers whatever was drawn before it, outlines included.
        canvas.ink.paste(0, box, mask)
        ink = int(rng.integers(cfg.ink[0], cfg.ink[1] + 1))
        draw = ImageDraw.Draw(canvas.ink)
        for run in _outline_runs(len(points), rng, cfg.gap_prob):
            draw.line([tuple(p) for p in points[run].tolist()], fill=ink, width=width, joint="curve")
        if rng.random() < cfg.stroke_prob:
            self.detail_strokes(points, radius, box, mask, ink, width)

    def detail_strokes(
        self,
        points: np.ndarray,
        radius: float,
        box: tuple[int, int, int, int],
        mask: Image.Image,
        ink: int,
        width: int,
    ) -> None:
        """Short open curves (folds, creases) clipped to the shape: lines that bound no colour region."""
        rng = self.rng
        layer = Image.new("L", mask.size, 0)
        draw = ImageDraw.Draw(layer)
        origin = np.array(box[:2])
        for _ in range(int(rng.integers(1, 3))):
            start = points.mean(axis=0) + rng.uniform(-0.5, 0.5, 2) * radius - origin
            heading = rng.uniform(0, 2 * np.pi)
            bend = rng.uniform(-1.5, 1.5)
            t = np.linspace(0, 1, 12)[:, None]
            angle = heading + bend * t
            steps = (
                np.concatenate([np.cos(angle), np.sin(angle)], axis=1) * radius * rng.uniform(0.3, 0.7) / 12
            )
            curve = start + np.cumsum(steps, axis=0)
            draw.line([tuple(p) for p in curve.tolist()], fill=ink, width=max(1, width - 1), joint="curve")
        clipped = ImageChops.multiply(layer, mask)
        region = self.canvas.ink.crop(box)
        self.canvas.ink.paste(ImageChops.lighter(region, clipped), box[:2])


def _size_hw(size: int | tuple[int, int]) -> tuple[int, int]:
    height, width = (size, size) if isinstance(size, int) else size
    if height < 1 or width < 1:
        raise ValueError(f"size must be positive, got {size}")
    return int(height), int(width)


def generate(
    seed: int, size: int | tuple[int, int], config: SyntheticConfig = SyntheticConfig()
) -> SyntheticSample:
    """One synthetic picture; ``size`` is the side or (height, width), in numpy order like the arrays.

    The same (non-negative) seed and size give the same picture.
    """
    height, width = _size_hw(size)
    rng = np.random.default_rng(seed)
    scale = config.supersample
    canvas = _Canvas(width * scale, height * scale)
    painter = _Painter(canvas, rng, config)
    short = min(height, width) * scale
    weights = np.array(config.shape_weights, dtype=float)
    weights /= weights.sum()
    nested_kinds = ("ellipse", "polygon", "blob")
    for _ in range(int(rng.integers(config.min_shapes, config.max_shapes + 1))):
        kind = SHAPE_KINDS[int(rng.choice(len(SHAPE_KINDS), p=weights))]
        radius = rng.uniform(*config.radius) * short
        centre = rng.uniform(0.1, 0.9, 2) * np.array(canvas.size)
        painter.paint(painter.shape(kind, centre, radius), radius)
        if kind != "stripe" and rng.random() < config.nest_prob:
            for _ in range(int(rng.integers(1, 4))):
                inner = radius * rng.uniform(0.2, 0.5)
                inner_centre = centre + rng.uniform(-0.5, 0.5, 2) * radius
                inner_kind = nested_kinds[int(rng.integers(len(nested_kinds)))]
                painter.paint(painter.shape(inner_kind, inner_centre, inner), inner)

    color = np.asarray(canvas.color.reduce(scale) if scale > 1 else canvas.color)
    ink = np.asarray(canvas.ink.reduce(scale) if scale > 1 else canvas.ink).astype(np.uint16)
    # Multiply the ink into the colour: a full-strength line is black, a light one a dark tint of the fill.
    inked = (color.astype(np.uint16) * (255 - ink)[..., None] + 127) // 255
    color = inked.astype(np.uint8)
    if rng.random() < config.xdog_prob:
        return SyntheticSample(color, xdog(color), "xdog")
    return SyntheticSample(color, (255 - ink).astype(np.uint8), "outline")


__all__ = ["SHAPE_KINDS", "SyntheticConfig", "SyntheticSample", "generate"]
