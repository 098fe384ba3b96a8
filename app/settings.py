"""User preferences, kept in QSettings (the platform's own place for them)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QWidget,
)

from linetint.model.devices import DEVICE_CHOICES, PRECISION_CHOICES

PREVIEW_SIDES = (512, 768, 1024)
PRECISION_LABELS = (
    "Automatic (fastest that is accurate here)",
    "Full (fp32)",
    "bfloat16 (CPUs with AVX512-BF16/AMX, GPUs)",
    "float16 (GPUs)",
)
ORGANIZATION, APPLICATION = "LineTint", "LineTint"


@dataclass(frozen=True)
class AppSettings:
    device: str = "auto"
    checkpoint: str = ""  # empty: the shipped model
    preview_max_side: int = 768
    precision: str = "auto"  # one the device cannot run falls back to automatic, with a status message

    @property
    def checkpoint_path(self) -> Path | None:
        return Path(self.checkpoint) if self.checkpoint else None

    @classmethod
    def load(cls, store: QSettings | None = None) -> AppSettings:
        store = store or QSettings(ORGANIZATION, APPLICATION)
        device = str(store.value("model/device", "auto"))
        side = _as_int(store.value("preview/max_side", 768))
        precision = str(store.value("model/precision", "auto"))
        return cls(
            device=device if device in DEVICE_CHOICES else "auto",
            checkpoint=str(store.value("model/checkpoint", "") or ""),
            preview_max_side=side if side in PREVIEW_SIDES else 768,
            precision=precision if precision in PRECISION_CHOICES else "auto",
        )

    def save(self, store: QSettings | None = None) -> None:
        store = store or QSettings(ORGANIZATION, APPLICATION)
        store.setValue("model/device", self.device)
        store.setValue("model/checkpoint", self.checkpoint)
        store.setValue("preview/max_side", self.preview_max_side)
        store.setValue("model/precision", self.precision)
        store.sync()


def _as_int(value: object) -> int:
    if not isinstance(value, (int, float, str)):
        return -1
    try:
        return int(value)  # QSettings returns strings from INI files
    except (TypeError, ValueError):
        return -1


class SettingsDialog(QDialog):
    def __init__(self, settings: AppSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("LineTint Settings")
        self._device = QComboBox()
        for choice, label in zip(
            DEVICE_CHOICES, ("Automatic (GPU if present)", "CPU", "CUDA", "Apple MPS"), strict=True
        ):
            self._device.addItem(label, choice)
        self._device.setCurrentIndex(DEVICE_CHOICES.index(settings.device))
        self._checkpoint = QLineEdit(settings.checkpoint)
        self._checkpoint.setPlaceholderText("The shipped model")
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        reset = QPushButton("Default")
        reset.clicked.connect(self._checkpoint.clear)
        row = QHBoxLayout()
        row.addWidget(self._checkpoint, 1)
        row.addWidget(browse)
        row.addWidget(reset)
        self._side = QComboBox()
        for side in PREVIEW_SIDES:
            self._side.addItem(f"{side} px long side", side)
        self._side.setCurrentIndex(PREVIEW_SIDES.index(settings.preview_max_side))
        self._precision = QComboBox()
        for choice, label in zip(PRECISION_CHOICES, PRECISION_LABELS, strict=True):
            self._precision.addItem(label, choice)
        self._precision.setCurrentIndex(PRECISION_CHOICES.index(settings.precision))
        self._precision.setToolTip(
            "Reduced precision previews 2-3x faster; a choice this machine cannot run falls back to "
            "Automatic and the status bar says so."
        )
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow("Run the model on", self._device)
        form.addRow("Model checkpoint", row)
        form.addRow("Preview size", self._side)
        form.addRow("Precision", self._precision)
        form.addRow(buttons)
        self._settings = settings

    def _browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Choose a model checkpoint", "", "Checkpoints (*.pt *.pth)"
        )
        if path:
            self._checkpoint.setText(path)

    def result_settings(self) -> AppSettings:
        return replace(
            self._settings,
            device=self._device.currentData(),
            checkpoint=self._checkpoint.text().strip(),
            preview_max_side=self._side.currentData(),
            precision=self._precision.currentData(),
        )
