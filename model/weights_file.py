"""Reading third-party weights (VGG19, FID Inception, line extractors) without unpickling code."""

from __future__ import annotations

import os
from pathlib import Path

import torch


def load_state_source(source: str | os.PathLike[str], what: str = "weights") -> dict[str, torch.Tensor]:
    """A state dict from a local file (`.pth`/`.pt` read with weights_only, or `.safetensors`) or a URL
    (through torch.hub's cache, so a file already placed in `$TORCH_HOME/hub/checkpoints/` is used
    offline). `what` names the weights in the error a user sees."""
    text = os.fspath(source)
    if "://" in text:
        return torch.hub.load_state_dict_from_url(text, map_location="cpu", weights_only=True, progress=True)
    path = Path(text)
    if not path.is_file():
        raise FileNotFoundError(f"{what} not found: {path}")
    if path.suffix == ".safetensors":
        from safetensors.torch import load_file  # optional: only for users who have it

        return load_file(str(path))
    state = torch.load(path, map_location="cpu", weights_only=True)
    if not isinstance(state, dict) or not all(isinstance(v, torch.Tensor) for v in state.values()):
        raise ValueError(f"{path.name} is not a state dict of tensors")
    return state
