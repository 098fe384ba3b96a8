"""`linetint train` (and the `lines` / `evaluate` placeholders), also as `python -m linetint.training`.

Importing this module is cheap: torch's training pieces, tqdm and TensorBoard load only when a command
runs, so `linetint colorize` does not pay for them and an app bundle without them still starts.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from linetint.model.config import PRESETS

from .options import AMP_CHOICES, GAN_LOSSES, GENERATORS, RANDOM_VGG, SYNTHETIC, TrainOptions

EXIT_OK, EXIT_FAILURE, EXIT_BAD_INPUT = 0, 1, 2
_DEFAULTS = {f.name: f.default for f in dataclasses.fields(TrainOptions)}


def register(commands: argparse._SubParsersAction) -> None:
    """Add `train`, `lines` and `evaluate` to a `linetint`-style subparsers object."""
    _register_train(commands)
    for name, text in (
        ("lines", "extract line art (XDoG, sketchKeras, simplification) from an illustration folder"),
        ("evaluate", "FID of a checkpoint on a test folder (Table 1)"),
    ):
        parser = commands.add_parser(name, help=f"{text} — not implemented yet", description=text)
        parser.set_defaults(run=_not_implemented(name))


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of `python -m linetint.training` (what torchrun runs)."""
    parser = argparse.ArgumentParser(prog="python -m linetint.training", description="LineTint training.")
    register(parser.add_subparsers(dest="command", metavar="COMMAND", required=True))
    args = parser.parse_args(argv)
    return int(args.run(args))


def _register_train(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "train",
        help="train a colorization model (the paper's settings by default)",
        description="Train the CSA generator, its ablation, or the pix2pixHD baseline with the losses of "
        "section 3.3. Defaults are the paper's: global batch 32, 512 px crops, Adam 2e-4 (0.5, 0.999). "
        "On several GPUs: torchrun --nproc_per_node=K -m linetint.training train ... "
        "Checkpoints go to OUT/checkpoint-latest.pt (resumable) and OUT/generator-latest.pt (for "
        "`linetint colorize --checkpoint`); watch with `tensorboard --logdir OUT`.",
        argument_default=argparse.SUPPRESS,  # so --resume knows which options were given
    )
    add = parser.add_argument
    add("--data", metavar="DIR", help=f"illustration folder, or '{SYNTHETIC}' for generated pictures")
    add("--lines", type=Path, metavar="DIR", help="line art made by `linetint lines` for --data")
    add("--tags", type=Path, metavar="FILE", help="Danbooru tags (CSV/JSON): drop greyscale-tagged pictures")
    add("--out", type=Path, metavar="RUN", required=True, help="run folder: checkpoints, logs")
    add("--config", choices=tuple(PRESETS), help=f"model widths (default {_DEFAULTS['config']})")
    add("--generator", choices=GENERATORS, help=f"network (default {_DEFAULTS['generator']})")
    _number(add, "--steps", int, "training iterations")
    _number(add, "--batch", int, "GLOBAL batch, split evenly over the torchrun processes")
    _number(add, "--crop", int, "random square crop side in px (multiple of 16)")
    _number(add, "--lr", float, "Adam learning rate, G and D")
    _number(add, "--beta1", float, "Adam beta1")
    _number(add, "--beta2", float, "Adam beta2")
    _number(add, "--lambda", float, "weight of feature matching + perceptual terms (eq. 4)", "loss_lambda")
    add("--gan-loss", choices=GAN_LOSSES, help=f"adversarial loss (default {_DEFAULTS['gan_loss']})")
    _number(add, "--checkpoint-every", int, "write checkpoints every N steps (and at the end)")
    _number(add, "--log-every", int, "TensorBoard scalars every N steps")
    _number(add, "--image-every", int, "TensorBoard sample grids every N steps")
    _number(add, "--seed", int, "seed for initialisation, data order and hints")
    _number(add, "--workers", int, "data loader processes per training process")
    add("--amp", choices=AMP_CHOICES, help="fp16 mixed precision; auto = on for CUDA (default auto)")
    add("--device", choices=("auto", "cpu", "cuda"), help="where to train (default auto)")
    add(
        "--vgg-weights",
        metavar="FILE|URL|random",
        help="ImageNet VGG19 (torchvision's vgg19-dcbb9e9d.pth) for the perceptual loss and hint branch "
        "(default: $LINETINT_VGG19_WEIGHTS, else torch hub's cache/download); "
        f"'{RANDOM_VGG}' trains without them, for smoke tests only",
    )
    add("--resume", action="store_true", help="continue OUT/checkpoint-latest.pt with its saved settings")
    parser.set_defaults(run=run_train)


def _number(add: Callable[..., object], flag: str, kind: type, text: str, dest: str | None = None) -> None:
    dest = dest or flag.lstrip("-").replace("-", "_")
    metavar = "N" if kind is int else "X"
    add(flag, type=kind, dest=dest, metavar=metavar, help=f"{text} (default {_DEFAULTS[dest]})")


def options_from_args(args: argparse.Namespace) -> TrainOptions:
    """TrainOptions from the given flags; with --resume, the run's saved options under the given ones."""
    from linetint.model.checkpoint import CheckpointError

    from .checkpointing import read_saved_options
    from .options import OptionsError

    fields = {f.name for f in dataclasses.fields(TrainOptions)}
    given = {k: v for k, v in vars(args).items() if k in fields}
    if not given.get("resume", False):
        if "data" not in given:
            raise OptionsError(f"--data is required: an illustration folder, or '{SYNTHETIC}'")
        return TrainOptions(**given)
    try:
        saved = read_saved_options(given["out"])
    except CheckpointError as exc:
        raise OptionsError(str(exc)) from None
    return TrainOptions(**{**saved.to_dict(), **given}).resumed_from(saved, set(given) - {"resume"})


def run_train(args: argparse.Namespace) -> int:
    try:
        from linetint.model.devices import DeviceError

        from .loop import TrainingDiverged, train
        from .options import OptionsError
    except ImportError as exc:
        print(
            f"linetint train: the training extras are missing ({exc.name}); install them with "
            "`pip install 'linetint[train]'`",
            file=sys.stderr,
        )
        return EXIT_BAD_INPUT
    try:
        result = train(options_from_args(args))
    except (OptionsError, DeviceError) as exc:
        print(f"linetint train: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except TrainingDiverged as exc:
        print(f"linetint train: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    except KeyboardInterrupt:
        print("linetint train: interrupted; continue from the last checkpoint with --resume", file=sys.stderr)
        return EXIT_FAILURE
    print(f"{result.checkpoint} (step {result.step})")
    return EXIT_OK


def _not_implemented(name: str) -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        print(f"linetint {name}: not implemented yet (see docs/reproduce.md)", file=sys.stderr)
        return EXIT_BAD_INPUT

    return run
