"""Sketch Simplification (Simo-Serra et al., "Mastering Sketching", TOG 2018): the paper's third line source.

The network is the fully convolutional ``nn.Sequential`` of bobbens/sketch_simplification's
``model_gan.py``, layer for layer, so a ``model_gan.pth`` state dict of that Sequential (keys ``0.weight``,
``0.bias``, ``2.weight``, ... — the odd indices are the parameter-free ReLUs) loads with ``strict=True``:

* down: 5x5/2 conv 1->48, 3x3 48->128, 128->128, 3x3/2 128->128, 128->256, 256->256, 3x3/2 256->256;
* middle (1/8 scale): 256->512, 512->1024, three 1024->1024, 1024->512, 512->256;
* up: 4x4/2 transposed conv 256->256, 3x3 256->256, 256->128, 4x4/2 transposed 128->128, 3x3 128->128,
  128->48, 4x4/2 transposed 48->48, 3x3 48->24, 24->1, Sigmoid.

Every convolution is followed by a ReLU except the last, which the Sigmoid follows.  Input: grey in [0, 1]
normalised with the model's own mean/std (0.9664114577640158, 0.0858381272736797), replicate-padded on the
right and bottom to a multiple of 8, as the repository's ``simplify.py``; output in [0, 1], white paper = 1,
cropped back to the input size.

As in the paper (section 4.1) the picture is first enlarged 3x (waifu2x, see ``upscale.py``), simplified,
then shrunk back with a box filter (area average, so 1-px lines become clean grey instead of Lanczos halos).

The repository distributes Torch7 ``.t7`` files; ``convert`` turns one into a state dict (needs the
optional ``torchfile``): the modules holding weights are taken in order and reshaped to our layers,
checking every size.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image
from torch import nn

from .upscale import Upscaler
from .weights import (
    SIMPLIFY_SOURCE,
    SIMPLIFY_WEIGHTS_ENV,
    ExtractorWeightsError,
    error_detail,
    load_state_file,
    weights_source,
)

IMMEAN = 0.9664114577640158
IMSTD = 0.0858381272736797
DIVISOR = 8  # three stride-2 stages
UPSCALE = 3  # the paper's waifu2x enlargement

# ("c", in, out, kernel, stride) for Conv2d with padding kernel // 2; ("t", in, out) for the 4x4/2
# ConvTranspose2d with padding 1 that exactly doubles the size.
_LAYOUT: tuple[tuple[Any, ...], ...] = (
    ("c", 1, 48, 5, 2), ("c", 48, 128, 3, 1), ("c", 128, 128, 3, 1), ("c", 128, 128, 3, 2),
    ("c", 128, 256, 3, 1), ("c", 256, 256, 3, 1), ("c", 256, 256, 3, 2),
    ("c", 256, 512, 3, 1), ("c", 512, 1024, 3, 1), ("c", 1024, 1024, 3, 1), ("c", 1024, 1024, 3, 1),
    ("c", 1024, 1024, 3, 1), ("c", 1024, 512, 3, 1), ("c", 512, 256, 3, 1),
    ("t", 256, 256), ("c", 256, 256, 3, 1), ("c", 256, 128, 3, 1),
    ("t", 128, 128), ("c", 128, 128, 3, 1), ("c", 128, 48, 3, 1),
    ("t", 48, 48), ("c", 48, 24, 3, 1), ("c", 24, 1, 3, 1),
)  # fmt: skip


def _layers() -> list[nn.Module]:
    layers: list[nn.Module] = []
    for spec in _LAYOUT:
        if spec[0] == "c":
            _, c_in, c_out, k, s = spec
            layers.append(nn.Conv2d(c_in, c_out, k, s, k // 2))
        else:
            _, c_in, c_out = spec
            layers.append(nn.ConvTranspose2d(c_in, c_out, 4, 2, 1))
        layers.append(nn.ReLU())
    layers[-1] = nn.Sigmoid()
    return layers


class SimplifyNet(nn.Sequential):
    """model_gan.py's Sequential; ``forward`` takes the normalised, padded (N, 1, H, W) input."""

    def __init__(self) -> None:
        super().__init__(*_layers())


def simplify_from_state(state: dict[str, torch.Tensor]) -> SimplifyNet:
    """The network holding ``state`` (strict: every key and shape must match model_gan.py's layout).

    Built on the meta device first, so 45 M parameters are not randomly initialised only to be replaced.
    """
    with torch.device("meta"):
        net = SimplifyNet()
    net = net.to_empty(device="cpu")
    net.load_state_dict({k: v.float() for k, v in state.items()}, strict=True)
    return net.eval()


def load_simplify(weights: str | os.PathLike[str] | None = None) -> SimplifyNet:
    """The network with model_gan weights: ``weights`` (a state-dict file or URL), else
    ``$LINETINT_SIMPLIFY_WEIGHTS``; a ``.t7`` is converted on the fly when torchfile is installed."""
    source = weights_source(weights, SIMPLIFY_WEIGHTS_ENV)
    if source is None:
        raise ExtractorWeightsError(
            f"Sketch Simplification needs its weights (--weights FILE or ${SIMPLIFY_WEIGHTS_ENV}); "
            f"{SIMPLIFY_SOURCE}"
        )
    try:
        state = t7_to_state_dict(source) if source.lower().endswith(".t7") else load_state_file(source)
        return simplify_from_state(state)
    except ExtractorWeightsError:
        raise
    except (OSError, RuntimeError, ValueError) as exc:
        detail = error_detail(exc)
        raise ExtractorWeightsError(
            f"Sketch Simplification weights {source} are unusable ({detail}); {SIMPLIFY_SOURCE}"
        ) from None


# --------------------------------------------------------------------------------------------------------
# Torch7 -> state dict


def _weighted_modules(module: Any) -> list[Any]:
    """Modules with a weight, depth first, in order (containers hold theirs in ``.modules``)."""
    found = []
    children = getattr(module, "modules", None)
    if isinstance(children, (list, tuple)):
        for child in children:
            found += _weighted_modules(child)
    elif getattr(module, "weight", None) is not None:
        found.append(module)
    return found


def modules_to_state_dict(modules: Sequence[Any]) -> dict[str, torch.Tensor]:
    """Our state dict from Torch7 modules (objects with ``weight`` and ``bias`` arrays) in network order.

    Torch7 keeps convolution weights as (out, in, kH, kW) — or flattened (out, in * kH * kW) for the MM
    variant — and full (transposed) convolutions as (in, out, kH, kW), the memory order torch uses, so a
    reshape is all that is needed.
    """
    with torch.device("meta"):
        targets = [
            (i, m) for i, m in enumerate(SimplifyNet()) if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d))
        ]
    if len(modules) != len(targets):
        raise ExtractorWeightsError(
            f"not model_gan: {len(modules)} layers with weights, expected {len(targets)}"
        )
    state = {}
    for (index, target), module in zip(targets, modules, strict=True):
        for name in ("weight", "bias"):
            value = np.asarray(getattr(module, name), dtype=np.float32)
            shape = tuple(getattr(target, name).shape)
            if value.size != int(np.prod(shape)):
                raise ExtractorWeightsError(f"layer {index} {name}: {value.shape} does not fit {shape}")
            state[f"{index}.{name}"] = torch.from_numpy(value.reshape(shape).copy())
    return state


def t7_to_state_dict(path: str | os.PathLike[str]) -> dict[str, torch.Tensor]:
    """model_gan.t7 (a table of ``model``, ``mean``, ``std``) -> state dict; needs the optional torchfile."""
    try:
        import torchfile
    except ImportError:
        raise ExtractorWeightsError(
            "reading Torch7 .t7 files needs torchfile (`pip install torchfile`), once, to convert "
            "model_gan.t7"
        ) from None
    cache = torchfile.load(os.fspath(path))
    model = cache[b"model"] if isinstance(cache, dict) and b"model" in cache else cache
    if isinstance(cache, dict) and b"mean" in cache:
        mean, std = float(cache[b"mean"]), float(cache[b"std"])
        if abs(mean - IMMEAN) > 1e-6 or abs(std - IMSTD) > 1e-6:
            raise ExtractorWeightsError(f"{path}: normalisation {mean}/{std} is not model_gan's")
    return modules_to_state_dict(_weighted_modules(model))


def convert(t7_path: str | os.PathLike[str], out_path: str | os.PathLike[str]) -> None:
    state = t7_to_state_dict(t7_path)
    simplify_from_state(state)  # strict check before writing
    torch.save(state, out_path)


# --------------------------------------------------------------------------------------------------------
# Extraction


@dataclass(frozen=True)
class SimplifyParams:
    upscale: int = UPSCALE


def simplify_grey(net: SimplifyNet, grey: np.ndarray, device: torch.device | str = "cpu") -> np.ndarray:
    """One pass of the network on uint8 grey (H, W): uint8 line art of the same size, white paper."""
    device = torch.device(device)
    height, width = grey.shape
    x = torch.from_numpy(grey.astype(np.float32) / 255.0)[None, None].to(device)
    x = (x - IMMEAN) / IMSTD
    pad_w, pad_h = -width % DIVISOR, -height % DIVISOR
    if pad_w or pad_h:
        x = F.pad(x, (0, pad_w, 0, pad_h), mode="replicate")
    with torch.inference_mode():
        out = net(x)[0, 0, :height, :width]
    return (out.float().clamp(0, 1) * 255).round().byte().cpu().numpy()


class SimplifyExtractor:
    """Enlarge ``upscale`` x with ``upscaler``, simplify the grey picture, shrink back to the input's size."""

    name = "simplify"

    def __init__(
        self,
        net: SimplifyNet,
        device: torch.device | str = "cpu",
        upscaler: Upscaler | None = None,
        params: SimplifyParams = SimplifyParams(),
    ) -> None:
        self.device = torch.device(device)
        self.net = net.to(self.device).eval()
        self.upscaler = upscaler
        self.params = params

    def __call__(self, rgb: np.ndarray) -> np.ndarray:
        if rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.dtype != np.uint8:
            raise ValueError(f"simplify expects uint8 (H, W, 3), got {rgb.dtype} {rgb.shape}")
        height, width = rgb.shape[:2]
        big = rgb
        if self.upscaler is not None and self.params.upscale > 1:
            big = self.upscaler(rgb, self.params.upscale)
        grey = np.asarray(Image.fromarray(big).convert("L"))
        lines = simplify_grey(self.net, grey, self.device)
        if lines.shape != (height, width):
            lines = np.asarray(Image.fromarray(lines).resize((width, height), Image.Resampling.BOX))
        return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m linetint.training.extractors.simplify",
        description="Convert Sketch Simplification weights for `linetint lines --method simplify`. "
        f"{SIMPLIFY_SOURCE}.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    conv = commands.add_parser("convert", help="model_gan.t7 -> a torch state dict", description="t7 -> .pth")
    conv.add_argument("t7", type=Path, help="model_gan.t7 from download_models.sh")
    conv.add_argument("out", type=Path, help="where to write the state dict (.pth)")
    args = parser.parse_args(argv)
    if not args.t7.is_file():
        print(f"simplify convert: {args.t7}: no such file; {SIMPLIFY_SOURCE}", file=sys.stderr)
        return 2
    try:
        convert(args.t7, args.out)
    except (ExtractorWeightsError, OSError, RuntimeError) as exc:
        print(f"simplify convert: {exc}", file=sys.stderr)
        return 2
    print(f"{args.out} (use it with `linetint lines --method simplify --weights {args.out}`)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
