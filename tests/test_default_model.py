"""The model LineTint ships: it exists, loads, colours real line art, and is labelled honestly."""

import pytest

from linetint.app import selftest_command
from linetint.app.cli import main
from linetint.model.checkpoint import load_checkpoint, random_checkpoint, save_checkpoint
from linetint.model.colorizer import default_checkpoint_path
from linetint.model.config import preset
from linetint.training.package_model import package


def test_the_shipped_model_passes_the_selftest(capsys):
    path = default_checkpoint_path()
    assert path is not None, "resources/models/linetint-default.pt is missing"
    assert path.stat().st_size <= 25 * 1024 * 1024
    assert main(["selftest"]) == 0
    out = capsys.readouterr().out
    assert "selftest: ok" in out and "(trained," in out


def test_the_shipped_model_says_what_it_is():
    meta = load_checkpoint(default_checkpoint_path()).meta
    assert meta["trained"] is True and meta["trained_steps"] > 0
    assert "synthetic" in meta["summary"].lower()  # never passed off as trained on real illustrations


def test_packaging_a_run_names_it_and_stores_int8(tmp_path):
    run = random_checkpoint(preset("tiny"))
    run.meta.update({"step": 7, "summary": "csa trained 7 steps on synthetic"})
    save_checkpoint(run, tmp_path / "generator-latest.pt")
    package(tmp_path / "generator-latest.pt", tmp_path / "ship.pt", "Tiny", "tiny test model, synthetic data")
    shipped = load_checkpoint(tmp_path / "ship.pt")
    assert shipped.name == "Tiny" and shipped.trained and shipped.meta["trained_steps"] == 7
    assert shipped.meta["storage"] == "int8"
    package(tmp_path / "generator-latest.pt", tmp_path / "fixed.pt", "Tiny", "synthetic", trained_steps=15162)
    assert load_checkpoint(tmp_path / "fixed.pt").meta["trained_steps"] == 15162  # a count the files lost
    assert (tmp_path / "ship.pt").stat().st_size < (tmp_path / "generator-latest.pt").stat().st_size / 3


def test_selftest_fails_clearly_without_a_model(monkeypatch, capsys):
    monkeypatch.setattr(selftest_command, "default_checkpoint_path", lambda: None)
    assert main(["selftest"]) == 1
    assert "no shipped model" in capsys.readouterr().err


@pytest.mark.parametrize("trained", [True, False])
def test_selftest_reports_untrained_models_as_such(monkeypatch, tmp_path, capsys, trained):
    ckpt = random_checkpoint(preset("tiny"))
    ckpt.meta["trained"] = trained
    save_checkpoint(ckpt, tmp_path / "m.pt")
    monkeypatch.setattr(selftest_command, "default_checkpoint_path", lambda: tmp_path / "m.pt")
    assert main(["selftest", "--max-side", "64"]) == 0
    assert ("UNTRAINED" in capsys.readouterr().out) is not trained
