import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_API", "pyside6")
os.environ.setdefault("QT_DRIVER", "PySide6")

REPO = Path(__file__).resolve().parent.parent
SHARED_LINEART = REPO.parent / "shared" / "data" / "lineart"


@pytest.fixture(scope="session")
def shared_lineart() -> Path:
    """Real line art drawn by people (read-only); tests that need it skip only if it is absent."""
    if not SHARED_LINEART.is_dir():
        pytest.skip(f"shared line art not found at {SHARED_LINEART}")
    return SHARED_LINEART
