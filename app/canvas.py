"""The painting surface: line art with the hint layer on top, zoom and pan, tool input.

The canvas owns no document state. It shows images it is given and reports what the hand did, in
line-art pixel coordinates (floats: pixel (i, j) covers [i, i+1) x [j, j+1)), whatever the zoom.
"""

from __future__ import annotations

from enum import Enum

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QImage,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QPixmap,
    QResizeEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import QWidget

from linetint.model.hints import HintLayer

from .hint_markers import HintGeometry, HintOverlay
from .qt_images import grey_to_qimage, qimage_to_rgba, rgb_to_qimage

MIN_ZOOM, MAX_ZOOM = 0.05, 64.0
WHEEL_STEP = 1.25
BACKGROUND = QColor(38, 38, 42)
# Krita's Shift+drag: the brush grows by one image pixel per this many screen pixels dragged right.
RESIZE_DRAG_PX = 6


class Tool(Enum):
    BRUSH = "brush"
    ERASER = "eraser"
    EYEDROPPER = "eyedropper"
    MOVE = "move"


class HintCanvas(QWidget):
    strokeBegan = Signal(QPointF)  # image position of the press
    strokeMoved = Signal(QPointF, QPointF)  # previous and new image position while dragging
    strokeEnded = Signal()
    colourPicked = Signal(QPointF)  # image position the eyedropper was used at
    pointerMoved = Signal(object)  # image position under the pointer (QPointF), None once it leaves
    brushResized = Signal(int)  # the size a Shift+drag asks for
    zoomChanged = Signal(float)
    viewChanged = Signal()  # zoom, pan or size changed what part of the image is on screen

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMinimumSize(200, 200)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self._lineart: QPixmap | None = None
        self._image_size = (0, 0)
        self._hints: QImage | None = None
        self._hint_layer: HintLayer | None = None  # what the picture above shows
        self._hint_geometry: HintGeometry | None = None
        self._hint_overlay = HintOverlay()  # rims and minimum-size markers, at screen scale
        self._preview: QImage | None = None
        self._preview_lined = False  # the preview holds its own lines (a recoloured picture): no multiply
        self.preview_rgb: np.ndarray | None = None
        self.show_hints = True
        self.show_preview_under = False
        self.tool = Tool.BRUSH
        self.brush_size = 3
        self._brush_square = None  # callable (x, y) -> (x, y, size) | None, the rule used for painting
        self._zoom = 1.0
        self._offset = QPointF(0, 0)  # widget position of the image's top-left corner
        self._cursor: QPointF | None = None
        self._dragging = False
        self._last: QPointF | None = None
        self._pan_from: QPointF | None = None
        self._space_held = False
        self._resize_from: tuple[float, int] | None = None  # Shift+drag: pointer x and size at the press

    # --- content ---
    def set_lineart(self, grey: np.ndarray) -> None:
        """Show `grey`. Another line art of the same size (a clean-up, or its trial) keeps the colour under
        it until a new one comes; a new size drops it and fits the view."""
        resized = self._lineart is None or self._image_size != (grey.shape[1], grey.shape[0])
        self._lineart = QPixmap.fromImage(grey_to_qimage(grey))
        self._image_size = (grey.shape[1], grey.shape[0])
        if resized:
            self.set_preview(None)
            self.fit()
        self.update()

    def set_hints(self, layer: HintLayer) -> None:
        """Show `layer`. Hints appended to the shown ones (a stroke going on) are drawn onto the pictures
        already made, so a dab costs the same on a 24-megapixel page as on a small one."""
        shown, picture = self._hint_layer, self._hints
        grows = (
            shown is not None
            and (shown.width, shown.height) == (layer.width, layer.height)
            and layer.hints[: len(shown.hints)] == shown.hints
        )
        if shown is None or picture is None or not grows:
            picture = QImage(layer.width, layer.height, QImage.Format.Format_ARGB32_Premultiplied)
            picture.fill(Qt.GlobalColor.transparent)
            self._hints, new = picture, layer.hints
        else:
            new = layer.hints[len(shown.hints) :]
        colours = QPainter(picture)
        colours.setCompositionMode(QPainter.CompositionMode.CompositionMode_Source)  # later hints win
        for hint in new:
            colours.fillRect(hint.x, hint.y, hint.size, hint.size, QColor(*hint.color))
        colours.end()
        self._hint_geometry = HintGeometry(layer, self._hint_geometry if grows else None)
        self._hint_layer = layer
        self.update()

    def hint_under_pointer(self, pos: QPointF) -> int | None:
        """Index of the topmost hint whose marker, as drawn at this zoom, covers image point `pos`."""
        if self._hint_geometry is None or not self.show_hints:
            return None
        return self._hint_geometry.marker_at(pos.x(), pos.y(), self._zoom)

    def shown_hints_rgba(self) -> np.ndarray | None:
        """The hint picture the canvas draws, as straight-alpha RGBA: what the user sees of the hints."""
        return None if self._hints is None else qimage_to_rgba(self._hints)

    def set_preview(
        self, rgb: np.ndarray | None, image: QImage | None = None, multiply_lines: bool = True
    ) -> None:
        """The colour shown under the lines in Preview Under mode; `image`: `rgb` as a QImage already.
        `multiply_lines=False`: `rgb` has its lines already (a picture recoloured with its own light and
        shade), so it is shown as it is, instead of the line art."""
        self.preview_rgb = rgb  # at the network's working size; the eyedropper reads it
        self._preview = None if rgb is None else image if image is not None else rgb_to_qimage(rgb)
        self._preview_lined = not multiply_lines
        if self.show_preview_under:
            self.update()

    def set_brush_rule(self, rule) -> None:
        """`rule(x, y) -> (left, top, size)` of the patch a click at image (x, y) lays, for the cursor."""
        self._brush_square = rule

    # --- view ---
    @property
    def zoom(self) -> float:
        return self._zoom

    def image_pos(self, widget_pos: QPointF) -> QPointF:
        return (widget_pos - self._offset) / self._zoom

    def widget_pos(self, image_pos: QPointF) -> QPointF:
        return image_pos * self._zoom + self._offset

    def set_zoom(self, zoom: float, anchor: QPointF | None = None) -> None:
        """Zoom keeping the image point under `anchor` (widget coordinates; default the centre) still."""
        zoom = min(MAX_ZOOM, max(MIN_ZOOM, zoom))
        anchor = QPointF(self.width() / 2, self.height() / 2) if anchor is None else anchor
        fixed = self.image_pos(anchor)
        self._zoom = zoom
        self._offset = anchor - fixed * zoom
        self.zoomChanged.emit(zoom)
        self._view_moved()

    def fit(self) -> None:
        width, height = self._image_size
        if not width:
            return
        zoom = min(max(self.width() - 20, 1) / width, max(self.height() - 20, 1) / height)
        self._zoom = min(MAX_ZOOM, max(MIN_ZOOM, zoom))
        self._offset = QPointF(
            (self.width() - width * self._zoom) / 2, (self.height() - height * self._zoom) / 2
        )
        self.zoomChanged.emit(self._zoom)
        self._view_moved()

    def actual_pixels(self) -> None:
        self.set_zoom(1.0)

    def zoom_in(self) -> None:
        self.set_zoom(self._zoom * WHEEL_STEP)

    def zoom_out(self) -> None:
        self.set_zoom(self._zoom / WHEEL_STEP)

    def pan_by(self, dx: float, dy: float) -> None:
        self._offset += QPointF(dx, dy)
        self._view_moved()

    def visible_fraction(self) -> QRectF | None:
        """The part of the image on screen, as fractions of its width and height; None when all of it is."""
        width, height = self._image_size
        if not width:
            return None
        corners = QRectF(self.image_pos(QPointF(0, 0)), self.image_pos(QPointF(self.width(), self.height())))
        seen = corners.intersected(QRectF(0, 0, width, height))
        if seen.isEmpty() or (seen.width() >= width - 0.5 and seen.height() >= height - 0.5):
            return None
        return QRectF(seen.x() / width, seen.y() / height, seen.width() / width, seen.height() / height)

    def _view_moved(self) -> None:
        self.viewChanged.emit()
        self.update()

    # --- painting ---
    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), BACKGROUND)
        if self._lineart is None:
            painter.setPen(QColor(150, 150, 155))
            painter.drawText(
                self.rect(), Qt.AlignmentFlag.AlignCenter, "Open line art (Ctrl+O) or drop a file here"
            )
            return
        width, height = self._image_size
        target = QRectF(
            self._offset,
            QPointF(self._offset.x() + width * self._zoom, self._offset.y() + height * self._zoom),
        )
        # below 100 % smooth the line art so thin lines do not break up; above, show crisp pixels.
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, self._zoom < 1.0)
        under = self._preview if self.show_preview_under else None
        if under is not None:
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)  # previews come small
            painter.drawImage(target, under)
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, self._zoom < 1.0)
            painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_Multiply)
        if under is None or not self._preview_lined:  # a recoloured picture's lines are in its lightness
            painter.drawPixmap(target, self._lineart, QRectF(0, 0, width, height))
        painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_SourceOver)
        if self.show_hints and self._hints is not None and self._hint_geometry is not None:
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, False)  # hints stay crisp
            rims, markers = self._hint_overlay.pictures(
                self._hint_geometry, self._zoom, self._offset, self.size()
            )
            painter.drawImage(0, 0, rims)
            painter.drawImage(target, self._hints)
            painter.drawImage(0, 0, markers)
        self._paint_cursor(painter)

    def _paint_cursor(self, painter: QPainter) -> None:
        if self._cursor is None or self.tool in (Tool.EYEDROPPER, Tool.MOVE) or self._brush_square is None:
            return
        square = self._brush_square(self._cursor.x(), self._cursor.y(), self.brush_size)
        if square is None:
            return
        left, top, size = square
        rect = QRectF(self.widget_pos(QPointF(left, top)), self.widget_pos(QPointF(left + size, top + size)))
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setPen(QPen(QColor(0, 0, 0, 200), 1))
        painter.drawRect(rect.adjusted(-1, -1, 1, 1))
        painter.setPen(QPen(QColor(255, 255, 255, 230), 1))
        painter.drawRect(rect)

    # --- input ---
    def mousePressEvent(self, event: QMouseEvent) -> None:
        pos = event.position()
        if event.button() == Qt.MouseButton.MiddleButton or (
            event.button() == Qt.MouseButton.LeftButton and self._space_held
        ):
            self._pan_from = pos
            self.setCursor(Qt.CursorShape.ClosedHandCursor)
            return
        if event.button() != Qt.MouseButton.LeftButton or self._lineart is None:
            return
        image = self.image_pos(pos)
        picks = Qt.KeyboardModifier.AltModifier | Qt.KeyboardModifier.ControlModifier  # Krita: Ctrl+click
        if self.tool is Tool.EYEDROPPER or event.modifiers() & picks:
            self.colourPicked.emit(image)
            return
        if event.modifiers() & Qt.KeyboardModifier.ShiftModifier and self.tool in (Tool.BRUSH, Tool.ERASER):
            self._resize_from = (pos.x(), self.brush_size)
            return
        self._dragging, self._last = True, image
        self.strokeBegan.emit(image)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        pos = event.position()
        if self._pan_from is not None:
            delta = pos - self._pan_from
            self._pan_from = pos
            self.pan_by(delta.x(), delta.y())
            return
        if self._resize_from is not None:
            start_x, start_size = self._resize_from
            self.brushResized.emit(start_size + round((pos.x() - start_x) / RESIZE_DRAG_PX))
            return
        image = self.image_pos(pos)
        self._cursor = image
        self.pointerMoved.emit(image)
        if self._dragging and self._last is not None:
            self.strokeMoved.emit(self._last, image)
            self._last = image
        self.update()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._pan_from is not None and event.button() in (
            Qt.MouseButton.MiddleButton,
            Qt.MouseButton.LeftButton,
        ):
            self._pan_from = None
            self.setCursor(Qt.CursorShape.OpenHandCursor if self._space_held else Qt.CursorShape.CrossCursor)
            return
        if event.button() == Qt.MouseButton.LeftButton and self._resize_from is not None:
            self._resize_from = None
            return
        if event.button() == Qt.MouseButton.LeftButton and self._dragging:
            self._dragging, self._last = False, None
            self.strokeEnded.emit()

    def enterEvent(self, event) -> None:
        # Hover focus, as in Krita: keys reach the canvas again after a toolbar widget, and the first
        # click paints rather than only taking the focus.
        self.setFocus(Qt.FocusReason.MouseFocusReason)
        super().enterEvent(event)

    def leaveEvent(self, event) -> None:
        self._cursor = None
        self.pointerMoved.emit(None)
        self.update()

    def wheelEvent(self, event: QWheelEvent) -> None:
        steps = event.angleDelta().y() / 120
        if steps:
            self.set_zoom(self._zoom * WHEEL_STEP**steps, event.position())

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space_held = True
            self.setCursor(Qt.CursorShape.OpenHandCursor)
            return
        super().keyPressEvent(event)

    def keyReleaseEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Space and not event.isAutoRepeat():
            self._space_held = False
            self.setCursor(Qt.CursorShape.CrossCursor)
            return
        super().keyReleaseEvent(event)

    def resizeEvent(self, event: QResizeEvent) -> None:
        old = event.oldSize()
        if old.width() > 0:  # keep the image centre where it was
            self._offset += QPointF((self.width() - old.width()) / 2, (self.height() - old.height()) / 2)
            self.viewChanged.emit()
        elif self._lineart is not None:
            self.fit()
        super().resizeEvent(event)
