"""The real-line-art evaluation (issue 13, item 2): colour science, masks, baselines, and the bench script."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from linetint.model.checkpoint import random_checkpoint, save_checkpoint
from linetint.model.config import preset
from linetint.model.hints import Hint, HintLayer
from linetint.training.real_art import (
    Sample,
    delta_e76,
    evaluate_samples,
    hint_delta_e,
    load_sample,
    mean_of,
    multiply_lines,
    nearest_hint_fill,
    peer_distance,
    srgb_to_lab,
    white_page,
)

ROOT = Path(__file__).resolve().parents[1]
RED, BLUE, WHITE = (255, 0, 0), (0, 0, 255), (255, 255, 255)


def picture(height: int, width: int, color: tuple[int, int, int]) -> np.ndarray:
    return np.tile(np.array(color, np.uint8), (height, width, 1))


def lineart_with_band(height: int = 512, width: int = 384) -> np.ndarray:
    """White paper with a black horizontal band: a line thick enough to stay a line at long side 256."""
    grey = np.full((height, width), 255, np.uint8)
    grey[200:300] = 0
    return grey


def test_lab_of_white_black_and_srgb_red():
    lab = srgb_to_lab(np.array([WHITE, (0, 0, 0), RED], np.uint8))
    np.testing.assert_allclose(lab[0], [100.0, 0.0, 0.0], atol=1e-3)
    np.testing.assert_allclose(lab[1], [0.0, 0.0, 0.0], atol=1e-9)
    np.testing.assert_allclose(lab[2], [53.24, 80.09, 67.20], atol=0.01)


def test_delta_e76_is_the_euclidean_lab_distance():
    assert delta_e76(
        srgb_to_lab(np.array(WHITE, np.uint8)), srgb_to_lab(np.zeros(3, np.uint8))
    ) == pytest.approx(100)
    assert delta_e76(np.array([50.0, 3.0, 0.0]), np.array([50.0, 0.0, 4.0])) == pytest.approx(5)


def test_peer_distance_is_zero_for_identical_pictures():
    grey = lineart_with_band()
    rgb = np.random.default_rng(0).integers(0, 256, (*grey.shape, 3), dtype=np.uint8)
    assert peer_distance(rgb, rgb, grey) == 0


def test_peer_distance_ignores_line_pixels_and_resizes_the_peer():
    grey = lineart_with_band()
    ours = picture(512, 384, WHITE)
    ours[200:300] = BLUE  # differs from the peer only under the line
    peer = picture(700, 525, WHITE)  # another size of the same page, as style2paints' results are
    assert peer_distance(ours, peer, grey) == 0
    assert peer_distance(picture(512, 384, (0, 0, 0)), peer, grey) == pytest.approx(100)


def test_hint_delta_e_is_zero_where_the_output_paints_the_hint_colour():
    grey = lineart_with_band(64, 48)
    hints = HintLayer(48, 64, (Hint(2, 2, 4, RED), Hint(10, 20, 3, BLUE)))
    ours = picture(64, 48, WHITE)
    ours[2:6, 2:6] = RED
    ours[20:23, 10:13] = BLUE
    assert hint_delta_e(ours, hints, grey) == 0
    ours[20:23, 10:13] = WHITE
    assert hint_delta_e(ours, hints, grey) > 0


def test_hint_delta_e_skips_hints_on_lines_and_is_none_without_hints():
    grey = np.full((64, 48), 255, np.uint8)
    grey[:, :8] = 0
    ours = picture(64, 48, WHITE)
    on_line = HintLayer(48, 64, (Hint(0, 0, 4, RED),))  # a red hint the white output misses, on a line
    assert hint_delta_e(ours, on_line, grey) is None
    assert hint_delta_e(ours, HintLayer(48, 64), grey) is None
    both = on_line.with_hints([*on_line.hints, Hint(20, 20, 2, WHITE)])
    assert hint_delta_e(ours, both, grey) == 0


def test_nearest_hint_fill_takes_the_closest_hint_colour():
    grey = np.full((1, 6), 255, np.uint8)
    hints = HintLayer(6, 1, (Hint(0, 0, 1, RED), Hint(5, 0, 1, BLUE)))
    filled = nearest_hint_fill(grey, hints)
    assert filled[0].tolist() == [list(RED)] * 3 + [list(BLUE)] * 3
    assert (nearest_hint_fill(grey, HintLayer(6, 1)) == 255).all()  # no hints: a white page
    assert (white_page(grey, hints) == 255).all()


def test_multiply_lines_darkens_by_the_line_art():
    grey = np.array([[255, 0, 128]], np.uint8)
    out = multiply_lines(grey, picture(1, 3, (200, 100, 255)))
    assert out[0].tolist() == [[200, 100, 255], [0, 0, 0], [100, 50, 128]]


def test_evaluate_samples_scores_the_peer_itself_as_zero():
    grey = lineart_with_band(64, 48)
    peer = np.random.default_rng(1).integers(0, 256, (64, 48, 3), dtype=np.uint8)
    sample = Sample("x", grey, HintLayer(48, 64, (Hint(4, 4, 1, tuple(peer[4, 4].tolist())),)), peer)
    (row,) = evaluate_samples(lambda g, h: peer, [sample])
    assert (row.sample, row.peer_distance, row.hint_delta_e) == ("x", 0, 0)
    with pytest.raises(ValueError, match="size"):
        evaluate_samples(lambda g, h: peer[:10], [sample])
    assert mean_of([1.0, None, 3.0]) == 2 and mean_of([None]) is None


def write_sample(folder: Path) -> None:
    folder.mkdir(parents=True)
    lineart = Image.new("RGBA", (48, 64), (255, 255, 255, 255))
    lineart.paste((0, 0, 0, 255), (0, 30, 48, 34))
    lineart.save(folder / "lineart.png")
    hints = Image.new("RGBA", (96, 128), (0, 0, 0, 0))  # another size, as the real hint layers are
    hints.paste((255, 0, 0, 255), (10, 10, 14, 14))
    hints.save(folder / "hints.png")
    Image.new("RGB", (50, 66), (250, 240, 230)).save(folder / "peer-result.png")


def test_load_sample_scales_the_hint_layer_to_the_line_art(tmp_path):
    write_sample(tmp_path / "s2p-001")
    sample = load_sample(tmp_path / "s2p-001")
    assert sample.lineart.shape == (64, 48) and sample.peer.shape == (66, 50, 3)
    assert (sample.hints.width, sample.hints.height) == (48, 64)
    assert {h.color for h in sample.hints.hints} == {RED}


def test_bench_prints_the_table_and_writes_json_and_grid(tmp_path):
    write_sample(tmp_path / "samples" / "s2p-001")
    model = tmp_path / "tiny.pt"
    save_checkpoint(random_checkpoint(preset("tiny")), model)
    out = tmp_path / "eval.json"
    done = subprocess.run(
        [sys.executable, "bench/real_art.py", "--samples", str(tmp_path / "samples"),
         "--checkpoint", f"t={model}", "--json", str(out), "--grid", str(tmp_path / "grid.jpg")],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "| s2p-001 |" in done.stdout and "| **mean** |" in done.stdout
    columns = json.loads(out.read_text())["columns"]
    assert set(columns) == {"white page", "nearest hint", "t"}
    assert columns["nearest hint"]["mean"]["hint_delta_e"] == 0
    assert Image.open(tmp_path / "grid.jpg").format == "JPEG"
