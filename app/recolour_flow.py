"""Edit ▸ Recolour Hints: every hint of one colour takes a colour chosen in a dialog. The canvas and the
preview show each colour as it is chosen (a trial layer, never the document's), OK makes it one undo step,
Cancel shows the hints as they were."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from PySide6.QtGui import QColor
from PySide6.QtWidgets import QDialog, QWidget

from linetint.model.hints import HintLayer

from .canvas import HintCanvas
from .colour_panel import ColourPanel
from .document import Document
from .recolour_dialog import RecolourDialog


def _rgb(colour: QColor) -> tuple[int, int, int]:
    return colour.red(), colour.green(), colour.blue()


class RecolourFlow:
    """`request_preview(layer)` previews the document with `layer` in place of its hints (None: its own)."""

    def __init__(
        self,
        parent: QWidget,
        document: Callable[[], Document | None],
        canvas: HintCanvas,
        colours: ColourPanel,
        request_preview: Callable[[HintLayer | None], None],
        say: Callable[[str, int], None],
    ) -> None:
        self._parent, self._document, self._canvas, self._colours = parent, document, canvas, colours
        self._request_preview, self._say = request_preview, say
        self.dialog: RecolourDialog | None = None  # the recolour being previewed

    def start(self, colour: QColor | None = None) -> RecolourDialog | None:
        """Recolour every hint of `colour` (default: the brush colour)."""
        doc = self._document()
        if doc is None:
            return None
        old = QColor(colour) if colour is not None else self._colours.colour
        count = doc.count_colour(_rgb(old))
        if not count:
            self._say(f"No hint has the colour {old.name()}; Alt+click a hint to take its colour first", 6000)
            return None
        self.drop()
        dialog = self.dialog = RecolourDialog(old, count, self._parent)
        dialog.previewChanged.connect(lambda new: self._preview(doc, old, new))
        dialog.finished.connect(lambda code: self._finish(dialog, doc, code))
        dialog.open()
        return dialog

    def drop(self) -> None:
        """Cancel the recolour being previewed (its trial colours belong to a document going away)."""
        if self.dialog is not None:
            self.dialog.reject()

    def _preview(self, doc: Document, old: QColor, new: QColor) -> None:
        if doc is not self._document():
            return
        old_rgb, new_rgb = _rgb(old), _rgb(new)
        trial = doc.hints.with_hints(
            replace(h, color=new_rgb) if h.color == old_rgb else h for h in doc.hints.hints
        )
        self._canvas.set_hints(trial)  # counting hints: cheap; the picture itself is the worker's
        self._request_preview(trial)

    def _finish(self, dialog: RecolourDialog, doc: Document, code: int) -> None:
        dialog.deleteLater()
        if self.dialog is dialog:
            self.dialog = None
        if doc is not self._document():
            return
        old, new = dialog.old, dialog.colour
        changed = doc.recolour_hints(_rgb(old), _rgb(new)) if code == QDialog.DialogCode.Accepted else 0
        if not changed:  # cancelled, or OK on the same colour: the canvas showed a trial, put it back
            self._canvas.set_hints(doc.hints)
            self._request_preview(None)
            return
        self._colours.set_colour(new)  # painting on continues in the new colour
        self._colours.remember(new)
        self._colours.forget(old)  # no hint has it now: it would only linger among the recent colours
        plural = "s" if changed > 1 else ""
        self._say(f"Recoloured {changed} hint{plural}: {old.name()} → {new.name()}", 5000)
