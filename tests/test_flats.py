"""Flat colours: one colour per area the lines enclose, without leaks through small gaps."""

from pathlib import Path

import numpy as np
import pytest

from linetint.imaging.flats import flat_colours, flat_colours_within, label_regions, line_mask
from linetint.model.images import load_lineart

ROOT = Path(__file__).resolve().parent.parent
REAL = [ROOT / "resources" / "samples" / "girl-lineart.png"] + sorted(
    (ROOT.parent / "shared" / "data" / "lineart").glob("*/lineart.png")
)


def two_rooms(gap: int = 0) -> np.ndarray:
    """A 60×100 box split by a wall at x = 50, with a `gap` px opening in the wall."""
    grey = np.full((60, 100), 255, np.uint8)
    grey[[5, 54], 5:95] = 0
    grey[5:55, [5, 50, 94]] = 0
    if gap:
        grey[28 : 28 + gap, 50] = 255
    return grey


def speckled(grey: np.ndarray, left: tuple, right: tuple, seed: int = 0) -> np.ndarray:
    """What a network might paint: each room its colour, with 10 % stray pixels of random colours."""
    rng = np.random.default_rng(seed)
    rgb = np.zeros((*grey.shape, 3), np.uint8)
    rgb[:, :50], rgb[:, 50:] = left, right
    stray = rng.random(grey.shape) < 0.1
    rgb[stray] = rng.integers(0, 256, (stray.sum(), 3))
    return rgb


@pytest.mark.parametrize("path", REAL, ids=lambda p: p.parent.name)
def test_regions_are_exactly_the_connected_areas(path):
    ndimage = pytest.importorskip("scipy.ndimage")
    free = ~line_mask(load_lineart(path), close_gaps=1)
    ours, (theirs, count) = label_regions(free), ndimage.label(free)
    assert (ours[~free] == -1).all() and ours.max() + 1 == count
    pairs = set(zip(ours[free].tolist(), theirs[free].tolist(), strict=True))
    assert len(pairs) == count  # the same partition, up to numbering


def test_each_room_gets_one_colour_and_the_speckles_go():
    grey = two_rooms()
    flat = flat_colours(grey, speckled(grey, (200, 40, 40), (40, 40, 200)))
    assert (flat[10:50, 10:45] == (200, 40, 40)).all() and (flat[10:50, 56:90] == (40, 40, 200)).all()


def test_a_small_gap_in_a_line_does_not_let_a_colour_leak():
    grey = two_rooms(gap=3)
    flat = flat_colours(grey, speckled(grey, (200, 40, 40), (40, 40, 200)), close_gaps=2)
    assert (flat[10:50, 10:45] == (200, 40, 40)).all() and (flat[10:50, 56:90] == (40, 40, 200)).all()
    assert (flat[28:31, 49:52] != 0).any()  # the opening itself is coloured (from one side or the other)


def test_lines_and_tiny_areas_keep_the_network_colour():
    grey = two_rooms()
    grey[20:23, 20:23] = 0
    grey[21, 21] = 255  # a one-pixel hole inside a ring: too small to be an area
    rgb = speckled(grey, (200, 40, 40), (40, 40, 200))
    flat = flat_colours(grey, rgb)
    assert np.array_equal(flat[grey < 128], rgb[grey < 128]) and np.array_equal(flat[21, 21], rgb[21, 21])


def test_colours_of_another_size_are_refused():
    with pytest.raises(ValueError, match="line art"):
        flat_colours(two_rooms(), np.zeros((30, 50, 3), np.uint8))


def test_a_blank_page_is_one_area():
    grey = np.full((40, 40), 255, np.uint8)
    rgb = np.full((40, 40, 3), 90, np.uint8)
    rgb[0, 0] = 255
    assert (flat_colours(grey, rgb) == 90).all()


@pytest.mark.parametrize("shape", [(40, 40), (1, 1), (3, 500)])
def test_a_page_of_lines_only_keeps_the_network_colours(shape):
    rgb = np.random.default_rng(1).integers(0, 256, (*shape, 3), dtype=np.uint8)
    assert np.array_equal(flat_colours(np.zeros(shape, np.uint8), rgb), rgb)


def test_preview_flats_worked_out_smaller_colour_the_rooms_the_same():
    grey = np.kron(two_rooms(), np.ones((4, 4), np.uint8))  # 240 × 400
    rgb = np.kron(speckled(two_rooms(), (200, 40, 40), (40, 40, 200)), np.ones((4, 4, 1), np.uint8))
    quick = flat_colours_within(grey, rgb, max_side=100)
    assert quick.shape == rgb.shape
    assert (quick[40:200, 40:180] == (200, 40, 40)).all() and (quick[40:200, 224:360] == (40, 40, 200)).all()


@pytest.mark.parametrize("gap, leaks", [(4, False), (12, True)])
def test_by_default_gaps_up_to_2_px_per_250_px_of_the_short_side_close(gap, leaks):
    grey = np.full((500, 800), 255, np.uint8)  # short side 500: gaps up to 4 px close
    grey[[20, 479], 20:780] = 0
    grey[20:480, [20, 400, 779]] = 0
    grey[240 : 240 + gap, 400] = 255
    rgb = np.zeros((500, 800, 3), np.uint8)
    rgb[:, :400], rgb[:, 400:] = (200, 40, 40), (40, 40, 200)
    rgb[22:478, 22:140] = (40, 40, 200)  # the left room's far end painted blue: a leak would flood it all
    flat = flat_colours(grey, rgb)
    left_near_wall = tuple(flat[240, 380])
    assert (left_near_wall == (40, 40, 200)) == leaks  # one merged area takes the majority's blue
