"""Simulated hints follow the paper's distributions (Zhang et al. 2017) and the hint contract."""

from __future__ import annotations

import numpy as np
import pytest

from linetint.model.hints import HintLayer, rasterize
from linetint.training.hint_sim import HintSimConfig, simulate_hints

SAMPLES = 4000


@pytest.fixture(scope="module")
def gradient() -> np.ndarray:
    """A 64 x 64 image whose every pixel has a different colour, so a patch's mean tells where it is."""
    y, x = np.mgrid[0:64, 0:64]
    return np.stack([x * 4, y * 4, (x * 7 + y * 13) % 256], axis=-1).astype(np.uint8)


@pytest.fixture(scope="module")
def layers(gradient) -> list[HintLayer]:
    rng = np.random.default_rng(1234)
    return [simulate_hints(gradient, rng) for _ in range(SAMPLES)]


def test_hint_count_is_geometric_with_mean_seven(layers) -> None:
    counts = np.array([len(layer) for layer in layers])
    assert abs(counts.mean() - 7.0) < 0.4
    assert abs((counts == 0).mean() - 0.125) < 0.02
    assert abs((counts == 1).mean() - 0.125 * 0.875) < 0.02
    assert counts.max() <= HintSimConfig().max_hints


def test_sizes_are_uniform_from_one_to_eight(layers) -> None:
    sizes = np.array([hint.size for layer in layers for hint in layer.hints])
    freq = np.bincount(sizes, minlength=9)[1:] / sizes.size
    assert np.all(np.abs(freq - 1 / 8) < 0.02), freq


def centres(layers: list[HintLayer], side: int) -> np.ndarray:
    """Continuous patch centres (x, y) as fractions of the side."""
    return np.array([(h.x + h.size / 2, h.y + h.size / 2) for layer in layers for h in layer.hints]) / side


def test_patch_centres_are_centred_to_a_fraction_of_a_pixel(layers) -> None:
    # Half a pixel off (e.g. rounding the corner instead of truncating it) would be 0.008 here.
    assert np.all(np.abs(centres(layers, 64).mean(axis=0) - 0.5) < 0.004)


def test_patch_centres_spread_a_quarter_side_like_a_gaussian() -> None:
    # A large image, so the patch size (H - P + 1 vs H) does not shrink the spread measurably.
    side = 512
    rng = np.random.default_rng(99)
    layers = [simulate_hints(np.zeros((side, side, 3), np.uint8), rng) for _ in range(SAMPLES)]
    rel = centres(layers, side)
    # Clipping at the border, 2 sigma out, leaves 0.96 of the Gaussian's standard deviation: 0.24.
    assert np.all(np.abs(rel.std(axis=0) - 0.24) < 0.01), rel.std(axis=0)
    # A Gaussian puts 68 % within one sigma of the centre; a uniform spread would put 50 %.
    within = (np.abs(rel - 0.5) < 0.25).mean(axis=0)
    assert np.all(np.abs(within - 0.683) < 0.02), within


def test_patches_stay_inside_the_image(layers) -> None:
    for layer in layers[:500]:
        assert (layer.width, layer.height) == (64, 64)
        for h in layer.hints:
            assert h.x + h.size <= 64 and h.y + h.size <= 64


def test_hint_colour_is_the_mean_target_colour_under_it(layers, gradient) -> None:
    for layer in layers[:200]:
        for h in layer.hints:
            patch = gradient[h.y : h.y + h.size, h.x : h.x + h.size].reshape(-1, 3).astype(float)
            assert np.all(np.abs(np.array(h.color) - patch.mean(axis=0)) <= 0.5)


def test_flat_region_hints_have_its_exact_colour_and_rasterize() -> None:
    target = np.zeros((32, 40, 3), np.uint8)
    target[:] = (200, 30, 90)
    layer = simulate_hints(target, np.random.default_rng(5), HintSimConfig(p=0.01))
    assert len(layer) > 0 and all(h.color == (200, 30, 90) for h in layer.hints)
    raster = rasterize(layer)
    assert raster.shape == (4, 32, 40)
    hinted = raster[3] > 0
    assert np.allclose(raster[0][hinted], 200 / 127.5 - 1)


def test_same_seed_same_hints_and_different_seed_different(gradient) -> None:
    def draw(seed: int) -> list[HintLayer]:
        rng = np.random.default_rng(seed)
        return [simulate_hints(gradient, rng) for _ in range(20)]

    assert draw(7) == draw(7)
    assert draw(7) != draw(8)


def test_images_smaller_than_a_patch_get_smaller_patches() -> None:
    tiny = np.full((3, 2, 3), 40, np.uint8)
    layer = simulate_hints(tiny, np.random.default_rng(0), HintSimConfig(p=0.01, min_size=8))
    assert len(layer) > 0
    assert all(h.size == 2 and h.x == 0 for h in layer.hints)


def test_config_is_validated() -> None:
    with pytest.raises(ValueError):
        HintSimConfig(max_size=9)
    with pytest.raises(ValueError):
        HintSimConfig(p=0)


def test_config_sizes_are_the_hint_contracts() -> None:
    with pytest.raises(ValueError, match=r"min_size: 0 is outside 1-8"):
        HintSimConfig(min_size=0)
    with pytest.raises(ValueError, match=r"must not exceed"):
        HintSimConfig(min_size=5, max_size=4)
