"""Incremental hint encoding must give the features a full VGG pass gives, for any edit a user makes."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from linetint.model.colorizer import Colorizer
from linetint.model.generator import run_padding
from linetint.model.hints import Hint, HintLayer, rasterize
from linetint.model.incremental import (
    IncrementalHintEncoder,
    full_macs,
    input_window,
    plan_macs,
    plan_steps,
    split_stages,
)
from linetint.model.vgg import HINT_TAP, VGG19Features

WIDTH, HEIGHT = 200, 150  # padded to 208 x 160: the true border of what the VGG sees is the padded one
RTOL = 1e-5


@pytest.fixture(scope="module")
def vgg() -> VGG19Features:
    torch.manual_seed(0)
    return VGG19Features(last=HINT_TAP).eval()


def padded_raster(hints, width=WIDTH, height=HEIGHT) -> torch.Tensor:
    raster = torch.from_numpy(rasterize(HintLayer(width, height, tuple(hints))))[None]
    return F.pad(raster, run_padding(height, width))


def full_pass(vgg, raster) -> torch.Tensor:
    with torch.inference_mode():
        return vgg((raster[:, :3] + 1) * 0.5)[HINT_TAP]


def relative_error(a: torch.Tensor, b: torch.Tensor) -> float:
    return float((a.float() - b.float()).abs().max() / b.float().abs().max())


def encode(encoder, raster) -> torch.Tensor:
    with torch.inference_mode():
        return encoder.encode(raster)


def test_a_conv4_4_pixel_sees_exactly_a_116_px_window(vgg):
    assert input_window(split_stages(vgg.features)) == (-54, 61, 8)
    # and the layers agree: one changed input pixel moves exactly the outputs whose window holds it
    base = torch.zeros(1, 4, 160, 208)
    x = 100
    moved = base.clone()
    moved[0, :3, 80, x] = 1.0
    diff = (full_pass(vgg, moved) - full_pass(vgg, base)).abs().amax(dim=(0, 1, 2))
    changed = torch.nonzero(diff).flatten().tolist()
    assert changed == list(range(-(-(x - 61) // 8), (x + 54) // 8 + 1))


def test_random_edits_undo_and_borders_match_a_full_pass(vgg):
    rng = np.random.default_rng(1)
    encoder = IncrementalHintEncoder(vgg)
    hints: list[Hint] = []
    modes = []
    corners = [
        Hint(0, 0, 3, (255, 0, 0)),
        Hint(WIDTH - 1, HEIGHT - 1, 8, (0, 255, 0)),
        Hint(0, HEIGHT - 2, 2, (9, 9, 9)),
    ]
    for step in range(10):
        if step in (2, 5, 8):
            hints.append(corners[step // 3])  # image borders, incl. the bottom-right next to the padding
        elif hints and step in (4, 7):
            hints.pop(int(rng.integers(len(hints))))  # undo / erase: a hint goes away
        else:
            xy = (int(rng.integers(WIDTH)), int(rng.integers(HEIGHT)))
            hints.append(Hint(*xy, int(rng.integers(1, 9)), tuple(int(c) for c in rng.integers(0, 256, 3))))
        raster = padded_raster(hints)
        assert relative_error(encode(encoder, raster), full_pass(vgg, raster)) <= RTOL, step
        modes.append(encoder.last.mode)
    assert modes[0] == "full" and modes.count("incremental") >= 8


def test_several_separate_changes_in_one_edit(vgg):
    encoder = IncrementalHintEncoder(vgg)
    encode(encoder, padded_raster([]))
    far_apart = [Hint(2, 3, 4, (200, 10, 10)), Hint(190, 140, 5, (10, 200, 10)), Hint(5, 140, 1, (1, 2, 3))]
    raster = padded_raster(far_apart)
    features = encode(encoder, raster)
    assert encoder.last.mode == "incremental" and encoder.last.boxes == 3
    assert relative_error(features, full_pass(vgg, raster)) <= RTOL


def test_a_new_size_is_encoded_fully_and_each_size_keeps_its_own_cache(vgg):
    encoder = IncrementalHintEncoder(vgg)
    small = [Hint(10, 10, 4, (255, 255, 0))]
    encode(encoder, padded_raster(small))
    other = padded_raster([Hint(40, 30, 4, (0, 0, 255))], width=120, height=100)
    features = encode(encoder, other)
    assert encoder.last.mode == "full" and encoder.last.reason == "new size or precision"
    assert relative_error(features, full_pass(vgg, other)) <= RTOL
    back = padded_raster([*small, Hint(100, 60, 2, (0, 255, 255))])
    features = encode(encoder, back)  # the first size's cache is still there: incremental again
    assert encoder.last.mode == "incremental"
    assert relative_error(features, full_pass(vgg, back)) <= RTOL


def test_unchanged_hints_reuse_the_cache_and_big_changes_encode_fully(vgg):
    encoder = IncrementalHintEncoder(vgg)
    raster = padded_raster([Hint(50, 50, 4, (1, 2, 3))])
    first = encode(encoder, raster).clone()
    assert torch.equal(encode(encoder, raster), first) and encoder.last.mode == "unchanged"
    grid = [Hint(x, y, 8, (x % 256, y % 256, 7)) for x in range(0, WIDTH, 9) for y in range(0, HEIGHT, 9)]
    big = padded_raster(grid)
    features = encode(encoder, big)
    assert encoder.last.mode == "full" and encoder.last.reason in {"large change", "many separate changes"}
    assert relative_error(features, full_pass(vgg, big)) <= RTOL


def test_one_patch_at_512_costs_a_small_fraction_of_a_full_pass(vgg):
    stages = split_stages(vgg.features)
    plan = plan_steps(stages, [(200, 204, 300, 304)], 512, 512)  # a 4-px brush dab
    assert plan_macs(stages, plan) < 0.03 * full_macs(stages, 512, 512)


def test_colorizer_with_incremental_encoding_paints_what_a_full_pass_paints():
    fast = Colorizer.untrained("tiny", "cpu", precision="fp32")
    plain = Colorizer.untrained("tiny", "cpu", precision="fp32", incremental=False)
    grey = np.full((200, 260), 255, np.uint8)
    grey[80, :] = 0
    hints = []
    for n, (x, y) in enumerate([(5, 5), (250, 190), (130, 96)]):
        hints.append(Hint(x, y, 4, (50 * n, 255 - 60 * n, 30)))
        layer = HintLayer(260, 200, tuple(hints))
        a, b = fast.colorize(grey, layer, 260), plain.colorize(grey, layer, 260)
        assert np.abs(a.astype(int) - b.astype(int)).max() <= 1
    assert fast.last_timing.hint_report.mode == "incremental"
