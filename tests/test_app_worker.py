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


def test_exports_asked_for_in_a_row_all_arrive_in_order(qtbot, engine_with):
    engine = engine_with(FakeColorizer(delay=0.05))
    renders = []
    engine.renderReady.connect(renders.append)
    serials = [engine.render_full(LINEART, layer(n), 4096) for n in (3, 4, 5)]
    qtbot.waitUntil(lambda: len(renders) == 3, timeout=5000)
    assert [r.serial for r in renders] == serials and [r.rgb[0, 0, 0] for r in renders] == [3, 4, 5]


def test_previews_of_a_big_page_stay_at_the_working_size_and_exports_come_full_size(qtbot, engine_with):
    engine = engine_with(Colorizer(random_checkpoint(preset("tiny")), "cpu"))
    page = np.full((200, 300), 255, np.uint8)
    with qtbot.waitSignal(engine.previewReady, timeout=10000) as preview:
        engine.request(page, HintLayer(300, 200), 64, flat=True)
    shown = preview.args[0]
    assert shown.rgb.shape == (43, 64, 3) and shown.flat.shape == (43, 64, 3)
    assert (shown.display_image.width(), shown.display_image.height()) == (64, 43)
    with qtbot.waitSignal(engine.renderReady, timeout=10000) as render:
        engine.render_full(page, HintLayer(300, 200), 4096, flat=True)
    assert render.args[0].rgb.shape == (200, 300, 3) and render.args[0].flat.shape == (200, 300, 3)


class SizedColorizer(FakeColorizer):
    """Takes time in proportion to the working size, like the network; records each run's max_side."""

    def __init__(self, seconds_per_megapixel: float):
        super().__init__()
        self.rate = seconds_per_megapixel
        self.sides: list[int] = []

    def colorize(self, lineart, hints, max_side):
        self.sides.append(max_side)
        height, width = lineart.shape
        scale = min(1.0, max_side / max(height, width))
        self.delay = self.rate * width * height * scale * scale / 1e6
        return super().colorize(lineart, hints, max_side)


BIG = np.full((600, 800), 255, np.uint8)


def big_layer(n: int) -> HintLayer:
    return HintLayer(800, 600, (Hint(1, 1, 2, (n % 256, 0, 0)),))


def test_an_edit_shows_a_quick_pass_then_the_full_preview(qtbot, engine_with):
    fake = SizedColorizer(seconds_per_megapixel=1.5)  # ~0.4 s at 512, ~0.1 s at 256: the quick one pays
    engine = engine_with(fake)
    shown = []
    engine.previewReady.connect(shown.append)
    engine.request(BIG, big_layer(5), 512)
    qtbot.waitUntil(lambda: len(shown) == 1, timeout=5000)
    assert shown[0].quick and not engine.up_to_date  # the busy indicator stays on
    qtbot.waitUntil(lambda: engine.up_to_date, timeout=5000)
    assert [r.quick for r in shown] == [True, False] and fake.sides == [256, 512]
    assert shown[-1].rgb[0, 0, 0] == 5


def test_a_new_edit_supersedes_the_full_pass_of_the_old_one(qtbot, engine_with):
    fake = SizedColorizer(seconds_per_megapixel=1.5)
    engine = engine_with(fake)
    shown = []
    engine.previewReady.connect(shown.append)
    engine.request(BIG, big_layer(1), 512)
    qtbot.wait(30)  # the quick pass of edit 1 is running
    engine.request(BIG, big_layer(2), 512)
    qtbot.waitUntil(lambda: engine.up_to_date, timeout=5000)
    colours = [(r.rgb[0, 0, 0], r.quick) for r in shown]
    assert colours[0] == (1, True) and colours[-1] == (2, False)
    assert (1, False) not in colours  # edit 1's full pass never ran
    assert fake.sides == [256, 512]


def test_no_quick_pass_when_the_full_preview_is_as_fast(qtbot, engine_with):
    fake = FakeColorizer(delay=0.02)  # the same speed at any size: a quick pass would only add a run
    engine = engine_with(fake)
    shown = []
    engine.previewReady.connect(shown.append)
    for n in range(3):
        engine.request(BIG, big_layer(n), 512)
        qtbot.waitUntil(lambda: engine.up_to_date, timeout=5000)
        qtbot.wait(200)  # clicks, not a drag: only the timings decide about the quick pass
    assert engine.worker.quick_runs == 1  # only the first, before anything was measured
    assert not shown[-1].quick


def test_a_burst_of_edits_is_paced_and_ends_on_the_last_edit(qtbot, engine_with, monkeypatch):
    from linetint.app import worker as worker_module

    monkeypatch.setattr(worker_module, "BURST_INTERVAL_S", 0.4)
    fake = FakeColorizer(delay=0.01)  # unpaced, a fast model would run for almost every edit
    engine = engine_with(fake)
    shown = []
    engine.previewReady.connect(shown.append)
    for n in range(1, 41):  # ~0.4 s of edits, one every 10 ms
        engine.request(LINEART, layer(n), 512)
        qtbot.wait(10)
    qtbot.waitUntil(lambda: engine.up_to_date, timeout=5000)
    assert engine.worker.runs <= 5
    assert shown[-1].rgb[0, 0, 0] == 40


def test_an_export_is_not_held_back_by_pacing(qtbot, engine_with, monkeypatch):
    from linetint.app import worker as worker_module

    monkeypatch.setattr(worker_module, "BURST_INTERVAL_S", 5.0)
    engine = engine_with(FakeColorizer(delay=0.1))
    renders = []
    engine.renderReady.connect(renders.append)
    engine.request(LINEART, layer(1), 512)
    qtbot.wait(20)
    engine.render_full(LINEART, layer(2), 4096)
    qtbot.waitUntil(lambda: bool(renders), timeout=2000)  # well before the 5 s pacing interval


def test_the_worker_sets_its_thread_count(qtbot):
    import torch

    from linetint.app.worker import model_threads

    assert model_threads(2) == 2 and model_threads(8) == 7 and model_threads(1) == 1
    before = torch.get_num_threads()
    engine = PreviewEngine(loader=lambda choice: FakeColorizer(), threads=1)
    try:
        seen = []
        engine.worker.modelLoaded.connect(lambda info: seen.append(torch.get_num_threads()))
        with qtbot.waitSignal(engine.modelLoaded, timeout=5000):
            engine.load_model(ModelChoice())
    finally:
        engine.shutdown()
        torch.set_num_threads(before)
    assert seen == [1]


def test_an_edit_after_a_pause_is_not_held_back_by_pacing(qtbot, engine_with, monkeypatch):
    from linetint.app import worker as worker_module

    monkeypatch.setattr(worker_module, "BURST_INTERVAL_S", 5.0)  # pacing is for drags only
    engine = engine_with(FakeColorizer(delay=0.01))
    for n in (1, 2):
        qtbot.wait(int(worker_module.DRAG_GAP_S * 1000) + 100)  # a click, not a mouse move
        with qtbot.waitSignal(engine.previewReady, timeout=2000) as blocker:
            engine.request(LINEART, layer(n), 512)
        assert blocker.args[0].rgb[0, 0, 0] == n


class GreyColorizer(FakeColorizer):
    """Paints everything mid grey, whatever the hints say: a network that ignores them."""

    def colorize(self, lineart, hints, max_side):
        self.threads.append(threading.current_thread())
        return np.full((*lineart.shape, 3), 128, np.uint8)


def test_kept_hint_colours_are_made_in_the_worker_and_the_areas_labelled_once_per_size(
    qtbot, engine_with, monkeypatch
):
    from linetint.app import worker as worker_module
    from linetint.app.colour_modes import HintColours
    from linetint.imaging.hint_colours import Unhinted

    labelled = []
    real = worker_module.label_areas
    monkeypatch.setattr(worker_module, "label_areas", lambda grey: labelled.append(grey.shape) or real(grey))
    engine = engine_with(GreyColorizer(delay=0))
    page = np.full((40, 60), 255, np.uint8)
    page[:, 30] = 0  # two areas, left and right
    red = HintLayer(60, 40, (Hint(10, 20, 3, (200, 40, 40)),))
    results = []
    engine.previewReady.connect(results.append)
    for choice in (HintColours(), HintColours(unhinted=Unhinted.PAPER), HintColours(keep=False)):
        engine.request(page, red, 512, hint_colours=choice)
        qtbot.waitUntil(lambda: engine.up_to_date, timeout=5000)
    kept, paper, free = results
    assert tuple(kept.display[20, 10]) == (200, 40, 40)
    assert tuple(kept.colour[20, 50]) == (192, 192, 192)  # the network's 128 as a pale tint, half as dark
    assert tuple(paper.display[20, 50]) == (255, 255, 255)  # the unhinted right area: paper
    assert free.kept is None and tuple(free.display[20, 10]) == (128, 128, 128)
    assert labelled == [(40, 60)]  # one labelling for three previews of the same page and size
    engine.request(page, red, 512, flat=True, hint_colours=HintColours())
    qtbot.waitUntil(lambda: engine.up_to_date, timeout=5000)
    flat = results[-1]  # with Flat Colours, the hinted area is the hint colour, flat; the rest the flats
    assert (flat.colour[:, :29] == (200, 40, 40)).all() and (flat.colour[:, 31:] == 192).all()
