"""A message bar over the canvas for advice that must stay until it is acted on or dismissed.

The status bar forgets a message after a few seconds; advice about the picture just opened (clean it
up, or recolour it as a colour picture) is still true a minute later, so it waits here.
"""

from __future__ import annotations

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QToolButton, QWidget


class AdviceBar(QFrame):
    """Hidden until `advise`; the advice's button runs its action and closes the bar, × dismisses it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("advice")
        self.setStyleSheet(
            "#advice { background: #3d4a5c; border-bottom: 1px solid #5a6f8a; }"
            "#advice QLabel { color: #f0f0f4; }"
        )
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.button = QPushButton()
        self.button.clicked.connect(self._act)
        self.close_button = QToolButton()
        self.close_button.setText("×")
        self.close_button.setToolTip("Dismiss")
        self.close_button.setAutoRaise(True)
        self.close_button.clicked.connect(self.dismiss)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 4, 4, 4)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.button)
        layout.addWidget(self.close_button)
        self._action: QAction | None = None
        self.hide()

    @property
    def text(self) -> str:
        parent = self.parentWidget()
        shown = self.isVisible() if parent is None else self.isVisibleTo(parent)
        return self.label.text() if shown else ""

    def advise(self, text: str, action: QAction | None = None, button_text: str = "") -> None:
        """Show `text`; with `action`, a button (labelled `button_text`, else the action's text) runs it."""
        self.label.setText(text)
        self._action = action
        self.button.setVisible(action is not None)
        if action is not None:
            self.button.setText(button_text or action.text().replace("&", ""))
        self.show()

    def dismiss(self) -> None:
        self._action = None
        self.hide()

    def _act(self) -> None:
        action = self._action
        self.dismiss()
        if action is not None:
            action.trigger()
