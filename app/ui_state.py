"""What LineTint remembers of its window between runs, in QSettings: layout, view toggles, the brush.

Every value is read defensively: a damaged or hand-edited settings file gives the defaults for what it
spoils, never an error (INI files hold text, so "false" comes back as a string).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtGui import QAction, QColor
from PySide6.QtWidgets import QMainWindow, QSplitter

from linetint.imaging.hint_colours import Unhinted

from .colour_panel import ColourPanel
from .modes_controller import checked_unhinted, unhinted_action


@dataclass(frozen=True)
class RememberedUi:
    """What is remembered of the window, and all this module sees of it."""

    window: QMainWindow  # its geometry, and where its docks and toolbar are
    splitter: QSplitter  # canvas beside preview
    actions: Mapping[str, QAction]  # the view toggles, by action id
    brush: ColourPanel  # size, colour, recent colours


TOGGLES = {  # settings key: (action, default)
    "view/flat_colours": ("flats", False),
    "view/preview_follows_canvas": ("follow_canvas", True),
    "view/keep_hint_colours": ("keep_hints", True),
}
UNHINTED_KEY = "view/unhinted"  # "tint", "network" or "paper": View ▸ Unhinted Areas


def restore_ui(ui: RememberedUi, store: QSettings) -> None:
    for key, restore in (
        ("window/geometry", ui.window.restoreGeometry),
        ("window/state", ui.window.restoreState),
        ("window/splitter", ui.splitter.restoreState),
    ):
        value = store.value(key)
        if isinstance(value, QByteArray):
            restore(value)
    for key, (action, default) in TOGGLES.items():
        value = store.value(key, default)
        ui.actions[action].setChecked(value in (True, "true") or (default and value not in (False, "false")))
    stored = store.value(UNHINTED_KEY, Unhinted.TINT.value)
    chosen = next((u for u in Unhinted if u.value == stored), Unhinted.TINT)  # anything else: the default
    ui.actions[unhinted_action(chosen)].setChecked(True)
    _restore_brush(ui.brush, store)


def _restore_brush(brush: ColourPanel, store: QSettings) -> None:
    size = store.value("brush/size")
    if isinstance(size, (int, str)) and str(size).isdigit():
        brush.set_size(int(size))
    colour = QColor(str(store.value("brush/colour", "")))
    if colour.isValid():
        brush.set_colour(colour)
    recent = store.value("brush/recent", [])
    names = [recent] if isinstance(recent, str) else recent if isinstance(recent, list) else []
    brush.set_recent([QColor(str(name)) for name in names])


def save_ui(ui: RememberedUi, store: QSettings) -> None:
    store.setValue("window/geometry", ui.window.saveGeometry())
    store.setValue("window/state", ui.window.saveState())
    store.setValue("window/splitter", ui.splitter.saveState())
    for key, (action, _) in TOGGLES.items():
        store.setValue(key, ui.actions[action].isChecked())
    store.setValue(UNHINTED_KEY, checked_unhinted(ui.actions).value)
    store.setValue("brush/size", ui.brush.brush_size)
    store.setValue("brush/colour", ui.brush.colour.name())
    store.setValue("brush/recent", [c.name() for c in ui.brush.recent])
    store.sync()
