"""pix2pixHD's multi-scale PatchGAN discriminators, conditioned on the line art (section 3.2)."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from .config import ModelConfig
from .generator import LINEART_CHANNELS


class PatchDiscriminator(nn.Module):
    """70x70 PatchGAN: three stride-2 4x4 convs, one stride-1, then a 1-channel stride-1 conv."""

    def __init__(self, in_channels: int, channels: int) -> None:
        super().__init__()
        widths = [channels, channels * 2, channels * 4, channels * 8]
        layers = [nn.Sequential(nn.Conv2d(in_channels, widths[0], 4, 2, 2), nn.LeakyReLU(0.2, True))]
        for i in range(1, 4):
            stride = 2 if i < 3 else 1
            layers.append(
                nn.Sequential(
                    nn.Conv2d(widths[i - 1], widths[i], 4, stride, 2),
                    nn.InstanceNorm2d(widths[i]),
                    nn.LeakyReLU(0.2, True),
                )
            )
        layers.append(nn.Sequential(nn.Conv2d(widths[-1], 1, 4, 1, 2)))
        self.layers = nn.ModuleList(layers)

    def forward(self, x: torch.Tensor) -> list[torch.Tensor]:
        """Every layer's output; the last one is the patch logits."""
        features = []
        for layer in self.layers:
            x = layer(x)
            features.append(x)
        return features


class MultiscaleDiscriminator(nn.Module):
    """n identical PatchGANs on the full, 1/2 and 1/4 resolution of (line art, colour image)."""

    def __init__(self, config: ModelConfig) -> None:
        super().__init__()
        in_channels = LINEART_CHANNELS + 3
        self.discriminators = nn.ModuleList(
            PatchDiscriminator(in_channels, config.disc_channels) for _ in range(config.n_discriminators)
        )

    def forward(self, lineart: torch.Tensor, rgb: torch.Tensor) -> list[list[torch.Tensor]]:
        x = torch.cat([lineart, rgb], dim=1)
        outputs = []
        for i, disc in enumerate(self.discriminators):
            if i:
                x = F.avg_pool2d(x, 3, stride=2, padding=1, count_include_pad=False)
            outputs.append(disc(x))
        return outputs
