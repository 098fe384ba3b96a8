"""The inference API: line art + hints -> colour image, on whatever device the machine has."""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from linetint.resources import resource

from .checkpoint import Checkpoint, load_checkpoint, random_checkpoint
from .config import preset
from .devices import autocast_dtype, describe, pick_device
from .generator import CSAGenerator
from .hints import HintLayer, rasterize
from .images import check_size, to_grey

DEFAULT_MAX_SIDE = 768
DEFAULT_CHECKPOINT_NAME = "linetint-default.pt"


def default_checkpoint_path() -> Path | None:
    """The shipped model, or None while no trained model is shipped."""
    path = Path(str(resource("models", DEFAULT_CHECKPOINT_NAME)))
    return path if path.is_file() else None


def working_size(width: int, height: int, max_side: int) -> tuple[int, int]:
    """The size the network runs at: the line art's own, shrunk (never enlarged) to fit `max_side`."""
    if max_side < 16:
        raise ValueError(f"max_side must be at least 16, got {max_side}")
    scale = min(1.0, max_side / max(width, height))
    return max(1, round(width * scale)), max(1, round(height * scale))


def load_colorizer(checkpoint: str | os.PathLike[str] | None = None, device: str = "auto") -> Colorizer:
    """`checkpoint`, else the shipped model, else an untrained `lite` stand-in whose `info.trained` is
    False — callers must tell the user so."""
    if checkpoint is not None or default_checkpoint_path() is not None:
        return Colorizer.load(checkpoint, device)
    return Colorizer.untrained("lite", device)


@dataclass(frozen=True)
class ModelInfo:
    name: str
    trained: bool
    config_name: str
    device: str


class Colorizer:
    """Holds one generator on one device. Not thread-safe: give each worker thread its own calls."""

    def __init__(self, checkpoint: Checkpoint, device: str = "auto") -> None:
        self.checkpoint = checkpoint
        self.device = pick_device(device)
        self.generator: CSAGenerator = checkpoint.build_generator().to(self.device)

    @classmethod
    def load(cls, path: str | os.PathLike[str] | None = None, device: str = "auto") -> Colorizer:
        """Load `path`, or the shipped default model when None."""
        path = path or default_checkpoint_path()
        if path is None:
            raise FileNotFoundError("no trained model is shipped with this LineTint; pass a checkpoint")
        return cls(load_checkpoint(path), device)

    @classmethod
    def untrained(cls, config: str = "lite", device: str = "auto", seed: int = 0) -> Colorizer:
        return cls(random_checkpoint(preset(config), seed), device)

    @property
    def info(self) -> ModelInfo:
        return ModelInfo(
            self.checkpoint.name, self.checkpoint.trained, self.checkpoint.config.name, describe(self.device)
        )

    def to(self, device: str) -> Colorizer:
        """Move to another device (the app falls back to CPU after a GPU failure)."""
        self.device = pick_device(device)
        self.generator.to(self.device)
        return self

    def colorize(
        self, lineart: Image.Image | np.ndarray, hints: HintLayer, max_side: int = DEFAULT_MAX_SIDE
    ) -> np.ndarray:
        """RGB uint8 (H, W, 3) at the line art's own size; the network runs at most `max_side` a side.

        `hints` may refer to another size of the same picture: the list is rasterized straight at the
        working size by the hint contract's rule.
        """
        grey = lineart if isinstance(lineart, np.ndarray) else to_grey(lineart)
        if grey.ndim != 2 or grey.dtype != np.uint8:
            raise ValueError("line art arrays must be uint8 (H, W) grey")
        height, width = grey.shape
        check_size(width, height)
        run_w, run_h = working_size(width, height, max_side)
        small = grey
        if (run_w, run_h) != (width, height):
            small = np.asarray(Image.fromarray(grey).resize((run_w, run_h), Image.Resampling.LANCZOS))
        rgb = self.run(small, rasterize(hints, run_w, run_h))
        if (run_w, run_h) != (width, height):
            rgb = np.asarray(Image.fromarray(rgb).resize((width, height), Image.Resampling.BICUBIC))
        return rgb

    @torch.inference_mode()
    def run(self, grey: np.ndarray, hint_raster: np.ndarray) -> np.ndarray:
        """One network pass at the given size: uint8 grey (H, W) + hint raster (4, H, W) -> uint8 RGB."""
        lineart = torch.tensor(grey, dtype=torch.float32, device=self.device)[None, None] / 127.5 - 1.0
        hints = torch.from_numpy(np.ascontiguousarray(hint_raster)).to(self.device)[None]
        dtype = autocast_dtype(self.device)
        autocast = (
            torch.autocast(self.device.type, dtype=dtype) if dtype is not None else contextlib.nullcontext()
        )
        with autocast:
            out = self.generator(lineart, hints)
        rgb = ((out[0].float().clamp(-1, 1) + 1) * 127.5).round().byte()
        return rgb.permute(1, 2, 0).cpu().numpy()
