"""Exports from the open picture: rendered at full resolution by the worker, written on a job.

Neither the network nor the compositing and encoding of a page-sized PNG, OpenRaster or Photoshop file
(or the clipboard's picture) runs on the GUI thread: the writing goes to the "export" lane of the app's
jobs (app/jobs.py), which writes one file at a time and finishes them when the app quits.

Every export asked for is kept with the line art and hints it was asked for, so two in a row
are both written, each to its own file, in order, even if the picture changes meanwhile.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QGuiApplication, QImage

from linetint.imaging.recolour import flattened
from linetint.model.hints import HintFormatError, HintLayer

from .colour_modes import FREE_HINTS, HintColours
from .export import export_picture
from .jobs import Jobs, explain
from .qt_images import rgb_to_qimage
from .worker import PreviewEngine, PreviewResult

EXPORT_MAX_SIDE = 2048  # the network's largest working size for an export (memory; docs/performance.md)


@dataclass(frozen=True)
class ExportJob:
    path: Path | None  # None: to the clipboard
    kind: str  # "png", "ora", "psd" or "clipboard"
    multiply_lines: bool
    lineart: np.ndarray  # as the picture was when the export was asked for
    hints: HintLayer
    shading: np.ndarray | None = None  # a recoloured picture's grey: its light and shade are kept


class Exporter(QObject):
    """`export()` starts one; `written(text)` or `failed(message)` says how it ended (on the GUI thread)."""

    written = Signal(str)  # what was done, for the status bar: "Exported name (WxH)", "Copied the picture …"
    failed = Signal(str)
    settled = Signal()  # nothing is left to render or write

    def __init__(self, engine: PreviewEngine, jobs: Jobs, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._engine = engine
        self._background = jobs
        self._jobs: dict[int, ExportJob] = {}  # by the render request's serial
        self._writing = 0  # files handed to the export lane and not yet reported
        self._closed = False
        engine.renderReady.connect(self._rendered)
        engine.renderFailed.connect(self._render_failed)

    @property
    def pending(self) -> int:
        """Exports asked for and not yet written (or failed): quitting now would lose them."""
        return len(self._jobs) + self._writing

    def export(self, job: ExportJob, flat: bool, hint_colours: HintColours = FREE_HINTS) -> None:
        height, width = job.lineart.shape
        side = min(EXPORT_MAX_SIDE, max(width, height))
        self._jobs[self._engine.render_full(job.lineart, job.hints, side, flat, hint_colours)] = job

    def forget(self) -> None:
        """Another picture was opened: the engine drops the old one's renders, and so do we."""
        self._jobs.clear()
        self._settle()

    def shutdown(self) -> None:
        """Renders arriving later are dropped (the window waits for `pending` to reach 0 before it gets
        here, unless the user chose to quit); files being written are finished by the jobs' shutdown."""
        self._closed = True
        self._jobs.clear()

    def _rendered(self, result: PreviewResult) -> None:
        job = self._jobs.pop(result.serial, None)
        if job is None or self._closed:
            return
        height, width = job.lineart.shape
        self._writing += 1
        if job.kind == "clipboard":
            self._background.run(
                lambda: rgb_to_qimage(flattened(job.lineart, result.colour, job.shading, job.multiply_lines)),
                lambda image: self._copied(image, f"Copied the picture ({width}x{height})"),
                lambda exc: self._finished("", f"Copying the picture failed: {type(exc).__name__}: {exc}"),
                text="Copying the picture…",
                lane="export",
            )
            return
        name = job.path.name if job.path is not None else "the picture"
        self._background.run(
            lambda: self._write(job, result),
            lambda _: self._finished(f"Exported {name} ({width}x{height})", ""),
            lambda exc: self._finished("", self._why(name, exc)),
            text=f"Writing {name}…",
            lane="export",
            keep_on_quit=True,
        )

    def _copied(self, image: QImage, text: str) -> None:
        QGuiApplication.clipboard().setImage(image)  # the clipboard is the GUI thread's
        self._finished(text, "")

    def _render_failed(self, serial: int, message: str) -> None:
        """The model failed on an export's render: say so, and do not wait for a file that never comes."""
        job = self._jobs.pop(serial, None)
        if job is None:
            return
        what = job.path.name if job.path is not None else "the picture"
        self.failed.emit(f"LineTint could not render {what}: the model failed ({message})")
        self._settle()

    def _finished(self, text: str, error: str) -> None:
        self._writing -= 1
        if error:
            self.failed.emit(error)
        else:
            self.written.emit(text)
        self._settle()

    def _settle(self) -> None:
        if self.pending == 0:
            self.settled.emit()

    @staticmethod
    def _write(job: ExportJob, result: PreviewResult) -> None:
        assert job.path is not None  # only the clipboard has none
        export_picture(
            job.kind,
            job.lineart,
            result.rgb,
            job.hints,
            job.path,
            result.flat,
            result.kept,
            job.multiply_lines,
            job.shading,
        )

    @staticmethod
    def _why(name: str, exc: BaseException) -> str:
        return f"LineTint could not write {name}:\n{explain(exc, OSError, ValueError, HintFormatError)}"
