import threading
import time

import numpy as np
import pytest

pytest.importorskip("PySide6")

from linetint.app.worker import ModelChoice, PreviewEngine  # noqa: E402
from linetint.model.checkpoint import random_checkpoint  # noqa: E402
from linetint.model.colorizer import Colorizer, ModelInfo  # noqa: E402
from linetint.model.config import preset  # noqa: E402
from linetint.model.hints import Hint, HintLayer  # noqa: E402


class FakeColorizer:
    """Paints the image with the last hint's colour after a delay; records the GUI-thread check."""

    def __init__(self, delay: float = 0.05, fail_with: Exception | None = None, device: str = "CPU"):
        self.delay, self.fail_with = delay, fail_with
        self.info = ModelInfo("fake", True, "tiny", device)
        self.threads: list[threading.Thread] = []

    def colorize(self, lineart, hints, max_side):
        self.threads.append(threading.current_thread())
        time.sleep(self.delay)
        if self.fail_with is not None:
            raise self.fail_with
        rgb = np.zeros((*lineart.shape, 3), np.uint8)
        if hints.hints:
            rgb[:] = hints.hints[-1].color
        return rgb

    def to(self, device):
        self.info = ModelInfo("fake", True, "tiny", "CPU")
        self.fail_with = None
        return self


@pytest.fixture
def engine_with(qtbot):
    engines = []

    def make(colorizer):
        engine = PreviewEngine(loader=lambda choice: colorizer)
        engines.append(engine)
        with qtbot.waitSignal(engine.modelLoaded, timeout=5000):
            engine.load_model(ModelChoice())
        return engine

    yield make
    for engine in engines:
        engine.shutdown()


LINEART = np.full((20, 30), 255, np.uint8)


def layer(n: int) -> HintLayer:
    return HintLayer(30, 20, (Hint(1, 1, 2, (n % 256, 0, 0)),))


def test_model_runs_off_the_gui_thread_and_the_preview_arrives(qtbot, engine_with):
    fake = FakeColorizer()
    engine = engine_with(fake)
    with qtbot.waitSignal(engine.previewReady, timeout=5000) as blocker:
        engine.request(LINEART, layer(7), 512)
    assert blocker.args[0].rgb[0, 0].tolist() == [7, 0, 0]
    assert fake.threads and all(t is not threading.main_thread() for t in fake.threads)


def test_fifty_rapid_edits_coalesce_and_the_last_one_is_shown(qtbot, engine_with):
    fake = FakeColorizer(delay=0.05)
    engine = engine_with(fake)
    shown = []
    engine.previewReady.connect(lambda result: shown.append(result))
    for n in range(1, 51):
        engine.request(LINEART, layer(n), 512)
    qtbot.waitUntil(lambda: engine.up_to_date, timeout=5000)
    assert engine.worker.runs <= 3
    assert shown[-1].rgb[0, 0, 0] == 50
    assert [r.serial for r in shown] == sorted(r.serial for r in shown)  # never goes backwards


def test_results_of_a_closed_document_are_dropped(qtbot, engine_with):
    engine = engine_with(FakeColorizer(delay=0.2))
    shown = []
    engine.previewReady.connect(shown.append)
    engine.request(LINEART, layer(1), 512)
    engine.invalidate()
    qtbot.wait(500)
    assert shown == []


def test_a_failing_model_reports_and_keeps_working(qtbot, engine_with):
    fake = FakeColorizer(fail_with=RuntimeError("weights exploded"))
    engine = engine_with(fake)
    with qtbot.waitSignal(engine.failed, timeout=5000) as blocker:
        engine.request(LINEART, layer(1), 512)
    assert "weights exploded" in blocker.args[0]
    fake.fail_with = None
    with qtbot.waitSignal(engine.previewReady, timeout=5000):
        engine.request(LINEART, layer(2), 512)


def test_gpu_out_of_memory_falls_back_to_cpu(qtbot, engine_with):
    fake = FakeColorizer(fail_with=RuntimeError("CUDA out of memory. Tried to allocate 2 GiB"), device="CUDA")
    engine = engine_with(fake)
    with qtbot.waitSignals([engine.deviceFellBack, engine.previewReady], timeout=5000):
        engine.request(LINEART, layer(3), 512)
    assert fake.info.device == "CPU"


def test_a_bad_checkpoint_reports_instead_of_crashing(qtbot, tmp_path):
    (tmp_path / "bad.pt").write_text("not a checkpoint")
    engine = PreviewEngine()
    try:
        with qtbot.waitSignal(engine.modelFailed, timeout=10000) as blocker:
            engine.load_model(ModelChoice(tmp_path / "bad.pt", "cpu"))
        assert "bad.pt" in blocker.args[0]
    finally:
        engine.shutdown()


def test_real_colorizer_through_the_worker(qtbot, engine_with):
    engine = engine_with(Colorizer(random_checkpoint(preset("tiny")), "cpu"))
    with qtbot.waitSignal(engine.previewReady, timeout=10000) as blocker:
        engine.request(LINEART, layer(1), 64)
    assert blocker.args[0].rgb.shape == (20, 30, 3)


def test_an_export_render_is_not_replaced_by_later_previews(qtbot, engine_with):
    engine = engine_with(FakeColorizer(delay=0.05))
    renders = []
    engine.renderReady.connect(renders.append)
    serial = engine.render_full(LINEART, layer(9), 4096)
    for n in range(10):
        engine.request(LINEART, layer(n), 512)
    qtbot.waitUntil(lambda: bool(renders) and engine.up_to_date, timeout=5000)
    assert [r.serial for r in renders] == [serial] and renders[0].rgb[0, 0, 0] == 9
