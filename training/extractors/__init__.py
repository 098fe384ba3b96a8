"""Line-art extractors for `linetint lines`: XDoG, sketchKeras and Sketch Simplification (paper section 4.1).

Every extractor is a callable ``rgb uint8 (H, W, 3) -> grey uint8 (H, W)`` with white paper = 255, at the
picture's own size.  The two learned ones need third-party weights that cannot be shipped; they are read
the way LineTint reads its VGG19 (``model/vgg.py``): a local file, a URL fetched through torch.hub's cache,
or an environment variable.  Without them ``build_extractor`` raises ``ExtractorWeightsError``
(``weights.py``) saying where to get them.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Protocol

import numpy as np
import torch

from linetint.imaging.xdog import XDoGParams, xdog


class LineExtractor(Protocol):
    """``rgb uint8 (H, W, 3) -> line art uint8 (H, W)``, white paper = 255, same size as the input."""

    name: str

    def __call__(self, rgb: np.ndarray) -> np.ndarray: ...


class XDoGExtractor:
    """XDoG on the whole picture, with the parameters training uses on the fly."""

    name = "xdog"

    def __init__(self, params: XDoGParams | None = None) -> None:
        self.params = params if params is not None else XDoGParams()

    def __call__(self, rgb: np.ndarray) -> np.ndarray:
        return xdog(rgb, self.params)


def build_extractor(
    method: str,
    weights: str | os.PathLike[str] | None = None,
    device: torch.device | str = "cpu",
    upscaler_weights: str | os.PathLike[str] | None = None,
) -> Callable[[np.ndarray], np.ndarray]:
    """The extractor for ``method`` ('xdog', 'sketchkeras' or 'simplify') on ``device``.

    ``weights`` (else the method's environment variable) names the learned model's weights;
    ``upscaler_weights`` (else ``$LINETINT_WAIFU2X_WEIGHTS``) the waifu2x model Sketch Simplification's
    3x enlargement uses — without it a Lanczos enlargement stands in, with a warning.
    """
    device = torch.device(device)
    if method == "xdog":
        return XDoGExtractor()
    if method == "sketchkeras":
        from .sketchkeras import SketchKerasExtractor, load_sketchkeras

        return SketchKerasExtractor(load_sketchkeras(weights), device)
    if method == "simplify":
        from .simplify import SimplifyExtractor, load_simplify
        from .upscale import build_upscaler

        return SimplifyExtractor(load_simplify(weights), device, build_upscaler(upscaler_weights, device))
    raise ValueError(f"unknown line-art method {method!r}; choose xdog, sketchkeras or simplify")


__all__ = ["LineExtractor", "XDoGExtractor", "build_extractor"]
