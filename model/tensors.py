"""Pictures as the networks' tensors: uint8 0..255 <-> float32 [-1, 1], white = +1.

The line art (1 channel), the hint colours (hints.py) and the colour in and out of the generator (3
channels) all use this one scale: ``v / 127.5 - 1`` going in, ``round((clamp(t, -1, 1) + 1) * 127.5)``
coming out. Encoding runs in numpy on the CPU, so a picture becomes the same numbers on every device.

Importing this module does not import torch: the hint contract (hints.py), which imaging/ uses without
networks, encodes its colours with `signed` too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import torch


def signed(picture: np.ndarray) -> np.ndarray:
    """uint8 values -> float32 in [-1, 1], same shape: ``v / 127.5 - 1`` (255, white paper, is +1)."""
    return picture.astype(np.float32) / np.float32(127.5) - np.float32(1.0)


def picture_tensor(picture: np.ndarray) -> torch.Tensor:
    """uint8 grey (H, W) or RGB (H, W, 3) -> float32 (C, H, W) in [-1, 1] on the CPU (see `signed`)."""
    import torch

    channels = picture[None] if picture.ndim == 2 else picture.transpose(2, 0, 1)
    return torch.from_numpy(signed(np.ascontiguousarray(channels)))


def tensor_picture(tensor: torch.Tensor) -> np.ndarray:
    """A colour (3, H, W) in [-1, 1], any float dtype and device -> uint8 RGB (H, W, 3) in numpy.

    Rounded on the tensor's device, so only bytes travel back."""
    rgb = ((tensor.float().clamp(-1, 1) + 1) * 127.5).round().byte()
    return rgb.permute(1, 2, 0).cpu().numpy()


def unit(tensor: torch.Tensor) -> torch.Tensor:
    """[-1, 1] -> [0, 1] (VGG19's input scale): ``(t + 1) * 0.5``."""
    return (tensor + 1) * 0.5


__all__ = ["picture_tensor", "signed", "tensor_picture", "unit"]
