"""Brush options: the current colour, recent colours and the patch size.

The brush colour lives here and nowhere else: the colour selector and the palette dock show it and set it.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QHBoxLayout, QLabel, QMenu, QSpinBox, QToolButton, QWidget

from linetint.model.hints import MAX_HINT_SIZE, MIN_HINT_SIZE

RECENT_COUNT = 10


def _swatch_style(color: QColor, size: int) -> str:
    return (
        f"QToolButton {{ background: {color.name()}; border: 1px solid #111; border-radius: 3px;"
        f" min-width: {size}px; min-height: {size}px; max-width: {size}px; max-height: {size}px; }}"
        "QToolButton:hover { border: 1px solid #ddd; }"
    )


class ColorPanel(QWidget):
    """Emits `colorChanged` and `sizeChanged`; `recent` remembers colours actually painted (the palette
    dock shows them: a row of them here pushed the toolbar about as it grew).

    A click on the swatch asks for the colour selector (`selectorRequested`); a right-click offers to
    recolour the hints of that colour (`recolorRequested`).
    """

    colorChanged = Signal(QColor)
    sizeChanged = Signal(int)
    recolorRequested = Signal(QColor)
    recentChanged = Signal()
    selectorRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._color = QColor(224, 108, 117)
        self._recent: list[QColor] = []
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 0, 6, 0)
        self._current = QToolButton()
        self._current.setToolTip("Brush colour — click for the colour selector")
        self._current.clicked.connect(self.choose_color)
        self._offer_recolor(self._current, lambda: self.color)
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
    def color(self) -> QColor:
        return QColor(self._color)

    @property
    def size(self) -> int:
        return self._size.value()

    @property
    def recent(self) -> list[QColor]:
        return list(self._recent)

    def set_color(self, color: QColor) -> None:
        if color.isValid() and color.rgb() != self._color.rgb():
            self._color = QColor(color.red(), color.green(), color.blue())
            self._refresh()
            self.colorChanged.emit(self.color)

    def set_size(self, size: int) -> None:
        self._size.setValue(max(MIN_HINT_SIZE, min(MAX_HINT_SIZE, size)))

    def grow(self, step: int) -> None:
        self.set_size(self.size + step)

    def remember(self, color: QColor) -> None:
        """Put a colour that was just painted at the front of the recent row."""
        self._recent = [c for c in self._recent if c.rgb() != color.rgb()]
        self._recent.insert(0, QColor(color))
        del self._recent[RECENT_COUNT:]
        self.recentChanged.emit()

    def forget(self, color: QColor) -> None:
        """Drop a colour from the recent list (one no hint has any more, after a recolour)."""
        kept = [c for c in self._recent if c.rgb() != color.rgb()]
        if len(kept) != len(self._recent):
            self._recent = kept
            self.recentChanged.emit()

    def set_recent(self, colors: list[QColor]) -> None:
        """Replace the recent row (first = newest); invalid and repeated colours are left out."""
        unique: list[QColor] = []
        for color in colors:
            if color.isValid() and all(c.rgb() != color.rgb() for c in unique):
                unique.append(QColor(color.red(), color.green(), color.blue()))
        self._recent = unique[:RECENT_COUNT]
        self.recentChanged.emit()

    def choose_color(self) -> None:
        self.selectorRequested.emit()

    def _refresh(self) -> None:
        self._current.setStyleSheet(_swatch_style(self._color, 22))

    def _offer_recolor(self, button: QToolButton, color_of) -> None:
        button.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        button.customContextMenuRequested.connect(
            lambda pos: self._recolor_menu(color_of(), button.mapToGlobal(pos))
        )

    def _recolor_menu(self, color: QColor, where) -> None:
        # Owned by the panel and answered after exec returns: recolouring rebuilds the swatches, so the
        # button that was clicked may be gone by then.
        menu = QMenu(self)
        recolor = menu.addAction(f"Recolour Hints of {color.name()}…")
        chosen = menu.exec(where)
        menu.deleteLater()
        if chosen is recolor:
            self.recolorRequested.emit(color)
