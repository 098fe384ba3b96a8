"""Precision choices: fast where the hardware has it, a clear error (CLI) or a fallback (app) where not."""

import numpy as np
import pytest
import torch
from PIL import Image

from linetint.app.cli import main
from linetint.model import devices
from linetint.model.checkpoint import random_checkpoint, save_checkpoint
from linetint.model.colorizer import Colorizer
from linetint.model.config import preset
from linetint.model.devices import PrecisionError, choose_precision
from linetint.model.hints import Hint, HintLayer

CPU = torch.device("cpu")


@pytest.fixture
def tiny_checkpoint(tmp_path):
    save_checkpoint(random_checkpoint(preset("tiny")), tmp_path / "tiny.pt")
    return tmp_path / "tiny.pt"


@pytest.fixture
def sketch(tmp_path):
    Image.new("L", (40, 30), 255).save(tmp_path / "a.png")
    return tmp_path / "a.png"


@pytest.mark.parametrize("native", [True, False])
def test_auto_is_bf16_only_on_cpus_that_multiply_it_natively(monkeypatch, native):
    monkeypatch.setattr(devices, "cpu_has_fast_bf16", lambda: native)
    assert choose_precision("auto", CPU).name == ("bf16" if native else "fp32")


def test_fp16_on_the_cpu_is_a_clear_cli_error(sketch, tiny_checkpoint, capsys):
    out = sketch.with_name("o.png")
    args = ["colorize", str(sketch), "--checkpoint", str(tiny_checkpoint), "-o", str(out)]
    assert main([*args, "--device", "cpu", "--precision", "fp16"]) == 2
    err = capsys.readouterr().err.strip()
    assert "fp16 cannot run on CPU" in err and len(err.splitlines()) == 1
    assert not out.exists()


def test_bf16_on_a_cpu_without_it_is_a_clear_cli_error(sketch, tiny_checkpoint, capsys, monkeypatch):
    monkeypatch.setattr(devices, "cpu_has_fast_bf16", lambda: False)
    out = sketch.with_name("o.png")
    args = ["colorize", str(sketch), "--checkpoint", str(tiny_checkpoint), "-o", str(out)]
    assert main([*args, "--device", "cpu", "--precision", "bf16"]) == 2
    assert "no native bf16" in capsys.readouterr().err


def test_cli_says_which_precision_it_used(sketch, tiny_checkpoint, capsys):
    out = sketch.with_name("o.png")
    args = ["colorize", str(sketch), "--checkpoint", str(tiny_checkpoint), "-o", str(out), "--device", "cpu"]
    assert main([*args, "--precision", "fp32"]) == 0
    assert "fp32" in capsys.readouterr().out and Image.open(out).size == (40, 30)


def test_the_app_falls_back_and_says_why():
    precision = choose_precision("fp16", CPU, fallback=True)
    assert precision.name in {"bf16", "fp32"} and "fp16 is not available" in precision.notice
    with pytest.raises(PrecisionError):
        choose_precision("fp16", CPU)
    with pytest.raises(PrecisionError, match="unknown precision"):
        choose_precision("int4", CPU, fallback=True)


@pytest.mark.skipif(not devices.cpu_has_fast_bf16(), reason="this CPU has no native bf16")
def test_bf16_paints_nearly_what_fp32_paints():
    grey = np.full((64, 96), 255, np.uint8)
    grey[30, :] = 0
    layer = HintLayer(96, 64, (Hint(10, 10, 6, (230, 40, 40)), Hint(70, 40, 6, (40, 40, 230))))
    full = Colorizer.untrained("tiny", "cpu", precision="fp32").colorize(grey, layer, 96)
    fast = Colorizer.untrained("tiny", "cpu", precision="bf16")
    assert fast.info.precision == "bf16"
    diff = np.abs(fast.colorize(grey, layer, 96).astype(int) - full.astype(int))
    assert diff.max() <= 8 and diff.mean() < 1.0  # a few levels of 255 at most, most pixels equal


def test_a_gpu_fallback_to_cpu_keeps_a_precision_the_cpu_can_run():
    colorizer = Colorizer.untrained("tiny", "cpu", precision="fp32")
    colorizer.precision_choice = "fp16"  # as if chosen for a GPU that has just failed
    colorizer.to("cpu")
    assert colorizer.info.precision in {"bf16", "fp32"} and "fp16" in colorizer.info.notice
    assert colorizer.colorize(np.full((20, 30), 255, np.uint8), HintLayer(30, 20), 32).shape == (20, 30, 3)


# --- the app: settings and the window's status bar -------------------------------------------------------
pytest.importorskip("PySide6")


def test_precision_setting_survives_a_restart_and_bad_values_fall_back(tmp_path):
    from PySide6.QtCore import QSettings

    from linetint.app.settings import AppSettings

    store = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    AppSettings(precision="fp32").save(store)
    assert AppSettings.load(store).precision == "fp32"
    store.setValue("model/precision", "int8")
    assert AppSettings.load(store).precision == "auto"


def test_settings_dialog_edits_the_precision(qtbot):
    from linetint.app.settings import AppSettings, SettingsDialog

    dialog = SettingsDialog(AppSettings(precision="bf16"))
    qtbot.addWidget(dialog)
    assert dialog.result_settings().precision == "bf16"
    dialog._precision.setCurrentIndex(dialog._precision.findData("fp32"))
    assert dialog.result_settings().precision == "fp32"


def test_window_uses_the_settings_precision_and_reports_a_fallback(qtbot, tiny_checkpoint, tmp_path):
    from linetint.app.autosave import AutosaveStore
    from linetint.app.settings import AppSettings
    from linetint.app.window import MainWindow
    from linetint.app.worker import PreviewEngine

    settings = AppSettings("cpu", str(tiny_checkpoint), preview_max_side=512, precision="fp16")
    window = MainWindow(settings, PreviewEngine(), AutosaveStore(tmp_path / "as"))
    qtbot.addWidget(window)
    qtbot.waitUntil(lambda: window.model_info is not None, timeout=10000)
    assert "fp16 is not available" in window.statusBar().currentMessage()
    assert window.status_device.text() == f"CPU · {window.model_info.precision}"
    window.close()
