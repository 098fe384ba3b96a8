"""Average the generator weights of several checkpoints of one network (a "model soup").

    python -m linetint.training.average_weights soup.pt resources/models/linetint-default.pt \
        runs/a/generator-latest.pt runs/b/generator-latest.pt
    python -m linetint.training.package_model soup.pt my-model.pt --name "…" --summary "…"

Only meaningful for models fine-tuned from one start (their weights lie in one basin): two runs from
scratch average to noise. Int8 files are dequantized first; the result is fp32, to be packaged.
docs/model-card.md (*Learning-rate decay, and averaged weights*) has what averaging did here.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import torch

from linetint.model.checkpoint import Checkpoint, CheckpointError, load_checkpoint, save_checkpoint

from .checkpointing import steps_behind


def average(checkpoints: Sequence[Checkpoint]) -> Checkpoint:
    """One checkpoint whose weights are the plain mean of `checkpoints`' generators.

    Each generator is built first, so a malformed or NaN file is refused by the checks every load makes.
    """
    if len(checkpoints) < 2:
        raise CheckpointError("averaging needs at least two checkpoints")
    first = checkpoints[0]
    if any(c.config != first.config for c in checkpoints[1:]):
        raise CheckpointError(
            "these checkpoints are different networks (their configs differ); "
            "only one network's weights can be averaged"
        )
    states = [c.build_generator().state_dict() for c in checkpoints]
    mean = {key: torch.stack([s[key].float() for s in states]).mean(0) for key in states[0]}
    names = ", ".join(c.name for c in checkpoints)
    # package_model ships "step" as trained_steps: the steps behind the longest line of training averaged.
    step = max(steps_behind(c.meta) for c in checkpoints)
    meta = {"name": f"average of {names}", "step": step, "summary": f"weights averaged from {names}"}
    return Checkpoint(config=first.config, generator=mean, meta=meta)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m linetint.training.average_weights", description=__doc__)
    parser.add_argument("target", type=Path, help="where to write the averaged checkpoint (fp32)")
    parser.add_argument("sources", type=Path, nargs="+", help="checkpoints of one network")
    args = parser.parse_args(argv)
    try:
        soup = average([load_checkpoint(path) for path in args.sources])
        save_checkpoint(soup, args.target, storage="fp32")
    except (CheckpointError, OSError) as exc:
        print(f"average_weights: {exc}", file=sys.stderr)
        return 2
    print(f"{args.target}: the mean of {len(args.sources)} checkpoints")
    return 0


if __name__ == "__main__":
    sys.exit(main())
