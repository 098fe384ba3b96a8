"""The one picture <-> tensor scale (model/tensors.py): uint8 0..255 <-> [-1, 1], white = +1."""

import numpy as np
import torch

from linetint.model.tensors import picture_tensor, signed, tensor_picture, unit


def test_signed_is_v_over_127_5_minus_1_with_white_at_plus_1():
    levels = np.arange(256, dtype=np.uint8)
    expected = levels.astype(np.float32) / np.float32(127.5) - np.float32(1.0)
    assert signed(levels).dtype == np.float32
    assert np.array_equal(signed(levels), expected)
    assert signed(levels)[255] == 1.0 and signed(levels)[0] == -1.0


def test_picture_tensor_puts_channels_first():
    grey = np.arange(12, dtype=np.uint8).reshape(3, 4)
    rgb = np.stack([grey, grey + 1, grey + 2], axis=2)
    assert picture_tensor(grey).shape == (1, 3, 4)
    colour = picture_tensor(rgb)
    assert colour.shape == (3, 3, 4) and colour.dtype == torch.float32 and colour.is_contiguous()
    assert torch.equal(colour[2], torch.from_numpy(signed(grey + 2)))


def test_every_level_comes_back_from_its_tensor_and_out_of_range_is_clamped():
    rgb = np.random.default_rng(0).integers(0, 256, (5, 7, 3), dtype=np.uint8)
    assert np.array_equal(tensor_picture(picture_tensor(rgb)), rgb)
    far = torch.tensor([-3.0, 3.0, 0.0]).view(3, 1, 1)
    assert tensor_picture(far).tolist() == [[[0, 255, 128]]]


def test_unit_maps_the_scale_onto_0_1():
    assert unit(torch.tensor([-1.0, 0.0, 1.0])).tolist() == [0.0, 0.5, 1.0]
