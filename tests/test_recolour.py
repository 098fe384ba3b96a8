"""Recolouring a finished picture keeps its light and shade: `imaging.recolour.with_lightness`."""

import numpy as np
import pytest

from linetint.imaging.recolour import with_lightness

LUMA = np.array([0.299, 0.587, 0.114])


def test_the_pictures_shading_stays_and_the_new_colours_hue_comes_through():
    shading = np.tile(np.linspace(60, 200, 64).astype(np.uint8), (32, 1))  # a soft gradient: form
    blue = np.zeros((32, 64, 3), np.uint8) + np.array([40, 90, 200], np.uint8)  # flat, dark-ish colour
    out = with_lightness(blue, shading).astype(float)
    assert np.abs(out @ LUMA - shading).max() < 1.5  # the picture's lightness, pixel for pixel
    assert (out[..., 2] > out[..., 0] + 60).all()  # still blue everywhere
    assert out[:, -1].mean() > out[:, 0].mean() + 100  # the gradient survives the flat colour


def test_grey_colour_gives_the_picture_back_and_white_paper_stays_white():
    shading = np.random.default_rng(0).integers(0, 256, (20, 30), dtype=np.uint8)
    grey = np.full((20, 30, 3), 128, np.uint8)
    assert (with_lightness(grey, shading) == shading[..., None]).all()
    paper = np.full((20, 30), 255, np.uint8)
    red = np.full((20, 30, 3), (220, 30, 30), np.uint8)
    assert with_lightness(red, paper).min() >= 250  # colour on white paper fades, as paint would


def test_the_colour_is_resized_to_the_picture_and_bad_input_is_refused():
    shading = np.full((40, 60), 128, np.uint8)
    small = np.zeros((20, 30, 3), np.uint8) + np.array([200, 40, 40], np.uint8)
    assert with_lightness(small, shading).shape == (40, 60, 3)
    with pytest.raises(ValueError, match="shading"):
        with_lightness(small, shading.astype(np.float32))


def test_deep_shadow_keeps_its_lightness_instead_of_clipping_to_a_lighter_colour():
    shadow = np.full((4, 4), 20, np.uint8)
    cyan = np.full((4, 4, 3), (0, 200, 220), np.uint8)  # far brighter than the shadow: R would go below 0
    out = with_lightness(cyan, shadow).astype(float)
    assert np.abs(out @ LUMA - 20).max() < 1.0
    assert (out[..., 2] > out[..., 0]).all()  # still cyan-ish, only darker and greyer
