"""File ▸ Export Image / OpenRaster / Photoshop / Hint Layer and Edit ▸ Copy Image: where to (a dialog),
with which choices (the View modes, Line Art Over Colour on Export), handed to the `Exporter`
(app/exporting.py) that renders and writes them off the GUI thread — and a close that waits for them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMessageBox, QWidget

from linetint.model.hints import HintFormatError, HintLayer, save_hints

from .document import Document
from .exporting import Exporter, ExportJob
from .file_dialogs import FileDialogs
from .jobs import Jobs, explain
from .modes_controller import Modes
from .worker import PreviewEngine

EXPORT_KINDS = {  # kind: dialog title, default name after the picture's stem, file filter
    "png": ("Export Image", "-colored.png", "PNG image (*.png)"),
    "ora": ("Export OpenRaster", ".ora", "OpenRaster (*.ora)"),
    "psd": ("Export Photoshop", ".psd", "Photoshop (*.psd)"),
}
HINT_FILTER = "Hint file (*.json);;Transparent PNG layer (*.png)"


class Exports:
    """`lines_over`: File ▸ Line Art Over Colour on Export; `close()` closes the window (after exports)."""

    def __init__(
        self,
        parent: QWidget,
        document: Callable[[], Document | None],
        engine: PreviewEngine,
        jobs: Jobs,
        dialogs: FileDialogs,
        modes: Modes,
        lines_over: QAction,
        say: Callable[[str, int], None],
        close: Callable[[], object],
    ) -> None:
        self._parent, self._document, self._jobs, self._dialogs = parent, document, jobs, dialogs
        self._modes, self._lines_over, self._say, self._close = modes, lines_over, say, close
        self.exporter = Exporter(engine, jobs, parent)
        self.exporter.written.connect(lambda text: say(text, 5000))
        self.exporter.failed.connect(lambda message: QMessageBox.warning(parent, "Cannot write", message))
        self._quit_after_exports = False  # a close is waiting for exports asked for before it

    def export_dialog(self, kind: str) -> None:
        """Ask where, then export: a PNG, or the layers as OpenRaster (Krita, GIMP) or Photoshop (Clip
        Studio Paint, Photoshop, Affinity, Procreate)."""
        doc = self._document()
        if doc is None:
            return
        title, suffix, name_filter = EXPORT_KINDS[kind]
        stem = Path(doc.source_name or "untitled").stem
        answer = self._dialogs.save_file(self._parent, title, stem + suffix, name_filter)
        if answer:
            path = answer[0] if answer[0].suffix.lower() == f".{kind}" else Path(f"{answer[0]}.{kind}")
            self.export(path, kind, self._lines_over.isChecked() if kind == "png" else True)

    def copy_image(self) -> None:
        """The exported picture (full resolution, lines as on export) onto the clipboard, for pasting into
        a painting program."""
        if self._document() is not None:
            self.export(None, "clipboard", self._lines_over.isChecked())

    def export(self, path: Path | None, kind: str, multiply_lines: bool = True) -> None:
        """Render at full resolution in the worker, then write; the window stays usable meanwhile."""
        doc = self._document()
        if doc is None:
            return
        self._say(f"Rendering {path.name if path else 'the picture'} at full resolution…", 0)
        job = ExportJob(path, kind, multiply_lines, doc.lineart, doc.hints, doc.shading)
        self.exporter.export(job, self._modes.flats(), self._modes.hint_colours())

    def export_hints_dialog(self) -> None:
        doc = self._document()
        if doc is None:
            return
        answer = self._dialogs.save_file(self._parent, "Export Hint Layer", "hints.json", HINT_FILTER)
        if answer:
            path, chosen = answer
            if path.suffix.lower() not in (".json", ".png"):
                path = path.with_suffix(".png" if "png" in chosen else ".json")
            self.write_hints(doc.hints, path)

    def write_hints(self, hints: HintLayer, path: Path) -> None:
        """A hint layer written on a job (a PNG layer is a page of pixels to encode)."""
        self._jobs.run(
            lambda: save_hints(hints, path),
            lambda _: self._say(f"Exported the hints to {path.name}", 4000),
            lambda exc: self._write_failed(path, exc),
            text=f"Writing {path.name}…",
            lane="export",
            keep_on_quit=True,
        )

    def _write_failed(self, path: Path, exc: BaseException) -> None:
        why = explain(exc, OSError, ValueError, HintFormatError)
        QMessageBox.warning(self._parent, "Cannot write", f"LineTint could not write {path.name}:\n{why}")

    def may_close(self) -> bool:
        """Exports asked for are never dropped silently: the first close waits for them and closes when
        they are written; closing again while they run asks whether to quit without them."""
        if not self.exporter.pending:
            return True
        if not self._quit_after_exports:
            self._quit_after_exports = True
            self.exporter.settled.connect(self._close_after_exports)
            self._show_exports_left()
            self.exporter.written.connect(self._show_exports_left)
            return False
        answer = QMessageBox.question(
            self._parent,
            "Exports not written yet",
            f"{self.exporter.pending} export(s) are still being written. Quit without them?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        )
        return answer == QMessageBox.StandardButton.Yes

    def _show_exports_left(self) -> None:
        if self.exporter.pending:
            self._say(f"Writing {self.exporter.pending} export(s) before quitting…", 0)

    def _close_after_exports(self) -> None:
        self.exporter.settled.disconnect(self._close_after_exports)
        self.exporter.written.disconnect(self._show_exports_left)
        self._quit_after_exports = False
        self._close()
