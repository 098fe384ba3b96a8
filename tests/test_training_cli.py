"""`linetint train` from a user's seat: it runs, resumes with the saved settings, and explains bad input."""

import sys

import numpy as np
import pytest
from PIL import Image

from linetint.app.cli import build_parser, main
from linetint.model.checkpoint import load_checkpoint

SMOKE = ["--config", "tiny", "--batch", "2", "--crop", "32", "--workers", "0", "--vgg-weights", "random"]


def run(*args) -> int:
    return main([str(a) for a in args])


def test_train_resume_and_colorize_from_the_command_line(tmp_path, capsys):
    out = tmp_path / "run"
    assert run("train", "--data", "synthetic", "--out", out, "--steps", "2", *SMOKE) == 0
    assert f"{out / 'checkpoint-latest.pt'} (step 2)" in capsys.readouterr().out
    # resuming needs only the run folder and the new length: the rest comes from the checkpoint
    assert run("train", "--out", out, "--resume", "--steps", "3") == 0
    saved = load_checkpoint(out / "checkpoint-latest.pt")
    assert saved.extra["training"]["step"] == 3
    assert saved.config.name == "tiny" and saved.meta["vgg"] == "random"
    Image.new("L", (40, 30), 255).save(tmp_path / "a.png")
    code = run("colorize", tmp_path / "a.png", "--checkpoint", out / "generator-latest.pt", "--device", "cpu")
    assert code == 0
    assert np.asarray(Image.open(tmp_path / "a-colored.png")).shape == (30, 40, 3)


@pytest.mark.parametrize(
    "args, message",
    [
        (["--data", "/no/such/dir"], "--data /no/such/dir: no such folder"),
        ([], "--data is required"),
        (["--data", "synthetic", "--resume"], "nothing to resume"),
        (["--data", "synthetic", "--crop", "50"], "--crop must be a multiple of 16"),
        (["--data", "synthetic", "--amp", "on", "--device", "cpu"], "--amp on needs a CUDA device"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(tmp_path, capsys, args, message):
    assert run("train", "--out", tmp_path / "run", *SMOKE, *args) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("linetint train: ") and message in err and "\n" not in err


def test_resume_refuses_to_change_what_is_trained(tmp_path, capsys):
    out = tmp_path / "run"
    assert run("train", "--data", "synthetic", "--out", out, "--steps", "1", *SMOKE) == 0
    capsys.readouterr()
    assert run("train", "--out", out, "--resume", "--steps", "2", "--generator", "pix2pixhd") == 2
    assert "generator='csa' (asked 'pix2pixhd')" in capsys.readouterr().err


def test_help_names_the_paper_defaults(capsys):
    with pytest.raises(SystemExit) as done:
        run("train", "--help")
    assert done.value.code == 0
    text = " ".join(capsys.readouterr().out.split())
    for expected in ("--batch N GLOBAL batch", "(default 32)", "(default 512)", "torchrun", "--vgg-weights"):
        assert expected in text


def test_the_app_cli_works_without_the_training_package(monkeypatch):
    import linetint.training

    # as in a bundle without it: importing linetint.training.cli raises ImportError
    monkeypatch.delattr(linetint.training, "cli", raising=False)
    monkeypatch.setitem(sys.modules, "linetint.training.cli", None)
    parser = build_parser()
    assert parser.parse_args(["colorize", "x.png"]).command == "colorize"
    with pytest.raises(SystemExit):
        parser.parse_args(["train", "--out", "run"])
