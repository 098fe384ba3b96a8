import os
import tempfile

# QSettings (recent files, window layout, preferences) must never touch the real user's: a throwaway
# config home for the whole run, set before Qt reads it.
os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix="linetint-test-config-")
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_API", "pyside6")
os.environ.setdefault("QT_DRIVER", "PySide6")


import pytest  # noqa: E402


@pytest.fixture
def messages(monkeypatch):
    """Message boxes that record instead of blocking (tests/window_harness.py)."""
    from window_harness import patch_messages

    return patch_messages(monkeypatch)


@pytest.fixture
def win(qtbot, tmp_path, messages):
    """The real main window with a tiny random model; files that need other options override it."""
    from window_harness import window_session

    yield from window_session(qtbot, tmp_path)


@pytest.fixture
def sketch(tmp_path):
    """Line art the window tests open: one black line across 80×60 white paper."""
    import numpy as np
    from PIL import Image

    grey = np.full((60, 80), 255, np.uint8)
    grey[30, :] = 0
    Image.fromarray(grey).save(tmp_path / "sketch.png")
    return tmp_path / "sketch.png"
