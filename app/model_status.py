"""The model as the user sees it: which one is loaded (from the settings' choice, the default one when that
fails), on what device, how long a preview took, the busy bar while the model or a job runs, and what is
said when the model fails — once per failure, not once per dab of a drag."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QLabel, QMessageBox, QProgressBar, QStatusBar, QWidget

from linetint.model.colorizer import ModelInfo

from .jobs import Jobs
from .preview import PreviewPane
from .settings import AppSettings
from .status_text import short_model_name
from .worker import ModelChoice, PreviewEngine, PreviewResult


def model_choice(settings: AppSettings, device: str | None = None) -> ModelChoice:
    return ModelChoice(settings.checkpoint_path, device or settings.device, settings.precision)


class ModelStatus(QObject):
    """Shows the engine's model and the jobs' progress in the status bar's `model`, `device`, `time` labels
    and `busy` bar; `settings()` gives the settings now in force (the fallback keeps their precision)."""

    loaded = Signal(object)  # ModelInfo: what depends on the model (guidance, the preview) follows it

    def __init__(
        self,
        parent: QWidget,
        engine: PreviewEngine,
        jobs: Jobs,
        preview: PreviewPane,
        bar: QStatusBar,
        labels: tuple[QLabel, QLabel, QLabel],
        busy: QProgressBar,
        settings: Callable[[], AppSettings],
    ) -> None:
        super().__init__(parent)
        self._parent, self._engine, self._jobs, self._preview, self._bar = parent, engine, jobs, preview, bar
        self._model, self._device, self._time = labels
        self._busy, self._settings = busy, settings
        self.info: ModelInfo | None = None
        self._preview_failing = False  # the model failed and no preview has come since: told once
        self._model_busy = False  # the worker runs the model (busyChanged)
        self._jobs_message = ""  # the status bar's message about the running job, if it still shows
        engine.previewReady.connect(self._shown)
        engine.failed.connect(self._failed)
        engine.modelLoaded.connect(self._loaded)
        engine.modelFailed.connect(self._load_failed)
        engine.deviceFellBack.connect(lambda m: QMessageBox.warning(parent, "LineTint", m))
        engine.busyChanged.connect(self._set_busy)
        jobs.busyChanged.connect(lambda _: self._show_jobs())
        jobs.textChanged.connect(lambda _: self._show_jobs())
        jobs.failed.connect(lambda message: QMessageBox.warning(parent, "LineTint", message))

    def load(self, settings: AppSettings) -> None:
        self._model.setText("Loading model…")
        self._engine.load_model(model_choice(settings))

    def _loaded(self, info: ModelInfo) -> None:
        self.info = info
        warning = "" if info.trained else " — untrained, colours mean nothing"
        self._model.setText(f"Model: {short_model_name(info.name)}{' (untrained)' if warning else ''}")
        self._model.setToolTip(f"{info.name}{warning}\nArchitecture: {info.config_name}")
        self._device.setText(f"{info.device} · {info.precision}")
        if info.notice:  # e.g. the precision chosen in the settings cannot run on this device
            self._bar.showMessage(info.notice, 10000)
        self.loaded.emit(info)

    def _load_failed(self, message: str) -> None:
        QMessageBox.warning(
            self._parent, "Model not loaded", f"{message}\n\nLineTint uses the default model instead."
        )
        self._engine.load_model(replace(model_choice(self._settings(), "cpu"), checkpoint=None))

    def _shown(self, result: PreviewResult) -> None:
        self._preview_failing = False
        kind = "quick preview" if result.quick else "preview"
        self._time.setText(f"{kind} {result.seconds * 1000:.0f} ms")
        self._time.setToolTip(result.detail)

    def _failed(self, message: str) -> None:
        self._bar.showMessage(f"The model failed: {message}. Your hints are safe.", 8000)
        # One dialog per failure: a drag asks for a preview at every few dabs, and each would fail alike.
        if self._preview_failing:
            return
        self._preview_failing = True
        QMessageBox.warning(
            self._parent, "Preview failed", f"The model failed:\n{message}\n\nYour hints are unchanged."
        )

    def _set_busy(self, busy: bool) -> None:
        self._model_busy = busy
        self._busy.setVisible(busy or self._jobs.busy)
        self._preview.set_busy(busy or not self._engine.up_to_date)

    def _show_jobs(self) -> None:
        """The busy bar while a job runs too, and what it does where the status bar's messages go."""
        self._busy.setVisible(self._model_busy or self._jobs.busy)
        text = self._jobs.text
        if text:
            self._bar.showMessage(text)
        elif self._bar.currentMessage() == self._jobs_message:
            self._bar.clearMessage()  # the job's own message, not one that came after it
        self._jobs_message = text
