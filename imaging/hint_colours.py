"""Keep Hint Colours: every area the lines enclose that holds hints takes its hints' colour, and keeps
the network's light and dark.

A hint is a decision ("this area is this colour"); the network treats it as a suggestion and drifts
(ΔE 18 at the hint pixels of the style2paints samples). After the network runs, each hinted area's
colour becomes its hint's, shifted by how much lighter or darker the network painted each pixel than
its own median over the area — shading and highlights stay, hue and chroma are the hint's. An area with
hints of several colours gives each pixel the hint colour closest to what the network painted there.
Areas are the flats' areas (gap-closed, so colour does not leak through small gaps in the lines) and are
labelled once per line art and size (`label_areas`); the recolouring itself is cheap.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

import numpy as np

from linetint.imaging.flats import MIN_AREA, default_gap, find_seeds, line_mask, spread_labels
from linetint.model.hints import HintLayer, hint_rgba

LUMA = np.array([0.299, 0.587, 0.114], np.float32)  # Rec. 601: lightness as the eye weighs the channels
PAPER = 255
QUANT_BITS = 4  # network colours are matched to hint colours at 16 levels a channel: 4,096 table rows


class Unhinted(Enum):
    NETWORK = "network"  # areas without hints keep the network's colour
    PAPER = "paper"  # ... or stay white: a colourist laying flats sees what is left to do


@dataclass(frozen=True)
class AreaLabels:
    """The line art's areas: per pixel its area's index, -1 on lines and in areas too small to count."""

    areas: np.ndarray  # (H, W) int64
    count: int


def label_areas(grey: np.ndarray, close_gaps: int | None = None, min_area: int = MIN_AREA) -> AreaLabels:
    """The areas of `grey` (uint8 line art) as Flat Colours finds them: seeds of the gap-closed line art,
    grown back up to the lines."""
    height, width = grey.shape
    gap = default_gap(width, height) if close_gaps is None else close_gaps
    seeds = find_seeds(grey, gap, min_area).reshape(grey.shape)
    areas = spread_labels(seeds, ~line_mask(grey), gap + 2)
    return AreaLabels(areas, int(areas.max(initial=-1)) + 1)


def keep_hint_colours(
    rgb: np.ndarray,
    labels: AreaLabels,
    hints: HintLayer,
    unhinted: Unhinted = Unhinted.NETWORK,
    flat: bool = False,
) -> np.ndarray:
    """`rgb` (the network's output at the areas' size, uint8 H×W×3) with every hinted area in its hints'
    colours; `flat`: the hint colour alone, no shading. Hint pixels themselves get the hint colour."""
    height, width = labels.areas.shape
    if rgb.shape[:2] != (height, width):
        raise ValueError(f"colours are {rgb.shape[1]}x{rgb.shape[0]}, areas {width}x{height}")
    hint_pixels = hint_rgba(hints, width, height)
    hinted = hint_pixels[..., 3] > 0
    palette, holds = _palette_of_areas(labels, hint_pixels[..., :3], hinted)
    has_hints = np.r_[holds.any(axis=1), False]  # the extra entry: label -1, lines
    out = rgb.copy()
    inside = has_hints[labels.areas]
    if unhinted is Unhinted.PAPER:
        out[(labels.areas >= 0) & ~inside] = PAPER
    if inside.any():
        out[inside] = _recoloured(rgb, labels.areas, inside, palette, holds, flat)
    out[hinted] = hint_pixels[..., :3][hinted]
    return out


def _palette_of_areas(
    labels: AreaLabels, colours: np.ndarray, hinted: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The distinct hint colours (K×3), and which of them each area holds (count×K booleans)."""
    where = hinted & (labels.areas >= 0)
    palette_codes, colour_index = np.unique(_code(colours[where]), return_inverse=True)
    holds = np.zeros((labels.count, len(palette_codes)), bool)
    holds[labels.areas[where], colour_index.ravel()] = True
    return _decode(palette_codes), holds


def _recoloured(
    rgb: np.ndarray, areas: np.ndarray, inside: np.ndarray, palette: np.ndarray, holds: np.ndarray,
    flat: bool,
) -> np.ndarray:  # fmt: skip
    """The new colours of the `inside` pixels: their hint colour plus the network's lightness offset."""
    pixels = rgb[inside]
    area = areas[inside]
    index = _colour_per_pixel(pixels, area, holds, palette)
    colour = palette[index]
    if flat:
        return colour
    # Shading is measured within each colour's part of an area: where two colours share one, the network
    # painted them at different lightness, and that difference is hue, not shade.
    segment = area * len(palette) + index
    present = np.zeros(holds.size, bool)
    present[segment] = True
    segment = (np.cumsum(present) - 1)[segment]  # dense numbers for the (area, colour) pairs that occur
    luma = (pixels @ LUMA).astype(np.int16)  # 0..255: a lightness step finer than this does not show
    offset = luma - _medians(luma, segment, int(present.sum()))[segment].astype(np.int16)
    shaded = colour.astype(np.int16) + offset[:, None]
    return np.clip(shaded, 0, 255, out=shaded).astype(np.uint8)


def _colour_per_pixel(
    pixels: np.ndarray, area: np.ndarray, holds: np.ndarray, palette: np.ndarray
) -> np.ndarray:
    """Each pixel's hint colour index: its area's, or in an area of several, the one nearest the colour
    the network painted there — the network's own idea of where one colour ends and the next begins.

    The nearest colour is looked up in a table per shared area over the network colours quantised to
    QUANT_BITS a channel: a few thousand distances per area instead of one per pixel and colour."""
    chosen = holds.argmax(axis=1)[area]  # the area's only colour, or its first
    shared_areas = np.flatnonzero(holds.sum(axis=1) > 1)
    if len(shared_areas) == 0:
        return chosen
    table_of = np.full(len(holds), -1, np.int64)
    table_of[shared_areas] = np.arange(len(shared_areas))
    rows = np.flatnonzero(table_of[area] >= 0)
    levels = 1 << QUANT_BITS
    centres = (np.indices((levels,) * 3).reshape(3, -1).T + 0.5) * (256 / levels)  # (levels³, 3)
    distance = ((centres[:, None, :] - palette[None, :, :].astype(np.float32)) ** 2).sum(axis=-1)
    tables = np.empty((len(shared_areas), len(centres)), np.int64)
    for i, a in enumerate(shared_areas):
        options = np.flatnonzero(holds[a])
        tables[i] = options[distance[:, options].argmin(axis=1)]
    q = (pixels[rows] >> (8 - QUANT_BITS)).astype(np.int64)
    codes = (q[:, 0] * levels + q[:, 1]) * levels + q[:, 2]
    chosen[rows] = tables[table_of[area[rows]], codes]
    return chosen


def _medians(values: np.ndarray, group: np.ndarray, count: int) -> np.ndarray:
    """Per group 0..count-1, the median of `values` (0..255 ints) over its pixels: one histogram for all."""
    histogram = np.bincount(group * 256 + values.astype(np.int64), minlength=count * 256).reshape(count, 256)
    cumulative = np.cumsum(histogram, axis=1)
    half = (cumulative[:, -1] + 1) // 2
    return (cumulative < half[:, None]).sum(axis=1)


def _code(colours: np.ndarray) -> np.ndarray:
    return (
        (colours[..., 0].astype(np.int64) << 16) | (colours[..., 1].astype(np.int64) << 8) | colours[..., 2]
    )


def _decode(codes: np.ndarray) -> np.ndarray:
    return np.stack([(codes >> 16) & 255, (codes >> 8) & 255, codes & 255], axis=-1).astype(np.uint8)
