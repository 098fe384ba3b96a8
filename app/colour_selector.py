"""The colour selector: a hue ring around a saturation/value square, a hex field and the colour itself.

It holds no brush colour of its own: the window's colour panel does. The selector shows what it is given
(`set_colour`, which never signals) and reports what the hand chose (`colourChanged`), so the two never
echo each other. Hue, saturation and value are kept as floats so that dragging through grey or black does
not lose the hue the way an RGB round trip would.
"""

from __future__ import annotations

import math
import re

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QConicalGradient,
    QLinearGradient,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
)
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QSizePolicy, QVBoxLayout, QWidget

RING_WIDTH = 0.16  # of the wheel's radius
_HEX = re.compile(r"^#?([0-9a-fA-F]{6}|[0-9a-fA-F]{3})$")


def parse_hex(text: str) -> QColor | None:
    """`#rrggbb` or `#rgb` (the '#' optional, spaces around ignored) as a colour; None for anything else."""
    match = _HEX.match(text.strip())
    if match is None:
        return None
    digits = match.group(1)
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    return QColor(f"#{digits}")


def contrasting(colour: QColor) -> QColor:
    """Black or white, whichever reads on `colour`."""
    luma = 0.299 * colour.red() + 0.587 * colour.green() + 0.114 * colour.blue()
    return QColor(20, 20, 20) if luma > 140 else QColor(245, 245, 245)


class ColourWheel(QWidget):
    """Hue on the ring, saturation left to right and value bottom to top in the square inside it."""

    changed = Signal()  # the hand moved hue, saturation or value

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.hue, self.saturation, self.value = 0.0, 1.0, 1.0
        self._dragging: str | None = None  # "ring" or "square" for the drag under way
        self.setMinimumSize(160, 160)
        policy = QSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setToolTip("Drag on the ring for the hue, in the square for saturation and brightness")

    def sizeHint(self) -> QSize:
        return QSize(240, 240)

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return width

    def colour(self) -> QColor:
        return QColor.fromHsvF(self.hue, self.saturation, self.value)

    def set_hsv(self, hue: float, saturation: float, value: float) -> None:
        self.hue, self.saturation, self.value = hue % 1.0, _unit(saturation), _unit(value)
        self.update()

    # --- geometry ---
    def _centre(self) -> QPointF:
        return QPointF(self.width() / 2, self.height() / 2)

    def _radius(self) -> float:
        return max(1.0, min(self.width(), self.height()) / 2 - 2)

    def square(self) -> QRectF:
        """The saturation/value square, in widget coordinates."""
        inner = self._radius() * (1 - RING_WIDTH) - 4
        half = inner / math.sqrt(2)
        centre = self._centre()
        return QRectF(centre.x() - half, centre.y() - half, 2 * half, 2 * half)

    def point_of_hue(self, hue: float) -> QPointF:
        """The middle of the ring at `hue` (0 at three o'clock, counter-clockwise as the gradient runs)."""
        middle = self._radius() * (1 - RING_WIDTH / 2)
        angle = hue * 2 * math.pi
        centre = self._centre()
        return QPointF(centre.x() + middle * math.cos(angle), centre.y() - middle * math.sin(angle))

    def point_of(self, saturation: float, value: float) -> QPointF:
        """Where (saturation, value) lies in the square."""
        box = self.square()
        return QPointF(box.left() + saturation * box.width(), box.bottom() - value * box.height())

    # --- input ---
    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            return
        pos = event.position()
        offset = pos - self._centre()
        inside_ring = math.hypot(offset.x(), offset.y()) < self._radius() * (1 - RING_WIDTH) - 2
        self._dragging = "square" if inside_ring else "ring"
        self._follow(pos)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._dragging is not None:
            self._follow(event.position())

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._dragging is not None and event.button() == Qt.MouseButton.LeftButton:
            self._follow(event.position())
            self._dragging = None

    def _follow(self, pos: QPointF) -> None:
        if self._dragging == "ring":
            offset = pos - self._centre()
            if offset.x() == 0 and offset.y() == 0:
                return
            hue = (math.atan2(-offset.y(), offset.x()) / (2 * math.pi)) % 1.0
            changed = hue != self.hue
            self.hue = hue
        else:
            box = self.square()
            saturation = _unit((pos.x() - box.left()) / box.width())
            value = _unit((box.bottom() - pos.y()) / box.height())
            changed = (saturation, value) != (self.saturation, self.value)
            self.saturation, self.value = saturation, value
        if changed:
            self.update()
            self.changed.emit()

    # --- drawing ---
    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        centre, radius = self._centre(), self._radius()
        ring = QConicalGradient(centre, 0)
        for step in range(7):
            ring.setColorAt(step / 6, QColor.fromHsvF((step / 6) % 1.0, 1, 1))
        path = QPainterPath()
        path.addEllipse(centre, radius, radius)
        inner = radius * (1 - RING_WIDTH)
        path.addEllipse(centre, inner, inner)  # odd-even fill: the ring only
        painter.setPen(QPen(QColor(20, 20, 22), 1))
        painter.setBrush(QBrush(ring))
        painter.drawPath(path)

        box = self.square()
        painter.setPen(Qt.PenStyle.NoPen)
        painter.fillRect(box, QColor.fromHsvF(self.hue, 1, 1))
        whites = QLinearGradient(box.topLeft(), box.topRight())
        whites.setColorAt(0, QColor(255, 255, 255, 255))
        whites.setColorAt(1, QColor(255, 255, 255, 0))
        painter.fillRect(box, whites)
        blacks = QLinearGradient(box.topLeft(), box.bottomLeft())
        blacks.setColorAt(0, QColor(0, 0, 0, 0))
        blacks.setColorAt(1, QColor(0, 0, 0, 255))
        painter.fillRect(box, blacks)
        painter.setPen(QPen(QColor(20, 20, 22), 1))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(box)

        self._marker(
            painter, self.point_of_hue(self.hue), QColor.fromHsvF(self.hue, 1, 1), radius * RING_WIDTH
        )
        self._marker(painter, self.point_of(self.saturation, self.value), self.colour(), 11)
        painter.end()

    @staticmethod
    def _marker(painter: QPainter, at: QPointF, colour: QColor, diameter: float) -> None:
        # Two rims, dark outside light, so the marker shows on any colour under it
        r = max(5.0, diameter / 2)
        painter.setBrush(colour)
        painter.setPen(QPen(QColor(0, 0, 0, 200), 3))
        painter.drawEllipse(at, r, r)
        painter.setPen(QPen(QColor(255, 255, 255), 1.5))
        painter.drawEllipse(at, r, r)


class ColourSwatch(QWidget):
    """A colour shown large, optionally beside the one it replaces (Krita's new | old)."""

    def __init__(self, colour: QColor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._colour = QColor(colour)
        self._before: QColor | None = None
        self.setMinimumSize(44, 30)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)

    def sizeHint(self) -> QSize:
        return QSize(56, 34)

    @property
    def colour(self) -> QColor:
        return QColor(self._colour)

    def set_colour(self, colour: QColor) -> None:
        self._colour = QColor(colour)
        self.setToolTip(f"Brush colour {colour.name()}" if self._before is None else colour.name())
        self.update()

    def set_before(self, colour: QColor | None) -> None:
        self._before = QColor(colour) if colour is not None else None
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        box = QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5)
        if self._before is None:
            painter.fillRect(box, self._colour)
        else:
            top, bottom = QRectF(box), QRectF(box)
            top.setBottom(box.center().y())
            bottom.setTop(box.center().y())
            painter.fillRect(top, self._colour)
            painter.fillRect(bottom, self._before)
        painter.setPen(QPen(QColor(15, 15, 17), 1))
        painter.drawRect(box)
        painter.end()


class ColourSelector(QWidget):
    """Wheel, hex field and the colour, kept in step; `colourChanged` only for the user's own choices."""

    colourChanged = Signal(QColor)

    def __init__(self, colour: QColor | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.wheel = ColourWheel()
        self.swatch = ColourSwatch(colour or QColor(255, 255, 255))
        self.hex_field = QLineEdit()
        self.hex_field.setMaxLength(9)
        self.hex_field.setPlaceholderText("#rrggbb")
        self.hex_field.setToolTip("The colour as #rrggbb; Enter applies it")
        self.hex_field.setFixedWidth(self.hex_field.fontMetrics().horizontalAdvance("#MMMMMMM") + 12)
        self.readout = QLabel()
        self.readout.setStyleSheet("color: palette(placeholder-text);")
        self.wheel.changed.connect(self._wheel_moved)
        self.hex_field.editingFinished.connect(self._hex_entered)
        self.hex_field.textEdited.connect(lambda _: self._mark_hex(True))

        row = QHBoxLayout()
        row.setSpacing(8)
        row.addWidget(self.swatch)
        fields = QVBoxLayout()
        fields.setSpacing(2)
        fields.addWidget(self.hex_field)
        fields.addWidget(self.readout)
        row.addLayout(fields)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.setSpacing(8)
        layout.addWidget(self.wheel, 1)
        layout.addLayout(row)
        # In a dock the wheel takes its size and the palette below takes the rest; a dialog may grow it
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self._colour = QColor()
        self.set_colour(colour or QColor(255, 255, 255))

    @property
    def colour(self) -> QColor:
        return QColor(self._colour)

    def set_colour(self, colour: QColor) -> None:
        """Show `colour` without signalling; the hue stays put when `colour` is the one already shown
        (the answer to our own signal) or has none (greys)."""
        if not colour.isValid():
            return
        if colour.rgb() != self._colour.rgb():
            hue, saturation, value = colour.hsvHueF(), colour.hsvSaturationF(), colour.valueF()
            if hue < 0 or saturation == 0 or value == 0:
                hue = self.wheel.hue
            if value == 0:
                saturation = self.wheel.saturation
            self.wheel.set_hsv(hue, saturation, value)
        self._show(QColor(colour.red(), colour.green(), colour.blue()))

    def _show(self, colour: QColor) -> None:
        self._colour = colour
        self.swatch.set_colour(colour)
        self.hex_field.setText(colour.name())
        self._mark_hex(True)
        h, s, v = self.wheel.hue, self.wheel.saturation, self.wheel.value
        self.readout.setText(f"H {h * 360:.0f}°  S {s * 100:.0f}%  V {v * 100:.0f}%")

    def _wheel_moved(self) -> None:
        colour = self.wheel.colour()
        colour = QColor(colour.red(), colour.green(), colour.blue())
        if colour.rgb() != self._colour.rgb():
            self._show(colour)
            self.colourChanged.emit(self.colour)
        else:
            self._show(colour)  # the readout follows the hue even where the RGB cannot

    def _hex_entered(self) -> None:
        colour = parse_hex(self.hex_field.text())
        if colour is None:
            self._mark_hex(False)
            return
        changed = colour.rgb() != self._colour.rgb()
        self.set_colour(colour)
        self.hex_field.setText(colour.name())
        if changed:
            self.colourChanged.emit(self.colour)

    def _mark_hex(self, good: bool) -> None:
        # A refused entry stays in the field, marked, so it can be corrected rather than retyped
        self.hex_field.setProperty("invalid", not good)
        self.hex_field.setStyleSheet("" if good else "QLineEdit { border: 1px solid #e05555; }")
        self.hex_field.setToolTip(
            "The colour as #rrggbb; Enter applies it"
            if good
            else f"'{self.hex_field.text()}' is not a colour: type six hex digits, like #e06c75"
        )

    @property
    def hex_refused(self) -> bool:
        """The hex field holds an entry that was refused (and is shown marked)."""
        return bool(self.hex_field.property("invalid"))


def _unit(x: float) -> float:
    return min(1.0, max(0.0, float(x)))


__all__ = ["ColourSelector", "ColourSwatch", "ColourWheel", "contrasting", "parse_hex"]
