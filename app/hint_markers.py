"""Hints readable at any zoom: each one's own colour inside a dark and a light rim.

At fit zoom a 3 px hint covers a screen pixel or two, and white, pale cyan and cream ones look alike. A
hint smaller than `MIN_MARKER_PX` on screen is drawn as a square of that side around its centre, filled
with its colour. Every hint gets a one-pixel dark rim and, outside it, a light one, so it shows on paper,
on lines and on colour. All rims go under all fills: a stroke of overlapping dabs reads as one shape.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from PySide6.QtCore import QPointF, QRect, QSize, Qt
from PySide6.QtGui import QColor, QImage, QPainter

from linetint.model.hints import Hint, HintLayer

MIN_MARKER_PX = 9  # on-screen side under which a hint is drawn as a marker
DARK_RIM = QColor(20, 20, 24)
LIGHT_RIM = QColor(250, 250, 250)


class HintGeometry:
    """A layer's hints as arrays (left, top, size): finding the visible ones costs no Python loop."""

    def __init__(self, layer: HintLayer, previous: HintGeometry | None = None) -> None:
        """`previous`: the geometry of a layer this one only appends to, whose arrays are reused."""
        start = len(previous.size) if previous is not None else 0
        new = layer.hints[start:]
        arrays = [np.array([(h.x, h.y, h.size) for h in new], np.float64).reshape(-1, 3)]
        if previous is not None:
            arrays.insert(0, np.stack([previous.left, previous.top, previous.size], axis=1))
        table = np.concatenate(arrays)
        self.layer = layer
        self.left: np.ndarray = table[:, 0].copy()
        self.top: np.ndarray = table[:, 1].copy()
        self.size: np.ndarray = table[:, 2].copy()

    def screen_squares(self, zoom: float, offset: QPointF, view: QSize) -> tuple[np.ndarray, list[QRect]]:
        """Indices of the hints seen in a `view`-sized widget, and each one's square on screen (at least
        `MIN_MARKER_PX` a side, centred on the hint)."""
        side = np.maximum(self.size * zoom, MIN_MARKER_PX)
        cx = (self.left + self.size / 2) * zoom + offset.x()
        cy = (self.top + self.size / 2) * zoom + offset.y()
        left, top = np.round(cx - side / 2), np.round(cy - side / 2)
        seen = np.flatnonzero(
            (left + side >= -2) & (left <= view.width() + 2) & (top + side >= -2) & (top <= view.height() + 2)
        )
        exact = self.size[seen] * zoom >= MIN_MARKER_PX  # big enough: the exact patch, as the image has it
        x0 = np.where(exact, np.round(self.left[seen] * zoom + offset.x()), left[seen]).astype(int)
        y0 = np.where(exact, np.round(self.top[seen] * zoom + offset.y()), top[seen]).astype(int)
        sides = np.round(side[seen]).astype(int)
        squares = [
            QRect(x, y, s, s) for x, y, s in zip(x0.tolist(), y0.tolist(), sides.tolist(), strict=True)
        ]
        return seen, squares

    def marker_at(self, x: float, y: float, zoom: float) -> int | None:
        """The topmost hint whose marker (or patch, if larger) covers image point (x, y)."""
        if not len(self.size):
            return None
        half = np.maximum(self.size, MIN_MARKER_PX / zoom) / 2
        cx, cy = self.left + self.size / 2, self.top + self.size / 2
        hit = np.flatnonzero((np.abs(x - cx) <= half) & (np.abs(y - cy) <= half))
        return int(hit[-1]) if len(hit) else None


class HintOverlay:
    """The rims of the hints in view and the markers of the small ones, as two widget-sized pictures made
    once per view and hint change: pointer moves repaint the canvas without redrawing thousands of hints."""

    def __init__(self) -> None:
        self._key: tuple | None = None
        self._pictures: tuple[QImage, QImage] | None = None

    def pictures(
        self, geometry: HintGeometry, zoom: float, offset: QPointF, view: QSize
    ) -> tuple[QImage, QImage]:
        """(rims, markers): draw the rims under the hint layer and the markers over it."""
        key = (id(geometry), len(geometry.size), zoom, offset.x(), offset.y(), view.width(), view.height())
        if key != self._key or self._pictures is None:
            self._pictures = _draw(geometry, zoom, offset, view)
            self._key = key
        return self._pictures


def _draw(geometry: HintGeometry, zoom: float, offset: QPointF, view: QSize) -> tuple[QImage, QImage]:
    rims, marks = (QImage(view, QImage.Format.Format_ARGB32_Premultiplied) for _ in range(2))
    for picture in (rims, marks):
        picture.fill(Qt.GlobalColor.transparent)
    seen, squares = geometry.screen_squares(zoom, offset, view)
    if not squares:
        return rims, marks
    painter = QPainter(rims)
    painter.setPen(Qt.PenStyle.NoPen)
    for grow, colour in ((2, LIGHT_RIM), (1, DARK_RIM)):  # light outside dark: one of them shows anywhere
        painter.setBrush(colour)
        painter.drawRects([square.adjusted(-grow, -grow, grow, grow) for square in squares])
    painter.end()
    _fill_small(marks, geometry.layer.hints, seen.tolist(), squares, geometry.size[seen] * zoom)
    return rims, marks


def _fill_small(
    picture: QImage, hints: Sequence[Hint], seen: list[int], squares: list[QRect], screen_sizes: np.ndarray
) -> None:
    painter = QPainter(picture)
    for index, square, small in zip(seen, squares, (screen_sizes < MIN_MARKER_PX).tolist(), strict=True):
        if small:  # in drawing order: a later hint covers an earlier one
            painter.fillRect(square, QColor(*hints[index].color))
    painter.end()
