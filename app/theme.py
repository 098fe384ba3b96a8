"""A dark, neutral theme: colour judgement needs a grey surround, not a tinted one."""

from __future__ import annotations

from PySide6.QtGui import QColor, QIcon, QPalette
from PySide6.QtWidgets import QApplication

from linetint.resources import resource


def icon(name: str) -> QIcon:
    return QIcon(str(resource("icons", f"{name}.svg")))


def apply_dark_theme(app: QApplication) -> None:
    app.setStyle("Fusion")
    palette = QPalette()
    roles = {
        QPalette.ColorRole.Window: (45, 45, 49),
        QPalette.ColorRole.WindowText: (220, 220, 224),
        QPalette.ColorRole.Base: (32, 32, 36),
        QPalette.ColorRole.AlternateBase: (45, 45, 49),
        QPalette.ColorRole.ToolTipBase: (60, 60, 64),
        QPalette.ColorRole.ToolTipText: (230, 230, 234),
        QPalette.ColorRole.Text: (220, 220, 224),
        QPalette.ColorRole.Button: (55, 55, 60),
        QPalette.ColorRole.ButtonText: (220, 220, 224),
        QPalette.ColorRole.BrightText: (255, 90, 90),
        QPalette.ColorRole.Highlight: (74, 134, 200),
        QPalette.ColorRole.HighlightedText: (255, 255, 255),
        QPalette.ColorRole.Link: (97, 175, 239),
        QPalette.ColorRole.PlaceholderText: (130, 130, 136),
    }
    for role, rgb in roles.items():
        palette.setColor(role, QColor(*rgb))
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText, QPalette.ColorRole.WindowText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor(120, 120, 125))
    app.setPalette(palette)
    app.setWindowIcon(icon("linetint"))
