"""Where a tool window goes: beside what it previews, never over it."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import QWidget


def place_beside(window: QWidget, covered: QWidget) -> None:
    """Move `window` (shown or about to be) to the right of `covered`, else to its left, within the
    screen; where neither side has room it goes to the right edge of the screen, covering least."""
    size = window.frameGeometry().size() if window.isVisible() else window.sizeHint()
    size = size.expandedTo(window.minimumSize())
    area = QRect(covered.mapToGlobal(QPoint(0, 0)), covered.size())
    screen = (covered.screen() or window.screen()).availableGeometry()
    top = max(screen.top(), min(area.top(), screen.bottom() - size.height()))
    if area.right() + 1 + size.width() <= screen.right() + 1:
        left = area.right() + 1
    elif area.left() - size.width() >= screen.left():
        left = area.left() - size.width()
    else:
        left = screen.right() + 1 - size.width()
    window.move(left, top)
