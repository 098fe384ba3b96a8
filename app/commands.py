"""Undoable edits of a document's hints and line art (the brush's geometry is in ``brush.py``).

Every change to the hint list goes through a QUndoCommand pushed on ``Document.undo_stack``, so it can be
undone.  Commands store deltas (hints added, hints removed at which indices), not copies of the layer, so
a long session of small strokes costs memory in proportion to what was painted, not quadratically.

A drag is one undo step by *merging*: the canvas asks ``Document.new_stroke_id()`` on mouse press and
passes that id with every command of the drag; ``QUndoStack.push`` merges a command into the one on top
when both have the same ``id()`` and ``mergeWith`` accepts, which ours does only for the same stroke id.
Unlike ``beginMacro``/``endMacro`` this leaves no open state behind when a release event is lost (focus
change, modal dialog), and the stack stays usable mid-drag.  Qt never merges into the command at the
stack's clean index, so saving during a drag splits it in two steps, which is what the user would expect.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtGui import QUndoCommand

from linetint.model.hints import Hint, HintLayer

if TYPE_CHECKING:
    from .document import Document

# QUndoCommand.id() values: commands with the same id may merge (see module docstring).
ADD_PATCHES_ID = 0x4C54_0001
ERASE_ID = 0x4C54_0002
MOVE_ID = 0x4C54_0003
MOVE_STROKE_ID = 0x4C54_0004


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

    A page recoloured from a colour picture keeps the picture's shading when the new line art has the
    same size: that is the same picture's lines redrawn (Clean Up Line Art, the one command that replaces
    line art, only changes levels), and its painter's light and shade are still what the user recolours.
    Line art of another size is another drawing or scan, which that shading would paint over with the
    old picture, so the page becomes plain line art again (undo brings the shading back).
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
        shading = document.shading
        kept = shading if shading is not None and shading.shape == lineart.shape else None
        self._before = (document.lineart, document.hints, document.source_path, document.last_result, shading)
        self._after = (lineart, document.hints.scaled_to(width, height), source_path, None, kept)

    def redo(self) -> None:
        self.document.assign_lineart(*self._after)

    def undo(self) -> None:
        self.document.assign_lineart(*self._before)


__all__ = [
    "AddPatchesCommand",
    "ClearHintsCommand",
    "EraseCommand",
    "MoveStrokeCommand",
    "ReplaceHintsCommand",
    "ReplaceLineartCommand",
]
