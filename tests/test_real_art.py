"""The real-drawing evaluations (issue 13, items 1 and 2): colour science, masks, metrics, baselines, the
held-out pictures, and the bench script."""

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
    colour_speckle,
    delta_e76,
    exact_lines_path,
    heldout_names,
    hint_delta_e,
    hint_error,
    l1_error,
    load_picture,
    load_sample,
    mean_of,
    nearest_hint_fill,
    paper_areas,
    paper_lightness,
    peer_distance,
    picture_seed,
    region_colour_error,
    score_picture,
    score_sample,
    srgb_to_lab,
    white_page,
    with_lines,
    written,
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


def test_paper_lightness_is_the_mean_l_star_off_lines():
    grey = lineart_with_band()
    dark_under_the_line = picture(512, 384, WHITE)
    dark_under_the_line[200:300] = (0, 0, 0)
    assert paper_lightness(dark_under_the_line, grey) == pytest.approx(100)
    assert paper_lightness(picture(512, 384, (0, 0, 0)), grey) == pytest.approx(0)
    half = picture(512, 384, WHITE)
    half[:, 192:] = (0, 0, 0)
    assert paper_lightness(half, grey) == pytest.approx(50, abs=1)


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


def test_score_sample_scores_the_peer_itself_as_zero():
    grey = lineart_with_band(64, 48)
    peer = np.random.default_rng(1).integers(0, 256, (64, 48, 3), dtype=np.uint8)
    sample = Sample("x", grey, HintLayer(48, 64, (Hint(4, 4, 1, tuple(peer[4, 4].tolist())),)), peer, grey)
    row = score_sample(sample, peer)
    assert (row.sample, row.peer_distance, row.hint_delta_e) == ("x", 0, 0)
    with pytest.raises(ValueError, match="size"):
        score_sample(sample, peer[:10])
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


def test_colour_speckle_sees_rainbow_noise_but_not_shading_or_hinted_areas():
    grey = np.full((40, 60), 255, np.uint8)
    grey[:, 30] = 0  # two areas: left and right
    areas = paper_areas(grey)
    shaded = np.zeros((40, 60, 3), np.uint8)
    shaded[...] = np.linspace(60, 250, 60, dtype=np.uint8)[None, :, None]  # a grey ramp: light and shade
    assert colour_speckle(shaded, areas) < 0.5
    rainbow = np.random.default_rng(0).integers(0, 256, (40, 60, 3), dtype=np.uint8)
    assert colour_speckle(rainbow, areas) > 30
    # Noise only on the left, and the left hinted: nothing left to count there.
    half = shaded.copy()
    half[:, :30] = rainbow[:, :30]
    hinted_left = HintLayer(60, 40, (Hint(5, 5, 1, RED),))
    assert colour_speckle(half, areas, hinted_left) < 0.5
    assert colour_speckle(half, areas) > 15
    assert colour_speckle(shaded, areas, HintLayer(60, 40, (Hint(5, 5, 1, RED), Hint(50, 5, 1, RED)))) is None


def test_load_sample_scales_the_hint_layer_to_the_line_art(tmp_path):
    write_sample(tmp_path / "s2p-001")
    sample = load_sample(tmp_path / "s2p-001")
    assert sample.lineart.shape == (64, 48) and sample.peer.shape == (66, 50, 3)
    assert (sample.hints.width, sample.hints.height) == (48, 64)
    assert {h.color for h in sample.hints.hints} == {RED}


def test_a_colour_picture_is_scored_recoloured_in_its_own_lightness_and_line_art_with_lines_over(tmp_path):
    write_sample(tmp_path / "s2p-001")
    line_art = load_sample(tmp_path / "s2p-001")
    painted = tmp_path / "s2p-005"
    write_sample(painted)
    colours = np.zeros((64, 48, 3), np.uint8) + np.array([230, 200, 170], np.uint8)  # pale skin …
    colours[:, 24:] = (40, 60, 140)  # … beside dark blue cloth
    Image.fromarray(colours).save(painted / "lineart.png")
    recoloured = load_sample(painted)
    assert line_art.shading is None and recoloured.shading is not None
    green = picture(32, 24, (60, 180, 60))  # the network's colour, at a smaller working size
    out = written(recoloured, green).astype(float)
    assert np.abs(out @ [0.299, 0.587, 0.114] - recoloured.shading).max() < 1.5  # the picture's light
    assert (out[..., 1] > out[..., 0] + 20).all()  # in the new colour
    lined = written(line_art, green)
    assert lined[32, 10].max() < 10 and tuple(lined[5, 10]) == (60, 180, 60)  # its lines multiplied over


def test_bench_prints_the_table_and_writes_json_and_grid(tmp_path):
    write_sample(tmp_path / "samples" / "s2p-001")
    model = tmp_path / "tiny.pt"
    save_checkpoint(random_checkpoint(preset("tiny")), model)
    out = tmp_path / "eval.json"
    done = subprocess.run(
        [sys.executable, "bench/real_art.py", "--samples", str(tmp_path / "samples"),
         "--checkpoint", f"t={model}", "--no-shipped", "--heldout-count", "0",
         "--json", str(out), "--grid", str(tmp_path / "grid.jpg"),
         "--zero-hints", str(tmp_path / "zero.jpg")],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "| s2p-001 |" in done.stdout and "| **mean** |" in done.stdout
    document = json.loads(out.read_text())
    columns = document["columns"]
    assert set(columns) == {"white page", "nearest hint", "t"}
    assert columns["nearest hint"]["mean"]["hint_delta_e"] == 0
    assert columns["white page"]["mean"]["speckle"] == 0  # white is as calm as colour gets
    assert document["peer_speckle"] == {"s2p-001": 0}  # the flat peer, in the unhinted lower area
    zero = document["zero_hint"]["t"]
    assert zero["speckle"]["mean"] >= 0 and 0 <= zero["lightness"]["mean"] <= 100
    assert zero["peer_distance"]["per_sample"]["s2p-001"] >= 0
    assert 0 <= document["peer_lightness"]["s2p-001"] <= 100
    assert "| s2p-001 |" in done.stdout.split("No hints at all")[1]
    assert Image.open(tmp_path / "grid.jpg").format == "JPEG"
    assert Image.open(tmp_path / "zero.jpg").size[0] == 2 * 240 + 4  # line art | the model, no hints


# --------------------------------------------------------------------------------------------------------
# Held-out real drawings (item 1)


def two_areas(height: int = 12, width: int = 20) -> np.ndarray:
    """White paper split by a black vertical line at column 8: a left area 8 wide, a right one 11 wide."""
    grey = np.full((height, width), 255, np.uint8)
    grey[:, 8] = 0
    return grey


def test_hint_error_is_the_mean_channel_difference_at_hints_off_lines():
    grey = two_areas()
    hints = HintLayer(20, 12, (Hint(0, 0, 2, RED), Hint(7, 0, 2, BLUE)))  # the blue one half on the line
    ours = picture(12, 20, WHITE)
    ours[0:2, 0:2] = RED
    assert hint_error(ours, hints, grey) == pytest.approx((0 * 4 + 170 * 2) / 6)  # white vs blue: 255/3
    ours[0:2, 7:9] = BLUE
    assert hint_error(ours, hints, grey) == 0
    assert hint_error(ours, HintLayer(20, 12), grey) is None


def test_l1_error_ignores_lines():
    grey = two_areas()
    target = picture(12, 20, WHITE)
    ours = target.copy()
    ours[:, 8] = 0  # under the line: not counted
    assert l1_error(ours, target, grey) == 0
    ours[:, 0] = (225, 255, 255)  # one paper column of 19 off by 30 in one channel: 10 per pixel
    assert l1_error(ours, target, grey) == pytest.approx(10 / 19)
    assert l1_error(ours, target, np.zeros_like(grey)) is None


def test_region_colour_error_compares_medians_weighted_by_area():
    grey = two_areas()
    target = picture(12, 20, WHITE)
    target[:, 9:] = BLUE
    ours = target.copy()
    ours[0, 0] = RED  # one speckle does not move the left area's median
    assert region_colour_error(ours, target, grey) == 0
    ours[:, :8] = (255, 255, 225)  # the left area (96 px) off by 10, the right one (132 px) right
    assert region_colour_error(ours, target, grey) == pytest.approx(10 * 96 / (96 + 132))


def test_region_colour_error_ignores_small_areas():
    grey = two_areas(height=2)  # areas of 16 and 22 px
    target = picture(2, 20, WHITE)
    ours = target.copy()
    ours[:, :8] = 0
    assert region_colour_error(ours, target, grey) == pytest.approx(255 * 16 / 38)
    assert region_colour_error(ours, target, grey, min_area=17) == 0
    assert region_colour_error(ours, target, grey, min_area=23) is None
    assert region_colour_error(ours, target, np.zeros_like(grey)) is None


def write_heldout(root: Path, names: list[str], exact: set[str]) -> None:
    """Colour pictures (a blue disc on white), the `exact` ones with a line layer beside them."""
    for name in names:
        rgb = picture(24, 32, WHITE)
        rr, cc = np.mgrid[:24, :32]
        disc = (rr - 12) ** 2 + (cc - 16) ** 2
        rgb[disc < 64] = BLUE
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        Image.fromarray(rgb).save(root / f"{name}.png")
        if name in exact:
            lines = exact_lines_path(root, name)
            lines.parent.mkdir(parents=True, exist_ok=True)
            Image.fromarray(np.where((disc >= 64) & (disc < 90), 0, 255).astype(np.uint8)).save(lines)


def test_heldout_names_are_a_fixed_sorted_subset(tmp_path):
    names = [f"src/{i:02d}" for i in range(12)] + ["other/deep/x"]
    write_heldout(tmp_path, names, set())
    subset = heldout_names(tmp_path, 5)
    assert len(subset) == 5 and subset == sorted(subset) and set(subset) <= set(names)
    assert heldout_names(tmp_path, 5) == subset
    assert heldout_names(tmp_path, 5, seed=1) != subset
    assert heldout_names(tmp_path, 99) == sorted(names)


def test_load_picture_takes_exact_lines_else_xdog_and_seeds_hints_by_name(tmp_path):
    write_heldout(tmp_path / "heldout", ["a/one", "b/two"], {"a/one"})
    one = load_picture(tmp_path / "heldout", "a/one")
    two = load_picture(tmp_path / "heldout", "b/two")
    assert (one.lines, two.lines) == ("exact", "xdog")
    assert one.lineart.shape == two.lineart.shape == (24, 32) and (one.lineart < 128).any()
    assert load_picture(tmp_path / "heldout", "a/one").hints == one.hints  # the same hints every run
    assert picture_seed("a/one") == picture_seed("a/one") != picture_seed("b/two")
    wrong_size = exact_lines_path(tmp_path / "heldout", "b/two")
    wrong_size.parent.mkdir(parents=True)
    Image.new("L", (10, 10), 255).save(wrong_size)
    with pytest.raises(ValueError, match="size"):
        load_picture(tmp_path / "heldout", "b/two")


def test_score_picture_scores_the_picture_itself_as_zero(tmp_path):
    write_heldout(tmp_path / "heldout", ["a/one"], {"a/one"})
    shown = load_picture(tmp_path / "heldout", "a/one")
    score = score_picture(lambda grey, hints: shown.target, shown)
    assert (score.region_error, score.l1) == (0, 0)  # hints are patch means: off where a patch straddles
    assert score_picture(with_lines(white_page), shown).l1 > 0
    with pytest.raises(ValueError, match="size"):
        score_picture(lambda grey, hints: shown.target[:5], shown)
    Image.new("RGB", (32, 24), BLUE).save(tmp_path / "heldout" / "blue.png")
    flat = load_picture(tmp_path / "heldout", "blue")  # 9 hints; "flat" would draw none
    assert flat.hints.hints and score_picture(lambda grey, hints: flat.target, flat).hint_error == 0


def test_model_specs_add_the_shipped_model_once(tmp_path):
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        from real_art import model_specs
    finally:
        sys.path.remove(str(ROOT / "bench"))
    shipped = tmp_path / "default.pt"
    assert model_specs(["new=a.pt"], shipped, True) == [f"shipped={shipped}", "new=a.pt"]
    assert model_specs(["new=a.pt"], shipped, False) == ["new=a.pt"]
    assert model_specs([f"today={shipped}"], shipped, True) == [f"today={shipped}"]
    assert model_specs([], None, True) == []


def test_bench_scores_the_heldout_pictures_into_the_json(tmp_path):
    write_heldout(tmp_path / "heldout", ["a/one", "a/two", "b/three"], {"a/one", "a/two"})
    model = tmp_path / "tiny.pt"
    save_checkpoint(random_checkpoint(preset("tiny")), model)
    out = tmp_path / "eval.json"
    done = subprocess.run(
        [sys.executable, "bench/real_art.py", "--samples", str(tmp_path / "none"), "--no-shipped",
         "--checkpoint", f"t={model}", "--heldout", str(tmp_path / "heldout"), "--heldout-count", "2",
         "--json", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "2 held-out pictures" in done.stdout
    assert "| nearest hint |" in done.stdout and "| t |" in done.stdout
    heldout = json.loads(out.read_text())["heldout"]
    assert heldout["pictures"] == 2 and set(heldout["mean"]) == {"white page", "nearest hint", "t"}
    assert set(heldout["mean"]["t"]) == {"hint_error", "region_error", "l1"}
    assert all(len(p) == 2 for p in heldout["per_picture"].values())
