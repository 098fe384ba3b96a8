"""The Qt bindings installed must not lose references to None or True (issue 12): on Python < 3.12,
PySide6 6.12.0 does, and the window aborts after about a minute of hovering over the canvas."""

import sys
from pathlib import Path

import pytest

pytest.importorskip("PySide6")

from linetint.app.qt_refcounts import RefcountProbe, probe_refcounts  # noqa: E402


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="None and True are immortal from Python 3.12")
def test_the_installed_qt_bindings_keep_references_to_none_and_true(qapp):
    probe = probe_refcounts()
    assert probe.none_drift >= 0 and probe.true_drift >= 0, probe.describe()


def test_a_lossy_pairing_is_unsound_only_where_none_can_be_freed():
    assert not RefcountProbe(none_drift=-200, true_drift=0, immortal=False).sound
    assert not RefcountProbe(none_drift=0, true_drift=-200, immortal=False).sound
    assert RefcountProbe(none_drift=-200, true_drift=-200, immortal=True).sound
    assert "PySide6-Essentials < 6.12" in RefcountProbe(-200, -200, False).describe()


def test_pyproject_keeps_pyside6_6_12_away_from_pythons_before_3_12():
    text = (Path(__file__).resolve().parent.parent / "pyproject.toml").read_text()
    assert "\"PySide6-Essentials>=6.5,<6.12; python_version < '3.12'\"" in text
