"""Which drawings are illustrations worth learning colour from. Every rule has a name; the build counts
what each one drops (docs/corpus.md has the rules in prose and the counts).

1. `category`: icons, flags, signs, symbols, shapes, maps and logos by the source's own grouping
   (Wesnoth: only its portraits are read, and all are kept).
2. `text`: SVGs that set text (`<text>`): labels and signs, whose letters are not line art.
3. `unrendered`: SVGs the renderer refuses.
4. `near-empty`: less than MIN_CANVAS_INK of the drawing's own canvas is drawn (a speck that cropping
   would blow up), or less than MIN_INK of the cropped picture.
5. `no-colour`: less than MIN_COLOURED of what is drawn has any colour (black-and-white clip art).
6. `one-colour`: fewer than MIN_COLOURS distinct colours each cover MIN_COLOUR_SHARE of the drawing —
   for drawings without line art of their own only: a one-colour silhouette teaches nothing, while an
   OpenMoji hand in one skin tone, bounded by its own lines, is exactly what a colourist hints.
"""

from __future__ import annotations

import numpy as np

from .sources import Drawing

# OpenMoji groups (openmoji.json) and Open Clip Art folders that hold illustrations. The rest: flags,
# symbols, component (skin-tone swatches), extras-unicode (mostly symbols); computer (icons), shapes,
# signs_and_symbols, geography (maps, flags), logos, buttons, special, office, electronics, science.
KEEP_CATEGORIES = {
    "openmoji": frozenset(
        {
            "people-body",
            "smileys-emotion",
            "animals-nature",
            "food-drink",
            "travel-places",
            "activities",
            "objects",
            "extras-openmoji",
        }
    ),  # fmt: skip
    "openclipart": frozenset(
        {
            "people",
            "animals",
            "food",
            "plants",
            "recreation",
            "transportation",
            "buildings",
            "decorations",
            "containers",
            "tools",
            "education",
            "unsorted",
        }
    ),  # fmt: skip
}
KEEP_EVERY_CATEGORY = frozenset({"wesnoth"})  # only its portraits are read: every one is an illustration
MIN_INK = 0.04
MIN_CANVAS_INK = 0.01
INK_LEVEL = 250  # a pixel below this in any channel is part of the drawing, not paper
MIN_COLOURED = 0.15
CHROMA_MIN = 24  # max - min of R, G, B: a pixel with at least this much is coloured
MIN_COLOURS = 2
MIN_COLOUR_SHARE = 0.03
QUANT = 32  # colours are counted after rounding each channel to this step


def source_rule(drawing: Drawing) -> str | None:
    """The name of the rule that drops `drawing` before rendering, or None."""
    every = drawing.source in KEEP_EVERY_CATEGORY
    if not every and drawing.category not in KEEP_CATEGORIES.get(drawing.source, frozenset()):
        return "category"
    if b"<text" in drawing.svg:
        return "text"
    return None


def ink_share(picture: np.ndarray) -> float:
    return float((picture < INK_LEVEL).any(axis=-1).mean())


def canvas_rule(picture: np.ndarray) -> str | None:
    """The rule that drops a drawing by its render on its own, uncropped canvas, or None."""
    return "near-empty" if ink_share(picture) < MIN_CANVAS_INK else None


def picture_rule(picture: np.ndarray, has_lines: bool) -> str | None:
    """The name of the rule that drops a rendered, cropped (H, W, 3) uint8 picture, or None."""
    channels = picture.astype(np.int16)
    drawn = (channels < INK_LEVEL).any(axis=-1)
    if drawn.mean() < MIN_INK:
        return "near-empty"
    chroma = channels.max(axis=-1) - channels.min(axis=-1)
    coloured = drawn & (chroma >= CHROMA_MIN)
    if coloured.sum() < MIN_COLOURED * drawn.sum():
        return "no-colour"
    if not has_lines and distinct_colours(picture[coloured]) < MIN_COLOURS:
        return "one-colour"
    return None


def distinct_colours(pixels: np.ndarray) -> int:
    """How many quantised colours each cover at least MIN_COLOUR_SHARE of `pixels` ((N, 3) uint8)."""
    if len(pixels) == 0:
        return 0
    codes = (pixels // QUANT).astype(np.int32) @ np.array([64, 8, 1], np.int32)
    counts = np.bincount(codes, minlength=512)
    return int((counts >= MIN_COLOUR_SHARE * len(pixels)).sum())
