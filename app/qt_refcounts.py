"""Is this Python + PySide6 pairing sound? A probe for a binding bug that kills the window slowly.

PySide6 6.12.0 on Python < 3.12 drops one reference to `None` on every void Qt call and one to `True`
on every `Signal.emit()`. Where None and True are not immortal (before 3.12) the count reaches zero
after a few thousand calls and the interpreter aborts ("none_dealloc: deallocating None") — about a
minute of hovering over the canvas. A short test never sees it; this probe counts the references
directly, so tests, `linetint selftest --window` and the bundle build can refuse such a pairing.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

PROBE_CALLS = 200


@dataclass(frozen=True)
class RefcountProbe:
    none_drift: int  # references to None gained (+) or lost (-) over PROBE_CALLS void calls
    true_drift: int  # references to True over PROBE_CALLS signal emits
    immortal: bool  # None and True cannot be freed here (Python >= 3.12): drift cannot abort

    @property
    def sound(self) -> bool:
        return self.immortal or (self.none_drift >= 0 and self.true_drift >= 0)

    def describe(self) -> str:
        from PySide6 import __version__ as pyside

        python = ".".join(map(str, sys.version_info[:3]))
        if self.sound:
            return f"Qt bindings sound (PySide6 {pyside}, Python {python})"
        return (
            f"PySide6 {pyside} on Python {python} loses references to None ({self.none_drift}) and True "
            f"({self.true_drift}) per {PROBE_CALLS} calls: the window would abort after minutes of use. "
            "Install PySide6-Essentials < 6.12 or use Python 3.12+."
        )


def probe_refcounts() -> RefcountProbe:
    """Needs a QGuiApplication (or QApplication) to exist: QPainter on a QImage needs one. On an unsound
    pairing the probe itself costs ~2 * PROBE_CALLS references, a few percent of what None starts with."""
    from PySide6.QtCore import QObject, Signal
    from PySide6.QtGui import QColor, QImage, QPainter

    class Emitter(QObject):
        fired = Signal(bool)

    image = QImage(8, 8, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    colour, emitter = QColor(0, 0, 0, 80), Emitter()
    _void_calls(painter, image, colour, 10)  # warm up: first calls may cache objects
    before = sys.getrefcount(None)
    _void_calls(painter, image, colour, PROBE_CALLS)
    none_drift = sys.getrefcount(None) - before
    painter.end()
    emitter.fired.emit(True)
    before = sys.getrefcount(True)
    for _ in range(PROBE_CALLS):
        emitter.fired.emit(True)
    true_drift = sys.getrefcount(True) - before
    return RefcountProbe(none_drift, true_drift, sys.version_info >= (3, 12))


def _void_calls(painter, image, colour, count: int) -> None:
    for _ in range(count // 2):
        painter.fillRect(1, 1, 3, 3, colour)
        image.fill(0)
