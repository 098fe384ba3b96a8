"""What LineTint remembers of its window between runs, in QSettings: layout, view toggles, the brush.

Every value is read defensively: a damaged or hand-edited settings file gives the defaults for what it
spoils, never an error (INI files hold text, so "false" comes back as a string).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtGui import QColor

if TYPE_CHECKING:
    from .window import MainWindow

TOGGLES = {  # settings key: (action, default)
    "view/flat_colours": ("flats", False),
    "view/preview_follows_canvas": ("follow_canvas", True),
    "view/keep_hint_colours": ("keep_hints", True),
}
UNHINTED_KEY = "view/unhinted"  # "network" or "paper": View ▸ Unhinted Areas


def restore_ui(window: MainWindow, store: QSettings) -> None:
    for key, restore in (
        ("window/geometry", window.restoreGeometry),
        ("window/state", window.restoreState),
        ("window/splitter", window.splitter.restoreState),
    ):
        value = store.value(key)
        if isinstance(value, QByteArray):
            restore(value)
    for key, (action, default) in TOGGLES.items():
        value = store.value(key, default)
        window.actions[action].setChecked(
            value in (True, "true") or (default and value not in (False, "false"))
        )
    paper = store.value(UNHINTED_KEY, "network") == "paper"  # anything else: the default
    window.actions["unhinted_paper" if paper else "unhinted_network"].setChecked(True)
    _restore_brush(window, store)


def _restore_brush(window: MainWindow, store: QSettings) -> None:
    size = store.value("brush/size")
    if isinstance(size, (int, str)) and str(size).isdigit():
        window.colors.set_size(int(size))
    colour = QColor(str(store.value("brush/colour", "")))
    if colour.isValid():
        window.colors.set_color(colour)
    recent = store.value("brush/recent", [])
    names = [recent] if isinstance(recent, str) else recent if isinstance(recent, list) else []
    window.colors.set_recent([QColor(str(name)) for name in names])


def save_ui(window: MainWindow, store: QSettings) -> None:
    store.setValue("window/geometry", window.saveGeometry())
    store.setValue("window/state", window.saveState())
    store.setValue("window/splitter", window.splitter.saveState())
    for key, (action, _) in TOGGLES.items():
        store.setValue(key, window.actions[action].isChecked())
    store.setValue(UNHINTED_KEY, "paper" if window.actions["unhinted_paper"].isChecked() else "network")
    store.setValue("brush/size", window.colors.size)
    store.setValue("brush/colour", window.colors.color.name())
    store.setValue("brush/recent", [c.name() for c in window.colors.recent])
    store.sync()
