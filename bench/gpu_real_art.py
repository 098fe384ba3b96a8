"""What a session lent a GPU runs to train the default model on real drawings, as one call.

    .venv/bin/linetint corpus-pack /work/data/corpus .pack/corpus-pack.tar.xz --folders …  # docs/corpus.md
    sh bench/gpu_real_art.sh --minutes 7                # on the device machine, carry [".pack"]: into $OUT
    .venv/bin/python bench/gpu_real_art.py --device cpu --smoke --pack P --out /tmp/real   # rehearsal here

The device machine takes the working tree and at most 64 MiB in all and reaches no package registry, so
the corpus travels packed (`linetint corpus-pack`, docs/corpus.md) and is unpacked there. Then:
  1. busts      `linetint faces`'s procedural busts (training/faces.py), made there on all cores rather
                than packed: numpy and PIL only, and 1,500 of them are 42 MB as PNGs
  2. calibrate  a short run of the same settings, stopped by --time-limit: steps per minute there,
                data loading included
  3. train      the `lite` generator from the shipped model with the recipe of the CPU runs
                (docs/model-card.md; the busts at --face-share) at a GPU batch, for as many steps
                as --minutes holds at that rate, its learning rates brought to 0 over the last 70 %
                (--lr-decay), with an EMA
  4. OUT        real-art-gpu.json (figures), train.log, and the run's EMA generator stored fp16 in
                parts < 16 MiB (`cat generator-fp16.pt.part* > g.pt`; the device returns at most 8
                files of 16 MiB). Score and package it here, where ../shared's judged drawings are:
                bench/real_art.py, python -m linetint.training.package_model.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import torch
from gpu_session import run_logged, split, step_of, train_command  # bench/ is first on sys.path

from linetint.model.checkpoint import load_checkpoint, save_checkpoint
from linetint.model.devices import describe
from linetint.training.corpus.pack import unpack
from linetint.training.faces import write_faces

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "resources" / "models" / "linetint-default.pt"
# The recipe of the CPU continuations (docs/model-card.md), without what a batch and a length set.
RECIPE = [
    "--line-probs", "xdog=0.3,exact=0.7", "--synthetic-share", "0", "--thin-lines", "0.5",
    "--detail-lines", "0.4", "--hatching", "0.3", "--config", "lite", "--perceptual", "off",
    "--vgg-weights", "random", "--ema", "0.999",
]  # fmt: skip
DECAY_SHARE = 0.7  # of the steps, at the end, over which the learning rates fall to 0
CALIBRATION_MINUTES = 0.75


def train(run: Path, data: Path, device: str, flags: list[str], log: Path) -> int:
    """`linetint train` into `run` with the recipe and `flags`; returns the step it ended at."""
    data_flags = ["--data", str(data / "train"), "--lines", str(data / "train-lines")]
    run_logged(train_command(run, torch.device(device), *data_flags, *RECIPE, *flags), log)
    return step_of(run / "checkpoint-latest.pt")


def write_busts(corpus: Path, count: int, processes: int) -> None:
    """`count` busts into the unpacked corpus (its train/faces and train-lines/exact/faces), the range split
    over `processes`: each bust depends only on its number, so the files are those of one process."""
    processes = max(1, min(processes, count))
    firsts = [count * i // processes for i in range(processes + 1)]
    with ProcessPoolExecutor(processes) as pool:
        spans = zip(firsts[:-1], firsts[1:], strict=True)
        parts = [pool.submit(write_faces, corpus, b - a, first=a) for a, b in spans]
        for part in parts:
            part.result()  # a worker's exception is raised here


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add = parser.add_argument
    add("--out", type=Path, required=True, help="where the figures and the model go ($OUT)")
    add("--pack", type=Path, default=ROOT / ".pack" / "corpus-pack.tar.xz", help="corpus-pack's file")
    add("--work", type=Path, default=Path("/tmp/linetint-real"), help="corpus and run folders")
    add("--device", default="cuda", choices=("cuda", "cpu"))
    add("--minutes", type=float, default=7.0, help="main run minutes (default 7: a 600-s call)")
    add("--batch", type=int, default=32, help="global batch (default 32, the paper's)")
    add("--crop", type=int, default=256, help="crop side in px (default 256)")
    add("--workers", type=int, default=14, help="data loader processes (default 14 of the 16 cores)")
    add("--init", type=Path, default=SHIPPED, help="model to start from (default: the shipped one)")
    add("--faces", type=int, default=1500, help="procedural busts made there (default 1500; 0: none)")
    add("--face-share", type=float, default=0.3, help="share of samples that are busts (default 0.3)")
    add("--smoke", action="store_true", help="tiny sizes, for rehearsing on a CPU")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    log, started = args.out / "train.log", time.perf_counter()
    report: dict = {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "device": device_name(args)}
    corpus = args.work / "corpus"
    report["pictures"] = unpack(args.pack, corpus)
    report["unpack_seconds"] = round(time.perf_counter() - started, 1)
    if args.faces > 0:
        write_busts(corpus, args.faces, args.workers)
        report["busts"] = args.faces
        report["busts_seconds"] = round(time.perf_counter() - started - report["unpack_seconds"], 1)
    amp = ["--amp", "bf16"] if args.device == "cuda" else ["--amp", "off"]
    common = [*amp, "--init", str(args.init), "--batch", str(args.batch), "--crop", str(args.crop)]
    common += ["--workers", str(args.workers), "--image-every", "100000"]
    if args.faces > 0:
        common += ["--folder-shares", f"faces={args.face_share}"]
    calibration_minutes = 0.05 if args.smoke else CALIBRATION_MINUTES
    flags = [*common, "--steps", "1000000", "--time-limit", str(calibration_minutes), "--d-warmup", "0"]
    calibrated = train(args.work / "calibrate", corpus, args.device, flags, log)
    steps = max(4, int(calibrated / calibration_minutes * args.minutes * 0.9))
    report["calibration"] = {"minutes": calibration_minutes, "steps": calibrated, "planned_steps": steps}
    flags = [*common, "--steps", str(steps), "--lr-decay", str(int(steps * DECAY_SHARE))]
    flags += ["--d-warmup", str(min(150, steps // 10)), "--checkpoint-every", str(max(1, steps // 4))]
    flags += ["--time-limit", str(args.minutes * 1.05)]  # a guard for the session's device time
    main_started = time.perf_counter()
    run = args.work / "real"
    report["steps"] = train(run, corpus, args.device, flags, log)
    report["train_seconds"] = round(time.perf_counter() - main_started, 1)
    generator = load_checkpoint(run / "generator-latest.pt")
    save_checkpoint(generator, args.work / "generator-fp16.pt", storage="fp16", compress=True)
    report["parts"] = split(args.work / "generator-fp16.pt", args.out)
    report["flags"] = [*RECIPE, *flags]
    report["total_seconds"] = round(time.perf_counter() - started, 1)
    (args.out / "real-art-gpu.json").write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report), flush=True)
    return 0


def device_name(args: argparse.Namespace) -> str:
    return describe(torch.device(args.device))


if __name__ == "__main__":
    sys.exit(main())
