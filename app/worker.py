"""The background colorizer: the GUI thread never runs the model.

One `ColorizeWorker` lives in its own QThread. `submit()` may be called from the GUI thread at any rate:
a request replaces any request still waiting (latest wins, at most one queued), the running one finishes.
The GUI shows a result only if it is newer than the one on screen (so colour follows a long drag instead
of freezing until the hand stops) and drops every result of a document that is no longer open.
"""

from __future__ import annotations

import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np
from PySide6.QtCore import QObject, QThread, Signal, Slot

from linetint.model.colorizer import ModelInfo, load_colorizer
from linetint.model.hints import HintLayer


class ColorizerLike(Protocol):
    info: ModelInfo

    def colorize(self, lineart: np.ndarray, hints: HintLayer, max_side: int) -> np.ndarray: ...

    def to(self, device: str) -> ColorizerLike: ...


@dataclass(frozen=True)
class ModelChoice:
    checkpoint: Path | None = None  # None: the shipped model
    device: str = "auto"


@dataclass(frozen=True)
class PreviewRequest:
    serial: int  # increases with every edit; results carry it back so stale ones can be dropped
    lineart: np.ndarray  # never mutated after it is handed over
    hints: HintLayer  # immutable
    max_side: int
    full_render: bool = False  # an export: never replaced by a later preview request


@dataclass(frozen=True)
class PreviewResult:
    serial: int
    rgb: np.ndarray
    seconds: float
    info: ModelInfo
    full_render: bool = False


Loader = Callable[[ModelChoice], ColorizerLike]


def default_loader(choice: ModelChoice) -> ColorizerLike:
    return load_colorizer(choice.checkpoint, choice.device)


def _is_out_of_memory(exc: BaseException) -> bool:
    return isinstance(exc, MemoryError) or "out of memory" in str(exc).lower()


class ColorizeWorker(QObject):
    """Runs in the worker thread; talk to it only through `submit`, `load_model` and its signals."""

    resultReady = Signal(object)  # PreviewResult
    runFailed = Signal(int, str)  # serial, message
    modelLoaded = Signal(object)  # ModelInfo
    modelFailed = Signal(str)
    deviceFellBack = Signal(str)
    busyChanged = Signal(bool)
    _wake = Signal()
    _load = Signal(object)

    def __init__(self, loader: Loader = default_loader) -> None:
        super().__init__()
        self._loader = loader
        self._colorizer: ColorizerLike | None = None
        self._lock = threading.Lock()
        self._pending: PreviewRequest | None = None
        self._pending_render: PreviewRequest | None = None
        self._wake.connect(self._drain)
        self._load.connect(self._do_load)
        self.runs = 0  # model runs done, for the app's diagnostics and tests

    # --- called from the GUI thread -------------------------------------------------------------------
    def submit(self, request: PreviewRequest) -> None:
        with self._lock:
            if request.full_render:
                self._pending_render = request
            else:
                self._pending = request
        self._wake.emit()

    def load_model(self, choice: ModelChoice) -> None:
        self._load.emit(choice)

    # --- worker thread ---
    @Slot(object)
    def _do_load(self, choice: ModelChoice) -> None:
        try:
            self._colorizer = self._loader(choice)
        except Exception as exc:  # a bad checkpoint must not take the app down
            self.modelFailed.emit(str(exc) or type(exc).__name__)
            return
        self.modelLoaded.emit(self._colorizer.info)
        self._drain()

    @Slot()
    def _drain(self) -> None:
        while self._colorizer is not None:
            with self._lock:
                if self._pending_render is not None:
                    request, self._pending_render = self._pending_render, None
                else:
                    request, self._pending = self._pending, None
            if request is None:
                return
            self.busyChanged.emit(True)
            try:
                self._run(request)
            finally:
                self.busyChanged.emit(False)

    def _run(self, request: PreviewRequest) -> None:
        assert self._colorizer is not None
        start = time.perf_counter()
        try:
            rgb = self._colorizer.colorize(request.lineart, request.hints, request.max_side)
        except Exception as exc:
            if not self._fall_back_to_cpu(exc):
                detail = traceback.format_exception_only(type(exc), exc)[-1].strip()
                self.runFailed.emit(request.serial, detail)
                return
            start = time.perf_counter()
            try:
                rgb = self._colorizer.colorize(request.lineart, request.hints, request.max_side)
            except Exception as retry_exc:
                self.runFailed.emit(request.serial, str(retry_exc) or type(retry_exc).__name__)
                return
        self.runs += 1
        seconds = time.perf_counter() - start
        self.resultReady.emit(
            PreviewResult(request.serial, rgb, seconds, self._colorizer.info, request.full_render)
        )

    def _fall_back_to_cpu(self, exc: Exception) -> bool:
        """After a GPU failure, keep working on the CPU rather than leave the user without a preview."""
        assert self._colorizer is not None
        if self._colorizer.info.device == "CPU":
            return False
        reason = "out of memory" if _is_out_of_memory(exc) else str(exc) or type(exc).__name__
        try:
            self._colorizer = self._colorizer.to("cpu")
        except Exception:
            return False
        self.deviceFellBack.emit(f"The GPU failed ({reason}); LineTint continues on the CPU.")
        return True


class PreviewEngine(QObject):
    """GUI-side owner of the worker thread: numbers requests and drops stale results."""

    # serials: every request gets the next one; `_shown` is on screen; `_floor` marks a document switch.

    previewReady = Signal(object)  # PreviewResult, only the newest
    renderReady = Signal(object)  # PreviewResult of `render_full`
    failed = Signal(str)
    modelLoaded = Signal(object)
    modelFailed = Signal(str)
    deviceFellBack = Signal(str)
    busyChanged = Signal(bool)

    def __init__(self, loader: Loader = default_loader, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._serial = self._shown = self._floor = self._latest_preview = 0
        self._thread = QThread()
        self._thread.setObjectName("linetint-colorizer")
        self.worker = ColorizeWorker(loader)
        self.worker.moveToThread(self._thread)
        self.worker.resultReady.connect(self._on_result)
        self.worker.runFailed.connect(self._on_failed)
        self.worker.modelLoaded.connect(self.modelLoaded)
        self.worker.modelFailed.connect(self.modelFailed)
        self.worker.deviceFellBack.connect(self.deviceFellBack)
        self.worker.busyChanged.connect(self.busyChanged)
        self._thread.start()

    @property
    def latest_serial(self) -> int:
        return self._serial

    def load_model(self, choice: ModelChoice) -> None:
        self.worker.load_model(choice)

    def request(self, lineart: np.ndarray, hints: HintLayer, max_side: int) -> int:
        self._serial += 1
        self._latest_preview = self._serial
        self.worker.submit(PreviewRequest(self._serial, lineart, hints, max_side))
        return self._serial

    @property
    def up_to_date(self) -> bool:
        """True when the newest request's result is on screen."""
        return self._shown >= self._latest_preview

    def render_full(self, lineart: np.ndarray, hints: HintLayer, max_side: int) -> int:
        """A run for export, at up to `max_side`; it waits for the running preview but is never dropped."""
        self._serial += 1
        self.worker.submit(PreviewRequest(self._serial, lineart, hints, max_side, full_render=True))
        return self._serial

    def invalidate(self) -> None:
        """Forget outstanding requests (another document): their results will be dropped."""
        self._serial += 1
        self._floor = self._shown = self._latest_preview = self._serial

    def shutdown(self) -> None:
        self._thread.quit()
        self._thread.wait()

    @Slot(object)
    def _on_result(self, result: PreviewResult) -> None:
        if result.full_render:
            if result.serial > self._floor:
                self.renderReady.emit(result)
            return
        if result.serial > max(self._shown, self._floor):
            self._shown = result.serial
            self.previewReady.emit(result)

    @Slot(int, str)
    def _on_failed(self, serial: int, message: str) -> None:
        if serial > self._floor:
            self.failed.emit(message)
