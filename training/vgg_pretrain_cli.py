"""`linetint train-vgg`: a VGG19 trained on the corpus's categories, for `linetint train --vgg-weights`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

EXIT_OK, EXIT_BAD_INPUT = 0, 2


def register(commands: argparse._SubParsersAction) -> None:
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
    add("--size", type=int, default=96, help="crop side in px (default 96)")
    add("--batch", type=int, default=32, help="batch size (default 32)")
    add("--epochs", type=int, default=12, help="epochs; the learning rate falls to 0 over them (default 12)")
    add("--lr", type=float, default=1e-3, help="AdamW learning rate (default 1e-3)")
    add("--minutes", type=float, default=None, help="stop after the epoch that passes MIN minutes")
    add("--seed", type=int, default=0, help="seed of the initialisation and the crops (default 0)")
    add("--no-bf16", action="store_true", help="train in float32 (default: bfloat16 autocast)")
    add("--device", default="cpu", help="cpu or cuda (default cpu)")
    parser.set_defaults(run=run_train_vgg)


def run_train_vgg(args: argparse.Namespace) -> int:
    from .vgg_pretrain import PretrainOptions, pretrain

    if args.size < 32 or args.size % 16:
        problem = f"--size must be a multiple of 16, at least 32; got {args.size}"
        print(f"linetint train-vgg: {problem}", file=sys.stderr)
        return EXIT_BAD_INPUT
    options = PretrainOptions(
        corpus=args.corpus, out=args.out, size=args.size, batch=args.batch, epochs=args.epochs, lr=args.lr,
        minutes=args.minutes, seed=args.seed, bf16=not args.no_bf16, device=args.device,
    )  # fmt: skip
    try:
        result = pretrain(options)
    except (OSError, ValueError) as exc:
        print(f"linetint train-vgg: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    print(
        f"{args.out}: {len(result.classes)} categories, held-out accuracy {result.heldout_accuracy:.1%} "
        f"(the commonest category alone: {result.majority_accuracy:.1%}), {result.epochs} epochs"
    )
    return EXIT_OK
