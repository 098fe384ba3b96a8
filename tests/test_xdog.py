"""XDoG line extraction: clean line art from a real illustration, blank paper from a flat picture."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageFilter

from linetint.imaging.xdog import XDoGParams, xdog

DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "lineart"
COLOR = DATA / "sketchkeras-1-color.png"
REFERENCE = DATA / "sketchkeras-1-lineart.png"


@pytest.fixture(scope="module")
def illustration() -> tuple[np.ndarray, np.ndarray]:
    if not (COLOR.exists() and REFERENCE.exists()):
        pytest.skip("shared illustration data is not available")
    rgb = np.asarray(Image.open(COLOR).convert("RGB"))
    reference = np.asarray(Image.open(REFERENCE).convert("L"))
    return rgb, reference


def test_real_illustration_becomes_white_paper_with_dark_lines(illustration) -> None:
    rgb, _ = illustration
    lines = xdog(rgb)
    assert lines.shape == rgb.shape[:2] and lines.dtype == np.uint8
    assert (lines > 200).mean() > 0.8
    assert (lines < 60).mean() > 0.005


def test_xdog_lines_fall_on_the_reference_line_art(illustration) -> None:
    rgb, reference = illustration
    dark = xdog(rgb) < 128
    # sketchKeras lines are a pixel or two wider or offset; accept a 1-px neighbourhood.
    ref_dark = np.asarray(Image.fromarray(reference).filter(ImageFilter.MinFilter(3))) < 128
    hit_rate = ref_dark[dark].mean()
    assert hit_rate > 4 * ref_dark.mean()
    # ... and they cover a good share of the reference, not one lucky stroke.
    assert dark[ref_dark].mean() > 0.25


def test_flat_images_have_no_lines() -> None:
    for value in (0, 90, 255):
        flat = np.full((40, 30, 3), value, np.uint8)
        assert (xdog(flat) == 255).all()


def test_a_dark_stroke_on_paper_is_found_where_it_is() -> None:
    rgb = np.full((32, 48, 3), 255, np.uint8)
    rgb[10:12, 5:40] = (20, 30, 200)  # a thin blue ink line
    lines = xdog(rgb)
    assert lines[10:12, 8:37].max() < 60
    assert (lines[:6] == 255).all() and (lines[18:] == 255).all()


def test_grey_input_and_tiny_images() -> None:
    grey = np.full((2, 3), 255, np.uint8)
    assert xdog(grey).tolist() == [[255, 255, 255]] * 2
    with pytest.raises(ValueError, match="expects"):
        xdog(np.zeros((4, 4, 4), np.uint8))
    with pytest.raises(ValueError):
        XDoGParams(k=1.0)
