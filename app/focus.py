"""Krita's rule: tool keys and undo work whatever toolbar widget was touched last.

A spin box that holds the focus would otherwise swallow E, ] and Ctrl+Z as text edits; here it keeps only
the keys that edit a number, hands every other key to the window's shortcuts, and gives the focus back
to the canvas on Enter or Escape. A combo box gives it back once a choice is made. A text field (the
colour selector's hex) keeps what it needs to type and edit text — letters are text there — but Ctrl+Z
and the other Ctrl and Alt shortcuts still reach the window, and Enter or Escape go back to the canvas.
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QAbstractSpinBox, QComboBox, QLineEdit, QWidget

NUMBER_KEYS = frozenset(
    (
        *(getattr(Qt.Key, f"Key_{digit}") for digit in range(10)),
        Qt.Key.Key_Backspace,
        Qt.Key.Key_Delete,
        Qt.Key.Key_Left,
        Qt.Key.Key_Right,
        Qt.Key.Key_Up,
        Qt.Key.Key_Down,
        Qt.Key.Key_Home,
        Qt.Key.Key_End,
        Qt.Key.Key_PageUp,
        Qt.Key.Key_PageDown,
        Qt.Key.Key_Tab,
        Qt.Key.Key_Backtab,
    )
)
DONE_KEYS = frozenset((Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Escape))
# Modifiers a number edit may carry (shift-selection, keypad digits); Ctrl or Alt make it a shortcut.
EDIT_MODIFIERS = Qt.KeyboardModifier.ShiftModifier | Qt.KeyboardModifier.KeypadModifier
TEXT_CTRL_KEYS = frozenset((Qt.Key.Key_A, Qt.Key.Key_C, Qt.Key.Key_V, Qt.Key.Key_X))  # select, copy, paste


class CanvasFocus(QObject):
    """Installed on toolbar widgets; `canvas` is where the focus goes back to."""

    def __init__(self, canvas: QWidget, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._canvas = canvas

    def watch(self, widgets: Iterable[QWidget]) -> None:
        """Apply the rule to every spin box and combo box among `widgets` (or inside them)."""
        for widget in widgets:
            found = [widget, *widget.findChildren(QWidget)]
            for child in found:
                if isinstance(child, QAbstractSpinBox):
                    child.installEventFilter(self)
                elif isinstance(child, QComboBox):
                    child.installEventFilter(self)
                    child.activated.connect(lambda _=0: self._canvas.setFocus())
                elif isinstance(child, QLineEdit) and not isinstance(
                    child.parent(), (QAbstractSpinBox, QComboBox)
                ):
                    child.installEventFilter(self)
                    # After the field has taken its text (editingFinished follows returnPressed).
                    child.returnPressed.connect(lambda: QTimer.singleShot(0, self._canvas.setFocus))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent):
            if not self._widget_keeps(watched, event):
                event.ignore()  # not overridden: the window's shortcut for this key runs
                return True
        elif event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            if event.key() == Qt.Key.Key_Escape or (
                event.key() in DONE_KEYS and not isinstance(watched, QLineEdit)
            ):
                if isinstance(watched, QAbstractSpinBox):
                    watched.interpretText()  # Enter keeps what was typed before the focus leaves
                self._canvas.setFocus(Qt.FocusReason.ShortcutFocusReason)
                return True
        return super().eventFilter(watched, event)

    @staticmethod
    def _widget_keeps(watched: QObject, event: QKeyEvent) -> bool:
        if event.key() in DONE_KEYS:
            return True
        if isinstance(watched, QComboBox):
            return False  # a list choice needs no keys of its own that a shortcut uses
        if isinstance(watched, QLineEdit):
            control = event.modifiers() & Qt.KeyboardModifier.ControlModifier
            alt = event.modifiers() & (Qt.KeyboardModifier.AltModifier | Qt.KeyboardModifier.MetaModifier)
            return not alt and (not control or event.key() in TEXT_CTRL_KEYS)
        return event.key() in NUMBER_KEYS and not (event.modifiers() & ~EDIT_MODIFIERS)
