"""Lines over colour: the picture every export and every preview shows."""

import numpy as np
import pytest

from linetint.imaging.compose import colour_at_lineart_size, compose


def test_lines_multiply_the_colour_rounded():
    grey = np.array([[255, 0, 128]], np.uint8)
    colour = np.full((1, 3, 3), (200, 100, 255), np.uint8)
    assert compose(grey, colour)[0].tolist() == [[200, 100, 255], [0, 0, 0], [100, 50, 128]]
    assert compose(grey, colour, multiply_lines=False) is colour


def test_colour_is_resized_to_the_line_art():
    grey = np.full((8, 12), 255, np.uint8)
    small = np.full((4, 6, 3), 90, np.uint8)
    assert colour_at_lineart_size(grey, small).shape == (8, 12, 3)
    assert (compose(grey, small) == 90).all()


def test_wrong_inputs_are_refused():
    with pytest.raises(ValueError, match="line art"):
        compose(np.zeros((2, 2, 3), np.uint8), np.zeros((2, 2, 3), np.uint8))
    with pytest.raises(ValueError, match="colour image"):
        compose(np.zeros((2, 2), np.uint8), np.zeros((2, 2), np.uint8))
