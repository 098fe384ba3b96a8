"""Brush options: the current colour, recent colours and the patch size.

The brush colour lives here and nowhere else: the colour selector and the palette dock show it and set it.
"""

from __future__ import annotations

from collections import Counter

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QHBoxLayout, QLabel, QMenu, QSpinBox, QToolButton, QWidget

from linetint.model.hints import MAX_HINT_SIZE, MIN_HINT_SIZE, Colour, clamp_hint_size

RECENT_COUNT = 10


def _swatch_style(colour: QColor, size: int) -> str:
    return (
        f"QToolButton {{ background: {colour.name()}; border: 1px solid #111; border-radius: 3px;"
        f" min-width: {size}px; min-height: {size}px; max-width: {size}px; max-height: {size}px; }}"
        "QToolButton:hover { border: 1px solid #ddd; }"
    )


class ColourPanel(QWidget):
    """Emits `colourChanged` and `sizeChanged`; `recent` remembers colours actually painted (the palette
    dock shows them: a row of them here pushed the toolbar about as it grew).

    A click on the swatch asks for the colour selector (`selectorRequested`); a right-click offers to
    recolour the hints of that colour (`recolourRequested`).
    """

    colourChanged = Signal(QColor)
    sizeChanged = Signal(int)
    recolourRequested = Signal(QColor)
    recentChanged = Signal()
    selectorRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._colour = QColor(224, 108, 117)
        self._recent: list[QColor] = []
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 0, 6, 0)
        self._current = QToolButton()
        self._current.setToolTip("Brush colour — click for the colour selector")
        self._current.clicked.connect(self.choose_colour)
        self._offer_recolour(self._current, lambda: self.colour)
        layout.addWidget(self._current)
        layout.addSpacing(12)
        layout.addWidget(QLabel("Size"))
        self._size = QSpinBox()
        self._size.setRange(MIN_HINT_SIZE, MAX_HINT_SIZE)
        self._size.setValue(3)
        self._size.setSuffix(" px")
        self._size.setToolTip("Hint patch size ( [ and ] )")
        self._size.valueChanged.connect(self.sizeChanged)
        layout.addWidget(self._size)
        self._refresh()

    @property
    def colour(self) -> QColor:
        return QColor(self._colour)

    @property
    def brush_size(self) -> int:
        return self._size.value()

    @property
    def recent(self) -> list[QColor]:
        return list(self._recent)

    def set_colour(self, colour: QColor) -> None:
        if colour.isValid() and colour.rgb() != self._colour.rgb():
            self._colour = QColor(colour.red(), colour.green(), colour.blue())
            self._refresh()
            self.colourChanged.emit(self.colour)

    def set_size(self, size: int) -> None:
        self._size.setValue(clamp_hint_size(size))

    def grow(self, step: int) -> None:
        self.set_size(self.brush_size + step)

    def remember(self, colour: QColor) -> None:
        """Put a colour that was just painted at the front of the recent row."""
        self._recent = [c for c in self._recent if c.rgb() != colour.rgb()]
        self._recent.insert(0, QColor(colour))
        del self._recent[RECENT_COUNT:]
        self.recentChanged.emit()

    def forget(self, colour: QColor) -> None:
        """Drop a colour from the recent list (one no hint has any more, after a recolour)."""
        kept = [c for c in self._recent if c.rgb() != colour.rgb()]
        if len(kept) != len(self._recent):
            self._recent = kept
            self.recentChanged.emit()

    def set_recent(self, colours: list[QColor]) -> None:
        """Replace the recent row (first = newest); invalid and repeated colours are left out."""
        unique: list[QColor] = []
        for colour in colours:
            if colour.isValid() and all(c.rgb() != colour.rgb() for c in unique):
                unique.append(QColor(colour.red(), colour.green(), colour.blue()))
        self._recent = unique[:RECENT_COUNT]
        self.recentChanged.emit()

    def lead_with(self, counts: Counter[Colour]) -> None:
        """A picture's (or an imported layer's) hint colours, most used first, lead the recent row: its
        palette at hand."""
        if counts:
            self.set_recent(
                [QColor(*colour) for colour, _ in counts.most_common(RECENT_COUNT)] + self._recent
            )

    def choose_colour(self) -> None:
        self.selectorRequested.emit()

    def _refresh(self) -> None:
        self._current.setStyleSheet(_swatch_style(self._colour, 22))

    def _offer_recolour(self, button: QToolButton, colour_of) -> None:
        button.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        button.customContextMenuRequested.connect(
            lambda pos: self._recolour_menu(colour_of(), button.mapToGlobal(pos))
        )

    def _recolour_menu(self, colour: QColor, where) -> None:
        # Owned by the panel and answered after exec returns: recolouring rebuilds the swatches, so the
        # button that was clicked may be gone by then.
        menu = QMenu(self)
        recolour = menu.addAction(f"Recolour Hints of {colour.name()}…")
        chosen = menu.exec(where)
        menu.deleteLater()
        if chosen is recolour:
            self.recolourRequested.emit(colour)
