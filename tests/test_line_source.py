"""A colour illustration given as line art reaches the network as its lines, line art as itself."""

import numpy as np
from PIL import Image

from linetint.imaging.line_source import is_colour_picture, network_lineart


def colour_illustration() -> Image.Image:
    """Flat shapes in saturated colours, dark hair-like band included: its grey is mostly not paper."""
    rgb = np.full((120, 160, 3), 250, np.uint8)
    rgb[10:60, 10:80] = (40, 60, 160)  # a dark blue coat
    rgb[60:110, 40:150] = (200, 80, 60)  # a red skirt
    rgb[20:50, 100:150] = (30, 120, 40)  # dark green leaves
    return Image.fromarray(rgb)


def test_a_colour_illustration_becomes_its_lines():
    picture = colour_illustration()
    assert is_colour_picture(picture)
    grey = np.asarray(picture.convert("L"))
    lines = network_lineart(picture)
    assert lines.shape == grey.shape and lines.dtype == np.uint8
    # its grey is dark over whole shapes; its lines are paper inside them and dark only at their edges
    assert (grey < 160).mean() > 0.5 and (lines < 160).mean() < 0.2
    assert lines[30, 40] > 200 and lines[85, 100] > 200


def test_line_art_and_tinted_sketches_stay_as_they_are():
    sketch = np.full((80, 100), 235, np.uint8)
    sketch[40, 10:90] = 60
    warm = np.stack([sketch, sketch - 6, sketch - 16], axis=-1).clip(0, 255).astype(np.uint8)
    for picture in (Image.fromarray(sketch), Image.fromarray(warm)):
        assert not is_colour_picture(picture)
        np.testing.assert_array_equal(network_lineart(picture), np.asarray(picture.convert("L")))
