"""bench/speed.py's hold on the real app: a QApplication with a ticking timer that measures event-loop
stalls, and the app's window and worker built as the app builds them."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable

import numpy as np
import torch
from speed_common import lineart_array

from linetint.model.colorizer import Colorizer


def _quiet_offscreen(mode, context, message: str) -> None:
    if "propagateSizeHints" not in message:  # the offscreen platform's chatter, once per window
        print(message, file=sys.stderr)


class GuiProbe:
    """Owns the QApplication and a 5 ms QTimer whose tick gaps measure event-loop stalls."""

    def __init__(self) -> None:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        from PySide6.QtCore import QEventLoop, Qt, QTimer, qInstallMessageHandler
        from PySide6.QtWidgets import QApplication

        self.QEventLoop, self.QTimer = QEventLoop, QTimer
        self.app = QApplication.instance() or QApplication([])
        qInstallMessageHandler(_quiet_offscreen)
        self.ticker = QTimer()
        self.ticker.setTimerType(Qt.TimerType.PreciseTimer)
        self.ticker.setInterval(5)
        self.ticker.timeout.connect(self._tick)
        self.ticks: list[float] = []

    def _tick(self) -> None:
        self.ticks.append(time.perf_counter())

    def start_ticking(self) -> None:
        self.ticks = [time.perf_counter()]
        self.ticker.start()

    def stop_ticking(self) -> float:
        """Longest gap between ticks, in ms, since `start_ticking`."""
        self.ticker.stop()
        self.ticks.append(time.perf_counter())
        return max(np.diff(self.ticks)) * 1000 if len(self.ticks) > 1 else 0.0

    def wait(self, done: Callable[[], bool], signals: list, timeout_s: float = 120.0) -> None:
        """Run the event loop until `done()`, checked whenever one of `signals` fires."""
        if done():
            return
        loop = self.QEventLoop()

        def check(*_):
            if done():
                loop.quit()

        for signal in signals:
            signal.connect(check)
        guard = self.QTimer(singleShot=True, interval=int(timeout_s * 1000))
        guard.timeout.connect(loop.quit)
        guard.start()
        loop.exec()
        for signal in signals:
            signal.disconnect(check)
        if not done():
            raise TimeoutError("the preview did not arrive")

    def sleep(self, seconds: float) -> None:
        loop = self.QEventLoop()
        self.QTimer.singleShot(int(seconds * 1000), loop.quit)
        loop.exec()


def lite_colorizer(options: dict) -> Colorizer:
    torch.manual_seed(0)
    return Colorizer.untrained("lite", "cpu", **options)


def make_window(
    probe: GuiProbe, options: dict, side: int, preview_side: int, threads: int | None, quick: bool
):
    """The app's window and worker, the model built in the worker thread as the app does: then this process
    has one OpenMP thread team (a second team, from torch work on the GUI thread, makes libgomp stop
    spinning at barriers because threads outnumber cores: ~25 % slower previews, measured)."""
    from linetint.app.document import Document
    from linetint.app.settings import AppSettings
    from linetint.app.window import MainWindow
    from linetint.app.worker import QUICK_SIDE, PreviewEngine

    engine = PreviewEngine(
        loader=lambda choice: lite_colorizer(options),
        threads=threads,
        quick_side=QUICK_SIDE if quick else None,
    )
    window = MainWindow(AppSettings(device="cpu", preview_max_side=preview_side), engine, autosave=None)
    window.resize(1000, 700)
    window.show()
    probe.wait(lambda: window.model_info is not None, [engine.modelLoaded])
    window.set_document(Document(lineart_array(side)))
    probe.wait(lambda: engine.up_to_date, [engine.previewReady])
    return window, engine


def close_window(window) -> None:
    window.document.undo_stack.setClean()
    window.close()
    window.engine.shutdown()
