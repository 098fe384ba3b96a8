"""Exports from the open picture: rendered at full resolution by the worker, written by a writer thread.

Neither the network nor the encoding of a page-sized PNG, OpenRaster or Photoshop file runs on the GUI
thread. Every export asked for is kept with the line art and hints it was asked for, so two in a row
are both written, each to its own file, in order, even if the picture changes meanwhile.
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QGuiApplication

from linetint.imaging.compose import compose
from linetint.model.hints import HintFormatError, HintLayer

from .colour_modes import FREE_HINTS, HintColours
from .export import LAYERED_EXPORTS, export_png
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


class Exporter(QObject):
    """`export()` starts one; `written(text)` or `failed(message)` says how it ended (on the GUI thread)."""

    written = Signal(str)  # what was done, for the status bar: "Exported name (WxH)", "Copied the picture …"
    failed = Signal(str)
    settled = Signal()  # nothing is left to render or write
    _outcome = Signal(str, str)  # from the writer thread: text written, or "" and why not

    def __init__(self, engine: PreviewEngine, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._engine = engine
        self._jobs: dict[int, ExportJob] = {}  # by the render request's serial
        self._writing = 0  # files handed to the writer thread and not yet reported
        self._closed = False
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="linetint-export")
        engine.renderReady.connect(self._rendered)
        engine.renderFailed.connect(self._render_failed)
        self._outcome.connect(self._finished)

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
        """Wait for a file being written: it is finished, not cut off. Renders arriving later are dropped
        (the window waits for `pending` to reach 0 before it gets here, unless the user chose to quit)."""
        self._closed = True
        self._jobs.clear()
        self._pool.shutdown(wait=True)

    def _rendered(self, result: PreviewResult) -> None:
        job = self._jobs.pop(result.serial, None)
        if job is None or self._closed:
            return
        height, width = job.lineart.shape
        if job.kind == "clipboard":
            picture = compose(job.lineart, result.colour, job.multiply_lines)
            QGuiApplication.clipboard().setImage(rgb_to_qimage(picture))
            self.written.emit(f"Copied the picture ({width}x{height})")
            self._settle()
            return
        self._writing += 1
        future = self._pool.submit(self._write, job, result)
        text = f"Exported {job.path.name} ({width}x{height})"
        future.add_done_callback(lambda done: self._report(done, job, text))

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
        if job.kind == "png":
            export_png(job.lineart, result.colour, job.path, multiply_lines=job.multiply_lines)
        else:
            write = LAYERED_EXPORTS[job.kind]
            write(job.lineart, result.rgb, job.hints, job.path, result.flat, result.kept)

    def _report(self, future: Future, job: ExportJob, text: str) -> None:
        exc = future.exception()  # on the writer thread: the outcome goes to the GUI thread by signal
        if exc is None:
            self._outcome.emit(text, "")
        elif isinstance(exc, (OSError, ValueError, HintFormatError)):
            self._outcome.emit("", f"LineTint could not write {job.path.name}:\n{exc}")
        else:
            self._outcome.emit("", f"Writing {job.path.name} failed: {type(exc).__name__}: {exc}")
