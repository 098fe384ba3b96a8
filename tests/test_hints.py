"""Tests for the hint contract: rasterizer, JSON and PNG formats, import resampling, atomic saving."""

from __future__ import annotations

import json
import os
import tracemalloc
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from linetint.model import hints
from linetint.model.hints import (
    HINT_CHANNELS,
    Hint,
    HintFormatError,
    HintLayer,
    aspect_differs,
    check_hint_size,
    clamp_hint_size,
    hint_rgba,
    layer_from_json,
    layer_from_png,
    layer_to_json,
    layer_to_png,
    load_hints,
    load_hints_json,
    rasterize,
    save_hints,
    save_hints_json,
)

REPO = Path(__file__).resolve().parent.parent
DATA = REPO.parent / "shared" / "data" / "lineart"
SAMPLES = REPO / "resources" / "samples"
# (line art, hint layer) pairs drawn by people; the packaged sample is s2p-003, so one always runs.
REAL_LAYERS = [(DATA / f"s2p-00{n}" / "lineart.png", DATA / f"s2p-00{n}" / "hints.png") for n in range(1, 7)]
REAL_LAYERS.append((SAMPLES / "girl-lineart.png", SAMPLES / "girl-hints.png"))


def red(x: int, y: int, size: int = 1) -> Hint:
    return Hint(x, y, size, (255, 0, 0))


def rgba_picture(width: int, height: int) -> np.ndarray:
    return np.zeros((height, width, 4), dtype=np.uint8)


# ---------------------------------------------------------------------------------------------------------
# Data model


def test_hint_hex_and_from_hex_round_trip() -> None:
    hint = Hint.from_hex(1, 2, 3, "#FF8000")
    assert hint.color == (255, 128, 0)
    assert hint.hex == "#ff8000"


def test_hint_normalises_numpy_integers() -> None:
    hint = Hint(np.int64(3), np.int32(4), np.uint8(2), np.array([1, 2, 3], dtype=np.uint8))
    assert hint == Hint(3, 4, 2, (1, 2, 3))
    assert type(hint.x) is int and type(hint.color[0]) is int


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"size": 0}, "size"),
        ({"size": 9}, "size"),
        ({"x": -1}, "x"),
        ({"y": -1}, "y"),
        ({"x": True}, "x"),
        ({"color": (256, 0, 0)}, "color"),
        ({"color": (0, 0)}, "color"),
        ({"color": "#ff0000"}, "color"),
    ],
)
def test_invalid_hint_values_are_refused(kwargs: dict, field: str) -> None:
    args = {"x": 0, "y": 0, "size": 1, "color": (0, 0, 0)} | kwargs
    with pytest.raises(HintFormatError, match=rf"hint\.{field}:"):
        Hint(**args)


def test_layer_refuses_hint_outside_image() -> None:
    with pytest.raises(HintFormatError, match=r"hints\[1\]\.x: 4 is outside the image \(width 4\)"):
        HintLayer(4, 4, (red(0, 0), red(4, 0)))


def test_layer_len_and_with_hints() -> None:
    layer = HintLayer(4, 4)
    assert len(layer) == 0
    bigger = layer.with_hints([red(0, 0), red(1, 1)])
    assert len(bigger) == 2 and bigger.width == 4 and len(layer) == 0


# ---------------------------------------------------------------------------------------------------------
# Rasterizer, pixel-exact


def test_rasterize_shape_and_dtype() -> None:
    out = rasterize(HintLayer(5, 3, (red(0, 0),)))
    assert out.shape == (HINT_CHANNELS, 3, 5)
    assert out.dtype == np.float32


def test_single_pixel_hint() -> None:
    out = rasterize(HintLayer(4, 3, (Hint.from_hex(2, 1, 1, "#ff0000"),)))
    expected = np.zeros((4, 3, 4), dtype=np.float32)
    expected[:, 1, 2] = (1.0, -1.0, -1.0, 1.0)
    np.testing.assert_array_equal(out, expected)


def test_three_pixel_patch() -> None:
    out = rasterize(HintLayer(6, 6, (red(1, 2, 3),)))
    mask = np.zeros((6, 6), dtype=np.float32)
    mask[2:5, 1:4] = 1.0
    np.testing.assert_array_equal(out[3], mask)
    np.testing.assert_array_equal(out[0], mask)
    np.testing.assert_array_equal(out[1], -mask)


def test_patch_clipped_at_right_and_bottom_border() -> None:
    out = rasterize(HintLayer(5, 4, (red(3, 2, 4),)))
    mask = np.zeros((4, 5), dtype=np.float32)
    mask[2:4, 3:5] = 1.0
    np.testing.assert_array_equal(out[3], mask)


def test_overlapping_hints_later_wins() -> None:
    first = Hint(0, 0, 3, (255, 0, 0))
    second = Hint(1, 1, 3, (0, 0, 255))
    out = rasterize(HintLayer(5, 5, (first, second)))
    assert tuple(out[:3, 0, 0]) == (1.0, -1.0, -1.0)
    assert tuple(out[:3, 1, 1]) == (-1.0, -1.0, 1.0)  # overlap: the later, blue hint
    assert tuple(out[:3, 2, 2]) == (-1.0, -1.0, 1.0)
    rgba = hint_rgba(HintLayer(5, 5, (first, second)))
    assert tuple(rgba[1, 1]) == (0, 0, 255, 255)


def test_unhinted_pixels_are_exactly_zero_in_all_channels() -> None:
    out = rasterize(HintLayer(8, 8, (Hint(2, 2, 2, (10, 200, 30)),)))
    unhinted = np.ones((8, 8), dtype=bool)
    unhinted[2:4, 2:4] = False
    assert np.all(out[:, unhinted] == 0.0)
    assert np.all(out[3, ~unhinted] == 1.0)


def test_rgb_mapping_endpoints_and_midpoint() -> None:
    layer = HintLayer(3, 1, (Hint.from_hex(0, 0, 1, "#000000"), Hint.from_hex(1, 0, 1, "#ffffff")))
    out = rasterize(layer)
    np.testing.assert_array_equal(out[:3, 0, 0], [-1.0, -1.0, -1.0])
    np.testing.assert_array_equal(out[:3, 0, 1], [1.0, 1.0, 1.0])
    mid = rasterize(HintLayer(1, 1, (Hint(0, 0, 1, (128, 0, 0)),)))
    np.testing.assert_allclose(mid[:3, 0, 0], [0.5 / 127.5, -1.0, -1.0], atol=1e-6)


def test_hint_rgba_matches_rasterize() -> None:
    layer = HintLayer(6, 5, (Hint(0, 0, 2, (1, 2, 3)), Hint(4, 3, 4, (250, 128, 7))))
    rgba = hint_rgba(layer)
    out = rasterize(layer)
    assert rgba.dtype == np.uint8 and rgba.shape == (5, 6, 4)
    np.testing.assert_array_equal(rgba[..., 3] == 255, out[3] == 1.0)
    np.testing.assert_array_equal(rgba[..., 3] == 0, out[3] == 0.0)
    hinted = rgba[..., 3] == 255
    np.testing.assert_allclose(out[:3, hinted].T, rgba[hinted, :3] / 127.5 - 1, atol=1e-6)


def test_rasterize_many_overlapping_hints_agrees_with_the_picture() -> None:
    rng = np.random.default_rng(1)
    layer = HintLayer(
        512,
        512,
        tuple(
            Hint(int(x), int(y), int(s), tuple(int(c) for c in col))
            for x, y, s, col in zip(
                rng.integers(0, 512, 5000),
                rng.integers(0, 512, 5000),
                rng.integers(1, 9, 5000),
                rng.integers(0, 256, (5000, 3)),
                strict=True,
            )
        ),
    )
    for size in (512, 256):
        raster, picture = rasterize(layer, size, size), hint_rgba(layer, size, size)
        hinted = picture[..., 3] == 255
        np.testing.assert_array_equal(raster[3], hinted)
        expected = np.where(hinted[..., None], picture[..., :3] / 127.5 - 1, 0)
        np.testing.assert_allclose(raster[:3].transpose(1, 2, 0), expected, atol=1e-6)


# ---------------------------------------------------------------------------------------------------------
# Working size: hints survive resizing


def test_one_pixel_hint_survives_quarter_size() -> None:
    layer = HintLayer(400, 400, (Hint(201, 399, 1, (12, 34, 56)),))
    out = rasterize(layer, 100, 100)
    assert out.shape == (4, 100, 100)
    assert out[3].sum() == 1.0
    assert out[3, 99, 50] == 1.0  # floor(399/4), floor(201/4)
    np.testing.assert_array_equal(hint_rgba(layer, 100, 100)[99, 50], (12, 34, 56, 255))


def test_working_size_scales_coordinates_and_sizes() -> None:
    layer = HintLayer(100, 50, (red(10, 20, 4),))
    rgba = hint_rgba(layer, 50, 25)  # scale 0.5: x 5, y 10, size 2
    ys, xs = np.nonzero(rgba[..., 3])
    assert (xs.min(), xs.max(), ys.min(), ys.max()) == (5, 6, 10, 11)


def test_working_size_upscaling_enlarges_without_clamping() -> None:
    layer = HintLayer(10, 10, (red(1, 2, 8),))
    rgba = hint_rgba(layer, 30, 30)  # scale 3: x 3, y 6, size 24 (> 8, drawn anyway)
    ys, xs = np.nonzero(rgba[..., 3])
    assert (xs.min(), xs.max(), ys.min(), ys.max()) == (3, 26, 6, 29)


def test_working_size_uses_mean_scale_for_size() -> None:
    layer = HintLayer(10, 10, (red(0, 0, 4),))
    rgba = hint_rgba(layer, 20, 10)  # scales 2 and 1 -> mean 1.5 -> size 6
    assert rgba[..., 3].sum() == 255 * 6 * 6


def test_scaled_to_uses_same_rule_and_clamps_size() -> None:
    layer = HintLayer(100, 100, (red(99, 50, 8), red(3, 4, 1)))
    down = layer.scaled_to(25, 25)
    assert down == HintLayer(25, 25, (red(24, 12, 2), red(0, 1, 1)))
    up = layer.scaled_to(300, 300)
    assert up.hints[0] == red(297, 150, 8)  # 24 clamped to 8
    assert up.hints[1] == red(9, 12, 3)
    assert layer.scaled_to(100, 100) is layer


def test_rasterize_needs_both_dimensions() -> None:
    with pytest.raises(ValueError, match="both"):
        rasterize(HintLayer(4, 4), 2)


# ---------------------------------------------------------------------------------------------------------
# JSON


def sample_layer() -> HintLayer:
    return HintLayer(
        64,
        48,
        (Hint.from_hex(0, 0, 1, "#000000"), Hint(63, 47, 8, (255, 255, 255)), Hint(5, 6, 3, (1, 2, 3))),
    )


def test_json_round_trip() -> None:
    layer = sample_layer()
    text = layer_to_json(layer)
    assert layer_from_json(text) == layer
    doc = json.loads(text)
    assert doc["format"] == "linetint-hints" and doc["version"] == 1
    assert doc["hints"][2] == {"x": 5, "y": 6, "size": 3, "color": "#010203"}


def test_json_round_trip_empty_layer() -> None:
    assert layer_from_json(layer_to_json(HintLayer(3, 2))) == HintLayer(3, 2)


def test_json_colour_is_read_case_insensitively_and_written_lowercase() -> None:
    text = json.dumps(
        {"format": "linetint-hints", "version": 1, "width": 4, "height": 4,
         "hints": [{"x": 0, "y": 0, "size": 1, "color": "#ABCDEF"}]}
    )  # fmt: skip
    layer = layer_from_json(text)
    assert json.loads(layer_to_json(layer))["hints"][0]["color"] == "#abcdef"


def test_json_ignores_unknown_keys() -> None:
    doc = json.loads(layer_to_json(sample_layer()))
    doc["author"] = "someone"
    doc["hints"][0]["pressure"] = 0.5
    assert layer_from_json(json.dumps(doc)) == sample_layer()


def _doc(**changes: object) -> dict:
    doc = {
        "format": "linetint-hints",
        "version": 1,
        "width": 640,
        "height": 480,
        "hints": [
            {"x": 0, "y": 0, "size": 2, "color": "#ff0000"},
            {"x": 10, "y": 20, "size": 3, "color": "#00ff00"},
        ],
    }
    for key, value in changes.items():
        if value is _DELETE:
            del doc[key]
        else:
            doc[key] = value
    return doc


def _hint_doc(index: int, **changes: object) -> dict:
    doc = _doc()
    for key, value in changes.items():
        if value is _DELETE:
            del doc["hints"][index][key]
        else:
            doc["hints"][index][key] = value
    return doc


_DELETE = object()

MALFORMED = [
    ("{not json", r"not valid JSON"),
    ('{"format": "linetint-hints", "version": 1,', r"not valid JSON"),
    ("[]", r"top level"),
    ('"hints"', r"top level"),
    (_doc(format=_DELETE), r'format: expected "linetint-hints"'),
    (_doc(format="other-app"), r'format: expected "linetint-hints"'),
    (_doc(version=_DELETE), r"version: missing"),
    (_doc(version="1"), r"version: '1' is not an integer"),
    (_doc(version=1.0), r"version: 1.0 is not an integer"),
    (_doc(version=True), r"version: True is not an integer"),
    (_doc(version=2), r"version: 2 is not supported \(this LineTint reads version 1\)"),
    (_doc(width=_DELETE), r"width: missing"),
    (_doc(width=0), r"width: 0 is not a positive integer"),
    (_doc(width=-5), r"width: -5 is not a positive integer"),
    (_doc(width=640.0), r"width: 640.0 is not a positive integer"),
    (_doc(width=True), r"width: True is not a positive integer"),
    (_doc(width="640"), r"width: '640' is not a positive integer"),
    (_doc(width=10**9), r"width: 1000000000 is larger than"),
    (_doc(height=_DELETE), r"height: missing"),
    (_doc(height=0), r"height: 0 is not a positive integer"),
    (_doc(height=False), r"height: False is not a positive integer"),
    (_doc(hints=_DELETE), r"hints: expected a list"),
    (_doc(hints={}), r"hints: expected a list"),
    (_doc(hints=[{"x": 0, "y": 0, "size": 1, "color": "#000000"}, 7]), r"hints\[1\]: expected an object"),
    (_hint_doc(1, x=_DELETE), r"hints\[1\]\.x: missing"),
    (_hint_doc(0, y=_DELETE), r"hints\[0\]\.y: missing"),
    (_hint_doc(1, size=_DELETE), r"hints\[1\]\.size: missing"),
    (_hint_doc(0, x=True), r"hints\[0\]\.x: True is not an integer"),
    (_hint_doc(0, x=1.0), r"hints\[0\]\.x: 1.0 is not an integer"),
    (_hint_doc(1, y="3"), r"hints\[1\]\.y: '3' is not an integer"),
    (_hint_doc(1, size=2.5), r"hints\[1\]\.size: 2.5 is not an integer"),
    (_hint_doc(1, size=False), r"hints\[1\]\.size: False is not an integer"),
    (_hint_doc(1, size=9), r"hints\[1\]\.size: 9 is outside 1-8"),
    (_hint_doc(0, size=0), r"hints\[0\]\.size: 0 is outside 1-8"),
    (_hint_doc(1, x=640), r"hints\[1\]\.x: 640 is outside the image \(width 640\)"),
    (_hint_doc(0, x=-1), r"hints\[0\]\.x: -1 is outside the image \(width 640\)"),
    (_hint_doc(1, y=480), r"hints\[1\]\.y: 480 is outside the image \(height 480\)"),
    (_hint_doc(0, y=-3), r"hints\[0\]\.y: -3 is outside the image \(height 480\)"),
    (_hint_doc(1, color=_DELETE), r"hints\[1\]\.color: missing"),
    (_hint_doc(0, color="red"), r"hints\[0\]\.color: 'red' is not #rrggbb"),
    (_hint_doc(0, color="#fff"), r"hints\[0\]\.color: '#fff' is not #rrggbb"),
    (_hint_doc(0, color="ff0000"), r"hints\[0\]\.color: 'ff0000' is not #rrggbb"),
    (_hint_doc(0, color="#ff000g"), r"hints\[0\]\.color: '#ff000g' is not #rrggbb"),
    (_hint_doc(1, color="#ff0000\n"), r"hints\[1\]\.color: .* is not #rrggbb"),
    (_hint_doc(1, color=16711680), r"hints\[1\]\.color: 16711680 is not #rrggbb"),
    (_hint_doc(1, color=[255, 0, 0]), r"hints\[1\]\.color: \[255, 0, 0\] is not #rrggbb"),
]


@pytest.mark.parametrize(
    ("doc", "message"), MALFORMED, ids=[f"{i}-{m[:30]}" for i, (_, m) in enumerate(MALFORMED)]
)
def test_malformed_json_names_field_and_index(doc: str | dict, message: str) -> None:
    text = doc if isinstance(doc, str) else json.dumps(doc)
    with pytest.raises(HintFormatError, match=message):
        layer_from_json(text)


def test_malformed_json_cases_start_from_a_valid_document() -> None:
    # Guards the parametrized cases above: without the change, the document loads.
    assert len(layer_from_json(json.dumps(_doc()))) == 2


def test_too_many_hints_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hints, "MAX_HINTS", 1)
    with pytest.raises(HintFormatError, match=r"hints: 2 hints is more than the limit"):
        layer_from_json(json.dumps(_doc()))


def test_too_large_json_refused(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    text = json.dumps(_doc())
    monkeypatch.setattr(hints, "MAX_JSON_BYTES", len(text) - 1)
    with pytest.raises(HintFormatError, match=r"file: .* larger than"):
        layer_from_json(text)
    path = tmp_path / "big.json"
    path.write_text(text)
    with pytest.raises(HintFormatError, match=r"file: .* larger than"):
        load_hints_json(path)


def test_save_and_load_json_file(tmp_path: Path) -> None:
    path = tmp_path / "hints.json"
    save_hints_json(sample_layer(), path)
    assert load_hints_json(path) == sample_layer()


# ---------------------------------------------------------------------------------------------------------
# PNG


def test_png_round_trip(tmp_path: Path) -> None:
    layer = HintLayer(
        40,
        30,
        (Hint(0, 0, 8, (10, 20, 30)), Hint(3, 3, 8, (200, 100, 0)), Hint(38, 28, 5, (1, 1, 1)), red(20, 5)),
    )
    path = tmp_path / "hints.png"
    layer_to_png(layer, path)
    back = layer_from_png(path, 40, 30)
    np.testing.assert_array_equal(hint_rgba(back), hint_rgba(layer))
    np.testing.assert_array_equal(rasterize(back), rasterize(layer))
    assert len(back) < 40  # squares, not one hint per pixel


def test_layer_to_png_at_other_size(tmp_path: Path) -> None:
    path = tmp_path / "hints.png"
    layer_to_png(HintLayer(10, 10, (red(4, 4),)), path, 20, 20)
    with Image.open(path) as image:
        assert image.size == (20, 20) and image.mode == "RGBA"
        assert np.asarray(image)[..., 3].sum() == 255 * 4


def test_png_without_alpha_refused() -> None:
    with pytest.raises(HintFormatError, match="alpha"):
        layer_from_png(Image.new("RGB", (8, 8), (255, 0, 0)), 8, 8)


@pytest.mark.parametrize("mode", ["LA", "PA", "P-transparency"])
def test_png_other_alpha_modes_accepted(mode: str) -> None:
    picture = rgba_picture(4, 4)
    picture[1, 2] = (90, 90, 90, 255)
    image = Image.fromarray(picture, mode="RGBA")
    if mode == "LA":
        image = image.convert("LA")
    elif mode == "PA":
        image = image.convert("PA")
    else:
        image = image.convert("P")  # quantises; index of the transparent corner becomes the transparency
        image.info["transparency"] = image.getpixel((0, 0))
    layer = layer_from_png(image, 4, 4)
    assert [(h.x, h.y) for h in layer.hints] == [(2, 1)]


def test_antialiased_pixels_are_not_hints() -> None:
    picture = rgba_picture(6, 6)
    picture[2, 2] = (255, 0, 0, 255)
    picture[2, 3] = (255, 0, 0, 128)
    picture[3, 2] = (255, 0, 0, 249)
    picture[3, 3] = (0, 255, 0, 250)
    layer = layer_from_png(Image.fromarray(picture, mode="RGBA"), 6, 6)
    assert sorted((h.x, h.y, h.color) for h in layer.hints) == [(2, 2, (255, 0, 0)), (3, 3, (0, 255, 0))]


def test_downscale_import_keeps_single_pixel_dot() -> None:
    picture = rgba_picture(1000, 1000)
    picture[601, 333] = (17, 99, 201, 255)
    layer = layer_from_png(Image.fromarray(picture, mode="RGBA"), 250, 250)
    assert layer.hints == (Hint(83, 150, 1, (17, 99, 201)),)


def test_downscale_import_colour_is_rounded_mean_of_opaque_pixels() -> None:
    picture = rgba_picture(4, 4)
    picture[0, 0] = (10, 0, 0, 255)
    picture[0, 1] = (11, 0, 255, 255)
    picture[1, 1] = (200, 200, 200, 0)  # transparent: must not enter the mean
    layer = layer_from_png(Image.fromarray(picture, mode="RGBA"), 2, 2)
    assert layer.hints == (Hint(0, 0, 1, (11, 0, 128)),)  # (10.5 -> 11, 127.5 -> 128)


def test_upscale_import_integer_factor_is_nearest_pixel() -> None:
    picture = rgba_picture(3, 2)
    picture[1, 2] = (5, 6, 7, 255)
    rgba = hint_rgba(layer_from_png(Image.fromarray(picture, mode="RGBA"), 9, 6))
    expected = np.zeros((6, 9), dtype=np.uint8)
    expected[3:6, 6:9] = 255
    np.testing.assert_array_equal(rgba[..., 3], expected)


def test_square_cover_keeps_colour_boundaries_and_is_compact() -> None:
    picture = rgba_picture(20, 20)
    picture[0:16, 0:16] = (1, 2, 3, 255)
    picture[4:6, 4:6] = (9, 9, 9, 255)
    layer = layer_from_png(Image.fromarray(picture, mode="RGBA"), 20, 20)
    np.testing.assert_array_equal(hint_rgba(layer), picture)
    assert len(layer) < 30
    assert max(h.size for h in layer.hints) == 8
    assert sum(h.size**2 for h in layer.hints) == 16 * 16  # disjoint squares, none spills outside


def test_unreadable_image_refused(tmp_path: Path) -> None:
    path = tmp_path / "broken.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n this is not really a png")
    with pytest.raises(HintFormatError, match="image: cannot read"):
        load_hints(path, 10, 10)


def test_import_of_twenty_thousand_scattered_pixels_is_exact() -> None:
    rng = np.random.default_rng(7)
    picture = rgba_picture(600, 600)
    ys, xs = rng.integers(0, 600, 20000), rng.integers(0, 600, 20000)
    picture[ys, xs, :3] = rng.integers(0, 256, (20000, 3))
    picture[ys, xs, 3] = 255
    layer = layer_from_png(Image.fromarray(picture, mode="RGBA"), 600, 600)
    np.testing.assert_array_equal(hint_rgba(layer), picture)


# ---------------------------------------------------------------------------------------------------------
# Real hint layers drawn in another tool


def reference_resample(picture: np.ndarray, width: int, height: int) -> np.ndarray:
    """Independent reference for the import rule: scatter each opaque source pixel to every target pixel whose
    footprint contains it, using exact fractions, then average.  Returns an RGBA uint8 picture."""
    src_h, src_w = picture.shape[:2]

    def owners(n_src: int, n_dst: int) -> list[list[int]]:
        result: list[list[int]] = [[] for _ in range(n_src)]
        for t in range(n_dst):
            first = int(Fraction(t * n_src, n_dst).__floor__())
            last = max(first, Fraction((t + 1) * n_src, n_dst).__ceil__() - 1)
            for s in range(first, last + 1):
                result[s].append(t)
        return result

    col_owners, row_owners = owners(src_w, width), owners(src_h, height)
    sums: dict[tuple[int, int], list[int]] = {}
    for sy, sx in zip(*np.nonzero(picture[..., 3] >= 250), strict=True):
        r, g, b = (int(c) for c in picture[sy, sx, :3])
        for ty in row_owners[sy]:
            for tx in col_owners[sx]:
                acc = sums.setdefault((ty, tx), [0, 0, 0, 0])
                acc[0] += r
                acc[1] += g
                acc[2] += b
                acc[3] += 1
    out = np.zeros((height, width, 4), dtype=np.uint8)
    for (ty, tx), (r, g, b, n) in sums.items():
        out[ty, tx] = [int(Fraction(c, n) + Fraction(1, 2)) for c in (r, g, b)] + [255]
    return out


@pytest.mark.parametrize("lineart_path, hints_path", REAL_LAYERS, ids=lambda p: p.parent.name)
def test_real_hint_layer_imports_exactly(lineart_path: Path, hints_path: Path) -> None:
    if not hints_path.exists():
        pytest.skip(f"{hints_path} is not available")
    with Image.open(lineart_path) as lineart:
        width, height = lineart.size
    with Image.open(hints_path) as image:
        picture = np.asarray(image.convert("RGBA"))
    assert picture.shape[:2] != (height, width)  # the point of the test is a different size

    layer = load_hints(hints_path, width, height)

    expected = reference_resample(picture, width, height)
    got = hint_rgba(layer)
    np.testing.assert_array_equal(got[..., 3], expected[..., 3])
    np.testing.assert_array_equal(got, expected)
    # Every opaque source pixel maps to a hinted target pixel, whatever the scale.
    sy, sx = np.nonzero(picture[..., 3] >= 250)
    assert np.all(got[sy * height // picture.shape[0], sx * width // picture.shape[1], 3] == 255)
    opaque_targets = int((got[..., 3] == 255).sum())
    assert 0 < len(layer) <= opaque_targets / 4  # square cover is compact
    assert sum(h.size**2 for h in layer.hints) == opaque_targets  # squares are disjoint


def test_reference_resample_agrees_on_hand_case() -> None:
    # Guards the reference itself: 3 -> 2 columns, footprints 0..1 and 1..2 overlap at column 1.
    picture = rgba_picture(3, 1)
    picture[0, 1] = (100, 0, 0, 255)
    picture[0, 2] = (201, 0, 0, 255)
    ref = reference_resample(picture, 2, 1)
    assert ref[0, 0].tolist() == [100, 0, 0, 255]
    assert ref[0, 1].tolist() == [151, 0, 0, 255]
    np.testing.assert_array_equal(hint_rgba(layer_from_png(Image.fromarray(picture, mode="RGBA"), 2, 1)), ref)


# ---------------------------------------------------------------------------------------------------------
# load_hints / save_hints


def test_load_hints_json_same_aspect_is_scaled(tmp_path: Path) -> None:
    path = tmp_path / "hints.json"
    save_hints(HintLayer(200, 100, (red(100, 50, 4),)), path)
    layer = load_hints(path, 100, 50)
    assert layer == HintLayer(100, 50, (red(50, 25, 2),))
    assert load_hints(path, 201, 100).width == 201  # within 2 %: accepted


def test_load_hints_json_different_aspect_refused(tmp_path: Path) -> None:
    path = tmp_path / "hints.json"
    save_hints(HintLayer(200, 100, (red(100, 50, 4),)), path)
    message = r"hints were made for a 200x100 image, the line art is 100x100"
    with pytest.raises(HintFormatError, match=message):
        load_hints(path, 100, 100)


def test_load_hints_sniffs_json_without_suffix(tmp_path: Path) -> None:
    path = tmp_path / "hints.txt"
    path.write_text(layer_to_json(sample_layer()))
    assert load_hints(path, 64, 48) == sample_layer()


def test_save_hints_png_then_load(tmp_path: Path) -> None:
    path = tmp_path / "hints.png"
    save_hints(sample_layer(), path)
    np.testing.assert_array_equal(hint_rgba(load_hints(path, 64, 48)), hint_rgba(sample_layer()))


def test_save_hints_unknown_suffix_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"\.json or \.png"):
        save_hints(sample_layer(), tmp_path / "hints.txt")


def _fail_midway_json(monkeypatch: pytest.MonkeyPatch) -> None:
    def failing_fsync(fd: int) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(hints.os, "fsync", failing_fsync)


def _fail_midway_png(monkeypatch: pytest.MonkeyPatch) -> None:
    def failing_save(self: Image.Image, fp: object, *args: object, **kwargs: object) -> None:
        fp.write(b"\x89PNG partial")  # type: ignore[attr-defined]
        raise OSError("disk full")

    monkeypatch.setattr(Image.Image, "save", failing_save)


@pytest.mark.parametrize(
    ("name", "fail"), [("hints.json", _fail_midway_json), ("hints.png", _fail_midway_png)]
)
def test_save_hints_is_atomic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, fail) -> None:
    path = tmp_path / name
    old = HintLayer(64, 48, (red(1, 1),))
    save_hints(old, path)
    before = path.read_bytes()

    fail(monkeypatch)
    with pytest.raises(OSError, match="disk full"):
        save_hints(sample_layer(), path)

    assert path.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == [name]
    monkeypatch.undo()
    np.testing.assert_array_equal(hint_rgba(load_hints(path, 64, 48)), hint_rgba(old))


def test_working_size_rounds_half_sizes_up() -> None:
    layer = HintLayer(10, 10, (red(0, 0, 5),))
    assert hint_rgba(layer, 5, 5)[..., 3].sum() == 255 * 3 * 3  # 2.5 -> 3, not banker's 2
    assert layer.scaled_to(5, 5).hints == (red(0, 0, 3),)


@pytest.mark.parametrize("name", ["missing.json", "missing.png"])
def test_load_hints_missing_file_is_a_format_error(tmp_path: Path, name: str) -> None:
    with pytest.raises(HintFormatError, match="cannot read"):
        load_hints(tmp_path / name, 10, 10)


def test_layer_from_png_refuses_bad_target_size() -> None:
    with pytest.raises(HintFormatError, match="width: 0"):
        layer_from_png(Image.new("RGBA", (4, 4)), 0, 4)


def test_save_hints_keeps_permissions_of_existing_file(tmp_path: Path) -> None:
    path = tmp_path / "hints.json"
    save_hints(sample_layer(), path)
    assert path.stat().st_mode & 0o777 == 0o644  # not mkstemp's private 0600
    path.chmod(0o640)
    save_hints(sample_layer(), path)
    assert path.stat().st_mode & 0o777 == 0o640


def test_load_hints_png_of_another_aspect_is_refused(tmp_path: Path) -> None:
    Image.new("RGBA", (100, 50)).save(tmp_path / "wide.png")
    with pytest.raises(HintFormatError, match="made for a 100x50 image"):
        load_hints(tmp_path / "wide.png", 50, 50)


@pytest.mark.parametrize("size", [(7, 5), (50, 40), (13, 31)])
def test_import_in_bands_of_rows_follows_the_rule(monkeypatch: pytest.MonkeyPatch, size) -> None:
    # Memory: big layers are summed a band of rows at a time; the bands must not change a pixel.
    monkeypatch.setattr(hints, "_BAND_PIXELS", 150)
    rng = np.random.default_rng(3)
    picture = rgba_picture(90, 70)
    ys, xs = rng.integers(0, 70, 400), rng.integers(0, 90, 400)
    picture[ys, xs, :3] = rng.integers(0, 256, (400, 3))
    picture[ys, xs, 3] = rng.choice([200, 255], 400)
    layer = layer_from_png(Image.fromarray(picture, mode="RGBA"), *size)
    np.testing.assert_array_equal(hint_rgba(layer), reference_resample(picture, *size))


def test_a_hint_layer_making_more_hints_than_the_limit_is_refused() -> None:
    picture = rgba_picture(450, 400)
    picture[..., 3] = 255
    picture[::2, ::2, 0] = 9  # a checkerboard of colours: every pixel is its own 1-px hint
    with pytest.raises(HintFormatError, match="more than 25000 hints"):
        layer_from_png(Image.fromarray(picture, mode="RGBA"), 450, 400)


def test_the_hint_limit_is_the_documented_one() -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    assert hints.MAX_HINTS == 25_000 and "25,000 hints" in readme


def test_json_holding_more_values_than_the_limit_is_refused_before_parsing() -> None:
    # 8 MiB of `{},`: before, json.loads built 2.8 million dicts (~200 MB) before the hint count was seen
    text = (
        '{"format": "linetint-hints", "version": 1, "width": 9, "height": 9, "hints": ['
        + "{}," * (8 << 18)
        + "{}]}"
    )
    tracemalloc.start()
    try:
        with pytest.raises(HintFormatError, match="more than 25000 hints need"):
            layer_from_json(text)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 16 * 2**20


def test_a_big_hint_layer_on_small_line_art_is_summed_without_full_size_copies() -> None:
    picture = rgba_picture(3000, 3000)  # 9 MP: summed whole, its int32 and int64 copies took ~700 MB
    picture[100:140, 200:260] = (200, 30, 30, 255)
    image = Image.fromarray(picture, mode="RGBA")
    del picture
    tracemalloc.start()
    try:
        layer = layer_from_png(image, 80, 60)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(layer) >= 1 and peak < 250 * 2**20


def test_hint_size_is_checked_and_clamped_by_the_contract():
    check_hint_size(1)
    check_hint_size(8)
    with pytest.raises(HintFormatError, match=r"brush: 9 is outside 1-8"):
        check_hint_size(9, "brush")
    assert [clamp_hint_size(s) for s in (-3, 0, 1, 5, 8, 12)] == [1, 1, 1, 5, 8, 8]


def test_aspect_differs_is_the_same_either_way_round():
    assert not aspect_differs(101, 100, 100, 100) and not aspect_differs(100, 100, 101, 100)
    assert aspect_differs(103, 100, 100, 100) and aspect_differs(100, 100, 103, 100)
    assert aspect_differs(100, 103, 100, 100) and not aspect_differs(200, 202, 100, 100)
