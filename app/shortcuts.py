"""Help ▸ Keyboard Shortcuts (F1): a short "how to colour a page" beside a table built from the window's own
actions, so it never drifts from them."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from .guidance import HOW_TO

# What the mouse does on the canvas: no QAction stands for these.
GESTURES = (
    ("Click / drag with the brush", "Lay hint patches: one drag, one stroke"),
    ("Click with the eraser", "Erase the whole stroke under it"),
    ("Drag with the eraser", "Erase only what it passes over"),
    ("Drag with the move tool", "Move the whole stroke under the pointer"),
    ("Right-click a stroke", "Recolour it, take its colour, or erase it"),
    ("Alt+click, Ctrl+click", "Pick a colour from the canvas or preview"),
    ("Shift+drag", "Resize the brush (right: bigger)"),
    ("Wheel", "Zoom at the cursor (over the preview too)"),
    ("Space+drag, middle drag", "Pan"),
)


def plain_label(action: QAction) -> str:
    """The action's text without its accelerator '&' or trailing '…'."""
    return action.text().replace("&&", "\0").replace("&", "").replace("\0", "&").rstrip("…")


def add_keys_to_tooltip(action: QAction) -> None:
    """'Brush (B)': a tooltip names the key, unless one was written that does already."""
    keys = [s.toString(QKeySequence.SequenceFormat.NativeText) for s in action.shortcuts()]
    if not keys:
        return
    tip, label = action.toolTip(), plain_label(action)
    if f"({keys[0]})" in tip:
        return
    written = tip and tip.replace("…", "") != label.replace("…", "")  # Qt's default is the text itself
    action.setToolTip(f"{tip if written else label} ({keys[0]})")


def shortcut_rows(actions: Iterable[QAction]) -> list[tuple[str, str]]:
    """(keys, what) for every action that has a shortcut, in menu order, plus the mouse gestures."""
    rows = []
    for action in actions:
        keys = ", ".join(s.toString(QKeySequence.SequenceFormat.NativeText) for s in action.shortcuts())
        if keys:
            rows.append((keys, plain_label(action)))
    return rows + list(GESTURES)


class ShortcutsDialog(QDialog):
    def __init__(self, actions: Iterable[QAction], parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Help: How to Colour a Page, Keyboard Shortcuts")
        self.how_to = QLabel(HOW_TO)
        self.how_to.setTextFormat(Qt.TextFormat.RichText)
        self.how_to.setWordWrap(True)
        self.how_to.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.how_to.setFixedWidth(360)
        rows = shortcut_rows(actions)
        self.table = QTableWidget(len(rows), 2)
        self.table.setHorizontalHeaderLabels(["Keys", "Action"])
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QTableWidget.SelectionMode.NoSelection)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.table.setShowGrid(False)
        self.table.setAlternatingRowColors(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        for row, (keys, what) in enumerate(rows):
            self.table.setItem(row, 0, QTableWidgetItem(keys))
            self.table.setItem(row, 1, QTableWidgetItem(what))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        beside = QHBoxLayout()
        beside.addWidget(self.how_to)
        beside.addWidget(self.table, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(beside)
        layout.addWidget(buttons)
        self.resize(900, min(720, self.table.verticalHeader().length() + 110))
