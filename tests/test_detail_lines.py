"""Marks drawn inside one colour — detail strokes and hatching — so the network learns that colour carries
across them and that close lines are not a dark fill."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from linetint.model.checkpoint import random_checkpoint, save_checkpoint
from linetint.model.config import preset
from linetint.training.detail_lines import DetailStrokes, one_colour_area, with_detail_strokes
from linetint.training.hatching import Hatching, group_strokes, with_hatching

RED, BLUE = (220, 30, 40), (30, 60, 210)
ROOT = Path(__file__).resolve().parents[1]
MANY = DetailStrokes(count=(8, 8), length=(0.3, 0.5), ink=(1.0, 1.0))


def two_areas(size: int = 96) -> tuple[np.ndarray, np.ndarray]:
    """Red above, blue below, a black 3 px line between them: line art and colour."""
    lineart = np.full((size, size), 255, np.uint8)
    lineart[size // 2 - 1 : size // 2 + 2] = 0
    colour = np.empty((size, size, 3), np.uint8)
    colour[: size // 2] = RED
    colour[size // 2 :] = BLUE
    colour[lineart == 0] = 0
    return lineart, colour


def test_strokes_are_drawn_inside_the_coloured_areas_and_the_colour_is_kept() -> None:
    lineart, colour = two_areas()
    before = colour.copy()
    lines = with_detail_strokes(lineart, colour, np.random.default_rng(0), MANY)
    new_ink = lines < 200
    assert new_ink.sum() > 100  # visible strokes, not a speck
    assert (lines[lineart == 0] == 0).all()  # the old line stays
    assert (lines <= lineart).all()  # only ink is added
    np.testing.assert_array_equal(colour, before)  # the target says the colour goes on under the strokes


def test_a_stroke_stays_in_the_one_colour_area_it_starts_in() -> None:
    lineart, colour = two_areas()
    one = DetailStrokes(count=(1, 1), length=(0.6, 0.8), ink=(1.0, 1.0))
    for seed in range(10):
        added = with_detail_strokes(lineart, colour, np.random.default_rng(seed), one) < lineart
        # 58-77 px long from anywhere in a 47 px high area: unclipped, most would cross into the other
        assert added.any() and added[:47].any() != added[50:].any()


def test_paper_and_small_areas_get_no_strokes() -> None:
    paper = np.full((64, 64), 255, np.uint8)
    white = np.full((64, 64, 3), 255, np.uint8)
    lines = with_detail_strokes(paper, white, np.random.default_rng(0), MANY)
    np.testing.assert_array_equal(lines, paper)
    lineart, colour = two_areas(size=20)  # 10 x 20 px areas: below the least area
    np.testing.assert_array_equal(
        with_detail_strokes(lineart, colour, np.random.default_rng(0), MANY), lineart
    )


def test_the_same_seed_draws_the_same_strokes() -> None:
    lineart, colour = two_areas()
    first = with_detail_strokes(lineart, colour, np.random.default_rng(7))
    again = with_detail_strokes(lineart, colour, np.random.default_rng(7))
    other = with_detail_strokes(lineart, colour, np.random.default_rng(8))
    np.testing.assert_array_equal(first, again)
    assert (first != other).any()


def test_the_area_is_one_connected_colour_off_the_lines() -> None:
    lineart, colour = two_areas()
    area = one_colour_area(lineart, colour, (10, 10), spread=16)
    assert area[:47].all() and not area[47:].any()


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("count", (3, 2), "stroke counts"),
        ("length", (0.0, 0.2), "stroke lengths"),
        ("width", (0.2, 1.0), "stroke widths"),
        ("ink", (0.5, 1.2), "ink darkness"),
    ],
)
def test_impossible_strokes_are_refused(field: str, value: tuple, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        DetailStrokes(**{field: value})


def test_hatching_adds_ink_inside_the_areas_and_keeps_the_colour() -> None:
    lineart, colour = two_areas()
    before = colour.copy()
    dense = Hatching(groups=(3, 3), strokes=(5, 5), length=(0.15, 0.15), ink=(1.0, 1.0))
    lines = with_hatching(lineart, colour, np.random.default_rng(0), dense)
    assert (lines < 200).sum() > (lineart < 200).sum() + 60  # visible strokes, not a speck
    assert (lines <= lineart).all() and (lines[lineart == 0] == 0).all()  # ink is only added
    np.testing.assert_array_equal(colour, before)  # the target says the colour goes on under it


def test_a_hatching_group_is_parallel_evenly_spaced_strokes() -> None:
    rng = np.random.default_rng(3)
    strokes = group_strokes((50, 50), 100, rng, Hatching(strokes=(6, 6), gap=(3.0, 3.0)))
    directions = [(b - a) / np.linalg.norm(b - a) for a, b in strokes]
    assert len(strokes) == 6
    assert all(abs(abs(float(d @ directions[0])) - 1) < 1e-9 for d in directions)  # one direction
    normal = np.array([-directions[0][1], directions[0][0]])
    offsets = sorted(float((a + b) / 2 @ normal) for a, b in strokes)
    np.testing.assert_allclose(np.diff(offsets), 3.0, atol=1e-6)  # the gap asked for


def test_impossible_hatching_is_refused() -> None:
    with pytest.raises(ValueError, match="hatching gap"):
        Hatching(gap=(0.0, 1.0))
    with pytest.raises(ValueError, match="hatching strokes"):
        Hatching(strokes=(5, 2))


def test_the_bench_scores_each_model_with_and_without_strokes(tmp_path: Path) -> None:
    heldout = tmp_path / "heldout"
    rr, cc = np.mgrid[:96, :96]
    disc = (rr - 48) ** 2 + (cc - 48) ** 2
    for name in ("a", "b"):
        rgb = np.full((96, 96, 3), 255, np.uint8)
        rgb[disc < 40**2] = BLUE
        heldout.mkdir(exist_ok=True)
        Image.fromarray(rgb).save(heldout / f"{name}.png")
    model = tmp_path / "tiny.pt"
    save_checkpoint(random_checkpoint(preset("tiny")), model)
    out = tmp_path / "strokes.json"
    done = subprocess.run(
        [sys.executable, "bench/detail_strokes.py", "--heldout", str(heldout), "--no-shipped",
         "--checkpoint", f"t={model}", "--json", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "| t |" in done.stdout
    inked = float(done.stdout.split("strokes ink ")[1].split(" %")[0])
    assert inked > 0.1  # the discs got strokes: the "stroked" columns colour other line art
    document = json.loads(out.read_text())
    assert document["checkpoints"]["t"]["checkpoint"] == str(model)
    row = document["results"]["t"]
    assert set(row) == {f"{m} {c}" for m in ("region", "l1") for c in ("plain", "stroked", "cost")}
    assert all(value is not None and value >= 0 for key, value in row.items() if "cost" not in key)
    hatched = subprocess.run(
        [sys.executable, "bench/detail_strokes.py", "--heldout", str(heldout), "--no-shipped",
         "--checkpoint", f"t={model}", "--marks", "hatching"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert hatched.returncode == 0, hatched.stderr
    assert float(hatched.stdout.split("hatching ink ")[1].split(" %")[0]) > 0.1
    missing = subprocess.run(
        [sys.executable, "bench/detail_strokes.py", "--heldout", str(tmp_path / "none"), "--no-shipped"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert missing.returncode == 2 and "no held-out pictures" in missing.stderr
