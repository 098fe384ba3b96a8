"""Run checkpoints: everything needed to continue bit-identically, in data `weights_only` can read.

RUN/checkpoint-latest.pt is a normal LineTint checkpoint (the generator, its config and meta, so
`linetint colorize --checkpoint` takes it) whose `training` entry holds the discriminator, both optimizers,
both GradScalers, the step, the options and the RNG states. RUN/generator-latest.pt is the same without
the training state: the file to ship.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from linetint.model.checkpoint import Checkpoint, CheckpointError, load_checkpoint, save_checkpoint
from linetint.model.config import ModelConfig

from .ema import WeightAverage
from .options import TrainOptions

LATEST = "checkpoint-latest.pt"
EXPORT = "generator-latest.pt"


@dataclass
class TrainState:
    """What changes while training; the networks are the unwrapped modules, not their DDP shells."""

    generator: nn.Module
    discriminator: nn.Module
    opt_g: torch.optim.Optimizer
    opt_d: torch.optim.Optimizer
    scaler_g: torch.amp.GradScaler
    scaler_d: torch.amp.GradScaler
    step: int = 0
    ema: WeightAverage | None = None  # --ema: the weights the run exports


INIT_STEPS = "init_steps"  # a run's meta: the steps behind the --init model it started from


def steps_behind(meta: dict[str, Any]) -> int:
    """The training steps behind a checkpoint's weights: a shipped file states them; a run's file counts
    its own steps from 0 and adds those of the --init model it started from."""
    if "trained_steps" in meta:
        return int(meta["trained_steps"])
    return int(meta.get(INIT_STEPS, 0)) + int(meta.get("step", 0))


def latest_path(run_dir: Path) -> Path:
    return Path(run_dir) / LATEST


def save_run(
    run_dir: Path, state: TrainState, config: ModelConfig, options: TrainOptions, meta: dict[str, Any]
) -> Path:
    """Write RUN/checkpoint-latest.pt and RUN/generator-latest.pt, each atomically.

    With a weight average, the export holds the average and the resumable checkpoint both.
    """
    run_dir = Path(run_dir)
    generator = state.generator.state_dict()
    training = {
        "step": state.step,
        "options": options.to_dict(),
        "discriminator": _to_cpu(state.discriminator.state_dict()),
        "optimizer_g": _to_cpu(state.opt_g.state_dict()),
        "optimizer_d": _to_cpu(state.opt_d.state_dict()),
        "scaler_g": _to_cpu(state.scaler_g.state_dict()),
        "scaler_d": _to_cpu(state.scaler_d.state_dict()),
        "rng": capture_rng(),
    }
    export = generator
    if state.ema is not None:
        export = state.ema.state_dict()
        training["generator_ema"] = _to_cpu(export)
    save_checkpoint(Checkpoint(config, generator, dict(meta), {"training": training}), latest_path(run_dir))
    save_checkpoint(Checkpoint(config, export, dict(meta)), run_dir / EXPORT)
    return latest_path(run_dir)


def load_run(run_dir: Path) -> Checkpoint:
    """The run's latest checkpoint; CheckpointError if it is missing, foreign or has no training state."""
    checkpoint = load_checkpoint(latest_path(run_dir))
    training = checkpoint.extra.get("training")
    if not isinstance(training, dict) or not {"step", "options", "discriminator"} <= training.keys():
        raise CheckpointError(f"{latest_path(run_dir)} holds no training state to resume from")
    return checkpoint


def saved_options(checkpoint: Checkpoint) -> TrainOptions:
    return TrainOptions.from_dict(checkpoint.extra["training"]["options"])


def restore(state: TrainState, checkpoint: Checkpoint) -> None:
    """Load weights, optimizer and scaler state, the weight average and the step; not the RNG streams.

    A run that turns --ema on when resumed starts its average from the restored generator.
    """
    training = checkpoint.extra["training"]
    state.generator.load_state_dict(checkpoint.generator)
    state.discriminator.load_state_dict(training["discriminator"])
    state.opt_g.load_state_dict(training["optimizer_g"])
    state.opt_d.load_state_dict(training["optimizer_d"])
    state.scaler_g.load_state_dict(training["scaler_g"])
    state.scaler_d.load_state_dict(training["scaler_d"])
    state.step = int(training["step"])
    if state.ema is not None:
        state.ema.load_state_dict(training.get("generator_ema", checkpoint.generator))


def capture_rng() -> dict[str, Any]:
    """torch (CPU and this process's CUDA device), numpy and python RNG states as tensors and scalars."""
    algorithm, keys, pos, has_gauss, cached = np.random.get_state()
    version, internal, gauss_next = random.getstate()
    return {
        "torch": torch.get_rng_state(),
        "cuda": torch.cuda.get_rng_state() if torch.cuda.is_available() else None,
        "numpy": {
            "algorithm": str(algorithm),
            "keys": torch.from_numpy(np.asarray(keys, dtype=np.int64)),  # uint32 values; int64 holds them
            "pos": int(pos),
            "has_gauss": int(has_gauss),
            "cached_gaussian": float(cached),
        },
        "python": {"version": int(version), "state": list(internal), "gauss_next": gauss_next},
    }


def restore_rng(rng: dict[str, Any]) -> None:
    torch.set_rng_state(rng["torch"])
    if rng.get("cuda") is not None and torch.cuda.is_available():
        torch.cuda.set_rng_state(rng["cuda"])
    np_state = rng["numpy"]
    np.random.set_state(
        (
            np_state["algorithm"],
            np_state["keys"].numpy().astype(np.uint32),
            np_state["pos"],
            np_state["has_gauss"],
            np_state["cached_gaussian"],
        )
    )
    python = rng["python"]
    random.setstate((python["version"], tuple(python["state"]), python["gauss_next"]))


def _to_cpu(value: Any) -> Any:
    """Tensors moved to the CPU inside nested dicts/lists, so the file loads on any machine."""
    if isinstance(value, torch.Tensor):
        return value.detach().cpu()
    if isinstance(value, dict):
        return {k: _to_cpu(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_to_cpu(v) for v in value)
    return value


def read_saved_options(run_dir: Path) -> TrainOptions:
    """The options RUN/checkpoint-latest.pt was trained with, without reading its weights into memory."""
    path = latest_path(run_dir)
    if not path.is_file():
        raise CheckpointError(f"nothing to resume: {path} does not exist")
    try:
        payload = torch.load(path, map_location="cpu", weights_only=True, mmap=True)
        return TrainOptions.from_dict(payload["training"]["options"])
    except Exception as exc:  # foreign, cut or pre-training files all mean the same to the user
        raise CheckpointError(f"{path} is not a resumable LineTint training checkpoint ({exc})") from None
