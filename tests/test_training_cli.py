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
        (["--data", "synthetic", "--folder-shares", "wesnoth"], "'wesnoth' is not FOLDER=SHARE"),
        (["--data", "synthetic", "--folder-shares", "a=0.5,b=0.6"], "sum to less than 1"),
        (["--data", "synthetic", "--folder-shares", "a=0.5"], "--folder-shares needs an illustration folder"),
        (["--data", "synthetic", "--thin-lines", "1.5"], "--thin-lines must be a share in [0, 1]"),
        (["--data", "synthetic", "--detail-lines", "-0.1"], "--detail-lines must be a share in [0, 1]"),
        (["--data", "synthetic", "--hatching", "1.5"], "--hatching must be a share in [0, 1]"),
        (["--data", "synthetic", "--line-gaps", "-1"], "--line-gaps must be a share in [0, 1]"),
        (["--data", "synthetic", "--zoom", "0.5"], "--zoom must be a factor in [1, 8]"),
        (["--data", "synthetic", "--picture-weights", "a/*=2"], "--picture-weights needs an illustration"),
        (["--data", "synthetic", "--picture-weights", "a/*=-2"], "a weight is a number >= 0"),
        (["--data", "synthetic", "--picture-weights", "@/no/such.txt"], "cannot read /no/such.txt"),
        (["--data", "synthetic", "--d-warmup", "-5"], "--d-warmup must be 0 or more steps"),
        (["--data", "synthetic", "--steps", "10", "--lr-decay", "20"], "--lr-decay must be 0 to --steps"),
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


def test_resume_keeps_folder_shares_and_a_given_flag_overrides_them(tmp_path):
    import torch

    from linetint.training.checkpointing import latest_path
    from linetint.training.cli import options_from_args
    from linetint.training.options import TrainOptions

    out = tmp_path / "run"
    out.mkdir()

    def resumed(saved: dict, *flags: str) -> TrainOptions:
        # only the saved options matter to a resume's settings; no weights needed
        torch.save({"training": {"options": saved}}, latest_path(out))
        return options_from_args(build_parser().parse_args(["train", "--out", str(out), "--resume", *flags]))

    saved = TrainOptions(out=out, data=str(tmp_path), folder_shares="wesnoth=0.25").to_dict()
    assert resumed(saved).folder_shares == "wesnoth=0.25"
    assert resumed(saved, "--folder-shares", "wesnoth=0.1").folder_shares == "wesnoth=0.1"
    assert not resumed(saved, "--folder-shares", "").folder_shares
    # a run saved before the option existed resumes with none
    old = {k: v for k, v in saved.items() if k != "folder_shares"}
    assert resumed(old).folder_shares is None
    assert resumed(old).thin_lines == 0
    assert resumed(old, "--thin-lines", "0.5").thin_lines == 0.5
    assert resumed(old).detail_lines == 0
    assert resumed(old, "--detail-lines", "0.4").detail_lines == 0.4
    assert resumed(old).hatching == 0 and resumed(old, "--hatching", "0.3").hatching == 0.3
    assert resumed(old).line_gaps == 0 and resumed(old, "--line-gaps", "0.3").line_gaps == 0.3
    assert resumed(old).zoom == 1 and resumed(old, "--zoom", "2.5").zoom == 2.5
    assert resumed(old).picture_weights is None and resumed(old).d_warmup == 0
    weighted = TrainOptions(out=out, data=str(tmp_path), picture_weights="b/*=3", d_warmup=200).to_dict()
    assert resumed(weighted).picture_weights == "b/*=3" and resumed(weighted).d_warmup == 200
    assert not resumed(weighted, "--picture-weights", "").picture_weights
    assert resumed(old).lr_decay == 0 and resumed(old, "--lr-decay", "500").lr_decay == 500


def test_a_folder_share_for_a_folder_without_pictures_is_one_line_and_exit_2(tmp_path, capsys):
    data = tmp_path / "data"
    (data / "openmoji").mkdir(parents=True)
    Image.fromarray(np.random.default_rng(0).integers(0, 256, (40, 40, 3), np.uint8)).save(
        data / "openmoji" / "a.png"
    )
    args = ["--data", data, "--folder-shares", "wesnoth=0.25", "--steps", "1"]
    assert run("train", "--out", tmp_path / "run", *SMOKE, *args) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"linetint train: --data {data}: folder share wesnoth=0.25: no colour pictures in")
    assert "\n" not in err
