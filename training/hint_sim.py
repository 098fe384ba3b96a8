"""Simulated user colour hints for training, after Zhang et al. 2017 as the paper (section 4.1) describes.

The result is the app's own hint contract (a ``HintLayer``), so training sees exactly the encoding that
``rasterize`` gives the network at colorization time.

* Count: the paper says "a geometric distribution with p = 0.125".  We read it as Zhang et al.'s
  reference code does (``add_color_patches_rand_gt``): keep adding a patch while ``random() < 1 - p``.
  The count k is then >= 0 with P(k) = (1 - p)^k * p and mean (1 - p) / p = 7; a hint-free sample
  (P = 1/8) teaches the network to colorize without any hints.  ``max_hints`` caps the rare long tail.
* Size: P uniform in ``min_size .. max_size`` (1 .. 8), a P x P square.
* Location: per axis, Zhang's ``int(clip(normal((H - P + 1) / 2, (H - P + 1) / 4), 0, H - P))`` for the
  top-left corner, so the patch centre follows the paper's Gaussian: mean the image centre, standard
  deviation a quarter of the side, clipped (at about 2 sigma) so the patch stays inside the image.  The
  truncation matters: it lowers the corner by half a pixel on average, which puts the patch's centre
  ``corner + P / 2`` exactly at ``H / 2``; rounding instead would sit half a pixel off centre.
* Colour: the mean target colour inside the patch, rounded half up.  Later patches paint over earlier
  ones, as in Zhang's code and in the hint contract.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from linetint.model.hints import Hint, HintLayer, check_hint_size


@dataclass(frozen=True)
class HintSimConfig:
    """Parameters of the hint simulation; the defaults are the paper's."""

    p: float = 0.125  # geometric "stop" probability: mean count (1 - p) / p = 7
    min_size: int = 1
    max_size: int = 8
    sigma_fraction: float = 0.25  # location standard deviation as a fraction of the side
    max_hints: int = 64  # safety cap; P(count >= 64) = 0.875^64, about 2e-4

    def __post_init__(self) -> None:
        if not 0 < self.p <= 1:
            raise ValueError(f"hint p must be in (0, 1], got {self.p}")
        check_hint_size(self.min_size, "min_size")
        check_hint_size(self.max_size, "max_size")
        if self.min_size > self.max_size:
            raise ValueError(f"hint min_size must not exceed max_size, got {self.min_size}..{self.max_size}")
        if self.sigma_fraction < 0:
            raise ValueError(f"sigma_fraction must be >= 0, got {self.sigma_fraction}")
        if self.max_hints < 0:
            raise ValueError(f"max_hints must be >= 0, got {self.max_hints}")


def _corner(rng: np.random.Generator, side: int, size: int, sigma_fraction: float) -> int:
    """Top-left coordinate along one axis so the patch centre is Gaussian about the middle."""
    span = side - size + 1  # number of valid corner positions
    return int(np.clip(rng.normal(span / 2, span * sigma_fraction), 0, side - size))


def _mean_colour(patch: np.ndarray) -> tuple[int, int, int]:
    sums = patch.reshape(-1, 3).sum(axis=0, dtype=np.int64)
    n = patch.shape[0] * patch.shape[1]
    r, g, b = ((2 * sums + n) // (2 * n)).tolist()  # half-up rounding, as the hint rasterizer does
    return (r, g, b)


def simulate_hints(
    target_rgb: np.ndarray, rng: np.random.Generator, config: HintSimConfig = HintSimConfig()
) -> HintLayer:
    """Hints a user might give for the colour image ``target_rgb`` (uint8 (H, W, 3)), drawn with ``rng``.

    On images smaller than a drawn patch the patch shrinks to the short side.
    """
    if target_rgb.ndim != 3 or target_rgb.shape[2] != 3:
        raise ValueError(f"target must be (H, W, 3), got shape {target_rgb.shape}")
    height, width = target_rgb.shape[:2]
    hints: list[Hint] = []
    while len(hints) < config.max_hints and rng.random() < 1 - config.p:
        size = min(int(rng.integers(config.min_size, config.max_size + 1)), height, width)
        y = _corner(rng, height, size, config.sigma_fraction)
        x = _corner(rng, width, size, config.sigma_fraction)
        color = _mean_colour(target_rgb[y : y + size, x : x + size])
        hints.append(Hint(x, y, size, color))
    return HintLayer(width, height, tuple(hints))


__all__ = ["HintSimConfig", "simulate_hints"]
