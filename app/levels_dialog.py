"""Edit ▸ Clean Up Line Art: black and white points and paper flattening, seen live on the canvas."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSlider,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from linetint.imaging.cleanup import Levels, apply_levels, auto_levels, flatten_paper


class _Level(QWidget):
    """A slider and a spin box that hold the same 0-255 value."""

    valueChanged = Signal(int)

    def __init__(self, low: int, high: int, value: int) -> None:
        super().__init__()
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.spin = QSpinBox()
        for widget in (self.slider, self.spin):
            widget.setRange(low, high)
            widget.setValue(value)
        self.slider.valueChanged.connect(self.spin.setValue)
        self.spin.valueChanged.connect(self.slider.setValue)
        self.spin.valueChanged.connect(self.valueChanged)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.slider, 1)
        layout.addWidget(self.spin)

    def value(self) -> int:
        return self.spin.value()

    def setValue(self, value: int) -> None:  # noqa: N802 - Qt's name
        self.spin.setValue(value)


class LevelsDialog(QDialog):
    """Emits `previewChanged(line art)` as the settings move; `result()` is the line art to keep."""

    previewChanged = Signal(object)

    def __init__(self, grey: np.ndarray, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Clean Up Line Art")
        self._grey = grey
        self._flattened: np.ndarray | None = None  # computed once, on first use
        self.flatten = QCheckBox("Even out uneven paper (photos and scans)")
        self.black = _Level(0, 254, 0)
        self.white = _Level(1, 255, 255)
        form = QFormLayout()
        form.addRow(self.flatten)
        form.addRow("Black point", self.black)
        form.addRow("White point", self.white)
        note = QLabel("Greys darker than the black point become ink, lighter than the white point paper.")
        note.setWordWrap(True)
        auto, reset = QPushButton("&Auto"), QPushButton("&Reset")
        auto.clicked.connect(lambda: self.set_levels(auto_levels(self._grey)))
        reset.clicked.connect(lambda: self.set_levels(Levels()))
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.addButton(auto, QDialogButtonBox.ButtonRole.ResetRole)
        buttons.addButton(reset, QDialogButtonBox.ButtonRole.ResetRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(buttons)
        self.setMinimumWidth(420)
        # A slider drag fires many changes; the canvas is redrawn once they pause for a moment.
        self._debounce = QTimer(self, singleShot=True, interval=40)
        self._debounce.timeout.connect(lambda: self.previewChanged.emit(self.result()))
        self.black.valueChanged.connect(lambda v: self._keep_apart(self.white, v + 1, above=True))
        self.white.valueChanged.connect(lambda v: self._keep_apart(self.black, v - 1, above=False))
        self.flatten.toggled.connect(self._debounce.start)

    def levels(self) -> Levels:
        return Levels(self.black.value(), self.white.value(), self.flatten.isChecked())

    def set_levels(self, levels: Levels) -> None:
        self.white.setValue(255)  # first widen, so neither point is pushed by the other on the way
        self.black.setValue(levels.black)
        self.white.setValue(levels.white)
        self.flatten.setChecked(levels.flatten)
        self._debounce.start()

    def result(self) -> np.ndarray:
        levels = self.levels()
        if levels.flatten and self._flattened is None:
            self._flattened = flatten_paper(self._grey)
        return apply_levels(self._grey, levels, self._flattened)

    def _keep_apart(self, other: _Level, limit: int, above: bool) -> None:
        if (above and other.value() < limit) or (not above and other.value() > limit):
            other.setValue(limit)
        self._debounce.start()
