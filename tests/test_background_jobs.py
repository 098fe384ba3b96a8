"""Picture-sized work runs on the app's jobs (app/jobs.py), never on the GUI thread, and the window
stays usable while it runs."""

import threading
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

pytest.importorskip("PySide6")

from PySide6.QtWidgets import QPushButton  # noqa: E402
from window_harness import window_session  # noqa: E402

from linetint.app import exporting as exporting_module  # noqa: E402
from linetint.app import files_controller as files_module  # noqa: E402
from linetint.app import levels_dialog as levels_module  # noqa: E402
from linetint.app import opening as opening_module  # noqa: E402
from linetint.app.jobs import Jobs  # noqa: E402


@pytest.fixture
def win(qtbot, tmp_path, messages):
    yield from window_session(qtbot, tmp_path, preview_max_side=256)


def spy(monkeypatch, module, name: str) -> list[threading.Thread]:
    """Replace `module.name` by itself, noting the thread of every call."""
    threads: list[threading.Thread] = []
    original = getattr(module, name)

    def recorded(*args, **kwargs):
        threads.append(threading.current_thread())
        return original(*args, **kwargs)

    monkeypatch.setattr(module, name, recorded)
    return threads


def off_the_gui_thread(threads: list[threading.Thread]) -> bool:
    return bool(threads) and all(thread is not threading.main_thread() for thread in threads)


@pytest.fixture
def painting(tmp_path) -> Path:
    picture = np.full((60, 80, 3), 255, np.uint8)
    picture[:29], picture[32:] = (220, 40, 40), (40, 40, 220)
    picture[29:32] = 0
    Image.fromarray(picture).save(tmp_path / "painting.png")
    return tmp_path / "painting.png"


def test_opening_a_colour_picture_draws_its_lines_and_areas_off_the_gui_thread(win, monkeypatch, painting):
    lines, seeds = (
        spy(monkeypatch, opening_module, "xdog"),
        spy(monkeypatch, opening_module, "hints_from_picture"),
    )
    assert win.files.open_colour_picture(painting).wait()
    assert off_the_gui_thread(lines) and off_the_gui_thread(seeds)
    assert win.document is not None and len(win.document.hints) > 0


def test_opening_a_picture_measures_it_off_the_gui_thread(win, monkeypatch, sketch):
    percentiles = spy(monkeypatch, opening_module, "needs_clean_up")
    colour = spy(monkeypatch, opening_module, "colourfulness")
    decoding = spy(monkeypatch, opening_module, "to_grey")
    assert win.open_path(sketch).wait()
    assert off_the_gui_thread(percentiles) and off_the_gui_thread(colour) and off_the_gui_thread(decoding)


def test_hints_from_a_picture_are_found_off_the_gui_thread(win, monkeypatch, sketch, painting):
    assert win.open_path(sketch).wait()
    seeds = spy(monkeypatch, opening_module, "hints_from_picture")
    assert win.files.hints_from_picture(painting).wait()
    assert off_the_gui_thread(seeds) and len(win.document.hints) == 2


def test_an_export_is_composed_and_written_off_the_gui_thread(win, monkeypatch, sketch, tmp_path, qtbot):
    writes = spy(monkeypatch, exporting_module, "export_picture")
    composing = spy(monkeypatch, exporting_module, "flattened")  # Copy Image: lines or light and shade
    assert win.open_path(sketch).wait()
    win.export(tmp_path / "out.png", "png")
    win.exports.copy_image()
    qtbot.waitUntil(lambda: win.exports.exporter.pending == 0 and win.jobs.idle, timeout=20000)
    assert (tmp_path / "out.png").exists()
    assert off_the_gui_thread(writes) and off_the_gui_thread(composing)


def test_clean_up_trials_and_auto_levels_run_off_the_gui_thread(win, monkeypatch, sketch, qtbot):
    trials, auto = (
        spy(monkeypatch, levels_module, "apply_levels"),
        spy(monkeypatch, levels_module, "auto_levels"),
    )
    assert win.open_path(sketch).wait()
    dialog = win.clean_up_dialog()
    with qtbot.waitSignal(dialog.previewChanged, timeout=5000):
        next(b for b in dialog.findChildren(QPushButton) if b.text() == "&Auto").click()
    dialog.white.setValue(120)
    dialog.accept()  # before that trial came: OK works it out on a job too
    qtbot.waitUntil(lambda: win.jobs.idle, timeout=5000)
    assert win.document.undo_stack.undoText() == "Clean up line art"
    assert off_the_gui_thread(trials) and off_the_gui_thread(auto)


def test_the_window_answers_and_shows_what_runs_while_a_picture_is_read(win, monkeypatch, sketch, qtbot):
    release = threading.Event()
    original = opening_module.read_file

    def slow(path):
        release.wait(10)
        return original(path)

    monkeypatch.setattr(files_module, "read_file", slow)
    job = win.open_path(sketch)
    qtbot.wait(50)  # the event loop runs: the GUI thread is not inside the reading
    assert not job.finished and win.busy.isVisible()
    assert win.statusBar().currentMessage() == "Opening sketch.png…"
    release.set()
    assert job.wait()
    assert not win.jobs.busy and win.statusBar().currentMessage() != "Opening sketch.png…"


def test_closing_while_a_picture_is_read_neither_crashes_nor_opens_it(win, monkeypatch, sketch, qtbot):
    release = threading.Event()
    original = opening_module.read_file
    monkeypatch.setattr(files_module, "read_file", lambda path: release.wait(10) and original(path))
    job = win.open_path(sketch)
    threading.Timer(0.1, release.set).start()
    win.close()  # waits for the reading under way, then drops its result
    qtbot.wait(50)
    assert win.document is None and not job.outcome


def test_a_newer_open_replaces_one_still_waiting(win, monkeypatch, sketch, tmp_path, qtbot):
    other = tmp_path / "other.png"
    Image.fromarray(np.full((20, 30), 255, np.uint8)).save(other)
    first, second = win.open_path(sketch), win.open_path(other)
    assert second.wait() and not first.outcome
    assert win.document.source_name == "other.png"


def test_a_bad_picture_is_one_dialog_and_keeps_the_document(win, messages, sketch, tmp_path):
    assert win.open_path(sketch).wait()
    (tmp_path / "broken.png").write_bytes(b"not a picture")
    assert not win.open_path(tmp_path / "broken.png").wait()
    assert len(messages.warnings) == 1 and "broken.png" in messages.warnings[0]
    assert win.document.source_name == "sketch.png"


# --- the service itself -------------------------------------------------------------------------------


def test_a_lane_runs_in_order_and_lanes_run_side_by_side(qtbot):
    jobs, done, release = Jobs(), [], threading.Event()
    slow = jobs.run(lambda: release.wait(10), lambda _: done.append("slow"), lane="export")
    after = jobs.run(lambda: 2, lambda n: done.append(n), lane="export")
    other = jobs.run(lambda: 3, lambda n: done.append(n), lane="open")
    assert other.wait() is None and done == [3]  # not held up by the export lane
    release.set()
    after.wait()
    assert slow.finished and done == [3, "slow", 2]
    jobs.shutdown()


def test_latest_only_drops_the_waiting_trials_and_failures_reach_the_failed_signal(qtbot):
    jobs, seen, release = Jobs(), [], threading.Event()
    jobs.run(lambda: release.wait(10), lambda _: seen.append("running"), lane="trial", latest_only=True)
    dropped = jobs.run(lambda: 1, lambda n: seen.append(n), lane="trial", latest_only=True)
    newest = jobs.run(lambda: 2, lambda n: seen.append(n), lane="trial", latest_only=True)
    assert dropped.finished  # never started
    release.set()
    newest.wait()
    assert seen == ["running", 2]
    with qtbot.waitSignal(jobs.failed) as failure:
        jobs.run(lambda: 1 / 0, lambda _: None, text="Dividing…")
    assert failure.args == ["Dividing failed: ZeroDivisionError: division by zero"]
    jobs.shutdown()


def test_shutdown_finishes_the_files_and_drops_the_rest(qtbot, tmp_path):
    jobs, release, handled = Jobs(), threading.Event(), []
    target = tmp_path / "written.txt"
    jobs.run(lambda: release.wait(10), handled.append, lane="export")
    jobs.run(lambda: target.write_text("kept"), handled.append, lane="export", keep_on_quit=True)
    dropped = jobs.run(lambda: target.write_text("dropped"), handled.append, lane="export")
    threading.Timer(0.1, release.set).start()
    jobs.shutdown()
    qtbot.wait(20)
    assert target.read_text() == "kept" and dropped.finished and handled == []  # no handler after it
