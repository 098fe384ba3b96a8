"""How far each way of storing a model's weights moves its colour from the fp32 weights it was trained to.

    .venv/bin/python bench/storage_error.py RUN/checkpoint-latest.pt [--max-side 512] [--parts]

style2paints' six samples (their line art and the hint layers their artists drew) go through the network
at `--max-side` with the fp32 weights and with each storage `package_model --storage` offers; the table
gives the deflated file size and the mean CIE76 ΔE, over paper pixels, between each storage's colour and
the fp32 colour (a ratio to fp16's in the same run), and the same for int8 as files stored it before
2026-12-01 (every weight int8). `--parts` stores one part of the network at a time in per-channel int8,
small weights too, and the rest in fp32, to show where int8 costs. The file must hold fp32 weights (a
training run's), not a shipped int8 file.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch

from linetint.model.checkpoint import STORAGE_CHOICES, Checkpoint, load_checkpoint, save_checkpoint
from linetint.model.colorizer import Colorizer
from linetint.model.quantize import dequantize_state, quantize_state
from linetint.training.real_art import Sample, default_sample_root, load_sample, peer_distance, sample_folders

State = dict[str, torch.Tensor]


def colours(checkpoint: Checkpoint, samples: list[Sample], max_side: int) -> list[np.ndarray]:
    colorizer = Colorizer(checkpoint, device="cpu", precision="fp32", incremental=False)
    return [colorizer.colorize(s.network_lineart, s.hints, max_side=max_side) for s in samples]


def distance(a: list[np.ndarray], b: list[np.ndarray], samples: list[Sample]) -> float:
    return float(np.mean([peer_distance(x, y, s.lineart) for x, y, s in zip(a, b, samples, strict=True)]))


def stored(checkpoint: Checkpoint, storage: str, folder: Path) -> tuple[Checkpoint, int]:
    """`checkpoint` written with `storage` as package_model writes it, read back, and the file's size."""
    path = folder / f"{storage}.pt"
    save_checkpoint(checkpoint, path, storage=storage, compress=True)
    return load_checkpoint(path), path.stat().st_size


def part_of(key: str) -> str:
    """'blocks.3.attention.conv.weight' -> 'blocks.3'; 'stem.0.weight' -> 'stem'."""
    head, _, rest = key.partition(".")
    index = rest.partition(".")[0]
    return f"{head}.{index}" if head == "blocks" and index.isdigit() else head


def one_part_int8(state: State, part: str) -> State:
    chosen = {k: v for k, v in state.items() if part_of(k) == part}
    return {**state, **dequantize_state(quantize_state(chosen, min_weights=0))}


def every_weight_int8(checkpoint: Checkpoint) -> Checkpoint:
    """int8 as shipped files before 2026-12-01 stored it: small weights too."""
    state = dequantize_state(quantize_state(checkpoint.generator, min_weights=0))
    return Checkpoint(checkpoint.config, state, checkpoint.meta)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("checkpoint", type=Path, help="a training run's fp32 generator")
    parser.add_argument("--max-side", type=int, default=512, help="working size's long side (512)")
    parser.add_argument("--parts", action="store_true", help="also int8 one part of the network at a time")
    args = parser.parse_args(argv)
    torch.set_grad_enabled(False)
    source = load_checkpoint(args.checkpoint)
    if any(v.dtype != torch.float32 for v in source.generator.values() if v.is_floating_point()):
        print(f"{args.checkpoint} does not hold fp32 weights", file=sys.stderr)
        return 2
    samples = [load_sample(folder) for folder in sample_folders(default_sample_root())]
    reference = colours(source, samples, args.max_side)

    def error(checkpoint: Checkpoint) -> float:
        return distance(colours(checkpoint, samples, args.max_side), reference, samples)

    print(f"{len(samples)} style2paints samples at long side {args.max_side}; ΔE76 to the fp32 colour\n")
    print("| storage | file MB | ΔE to fp32 | × fp16's |")
    print("| --- | ---: | ---: | ---: |")
    rows: list[tuple[str, float | None, float]] = []
    with tempfile.TemporaryDirectory() as folder:
        for storage in STORAGE_CHOICES:
            checkpoint, size = stored(source, storage, Path(folder))
            rows.append((storage, size / 1e6, error(checkpoint)))
    rows.append(("int8, every weight (before 2026-12-01)", None, error(every_weight_int8(source))))
    fp16 = dict((name, err) for name, _, err in rows)["fp16"]
    for name, megabytes, err in rows:
        size = "" if megabytes is None else f"{megabytes:.1f}"
        print(f"| {name} | {size} | {err:.3f} | {err / fp16:.1f} |")
    if args.parts:
        _print_parts(source, error)
    return 0


def _print_parts(source: Checkpoint, error: Callable[[Checkpoint], float]) -> None:
    print("\n| part in int8, the rest fp32 | parameters (M) | ΔE to fp32 |")
    print("| --- | ---: | ---: |")
    parts = sorted({part_of(k) for k in source.generator})
    for part in parts:
        count = sum(v.numel() for k, v in source.generator.items() if part_of(k) == part)
        state = one_part_int8(source.generator, part)
        print(f"| {part} | {count / 1e6:.2f} | {error(Checkpoint(source.config, state, source.meta)):.3f} |")


if __name__ == "__main__":
    sys.exit(main())
