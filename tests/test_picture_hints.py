"""Hints from a colour picture of the same drawing: one per area, in the picture's colour there."""

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from linetint.imaging.picture_hints import PictureMismatch, hints_from_picture
from linetint.model.colorizer import Colorizer
from linetint.model.hints import HintLayer, hint_rgba
from linetint.model.images import load_lineart, load_rgb

SHARED = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "lineart"
RED, BLUE, GREEN, YELLOW = (200, 40, 40), (40, 40, 200), (40, 180, 60), (230, 210, 40)


def two_rooms() -> np.ndarray:
    grey = np.full((60, 100), 255, np.uint8)
    grey[[5, 54], 5:95] = 0
    grey[5:55, [5, 50, 94]] = 0
    return grey


def painted(left, right, shape=(60, 100)) -> np.ndarray:
    picture = np.full((*shape, 3), 255, np.uint8)
    middle = shape[1] // 2
    picture[:, :middle], picture[:, middle:] = left, right
    return picture


def room_of(hint) -> str:
    """Which room of two_rooms() the hint's patch lies in: "left", "right", "outside" or "wall"."""
    if not (6 <= hint.y and hint.y + hint.size <= 54):
        return "outside"
    if 6 <= hint.x and hint.x + hint.size <= 50:
        return "left"
    return "right" if 51 <= hint.x <= 94 - hint.size else "wall"


def test_each_area_gets_one_hint_inside_it_in_the_picture_colour():
    layer = hints_from_picture(two_rooms(), painted(RED, BLUE))
    inside = {room_of(h): h.color for h in layer.hints if room_of(h) != "outside"}
    assert inside == {"left": RED, "right": BLUE}
    assert all(room_of(h) != "wall" for h in layer.hints)  # never on a line


def test_a_picture_of_another_size_but_the_same_shape_is_scaled_onto_the_drawing():
    layer = hints_from_picture(two_rooms(), painted(RED, BLUE, shape=(30, 50)))
    assert {room_of(h): h.color for h in layer.hints if room_of(h) in ("left", "right")} == {
        "left": RED,
        "right": BLUE,
    }


def test_an_area_painted_in_two_colours_gets_hints_of_both():
    picture = painted(RED, BLUE)
    picture[:, 5:28] = GREEN  # the left room: green, then yellow
    picture[:, 28:50] = YELLOW
    colours = {h.color for h in hints_from_picture(two_rooms(), picture).hints if room_of(h) == "left"}
    assert GREEN in colours and YELLOW in colours


def test_a_picture_of_another_shape_is_refused():
    with pytest.raises(PictureMismatch, match="not the same shape"):
        hints_from_picture(two_rooms(), painted(RED, BLUE, shape=(100, 60)))


def test_transparent_pictures_are_read_on_white_paper(tmp_path):
    rgba = np.zeros((4, 6, 4), np.uint8)
    rgba[:, :3] = (255, 0, 0, 255)
    Image.fromarray(rgba).save(tmp_path / "layer.png")
    picture = load_rgb(tmp_path / "layer.png")
    assert (
        picture.shape == (4, 6, 3) and (picture[:, :3] == (255, 0, 0)).all() and (picture[:, 3:] == 255).all()
    )


def test_hints_from_the_colour_original_bring_the_output_closer_to_it():
    lineart, colour = SHARED / "sketchkeras-2-lineart.png", SHARED / "sketchkeras-2-color.png"
    if not lineart.exists():
        pytest.skip(f"{lineart} is not available")
    grey, original = load_lineart(lineart), load_rgb(colour)
    layer = hints_from_picture(grey, original)
    assert 20 <= len(layer) <= 1000 and hint_rgba(layer)[..., 3].any()
    colorizer = Colorizer.load(None, "cpu", precision="fp32")
    distance = lambda hints: np.abs(colorizer.colorize(grey, hints, 512).astype(int) - original).mean()  # noqa: E731
    assert distance(layer) < 0.85 * distance(HintLayer(grey.shape[1], grey.shape[0]))


def test_a_picture_is_refused_by_the_hint_contracts_aspect_rule_either_way():
    grey = two_rooms()
    height, width = grey.shape
    for shape in ((height, width + 3), (height + 2, width)):  # 3 % wider, 3.3 % taller
        with pytest.raises(PictureMismatch):
            hints_from_picture(grey, painted(RED, BLUE, shape=shape))
    assert hints_from_picture(grey, painted(RED, BLUE, shape=(height, width + 1))).hints  # 1 %: a resize
