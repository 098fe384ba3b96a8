"""What a session lent a CUDA GPU runs, as one script: the GPU paths that CPU machines cannot check.

    sh bench/gpu_session.sh                         # on the device machine: writes into $OUT
    .venv/bin/python bench/gpu_session.py --device cpu --smoke --out /tmp/gpu   # rehearsal here

With the defaults (--train-minutes 1.75) it ran in 5 min 32 s on one H200 (2026-11-26; its figures are
in docs/gpu-session-h200.json, written up in docs/performance.md and docs/reproduce.md §6).
  1. inference   the shipped model on the GPU in fp32, fp16 and bf16 against the CPU fp32 output on the
                 sample line art (max / mean difference, 0-255), and full-pass latency at 512², 1024², 2048²
  2. amp         a few `lite` training steps with fp16 autocast: finite losses, an active GradScaler, a
                 checkpoint that loads on the CPU, and --resume going on from it
  3. throughput  seconds per training step of the `paper` model at 512² (batch 8), each generator, fp32
                 and fp16 AMP, with the FLOP rate reached (bench/train_speed.py)
  4. train       the `lite` CSA generator for --train-minutes (stopped by --time-limit), then the
                 no-attention ablation to the same step count (issue 5's equal budget); both packaged
                 int8 and scored by bench/default_model.py against the shipped model
  5. OUT         gpu-session.json (every figure), the logs, and the new CSA model in < 16 MiB parts
                 (`cat default-candidate.pt.part* > x.pt` joins them; the device returns files ≤ 16 MiB)
A section that fails is recorded with its error and the rest still run.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch
from PIL import Image
from train_speed import run as train_speed_rows  # bench/ is the script's own folder, first on sys.path

from linetint.model.checkpoint import load_checkpoint
from linetint.model.colorizer import Colorizer
from linetint.model.devices import describe
from linetint.model.hints import load_hints, rasterize
from linetint.model.images import load_lineart

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "resources" / "samples" / "girl-lineart.png"
SAMPLE_HINTS = ROOT / "resources" / "samples" / "girl-hints.png"
PART_BYTES = 15 * 2**20
# The shipped model's training settings (docs/model-card.md) but a GPU-sized batch.
TRAIN_FLAGS = [
    "--data",
    "synthetic",
    "--config",
    "lite",
    "--crop",
    "128",
    "--vgg-weights",
    "random",
    "--seed",
    "1",
]


def sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def median_seconds(fn: Callable[[], object], device: torch.device, repeats: int) -> float:
    fn()  # warm-up: cuDNN picks its kernels on the first call
    times = []
    for _ in range(repeats):
        sync(device)
        start = time.perf_counter()
        fn()
        sync(device)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def full_pass_seconds(colorizer: Colorizer, grey: np.ndarray, hints, side: int, repeats: int) -> float:
    small = np.asarray(Image.fromarray(grey).resize((side, side)))
    raster = rasterize(hints, side, side)
    return median_seconds(lambda: colorizer.run(small, raster), colorizer.device, repeats)


def inference_section(device: torch.device, smoke: bool) -> dict:
    grey = load_lineart(SAMPLE)
    hints = load_hints(SAMPLE_HINTS, grey.shape[1], grey.shape[0])
    side = 128 if smoke else 512
    reference = Colorizer.load(None, "cpu", precision="fp32").colorize(grey, hints, max_side=side)
    result: dict = {"reference": f"CPU fp32 at {side} px", "agreement": {}, "full_pass_s": {}}
    precisions = ["fp32"] if device.type == "cpu" else ["fp32", "fp16", "bf16"]
    for precision in precisions:
        # No incremental hint encoding: every timed pass encodes the hints, as after a new stroke.
        colorizer = Colorizer.load(None, str(device), precision=precision, incremental=False)
        diff = np.abs(colorizer.colorize(grey, hints, max_side=side).astype(np.int16) - reference)
        result["agreement"][precision] = {"max": int(diff.max()), "mean": round(float(diff.mean()), 3)}
        for run_side in [128] if smoke else [512, 1024, 2048]:
            seconds = full_pass_seconds(colorizer, grey, hints, run_side, 2 if smoke else 10)
            result["full_pass_s"][f"{precision}@{run_side}"] = round(seconds, 4)
    if device.type == "cuda":
        result["peak_gpu_memory_gib"] = round(torch.cuda.max_memory_allocated(device) / 2**30, 2)
    return result


def throughput_section(device: torch.device, smoke: bool) -> dict:
    """The paper's model at its crop: the s/step that docs/reproduce.md's compute estimate needs."""
    config, crop, batch, repeats = ("tiny", 64, 1, 1) if smoke else ("paper", 512, 8, 5)
    rows = train_speed_rows(device, config, crop, batch, repeats)
    return {"config": config, "crop": crop, "batch": batch, "rows": rows}


def train_command(out: Path, device: torch.device, *flags: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "linetint.training",
        "train",
        "--out",
        str(out),
        "--device",
        device.type,
        *flags,
    ]


def run_logged(command: list[str], log: Path) -> None:
    with log.open("a") as stream:
        stream.write(f"$ {' '.join(command)}\n")
        stream.flush()
        subprocess.run(command, check=True, stdout=stream, stderr=subprocess.STDOUT)


def step_of(checkpoint: Path) -> int:
    return int(load_checkpoint(checkpoint).extra["training"]["step"])


def amp_section(device: torch.device, work: Path, out: Path) -> dict:
    run = work / "amp"
    amp = [] if device.type == "cpu" else ["--amp", "on"]
    common = [*TRAIN_FLAGS, "--batch", "8", "--workers", "2", "--checkpoint-every", "5", *amp]
    log = out / "amp.log"
    run_logged(train_command(run, device, *common, "--steps", "5"), log)
    first = load_checkpoint(run / "checkpoint-latest.pt")
    run_logged(train_command(run, device, "--resume", "--steps", "10"), log)
    resumed = load_checkpoint(run / "checkpoint-latest.pt")
    scaler = resumed.extra["training"]["scaler_g"]
    moved = [k for k in first.generator if not torch.equal(first.generator[k], resumed.generator[k])]
    colorizer = Colorizer.load(run / "generator-latest.pt", "cpu", precision="fp32")
    grey = load_lineart(SAMPLE)
    output = colorizer.colorize(grey, load_hints(SAMPLE_HINTS, grey.shape[1], grey.shape[0]), max_side=128)
    return {
        "steps": [first.extra["training"]["step"], resumed.extra["training"]["step"]],
        "tensors_changed_by_resume": len(moved),
        "grad_scale": scaler.get("scale") if isinstance(scaler, dict) else None,
        "loads_on_cpu": list(output.shape),
        "log_tail": log.read_text().splitlines()[-3:],
    }


def train_section(
    device: torch.device, work: Path, out: Path, minutes: float, batch: int, smoke: bool
) -> dict:
    log = out / "train.log"
    workers = ["--workers", "2" if smoke else "12", "--batch", str(batch), "--checkpoint-every", "1000"]
    csa, noattn = work / "gpu-lite", work / "gpu-lite-noattn"
    start = time.perf_counter()
    flags = [*TRAIN_FLAGS, *workers, "--steps", "1000000", "--time-limit", str(minutes)]
    run_logged(train_command(csa, device, *flags, "--generator", "csa"), log)
    csa_seconds, steps = time.perf_counter() - start, step_of(csa / "checkpoint-latest.pt")
    start = time.perf_counter()
    # The same step count; the time limit only guards the session's device time (its step is reported).
    flags = [*TRAIN_FLAGS, *workers, "--steps", str(steps), "--time-limit", str(minutes * 1.3)]
    run_logged(train_command(noattn, device, *flags, "--generator", "csa-noattn"), log)
    noattn_seconds = time.perf_counter() - start
    noattn_steps = step_of(noattn / "checkpoint-latest.pt")
    candidate, ablation = work / "default-candidate.pt", work / "ablation.pt"
    label = f"LineTint lite (synthetic shapes, {describe(device)}"
    for source, target, what in ((csa, candidate, ""), (noattn, ablation, ", no CSA")):
        run_logged(
            [
                sys.executable,
                "-m",
                "linetint.training.package_model",
                str(source / "generator-latest.pt"),
                str(target),
                "--name",
                f"{label}, {steps} steps, batch {batch}{what})",
                "--summary",
                f"lite{what} generator, {steps} steps of batch {batch} at 128 px on synthetic pictures",
            ],
            log,
        )
    table = out / "default-model-eval.json"
    run_logged(
        [
            sys.executable,
            str(ROOT / "bench" / "default_model.py"),
            "--device",
            str(device),
            "--n",
            "20" if smoke else "200",
            "--json",
            str(table),
            "--model",
            f"shipped (a)={ROOT / 'resources' / 'models' / 'linetint-default.pt'}",
            "--model",
            f"gpu {steps} steps (a')={candidate}",
            "--model",
            f"ablation (c')={ablation}",
        ],
        log,
    )
    split(candidate, out)
    return {
        "batch": batch,
        "steps": steps,
        "noattn_steps": noattn_steps,
        "csa_seconds": round(csa_seconds, 1),
        "noattn_seconds": round(noattn_seconds, 1),
        "eval": json.loads(table.read_text()),
    }


def split(path: Path, out: Path) -> None:
    data = path.read_bytes()
    for index in range(0, len(data), PART_BYTES):
        (out / f"{path.name}.part{index // PART_BYTES}").write_bytes(data[index : index + PART_BYTES])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="where the figures and files go ($OUT)")
    parser.add_argument("--work", type=Path, default=Path("/tmp/linetint-gpu"), help="run folders")
    parser.add_argument("--device", default="cuda", choices=("cuda", "cpu"))
    parser.add_argument("--train-minutes", type=float, default=1.75, help="CSA run length (default 1.75)")
    parser.add_argument("--batch", type=int, default=32, help="batch of the train section (default 32)")
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, for rehearsing on a CPU")
    names = ["inference", "amp", "throughput", "train"]
    parser.add_argument("--only", nargs="*", default=names, help="sections to run")
    args = parser.parse_args(argv)
    device = torch.device(args.device)
    args.out.mkdir(parents=True, exist_ok=True)
    args.work.mkdir(parents=True, exist_ok=True)
    report: dict = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "torch": torch.__version__,
        "device": describe(device),
    }
    sections = {
        "inference": lambda: inference_section(device, args.smoke),
        "amp": lambda: amp_section(device, args.work, args.out),
        "throughput": lambda: throughput_section(device, args.smoke),
        "train": lambda: train_section(
            device, args.work, args.out, args.train_minutes, args.batch, args.smoke
        ),
    }
    for name in args.only:
        start = time.perf_counter()
        try:
            report[name] = sections[name]()
        except Exception:  # noqa: BLE001 - one broken section must not cost the others' figures
            report[name] = {"error": traceback.format_exc(limit=4)}
        report[name]["section_seconds"] = round(time.perf_counter() - start, 1)
        (args.out / "gpu-session.json").write_text(json.dumps(report, indent=2) + "\n")
        print(f"{name}: {json.dumps(report[name])[:600]}", flush=True)
    return 0 if all("error" not in report[name] for name in args.only) else 1


if __name__ == "__main__":
    sys.exit(main())
