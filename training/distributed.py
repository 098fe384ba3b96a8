"""One process per device under torchrun; a plain single process otherwise."""

from __future__ import annotations

import os
from dataclasses import dataclass

import torch
import torch.distributed as dist

from linetint.model.devices import pick_device


@dataclass(frozen=True)
class DistEnv:
    rank: int
    world_size: int
    device: torch.device

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    @property
    def distributed(self) -> bool:
        return self.world_size > 1


def launched_world_size() -> int:
    """How many processes torchrun started (1 without torchrun); readable before any setup."""
    return int(os.environ.get("WORLD_SIZE", "1"))


def setup(device_choice: str = "auto") -> DistEnv:
    """Join torchrun's process group if there is one: nccl on CUDA (cuda:LOCAL_RANK), gloo on CPU."""
    world_size = launched_world_size()
    device = pick_device(device_choice)
    if world_size == 1:
        return DistEnv(0, 1, device)
    if device.type == "cuda":
        device = torch.device("cuda", int(os.environ.get("LOCAL_RANK", "0")))
        torch.cuda.set_device(device)
    if not dist.is_initialized():
        dist.init_process_group("nccl" if device.type == "cuda" else "gloo")
    return DistEnv(dist.get_rank(), dist.get_world_size(), device)


def teardown(env: DistEnv) -> None:
    if env.distributed and dist.is_initialized():
        dist.destroy_process_group()


def barrier(env: DistEnv) -> None:
    if env.distributed:
        dist.barrier()


def all_mean(env: DistEnv, values: torch.Tensor) -> torch.Tensor:
    """Mean over the processes (a no-op alone), so every rank sees the same numbers and decisions."""
    if env.distributed:
        values = values.clone()
        dist.all_reduce(values)
        values /= env.world_size
    return values
