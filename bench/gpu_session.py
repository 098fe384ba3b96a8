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
                 no-attention ablation to the same step count (issue 5's equal budget; --no-ablation
                 leaves it out); packaged int8 and scored by bench/default_model.py against the shipped
                 model. The next default model: `sh bench/gpu_session.sh --only train --train-minutes 11
                 --no-ablation` (about 13 minutes of device time with the start)
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
    device: torch.device, work: Path, out: Path, minutes: float, batch: int, smoke: bool, ablation: bool
) -> dict:
    """The CSA `lite` run for `minutes`, and (if `ablation`) csa-noattn to the same step; both scored."""
    log = out / "train.log"
    common = [*TRAIN_FLAGS, "--workers", "2" if smoke else "12", "--batch", str(batch)]
    common += ["--checkpoint-every", "1000"]
    start = time.perf_counter()
    flags = [*common, "--steps", "1000000", "--time-limit", str(minutes), "--generator", "csa"]
    run_logged(train_command(work / "gpu-lite", device, *flags), log)
    steps = step_of(work / "gpu-lite" / "checkpoint-latest.pt")
    report = {"batch": batch, "steps": steps, "csa_seconds": round(time.perf_counter() - start, 1)}
    candidate = package(work / "gpu-lite", work / "default-candidate.pt", device, steps, batch, "", log)
    models = {f"gpu {steps} steps (a')": candidate}
    if ablation:
        start = time.perf_counter()
        # The same step count; the time limit only guards the session's device time (its step is reported).
        flags = [
            *common,
            "--steps",
            str(steps),
            "--time-limit",
            str(minutes * 1.3),
            "--generator",
            "csa-noattn",
        ]
        run_logged(train_command(work / "gpu-lite-noattn", device, *flags), log)
        report["noattn_seconds"] = round(time.perf_counter() - start, 1)
        report["noattn_steps"] = step_of(work / "gpu-lite-noattn" / "checkpoint-latest.pt")
        source, target = work / "gpu-lite-noattn", work / "ablation.pt"
        models["ablation (c')"] = package(source, target, device, steps, batch, ", no CSA", log)
    report["eval"] = evaluate(models, device, out, smoke, log)
    split(candidate, out)
    return report


def package(
    run: Path, target: Path, device: torch.device, steps: int, batch: int, what: str, log: Path
) -> Path:
    label = f"LineTint lite (synthetic shapes, {describe(device)}, {steps} steps, batch {batch}{what})"
    summary = f"lite{what} generator, {steps} steps of batch {batch} at 128 px on synthetic pictures"
    module = "linetint.training.package_model"
    generator = str(run / "generator-latest.pt")
    run_logged(
        [sys.executable, "-m", module, generator, str(target), "--name", label, "--summary", summary], log
    )
    return target


def evaluate(models: dict[str, Path], device: torch.device, out: Path, smoke: bool, log: Path) -> dict:
    """bench/default_model.py on the shipped model and `models`, with its untrained and nearest-hint rows."""
    table = out / "default-model-eval.json"
    shipped = ROOT / "resources" / "models" / "linetint-default.pt"
    command = [sys.executable, str(ROOT / "bench" / "default_model.py"), "--device", str(device)]
    command += ["--n", "20" if smoke else "200", "--json", str(table), "--model", f"shipped (a)={shipped}"]
    for name, path in models.items():
        command += ["--model", f"{name}={path}"]
    run_logged(command, log)
    return json.loads(table.read_text())


def split(path: Path, out: Path) -> list[str]:
    """`path` as parts under the device's 16 MiB a returned file; their names, in order."""
    data = path.read_bytes()
    names = [f"{path.name}.part{index // PART_BYTES}" for index in range(0, len(data), PART_BYTES)]
    for number, name in enumerate(names):
        (out / name).write_bytes(data[number * PART_BYTES : (number + 1) * PART_BYTES])
    return names


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="where the figures and files go ($OUT)")
    parser.add_argument("--work", type=Path, default=Path("/tmp/linetint-gpu"), help="run folders")
    parser.add_argument("--device", default="cuda", choices=("cuda", "cpu"))
    parser.add_argument("--train-minutes", type=float, default=1.75, help="CSA run length (default 1.75)")
    parser.add_argument("--batch", type=int, default=32, help="batch of the train section (default 32)")
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, for rehearsing on a CPU")
    parser.add_argument(
        "--no-ablation",
        dest="ablation",
        action="store_false",
        help="train only the CSA model (all the device time for it; the next default-model run)",
    )
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
            device, args.work, args.out, args.train_minutes, args.batch, args.smoke, args.ablation
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
