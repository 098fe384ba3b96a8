"""`linetint faces`: procedural anime busts, the face prior the real-drawing corpus lacks."""

from __future__ import annotations

import numpy as np
from PIL import Image

from linetint.app.cli import main
from linetint.training.faces import SKIN_LIGHT, FaceConfig, generate_face, write_faces


def test_a_bust_is_deterministic_and_each_seed_draws_another():
    first, lines = generate_face(3, (192, 160))
    again, lines_again = generate_face(3, (192, 160))
    assert first.shape == (192, 160, 3) and lines.shape == (192, 160)
    assert np.array_equal(first, again) and np.array_equal(lines, lines_again)
    assert not np.array_equal(first, generate_face(4, (192, 160))[0])


def test_the_face_is_light_skin_bounded_by_lines_and_the_paper_stays_white():
    """A head centred in the picture: its middle (between eyes and mouth) is a light skin tone with no
    line over it, and the line art is white wherever the picture is white paper."""
    config = FaceConfig(head=(0.3, 0.3), tilt_deg=0.0, dark_skin_prob=0.0, blush_prob=0.0)
    light = np.array(SKIN_LIGHT, float)
    for seed in range(6):
        colour, lines = generate_face(seed, (256, 256), config)
        paper = (colour == 255).all(axis=2)
        assert paper.mean() > 0.05 and (lines[paper] > 250).all()
        ys, xs = np.nonzero(~paper)
        # The face's centre lies near the picture's middle column, below the eyes: find skin there.
        column = int(np.median(xs))
        cheeks = colour[:, column - 3 : column + 4].reshape(-1, 3).astype(float)
        near_skin = np.min(np.linalg.norm(cheeks[:, None] - light[None], axis=2), axis=1) < 20
        assert near_skin.sum() > 50, seed
        assert (lines < 128).mean() > 0.01  # drawn lines, not an empty page


def test_the_command_writes_pictures_and_exact_line_art_as_a_corpus_lays_them_out(tmp_path, capsys):
    assert main(["faces", "--out", str(tmp_path), "--count", "3", "--side", "96"]) == 0
    pictures = sorted((tmp_path / "train" / "faces").glob("*.png"))
    lines = sorted((tmp_path / "train-lines" / "exact" / "faces").glob("*.png"))
    assert [p.name for p in pictures] == [p.name for p in lines] == ["00000.png", "00001.png", "00002.png"]
    for picture, line in zip(pictures, lines, strict=True):
        assert Image.open(picture).size == Image.open(line).size and Image.open(line).mode == "L"
    assert main(["faces", "--out", str(tmp_path), "--count", "0"]) == 2
    assert "--count must be at least 1" in capsys.readouterr().err


def test_busts_written_in_parts_are_the_files_of_one_pass(tmp_path):
    """The GPU job splits the range over processes (bench/gpu_real_art.py): same names, same pixels."""
    write_faces(tmp_path / "whole", 3, side=96)
    write_faces(tmp_path / "parts", 1, side=96)
    write_faces(tmp_path / "parts", 2, side=96, first=1)
    for kind in ("train/faces", "train-lines/exact/faces"):
        whole = sorted((tmp_path / "whole" / kind).glob("*.png"))
        parts = sorted((tmp_path / "parts" / kind).glob("*.png"))
        assert [p.name for p in parts] == [p.name for p in whole] and len(whole) == 3
        for a, b in zip(whole, parts, strict=True):
            assert np.array_equal(np.asarray(Image.open(a)), np.asarray(Image.open(b)))
