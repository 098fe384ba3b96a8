"""Line art cleanup: a photo of a pencil sketch comes out as dark lines on white paper; clean art stays."""

from pathlib import Path

import numpy as np
import pytest

from linetint.imaging.cleanup import Levels, apply_levels, auto_levels, needs_clean_up
from linetint.model.images import load_lineart

SAMPLE_LINEART = Path(__file__).resolve().parent.parent / "resources" / "samples" / "girl-lineart.png"


def photo_of(grey: np.ndarray) -> np.ndarray:
    """The drawing as a phone photo of pencil on paper: faint lines, grey paper lit from one side."""
    height, width = grey.shape
    ys, xs = np.mgrid[0:height, 0:width]
    light = 150 + 70 * xs / width + 20 * ys / height
    ink = (255 - grey.astype(np.float32)) / 255 * 0.55
    noise = np.random.default_rng(0).normal(0, 3, grey.shape)
    return np.clip(light * (1 - ink) + noise, 0, 255).astype(np.uint8)


@pytest.fixture(scope="module")
def drawing() -> np.ndarray:
    return load_lineart(SAMPLE_LINEART)


def test_a_photographed_sketch_gets_white_paper_and_dark_lines(drawing):
    photo = photo_of(drawing)
    paper, lines = drawing > 250, drawing < 64
    assert np.median(photo[paper]) < 230 and np.ptp(np.percentile(photo[paper], [5, 95])) > 40  # uneven
    levels = auto_levels(photo)
    assert levels.flatten
    clean = apply_levels(photo, levels)
    assert (clean[paper] >= 250).mean() > 0.95
    assert np.median(clean[lines]) < 100 and np.median(photo[lines]) > 100  # the pencil became ink


def test_clean_digital_line_art_keeps_its_paper_and_only_darkens_its_lines(drawing):
    levels = auto_levels(drawing)
    assert not levels.flatten and levels.black < 128 and levels.white > 230
    clean = apply_levels(drawing, levels)
    paper, lines = drawing > 250, drawing < 200
    assert (clean[paper] == 255).all() and (clean[drawing <= levels.black] == 0).all()
    assert clean[lines].mean() < drawing[lines].mean()
    assert (clean[drawing >= levels.white] == 255).all()  # the paper grain is gone


def test_levels_map_black_and_white_points_and_keep_order():
    ramp = np.arange(256, dtype=np.uint8).reshape(16, 16)
    out = apply_levels(ramp, Levels(40, 200)).ravel()
    assert out[40] == 0 and out[200] == 255 and out[:40].max() == 0 and out[200:].min() == 255
    assert (np.diff(out.astype(int)) >= 0).all()
    assert apply_levels(ramp, Levels()) is ramp  # identity: nothing computed, nothing copied


@pytest.mark.parametrize("black, white", [(200, 200), (201, 200), (-1, 100), (0, 256)])
def test_impossible_levels_are_refused(black, white):
    with pytest.raises(ValueError):
        Levels(black, white)


def test_a_photographed_sketch_needs_clean_up_and_clean_line_art_does_not(drawing):
    assert needs_clean_up(photo_of(drawing)) and not needs_clean_up(drawing)
