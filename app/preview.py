"""The colour preview beside the canvas: the newest result, fitted, with the eyedropper on it.

With a view set (`set_view`), it shows only that part of the picture — the part the zoomed-in canvas
shows — so the colours of the area being painted are seen large.

The preview is for looking: only Alt+click, Ctrl+click or the eyedropper take a colour from it. A plain
click does nothing to the brush (`plainClicked` lets the window say so), and the pointer shows which
is which: a cross where a click picks, an arrow where it does not.

`guidance` (app/guidance.py) is said over the picture in a box: what to do on a page with no hints yet.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QImage, QMouseEvent, QPainter, QPaintEvent, QWheelEvent
from PySide6.QtWidgets import QWidget

from .canvas import BACKGROUND
from .qt_images import rgb_to_qimage


class PreviewPane(QWidget):
    colourPicked = Signal(QColor)
    plainClicked = Signal()  # a click that picks nothing: neither the eyedropper nor Alt/Ctrl
    wheelZoomed = Signal(QPointF, float)  # the picture point under the wheel (fractions), wheel steps

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMinimumSize(160, 160)
        self._rgb: np.ndarray | None = None
        self._image: QImage | None = None
        self.message = "The colour preview appears here"
        self.guidance = ""  # what to do next, over the picture; "" once the page is under way
        self.busy = False
        self._view: QRectF | None = None  # fractions of the picture's width and height; None: all of it
        self.picking = False  # the eyedropper is the tool: a plain click picks too
        self._hovered = False
        self.setMouseTracking(True)

    @property
    def rgb(self) -> np.ndarray | None:
        return self._rgb

    def set_result(self, rgb: np.ndarray | None, image: QImage | None = None) -> None:
        """Show `rgb`; `image`, if given, is it already as a QImage (made off the GUI thread)."""
        self._rgb = rgb
        self._image = None if rgb is None else image if image is not None else rgb_to_qimage(rgb)
        self.update()

    @property
    def view(self) -> QRectF | None:
        return None if self._view is None else QRectF(self._view)

    def set_view(self, fraction: QRectF | None) -> None:
        """Show the part of the picture at `fraction` (of its width and height), or all of it (None)."""
        self._view = None if fraction is None else QRectF(fraction)
        self.update()

    def zoom_at(self, point: QPointF, factor: float) -> None:
        """Zoom the preview's own view by `factor` keeping `point` (fractions of the picture) in place."""
        view = self._view or QRectF(0, 0, 1, 1)
        side = min(1.0, view.width() / factor), min(1.0, view.height() / factor)
        if side[0] >= 1.0 and side[1] >= 1.0:
            self.set_view(None)
            return
        ux, uy = (point.x() - view.x()) / view.width(), (point.y() - view.y()) / view.height()
        x = min(max(point.x() - ux * side[0], 0.0), 1.0 - side[0])
        y = min(max(point.y() - uy * side[1], 0.0), 1.0 - side[1])
        self.set_view(QRectF(x, y, *side))

    def picture_point(self, pos: QPointF) -> QPointF | None:
        """Widget position -> fractions of the picture's width and height; None off the picture."""
        if self._rgb is None or not self._target().contains(pos):
            return None
        target, source = self._target(), self._source()
        height, width = self._rgb.shape[:2]
        x = source.left() + (pos.x() - target.left()) / target.width() * source.width()
        y = source.top() + (pos.y() - target.top()) / target.height() * source.height()
        return QPointF(x / width, y / height)

    def set_guidance(self, text: str) -> None:
        if text != self.guidance:
            self.guidance = text
            self.update()

    def set_busy(self, busy: bool) -> None:
        self.busy = busy
        self.update()

    def _source(self) -> QRectF:
        """The shown part of the picture, in its pixels (results come at the preview size, not the art's)."""
        if self._rgb is None:
            return QRectF()
        height, width = self._rgb.shape[:2]
        if self._view is None:
            return QRectF(0, 0, width, height)
        v = self._view
        return QRectF(v.x() * width, v.y() * height, v.width() * width, v.height() * height)

    def _target(self) -> QRectF:
        source = self._source()
        scale = min((self.width() - 16) / source.width(), (self.height() - 16) / source.height())
        w, h = source.width() * scale, source.height() * scale
        return QRectF((self.width() - w) / 2, (self.height() - h) / 2, w, h)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), BACKGROUND)
        if self._image is None:
            painter.setPen(QColor(150, 150, 155))
            if not self.guidance:
                painter.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self.message)
            self._paint_guidance(painter)
            return
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
        painter.drawImage(self._target(), self._image, self._source())
        if self._view is not None:  # say why only a part shows, and how to see all of it
            caption = QRectF(8, self.height() - 30, 190, 22)
            painter.fillRect(caption, QColor(0, 0, 0, 140))
            painter.setPen(QColor(230, 230, 235))
            painter.drawText(caption, Qt.AlignmentFlag.AlignCenter, "following the canvas zoom (L)")
        if self.busy:
            painter.setPen(QColor(230, 230, 235))
            painter.fillRect(QRectF(8, 8, 92, 22), QColor(0, 0, 0, 140))
            painter.drawText(QRectF(8, 8, 92, 22), Qt.AlignmentFlag.AlignCenter, "updating…")
        self._paint_guidance(painter)
        if self._hovered:  # what a click does here, where the hand is
            tip = "click picks a colour" if self.picking else "Alt+click picks a colour · wheel zooms"
            box = QRectF(self.width() - 268, 8, 260, 22)
            painter.fillRect(box, QColor(0, 0, 0, 140))
            painter.setPen(QColor(230, 230, 235))
            painter.drawText(box, Qt.AlignmentFlag.AlignCenter, tip)

    def _paint_guidance(self, painter: QPainter) -> None:
        """The guidance in a dark box: in the middle of an empty preview, low over a picture so the
        colours stay in sight."""
        if not self.guidance:
            return
        flags = Qt.AlignmentFlag.AlignLeft | Qt.TextFlag.TextWordWrap
        room = QRectF(0, 0, max(120, self.width() - 48), self.height())
        text = painter.boundingRect(room, flags, self.guidance)
        box = text.adjusted(-12, -10, 12, 10)
        if self._image is None:
            box.moveCenter(QPointF(self.width() / 2, self.height() / 2))
        else:  # above the caption of a followed zoom
            box.moveCenter(QPointF(self.width() / 2, self.height() - 40 - box.height() / 2))
        painter.fillRect(box, QColor(0, 0, 0, 185))
        painter.setPen(QColor(235, 235, 240))
        painter.drawText(box.adjusted(12, 10, -12, -10), flags, self.guidance)

    def pixel_at(self, pos: QPointF) -> QColor | None:
        if self._rgb is None:
            return None
        target, source = self._target(), self._source()
        if not target.contains(pos):
            return None
        height, width = self._rgb.shape[:2]
        x = source.left() + (pos.x() - target.left()) / target.width() * source.width()
        y = source.top() + (pos.y() - target.top()) / target.height() * source.height()
        x, y = min(width - 1, max(0, int(x))), min(height - 1, max(0, int(y)))
        return QColor(*(int(c) for c in self._rgb[y, x]))

    def _picks(self, modifiers: Qt.KeyboardModifier) -> bool:
        return self.picking or bool(
            modifiers & (Qt.KeyboardModifier.AltModifier | Qt.KeyboardModifier.ControlModifier)
        )

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            return
        colour = self.pixel_at(event.position())
        if colour is None:
            return
        if self._picks(event.modifiers()):
            self.colourPicked.emit(colour)
        else:
            self.plainClicked.emit()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        picks = self._picks(event.modifiers()) and self.pixel_at(event.position()) is not None
        self.setCursor(Qt.CursorShape.CrossCursor if picks else Qt.CursorShape.ArrowCursor)

    def enterEvent(self, event) -> None:
        self._hovered = True
        self.update()
        super().enterEvent(event)

    def leaveEvent(self, event) -> None:
        self._hovered = False
        self.update()
        super().leaveEvent(event)

    def wheelEvent(self, event: QWheelEvent) -> None:
        point = self.picture_point(event.position())
        steps = event.angleDelta().y() / 120
        if point is not None and steps:
            self.wheelZoomed.emit(point, steps)
