"""Network widths as one dataclass, with the paper's and a CPU-sized preset."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

ARCHITECTURES = ("csa", "pix2pixhd")
PIX2PIXHD_BLOCKS = 9  # pix2pixHD's global generator


@dataclass(frozen=True)
class ModelConfig:
    """Everything needed to rebuild the generator and discriminators; stored in every checkpoint.

    The paper gives no widths in its text (they are in Figure 2); docs/model.md explains how the
    `paper` preset follows pix2pixHD's global generator, which the paper builds on.
    """

    name: str = "lite"
    base_channels: int = 16  # first 7x7 conv; doubled by each of the 4 downsamplings
    max_channels: int = 256  # cap on the encoder widths; the CSA blocks run at this width
    n_blocks: int = 8  # mid-level CSA (or plain ResNet) blocks
    hint_channels: int = 64  # width of each block's 3-conv hint branch and attention conv
    attention: bool = True  # False: the paper's "w/o proposed module" ablation
    disc_channels: int = 16  # first layer of each PatchGAN discriminator
    n_discriminators: int = 3
    # "csa": the paper's U-Net (section 3.2); "pix2pixhd": the Table 1 baseline "Wang et al." [26].
    # Checkpoints written before this field existed are all "csa", the default.
    architecture: str = "csa"

    def __post_init__(self) -> None:
        if self.architecture not in ARCHITECTURES:
            raise ValueError(
                f"unknown architecture {self.architecture!r}; choose one of {', '.join(ARCHITECTURES)}"
            )

    def encoder_widths(self) -> list[int]:
        """Widths after the input conv and each of the 4 downsamplings."""
        return [min(self.base_channels * 2**i, self.max_channels) for i in range(5)]

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ModelConfig:
        known = {f.name: f.type for f in dataclasses.fields(cls)}
        unknown = sorted(set(data) - set(known))
        if unknown:
            raise ValueError(f"unknown model config fields: {', '.join(unknown)}")
        for key, value in data.items():
            expected = bool if known[key] == "bool" else int if known[key] == "int" else str
            if type(value) is not expected:
                raise ValueError(f"model config field {key!r} must be {expected.__name__}, got {value!r}")
        return cls(**data)

    def without_attention(self) -> ModelConfig:
        return dataclasses.replace(self, attention=False, name=f"{self.name}-noattn")

    def as_pix2pixhd(self) -> ModelConfig:
        """pix2pixHD's global generator at this preset's widths: its 9 ResNet blocks, no hint branch."""
        return dataclasses.replace(
            self,
            architecture="pix2pixhd",
            attention=False,
            n_blocks=PIX2PIXHD_BLOCKS,
            name=f"{self.name}-pix2pixhd",
        )


PRESETS: dict[str, ModelConfig] = {
    # pix2pixHD global generator widths (ngf 64, 4 downsamplings to 1024) and discriminator (ndf 64).
    "paper": ModelConfig(
        name="paper", base_channels=64, max_channels=1024, hint_channels=256, disc_channels=64
    ),
    # a quarter of the channels: trainable on a CPU, small enough to ship.
    "lite": ModelConfig(name="lite", base_channels=16, max_channels=256, hint_channels=64, disc_channels=16),
    # the same structure, minimal widths: for tests and smoke runs only.
    "tiny": ModelConfig(
        name="tiny", base_channels=4, max_channels=16, n_blocks=2, hint_channels=8, disc_channels=4
    ),
}


def preset(name: str) -> ModelConfig:
    try:
        return PRESETS[name]
    except KeyError:
        raise ValueError(f"unknown model config {name!r}; choose one of {', '.join(PRESETS)}") from None
