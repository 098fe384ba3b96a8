"""Turn a training run's generator into the file LineTint ships: named, described, int8 storage.

    python -m linetint.training.package_model RUN/generator-latest.pt resources/models/linetint-default.pt \
        --name "LineTint lite (synthetic, CPU)" --summary "..."
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from linetint.model.checkpoint import (
    STORAGE_CHOICES,
    Checkpoint,
    CheckpointError,
    load_checkpoint,
    save_checkpoint,
)

from .checkpointing import steps_behind


def package(
    source: Path,
    target: Path,
    name: str,
    summary: str,
    storage: str = "int8",
    extra_meta: dict | None = None,
    trained_steps: int | None = None,
) -> Checkpoint:
    """Copy the generator of `source` (a run checkpoint) into a shippable checkpoint at `target`.
    `trained_steps` overrides the steps the files count behind the weights."""
    run = load_checkpoint(source)
    meta = {
        "name": name,
        "trained": True,
        "summary": summary,
        "trained_steps": steps_behind(run.meta) if trained_steps is None else trained_steps,
        "training_summary": str(run.meta.get("summary", "")),
        "storage": storage,
        **(extra_meta or {}),
    }
    shipped = Checkpoint(config=run.config, generator=run.generator, meta=meta)
    save_checkpoint(shipped, target, storage=storage, compress=True)
    load_checkpoint(target).build_generator()  # refuse to ship a file that does not load back
    return shipped


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m linetint.training.package_model", description=__doc__)
    parser.add_argument("source", type=Path, help="a run's generator-latest.pt or checkpoint-latest.pt")
    parser.add_argument("target", type=Path, help="where to write the shipped checkpoint")
    parser.add_argument("--name", required=True, help="the name the app shows")
    parser.add_argument("--summary", required=True, help="one line: data, steps, what it can do")
    parser.add_argument("--storage", choices=STORAGE_CHOICES, default="int8", help="weight storage (int8)")
    parser.add_argument(
        "--trained-steps",
        type=int,
        metavar="N",
        help="the steps behind the weights, where the files' own count is wrong (a model trained before "
        "runs recorded their --init's steps)",
    )
    args = parser.parse_args(argv)
    if args.trained_steps is not None and args.trained_steps < 0:
        parser.error("--trained-steps must be 0 or more")
    try:
        package(
            args.source, args.target, args.name, args.summary, args.storage, trained_steps=args.trained_steps
        )
    except (CheckpointError, OSError) as exc:
        print(f"package_model: {exc}", file=sys.stderr)
        return 2
    print(f"{args.target}: {args.target.stat().st_size / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
