"""A long painting session on the real window, driven by synthetic events: the test for faults that only
show after minutes of use (a binding that leaks references to None, memory that grows per edit).

`linetint selftest --window` runs it offscreen on the packaged sample; tests/test_soak.py runs that
command in its own process, so an abort fails one test and is seen as the abort it is.
"""

from __future__ import annotations

import gc
import os
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib.resources import as_file
from pathlib import Path

import numpy as np
from PySide6.QtCore import QEvent, QPointF, QSettings, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication, QDialog

from linetint.model.devices import trim_freed_memory
from linetint.model.hints import hint_rgba

from .canvas import Tool
from .qt_refcounts import RefcountProbe, probe_refcounts

Button = Qt.MouseButton
NO_MODIFIER = Qt.KeyboardModifier.NoModifier
SETTLE_TIMEOUT_S = 60.0
STROKE_REACH = 24.0  # image px a drag covers: a short stroke, as when filling in an area


@dataclass(frozen=True)
class SoakPlan:
    moves: int = 20_000  # hovering mouse moves over the canvas
    dabs: int = 2_000  # brush and eraser dabs: clicks, and the patches drags lay
    undo_redo: int = 200  # undo and redo steps, in bursts
    seed: int = 0

    def scaled(self, factor: float) -> SoakPlan:
        moves, dabs, undo_redo = (max(1, round(n * factor)) for n in (self.moves, self.dabs, self.undo_redo))
        return SoakPlan(moves, dabs, undo_redo, self.seed)


@dataclass(frozen=True)
class SoakReport:
    moves: int
    dabs: int
    undo_redo: int
    seconds: float
    # live memory (the heap's free memory handed back first: the worker keeps freed memory on purpose)
    rss_before_mb: float  # after the sample opened, its first preview arrived and a short warm-up
    rss_after_mb: float
    hints: int
    canvas_matches_document: bool
    reopened_matches: bool
    dialogs: tuple[str, ...]  # message boxes that appeared (each closed by the soak): none expected
    probe: RefcountProbe

    @property
    def growth_mb(self) -> float:
        return self.rss_after_mb - self.rss_before_mb

    def failures(self, max_growth_mb: float) -> list[str]:
        problems = [] if self.probe.sound else [self.probe.describe()]
        if not self.canvas_matches_document:
            problems.append("the canvas does not show the document's hints")
        if not self.reopened_matches:
            problems.append("the saved and reopened project differs from the document")
        if self.dialogs:
            problems.append(f"message boxes appeared: {'; '.join(self.dialogs)}")
        if self.growth_mb > max_growth_mb:
            problems.append(f"memory grew {self.growth_mb:.0f} MB (bound {max_growth_mb:.0f} MB)")
        return problems

    def summary(self) -> str:
        return (
            f"{self.moves} moves, {self.dabs} dabs, {self.undo_redo} undo/redo in {self.seconds:.0f} s; "
            f"{self.hints} hints; memory {self.rss_before_mb:.0f} -> {self.rss_after_mb:.0f} MB "
            f"({self.growth_mb:+.0f}); {self.probe.describe()}"
        )


def resident_mb() -> float:
    """This process's live resident memory now (Linux), else its peak (macOS/BSD report bytes)."""
    gc.collect()
    trim_freed_memory()
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:
        import resource

        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak / 2**20 if sys.platform == "darwin" else peak / 2**10


class Session:
    """The window under test and the synthetic hand that drives it."""

    def __init__(self, window, seed: int) -> None:
        self.window, self.canvas = window, window.canvas
        self.rng = np.random.default_rng(seed)
        self.dialogs: list[str] = []
        self.dabs = 0

    def point(self, near: QPointF | None = None, reach: float = STROKE_REACH) -> QPointF:
        """A random image position (within `reach` image px of `near`), as a widget position."""
        height, width = self.window.document.lineart.shape
        if near is None:
            image = QPointF(self.rng.uniform(0, width), self.rng.uniform(0, height))
        else:
            image = self.canvas.image_pos(near) + QPointF(*self.rng.uniform(-reach, reach, 2))
        return self.canvas.widget_pos(image)

    def mouse(self, kind: QEvent.Type, pos: QPointF, button=Button.NoButton, buttons=Button.NoButton) -> None:
        event = QMouseEvent(kind, pos, self.canvas.mapToGlobal(pos), button, buttons, NO_MODIFIER)
        QApplication.sendEvent(self.canvas, event)
        self.pump()

    def hover(self) -> None:
        self.mouse(QEvent.Type.MouseMove, self.point())

    def click(self) -> None:
        pos = self.point()
        self.mouse(QEvent.Type.MouseButtonPress, pos, Button.LeftButton, Button.LeftButton)
        self.mouse(QEvent.Type.MouseButtonRelease, pos, Button.LeftButton, Button.NoButton)
        self.dabs += 1

    def drag(self, steps: int) -> None:
        a = self.point()
        b = self.point(near=a)
        self.mouse(QEvent.Type.MouseButtonPress, a, Button.LeftButton, Button.LeftButton)
        for t in np.linspace(0, 1, steps + 1)[1:]:
            self.mouse(QEvent.Type.MouseMove, a + (b - a) * float(t), Button.NoButton, Button.LeftButton)
        self.mouse(QEvent.Type.MouseButtonRelease, b, Button.LeftButton, Button.NoButton)
        self.dabs += steps + 1

    def pump(self) -> None:
        QApplication.processEvents()
        self.close_message_boxes()

    def close_message_boxes(self) -> None:
        """A modal box would wait forever for a click no one makes: note its text and close it."""
        box = QApplication.activeModalWidget()
        if isinstance(box, QDialog):  # message boxes and every other modal window the app opens
            self.dialogs.append(getattr(box, "text", box.windowTitle)())
            box.reject()

    def wait_until(self, condition: Callable[[], bool], timeout_s: float = SETTLE_TIMEOUT_S) -> None:
        deadline = time.monotonic() + timeout_s
        while not condition():
            if time.monotonic() > deadline:
                raise TimeoutError("the window did not settle")
            self.pump()
            time.sleep(0.005)

    def settle(self) -> None:
        engine = self.window.engine
        self.wait_until(lambda: self.window.model_info is not None and engine.up_to_date)

    def canvas_matches_document(self) -> bool:
        return np.array_equal(self.canvas.shown_hints_rgba(), hint_rgba(self.window.document.hints))


def run_soak(window, lineart: Path, hints: Path, plan: SoakPlan, workdir: Path) -> SoakReport:
    """Open `lineart` with `hints` in `window`, paint for `plan`, save and reopen; report what held."""
    session = Session(window, plan.seed)
    if not window.open_path(lineart).wait() or not window.import_hints(hints):
        raise RuntimeError(f"cannot open {lineart} with {hints}")
    session.settle()
    probe = probe_refcounts()
    _paint(session, SoakPlan(moves=200, dabs=20, undo_redo=4, seed=plan.seed))  # warm up caches
    session.settle()
    before = resident_mb()
    start = time.perf_counter()
    session.dabs = 0
    _paint(session, plan)
    session.settle()
    seconds = time.perf_counter() - start
    matches = session.canvas_matches_document()
    reopened = _save_and_reopen(window, workdir / "soak.linetint")
    session.settle()
    return SoakReport(
        plan.moves, session.dabs, plan.undo_redo, seconds, before, resident_mb(),
        len(window.document.hints), matches, reopened, tuple(session.dialogs), probe,
    )  # fmt: skip


def _paint(session: Session, plan: SoakPlan) -> None:
    """Hover moves with painting, erasing, zooming and undo bursts spread evenly among them."""
    rng, window = session.rng, session.window
    target_dabs = session.dabs + plan.dabs
    undo_every = max(1, plan.moves // max(1, plan.undo_redo // 10))
    undone = 0
    for i in range(plan.moves):
        session.hover()
        dabs_due = target_dabs - session.dabs
        if dabs_due > 0 and rng.random() < plan.dabs / max(1, plan.moves) / 4:
            window.set_tool(Tool.ERASER if rng.random() < 0.15 else Tool.BRUSH)
            session.click() if rng.random() < 0.5 else session.drag(min(dabs_due, int(rng.integers(3, 12))))
            window.set_tool(Tool.BRUSH)
        if i % 997 == 0:
            session.canvas.set_zoom(float(rng.choice([0.5, 1.0, 2.0, 4.0])), session.point())
        if i % undo_every == undo_every - 1 and undone < plan.undo_redo:
            undone += _undo_burst(session, min(10, plan.undo_redo - undone))
    while session.dabs < target_dabs:  # the random draw fell short: finish with clicks
        session.click()


def _undo_burst(session: Session, steps: int) -> int:
    actions = session.window.act
    for _ in range(steps // 2):
        actions["undo"].trigger()
        session.pump()
    for _ in range(steps - steps // 2):
        actions["redo"].trigger()
        session.pump()
    return steps


def _save_and_reopen(window, path: Path) -> bool:
    hints, lineart = window.document.hints, window.document.lineart.copy()
    if not window.files.save_to(path) or not window.open_path(path).wait():
        return False
    return window.document.hints == hints and np.array_equal(window.document.lineart, lineart)


def soak_window(plan: SoakPlan, checkpoint: str = "", tiny_model: bool = False) -> SoakReport:
    """The real MainWindow, offscreen, with throw-away settings and autosaves, on the packaged sample."""
    os.environ["QT_QPA_PLATFORM"] = "offscreen"  # a soak never flashes windows on the user's desktop
    from linetint.resources import resource

    from .autosave import AutosaveStore
    from .settings import AppSettings
    from .window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])  # only processEvents: a core app will do
    with tempfile.TemporaryDirectory(prefix="linetint-soak-") as folder:
        work = Path(folder)
        if tiny_model:
            checkpoint = str(_tiny_checkpoint(work / "tiny.pt"))
        settings = AppSettings(device="cpu", preview_max_side=512, checkpoint=checkpoint)
        store = QSettings(str(work / "ui.ini"), QSettings.Format.IniFormat)
        window = MainWindow(settings, autosave=AutosaveStore(work / "autosave"), store=store)
        window.resize(1000, 700)
        window.show()
        # as_file: real paths (opening wants a file), also when the resources sit inside a zip
        lineart, hints = resource("samples", "girl-lineart.png"), resource("samples", "girl-hints.png")
        try:
            with as_file(lineart) as lineart_path, as_file(hints) as hints_path:
                return run_soak(window, lineart_path, hints_path, plan, work)
        finally:
            if window.document is not None:
                window.document.undo_stack.setClean()  # no "save changes?" on close
            window.close()
            app.processEvents()


def _tiny_checkpoint(path: Path) -> Path:
    from linetint.model.checkpoint import random_checkpoint, save_checkpoint
    from linetint.model.config import preset

    save_checkpoint(random_checkpoint(preset("tiny")), path)
    return path
