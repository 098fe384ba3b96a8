"""The objective of section 3.3: cGAN (eq. 1), feature matching (eq. 2), perceptual (eq. 3), total (eq. 4).

Choices the paper leaves open, and what we do:
- eq. 1 is written with log D; we use BCE-with-logits (numerically the same thing) and, for the generator,
  the usual non-saturating form -log D(x, G(x, h)) rather than minimising log(1 - D), as pix2pixHD and
  the original GAN paper do. `lsgan` swaps both for least squares (pix2pixHD's own default).
- eq. 2 and eq. 3 weight every layer equally (1/N_j, 1/M_k only normalise by size). pix2pixHD weights its
  VGG layers 1/32 ... 1 and its D layers 4/(n_layers+1) * 1/n_D; we follow the paper, not pix2pixHD.
- eq. 4 puts L_perc inside the sum over the 3 discriminators, so it counts 3 times; we implement it
  literally. lambda is not given in the paper; we use pix2pixHD's 10.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from linetint.model.tensors import unit
from linetint.model.vgg import PERCEPTUAL_TAPS, VGG19Features

from .options import GAN_LOSSES

# Per-discriminator outputs: every layer's features, the last one being the patch logits.
DiscOutputs = Sequence[Sequence[torch.Tensor]]


def gan_loss(outputs: DiscOutputs, real: bool, kind: str = "bce") -> torch.Tensor:
    """Sum over the discriminators of the loss that pushes their patch logits towards `real`."""
    if kind not in GAN_LOSSES:
        raise ValueError(f"unknown GAN loss {kind!r}; choose one of {', '.join(GAN_LOSSES)}")
    total = outputs[0][-1].new_zeros(())
    for features in outputs:
        logits = features[-1].float()  # fp16 logits under autocast would make the loss coarse
        target = torch.full_like(logits, 1.0 if real else 0.0)
        if kind == "bce":
            total = total + F.binary_cross_entropy_with_logits(logits, target)
        else:
            total = total + F.mse_loss(logits, target)
    return total


def feature_matching_loss(real: DiscOutputs, fake: DiscOutputs) -> torch.Tensor:
    """Eq. 2 summed over the discriminators: mean L1 between every layer but the logits.

    The real pair's features are targets (detached): D only extracts features here, it does not try to
    maximise this loss.
    """
    total = fake[0][-1].new_zeros((), dtype=torch.float32)
    for real_features, fake_features in zip(real, fake, strict=True):
        for r, f in zip(real_features[:-1], fake_features[:-1], strict=True):
            total = total + F.l1_loss(f.float(), r.detach().float())
    return total


class PerceptualLoss(nn.Module):
    """Eq. 3: mean L1 between VGG19 relu1_1 ... relu5_1 features of target and output, equal weights.

    Images come in the generator's [-1, 1]; VGG19Features expects [0, 1] and normalises itself. The VGG
    is frozen and always in eval mode.
    """

    def __init__(self, vgg: VGG19Features | None = None) -> None:
        super().__init__()
        self.vgg = vgg if vgg is not None else VGG19Features(last=PERCEPTUAL_TAPS[-1])
        self.vgg.requires_grad_(False)
        self.vgg.eval()

    def train(self, mode: bool = True) -> PerceptualLoss:
        return super().train(False)  # a frozen feature extractor never changes mode

    def forward(self, fake: torch.Tensor, real: torch.Tensor) -> torch.Tensor:
        fake_features = self.vgg(unit(fake), PERCEPTUAL_TAPS)
        with torch.no_grad():
            real_features = self.vgg(unit(real), PERCEPTUAL_TAPS)
        total = fake.new_zeros((), dtype=torch.float32)
        for tap in PERCEPTUAL_TAPS:
            total = total + F.l1_loss(fake_features[tap].float(), real_features[tap].float())
        return total


@dataclass(frozen=True)
class GeneratorLosses:
    gan: torch.Tensor  # sum_i L_cGAN(G, D_i), generator side
    feature_matching: torch.Tensor  # sum_i L_FM(G, D_i)
    perceptual: torch.Tensor  # L_perc(G), once
    total: torch.Tensor


def generator_objective(
    fake_outputs: DiscOutputs,
    real_outputs: DiscOutputs,
    perceptual: torch.Tensor,
    weight: float = 10.0,
    kind: str = "bce",
) -> GeneratorLosses:
    """Eq. 4 for G: sum_i cGAN_i + lambda * sum_i (FM_i + perc), i.e. the perceptual term counts n_D times."""
    gan = gan_loss(fake_outputs, real=True, kind=kind)
    fm = feature_matching_loss(real_outputs, fake_outputs)
    total = gan + weight * (fm + len(fake_outputs) * perceptual)
    return GeneratorLosses(gan=gan, feature_matching=fm, perceptual=perceptual, total=total)


def discriminator_objective(
    real_outputs: DiscOutputs, fake_outputs: DiscOutputs, kind: str = "bce"
) -> tuple[torch.Tensor, torch.Tensor]:
    """(real term, fake term) of -eq. 1 summed over the discriminators; D minimises their sum."""
    return gan_loss(real_outputs, real=True, kind=kind), gan_loss(fake_outputs, real=False, kind=kind)
