"""Weight-only int8 storage for shipped checkpoints: a quarter of fp32, computed in fp32 after loading.

Each conv / linear weight (ndim >= 2) of at least INT8_MIN_WEIGHTS values is stored as int8 with one fp32
scale per output channel (symmetric: w ≈ q * scale, |q| <= 127); biases and smaller weights stay fp16.
Only storage changes: the generator is rebuilt in fp32 from the dequantized weights.
"""

from __future__ import annotations

import torch

SCALE_SUFFIX = ".__int8_scale"
# Smaller weights stay fp16. The lite generator's output convolution (3 x 32 x 7 x 7) turns features into
# RGB directly: in int8 it alone moved a trained model's colour by ΔE 2.1 on style2paints' samples, where
# every other part together moved it by 0.2 (bench/storage_error.py). The weights kept fp16 this way (the
# first and last convolutions, the hint branch's and attention maps' small ones) are 0.7 M of 25 M.
INT8_MIN_WEIGHTS = 65_536


def quantize_state(
    state: dict[str, torch.Tensor], min_weights: int = INT8_MIN_WEIGHTS
) -> dict[str, torch.Tensor]:
    out: dict[str, torch.Tensor] = {}
    for key, value in state.items():
        value = value.detach().cpu()
        if not value.is_floating_point():
            out[key] = value
        elif value.ndim >= 2 and value.numel() >= min_weights:
            flat = value.float().reshape(value.shape[0], -1)
            scale = flat.abs().amax(dim=1).clamp_min(1e-12) / 127.0
            out[key] = torch.round(flat / scale[:, None]).clamp(-127, 127).to(torch.int8).reshape(value.shape)
            out[key + SCALE_SUFFIX] = scale
        else:
            out[key] = value.half()
    return out


def dequantize_state(state: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    out: dict[str, torch.Tensor] = {}
    for key, value in state.items():
        if key.endswith(SCALE_SUFFIX):
            continue
        scale = state.get(key + SCALE_SUFFIX)
        if scale is not None:
            shape = (-1,) + (1,) * (value.ndim - 1)
            out[key] = value.float() * scale.float().reshape(shape)
        else:
            out[key] = value.float() if value.is_floating_point() else value
    return out
