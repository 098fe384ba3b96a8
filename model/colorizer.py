"""The inference API: line art + hints -> colour image, on whatever device the machine has."""

from __future__ import annotations

import contextlib
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

from linetint.resources import resource

from .checkpoint import Checkpoint, load_checkpoint, random_checkpoint
from .config import preset
from .devices import Precision, choose_precision, describe, pick_device
from .generator import run_padding
from .hints import HintLayer, rasterize
from .images import check_size, to_grey
from .incremental import EncodeReport, IncrementalHintEncoder
from .tensors import picture_tensor, tensor_picture

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


def shrink_to_working_size(grey: np.ndarray, max_side: int) -> np.ndarray:
    """The line art at the size the network runs at for `max_side` (itself when it fits)."""
    height, width = grey.shape
    size = working_size(width, height, max_side)
    if size == (width, height):
        return grey
    return np.asarray(Image.fromarray(grey).resize(size, Image.Resampling.LANCZOS))


def is_working_size(size: tuple[int, int], width: int, height: int) -> bool:
    """Whether `size` (w, h) is a size the network runs at for a `width`×`height` picture (itself too)."""
    if tuple(size) == (width, height):
        return True  # a picture smaller than the smallest working size runs at its own
    return max(size) >= 16 and working_size(width, height, max(size)) == tuple(size)


def load_colorizer(
    checkpoint: str | os.PathLike[str] | None = None,
    device: str = "auto",
    precision: str = "auto",
    precision_fallback: bool = False,
) -> Colorizer:
    """`checkpoint`, else the shipped model, else an untrained `lite` stand-in whose `info.trained` is
    False — callers must tell the user so."""
    if checkpoint is not None or default_checkpoint_path() is not None:
        return Colorizer.load(checkpoint, device, precision=precision, precision_fallback=precision_fallback)
    return Colorizer.untrained("lite", device, precision=precision, precision_fallback=precision_fallback)


@dataclass(frozen=True)
class ModelInfo:
    name: str
    trained: bool
    config_name: str
    device: str
    precision: str = "fp32"
    notice: str = ""  # e.g. the precision asked for was not available and another is used


@dataclass(frozen=True)
class RunTiming:
    """Where the last `run` spent its time, for the status bar and the benchmark."""

    seconds: float  # the whole pass, tensors in to uint8 out
    hint_seconds: float  # VGG hint encoding (incremental or full)
    hint_report: EncodeReport | None  # None: no VGG branch, or incremental encoding is off


class Colorizer:
    """Holds one generator on one device. Not thread-safe: give each worker thread its own calls.

    Precision (`devices.choose_precision`): on the CPU, bf16 casts the weights once and runs the whole
    network in bf16 — measured faster than autocast, which re-casts weights and activations around every
    op (docs/performance.md); on GPUs, fp16/bf16 use autocast as before. The VGG hint encoder runs
    channels_last. `incremental` keeps the VGG hint features of the last few hint rasters and re-encodes
    only what an edit changed (model/incremental.py).
    """

    def __init__(
        self,
        checkpoint: Checkpoint,
        device: str = "auto",
        precision: str = "auto",
        precision_fallback: bool = False,
        incremental: bool = True,
    ) -> None:
        self.checkpoint = checkpoint
        self.precision_choice = precision
        self.incremental = incremental
        self.last_timing: RunTiming | None = None
        self._build(pick_device(device), precision_fallback)

    def _build(self, device: torch.device, precision_fallback: bool) -> None:
        self.precision: Precision = choose_precision(self.precision_choice, device, precision_fallback)
        self.device = device
        generator = self.checkpoint.build_generator().to(device)
        if self._casts_weights:
            generator = generator.to(self.precision.dtype)
        encoder = getattr(generator, "hint_encoder", None)
        if encoder is not None:
            # channels_last speeds the wide VGG convs up ~1.5x; the rest of the generator is thin at full
            # resolution and gains nothing from it (docs/performance.md).
            encoder.to(memory_format=torch.channels_last)
        self.generator = generator
        self.encoder = IncrementalHintEncoder(encoder) if self.incremental and encoder is not None else None

    @property
    def _casts_weights(self) -> bool:
        return self.device.type == "cpu" and self.precision.dtype is not None

    @classmethod
    def load(
        cls, path: str | os.PathLike[str] | None = None, device: str = "auto", **options: Any
    ) -> Colorizer:
        """Load `path`, or the shipped default model when None; `options` as the constructor's."""
        path = path or default_checkpoint_path()
        if path is None:
            raise FileNotFoundError("no trained model is shipped with this LineTint; pass a checkpoint")
        return cls(load_checkpoint(path), device, **options)

    @classmethod
    def untrained(
        cls, config: str = "lite", device: str = "auto", seed: int = 0, **options: Any
    ) -> Colorizer:
        return cls(random_checkpoint(preset(config), seed), device, **options)

    @property
    def info(self) -> ModelInfo:
        return ModelInfo(
            self.checkpoint.name,
            self.checkpoint.trained,
            self.checkpoint.config.name,
            describe(self.device),
            self.precision.name,
            self.precision.notice,
        )

    def to(self, device: str) -> Colorizer:
        """Move to another device (the app falls back to CPU after a GPU failure).

        The network is rebuilt from the checkpoint, so weights cast for one device's precision never
        leak into another's; a precision the new device cannot run falls back to its automatic one.
        """
        self._build(pick_device(device), precision_fallback=True)
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
        small = shrink_to_working_size(grey, max_side)
        run_h, run_w = small.shape
        rgb = self.run(small, rasterize(hints, run_w, run_h))
        if (run_w, run_h) != (width, height):
            rgb = np.asarray(Image.fromarray(rgb).resize((width, height), Image.Resampling.BICUBIC))
        return rgb

    @torch.inference_mode()
    def run(self, grey: np.ndarray, hint_raster: np.ndarray) -> np.ndarray:
        """One network pass at the given size: uint8 grey (H, W) + hint raster (4, H, W) -> uint8 RGB."""
        start = time.perf_counter()
        lineart = picture_tensor(grey)[None].to(self.device)
        hints = torch.from_numpy(np.ascontiguousarray(hint_raster)).to(self.device)[None]
        if self._casts_weights:
            lineart, hints = lineart.to(self.precision.dtype), hints.to(self.precision.dtype)
        autocast = (
            torch.autocast(self.device.type, dtype=self.precision.dtype)
            if self.precision.dtype is not None and not self._casts_weights
            else contextlib.nullcontext()
        )
        with autocast:
            features, hint_seconds = None, 0.0
            if self.encoder is not None:
                height, width = hints.shape[-2:]
                # The generator pads the same way; its VGG sees the padded raster, so the cache must too.
                padded = F.pad(hints, run_padding(height, width), value=0.0)
                encode_start = time.perf_counter()
                features = self.encoder.encode(padded)
                hint_seconds = time.perf_counter() - encode_start
            out = self.generator(lineart, hints, hint_features=features)
        result = tensor_picture(out[0])
        report = self.encoder.last if self.encoder is not None else None
        self.last_timing = RunTiming(time.perf_counter() - start, hint_seconds, report)
        return result
