"""The open picture as a data model with no widgets: line art, hints, undo history, file state.

Views (canvas, preview, window) read it and listen to its signals; every hint edit goes through
``undo_stack`` (see ``commands.py``), and ``modified`` is simply "the undo stack is not at its clean index",
so undoing back to the saved state clears the "*" in the title again.
"""

from __future__ import annotations

import dataclasses
import os
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack

from linetint.model import hints as hint_limits
from linetint.model.hints import Colour, Hint, HintLayer, last_stroke_id, stroke_indices
from linetint.model.images import check_size, colourfulness, open_image, to_grey

from .colour_modes import HintColours
from .commands import (
    AddPatchesCommand,
    ClearHintsCommand,
    EraseCommand,
    MoveStrokeCommand,
    ReplaceHintsCommand,
    ReplaceLineartCommand,
)
from .project import ProjectData, is_preview, load_project, save_project

UNTITLED = "Untitled"


def _frozen_lineart(lineart: np.ndarray) -> np.ndarray:
    if not isinstance(lineart, np.ndarray) or lineart.ndim != 2 or lineart.dtype != np.uint8:
        raise ValueError("line art must be a uint8 (H, W) grey array")
    check_size(lineart.shape[1], lineart.shape[0])
    return _frozen(lineart)


def _checked_shading(shading: np.ndarray | None, lineart: np.ndarray) -> np.ndarray | None:
    """`shading` read-only (copied unless it already is), checked against the line art it shades."""
    if shading is None:
        return None
    if not isinstance(shading, np.ndarray) or shading.ndim != 2 or shading.dtype != np.uint8:
        raise ValueError("the shading must be a uint8 (H, W) grey array")
    if shading.shape != lineart.shape:
        height, width = lineart.shape
        raise ValueError(
            f"the shading is {shading.shape[1]}x{shading.shape[0]}, the line art is {width}x{height}"
        )
    return _frozen(shading) if shading.flags.writeable else shading


def _frozen(array: np.ndarray) -> np.ndarray:
    # Read-only, so snapshots for the worker thread and the autosave can share it without copying.
    frozen = np.array(array, copy=True)
    frozen.setflags(write=False)
    return frozen


class Document(QObject):
    """One open picture.  ``lineart`` and ``hints`` change only through undoable commands."""

    hintsChanged = Signal()
    hintLimitReached = Signal(int)  # the limit: a paint kept only the hints that fit
    lineartChanged = Signal()
    modifiedChanged = Signal(bool)
    pathChanged = Signal()

    def __init__(
        self,
        lineart: np.ndarray,
        hints: HintLayer | None = None,
        *,
        path: str | os.PathLike[str] | None = None,
        source_path: str | os.PathLike[str] | None = None,
        source_name: str | None = None,
        last_result: np.ndarray | None = None,
        hint_colours: HintColours | None = None,
        shading: np.ndarray | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._lineart = _frozen_lineart(lineart)
        # A colour picture opened to recolour: its own grey, whose light and shade the result keeps
        # (imaging/recolour.py); None for line art, which is multiplied over the colour instead.
        self._shading = _checked_shading(shading, self._lineart)
        height, width = self._lineart.shape
        self._hints = hints if hints is not None else HintLayer(width, height)
        self._check_hint_size(self._hints)
        self._path = Path(path) if path is not None else None
        self._source_path = Path(source_path) if source_path is not None else None
        self._source_name = source_name  # a project remembers only the name of the image it came from
        self._last_result: np.ndarray | None = None
        self.last_result = last_result
        self._last_stroke = last_stroke_id(self._hints)  # new strokes take ids above every stored one
        # Keep Hint Colours and Unhinted Areas as the project holds them; None for a picture opened as
        # such (it has no say: the window's choice applies). The window keeps it up to date.
        self.hint_colours = hint_colours
        self.source_colourfulness = 0.0  # of the picture the line art was read from (images.colourfulness)
        self.undo_stack = QUndoStack(self)
        self.undo_stack.cleanChanged.connect(self._on_clean_changed)

    # ----------------------------------------------------------------------------------------------------
    # Opening and saving

    @classmethod
    def from_image(cls, path: str | os.PathLike[str], parent: QObject | None = None) -> Document:
        """A new, unmodified document for a line-art picture; raises ImageInputError."""
        image = open_image(path)
        document = cls(to_grey(image), source_path=path, parent=parent)
        document.source_colourfulness = colourfulness(image)
        return document

    @classmethod
    def from_project(cls, path: str | os.PathLike[str], parent: QObject | None = None) -> Document:
        """Open a .linetint project; raises ProjectError."""
        return cls.from_project_data(load_project(path), path=path, parent=parent)

    @classmethod
    def from_project_data(
        cls,
        data: ProjectData,
        path: str | os.PathLike[str] | None = None,
        modified: bool = False,
        parent: QObject | None = None,
    ) -> Document:
        """A document from loaded project data; ``modified=True`` for a recovered autosave."""
        document = cls(
            data.lineart,
            data.hints,
            path=path,
            source_name=data.source_name,
            last_result=data.result,
            hint_colours=data.hint_colours,
            shading=data.shading,
            parent=parent,
        )
        if modified:
            document.mark_modified()
        return document

    def snapshot(self) -> ProjectData:
        """What a project file stores, immutable or read-only, safe to hand to another thread."""
        choice = self.hint_colours or HintColours()
        return ProjectData(
            self._lineart, self._hints, self._last_result, self.source_name, choice, self._shading
        )

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the project atomically and mark the document saved there; raises OSError."""
        save_project(self.snapshot(), path)
        self.mark_saved(path)

    def mark_saved(self, path: str | os.PathLike[str] | None = None) -> None:
        """The document now equals the file at ``path`` (default: its current path)."""
        if path is not None:
            self.path = Path(path)
        self.undo_stack.setClean()

    def mark_modified(self) -> None:
        """Unsaved changes that are not on the undo stack (a recovered autosave)."""
        self.undo_stack.resetClean()

    # ----------------------------------------------------------------------------------------------------
    # State

    @property
    def lineart(self) -> np.ndarray:
        return self._lineart

    @property
    def hints(self) -> HintLayer:
        return self._hints

    @property
    def shading(self) -> np.ndarray | None:
        """The grey of the colour picture this page was drawn from (uint8, line-art size, read-only): the
        shown and exported picture is the colour with this light and shade, no lines multiplied over.
        None for line art."""
        return self._shading

    @property
    def width(self) -> int:
        return int(self._lineart.shape[1])

    @property
    def height(self) -> int:
        return int(self._lineart.shape[0])

    @property
    def path(self) -> Path | None:
        return self._path

    @path.setter
    def path(self, path: str | os.PathLike[str] | None) -> None:
        path = Path(path) if path is not None else None
        if path != self._path:
            self._path = path
            self.pathChanged.emit()

    @property
    def source_path(self) -> Path | None:
        return self._source_path

    @property
    def source_name(self) -> str | None:
        """File name of the picture the line art came from, if known."""
        return self._source_path.name if self._source_path is not None else self._source_name

    @property
    def modified(self) -> bool:
        return not self.undo_stack.isClean()

    @property
    def last_result(self) -> np.ndarray | None:
        """The latest preview, RGB uint8 (H, W, 3) at line-art size or at the size the network ran at
        (previews stay small; a project file holds it enlarged to line-art size), or None."""
        return self._last_result

    @last_result.setter
    def last_result(self, rgb: np.ndarray | None) -> None:
        if rgb is not None:
            height, width = self._lineart.shape
            if not is_preview(rgb, width, height):
                raise ValueError(f"a result must be uint8 RGB at {width}x{height} or a working size of it")
            rgb = np.array(rgb, copy=True)
            rgb.setflags(write=False)
        self._last_result = rgb

    def display_name(self) -> str:
        """The project's file name, else the source image's, else "Untitled"."""
        if self._path is not None:
            return self._path.name
        return self.source_name or UNTITLED

    def title(self) -> str:
        """Window title: ``display_name()`` with "*" appended when modified."""
        return self.display_name() + ("*" if self.modified else "")

    # ----------------------------------------------------------------------------------------------------
    # Undoable edits (each pushes one command; see commands.py for stroke merging)

    def new_stroke_id(self) -> int:
        """A fresh id for one drag: pass it with every paint/erase/move call of that drag.  A brush drag's
        hints carry it as their stroke id, unused by any hint the document holds or held."""
        self._last_stroke += 1
        return self._last_stroke

    def paint(self, hints: Sequence[Hint], stroke_id: int | None = None, text: str = "Paint") -> bool:
        """Append hints, as many as fit under the hint limit; False (and no undo step) when none do.

        With a ``stroke_id``, hints without a stroke id of their own join that stroke: one drag, one
        stroke.  A page over the limit could be saved but never opened again (the file formats refuse it).
        """
        if stroke_id is not None:
            hints = [h if h.stroke is not None else dataclasses.replace(h, stroke=stroke_id) for h in hints]
        room = max(0, hint_limits.MAX_HINTS - len(self._hints))
        if len(hints) > room:
            hints = hints[:room]
            self.hintLimitReached.emit(hint_limits.MAX_HINTS)
        if not hints:
            return False
        self.undo_stack.push(AddPatchesCommand(self, hints, text, stroke_id))
        return True

    def erase(self, indices: Sequence[int], stroke_id: int | None = None, text: str = "Erase") -> bool:
        """Remove the hints at ``indices`` (from ``hints_under``); False (no undo step) when there are none.

        Pushing nothing matters: any push discards the redo history, even of a command that does nothing.
        """
        if not indices:
            return False
        self.undo_stack.push(EraseCommand(self, indices, text, stroke_id))
        return True

    def move_stroke(self, index: int, dx: int, dy: int, stroke_id: int | None = None) -> bool:
        """Shift the whole stroke of hint ``index`` by (dx, dy), held so every dab stays whole inside the
        picture (the stroke keeps its shape); False if it did not move (then no undo step)."""
        indices = stroke_indices(self._hints, index)
        members = [self._hints.hints[i] for i in indices]
        low_x, low_y = min(h.x for h in members), min(h.y for h in members)
        high_x = max(h.x + min(h.size, self.width) for h in members)
        high_y = max(h.y + min(h.size, self.height) for h in members)
        dx = min(max(-low_x, dx), self.width - high_x)
        dy = min(max(-low_y, dy), self.height - high_y)
        if (dx, dy) == (0, 0):
            return False
        self.undo_stack.push(MoveStrokeCommand(self, indices, dx, dy, stroke_id))
        return True

    def erase_strokes(self, indices: Sequence[int], stroke_id: int | None = None) -> bool:
        """Remove the whole strokes the hints at ``indices`` belong to (an eraser click); False if none."""
        if not indices:
            return False
        ids = {self._hints.hints[i].stroke for i in indices} - {None}
        whole = set(indices) | {i for i, h in enumerate(self._hints.hints) if h.stroke in ids}
        return self.erase(sorted(whole), stroke_id, "Erase stroke" if len(ids) <= 1 else "Erase strokes")

    def recolour_stroke(self, index: int, colour: Colour) -> int:
        """Give every hint of the stroke of hint ``index`` the colour ``colour``, as one undo step;
        returns how many hints changed."""
        colour = (int(colour[0]), int(colour[1]), int(colour[2]))
        indices = [i for i in stroke_indices(self._hints, index) if self._hints.hints[i].color != colour]
        if not indices:
            return 0
        hints = list(self._hints.hints)
        for i in indices:
            hints[i] = dataclasses.replace(hints[i], color=colour)
        self.undo_stack.push(ReplaceHintsCommand(self, self._hints.with_hints(hints), "Recolour stroke"))
        return len(indices)

    def set_hints(self, layer: HintLayer, text: str = "Import hints") -> None:
        """Replace all hints (import); ``layer`` must be at line-art size (``load_hints`` gives that)."""
        self._last_stroke = max(self._last_stroke, last_stroke_id(layer))
        self.undo_stack.push(ReplaceHintsCommand(self, layer, text))

    def colour_counts(self) -> Counter[Colour]:
        """How many hints each colour has: the palette's counts, the status bar's colours."""
        return Counter(hint.color for hint in self._hints.hints)

    def count_colour(self, colour: Colour) -> int:
        return sum(hint.color == colour for hint in self._hints.hints)

    def recolour_hints(self, old: Colour, new: Colour) -> int:
        """Give every hint of colour ``old`` the colour ``new``, as one undo step; returns how many changed.

        Try another palette without repainting: the hints keep their places, sizes and stacking order.
        """
        count = self.count_colour(old)
        if not count or tuple(old) == tuple(new):
            return 0
        hints = [dataclasses.replace(h, color=new) if h.color == old else h for h in self._hints.hints]
        text = f"Recolour {count} hint{'s' if count > 1 else ''}"
        self.undo_stack.push(ReplaceHintsCommand(self, self._hints.with_hints(hints), text))
        return count

    def clear_hints(self) -> bool:
        if not len(self._hints):
            return False
        self.undo_stack.push(ClearHintsCommand(self))
        return True

    def set_lineart(
        self,
        lineart: np.ndarray,
        source_path: str | os.PathLike[str] | None = None,
        text: str = "Replace line art",
    ) -> None:
        """Replace the line art, keeping the hints (rescaled to the new size); undoable.

        The shading of a recoloured picture stays when the new line art has its size, and goes (until
        undone) when it has another: see ReplaceLineartCommand."""
        frozen = _frozen_lineart(lineart)
        path = Path(source_path) if source_path is not None else None
        self.undo_stack.push(ReplaceLineartCommand(self, frozen, path, text))

    # ----------------------------------------------------------------------------------------------------
    # For commands only: apply a state without touching the undo stack

    def assign_hints(self, layer: HintLayer) -> None:
        self._check_hint_size(layer)
        self._hints = layer
        self.hintsChanged.emit()

    def assign_lineart(
        self,
        lineart: np.ndarray,
        hints: HintLayer,
        source_path: Path | None,
        last_result: np.ndarray | None,
        shading: np.ndarray | None,
    ) -> None:
        self._lineart = _frozen_lineart(lineart) if lineart.flags.writeable else lineart
        self._shading = _checked_shading(shading, self._lineart)
        self._source_path = source_path
        self._hints = hints
        self._check_hint_size(hints)
        self.last_result = last_result
        self.lineartChanged.emit()
        self.hintsChanged.emit()

    # ----------------------------------------------------------------------------------------------------

    def _check_hint_size(self, layer: HintLayer) -> None:
        if (layer.width, layer.height) != (self.width, self.height):
            raise ValueError(
                f"hints are for a {layer.width}x{layer.height} image, the line art is "
                f"{self.width}x{self.height}"
            )

    def _on_clean_changed(self, clean: bool) -> None:
        self.modifiedChanged.emit(not clean)


__all__ = ["UNTITLED", "Document"]
