"""Where a learned extractor's third-party weights come from, and the error that says where to get them.

Apart from the package's `__init__` so that the extractors and the package can both use it without
importing each other.
"""

from __future__ import annotations

import os

import torch

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


__all__ = [
    "SIMPLIFY_SOURCE",
    "SIMPLIFY_WEIGHTS_ENV",
    "SKETCHKERAS_SOURCE",
    "SKETCHKERAS_WEIGHTS_ENV",
    "WAIFU2X_WEIGHTS_ENV",
    "ExtractorWeightsError",
    "error_detail",
    "load_state_file",
    "weights_source",
]
