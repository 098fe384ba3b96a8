"""An exponential moving average of the generator's weights: the model a run ships.

GAN weights swing from one checkpoint to the next (a fine-tuning run on the CPU scored 22.9 at step 2843
and 25.3 at 3807 on the same drawings); the average of the last ~1/(1-decay) steps is steadier and paints
less speckle. Training keeps updating the raw generator; only the exported file and evaluation use the
average.
"""

from __future__ import annotations

import copy

import torch
from torch import nn


class WeightAverage:
    """A frozen copy of `model` whose floating-point entries follow the model's by `decay` per step."""

    def __init__(self, model: nn.Module, decay: float) -> None:
        if not 0 < decay < 1:
            raise ValueError(f"decay must be in (0, 1), got {decay}")
        self.decay = decay
        self.model = copy.deepcopy(model).eval().requires_grad_(False)

    @torch.no_grad()
    def update(self, model: nn.Module) -> None:
        current = model.state_dict()
        for name, value in self.model.state_dict().items():
            if value.is_floating_point():
                value.lerp_(current[name].to(value.dtype), 1.0 - self.decay)
            else:  # counters and integer buffers follow the model as they are
                value.copy_(current[name])

    def state_dict(self) -> dict[str, torch.Tensor]:
        return self.model.state_dict()

    def load_state_dict(self, state: dict[str, torch.Tensor]) -> None:
        self.model.load_state_dict(state)
