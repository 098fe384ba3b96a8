"""The Colour and Palette docks, and their wiring to the one brush colour the colour panel holds."""

from __future__ import annotations

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QDockWidget, QMainWindow, QWidget

from .colour_panel import ColourPanel
from .colour_selector import ColourSelector
from .palette_file import Swatch
from .palette_panel import PalettePanel

PINNED_KEY = "palette/pinned"  # a list of "#rrggbb name" strings
DOCK_WIDTH = 270


def load_pinned(store: QSettings) -> list[Swatch]:
    """The pinned swatches kept in `store`; entries that are not '#rrggbb name' are left out."""
    value = store.value(PINNED_KEY, [])
    entries = [value] if isinstance(value, str) else value if isinstance(value, list) else []
    swatches = []
    for entry in entries:
        hex_name, _, name = str(entry).partition(" ")
        colour = QColor(hex_name)
        if len(hex_name) == 7 and hex_name.startswith("#") and colour.isValid():
            swatches.append(Swatch((colour.red(), colour.green(), colour.blue()), name.strip()))
    return swatches


def save_pinned(store: QSettings, swatches: list[Swatch]) -> None:
    store.setValue(PINNED_KEY, [f"{s.hex} {s.name}".rstrip() for s in swatches])
    store.sync()  # now, not at quit: a pinned palette is work the user would not want to lose to a crash


class ColourDocks:
    """Adds the docks to `window`'s right side; the selector and the palette follow and set `colours`."""

    def __init__(self, window: QMainWindow, colours: ColourPanel, store: QSettings) -> None:
        self._colours, self._store = colours, store
        self.selector = ColourSelector(colours.colour)
        self.palette = PalettePanel()
        self.selector_dock = self._dock(window, "Colour", "colour", self.selector)
        self.palette_dock = self._dock(window, "Palette", "palette", self.palette)
        window.resizeDocks([self.selector_dock], [DOCK_WIDTH], Qt.Orientation.Horizontal)

        colours.colourChanged.connect(self._brush_changed)
        colours.recentChanged.connect(lambda: self.palette.set_recent(colours.recent))
        self.selector.colourChanged.connect(colours.set_colour)
        self.palette.colourPicked.connect(colours.set_colour)
        self.palette.pinnedChanged.connect(lambda: save_pinned(store, self.palette.pinned))
        colours.selectorRequested.connect(self.show_selector)
        self.palette.set_pinned(load_pinned(store))
        self.palette.set_recent(colours.recent)
        self._brush_changed(colours.colour)

    @staticmethod
    def _dock(window: QMainWindow, title: str, name: str, widget: QWidget) -> QDockWidget:
        dock = QDockWidget(title, window)
        dock.setObjectName(name)  # so saveState/restoreState keep it
        dock.setWidget(widget)
        dock.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetClosable
            | QDockWidget.DockWidgetFeature.DockWidgetMovable
            | QDockWidget.DockWidgetFeature.DockWidgetFloatable
        )
        window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock, Qt.Orientation.Vertical)
        return dock

    def _brush_changed(self, colour: QColor) -> None:
        self.selector.set_colour(colour)
        self.palette.set_brush_colour(colour)

    def show_selector(self) -> None:
        """Bring the colour selector into view, its hex field ready for typing."""
        self.selector_dock.show()
        self.selector_dock.raise_()
        self.selector.hex_field.setFocus()
        self.selector.hex_field.selectAll()


__all__ = ["ColourDocks", "load_pinned", "save_pinned"]
