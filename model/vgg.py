"""VGG19 feature extractor laid out exactly like torchvision's `vgg19().features`.

Parameter names are `features.N.weight` / `features.N.bias`, so a torchvision VGG19 state dict loads
unchanged. Input is RGB in [0, 1]; ImageNet normalisation happens inside.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping

import torch
from torch import nn

from .weights_file import load_state_source

# torchvision's configuration "E": channel counts, "M" = 2x2 max pooling.
_VGG19_LAYOUT: list[int | str] = [64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M",
                                  512, 512, 512, 512, "M", 512, 512, 512, 512, "M"]  # fmt: skip

TORCHVISION_VGG19_URL = "https://download.pytorch.org/models/vgg19-dcbb9e9d.pth"
VGG19_WEIGHTS_ENV = "LINETINT_VGG19_WEIGHTS"

IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


def _layer_names() -> list[str]:
    """Names of the modules in `features`, in order: conv1_1, relu1_1, …, pool5."""
    names, block, conv = [], 1, 1
    for item in _VGG19_LAYOUT:
        if item == "M":
            names.append(f"pool{block}")
            block, conv = block + 1, 1
        else:
            names += [f"conv{block}_{conv}", f"relu{block}_{conv}"]
            conv += 1
    return names


LAYER_NAMES: list[str] = _layer_names()
PERCEPTUAL_TAPS = ("relu1_1", "relu2_1", "relu3_1", "relu4_1", "relu5_1")
HINT_TAP = "conv4_4"  # pre-ReLU, as section 3.1 of the paper


def layer_index(name: str) -> int:
    try:
        return LAYER_NAMES.index(name)
    except ValueError:
        raise ValueError(f"unknown VGG19 layer {name!r}") from None


class VGG19Features(nn.Module):
    """VGG19 conv layers up to `last` (inclusive); `features(x, taps)` returns the named activations."""

    mean: torch.Tensor  # buffers (ImageNet normalisation), registered in __init__
    std: torch.Tensor

    def __init__(self, last: str = "pool5") -> None:
        super().__init__()
        layers: list[nn.Module] = []
        in_ch = 3
        for item in _VGG19_LAYOUT:
            if item == "M":
                layers.append(nn.MaxPool2d(2, 2))
            else:
                layers += [nn.Conv2d(in_ch, int(item), 3, padding=1), nn.ReLU(inplace=False)]
                in_ch = int(item)
        self.features = nn.Sequential(*layers[: layer_index(last) + 1])
        self.register_buffer("mean", torch.tensor(IMAGENET_MEAN).view(1, 3, 1, 1), persistent=False)
        self.register_buffer("std", torch.tensor(IMAGENET_STD).view(1, 3, 1, 1), persistent=False)

    def forward(self, rgb01: torch.Tensor, taps: Iterable[str] = (HINT_TAP,)) -> dict[str, torch.Tensor]:
        wanted = {layer_index(t): t for t in taps}
        if max(wanted) >= len(self.features):
            raise ValueError(f"this VGG19 stops at {LAYER_NAMES[len(self.features) - 1]}")
        x = self.normalise(rgb01)
        out: dict[str, torch.Tensor] = {}
        for i, layer in enumerate(self.features):
            x = layer(x)
            if i in wanted:
                out[wanted[i]] = x
                if len(out) == len(wanted):
                    break
        return out

    def normalise(self, rgb01: torch.Tensor) -> torch.Tensor:
        """RGB in [0, 1] -> the ImageNet-normalised input of the first conv (what `forward` runs on)."""
        return (rgb01 - self.mean) / self.std

    def load_torchvision(self, state: Mapping[str, torch.Tensor]) -> None:
        """Load a torchvision `vgg19` state dict (classifier and layers past `last` are ignored)."""
        own = self.state_dict()
        missing = [k for k in own if k not in state]
        if missing:
            raise ValueError(f"not a VGG19 state dict: missing {', '.join(missing[:3])}")
        self.load_state_dict({k: state[k] for k in own})


def load_vgg19_state(source: str | os.PathLike[str] | None = None) -> dict[str, torch.Tensor]:
    """Read torchvision-layout VGG19 weights without unpickling code.

    `source` is a local file, a URL (fetched through torch.hub's cache, so a file already placed in
    `$TORCH_HOME/hub/checkpoints/` is used offline), or None: then `$LINETINT_VGG19_WEIGHTS`, else
    torchvision's ImageNet URL.
    """
    source = source or os.environ.get(VGG19_WEIGHTS_ENV) or TORCHVISION_VGG19_URL
    return load_state_source(source, "VGG19 weights")
