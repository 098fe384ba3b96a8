"""A shuffling sampler that can start mid-epoch, so a resumed run sees exactly the batches it would have.

Same order as `DistributedSampler(shuffle=True, drop_last=True, seed=seed)` with `set_epoch(epoch)`: one
permutation per epoch seeded by seed + epoch, split round-robin over the processes.
"""

from __future__ import annotations

from collections.abc import Iterator

import torch
from torch.utils.data import Sampler


class ResumableSampler(Sampler[int]):
    def __init__(self, length: int, rank: int = 0, world_size: int = 1, seed: int = 0) -> None:
        self.length, self.rank, self.world_size, self.seed = length, rank, world_size, seed
        self.per_rank = length // world_size
        self.epoch = 0
        self.start = 0

    def set_position(self, epoch: int, start: int = 0) -> None:
        """Next iteration yields epoch `epoch`'s indices for this rank from the `start`-th on."""
        self.epoch, self.start = epoch, start

    def __iter__(self) -> Iterator[int]:
        generator = torch.Generator()
        generator.manual_seed(self.seed + self.epoch)
        order = torch.randperm(self.length, generator=generator).tolist()
        mine = order[: self.per_rank * self.world_size][self.rank :: self.world_size]
        return iter(mine[self.start :])

    def __len__(self) -> int:
        return self.per_rank - self.start
