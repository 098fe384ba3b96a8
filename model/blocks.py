"""The generator's mid-level blocks: a plain ResNet block and the paper's CSA block (section 3.1)."""

from __future__ import annotations

import torch
from torch import nn


def conv_norm_relu(in_ch: int, out_ch: int, kernel: int = 3, stride: int = 1) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(in_ch, out_ch, kernel, stride=stride, padding=kernel // 2, padding_mode="reflect"),
        nn.InstanceNorm2d(out_ch),
        nn.ReLU(inplace=True),
    )


class ResnetBody(nn.Module):
    """The residual branch of a pix2pixHD ResNet block: conv-norm-ReLU-conv-norm (no skip)."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.body = nn.Sequential(
            conv_norm_relu(channels, channels),
            nn.Conv2d(channels, channels, 3, padding=1, padding_mode="reflect"),
            nn.InstanceNorm2d(channels),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.body(x)


class ResnetBlock(nn.Module):
    """x + F(x): the paper's ablation "w/o proposed module" uses these in place of CSA blocks."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.resnet = ResnetBody(channels)

    def forward(self, x: torch.Tensor, hint_features: torch.Tensor | None = None) -> torch.Tensor:
        return x + self.resnet(x)


class CSABlock(nn.Module):
    """Concatenation and Spatial Attention block.

    hint features (VGG19 conv4_4, 1/8 scale) -> 3 convs (the first halves the resolution to the
    block's 1/16) -> concatenated with the ResNet output -> conv+ReLU -> conv+Sigmoid = a one-channel
    spatial attention map (as CBAM) -> map * ResNet output, added to the input.
    """

    def __init__(self, channels: int, hint_in: int, hint_channels: int) -> None:
        super().__init__()
        self.resnet = ResnetBody(channels)
        self.hint = nn.Sequential(
            nn.Conv2d(hint_in, hint_channels, 3, stride=2, padding=1),
            nn.ReLU(inplace=True),
            nn.Conv2d(hint_channels, hint_channels, 3, padding=1),
            nn.ReLU(inplace=True),
            nn.Conv2d(hint_channels, hint_channels, 3, padding=1),
        )
        self.attention = nn.Sequential(
            nn.Conv2d(channels + hint_channels, hint_channels, 3, padding=1),
            nn.ReLU(inplace=True),
            nn.Conv2d(hint_channels, 1, 3, padding=1),
            nn.Sigmoid(),
        )

    def attention_map(self, processed: torch.Tensor, hint_features: torch.Tensor) -> torch.Tensor:
        hint = self.hint(hint_features)
        return self.attention(torch.cat([processed, hint], dim=1))

    def forward(self, x: torch.Tensor, hint_features: torch.Tensor | None = None) -> torch.Tensor:
        if hint_features is None:
            raise ValueError("CSABlock needs the hint features")
        processed = self.resnet(x)
        return x + self.attention_map(processed, hint_features) * processed
