"""Enlarging pictures before Sketch Simplification: waifu2x (paper section 4.1), or Lanczos as a fallback.

The paper enlarges every picture 3x with waifu2x [nagadomi 2015] before simplifying, because the
simplification network's line width is fixed in pixels.  We rebuild waifu2x's ``upconv_7`` model (the
default "scale2.0x" network of waifu2x >= 2016): six 3x3 valid convolutions 16, 32, 64, 128, 128, 256
channels, each followed by LeakyReLU(0.1), then a 4x4 stride-2 transposed convolution (padding 3) to the
output channels.  On an input padded by 7 pixels on each side it returns exactly twice the input size.
RGB in [0, 1], output clipped to [0, 1].

Weights: waifu2x's JSON export (``models/upconv_7/art/scale2.0x_model.json`` in nagadomi/waifu2x: a list of
layers, each with ``nInputPlane``, ``nOutputPlane``, ``kW``, ``kH``, ``weight`` and ``bias``, in network
order; weights nested in Torch7 memory order, which is torch's), or a state dict of ``UpConv7`` (keys
``0.weight`` .. ``12.bias``).  3x is done as waifu2x-caffe does other factors: 2x passes until the
picture is at least 3x, then an area (box) reduction to exactly 3x.  Borders are replicate-padded (an
assumption; it only affects the outermost 7 pixels).  Big pictures are processed in tiles with the full
7-pixel context, which gives the same result as one pass.

Without waifu2x weights ``LanczosUpscaler`` stands in and warns once: lines then come out somewhat softer
than the paper's.
"""

from __future__ import annotations

import json
import os
import warnings
from pathlib import Path
from typing import Protocol

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image
from torch import nn

from .weights import WAIFU2X_WEIGHTS_ENV, ExtractorWeightsError, error_detail, load_state_file, weights_source

WAIFU2X_SOURCE = (
    "waifu2x weights: models/upconv_7/art/scale2.0x_model.json from https://github.com/nagadomi/waifu2x"
)
CONTEXT = 7  # input pixels each output border needs: 6 valid 3x3 convs + the transposed conv's crop
TILE = 256  # input pixels per tile side


class Upscaler(Protocol):
    """``(rgb uint8 (H, W, 3), factor) -> rgb uint8 (H * factor, W * factor, 3)``."""

    name: str

    def __call__(self, rgb: np.ndarray, factor: int) -> np.ndarray: ...


class LanczosUpscaler:
    """The fallback when no waifu2x weights are given; warns once, when built."""

    name = "lanczos"

    def __init__(self, warn: bool = True) -> None:
        if warn:
            warnings.warn(
                f"waifu2x weights were not given (--upscaler-weights or ${WAIFU2X_WEIGHTS_ENV}); Sketch "
                f"Simplification enlarges with Lanczos instead, so its lines will be a little softer than "
                f"the paper's. {WAIFU2X_SOURCE}",
                UserWarning,
                stacklevel=2,
            )

    def __call__(self, rgb: np.ndarray, factor: int) -> np.ndarray:
        height, width = rgb.shape[:2]
        return np.asarray(
            Image.fromarray(rgb).resize((width * factor, height * factor), Image.Resampling.LANCZOS)
        )


class UpConv7(nn.Sequential):
    """waifu2x's upconv_7: (N, C, H + 14, W + 14) in [0, 1] -> (N, C_out, 2H, 2W)."""

    def __init__(self, in_channels: int = 3, out_channels: int = 3) -> None:
        widths = (in_channels, 16, 32, 64, 128, 128, 256)
        layers: list[nn.Module] = []
        for c_in, c_out in zip(widths[:-1], widths[1:], strict=True):
            layers += [nn.Conv2d(c_in, c_out, 3, 1, 0), nn.LeakyReLU(0.1)]
        layers.append(nn.ConvTranspose2d(256, out_channels, 4, 2, 3))
        super().__init__(*layers)


def waifu2x_json_to_state_dict(layers: list[dict]) -> dict[str, torch.Tensor]:
    """UpConv7 state dict from waifu2x's JSON layer list (checked against each layer's declared sizes)."""
    if not isinstance(layers, list) or len(layers) != 7:
        count = len(layers) if isinstance(layers, list) else "?"
        raise ExtractorWeightsError(f"not an upconv_7 model: {count} layers, expected 7")
    try:
        c_in, c_out = int(layers[0]["nInputPlane"]), int(layers[-1]["nOutputPlane"])
    except (KeyError, TypeError, ValueError) as exc:
        raise ExtractorWeightsError(f"not a waifu2x JSON model ({exc})") from None
    with torch.device("meta"):
        model = UpConv7(c_in, c_out)
    targets = [(i, m) for i, m in enumerate(model) if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d))]
    state = {}
    for (index, module), layer in zip(targets, layers, strict=True):
        declared = (int(layer.get("nInputPlane", -1)), int(layer.get("nOutputPlane", -1)))
        if declared != (module.in_channels, module.out_channels):
            raise ExtractorWeightsError(
                f"layer {index}: {declared[0]}->{declared[1]} channels, expected "
                f"{module.in_channels}->{module.out_channels} (is this upconv_7?)"
            )
        for name in ("weight", "bias"):
            value = np.asarray(layer[name], dtype=np.float32)
            shape = tuple(getattr(module, name).shape)
            if value.size != int(np.prod(shape)):
                raise ExtractorWeightsError(f"layer {index} {name}: {value.size} numbers, {shape} expected")
            state[f"{index}.{name}"] = torch.from_numpy(value.reshape(shape).copy())
    return state


def load_upconv7(source: str | os.PathLike[str]) -> UpConv7:
    """UpConv7 from waifu2x's JSON or from a state dict file / URL."""
    text = os.fspath(source)
    try:
        if text.lower().endswith(".json"):
            state = waifu2x_json_to_state_dict(json.loads(Path(text).read_text(encoding="utf-8")))
        else:
            state = load_state_file(text)
        c_in, c_out = state["0.weight"].shape[1], state["12.weight"].shape[1]
        model = UpConv7(c_in, c_out)
        model.load_state_dict(state, strict=True)
    except ExtractorWeightsError:
        raise
    except (OSError, RuntimeError, ValueError, KeyError) as exc:
        raise ExtractorWeightsError(
            f"waifu2x weights {text} are unusable ({error_detail(exc)}); {WAIFU2X_SOURCE}"
        ) from None
    return model.eval()


class Waifu2xUpscaler:
    """2x waifu2x passes until at least ``factor``, then an area reduction to exactly ``factor``."""

    name = "waifu2x"

    def __init__(self, model: UpConv7, device: torch.device | str = "cpu", tile: int = TILE) -> None:
        self.device = torch.device(device)
        self.model = model.to(self.device).eval()
        self.tile = tile

    @torch.inference_mode()
    def double(self, rgb01: torch.Tensor) -> torch.Tensor:
        """(1, C, H, W) in [0, 1] -> (1, C, 2H, 2W), tile by tile with the full context (exact)."""
        _, _, height, width = rgb01.shape
        padded = F.pad(rgb01, (CONTEXT,) * 4, mode="replicate")
        last = self.model[-1]
        assert isinstance(last, nn.ConvTranspose2d)  # UpConv7 ends in the 2x transposed convolution
        out = torch.empty((1, last.out_channels, 2 * height, 2 * width), device=rgb01.device)
        for y in range(0, height, self.tile):
            for x in range(0, width, self.tile):
                h, w = min(self.tile, height - y), min(self.tile, width - x)
                piece = padded[:, :, y : y + h + 2 * CONTEXT, x : x + w + 2 * CONTEXT]
                out[:, :, 2 * y : 2 * (y + h), 2 * x : 2 * (x + w)] = self.model(piece).clamp(0, 1)
        return out

    def __call__(self, rgb: np.ndarray, factor: int) -> np.ndarray:
        height, width = rgb.shape[:2]
        x = torch.from_numpy(rgb).to(self.device).permute(2, 0, 1)[None].float() / 255
        scale = 1
        while scale < factor:
            x, scale = self.double(x), scale * 2
        big = (x[0].permute(1, 2, 0) * 255).round().byte().cpu().numpy()
        if scale != factor:
            big = np.asarray(
                Image.fromarray(big).resize((width * factor, height * factor), Image.Resampling.BOX)
            )
        return big


def build_upscaler(weights: str | os.PathLike[str] | None, device: torch.device | str = "cpu") -> Upscaler:
    """waifu2x from ``weights`` (else ``$LINETINT_WAIFU2X_WEIGHTS``), else the Lanczos fallback (warned)."""
    source = weights_source(weights, WAIFU2X_WEIGHTS_ENV)
    if source is None:
        return LanczosUpscaler()
    return Waifu2xUpscaler(load_upconv7(source), device)


__all__ = [
    "LanczosUpscaler",
    "UpConv7",
    "Upscaler",
    "Waifu2xUpscaler",
    "build_upscaler",
    "load_upconv7",
    "waifu2x_json_to_state_dict",
]
