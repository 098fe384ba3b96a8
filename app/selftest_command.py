"""`linetint selftest`: the shipped model loads and colours the packaged sample — a check for
installs, bundles and CI."""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np

from linetint.model.checkpoint import CheckpointError
from linetint.model.colorizer import Colorizer, default_checkpoint_path
from linetint.model.hints import load_hints
from linetint.model.images import load_lineart
from linetint.resources import resource

EXIT_OK, EXIT_FAILURE = 0, 1


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "selftest",
        help="check that the shipped model loads and colours the sample line art",
        description="Load the shipped model and colour the packaged sample with its hint layer.",
    )
    parser.add_argument("--max-side", type=int, default=256, help="network size for the check (256)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    path = default_checkpoint_path()
    if path is None:
        print("selftest: FAILED: no shipped model in resources/models", file=sys.stderr)
        return EXIT_FAILURE
    try:
        start = time.perf_counter()
        colorizer = Colorizer.load(path, "cpu")
        grey = load_lineart(str(resource("samples", "girl-lineart.png")))
        hints = load_hints(str(resource("samples", "girl-hints.png")), grey.shape[1], grey.shape[0])
        rgb = colorizer.colorize(grey, hints, max_side=args.max_side)
    except (CheckpointError, OSError, ValueError) as exc:
        print(f"selftest: FAILED: {exc}", file=sys.stderr)
        return EXIT_FAILURE
    if rgb.shape != (*grey.shape, 3) or not np.isfinite(rgb).all() or rgb.std() == 0:
        print(
            f"selftest: FAILED: the output is not a picture ({rgb.shape}, std {rgb.std():.1f})",
            file=sys.stderr,
        )
        return EXIT_FAILURE
    info = colorizer.info
    trained = "trained" if info.trained else "UNTRAINED"
    print(
        f"selftest: ok — {info.name} ({trained}, {path.stat().st_size / 1e6:.1f} MB) coloured the sample "
        f"{grey.shape[1]}x{grey.shape[0]} with {len(hints)} hints in {time.perf_counter() - start:.1f} s"
    )
    return EXIT_OK
