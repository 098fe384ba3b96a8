"""Training throughput: seconds per `train_step` and the FLOP rate it reaches, per generator and precision.

    .venv/bin/python bench/train_speed.py --device cpu --config lite --crop 256 --batch 4 --generator csa
    python3 bench/train_speed.py --device cuda --config paper --crop 512 --batch 8     # on a GPU

Random tensors stand in for the data, so the loader is not timed (on a GPU it has to keep up on its own:
`--workers`). The first step of each row warms up (cuDNN picks its kernels) and is the one whose FLOPs
are counted; the median of the timed steps follows. Ratios are against the first row, measured in the
same run. An epoch of the paper's data (1,299,232 pictures) is extrapolated from the per-sample time.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

import torch
from torch.utils.flop_counter import FlopCounterMode

from linetint.training.distributed import DistEnv
from linetint.training.loop import build_training, train_step
from linetint.training.options import TrainOptions

PAPER_EPOCH = 1_299_232  # training pictures in the paper's Danbooru2019 split (section 4.1)
GENERATORS = ("csa", "csa-noattn", "pix2pixhd")


def random_batch(batch: int, crop: int, device: torch.device) -> dict[str, torch.Tensor]:
    make = lambda channels: torch.rand(batch, channels, crop, crop, device=device)  # noqa: E731
    return {"lineart": make(1), "hints": make(4), "target": make(3)}


def sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


# (label, --amp, --perceptual) per row; the first row of a device is the baseline of its ratios.
VARIANTS = {
    "cuda": [("fp32", "off", "vgg"), ("amp fp16", "on", "vgg")],
    "cpu": [("fp32", "off", "vgg"), ("bf16", "bf16", "vgg"), ("bf16, no perceptual", "bf16", "off")],
}


def measure(options: TrainOptions, device: torch.device, label: str, repeats: int) -> dict:
    """One row: a counted warm-up step, then `repeats` timed steps on the same batch."""
    amp = options.amp != "off"
    env = DistEnv(0, 1, device)
    torch.manual_seed(options.seed)
    state, models = build_training(options, env, None, amp)
    batch = random_batch(options.batch, options.crop, device)
    if device.type == "cuda":
        torch.cuda.reset_peak_memory_stats(device)
    with FlopCounterMode(display=False) as counter:
        train_step(batch, models, state, options, env, amp)
    times = []
    for _ in range(repeats):
        sync(device)
        start = time.perf_counter()
        train_step(batch, models, state, options, env, amp)
        sync(device)
        times.append(time.perf_counter() - start)
    seconds = statistics.median(times)
    flop = counter.get_total_flops()
    row = {
        "generator": options.generator,
        "precision": label,
        "s_per_step": round(seconds, 4),
        "ms_per_sample": round(1000 * seconds / options.batch, 2),
        "tflop_per_sample": round(flop / options.batch / 1e12, 5),
        "achieved_tflops": round(flop / seconds / 1e12, 1),
        "epoch_hours": round(PAPER_EPOCH * seconds / options.batch / 3600, 2),
    }
    if device.type == "cuda":
        row["peak_gpu_memory_gib"] = round(torch.cuda.max_memory_allocated(device) / 2**30, 2)
    return row


def run(
    device: torch.device,
    config: str,
    crop: int,
    batch: int,
    repeats: int,
    generators: tuple[str, ...] = GENERATORS,
) -> list[dict]:
    """Every generator in fp32, and with the device's mixed precision: fp16 autocast on CUDA; bf16 on the
    CPU, with and without the perceptual term (the CPU step's biggest cost after the generator)."""
    if device.type == "cuda":
        torch.backends.cudnn.benchmark = True  # as the training loop sets it
    rows = []
    with tempfile.TemporaryDirectory() as out:
        for generator in generators:
            for label, amp, perceptual in VARIANTS.get(device.type, VARIANTS["cpu"]):
                options = TrainOptions(
                    out=Path(out), config=config, generator=generator, batch=batch, crop=crop,
                    device=device.type, amp=amp, perceptual=perceptual,
                )  # fmt: skip
                try:
                    rows.append(measure(options, device, label, repeats))
                except torch.OutOfMemoryError as error:
                    message = str(error).splitlines()[0]
                    rows.append({"generator": generator, "precision": label, "error": message})
                if device.type == "cuda":
                    torch.cuda.empty_cache()
    base = rows[0].get("s_per_step")
    for row in rows:
        if base and "s_per_step" in row:
            row["time_vs_first"] = round(row["s_per_step"] / base, 3)
    return rows


def print_table(rows: list[dict], config: str, crop: int, batch: int) -> None:
    print(f"\n`{config}` at {crop}², batch {batch}; times are medians; ratios against the first row\n")
    print("| generator | precision | s/step | ms/sample | TFLOP/sample | TFLOPS | × first | epoch (h) |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in rows:
        if "error" in r:
            print(f"| {r['generator']} | {r['precision']} | {r['error']} |")
            continue
        print(
            f"| {r['generator']} | {r['precision']} | {r['s_per_step']} | {r['ms_per_sample']} "
            f"| {r['tflop_per_sample']} | {r['achieved_tflops']} | {r['time_vs_first']} "
            f"| {r['epoch_hours']} |"
        )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--config", default="paper", help="model width preset: paper | lite | tiny")
    parser.add_argument("--crop", type=int, default=512, help="square training crop in px (default 512)")
    parser.add_argument("--batch", type=int, default=8, help="samples per step on this one device")
    parser.add_argument("--repeats", type=int, default=5, help="timed steps per row (default 5)")
    parser.add_argument("--generator", nargs="*", default=list(GENERATORS), help="which generators")
    parser.add_argument("--json", type=Path, help="also write the rows here")
    args = parser.parse_args(argv)
    device = torch.device(args.device)
    rows = run(device, args.config, args.crop, args.batch, args.repeats, tuple(args.generator))
    print_table(rows, args.config, args.crop, args.batch)
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n")


if __name__ == "__main__":
    main()
