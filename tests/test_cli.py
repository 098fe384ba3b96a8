import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from linetint.app.cli import main
from linetint.app.version import app_version
from linetint.imaging.compose import compose
from linetint.imaging.recolour import with_lightness
from linetint.model.checkpoint import random_checkpoint, save_checkpoint
from linetint.model.config import preset
from linetint.model.images import LUMA  # Rec. 601, as a picture's grey is read (to_grey)


def run_cli(*args: str) -> int:
    return main([str(a) for a in args])


SHARED = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "lineart" / "s2p-001"
SAMPLES = Path(__file__).resolve().parent.parent / "resources" / "samples"


@pytest.mark.parametrize(
    "lineart_path, hints_path",
    [
        (SHARED / "lineart.png", SHARED / "hints.png"),
        (SAMPLES / "girl-lineart.png", SAMPLES / "girl-hints.png"),
    ],
    ids=["shared-s2p-001", "packaged-sample"],
)
def test_colorizes_real_line_art_with_its_real_hint_layer(lineart_path, hints_path, tmp_path, capsys):
    if not lineart_path.exists():
        pytest.skip(f"{lineart_path} is not available")
    out = tmp_path / "out.png"
    code = run_cli(
        "colorize", lineart_path, "--hints", hints_path, "-o", out, "--max-side", "256", "--device", "cpu"
    )
    assert code == 0, capsys.readouterr().err
    with Image.open(lineart_path) as lineart, Image.open(out) as result:
        assert result.size == lineart.size and result.mode == "RGB"
    captured = capsys.readouterr()
    assert "UNTRAINED" not in captured.err  # the shipped model is trained (tests/test_default_model.py)
    assert str(out) in captured.out


def test_default_output_name_sits_beside_the_line_art(tmp_path):
    Image.new("L", (40, 24), 255).save(tmp_path / "sketch.png")
    assert run_cli("colorize", tmp_path / "sketch.png", "--device", "cpu") == 0
    assert Image.open(tmp_path / "sketch-colored.png").size == (40, 24)


def test_lines_are_multiplied_over_the_colour_unless_no_lines(tmp_path):
    grey = np.full((48, 64), 255, np.uint8)
    grey[20, :] = 0  # one black line
    Image.fromarray(grey).save(tmp_path / "a.png")
    args = ("--device", "cpu", "--precision", "fp32", "--max-side", "64")
    assert run_cli("colorize", tmp_path / "a.png", "-o", tmp_path / "over.png", *args) == 0
    assert run_cli("colorize", tmp_path / "a.png", "-o", tmp_path / "raw.png", "--no-lines", *args) == 0
    over, raw = np.asarray(Image.open(tmp_path / "over.png")), np.asarray(Image.open(tmp_path / "raw.png"))
    assert raw[20].max() > 0 and over[20].max() == 0  # as the app's export: the drawn line stays black
    assert np.array_equal(over[30], raw[30])  # away from lines (white paper) the colour is untouched


def painting(tmp_path: Path) -> tuple[Path, np.ndarray]:
    """A finished colour picture with no ink lines: white paper, a dark blue band painted across it and a
    light orange patch above; and its grey."""
    rgb = np.full((64, 96, 3), 255, np.uint8)
    rgb[36:52, :] = (30, 40, 140)
    rgb[8:24, 12:44] = (240, 170, 110)
    Image.fromarray(rgb).save(tmp_path / "painting.png")
    return tmp_path / "painting.png", np.asarray(Image.fromarray(rgb).convert("L")).astype(float)


def test_a_colour_picture_is_recoloured_keeping_its_own_light_and_shade(tmp_path, capsys):
    picture, grey = painting(tmp_path)
    save_checkpoint(random_checkpoint(preset("tiny")), tmp_path / "random.pt")  # colours that mean nothing
    args = ("--checkpoint", tmp_path / "random.pt", "--device", "cpu", "--precision", "fp32")
    assert run_cli("colorize", picture, "-o", tmp_path / "new.png", *args) == 0
    assert "recolouring it from its lines, keeping its light and shade" in capsys.readouterr().err
    assert run_cli("colorize", picture, "-o", tmp_path / "bare.png", "--no-lines", *args) == 0
    new, bare = (np.asarray(Image.open(tmp_path / f"{n}.png")) for n in ("new", "bare"))
    # the picture's lightness, pixel for pixel: the dark band stays as dark, the paper white
    assert np.abs(new @ LUMA - grey).max() <= 2
    assert (new[:30, 50:] == 255).all() and (new[36:52] @ LUMA).max() < 60
    # ... in the new colour: --no-lines gives that colour alone, which is not the picture's lightness
    assert np.abs(bare @ LUMA - grey).max() > 20
    assert np.abs(new.astype(int) - with_lightness(bare, grey.round().astype(np.uint8))).max() <= 1


def test_as_lineart_multiplies_a_colour_pictures_grey_over_the_colour(tmp_path):
    picture, grey = painting(tmp_path)
    args = ("--device", "cpu", "--precision", "fp32", "--max-side", "64", "--free-hints", "--as-lineart")
    assert run_cli("colorize", picture, "-o", tmp_path / "grey.png", *args) == 0
    assert run_cli("colorize", picture, "-o", tmp_path / "bare.png", "--no-lines", *args) == 0
    out, bare = (np.asarray(Image.open(tmp_path / f"{n}.png")) for n in ("grey", "bare"))
    # the picture's grey multiplied over the colour, as line art is: not recoloured in its lightness
    assert np.abs(out.astype(int) - compose(grey.astype(np.uint8), bare)).max() <= 1


def test_clean_up_turns_a_photographed_pencil_line_black_in_the_output(tmp_path):
    grey = np.tile(np.linspace(150, 220, 64), (48, 1))  # grey paper, brighter to the right
    grey[30, :] *= 0.4  # a pencil line, lit like the paper around it
    Image.fromarray(grey.astype(np.uint8)).save(tmp_path / "photo.png")
    args = ("--device", "cpu", "--precision", "fp32", "--max-side", "64")
    assert run_cli("colorize", tmp_path / "photo.png", "-o", tmp_path / "raw.png", *args) == 0
    assert run_cli("colorize", tmp_path / "photo.png", "-o", tmp_path / "clean.png", "--clean-up", *args) == 0
    raw, clean = np.asarray(Image.open(tmp_path / "raw.png")), np.asarray(Image.open(tmp_path / "clean.png"))
    assert clean[30].max() <= 8 and clean[30].mean() < raw[30].mean() / 2  # near black, from pencil grey


def test_flat_gives_each_area_one_colour(tmp_path):
    grey = np.full((48, 64), 255, np.uint8)
    grey[24, :] = 0
    Image.fromarray(grey).save(tmp_path / "a.png")
    two = [{"x": 5, "y": 5, "size": 4, "color": "#ff2020"}, {"x": 50, "y": 10, "size": 4, "color": "#2040ff"}]
    hints = {"format": "linetint-hints", "version": 1, "width": 64, "height": 48, "hints": two}
    (tmp_path / "h.json").write_text(json.dumps(hints))
    # Free hints: the two colours hinted in the top area would share it (test_hint_colours.py)
    hinted = ("--hints", tmp_path / "h.json", "--free-hints")
    args = ("--device", "cpu", "--max-side", "64", "--no-lines", *hinted)
    assert run_cli("colorize", tmp_path / "a.png", "-o", tmp_path / "raw.png", *args) == 0
    assert run_cli("colorize", tmp_path / "a.png", "-o", tmp_path / "flat.png", "--flat", *args) == 0
    raw, flat = np.asarray(Image.open(tmp_path / "raw.png")), np.asarray(Image.open(tmp_path / "flat.png"))
    assert len(np.unique(raw[2:20, 2:62].reshape(-1, 3), axis=0)) > 1
    for area in (flat[2:20, 2:62], flat[28:46, 2:62]):
        assert len(np.unique(area.reshape(-1, 3), axis=0)) == 1


def test_hints_from_a_colour_picture_and_a_mismatched_one(tmp_path, capsys):
    grey = np.full((48, 64), 255, np.uint8)
    grey[24, :] = 0
    Image.fromarray(grey).save(tmp_path / "a.png")
    picture = np.full((48, 64, 3), (230, 40, 40), np.uint8)
    Image.fromarray(picture).save(tmp_path / "rough.png")
    Image.fromarray(picture[:, :20]).save(tmp_path / "narrow.png")
    args = ("--device", "cpu", "--max-side", "64")
    assert run_cli("colorize", tmp_path / "a.png", "--hints-from", tmp_path / "rough.png", *args) == 0
    assert re.search(r", [1-9]\d* hints,", capsys.readouterr().out)  # at least one hint per area
    assert (
        run_cli(
            "colorize",
            tmp_path / "a.png",
            "--hints-from",
            tmp_path / "narrow.png",
            "-o",
            tmp_path / "x.png",
            *args,
        )
        == 2
    )
    assert "not the same shape" in capsys.readouterr().err and not (tmp_path / "x.png").exists()


@pytest.mark.parametrize("suffix", [".psd", ".ora"])
def test_a_layered_output_carries_line_art_colour_and_hints(tmp_path, suffix):
    Image.new("L", (40, 24), 255).save(tmp_path / "a.png")
    out = tmp_path / f"a{suffix}"
    assert run_cli("colorize", tmp_path / "a.png", "-o", out, "--device", "cpu", "--flat") == 0
    if suffix == ".psd":
        with Image.open(out) as psd:
            names = [layer[0] for layer in psd.layers]
    else:
        with zipfile.ZipFile(out) as archive:
            names = re.findall(r'name="([^"]+)"', archive.read("stack.xml").decode())
    assert sorted(names) == ["Colour", "Flat colours", "Hint colours", "Hints", "Line art"]


def two_boxes(tmp_path: Path) -> tuple[Path, Path]:
    """Line art of two closed boxes side by side, and a hint file with one red hint in the left one."""
    grey = np.full((48, 96), 255, np.uint8)
    for x0, x1 in ((4, 44), (52, 92)):
        grey[4, x0:x1] = grey[43, x0:x1] = 0
        grey[4:44, x0] = grey[4:44, x1 - 1] = 0
    Image.fromarray(grey).save(tmp_path / "boxes.png")
    red = [{"x": 24, "y": 24, "size": 4, "color": "#c82828"}]
    hints = {"format": "linetint-hints", "version": 1, "width": 96, "height": 48, "hints": red}
    (tmp_path / "h.json").write_text(json.dumps(hints))
    return tmp_path / "boxes.png", tmp_path / "h.json"


def test_hint_colours_are_kept_unless_free_hints(tmp_path):
    lineart, hints = two_boxes(tmp_path)
    args = ("--device", "cpu", "--max-side", "96", "--hints", hints)
    assert run_cli("colorize", lineart, "-o", tmp_path / "kept.png", *args) == 0
    assert run_cli("colorize", lineart, "-o", tmp_path / "free.png", "--free-hints", *args) == 0
    kept, free = np.asarray(Image.open(tmp_path / "kept.png")), np.asarray(Image.open(tmp_path / "free.png"))
    assert tuple(kept[24, 24]) == (200, 40, 40)  # the hint's colour exactly, at the hint
    assert np.abs(free[24, 24].astype(int) - (200, 40, 40)).max() > 2  # the network's own idea of it
    # With --unhinted network the unhinted box keeps the network's light and dark, pixel for pixel, and
    # its colour on average; by default it shows that colour as a pale tint, half as far from white.
    assert run_cli("colorize", lineart, "-o", tmp_path / "full.png", "--unhinted", "network", *args) == 0
    full = np.asarray(Image.open(tmp_path / "full.png"))
    difference = np.abs(full[:, 52:] @ LUMA - free[:, 52:] @ LUMA)
    assert np.median(difference) <= 1 and difference.mean() <= 2  # near white, added colour clips
    assert np.abs(full[:, 52:].mean(axis=(0, 1)) - free[:, 52:].mean(axis=(0, 1))).max() < 3
    paper = 255 - kept[8:40, 56:88].astype(float)  # inside the right box, off its lines
    assert np.abs(paper - (255 - full[8:40, 56:88].astype(float)) / 2).max() <= 1 and paper.max() > 10


def test_unhinted_paper_leaves_an_unhinted_closed_area_white(tmp_path, capsys):
    lineart, hints = two_boxes(tmp_path)
    args = ("--device", "cpu", "--max-side", "96", "--hints", hints, "--unhinted", "paper")
    assert run_cli("colorize", lineart, "-o", tmp_path / "paper.png", *args) == 0
    paper = np.asarray(Image.open(tmp_path / "paper.png"))
    assert (paper[8:40, 56:88] == 255).all()  # the right box: no hint, white
    assert tuple(paper[24, 24]) == (200, 40, 40)
    assert run_cli("colorize", lineart, "-o", tmp_path / "x.png", "--free-hints", *args) == 2
    assert "--unhinted paper needs" in capsys.readouterr().err and not (tmp_path / "x.png").exists()


def test_json_hints_and_explicit_checkpoint(tmp_path):
    Image.new("L", (64, 48), 255).save(tmp_path / "a.png")
    hints = {
        "format": "linetint-hints",
        "version": 1,
        "width": 64,
        "height": 48,
        "hints": [{"x": 3, "y": 4, "size": 5, "color": "#ff8800"}],
    }
    (tmp_path / "h.json").write_text(json.dumps(hints))
    save_checkpoint(random_checkpoint(preset("tiny")), tmp_path / "tiny.pt")
    code = run_cli(
        "colorize",
        tmp_path / "a.png",
        "--hints",
        tmp_path / "h.json",
        "--checkpoint",
        tmp_path / "tiny.pt",
        "-o",
        tmp_path / "o.png",
    )
    assert code == 0 and Image.open(tmp_path / "o.png").size == (64, 48)


@pytest.mark.parametrize(
    "make_bad, message",
    [
        (lambda d: (d / "h.json").write_text("{oops"), "not valid JSON"),
        (
            lambda d: (d / "h.json").write_text(
                json.dumps(
                    {
                        "format": "linetint-hints",
                        "version": 1,
                        "width": 64,
                        "height": 48,
                        "hints": [{"x": 1, "y": 1, "size": 12, "color": "#000000"}],
                    }
                )
            ),
            "hints[0].size",
        ),
        (lambda d: (d / "a.png").write_bytes(b"garbage"), "not an image"),
        (
            lambda d: torch.save(
                {
                    "format": "linetint-checkpoint",
                    "version": 1,
                    "config": {},
                    "generator": {},
                    "x": ValueError("boom"),
                },
                d / "c.pt",
            ),
            "pickled",
        ),
    ],
)
def test_bad_input_exits_2_with_one_line_and_writes_nothing(tmp_path, capsys, make_bad, message):
    Image.new("L", (64, 48), 255).save(tmp_path / "a.png")
    (tmp_path / "h.json").write_text(
        json.dumps({"format": "linetint-hints", "version": 1, "width": 64, "height": 48, "hints": []})
    )
    save_checkpoint(random_checkpoint(preset("tiny")), tmp_path / "c.pt")
    make_bad(tmp_path)
    code = run_cli(
        "colorize",
        tmp_path / "a.png",
        "--hints",
        tmp_path / "h.json",
        "--checkpoint",
        tmp_path / "c.pt",
        "-o",
        tmp_path / "o.png",
    )
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert message in err and len(err.splitlines()) == 1 and "Traceback" not in err
    assert not (tmp_path / "o.png").exists()


def test_unavailable_device_and_bad_output_are_bad_input(tmp_path, capsys):
    Image.new("L", (16, 16), 255).save(tmp_path / "a.png")
    assert run_cli("colorize", tmp_path / "a.png", "-o", tmp_path / "o.jpg") == 2
    assert (
        run_cli("colorize", tmp_path / "a.png", "-o", tmp_path / "no" / "such" / "o.png", "--device", "cpu")
        == 2
    )
    if not torch.cuda.is_available():
        assert run_cli("colorize", tmp_path / "a.png", "--device", "cuda") == 2
        assert "CUDA" in capsys.readouterr().err


def test_installed_entry_point_reports_version():
    result = subprocess.run(
        [sys.executable, "-m", "linetint.app.cli", "--version"], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == f"LineTint {app_version()}"
    assert app_version() != "0+unknown"


def test_colorize_help_is_actionable(capsys):
    with pytest.raises(SystemExit) as exit_info:
        run_cli("colorize", "--help")
    assert exit_info.value.code == 0
    help_text = capsys.readouterr().out
    for option in ("--hints", "--checkpoint", "--device", "--max-side", "-o"):
        assert option in help_text


def test_white_line_art_without_hints_still_gives_a_picture(tmp_path):
    Image.fromarray(np.full((20, 30), 255, np.uint8)).save(tmp_path / "w.png")
    assert run_cli("colorize", tmp_path / "w.png", "-o", tmp_path / "w-out.png", "--device", "cpu") == 0


def test_an_untrained_model_is_never_passed_off_as_trained(tmp_path, capsys):
    Image.new("L", (32, 32), 255).save(tmp_path / "a.png")
    save_checkpoint(random_checkpoint(preset("tiny")), tmp_path / "random.pt")
    assert run_cli("colorize", tmp_path / "a.png", "--checkpoint", tmp_path / "random.pt") == 0
    assert "random.pt holds UNTRAINED weights" in capsys.readouterr().err


@pytest.mark.parametrize("role", ["lineart", "--hints", "--hints-from"])
def test_an_eps_file_named_png_exits_2_in_one_line_without_ghostscript(tmp_path, capsys, monkeypatch, role):
    from PIL import EpsImagePlugin

    ran = []
    monkeypatch.setattr(
        EpsImagePlugin, "Ghostscript", lambda *a, **k: ran.append(a) or Image.new("L", (1, 1))
    )
    Image.new("L", (10, 10), 255).save(tmp_path / "a.png")
    (tmp_path / "x.png").write_bytes(b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\n{ } loop\n")
    lineart = tmp_path / ("x.png" if role == "lineart" else "a.png")
    extra = () if role == "lineart" else (role, tmp_path / "x.png")
    code = run_cli("colorize", lineart, *extra, "--device", "cpu", "-o", tmp_path / "o.png")
    err = capsys.readouterr().err.strip()
    assert code == 2 and len(err.splitlines()) == 1 and "x.png is not an image LineTint reads" in err
    assert ran == [] and not (tmp_path / "o.png").exists()


def _nan_checkpoint(path: Path) -> None:
    ckpt = random_checkpoint(preset("tiny"))
    ckpt.generator["stem.0.bias"] = torch.full_like(ckpt.generator["stem.0.bias"], float("nan"))
    save_checkpoint(ckpt, path)


def _huge_config_checkpoint(path: Path) -> None:
    config = {**preset("tiny").to_dict(), "n_blocks": 5000, "max_channels": 2048, "base_channels": 256}
    torch.save({"format": "linetint-checkpoint", "version": 1, "config": config, "generator": {}}, path)


@pytest.mark.parametrize(
    "make_checkpoint, message",
    [
        (_nan_checkpoint, "stem.0.bias holds NaN or infinite values"),
        (_huge_config_checkpoint, "n_blocks 5000; LineTint accepts 1 to 32"),
        (
            lambda path: Image.new("RGB", (8, 8)).save(path, format="PNG"),
            "c.pt is not a LineTint checkpoint: it is a PNG image",
        ),
        (lambda path: path.write_bytes(b""), "c.pt is not a LineTint checkpoint: it is empty"),
    ],
    ids=["nan weights", "huge config", "png", "empty"],
)
def test_an_unusable_checkpoint_exits_2_in_one_line(tmp_path, capsys, make_checkpoint, message):
    Image.new("L", (32, 24), 255).save(tmp_path / "a.png")
    make_checkpoint(tmp_path / "c.pt")
    code = run_cli(
        "colorize", tmp_path / "a.png", "--checkpoint", tmp_path / "c.pt", "-o", tmp_path / "o.png"
    )
    err = capsys.readouterr().err.strip()
    assert code == 2 and message in err and len(err.splitlines()) == 1
    assert not (tmp_path / "o.png").exists()
