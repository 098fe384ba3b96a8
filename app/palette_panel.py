"""The Palette dock: the picture's colours with their hint counts, recent colours and pinned swatches.

Click a swatch to paint with it; right-click to recolour that colour's hints or to pin or unpin it. Pinned
swatches can be imported from and exported to GIMP palettes (.gpl), which Krita and Inkscape share.
LineTint has no hint selection, so there is no "select its hints" here.
"""

from __future__ import annotations

import math
from collections import Counter
from pathlib import Path

from PySide6.QtCore import QPoint, QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QMouseEvent, QPainter, QPaintEvent, QPen, QResizeEvent
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMenu,
    QMessageBox,
    QScrollArea,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from .colour_selector import contrasting
from .palette_file import SUFFIX, Palette, PaletteFileError, Rgb, Swatch, read_gpl, write_gpl

CELL, GAP = 28, 4
PALETTE_FILTER = f"GIMP palette (*{SUFFIX})"


def rgb_of(colour: QColor) -> Rgb:
    return colour.red(), colour.green(), colour.blue()


class SwatchGrid(QWidget):
    """Swatches flowing in rows as wide as the dock, each with an optional number in its corner."""

    clicked = Signal(QColor)
    menuRequested = Signal(QColor, QPoint)  # the colour, and where (global) to show its menu

    def __init__(self, empty_text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._entries: list[tuple[QColor, str, str]] = []  # colour, corner text, tooltip
        self._empty_text = empty_text
        self._brush: Rgb | None = None
        self.setMouseTracking(True)
        policy = QSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)

    def set_entries(self, entries: list[tuple[QColor, str, str]]) -> None:
        self._entries = list(entries)
        self._fit_height()
        self.update()

    def set_brush(self, rgb: Rgb) -> None:
        self._brush = rgb
        self.update()

    def colours(self) -> list[QColor]:
        return [QColor(colour) for colour, _, _ in self._entries]

    def corner_texts(self) -> list[str]:
        return [text for _, text, _ in self._entries]

    def _columns(self, width: int) -> int:
        return max(1, (width + GAP) // (CELL + GAP))

    def cell_rect(self, index: int) -> QRect:
        columns = self._columns(self.width())
        row, column = divmod(index, columns)
        return QRect(column * (CELL + GAP), row * (CELL + GAP), CELL, CELL)

    def index_at(self, pos: QPoint) -> int | None:
        for index in range(len(self._entries)):
            if self.cell_rect(index).contains(pos):
                return index
        return None

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        if not self._entries:
            return CELL
        rows = math.ceil(len(self._entries) / self._columns(width))
        return rows * (CELL + GAP) - GAP

    def sizeHint(self) -> QSize:
        return QSize(8 * (CELL + GAP), self.heightForWidth(8 * (CELL + GAP)))

    def _fit_height(self) -> None:
        # A scroll area does not ask for height-for-width: give the rows' height outright
        self.setFixedHeight(self.heightForWidth(max(self.width(), CELL)))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_height()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        index = self.index_at(event.position().toPoint())
        if index is None:
            return
        colour = QColor(self._entries[index][0])
        if event.button() == Qt.MouseButton.LeftButton:
            self.clicked.emit(colour)
        elif event.button() == Qt.MouseButton.RightButton:
            self.menuRequested.emit(colour, event.globalPosition().toPoint())

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        index = self.index_at(event.position().toPoint())
        self.setToolTip("" if index is None else self._entries[index][2])
        self.setCursor(Qt.CursorShape.PointingHandCursor if index is not None else Qt.CursorShape.ArrowCursor)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        if not self._entries:
            painter.setPen(self.palette().placeholderText().color())
            painter.drawText(
                self.rect(), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, self._empty_text
            )
            painter.end()
            return
        small = QFont(self.font())
        small.setPixelSize(9)
        small.setBold(True)
        painter.setFont(small)
        for index, (colour, corner, _) in enumerate(self._entries):
            box = self.cell_rect(index)
            painter.fillRect(box, colour)
            painter.setPen(QPen(QColor(12, 12, 14), 1))
            painter.drawRect(box.adjusted(0, 0, -1, -1))
            if self._brush == rgb_of(colour):  # the brush colour: ringed, so it is found at a glance
                painter.setPen(QPen(QColor(250, 250, 250), 2))
                painter.drawRect(box.adjusted(1, 1, -2, -2))
            if corner:
                painter.setPen(contrasting(colour))
                text_box = box.adjusted(2, 1, -3, -1)
                painter.drawText(text_box, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignBottom, corner)
        painter.end()


def _section_title(text: str) -> QLabel:
    label = QLabel(text)
    font = label.font()
    font.setPointSizeF(max(7.0, font.pointSizeF() * 0.85))
    font.setBold(True)
    label.setFont(font)
    label.setStyleSheet("color: palette(placeholder-text); padding-top: 4px;")
    return label


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _short_count(count: int) -> str:
    return str(count) if count < 1000 else f"{count // 1000}k"


class PalettePanel(QWidget):
    """Shows colours given by the window (`set_hint_counts`, `set_recent`, `set_brush_colour`); owns the
    pinned swatches (`pinned`, `set_pinned`, `pinnedChanged`)."""

    colourPicked = Signal(QColor)
    recolourRequested = Signal(QColor)
    pinnedChanged = Signal()
    message = Signal(str)  # for the status bar

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._counts: dict[Rgb, int] = {}
        self._recent: list[QColor] = []
        self._pinned: list[Swatch] = []
        self._brush: Rgb = (0, 0, 0)
        self.last_folder: Path | None = None  # where the last palette was imported or exported

        self.in_use_title = _section_title("")
        self.in_use = SwatchGrid("No hints yet")
        self.recent_grid = SwatchGrid("Colours you paint with")
        self.pinned_grid = SwatchGrid("Right-click a colour to pin it")
        body = QWidget()
        column = QVBoxLayout(body)
        column.setContentsMargins(8, 4, 8, 8)
        column.setSpacing(4)
        for title, grid in (
            (self.in_use_title, self.in_use),
            (_section_title("RECENT"), self.recent_grid),
            (_section_title("PINNED"), self.pinned_grid),
        ):
            column.addWidget(title)
            column.addWidget(grid)
            grid.clicked.connect(self.colourPicked)
            grid.menuRequested.connect(self._show_menu)
        column.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidget(body)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)

        self.pin_button = self._button("Pin", "Pin the brush colour to the palette", self.pin_brush_colour)
        self.import_button = self._button(
            "Import…", "Add the colours of a GIMP palette (.gpl)", self.import_dialog
        )
        self.export_button = self._button(
            "Export…",
            "Save the pinned colours and the picture's as a GIMP palette (.gpl)",
            self.export_dialog,
        )
        buttons = QHBoxLayout()
        buttons.setContentsMargins(8, 0, 8, 6)
        buttons.setSpacing(4)
        for button in (self.pin_button, self.import_button, self.export_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(scroll, 1)
        layout.addLayout(buttons)
        self._refresh()

    def _button(self, text: str, tip: str, slot) -> QToolButton:
        button = QToolButton()
        button.setText(text)
        button.setToolTip(tip)
        button.setAutoRaise(True)
        button.clicked.connect(slot)
        return button

    def sizeHint(self) -> QSize:
        return QSize(260, 320)

    # --- what the window gives ---
    def set_hint_counts(self, counts: Counter[Rgb] | dict[Rgb, int]) -> None:
        """The picture's hint colours and how many hints each has (empty: no picture or no hints)."""
        self._counts = dict(counts)
        self._refresh_in_use()

    def set_recent(self, colours: list[QColor]) -> None:
        self._recent = [QColor(c) for c in colours]
        self.recent_grid.set_entries([(c, "", c.name()) for c in self._recent])

    def set_brush_colour(self, colour: QColor) -> None:
        self._brush = rgb_of(colour)
        for grid in (self.in_use, self.recent_grid, self.pinned_grid):
            grid.set_brush(self._brush)

    @property
    def counts(self) -> dict[Rgb, int]:
        return dict(self._counts)

    # --- pinned swatches ---
    @property
    def pinned(self) -> list[Swatch]:
        return list(self._pinned)

    def set_pinned(self, swatches: list[Swatch]) -> None:
        """Replace the pinned swatches (repeated colours keep their first name), without signalling."""
        self._pinned = []
        for swatch in swatches:
            if all(p.rgb != swatch.rgb for p in self._pinned):
                self._pinned.append(swatch)
        self._refresh_pinned()

    def pin(self, colour: QColor, name: str = "") -> bool:
        rgb = rgb_of(colour)
        if any(p.rgb == rgb for p in self._pinned):
            return False
        self._pinned.append(Swatch(rgb, name))
        self._refresh_pinned()
        self.pinnedChanged.emit()
        return True

    def unpin(self, colour: QColor) -> bool:
        rgb = rgb_of(colour)
        kept = [p for p in self._pinned if p.rgb != rgb]
        if len(kept) == len(self._pinned):
            return False
        self._pinned = kept
        self._refresh_pinned()
        self.pinnedChanged.emit()
        return True

    def pin_brush_colour(self) -> None:
        if not self.pin(QColor(*self._brush)):
            self.message.emit(f"{QColor(*self._brush).name()} is pinned already")

    # --- the right-click menu ---
    def menu_for(self, colour: QColor) -> QMenu:
        """The right-click menu of a swatch of `colour`; its actions do the work when triggered."""
        rgb, name = rgb_of(colour), colour.name()
        menu = QMenu(self)
        count = self._counts.get(rgb, 0)
        recolour = menu.addAction(f"Recolour {count} Hint{'s' if count != 1 else ''} of {name}…")
        recolour.setEnabled(count > 0)
        recolour.triggered.connect(lambda: self.recolourRequested.emit(QColor(colour)))
        menu.addSeparator()
        if any(p.rgb == rgb for p in self._pinned):
            menu.addAction(f"Unpin {name}").triggered.connect(lambda: self.unpin(colour))
        else:
            menu.addAction(f"Pin {name}").triggered.connect(lambda: self.pin(colour))
        return menu

    def _show_menu(self, colour: QColor, where: QPoint) -> None:
        menu = self.menu_for(colour)
        menu.exec(where)
        menu.deleteLater()

    # --- .gpl files ---
    def import_dialog(self) -> None:
        folder = str(self.last_folder) if self.last_folder else ""
        path, _ = QFileDialog.getOpenFileName(self, "Import Palette", folder, PALETTE_FILTER)
        if path:
            self.import_palette(Path(path))

    def import_palette(self, path: Path) -> bool:
        """Pin the colours of the .gpl at `path`; a file that is not one is refused with a message."""
        try:
            palette = read_gpl(path)
        except PaletteFileError as exc:
            QMessageBox.warning(self, "Cannot import the palette", str(exc))
            return False
        self.last_folder = path.parent
        before = len(self._pinned)
        self.set_pinned(self._pinned + list(palette.swatches))
        added = len(self._pinned) - before
        title = palette.name or path.stem
        if added:
            self.pinnedChanged.emit()
        self.message.emit(
            f"{title}: {added} colour{'s' if added != 1 else ''} pinned"
            + (f", {len(palette.swatches) - added} already there" if len(palette.swatches) > added else "")
        )
        return True

    def export_dialog(self) -> None:
        start = str((self.last_folder or Path()) / f"LineTint{SUFFIX}")
        chosen, _ = QFileDialog.getSaveFileName(self, "Export Palette", start, PALETTE_FILTER)
        if chosen:
            self.export_palette(Path(chosen if chosen.lower().endswith(SUFFIX) else chosen + SUFFIX))

    def as_palette(self, name: str) -> Palette:
        """The pinned swatches, then the picture's other colours (most used first), as a palette."""
        swatches = list(self._pinned)
        pinned = {s.rgb for s in swatches}
        for rgb, count in sorted(self._counts.items(), key=lambda item: -item[1]):
            if rgb not in pinned:
                swatches.append(Swatch(rgb, f"{QColor(*rgb).name()} ({count} hints)"))
        return Palette(name, 8, tuple(swatches))

    def export_palette(self, path: Path) -> bool:
        try:
            write_gpl(self.as_palette(path.stem), path)
        except OSError as exc:
            QMessageBox.warning(
                self, "Cannot export the palette", f"LineTint could not write {path.name}:\n{exc}"
            )
            return False
        self.last_folder = path.parent
        self.message.emit(f"Palette saved as {path.name}")
        return True

    # --- drawing ---
    def _refresh(self) -> None:
        self._refresh_in_use()
        self.set_recent(self._recent)
        self._refresh_pinned()

    def _refresh_in_use(self) -> None:
        ordered = sorted(self._counts.items(), key=lambda item: (-item[1], item[0]))
        entries = []
        for rgb, count in ordered:
            colour = QColor(*rgb)
            entries.append(
                (colour, _short_count(count), f"{colour.name()} — {count} hint{'s' if count != 1 else ''}")
            )
        self.in_use.set_entries(entries)
        total = sum(self._counts.values())
        colours = len(self._counts)
        summary = f" · {_plural(colours, 'colour')}, {_plural(total, 'hint')}" if colours else ""
        self.in_use_title.setText(f"IN THIS PICTURE{summary}".upper())

    def _refresh_pinned(self) -> None:
        entries = []
        for swatch in self._pinned:
            colour = QColor(*swatch.rgb)
            tip = f"{swatch.name} ({swatch.hex})" if swatch.name and swatch.name != swatch.hex else swatch.hex
            entries.append((colour, "", tip))
        self.pinned_grid.set_entries(entries)


__all__ = ["PalettePanel", "SwatchGrid"]
