"""Checkpoints: weights + config + metadata in one file that loads without unpickling code.

Layout (a plain dict saved with `torch.save`, read with `torch.load(weights_only=True)`):
    format: "linetint-checkpoint", version: 1,
    config: ModelConfig.to_dict(), meta: {name, trained, summary, ...} (str/int/float/bool values),
    generator: state dict, plus optional training state (discriminator, optimizers, step, ...).
"""

from __future__ import annotations

import io
import os
import pickle
import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from .atomic import atomic_write
from .config import ModelConfig
from .networks import Generator, build_generator
from .quantize import dequantize_state, quantize_state

CHECKPOINT_FORMAT = "linetint-checkpoint"
CHECKPOINT_VERSION = 1
_HEADER_KEYS = {"format", "version", "config", "meta", "generator"}


class CheckpointError(ValueError):
    """A checkpoint that cannot be used; the message says why in words a user can act on."""


@dataclass
class Checkpoint:
    config: ModelConfig
    generator: dict[str, torch.Tensor]
    meta: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)  # training state: discriminator, optimizers, …

    @property
    def name(self) -> str:
        return str(self.meta.get("name", self.config.name))

    @property
    def trained(self) -> bool:
        return bool(self.meta.get("trained", False))

    def build_generator(self) -> Generator:
        generator = build_generator(self.config)
        state = dequantize_state(self.generator)
        try:
            generator.load_state_dict(state)
        except RuntimeError as exc:
            first = str(exc).strip().splitlines()
            detail = first[1].strip() if len(first) > 1 else first[0]
            raise CheckpointError(
                f"the weights do not fit the '{self.config.name}' model they claim to be ({detail})"
            ) from None
        return generator.eval()


STORAGE_CHOICES = ("fp32", "fp16", "int8")


def save_checkpoint(
    checkpoint: Checkpoint,
    path: str | os.PathLike[str],
    half: bool = False,
    storage: str = "fp32",
    compress: bool = False,
) -> None:
    """Write atomically: a crash mid-write leaves any previous file at `path` intact.

    `storage` shrinks the generator's weights for shipping: "fp16", or "int8" (see quantize.py);
    `half=True` is "fp16". `compress` deflates the file's zip entries (torch.load reads them; trained
    int8 weights shrink by about a quarter), for files that ship rather than files written every few
    training steps.
    """
    storage = "fp16" if half else storage
    if storage not in STORAGE_CHOICES:
        raise ValueError(f"storage must be one of {', '.join(STORAGE_CHOICES)}, not {storage!r}")
    weights = {k: v.detach().cpu() for k, v in checkpoint.generator.items()}
    if storage == "fp16":
        weights = {k: v.half() if v.is_floating_point() else v for k, v in weights.items()}
    elif storage == "int8":
        weights = quantize_state(weights)
    payload = {
        "format": CHECKPOINT_FORMAT,
        "version": CHECKPOINT_VERSION,
        "config": checkpoint.config.to_dict(),
        "meta": dict(checkpoint.meta),
        "generator": weights,
        **checkpoint.extra,
    }
    with atomic_write(path) as f:
        if not compress:
            torch.save(payload, f)
            return
        buffer = io.BytesIO()
        torch.save(payload, buffer)
        with zipfile.ZipFile(buffer) as plain, zipfile.ZipFile(f, "w", zipfile.ZIP_DEFLATED) as packed:
            for info in plain.infolist():
                packed.writestr(info.filename, plain.read(info), compresslevel=9)


def load_checkpoint(path: str | os.PathLike[str]) -> Checkpoint:
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"checkpoint not found: {path}")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # protocol warnings for foreign pickles; we refuse them anyway
            payload = torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as exc:
        # weights_only refuses any global it does not know, before anything is executed.
        reason = str(exc).strip().splitlines()[-1][:200] if str(exc).strip() else "unknown object"
        raise CheckpointError(
            f"{path.name} holds pickled Python objects, which LineTint refuses to load "
            f"(it could run code): {reason}"
        ) from None
    except Exception as exc:  # the unpickler fails in many ways on foreign or cut files; all mean "not ours"
        raise CheckpointError(f"{path.name} is truncated or not a LineTint checkpoint ({exc})") from None
    return _parse(payload, path.name)


def _parse(payload: Any, name: str) -> Checkpoint:
    if not isinstance(payload, dict) or payload.get("format") != CHECKPOINT_FORMAT:
        raise CheckpointError(f"{name} is not a LineTint checkpoint")
    if payload.get("version") != CHECKPOINT_VERSION:
        raise CheckpointError(
            f"{name} has checkpoint version {payload.get('version')!r}; "
            f"this LineTint reads version {CHECKPOINT_VERSION}"
        )
    try:
        config = ModelConfig.from_dict(payload["config"])
    except (KeyError, TypeError, ValueError) as exc:
        raise CheckpointError(f"{name} has an invalid model config: {exc}") from None
    weights, meta = payload.get("generator"), payload.get("meta", {})
    if not isinstance(weights, dict) or not all(isinstance(v, torch.Tensor) for v in weights.values()):
        raise CheckpointError(f"{name} has no generator weights")
    if not isinstance(meta, dict):
        raise CheckpointError(f"{name} has invalid metadata")
    extra = {k: v for k, v in payload.items() if k not in _HEADER_KEYS}
    return Checkpoint(config=config, generator=weights, meta=meta, extra=extra)


def random_checkpoint(config: ModelConfig, seed: int = 0) -> Checkpoint:
    """An untrained model for tests and for running before any trained weights exist — never a product."""
    with torch.random.fork_rng(devices=[]):  # leave the caller's RNG stream alone
        torch.manual_seed(seed)
        generator = build_generator(config)
    meta = {
        "name": f"untrained-{config.name} (random weights)",
        "trained": False,
        "summary": "random initialisation; output is meaningless colour",
    }
    return Checkpoint(config=config, generator=generator.state_dict(), meta=meta)
