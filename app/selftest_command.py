"""`linetint selftest`: the shipped model loads and colours the packaged sample — a check for
installs, bundles and CI. `--window` also paints for a long while in the real window, offscreen
(app/soak.py): the check for faults that take minutes of use to show."""

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
# Live memory the default session (20,000 moves, 2,000 dabs) may gain: measured +38 MB on the 2-core dev VM
# (about 10-14 KB a dab, native, not Python objects; docs/reliability.md). Twice that leaves room for
# allocator noise; a leak of under 2 KB a mouse move would pass it unseen (20,000 moves: < 40 MB).
MAX_GROWTH_MB = 80.0


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser(
        "selftest",
        help="check that the shipped model loads and colours the sample line art",
        description="Load the shipped model and colour the packaged sample with its hint layer.",
    )
    parser.add_argument("--max-side", type=int, default=256, help="network size for the check (256)")
    window = parser.add_argument_group("the window soak (--window)")
    window.add_argument("--window", action="store_true", help="paint in the real window for a while")
    window.add_argument("--moves", type=int, default=20_000, help="mouse moves over the canvas (20000)")
    window.add_argument("--dabs", type=int, default=2_000, help="brush and eraser dabs (2000)")
    window.add_argument("--undo", type=int, default=200, help="undo and redo steps (200)")
    window.add_argument("--tiny-model", action="store_true", help="a small random model: faster previews")
    window.add_argument(
        "--max-growth-mb", type=float, default=MAX_GROWTH_MB,
        help=f"live memory the session may gain ({MAX_GROWTH_MB:.0f} MB)",
    )  # fmt: skip
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    status = run_model_check(args)
    if status == EXIT_OK and args.window:
        status = run_window_check(args)
    return status


def run_window_check(args: argparse.Namespace) -> int:
    from linetint.app.soak import SoakPlan, soak_window

    plan = SoakPlan(moves=args.moves, dabs=args.dabs, undo_redo=args.undo)
    report = soak_window(plan, tiny_model=args.tiny_model)
    problems = report.failures(args.max_growth_mb)
    if problems:
        print(f"selftest: window FAILED: {'; '.join(problems)} ({report.summary()})", file=sys.stderr)
        return EXIT_FAILURE
    print(f"selftest: window ok — {report.summary()}")
    return EXIT_OK


def run_model_check(args: argparse.Namespace) -> int:
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
