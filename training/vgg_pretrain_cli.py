"""`linetint train-vgg`: a VGG19 trained on the corpus's categories, for `linetint train --vgg-weights`."""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

from .options import PretrainOptions

EXIT_OK, EXIT_BAD_INPUT = 0, 2


def register(commands: argparse._SubParsersAction) -> None:
    defaults = {f.name: f.default for f in dataclasses.fields(PretrainOptions)}
    parser = commands.add_parser(
        "train-vgg",
        help="train a VGG19 on a corpus's categories (hint encoder and loss network without ImageNet)",
        description="Train VGG19 (to conv5_1, with batch norm folded away at the end) to tell the "
        "categories of a `linetint corpus` folder apart, and write it as a torchvision-layout state dict "
        "that `linetint train --vgg-weights FILE` loads in place of ImageNet's. The held-out split "
        "measures it; OUT.json gets the summary.",
    )
    add = parser.add_argument
    add("--corpus", type=Path, required=True, metavar="DIR", help="a `linetint corpus` folder (manifest.csv)")
    add("--out", type=Path, required=True, metavar="FILE", help="the weights to write, e.g. corpus-vgg19.pth")
    for flag, kind, text in (
        ("--size", int, "crop side in px, a multiple of 16"),
        ("--batch", int, "batch size"),
        ("--epochs", int, "epochs; the learning rate falls to 0 over them"),
        ("--lr", float, "AdamW learning rate"),
        ("--minutes", float, "stop after the epoch that passes this many minutes"),
        ("--seed", int, "seed of the initialisation and the crops"),
    ):
        default = defaults[flag.lstrip("-")]
        shown = "no limit" if default is None else default
        add(flag, type=kind, default=default, help=f"{text} (default {shown})")
    add("--no-bf16", dest="bf16", action="store_false", help="train in float32 (default: bfloat16 autocast)")
    add("--device", default=defaults["device"], help=f"cpu or cuda (default {defaults['device']})")
    parser.set_defaults(run=run_train_vgg)


def run_train_vgg(args: argparse.Namespace) -> int:
    from .vgg_pretrain import pretrain  # torch loads only when the command runs

    names = {f.name for f in dataclasses.fields(PretrainOptions)}
    options = PretrainOptions(**{k: v for k, v in vars(args).items() if k in names})
    try:
        result = pretrain(options)
    except (OSError, ValueError) as exc:  # OptionsError too; a corpus that is not one; unreadable pictures
        print(f"linetint train-vgg: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    print(
        f"{args.out}: {len(result.classes)} categories, held-out accuracy {result.heldout_accuracy:.1%} "
        f"(the commonest category alone: {result.majority_accuracy:.1%}), {result.epochs} epochs"
    )
    return EXIT_OK
