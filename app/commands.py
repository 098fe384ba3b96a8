"""Undoable edits of a document's hints, and the pure geometry the canvas uses to make them.

Every change to the hint list goes through a QUndoCommand pushed on ``Document.undo_stack``, so it can be
undone.  Commands store deltas (hints added, hints removed at which indices), not copies of the layer, so
a long session of small strokes costs memory in proportion to what was painted, not quadratically.

A drag is one undo step by *merging*: the canvas asks ``Document.new_stroke_id()`` on mouse press and
passes that id with every command of the drag; ``QUndoStack.push`` merges a command into the one on top
when both have the same ``id()`` and ``mergeWith`` accepts, which ours does only for the same stroke id.
Unlike ``beginMacro``/``endMacro`` this leaves no open state behind when a release event is lost (focus
change, modal dialog), and the stack stays usable mid-drag.  Qt never merges into the command at the
stack's clean index, so saving during a drag splits it in two steps, which is what the user would expect.

Brush geometry (``square_at``): a square of side ``size`` is placed so its centre ``x0 + size / 2`` is the
one nearest the pointer, ``x0 = floor(px - size / 2 + 0.5)``.  For odd sizes that centres the square on
the pixel under the pointer (pixel i spans [i, i + 1)); for even sizes the centre is the pixel corner
nearest the pointer.  Near the border the square is shifted (never shrunk) to lie inside the image, so a
hint painted at the edge has the same size as one painted anywhere else.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtGui import QUndoCommand

from linetint.model.hints import Colour, Hint, HintLayer

if TYPE_CHECKING:
    from .document import Document

# QUndoCommand.id() values: commands with the same id may merge (see module docstring).
ADD_PATCHES_ID = 0x4C54_0001
ERASE_ID = 0x4C54_0002
MOVE_ID = 0x4C54_0003
MOVE_STROKE_ID = 0x4C54_0004


# --------------------------------------------------------------------------------------------------------
# Geometry


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


# --------------------------------------------------------------------------------------------------------
# Commands


class AddPatchesCommand(QUndoCommand):
    """Append hints (in order).  Commands with the same non-None ``stroke_id`` merge into one undo step."""

    def __init__(
        self, document: Document, hints: Sequence[Hint], text: str = "Paint", stroke_id: int | None = None
    ) -> None:
        super().__init__(text)
        self.document = document
        self.stroke_id = stroke_id
        self.hints: list[Hint] = list(hints)
        self._count_before: int | None = None

    def id(self) -> int:
        return ADD_PATCHES_ID if self.stroke_id is not None else -1

    def redo(self) -> None:
        layer = self.document.hints
        if self._count_before is None:
            self._count_before = len(layer)
        self.document.assign_hints(layer.with_hints(layer.hints[: self._count_before] + tuple(self.hints)))

    def undo(self) -> None:
        layer = self.document.hints
        # Undo runs in stack order, so the layer is exactly what redo left: the old hints are a prefix.
        self.document.assign_hints(layer.with_hints(layer.hints[: self._count_before]))

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, AddPatchesCommand) or other.document is not self.document:
            return False
        if self.stroke_id is None or other.stroke_id != self.stroke_id:
            return False
        # `other` was already applied by push(); its hints directly follow ours in the layer.
        self.hints.extend(other.hints)
        return True


@dataclass(frozen=True)
class _Removal:
    """One erase step: the removed hints and their indices in the list they were removed from."""

    indices: tuple[int, ...]  # ascending
    hints: tuple[Hint, ...]


def _remove(hints: tuple[Hint, ...], indices: Sequence[int]) -> tuple[Hint, ...]:
    drop = set(indices)
    return tuple(h for i, h in enumerate(hints) if i not in drop)


def _reinsert(hints: tuple[Hint, ...], removal: _Removal) -> tuple[Hint, ...]:
    out: list[Hint] = []
    kept = iter(hints)
    pending = dict(zip(removal.indices, removal.hints, strict=True))
    for i in range(len(hints) + len(removal.indices)):
        out.append(pending[i] if i in pending else next(kept))
    return tuple(out)


class EraseCommand(QUndoCommand):
    """Remove the hints at ``indices`` of the current layer (see ``hints_under``).

    Commands with the same non-None ``stroke_id`` merge, so one eraser drag is one undo step.
    """

    def __init__(
        self,
        document: Document,
        indices: Sequence[int],
        text: str = "Erase",
        stroke_id: int | None = None,
    ) -> None:
        super().__init__(text)
        self.document = document
        self.stroke_id = stroke_id
        layer = document.hints
        ordered = tuple(sorted(set(indices)))
        if ordered and not (0 <= ordered[0] and ordered[-1] < len(layer)):
            raise IndexError(f"erase indices {ordered} are outside the {len(layer)} hints")
        self._steps: list[_Removal] = [_Removal(ordered, tuple(layer.hints[i] for i in ordered))]

    def id(self) -> int:
        return ERASE_ID if self.stroke_id is not None else -1

    def redo(self) -> None:
        hints = self.document.hints.hints
        for step in self._steps:
            hints = _remove(hints, step.indices)
        self.document.assign_hints(self.document.hints.with_hints(hints))

    def undo(self) -> None:
        hints = self.document.hints.hints
        for step in reversed(self._steps):
            hints = _reinsert(hints, step)
        self.document.assign_hints(self.document.hints.with_hints(hints))

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, EraseCommand) or other.document is not self.document:
            return False
        if self.stroke_id is None or other.stroke_id != self.stroke_id:
            return False
        # Each step's indices refer to the list left by the step before, so keep them in order.
        self._steps.extend(other._steps)
        return True


class MoveHintCommand(QUndoCommand):
    """Put hint ``index`` at a new top-left; the moves of one drag (same ``stroke_id``) are one step."""

    def __init__(self, document: Document, index: int, x: int, y: int, stroke_id: int | None = None) -> None:
        super().__init__("Move hint")
        self.document = document
        self.index = index
        self.stroke_id = stroke_id
        self._from = document.hints.hints[index]
        self._to = dataclasses.replace(self._from, x=x, y=y)

    def id(self) -> int:
        return MOVE_ID if self.stroke_id is not None else -1

    def redo(self) -> None:
        self._put(self._to)

    def undo(self) -> None:
        self._put(self._from)

    def mergeWith(self, other: QUndoCommand) -> bool:
        drag = (self.stroke_id, self.index)
        same_drag = isinstance(other, MoveHintCommand) and (other.stroke_id, other.index) == drag
        if same_drag:
            self._to = other._to
        return same_drag

    def _put(self, hint: Hint) -> None:
        hints = list(self.document.hints.hints)
        hints[self.index] = hint
        self.document.assign_hints(self.document.hints.with_hints(hints))


class MoveStrokeCommand(QUndoCommand):
    """Shift the hints at ``indices`` (a stroke) by (dx, dy); the moves of one drag (same ``stroke_id``) are
    one step.  The caller keeps every shifted hint inside the picture (``Document.move_stroke``)."""

    def __init__(
        self, document: Document, indices: Sequence[int], dx: int, dy: int, stroke_id: int | None = None
    ) -> None:
        super().__init__("Move stroke")
        self.document = document
        self.indices = tuple(indices)
        self.stroke_id = stroke_id
        self._from = tuple(document.hints.hints[i] for i in self.indices)
        self._to = tuple(dataclasses.replace(h, x=h.x + dx, y=h.y + dy) for h in self._from)

    def id(self) -> int:
        return MOVE_STROKE_ID if self.stroke_id is not None else -1

    def redo(self) -> None:
        self._put(self._to)

    def undo(self) -> None:
        self._put(self._from)

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, MoveStrokeCommand):
            return False
        if (other.stroke_id, other.indices) != (self.stroke_id, self.indices):
            return False
        self._to = other._to
        return True

    def _put(self, placed: tuple[Hint, ...]) -> None:
        hints = list(self.document.hints.hints)
        for i, hint in zip(self.indices, placed, strict=True):
            hints[i] = hint
        self.document.assign_hints(self.document.hints.with_hints(hints))


class ReplaceHintsCommand(QUndoCommand):
    """Replace the whole hint layer (import, or ``Document.set_hints``); the layer must match the line art."""

    def __init__(self, document: Document, layer: HintLayer, text: str = "Import hints") -> None:
        super().__init__(text)
        if (layer.width, layer.height) != (document.width, document.height):
            raise ValueError(
                f"hints are for a {layer.width}x{layer.height} image, the line art is "
                f"{document.width}x{document.height}; load them with load_hints(path, width, height)"
            )
        self.document = document
        self._before = document.hints
        self._after = layer

    def redo(self) -> None:
        self.document.assign_hints(self._after)

    def undo(self) -> None:
        self.document.assign_hints(self._before)


class ClearHintsCommand(ReplaceHintsCommand):
    """Remove every hint."""

    def __init__(self, document: Document, text: str = "Clear hints") -> None:
        super().__init__(document, document.hints.with_hints(()), text)


class ReplaceLineartCommand(QUndoCommand):
    """Swap in another line art (e.g. a cleaner scan of the same drawing), keeping the hints.

    Hints are mapped to the new size by the hint contract's rule (``HintLayer.scaled_to``); the stored
    preview no longer matches the picture, so it is dropped (and restored on undo).
    """

    def __init__(
        self,
        document: Document,
        lineart: np.ndarray,
        source_path: Path | None,
        text: str = "Replace line art",
    ) -> None:
        super().__init__(text)
        self.document = document
        height, width = lineart.shape
        self._before = (document.lineart, document.hints, document.source_path, document.last_result)
        self._after = (lineart, document.hints.scaled_to(width, height), source_path, None)

    def redo(self) -> None:
        self.document.assign_lineart(*self._after)

    def undo(self) -> None:
        self.document.assign_lineart(*self._before)


__all__ = [
    "AddPatchesCommand",
    "ClearHintsCommand",
    "EraseCommand",
    "MoveHintCommand",
    "MoveStrokeCommand",
    "ReplaceHintsCommand",
    "ReplaceLineartCommand",
    "hints_under",
    "hints_under_stroke",
    "hint_at",
    "patch_at",
    "square_at",
    "stroke_patches",
    "stroke_squares",
]
