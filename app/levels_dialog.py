"""Edit ▸ Clean Up Line Art: black and white points and paper flattening, seen live on the canvas.

Each trial is worked out on a job (app/jobs.py, the "clean-up" lane), the newest replacing any still
waiting: a page of levels and paper flattening takes far longer than a slider's step."""

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

from .jobs import Jobs

LANE = "clean-up"


class Cleaner:
    """The line art under given levels; runs on the clean-up lane only (its cache is not locked)."""

    def __init__(self, grey: np.ndarray) -> None:
        self.grey = grey
        self._flattened: np.ndarray | None = None  # computed once, on first use
        self.closed = False  # the dialog is gone: trials that arrive now are dropped

    def render(self, levels: Levels) -> np.ndarray:
        if levels.flatten and self._flattened is None:
            self._flattened = flatten_paper(self.grey)
        return apply_levels(self.grey, levels, self._flattened)


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
    """Emits `previewChanged(line art)` as the settings move (worked out on `jobs`); `cleaner` and
    `levels()` make the line art to keep, `shown()` is it when the last trial already is."""

    previewChanged = Signal(object)

    def __init__(self, grey: np.ndarray, jobs: Jobs, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Clean Up Line Art")
        self.cleaner = Cleaner(grey)
        self._jobs = jobs
        self._shown: tuple[Levels, np.ndarray] | None = None  # the newest trial on the canvas
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
        auto.clicked.connect(self._auto)
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
        self._debounce.timeout.connect(self._try)
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

    def shown(self) -> np.ndarray | None:
        """The trial on the canvas if it is of the levels set now, else None (the caller renders it)."""
        if self._shown is not None and self._shown[0] == self.levels():
            return self._shown[1]
        return None

    def done(self, code: int) -> None:
        self.cleaner.closed = True  # before `finished`: the window puts its own line art back then
        super().done(code)

    def _try(self) -> None:
        levels, cleaner = self.levels(), self.cleaner
        self._jobs.run(
            lambda: cleaner.render(levels),
            lambda art: None if cleaner.closed else self._show(levels, art),
            text="Cleaning up the line art…",
            lane=LANE,
            latest_only=True,  # a trial of older settings is not worth waiting for
        )

    def _show(self, levels: Levels, art: np.ndarray) -> None:
        if levels != self.levels():
            return  # the sliders moved on: that trial follows
        self._shown = (levels, art)
        self.previewChanged.emit(art)

    def _auto(self) -> None:
        grey, cleaner = self.cleaner.grey, self.cleaner
        self._jobs.run(
            lambda: auto_levels(grey),  # percentiles of the whole page
            lambda levels: None if cleaner.closed else self.set_levels(levels),
            text="Measuring the paper…",
            lane=LANE,
        )

    def _keep_apart(self, other: _Level, limit: int, above: bool) -> None:
        if (above and other.value() < limit) or (not above and other.value() > limit):
            other.setValue(limit)
        self._debounce.start()
