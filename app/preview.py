"""The colour preview beside the canvas: the newest result, fitted, with the eyedropper on it."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import QWidget

from .canvas import BACKGROUND
from .qt_images import rgb_to_qimage


class PreviewPane(QWidget):
    colorPicked = Signal(QColor)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMinimumSize(160, 160)
        self._rgb: np.ndarray | None = None
        self._image = None
        self.message = "The colour preview appears here"
        self.busy = False

    @property
    def rgb(self) -> np.ndarray | None:
        return self._rgb

    def set_result(self, rgb: np.ndarray | None) -> None:
        self._rgb = rgb
        self._image = None if rgb is None else rgb_to_qimage(rgb)
        self.update()

    def set_busy(self, busy: bool) -> None:
        self.busy = busy
        self.update()

    def _target(self) -> QRectF:
        height, width = self._rgb.shape[:2]
        scale = min((self.width() - 16) / width, (self.height() - 16) / height)
        w, h = width * scale, height * scale
        return QRectF((self.width() - w) / 2, (self.height() - h) / 2, w, h)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), BACKGROUND)
        if self._image is None:
            painter.setPen(QColor(150, 150, 155))
            painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self.message)
            return
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
        painter.drawImage(self._target(), self._image)
        if self.busy:
            painter.setPen(QColor(230, 230, 235))
            painter.fillRect(QRectF(8, 8, 92, 22), QColor(0, 0, 0, 140))
            painter.drawText(QRectF(8, 8, 92, 22), Qt.AlignmentFlag.AlignCenter, "updating…")

    def pixel_at(self, pos: QPointF) -> QColor | None:
        if self._rgb is None:
            return None
        target = self._target()
        if not target.contains(pos):
            return None
        height, width = self._rgb.shape[:2]
        x = min(width - 1, int((pos.x() - target.left()) / target.width() * width))
        y = min(height - 1, int((pos.y() - target.top()) / target.height() * height))
        return QColor(*(int(c) for c in self._rgb[y, x]))

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            color = self.pixel_at(event.position())
            if color is not None:
                self.colorPicked.emit(color)
