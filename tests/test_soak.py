"""A long painting session in the real window, in its own process (issue 12): an abort after minutes of
use — a binding that loses references to None — fails this test instead of killing the test run."""

import os
import subprocess
import sys

import pytest

pytest.importorskip("PySide6")


def run_selftest(*args: str, timeout: float = 170) -> subprocess.CompletedProcess:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    command = [sys.executable, "-m", "linetint.app.cli", "selftest", "--window", "--tiny-model", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=env)


def test_twenty_thousand_moves_and_two_thousand_dabs_leave_the_window_alive_and_in_step():
    """≥ 20,000 hovering moves, ≥ 2,000 brush and eraser dabs, 200 undo/redo, zooms, a save and reopen:
    the process survives, the canvas shows the document's hints, the reopened project equals the
    document, no message box appears and live memory stays within the selftest's bound."""
    done = run_selftest()
    assert done.returncode == 0, done.stderr[-2000:]
    assert "selftest: window ok — 20000 moves" in done.stdout
    assert "Qt bindings sound" in done.stdout


def test_the_soak_reports_a_session_that_breaks_its_memory_bound():
    done = run_selftest("--moves", "300", "--dabs", "30", "--undo", "4", "--max-growth-mb", "-1000")
    assert done.returncode == 1
    assert "window FAILED: memory grew" in done.stderr
