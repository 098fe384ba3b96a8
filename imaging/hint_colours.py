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

from linetint.imaging.blur import blur, box_kernel
from linetint.imaging.flats import MIN_AREA, default_gap, find_seeds, line_mask, spread_labels
from linetint.model.hints import HintLayer, hint_rgba
from linetint.model.images import LUMA

PAPER = 255
# How much of the network's light and dark a hinted area keeps, and over what radius (px per px of the
# short side) it is smoothed first. The network's shading is part form, part speckle and its 16-px grid:
# on style2paints' four line-art samples the distance to the peer's colouring is 12.4 with all of it
# unsmoothed, 11.8 with 0.6 smoothed over 3 px, 11.1 with none (flat) — half, smoothed, keeps the form
# visible and drops the speckle (bench/feature_pictures.py draws hint-colours.jpg).
SHADING = 0.5
SMOOTHING = 1 / 250
# Areas without hints keep the network's colour, but its hue and chroma are averaged over about short
# side/100 (their lightness kept, pixel for pixel): the GAN's rainbow speckle goes, the form stays. On
# style2paints' six samples (`bench/real_art.py --keep-hint-colours`, the speckle columns) it takes the
# unhinted areas' speckle from the network's 16.0 to 8.5 with the model shipped on 2026-11-30 evening
# (the peer's own colouring: 8.5), and the 2843-step model before it from 16.9 to 10.7 with its peer
# distance 18.4 -> 18.0; twice the radius bled colour across lines into halos around the shapes.
CALMING = 1 / 100
# ... and by default (Unhinted.TINT) it is shown at this strength over paper, as a pale suggestion: the
# network's colour where nobody said what it should be is its weakest part. On style2paints' six samples
# with the model shipped 2026-12-01 (`bench/real_art.py --keep-hint-colours`: the "kept", "kept, full" and
# "kept, paper" columns) the distance to the peer is 11.3 at 0.5, 12.2 at full strength, 11.1 as paper;
# with no hints (`--zero-hints`) line art comes out calm and light, mean L* 84.9 off lines (the peer's
# colourings 88.9) instead of the network's dark navy. Half, as SHADING keeps half the network's shading in
# hinted areas.
TINT = 0.5
QUANT_BITS = 4  # network colours are matched to hint colours at 16 levels a channel: 4,096 table rows


class Unhinted(Enum):
    TINT = "tint"  # areas without hints show the network's colour, calmed, at TINT strength over paper
    NETWORK = "network"  # ... or at full strength
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
    unhinted: Unhinted = Unhinted.TINT,
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
    inside = has_hints[labels.areas]
    outside = (labels.areas >= 0) & ~inside
    out = rgb.copy()
    if unhinted is Unhinted.PAPER:
        out[outside] = PAPER
    elif outside.any():
        colour = calmed(rgb, outside)[outside]
        out[outside] = colour if unhinted is Unhinted.NETWORK else tinted(colour)
    if inside.any():
        keep = np.repeat(inside[..., None], 3, axis=2).view(np.uint8) * np.uint8(255)
        out ^= (out ^ _recoloured(rgb, labels, palette, holds, flat)) & keep  # the recoloured where inside
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
    rgb: np.ndarray, labels: AreaLabels, palette: np.ndarray, holds: np.ndarray, flat: bool
) -> np.ndarray:
    """The whole picture as hinted areas would be: each pixel its hint colour plus the network's lightness
    offset (meaningful only inside hinted areas; the caller keeps those).

    The result is a lookup: a pixel's colour depends only on its segment (an area's part of one hint
    colour) and its lightness, so a table of segments × 256 lightness levels, packed one pixel to a
    32-bit word, is gathered in one pass — picture-sized gathers of 3-channel arrays are what cost here
    (≤ 15 ms an edit at 512² is the budget)."""
    area = np.where(labels.areas >= 0, labels.areas, labels.count)  # lines: a spare entry
    spare = np.zeros((1, holds.shape[1]), bool)
    index = _colour_per_pixel(rgb, area, np.vstack([holds, spare]), palette)
    # Shading is measured within each colour's part of an area: where two colours share one, the network
    # painted them at different lightness, and that difference is hue, not shade.
    segment = area * len(palette) + index
    present = np.zeros((labels.count + 1) * len(palette), bool)
    present[segment] = True
    segment = (np.cumsum(present, dtype=np.int32) - 1)[segment]  # dense numbers for pairs that occur
    count = int(present.sum())
    colour = palette[np.flatnonzero(present) % len(palette)].astype(np.int16)  # (count, 3)
    luma = _shading(rgb)
    levels = np.arange(256, dtype=np.int16)
    if flat:
        shaded = np.broadcast_to(colour[:, None, :], (count, 256, 3))
    else:
        offset = levels[None, :] - _medians(luma, segment, count).astype(np.int16)[:, None]
        shaded = np.clip(colour[:, None, :] + offset[..., None], 0, 255)
    table = np.zeros((count, 256, 4), np.uint8)
    table[..., :3] = shaded
    packed = table.view(np.uint32).reshape(-1).take(segment * 256 + luma)
    return packed.view(np.uint8).reshape(*luma.shape, 4)[..., :3]


def calmed(rgb: np.ndarray, where: np.ndarray) -> np.ndarray:
    """`rgb` with its colour (not its lightness) averaged over about CALMING × the short side, counting
    only the pixels `where` is True — lines and hinted areas lend none of their colour.

    Colour is carried as two differences from Rec. 601 lightness (R − Y, B − Y), so lightness stays each
    pixel's own (G follows from Y, R and B); the averaging runs at half size (two box passes, a tent),
    where it costs a quarter — the colour it gives is smooth, so half size loses nothing one can see."""
    height, width = where.shape
    kernel = box_kernel(max(1, round(min(height, width) * CALMING / 2)))
    colour = rgb.astype(np.float32)
    luma = colour @ LUMA
    weight = where.astype(np.float32)

    def smooth(x: np.ndarray) -> np.ndarray:
        return blur(blur(_half_sums(x), kernel), kernel)

    total = np.maximum(smooth(weight), 1e-6)
    for channel in (0, 2):  # the new R and B: lightness plus the averaged difference
        difference = smooth((colour[..., channel] - luma) * weight) / total
        colour[..., channel] = luma + _doubled(difference, height, width)
    colour[..., 1] = (luma - LUMA[0] * colour[..., 0] - LUMA[2] * colour[..., 2]) / LUMA[1]
    colour += 0.5
    return np.clip(colour, 0, 255, out=colour).astype(np.uint8)


def tinted(rgb: np.ndarray) -> np.ndarray:
    """`rgb` (uint8) at TINT strength over white paper."""
    paper_distance = (PAPER - rgb.astype(np.float32)) * TINT
    return (PAPER + 0.5 - paper_distance).astype(np.uint8)


def _half_sums(x: np.ndarray) -> np.ndarray:
    """Sums over 2×2 blocks (an odd last row or column padded with zeros)."""
    height, width = x.shape
    padded = np.pad(x, ((0, height % 2), (0, width % 2))) if height % 2 or width % 2 else x
    return padded[0::2, 0::2] + padded[1::2, 0::2] + padded[0::2, 1::2] + padded[1::2, 1::2]


def _doubled(x: np.ndarray, height: int, width: int) -> np.ndarray:
    return np.repeat(np.repeat(x, 2, axis=0), 2, axis=1)[:height, :width]


def _shading(rgb: np.ndarray) -> np.ndarray:
    """The network's lightness 0..255, smoothed and with SHADING of its contrast around mid-grey: only its
    differences from each segment's median are used, so this scales the shading a hinted area keeps."""
    radius = max(1, round(min(rgb.shape[:2]) * SMOOTHING))
    smooth = blur(_luma(rgb).astype(np.float32), box_kernel(radius))
    return (128.5 + SHADING * (smooth - 128)).astype(np.int32)


def _luma(rgb: np.ndarray) -> np.ndarray:
    """Rec. 601 lightness 0..255 in integers (weights in 256ths): integer arithmetic is several times
    faster than a float matrix product here."""
    weighted: np.ndarray = (  # an integer array (numpy's stubs guess float64 for uint8 × uint16)
        rgb[..., 0] * np.uint16(77) + rgb[..., 1] * np.uint16(150) + rgb[..., 2] * np.uint16(29)
    )
    return (weighted >> 8).astype(np.int32)


def _colour_per_pixel(
    rgb: np.ndarray, area: np.ndarray, holds: np.ndarray, palette: np.ndarray
) -> np.ndarray:
    """Each pixel's hint colour index: its area's, or in an area of several, the one nearest the colour
    the network painted there — the network's own idea of where one colour ends and the next begins.

    The nearest colour is looked up in a table per shared area over the network colours rounded to
    QUANT_BITS a channel: a few thousand distances per area instead of one per pixel and colour. The
    levels span 0..255 end to end, so paper white and ink black are exact: with bin centres (255 read as
    248) a white background shared by a white and a pale blue hint turned pale blue (s2p-002)."""
    chosen = holds.argmax(axis=1).astype(np.int32)[area]  # the area's only colour, or its first
    shared_areas = np.flatnonzero(holds.sum(axis=1) > 1)
    if len(shared_areas) == 0:
        return chosen
    levels = 1 << QUANT_BITS
    step = 255 / (levels - 1)
    centres = np.indices((levels,) * 3).reshape(3, -1).T * step  # (levels³, 3)
    distance = ((centres[:, None, :] - palette[None, :, :].astype(np.float32)) ** 2).sum(axis=-1)
    tables = np.zeros((len(shared_areas) + 1, len(centres)), np.int32)  # row 0: areas of one colour
    for i, a in enumerate(shared_areas, start=1):
        options = np.flatnonzero(holds[a])
        tables[i] = options[distance[:, options].argmin(axis=1)]
    table_of = np.zeros(len(holds), np.int32)
    table_of[shared_areas] = np.arange(1, len(shared_areas) + 1)
    level = np.round(np.arange(256) / step).astype(np.int32)  # each channel value's nearest level
    codes = (
        (level * levels**2).take(rgb[..., 0]) + (level * levels).take(rgb[..., 1]) + level.take(rgb[..., 2])
    )
    which = table_of[area]
    return np.where(which > 0, tables.reshape(-1).take(which * len(centres) + codes), chosen)


def _medians(values: np.ndarray, group: np.ndarray, count: int) -> np.ndarray:
    """Per group 0..count-1, the median of `values` (0..255 ints) over its pixels: one histogram for all."""
    keys = group.ravel() * 256 + values.ravel().astype(np.int64)
    histogram = np.bincount(keys, minlength=count * 256).reshape(count, 256)
    cumulative = np.cumsum(histogram, axis=1)
    half = (cumulative[:, -1] + 1) // 2
    return (cumulative < half[:, None]).sum(axis=1)


def _code(colours: np.ndarray) -> np.ndarray:
    return (
        (colours[..., 0].astype(np.int64) << 16) | (colours[..., 1].astype(np.int64) << 8) | colours[..., 2]
    )


def _decode(codes: np.ndarray) -> np.ndarray:
    return np.stack([(codes >> 16) & 255, (codes >> 8) & 255, codes & 255], axis=-1).astype(np.uint8)
