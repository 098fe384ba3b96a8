"""Brush geometry, with no Qt: where a click or a drag lays its patches, and which hints an eraser touches.

A square of side ``size`` is placed so its centre ``x0 + size / 2`` is the one nearest the pointer,
``x0 = floor(px - size / 2 + 0.5)``.  For odd sizes that centres the square on the pixel under the pointer
(pixel i spans [i, i + 1)); for even sizes the centre is the pixel corner nearest the pointer.  Near the
border the square is shifted (never shrunk) to lie inside the image, so a hint painted at the edge has the
same size as one painted anywhere else.
"""

from __future__ import annotations

import math

from linetint.model.hints import Colour, Hint, HintLayer


def square_at(px: float, py: float, size: int, width: int, height: int) -> tuple[int, int] | None:
    """Top-left (x, y) of the ``size`` square centred under image position (px, py), shifted into the image.

    None when the position is outside the image (or not a finite number).
    """
    if not (math.isfinite(px) and math.isfinite(py)):
        return None
    if not (0 <= px < width and 0 <= py < height):
        return None
    x = math.floor(px - size / 2 + 0.5)
    y = math.floor(py - size / 2 + 0.5)
    # Shift inside; when the image is narrower than the brush, keep x at 0 and let the rasterizer clip.
    x = min(max(x, 0), max(0, width - size))
    y = min(max(y, 0), max(0, height - size))
    return x, y


def patch_at(px: float, py: float, size: int, colour: Colour, width: int, height: int) -> Hint | None:
    """The hint a click at image position (px, py) paints, or None outside the image (see ``square_at``)."""
    corner = square_at(px, py, size, width, height)
    if corner is None:
        return None
    return Hint(corner[0], corner[1], size, colour)


def _clip_segment(
    p0: tuple[float, float], p1: tuple[float, float], width: int, height: int
) -> tuple[tuple[float, float], tuple[float, float]] | None:
    """The part of segment p0-p1 inside [0, width] x [0, height] (Liang-Barsky), or None."""
    (x0, y0), (x1, y1) = p0, p1
    dx, dy = x1 - x0, y1 - y0
    t0, t1 = 0.0, 1.0
    for p, q in ((-dx, x0), (dx, width - x0), (-dy, y0), (dy, height - y0)):
        if p == 0:
            if q < 0:
                return None
            continue
        t = q / p
        if p < 0:
            t0 = max(t0, t)
        else:
            t1 = min(t1, t)
        if t0 > t1:
            return None
    return (x0 + t0 * dx, y0 + t0 * dy), (x0 + t1 * dx, y0 + t1 * dy)


def stroke_squares(
    p0: tuple[float, float], p1: tuple[float, float], size: int, width: int, height: int
) -> list[tuple[int, int]]:
    """Top-left corners of the ``size`` squares along the drag segment p0 -> p1, in order, no repeats.

    Samples are at most ``max(1, size // 2)`` pixels apart on each axis, so neighbouring squares overlap
    (size >= 2) or touch at least diagonally (size 1, like a Bresenham line): the stroke has no gaps.
    The part of the segment outside the image is ignored, so a drag that leaves the image still reaches
    its border.
    """
    if not all(math.isfinite(v) for v in (*p0, *p1)):
        return []
    clipped = _clip_segment(p0, p1, width, height)
    if clipped is None:
        return []
    (x0, y0), (x1, y1) = clipped
    step = max(1, size // 2)
    samples = max(1, math.ceil(max(abs(x1 - x0), abs(y1 - y0)) / step))
    # The clipped end may lie exactly on the far border, which belongs to no pixel; pull it just inside.
    last_x, last_y = math.nextafter(width, 0), math.nextafter(height, 0)
    corners: list[tuple[int, int]] = []
    for i in range(samples + 1):
        t = i / samples
        px = min(x0 + (x1 - x0) * t, last_x)
        py = min(y0 + (y1 - y0) * t, last_y)
        corner = square_at(px, py, size, width, height)
        if corner is not None and (not corners or corner != corners[-1]):
            corners.append(corner)
    return corners


def stroke_patches(
    p0: tuple[float, float],
    p1: tuple[float, float],
    size: int,
    colour: Colour,
    width: int,
    height: int,
    previous: Hint | None = None,
) -> list[Hint]:
    """Patches along the drag segment p0 -> p1 (image coordinates), in drawing order, without gaps.

    Spacing as in ``stroke_squares``.  A patch equal to the one before it is dropped; pass the drag's last
    painted patch as ``previous`` so a move-by-move caller does not repeat it at every segment's start.
    """
    patches: list[Hint] = []
    for x, y in stroke_squares(p0, p1, size, width, height):
        hint = Hint(x, y, size, colour)
        if hint != previous:
            patches.append(hint)
        previous = hint
    return patches


def _intersects(hint: Hint, x0: int, y0: int, x1: int, y1: int, width: int, height: int) -> bool:
    # Compare the patch as the rasterizer draws it, clipped at the image border.
    hx1 = min(hint.x + hint.size, width)
    hy1 = min(hint.y + hint.size, height)
    return hint.x < x1 and x0 < hx1 and hint.y < y1 and y0 < hy1


def hints_under(layer: HintLayer, x: int, y: int, size: int) -> list[int]:
    """Indices of the hints whose (clipped) patch shares a pixel with the eraser square at (x, y).

    (x, y) is the square's top-left, as ``square_at`` gives it; ``size`` may be any positive width.
    """
    x0, y0 = max(x, 0), max(y, 0)
    x1, y1 = min(x + size, layer.width), min(y + size, layer.height)
    if x0 >= x1 or y0 >= y1:
        return []
    return [
        i
        for i, hint in enumerate(layer.hints)
        if _intersects(hint, x0, y0, x1, y1, layer.width, layer.height)
    ]


def hint_at(layer: HintLayer, x: float, y: float) -> int | None:
    """Index of the topmost hint (the last drawn) covering image point (x, y), or None."""
    under = hints_under(layer, math.floor(x), math.floor(y), 1)
    return under[-1] if under else None


def hints_under_stroke(
    layer: HintLayer, p0: tuple[float, float], p1: tuple[float, float], size: int
) -> list[int]:
    """Indices (ascending) of the hints an eraser of side ``size`` dragged from p0 to p1 touches."""
    found: set[int] = set()
    for x, y in stroke_squares(p0, p1, size, layer.width, layer.height):
        found.update(hints_under(layer, x, y, size))
    return sorted(found)


__all__ = [
    "hint_at",
    "hints_under",
    "hints_under_stroke",
    "patch_at",
    "square_at",
    "stroke_patches",
    "stroke_squares",
]
