"""The line art a picture gives the network: its grey, or, for a finished colour picture, its lines.

A colour illustration's grey is not line art — shaded hair and cloth become broad dark "lines" the network
paints over and the output multiplies back in. Its lines are what a recolouring needs: XDoG finds them,
as File ▸ Open a Colour Picture to Recolour does in the window and `linetint colorize` does by default.
"""

from __future__ import annotations

import numpy as np
from PIL import Image

from linetint.model.images import colourfulness, to_grey, to_rgb

from .xdog import xdog

# colourfulness() above which a picture is colour art, not line art: a tinted-paper pencil sketch scores
# ~0.0002, the style2paints colour illustrations 0.09-0.15, a painting on white 0.26 (tests/test_images.py).
COLOURFUL = 0.08


def is_colour_picture(image: Image.Image) -> bool:
    return colourfulness(image) > COLOURFUL


def network_lineart(image: Image.Image) -> np.ndarray:
    """uint8 (H, W) line art for the network: XDoG lines of a colour picture, else the picture's grey."""
    return xdog(to_rgb(image)) if is_colour_picture(image) else to_grey(image)
