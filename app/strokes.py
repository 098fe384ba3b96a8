"""The canvas's presses, drags and releases turned into document edits, for the tool in hand.

A stroke is one object. A brush drag lays patches along the way, and they all carry the drag's stroke id
(``Document.new_stroke_id``), so the drag is one stroke and one undo step. The move tool drags the whole
stroke under the press. The eraser follows what a painter expects of both kinds of eraser: a click (a
press that does not travel past Qt's drag distance) removes the whole strokes under the eraser square,
and a drag erases only the dabs it passes over, as a pixel eraser would. Right-click on a stroke offers to
recolour it with the brush colour, take its colour, or erase it. Every drag or click is one undo step.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QPoint, QPointF, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication, QMenu

from linetint.model.hints import Hint, stroke_indices

from .brush import hint_at, hints_under, hints_under_stroke, patch_at, square_at, stroke_patches
from .canvas import HintCanvas, Tool
from .colour_panel import ColourPanel
from .document import Document


class Strokes(QObject):
    """Connected to the canvas's stroke signals; `document()` gives the open picture (or None)."""

    colourPicked = Signal(QColor)  # what the eyedropper took

    def __init__(
        self,
        document: Callable[[], Document | None],
        canvas: HintCanvas,
        colours: ColourPanel,
        say: Callable[[str, int], None],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._document, self._canvas, self._colours, self._say = document, canvas, colours, say
        self._stroke_id: int | None = None
        self._last_patch: Hint | None = None  # the brush's last patch, so a drag does not lay one twice
        self._grabbed: tuple[int, float, float] | None = None  # move tool: hint index, grip offset
        self._press: QPointF | None = None  # eraser: where it was pressed, until the drag travels
        canvas.set_brush_rule(self.brush_square)
        canvas.strokeBegan.connect(self.began)
        canvas.strokeMoved.connect(self.moved)
        canvas.strokeEnded.connect(self.ended)
        canvas.colourPicked.connect(self.pick)
        canvas.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        canvas.customContextMenuRequested.connect(self._show_menu)

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
        self._stroke_id, self._last_patch, self._press = doc.new_stroke_id(), None, None
        if self._canvas.tool is Tool.ERASER:
            self._press = QPointF(pos)  # a click or a drag: the release or the travel tells
        elif self._canvas.tool is Tool.MOVE:
            self._grab(doc, pos)
        else:
            size = self._colours.brush_size
            patch = patch_at(pos.x(), pos.y(), size, self._colour(), doc.width, doc.height)
            if patch is not None:
                doc.paint([patch], stroke_id=self._stroke_id)
                self._last_patch = patch
                self._colours.remember(self._colours.colour)

    def moved(self, p0: QPointF, p1: QPointF) -> None:
        doc = self._document()
        if doc is None or self._stroke_id is None:
            return
        a, b = (p0.x(), p0.y()), (p1.x(), p1.y())
        if self._canvas.tool is Tool.ERASER:
            if self._press is not None:  # still a click, unless the pointer has now travelled
                travel = (p1 - self._press) * self._canvas.zoom
                if max(abs(travel.x()), abs(travel.y())) < QApplication.startDragDistance():
                    return
                a, self._press = (self._press.x(), self._press.y()), None
            self._erase(doc, a, b)
        elif self._canvas.tool is Tool.MOVE:
            if self._grabbed is not None:
                index, dx, dy = self._grabbed
                hint = doc.hints.hints[index]
                shift = round(p1.x() + dx) - hint.x, round(p1.y() + dy) - hint.y
                doc.move_stroke(index, *shift, self._stroke_id)
        else:
            patches = stroke_patches(a, b, self._colours.brush_size, self._colour(), doc.width, doc.height,
                                     previous=self._last_patch)  # fmt: skip
            if patches:
                doc.paint(patches, stroke_id=self._stroke_id)
                self._last_patch = patches[-1]

    def ended(self) -> None:
        doc = self._document()
        if doc is not None and self._press is not None and self._canvas.tool is Tool.ERASER:
            self._erase_click(doc, self._press)
        self._stroke_id, self._last_patch, self._grabbed, self._press = None, None, None, None

    def _colour(self) -> tuple[int, int, int]:
        colour = self._colours.colour
        return colour.red(), colour.green(), colour.blue()

    def _erase(self, doc: Document, a: tuple[float, float], b: tuple[float, float]) -> None:
        indices = hints_under_stroke(doc.hints, a, b, self._colours.brush_size)
        if indices:
            doc.erase(indices, stroke_id=self._stroke_id)

    def _erase_click(self, doc: Document, pos: QPointF) -> None:
        """A click with the eraser: the whole strokes the eraser square touches."""
        corner = square_at(pos.x(), pos.y(), self._colours.brush_size, doc.width, doc.height)
        if corner is not None:
            doc.erase_strokes(hints_under(doc.hints, *corner, self._colours.brush_size), self._stroke_id)

    def _grab(self, doc: Document, pos: QPointF) -> None:
        """Hold the topmost stroke under the pointer, and where the pointer holds it, for the drag."""
        self._grabbed = None
        if not self._canvas.show_hints:
            self._say("The hints are hidden: show them (H) to move one", 3000)
            return
        index = self._canvas.hint_under_pointer(pos)
        if index is None:
            self._say("No hint here to move", 2000)
            return
        hint = doc.hints.hints[index]
        self._grabbed = (index, hint.x - pos.x(), hint.y - pos.y())

    def pick(self, pos: QPointF) -> None:
        """The eyedropper at image point `pos`: the colour under the lines where the canvas shows it there
        (flats too), else the shown hint's, else the line art's grey."""
        doc = self._document()
        x, y = int(pos.x()), int(pos.y())
        if doc is None or not (0 <= x < doc.width and 0 <= y < doc.height):
            return
        shown = self._canvas.preview_rgb
        if self._canvas.show_preview_under and shown is not None:
            row, column = y * shown.shape[0] // doc.height, x * shown.shape[1] // doc.width  # small previews
            self.colourPicked.emit(QColor(*(int(c) for c in shown[row, column])))
            return
        under = hint_at(doc.hints, x, y) if self._canvas.show_hints else None
        grey = int(doc.lineart[y, x])
        self.colourPicked.emit(
            QColor(*doc.hints.hints[under].color) if under is not None else QColor(grey, grey, grey)
        )

    # --- right-click on a stroke ---
    def stroke_menu(self, pos: QPointF) -> QMenu | None:
        """What can be done to the stroke under image point `pos`: a menu, not yet shown; None when no
        (visible) hint is there."""
        doc = self._document()
        index = None if doc is None else self._canvas.hint_under_pointer(pos)
        if doc is None or index is None:
            return None
        hint, count = doc.hints.hints[index], len(stroke_indices(doc.hints, index))
        brush = self._colours.colour
        dabs = f"{count} dab{'s' if count != 1 else ''}"
        menu = QMenu(self._canvas)
        menu.addSection(f"Stroke of {dabs}, {hint.hex}")
        recolour = menu.addAction(f"Recolour Stroke to the Brush Colour ({brush.name()})")
        recolour.triggered.connect(lambda: self.recolour_stroke(index))
        recolour.setEnabled(tuple(hint.color) != self._colour())
        menu.addAction("Take the Stroke's Colour", lambda: self._colours.set_colour(QColor(*hint.color)))
        menu.addAction("Erase Stroke", lambda: doc.erase_strokes([index]))
        return menu

    def recolour_stroke(self, index: int) -> None:
        doc = self._document()
        if doc is not None and doc.recolour_stroke(index, self._colour()):
            self._colours.remember(self._colours.colour)
            self._say(f"Recoloured the stroke {self._colours.colour.name()} (Ctrl+Z to undo)", 4000)

    def _show_menu(self, where: QPoint) -> None:
        menu = self.stroke_menu(self._canvas.image_pos(QPointF(where)))
        if menu is not None:
            menu.exec(self._canvas.mapToGlobal(where))
            menu.deleteLater()
