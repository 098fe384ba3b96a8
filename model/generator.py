"""The CSA U-Net generator of section 3.2 / Figure 2."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from .blocks import CSABlock, ResnetBlock, conv_norm_relu
from .config import ModelConfig
from .hints import HINT_CHANNELS
from .tensors import unit
from .vgg import HINT_TAP, VGG19Features

LINEART_CHANNELS = 1
SIZE_MULTIPLE = 16  # four stride-2 downsamplings
MIN_RUN_SIDE = 32  # instance norm needs more than one pixel at the 1/16 scale


class CSAGenerator(nn.Module):
    """line art (1 ch, [-1, 1], white = 1) + hint tensor (4 ch, see hints.py) -> RGB in [-1, 1].

    conv 7x7 -> 4 stride-2 downsamplings -> n CSA blocks at 1/16 scale -> 4 transposed-conv
    upsamplings, each concatenated with the encoder features of its scale (the U-Net skips) -> conv 7x7
    -> tanh. The hint image's VGG19 conv4_4 features are computed once per forward and shared by all
    blocks; the VGG is frozen (pre-trained in the paper) and absent when `attention=False`.
    """

    def __init__(self, config: ModelConfig) -> None:
        super().__init__()
        self.config = config
        widths = config.encoder_widths()
        self.stem = conv_norm_relu(LINEART_CHANNELS + HINT_CHANNELS, widths[0], kernel=7)
        self.down = nn.ModuleList(conv_norm_relu(widths[i], widths[i + 1], stride=2) for i in range(4))
        mid = widths[-1]
        if config.attention:
            self.hint_encoder: VGG19Features | None = VGG19Features(last=HINT_TAP)
            self.hint_encoder.requires_grad_(False)
            last = self.hint_encoder.features[-1]
            assert isinstance(last, nn.Conv2d)  # HINT_TAP is a convolution
            hint_in = last.out_channels
            self.blocks = nn.ModuleList(
                CSABlock(mid, hint_in, config.hint_channels) for _ in range(config.n_blocks)
            )
        else:
            self.hint_encoder = None
            self.blocks = nn.ModuleList(ResnetBlock(mid) for _ in range(config.n_blocks))
        # up[i] maps the deeper features (concatenated with the skip, except at the bottom) to widths[3-i].
        self.up = nn.ModuleList(
            self._upsample(widths[4 - i] * (1 if i == 0 else 2), widths[3 - i]) for i in range(4)
        )
        self.head = nn.Sequential(
            nn.Conv2d(widths[0] * 2, 3, 7, padding=3, padding_mode="reflect"),
            nn.Tanh(),
        )

    @staticmethod
    def _upsample(in_ch: int, out_ch: int) -> nn.Sequential:
        return nn.Sequential(
            nn.ConvTranspose2d(in_ch, out_ch, 3, stride=2, padding=1, output_padding=1),
            nn.InstanceNorm2d(out_ch),
            nn.ReLU(inplace=True),
        )

    def hint_features(self, hints: torch.Tensor) -> torch.Tensor | None:
        """VGG19 conv4_4 (pre-ReLU) of the hint RGB; un-hinted pixels (0) read as mid-grey."""
        if self.hint_encoder is None:
            return None
        return self.hint_encoder(hint_rgb01(hints), (HINT_TAP,))[HINT_TAP]

    def forward(
        self, lineart: torch.Tensor, hints: torch.Tensor, hint_features: torch.Tensor | None = None
    ) -> torch.Tensor:
        """Any H x W: inputs are padded (white paper, no hints) to a multiple of 16, at least 32, and
        the output cropped back.

        `hint_features` may be passed in when the caller has them already (incremental encoding).
        """
        height, width = lineart.shape[-2:]
        pad = run_padding(height, width)
        lineart = F.pad(lineart, pad, value=1.0)
        hints = F.pad(hints, pad, value=0.0)
        if hint_features is None:
            hint_features = self.hint_features(hints)
        skips = [self.stem(torch.cat([lineart, hints], dim=1))]
        for down in self.down:
            skips.append(down(skips[-1]))
        x = skips.pop()
        for block in self.blocks:
            x = block(x, hint_features)
        for up in self.up:
            x = torch.cat([up(x), skips.pop()], dim=1)
        return self.head(x)[..., :height, :width]

    def trainable_parameters(self) -> list[nn.Parameter]:
        return [p for p in self.parameters() if p.requires_grad]


def hint_rgb01(hints: torch.Tensor) -> torch.Tensor:
    """The hint encoder's picture: a hint raster's colour channels (hints.py; the first three, so a
    raster already cut to them passes as it is) in [0, 1]."""
    return unit(hints[:, :3])


def run_padding(height: int, width: int) -> tuple[int, int, int, int]:
    """`F.pad`'s (left, right, top, bottom) for an H x W input: white paper / no hints added right and
    below up to a multiple of SIZE_MULTIPLE, at least MIN_RUN_SIDE a side. Every generator pads this way,
    and so must anything that feeds them padded inputs (the incremental hint encoder's raster)."""
    return (0, _side_padding(width), 0, _side_padding(height))


def _side_padding(side: int) -> int:
    return max(MIN_RUN_SIDE, side + -side % SIZE_MULTIPLE) - side
