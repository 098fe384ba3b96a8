"""Line-art extractors for `linetint lines`: XDoG, sketchKeras and Sketch Simplification (paper section 4.1).

Every extractor is a callable ``rgb uint8 (H, W, 3) -> grey uint8 (H, W)`` with white paper = 255, at the
picture's own size.  The two learned ones need third-party weights that cannot be shipped; they are read
the way LineTint reads its VGG19 (``model/vgg.py``): a local file, a URL fetched through torch.hub's cache,
or an environment variable.  Without them ``build_extractor`` raises ``ExtractorWeightsError`` saying where
to get them.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Protocol

import numpy as np
import torch

from linetint.imaging.xdog import XDoGParams, xdog
from linetint.model.weights_file import load_state_source

SKETCHKERAS_WEIGHTS_ENV = "LINETINT_SKETCHKERAS_WEIGHTS"
SIMPLIFY_WEIGHTS_ENV = "LINETINT_SIMPLIFY_WEIGHTS"
WAIFU2X_WEIGHTS_ENV = "LINETINT_WAIFU2X_WEIGHTS"

SKETCHKERAS_SOURCE = (
    "sketchKeras' mod.h5 is linked from the Releases page of https://github.com/lllyasviel/sketchKeras; "
    "convert it once with `python -m linetint.training.extractors.sketchkeras convert mod.h5 "
    "sketchkeras.pth` (needs h5py)"
)
SIMPLIFY_SOURCE = (
    "Sketch Simplification's model_gan weights come from https://github.com/bobbens/sketch_simplification "
    "(download_models.sh fetches model_gan.t7; convert it with `python -m "
    "linetint.training.extractors.simplify convert model_gan.t7 model_gan.pth` (needs torchfile), or use a "
    "model_gan.pth state dict of its model_gan.py)"
)


class ExtractorWeightsError(ValueError):
    """A learned extractor's weights are missing or unusable; the message says where to get them."""


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


def error_detail(exc: BaseException, limit: int = 300) -> str:
    """The informative line of an exception: for ``load_state_dict`` errors the line naming the keys."""
    lines = [line.strip() for line in str(exc).strip().splitlines() if line.strip()]
    if not lines:
        return type(exc).__name__
    text = lines[1] if len(lines) > 1 and lines[0].endswith(":") else lines[0]
    return text[:limit]


def weights_source(given: str | os.PathLike[str] | None, env: str) -> str | None:
    """The weights the user named: ``given``, else ``$env``, else None."""
    if given is not None and os.fspath(given) != "":
        return os.fspath(given)
    return os.environ.get(env) or None


def load_state_file(source: str | os.PathLike[str]) -> dict[str, torch.Tensor]:
    """An extractor's state dict from a file or a URL (see `load_state_source`)."""
    return load_state_source(source, "extractor weights")


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


__all__ = [
    "SIMPLIFY_WEIGHTS_ENV",
    "SKETCHKERAS_WEIGHTS_ENV",
    "WAIFU2X_WEIGHTS_ENV",
    "ExtractorWeightsError",
    "LineExtractor",
    "XDoGExtractor",
    "build_extractor",
    "error_detail",
    "load_state_file",
    "weights_source",
]
