"""The canvas's presses, drags and releases turned into document edits, for the tool in hand.

Brush: a patch under the press, then patches along the drag; eraser: the hints the square passes over;
move: the topmost hint under the press follows the pointer. Every drag is one undo step (one stroke id).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QPointF

from .canvas import HintCanvas, Tool
from .color_panel import ColorPanel
from .commands import hint_at, hints_under_stroke, patch_at, square_at, stroke_patches
from .document import Document


class Strokes(QObject):
    """Connected to the canvas's stroke signals; `document()` gives the open picture (or None)."""

    def __init__(
        self,
        document: Callable[[], Document | None],
        canvas: HintCanvas,
        colors: ColorPanel,
        say: Callable[[str, int], None],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._document, self._canvas, self._colors, self._say = document, canvas, colors, say
        self._stroke_id: int | None = None
        self._last_patch = None  # the brush's last patch, so a drag does not lay one twice
        self._grabbed: tuple[int, float, float] | None = None  # move tool: hint index, grip offset
        canvas.set_brush_rule(self.brush_square)
        canvas.strokeBegan.connect(self.began)
        canvas.strokeMoved.connect(self.moved)
        canvas.strokeEnded.connect(self.ended)

    def brush_square(self, x: float, y: float, size: int) -> tuple[int, int, int] | None:
        """The patch a click at image (x, y) lays: (left, top, size), for the canvas's cursor."""
        doc = self._document()
        if doc is None:
            return None
        corner = square_at(x, y, size, doc.width, doc.height)
        return None if corner is None else (corner[0], corner[1], size)

    def began(self, pos: QPointF) -> None:
        doc = self._document()
        if doc is None:
            return
        self._stroke_id, self._last_patch = doc.new_stroke_id(), None
        if self._canvas.tool is Tool.ERASER:
            self._erase(doc, (pos.x(), pos.y()), (pos.x(), pos.y()))
        elif self._canvas.tool is Tool.MOVE:
            self._grab(doc, pos)
        else:
            patch = patch_at(pos.x(), pos.y(), self._colors.size, self._colour(), doc.width, doc.height)
            if patch is not None:
                doc.paint([patch], stroke_id=self._stroke_id)
                self._last_patch = patch
                self._colors.remember(self._colors.color)

    def moved(self, p0: QPointF, p1: QPointF) -> None:
        doc = self._document()
        if doc is None or self._stroke_id is None:
            return
        a, b = (p0.x(), p0.y()), (p1.x(), p1.y())
        if self._canvas.tool is Tool.ERASER:
            self._erase(doc, a, b)
        elif self._canvas.tool is Tool.MOVE:
            if self._grabbed is not None:
                index, dx, dy = self._grabbed
                doc.move_hint(index, round(p1.x() + dx), round(p1.y() + dy), self._stroke_id)
        else:
            patches = stroke_patches(a, b, self._colors.size, self._colour(), doc.width, doc.height,
                                     previous=self._last_patch)  # fmt: skip
            if patches:
                doc.paint(patches, stroke_id=self._stroke_id)
                self._last_patch = patches[-1]

    def ended(self) -> None:
        self._stroke_id, self._last_patch, self._grabbed = None, None, None

    def _colour(self) -> tuple[int, int, int]:
        colour = self._colors.color
        return colour.red(), colour.green(), colour.blue()

    def _erase(self, doc: Document, a: tuple[float, float], b: tuple[float, float]) -> None:
        indices = hints_under_stroke(doc.hints, a, b, self._colors.size)
        if indices:
            doc.erase(indices, stroke_id=self._stroke_id)

    def _grab(self, doc: Document, pos: QPointF) -> None:
        """Hold the topmost hint under the pointer, and where the pointer holds it, for the drag."""
        self._grabbed = None
        if not self._canvas.show_hints:
            self._say("The hints are hidden: show them (H) to move one", 3000)
            return
        index = hint_at(doc.hints, pos.x(), pos.y())
        if index is None:
            self._say("No hint here to move", 2000)
            return
        hint = doc.hints.hints[index]
        self._grabbed = (index, hint.x - pos.x(), hint.y - pos.y())
