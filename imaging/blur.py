"""Separable blurs in NumPy: XDoG's Gaussians and Keep Hint Colours' box smoothing share one loop."""

from __future__ import annotations

import math
from typing import Literal

import numpy as np


def gaussian_kernel(sigma: float) -> np.ndarray:
    radius = max(1, math.ceil(3 * sigma))
    x = np.arange(-radius, radius + 1, dtype=np.float32)
    kernel = np.exp(-(x * x) / np.float32(2 * sigma * sigma))
    return kernel / kernel.sum()


def box_kernel(radius: int) -> np.ndarray:
    size = 2 * radius + 1
    return np.full(size, 1 / size, np.float32)


def blur(grey: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """`grey` (H, W) float32 convolved with `kernel` down and across; borders reflected, so a border
    neither darkens nor becomes a line."""
    return _blur_axis(_blur_axis(grey, kernel, 1), kernel, 0)


def _blur_axis(grey: np.ndarray, kernel: np.ndarray, axis: int) -> np.ndarray:
    r = kernel.size // 2
    # Reflection needs the padding to be smaller than the side; edge repetition covers tiny images.
    mode: Literal["reflect", "edge"] = "reflect" if r < grey.shape[axis] else "edge"
    widths = ((r, r), (0, 0)) if axis == 0 else ((0, 0), (r, r))
    padded = np.pad(grey, widths, mode=mode)
    length = grey.shape[axis]
    out = np.zeros_like(grey)
    for offset, weight in enumerate(kernel):
        window = slice(offset, offset + length)
        out += weight * (padded[window] if axis == 0 else padded[:, window])
    return out
