"""Synthetic flat-colour pictures: deterministic, inked outlines on white, flat regions between lines."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from linetint.training.synthetic import SyntheticConfig, generate

SEEDS = range(12)


@pytest.fixture(scope="module")
def samples():
    return [generate(seed, 128) for seed in SEEDS]


def test_same_seed_same_picture_and_other_seeds_differ(samples) -> None:
    again = generate(3, 128)
    assert np.array_equal(again.color, samples[3].color)
    assert np.array_equal(again.lineart, samples[3].lineart)
    assert not np.array_equal(samples[3].color, samples[4].color)


def test_any_size_and_dtypes() -> None:
    sample = generate(0, (40, 70))
    assert sample.color.shape == (40, 70, 3) and sample.color.dtype == np.uint8
    assert sample.lineart.shape == (40, 70) and sample.lineart.dtype == np.uint8
    with pytest.raises(ValueError):
        generate(0, 0)


def test_line_art_is_white_paper_with_dark_outlines(samples) -> None:
    for sample in samples:
        assert (sample.lineart > 200).mean() > 0.75, sample.line_source
        assert (sample.lineart < 100).sum() > 50, sample.line_source


def test_both_line_sources_occur_and_outline_art_marks_colour_edges(samples) -> None:
    sources = {s.line_source for s in [generate(seed, 48) for seed in range(40)]}
    assert sources == {"outline", "xdog"}
    for sample in samples:
        if sample.line_source != "outline":
            continue
        # Lines are inked into the colour image too: where the line art is dark, so is the colour.
        dark_line = sample.lineart < 60
        assert sample.color[dark_line].max(axis=-1).mean() < 80


def test_pictures_have_several_distinct_flat_colours(samples) -> None:
    for sample in samples:
        colors, counts = np.unique(sample.color.reshape(-1, 3), axis=0, return_counts=True)
        big = colors[counts > 0.01 * counts.sum()]
        assert len(big) >= 3, f"only {len(big)} colours cover 1 % of the picture"
    white = sum(np.all(s.color == 255, axis=-1).mean() for s in samples) / len(samples)
    assert 0.05 < white < 0.9  # white paper shows, but the shapes are the picture


def flat_share(sample) -> float:
    """Share of pixels at least 3 px from any line whose 5 x 5 neighbourhood has exactly one colour."""
    near_line = sample.lineart < 250
    grown = near_line.copy()
    for dy in range(-2, 3):
        for dx in range(-2, 3):
            grown |= np.roll(near_line, (dy, dx), axis=(0, 1))
    inside = ~grown
    inside[:2], inside[-2:], inside[:, :2], inside[:, -2:] = False, False, False, False
    color = sample.color.astype(np.int16)
    spread = np.zeros(color.shape[:2], np.int16)
    for dy in (-2, 0, 2):
        for dx in (-2, 0, 2):
            spread = np.maximum(spread, np.abs(color - np.roll(color, (dy, dx), axis=(0, 1))).max(axis=-1))
    return float((spread[inside] == 0).mean())


def test_regions_between_lines_are_flat(samples) -> None:
    outlined = [s for s in samples if s.line_source == "outline"]
    # Shadow and highlight edges have no line by design, so a few non-flat pixels remain.
    shaded = [flat_share(s) for s in outlined]
    assert min(shaded) > 0.8
    unshaded_config = SyntheticConfig(shade_prob=0.0, highlight_prob=0.0, xdog_prob=0.0)
    unshaded = [flat_share(generate(seed, 128, unshaded_config)) for seed in SEEDS]
    # Without them every colour change sits on a line (outline gaps aside).
    assert min(unshaded) > 0.97
    assert np.mean(shaded) < np.mean(unshaded)


def test_config_knobs_change_the_pictures() -> None:
    plain = SyntheticConfig(
        shade_prob=0.0, highlight_prob=0.0, stroke_prob=0.0, xdog_prob=0.0, palette_prob=1.0
    )
    sample = generate(5, 96, plain)
    assert sample.line_source == "outline"
    always_xdog = dataclasses.replace(plain, xdog_prob=1.0)
    assert generate(5, 96, always_xdog).line_source == "xdog"
    with pytest.raises(ValueError):
        SyntheticConfig(min_shapes=5, max_shapes=2)
