"""The picture a user sees: the network's colour at line-art size, with the line art multiplied over it."""

from __future__ import annotations

import numpy as np
from PIL import Image


def colour_at_lineart_size(lineart: np.ndarray, colour_rgb: np.ndarray) -> np.ndarray:
    """The colour image resized (bicubic) to the line art's size if it is not already."""
    if colour_rgb.ndim != 3 or colour_rgb.shape[2] != 3 or colour_rgb.dtype != np.uint8:
        raise ValueError("the colour image must be uint8 RGB (H, W, 3)")
    height, width = lineart.shape
    if colour_rgb.shape[:2] == (height, width):
        return colour_rgb
    image = Image.fromarray(colour_rgb, mode="RGB").resize((width, height), Image.Resampling.BICUBIC)
    return np.asarray(image)


def compose(lineart: np.ndarray, colour_rgb: np.ndarray, multiply_lines: bool = True) -> np.ndarray:
    """The colour at line-art size, with the line art multiplied over it unless `multiply_lines` is off.

    The network's colour is soft at line edges (it runs at a reduced size); multiplying the original
    line art back keeps lines as crisp and dark as they were drawn.
    """
    if lineart.ndim != 2 or lineart.dtype != np.uint8:
        raise ValueError("line art must be a uint8 (H, W) grey array")
    colour = colour_at_lineart_size(lineart, colour_rgb)
    if not multiply_lines:
        return colour
    product = colour.astype(np.uint16) * lineart[..., None].astype(np.uint16)
    return ((product + 127) // 255).astype(np.uint8)  # rounded colour * lineart / 255


__all__ = ["colour_at_lineart_size", "compose"]
