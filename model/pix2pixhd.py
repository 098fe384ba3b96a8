"""pix2pixHD's global generator: the Table 1 baseline "Wang et al." [26], trained on the same data."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from .blocks import ResnetBlock, conv_norm_relu
from .config import ModelConfig
from .generator import LINEART_CHANNELS, run_padding
from .hints import HINT_CHANNELS


class GlobalGenerator(nn.Module):
    """line art + hint tensor, concatenated -> RGB in [-1, 1], with `CSAGenerator`'s interface.

    c7s1-ngf -> 4 stride-2 downsamplings -> n ResNet blocks -> 4 transposed-conv upsamplings -> c7s1-3
    -> tanh, as pix2pixHD's G1. Unlike the CSA U-Net there are no skips and no VGG hint branch: the hints
    reach the network only as input channels, the usual way before SECat/CSA (section 2).
    """

    hint_encoder = None  # no VGG branch; callers that encode hints incrementally check this

    def __init__(self, config: ModelConfig) -> None:
        super().__init__()
        self.config = config
        widths = config.encoder_widths()
        layers: list[nn.Module] = [conv_norm_relu(LINEART_CHANNELS + HINT_CHANNELS, widths[0], kernel=7)]
        layers += [conv_norm_relu(widths[i], widths[i + 1], stride=2) for i in range(4)]
        layers += [ResnetBlock(widths[-1]) for _ in range(config.n_blocks)]
        for i in range(4, 0, -1):
            layers += [
                nn.ConvTranspose2d(widths[i], widths[i - 1], 3, stride=2, padding=1, output_padding=1),
                nn.InstanceNorm2d(widths[i - 1]),
                nn.ReLU(inplace=True),
            ]
        layers += [nn.Conv2d(widths[0], 3, 7, padding=3, padding_mode="reflect"), nn.Tanh()]
        self.model = nn.Sequential(*layers)

    def hint_features(self, hints: torch.Tensor) -> None:
        return None

    def forward(
        self, lineart: torch.Tensor, hints: torch.Tensor, hint_features: torch.Tensor | None = None
    ) -> torch.Tensor:
        """Any H x W, padded and cropped exactly as `CSAGenerator`; `hint_features` is ignored."""
        height, width = lineart.shape[-2:]
        pad = run_padding(height, width)
        x = torch.cat([F.pad(lineart, pad, value=1.0), F.pad(hints, pad, value=0.0)], dim=1)
        return self.model(x)[..., :height, :width]

    def trainable_parameters(self) -> list[nn.Parameter]:
        return [p for p in self.parameters() if p.requires_grad]
