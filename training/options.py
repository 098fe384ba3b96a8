"""Every setting of a training run in one dataclass; the defaults are the paper's (section 4.2)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from linetint.model.config import PRESETS, ModelConfig, preset

GENERATORS = ("csa", "csa-noattn", "pix2pixhd")
GAN_LOSSES = ("bce", "lsgan")  # eq. 1 as BCE-with-logits, or least squares
PERCEPTUAL_CHOICES = ("vgg", "off")
SYNTHETIC = "synthetic"
RANDOM_VGG = "random"
# on: fp16 autocast + loss scaling (CUDA); bf16: bfloat16 autocast, no scaling needed (CPUs that multiply
# bf16 natively, e.g. AVX512-BF16 / AMX; recent GPUs); auto: on for CUDA, off elsewhere.
AMP_CHOICES = ("auto", "on", "off", "bf16")

# Fields that define what is being trained: a resumed run must keep them, or it is another experiment.
RUN_DEFINING = (
    "config",
    "generator",
    "batch",
    "crop",
    "lr",
    "beta1",
    "beta2",
    "loss_lambda",
    "gan_loss",
    "perceptual",
    "seed",
    "amp",
)


class OptionsError(ValueError):
    """An option that cannot work; the message names it and says what would."""


@dataclass(frozen=True)
class TrainOptions:
    out: Path  # run directory: checkpoints, TensorBoard events, train.log
    data: str = SYNTHETIC  # illustration folder, or "synthetic" for generated pictures (smoke runs)
    lines: Path | None = None  # pre-extracted line art for `data` (from `linetint lines`); None: on the fly
    tags: Path | None = None  # Danbooru tag file: greyscale/monochrome-tagged pictures are left out
    line_probs: str | None = None  # e.g. "xdog=0.3,exact=0.7"; None: the paper's mixture
    synthetic_share: float = 0.0  # share of samples that are generated pictures instead of `data`'s
    # e.g. "wesnoth=0.25": that share of `data`'s samples from DATA/wesnoth/**; None (old runs too): uniform
    folder_shares: str | None = None
    thin_lines: float = 0.0  # share of samples with their line art redrawn thin and grey (line_style.py)
    detail_lines: float = 0.0  # share of samples with strokes drawn inside one colour (detail_lines.py)
    hatching: float = 0.0  # share of samples with hatching drawn inside one colour (hatching.py)
    line_gaps: float = 0.0  # share of samples with short pieces of their lines erased (line_gaps.py)
    zoom: float = 1.0  # pictures enlarged by a log-uniform factor in 1..zoom before the crop
    # e.g. "openmoji/*-1F3FB.png=3" or "@FILE": pictures drawn in proportion to weights; None: alike
    picture_weights: str | None = None
    init: Path | None = None  # start G from this checkpoint's generator (fine-tuning); not on --resume
    # the run's steps 0..N-1 train D alone against a fixed G: a fresh D meets an --init G it cannot
    # yet judge, and G's first updates would follow a D that knows nothing
    d_warmup: int = 0
    # the last N steps before --steps bring G's and D's learning rates linearly to 0 (pix2pixHD's
    # schedule): the weights settle instead of stopping wherever the last swing of the GAN left them
    lr_decay: int = 0
    config: str = "paper"  # model width preset: paper | lite | tiny
    generator: str = "csa"  # csa | csa-noattn (the ablation) | pix2pixhd (the "Wang et al." baseline)
    steps: int = 200_000  # not stated in the paper
    batch: int = 32  # GLOBAL batch, split over the processes (the paper: 32 on 8 GPUs)
    crop: int = 512
    lr: float = 2e-4
    beta1: float = 0.5
    beta2: float = 0.999
    loss_lambda: float = 10.0  # lambda of eq. 4; not stated in the paper, pix2pixHD's value
    gan_loss: str = "bce"
    perceptual: str = "vgg"  # vgg: the paper's VGG19 perceptual term; off: feature matching alone (cheaper)
    checkpoint_every: int = 2000
    log_every: int = 50
    image_every: int = 1000
    seed: int = 0
    workers: int = 4  # data loader processes per training process
    amp: str = "auto"  # mixed precision: auto = on for CUDA, off elsewhere
    device: str = "auto"  # auto | cpu | cuda; under torchrun each process takes cuda:LOCAL_RANK
    vgg_weights: str | None = None  # file or URL; None: $LINETINT_VGG19_WEIGHTS or torch hub; or "random"
    time_limit: float | None = None  # minutes; then stop with a checkpoint (scheduler wall-time limits)
    ema: float = 0.0  # decay of the generator's weight average that the run exports; 0: export raw weights
    resume: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "out", Path(self.out))
        for name in ("lines", "tags", "init"):
            if getattr(self, name) is not None:
                object.__setattr__(self, name, Path(getattr(self, name)))

    def validate(self, world_size: int = 1) -> None:
        """Raise OptionsError for anything that cannot run with `world_size` processes."""
        _choice("--config", self.config, tuple(PRESETS))
        _choice("--generator", self.generator, GENERATORS)
        _choice("--gan-loss", self.gan_loss, GAN_LOSSES)
        _choice("--amp", self.amp, AMP_CHOICES)
        _choice("--perceptual", self.perceptual, PERCEPTUAL_CHOICES)
        for name in ("steps", "batch", "checkpoint_every", "log_every", "image_every"):
            value = getattr(self, name)
            if value < 1:
                raise OptionsError(f"--{name.replace('_', '-')} must be at least 1, got {value}")
        if self.time_limit is not None and not self.time_limit > 0:
            raise OptionsError(f"--time-limit must be more than 0 minutes, got {self.time_limit}")
        if self.workers < 0:
            raise OptionsError(f"--workers must be 0 or more, got {self.workers}")
        if self.crop < 32 or self.crop % 16:
            raise OptionsError(f"--crop must be a multiple of 16 and at least 32, got {self.crop}")
        if not (self.lr > 0 and 0 <= self.beta1 < 1 and 0 <= self.beta2 < 1 and self.loss_lambda >= 0):
            raise OptionsError("--lr must be > 0, the Adam betas in [0, 1) and --lambda >= 0")
        if self.batch % world_size:
            raise OptionsError(
                f"--batch {self.batch} is the global batch and must divide evenly over {world_size} "
                f"processes (e.g. --batch {world_size * max(1, self.batch // world_size)})"
            )
        if self.data != SYNTHETIC and not Path(self.data).is_dir():
            raise OptionsError(f"--data {self.data}: no such folder (or pass --data synthetic)")
        if self.lines is not None and not self.lines.is_dir():
            raise OptionsError(f"--lines {self.lines}: no such folder")
        if self.tags is not None and not self.tags.is_file():
            raise OptionsError(f"--tags {self.tags}: no such file")
        if self.init is not None and not self.init.is_file():
            raise OptionsError(f"--init {self.init}: no such file")
        if not 0 <= self.ema < 1:
            raise OptionsError(f"--ema must be in [0, 1) (0 turns it off), got {self.ema}")
        if not 0 <= self.synthetic_share < 1:
            raise OptionsError(f"--synthetic-share must be in [0, 1), got {self.synthetic_share}")
        if not 0 <= self.thin_lines <= 1:
            raise OptionsError(f"--thin-lines must be a share in [0, 1], got {self.thin_lines}")
        if not 0 <= self.detail_lines <= 1:
            raise OptionsError(f"--detail-lines must be a share in [0, 1], got {self.detail_lines}")
        if not 0 <= self.hatching <= 1:
            raise OptionsError(f"--hatching must be a share in [0, 1], got {self.hatching}")
        if not 0 <= self.line_gaps <= 1:
            raise OptionsError(f"--line-gaps must be a share in [0, 1], got {self.line_gaps}")
        if not 1 <= self.zoom <= 8:
            raise OptionsError(f"--zoom must be a factor in [1, 8], got {self.zoom}")
        if self.d_warmup < 0:
            raise OptionsError(f"--d-warmup must be 0 or more steps, got {self.d_warmup}")
        if not 0 <= self.lr_decay <= self.steps:
            raise OptionsError(f"--lr-decay must be 0 to --steps ({self.steps}) steps, got {self.lr_decay}")
        if self.line_probs or self.picture_weights or self.folder_shares:
            from . import data  # pulls in image libraries: only when a flag needs it

            _parses("--line-probs", self.line_probs, data.parse_line_probs, self.data, picture_data=False)
            _parses("--picture-weights", self.picture_weights, data.parse_picture_weights, self.data)
            _parses("--folder-shares", self.folder_shares, data.parse_folder_shares, self.data)

    def learning_rate(self, step: int) -> float:
        """Adam's rate for step `step` (counting from 0): --lr, then down to --lr / N on the last of
        --lr-decay N steps."""
        left = self.steps - step
        return self.lr if left > self.lr_decay else self.lr * left / self.lr_decay

    def per_rank_batch(self, world_size: int) -> int:
        return self.batch // world_size

    @property
    def random_vgg(self) -> bool:
        return self.vgg_weights == RANDOM_VGG

    @property
    def vgg_label(self) -> str:
        """The checkpoint's record of the VGG19: random, imagenet (the default source) or the file's name."""
        if self.vgg_weights is None:
            return "imagenet"
        return RANDOM_VGG if self.random_vgg else self.vgg_weights.replace("\\", "/").rsplit("/", 1)[-1]

    def model_config(self) -> ModelConfig:
        base = preset(self.config)
        if self.generator == "csa-noattn":
            return base.without_attention()
        if self.generator == "pix2pixhd":
            return base.as_pix2pixhd()
        return base

    def to_dict(self) -> dict[str, Any]:
        """Plain str/int/float/bool/None values, so a checkpoint holding them loads with weights_only."""
        data = dataclasses.asdict(self)
        return {k: str(v) if isinstance(v, Path) else v for k, v in data.items()}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TrainOptions:
        known = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in known})

    def resumed_from(self, saved: TrainOptions, given: set[str]) -> TrainOptions:
        """The saved run's options, with the fields in `given` taken from self.

        A run-defining field that was given must agree with the saved one: changing the batch or the
        model halfway is a new experiment, not a resume.
        """
        changed = [f for f in RUN_DEFINING if f in given and getattr(self, f) != getattr(saved, f)]
        if changed:
            detail = ", ".join(f"{f}={getattr(saved, f)!r} (asked {getattr(self, f)!r})" for f in changed)
            raise OptionsError(f"cannot resume with different settings: the run has {detail}")
        if "vgg_weights" in given and self.random_vgg != saved.random_vgg:
            raise OptionsError(
                "cannot resume: the run was started "
                + ("with --vgg-weights random" if saved.random_vgg else "with ImageNet VGG19 weights")
            )
        overrides = {f: getattr(self, f) for f in given if f not in RUN_DEFINING}
        # A time limit belongs to one invocation (one scheduler job), not to the run.
        return dataclasses.replace(saved, **{"time_limit": None, **overrides}, resume=True)

    def check_same_run(self, saved: TrainOptions) -> None:
        """Raise unless the run-defining fields equal the checkpoint's."""
        self.resumed_from(saved, set(RUN_DEFINING) | {"vgg_weights"})


def _parses(
    flag: str, text: str | None, parse: Callable[[str], object], data: str, picture_data: bool = True
) -> None:
    """OptionsError unless a given `text` parses, and (for flags about pictures) `data` is an illustration
    folder."""
    if not text:
        return
    try:
        parse(text)
    except ValueError as exc:
        raise OptionsError(str(exc)) from None
    if picture_data and data == SYNTHETIC:
        raise OptionsError(f"{flag} needs an illustration folder as --data, not synthetic")


def _choice(flag: str, value: str, choices: tuple[str, ...]) -> None:
    if value not in choices:
        _bad(flag, value, choices)


def _bad(flag: str, value: object, choices: tuple[str, ...]) -> None:
    raise OptionsError(f"{flag} {value!r} is not one of {', '.join(choices)}")


@dataclass
class PretrainOptions:
    """`linetint train-vgg`: a VGG19 taught the corpus's categories (training/vgg_pretrain.py)."""

    corpus: Path  # a `linetint corpus` folder: manifest.csv, train/, heldout/
    out: Path  # the VGG19 weights (.pth); OUT.json gets the summary
    size: int = 96  # crop side the network sees; a multiple of 16
    batch: int = 32
    epochs: int = 7
    lr: float = 1e-3  # AdamW, cosine to zero over the epochs
    minutes: float | None = None  # stop after the epoch that passes this
    seed: int = 0
    bf16: bool = True  # bfloat16 autocast (fast on CPUs with AVX512-BF16 and on recent GPUs)
    device: str = "cpu"

    def validate(self) -> None:
        """OptionsError, in the command's flags, for settings that cannot train."""
        if self.size < 32 or self.size % 16:
            raise OptionsError(f"--size must be a multiple of 16, at least 32; got {self.size}")
        for flag, value in (("--batch", self.batch), ("--epochs", self.epochs)):
            if value < 1:
                raise OptionsError(f"{flag} must be at least 1, got {value}")
        if not self.lr > 0:
            raise OptionsError(f"--lr must be above 0, got {self.lr}")
