"""Edit ▸ Recolour Hints: a colour selector whose choice the canvas and the preview show as it moves."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from .colour_selector import ColourSelector


class RecolourDialog(QDialog):
    """Emits `previewChanged(colour)` while the user chooses; the caller shows it and commits on accept.

    The dialog changes nothing itself: the window previews each colour and, on OK, makes the change one
    undo step, or on Cancel shows the hints as they were.
    """

    previewChanged = Signal(QColor)

    def __init__(self, old: QColor, count: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.old = QColor(old)
        plural = "s" if count != 1 else ""
        self.setWindowTitle(f"Recolour {count} hint{plural} of {old.name()}")
        self.selector = ColourSelector(old)
        self.selector.swatch.set_before(old)  # new over old, as Krita shows a colour about to change
        self.selector.colourChanged.connect(self.previewChanged)
        note = QLabel(f"{count} hint{plural} of {old.name()} take the colour chosen here; "
                      "the canvas and the preview show it as you drag.")  # fmt: skip
        note.setWordWrap(True)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addWidget(self.selector, 1)
        layout.addWidget(buttons)
        self.resize(320, 430)

    @property
    def colour(self) -> QColor:
        return self.selector.colour


__all__ = ["RecolourDialog"]
