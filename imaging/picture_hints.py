"""Hints from a colour picture of the same drawing: one per area the lines enclose, in its colour there.

A colour rough painted over the sketch, flats from another program, an old colouring to redo: every area
of the line art (as flat colours find them, imaging/flats.py) gets a hint at the seed pixel nearest the
area's centre. An area the picture paints in several colours (a gap in the lines merged two, or the
picture does not follow the lines) gets more: points on a grid add a hint wherever the picture's colour
differs from every hint that area has so far. Each hint's colour is the picture's mean over its patch,
as in training (section 4.1). The network then colours the drawing from those hints — far fewer than the
picture's pixels, which is what it was trained on.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

from linetint.model.hints import Colour, Hint, HintLayer, aspect_differs

from .flats import find_seeds

HINT_SIZE = 3
GRID = 16  # more hints are looked for on a grid of this many cells along the short side ...
DIFFERENT = 40.0  # ... and kept where the picture differs this much (RGB distance) from the area's hints


class PictureMismatch(ValueError):
    """The colour picture cannot be a colouring of this line art."""


def fit_picture(picture: np.ndarray, width: int, height: int) -> np.ndarray:
    """`picture` (H×W×3 uint8) at the line art's size; refused when its shape differs (as a hint file's
    would be: `aspect_differs`)."""
    pic_height, pic_width = picture.shape[:2]
    if aspect_differs(pic_width, pic_height, width, height):
        raise PictureMismatch(
            f"the colour picture is {pic_width}x{pic_height}, the line art {width}x{height}: "
            "not the same shape, so not a colouring of this drawing"
        )
    if (pic_width, pic_height) == (width, height):
        return picture
    return np.asarray(Image.fromarray(picture).resize((width, height), Image.Resampling.LANCZOS))


def hints_from_picture(grey: np.ndarray, picture: np.ndarray, size: int = HINT_SIZE) -> HintLayer:
    """`size` px hints for the areas of `grey`, coloured as `picture` paints them."""
    height, width = grey.shape
    picture = fit_picture(picture, width, height)
    size = min(size, width, height)
    areas = find_seeds(grey).reshape(height, width)
    hints: list[Hint] = []
    colours: dict[int, list[Colour]] = {}  # per area, the colours of its hints so far
    for label, x, y in _area_centres(areas) + _grid_points(areas, size):
        hint = _hint(picture, x, y, size)
        seen = colours.setdefault(label, [])
        if all(np.linalg.norm(np.subtract(hint.color, c)) > DIFFERENT for c in seen):  # a centre: always
            hints.append(hint)
            seen.append(hint.color)
    return HintLayer(width, height, tuple(hints))


def _area_centres(areas: np.ndarray) -> list[tuple[int, int, int]]:
    """(label, x, y) per area: its seed pixel nearest the area's centre of mass."""
    inside = np.nonzero(areas.ravel() >= 0)[0]
    if inside.size == 0:
        return []
    labels = areas.ravel()[inside]
    count = int(labels.max()) + 1
    ys, xs = np.divmod(inside, areas.shape[1])
    pixels = np.maximum(np.bincount(labels, minlength=count), 1)
    centre_y, centre_x = np.bincount(labels, ys, count) / pixels, np.bincount(labels, xs, count) / pixels
    distance = (ys - centre_y[labels]) ** 2 + (xs - centre_x[labels]) ** 2
    order = np.lexsort((distance, labels))  # by area, nearest its centre first
    firsts = order[np.r_[0, np.nonzero(np.diff(labels[order]))[0] + 1]]
    return [(int(labels[i]), int(xs[i]), int(ys[i])) for i in firsts]


def _grid_points(areas: np.ndarray, size: int) -> list[tuple[int, int, int]]:
    """(label, x, y) on a grid of GRID cells along the short side, where the grid falls in an area."""
    height, width = areas.shape
    step = max(size * 3, min(width, height) // GRID)
    points = [
        (int(areas[y, x]), x, y)
        for y in range(step // 2, height, step)
        for x in range(step // 2, width, step)
    ]
    return [point for point in points if point[0] >= 0]


def _hint(picture: np.ndarray, x: int, y: int, size: int) -> Hint:
    """A hint centred on (x, y), kept inside the picture, in the picture's mean colour over its patch."""
    height, width = picture.shape[:2]
    left = int(np.clip(x - size // 2, 0, width - size))
    top = int(np.clip(y - size // 2, 0, height - size))
    colour = picture[top : top + size, left : left + size].reshape(-1, 3).mean(axis=0)
    r, g, b = (int(c) for c in np.round(colour))
    return Hint(left, top, size, (r, g, b))
