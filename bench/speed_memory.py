"""bench/speed.py section 4: peak memory of a full-resolution 2048² export, each run in a fresh process."""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import torch
from speed_common import edit_hints, lineart_array

from linetint.model.colorizer import Colorizer
from linetint.model.devices import returning_freed_memory
from linetint.model.hints import HintLayer

SCRIPT = Path(__file__).with_name("speed.py")  # children run the bench's own command line


def peak_memory_child(precision: str) -> None:
    """As in the app: a few 1024² previews of the 2048² line art, then the export, as the worker runs it."""
    torch.manual_seed(0)
    colorizer = Colorizer.untrained("lite", "cpu", precision=precision)
    grey = lineart_array(2048)
    hints = edit_hints(2048, 50)
    for n in (48, 49, 50):
        colorizer.colorize(grey, HintLayer(2048, 2048, tuple(hints[:n])), max_side=1024)
    previews_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    with returning_freed_memory():
        rgb = colorizer.colorize(grey, HintLayer(2048, 2048, tuple(hints)), max_side=2048)
    seconds = time.perf_counter() - start
    assert rgb.shape == (2048, 2048, 3)
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    row = {"precision": colorizer.info.precision, "peak_gib": peak_kib / 2**20, "seconds": seconds}
    print(json.dumps({**row, "previews_peak_gib": previews_kib / 2**20}))


def memory_section(threads: int, runs: int = 2) -> dict:
    print("\n## Peak memory: exporting a 2048² line art at full resolution (max_side=2048)\n")
    print(
        f"A fresh process each ({runs} per precision; the peak varies with how glibc's heap fragments): "
        "three 1024² previews, then the export, as the app's worker runs them.\n"
    )
    print("| precision | peak RSS, worst run | each run | peak after the previews | export seconds |")
    print("| --- | ---: | ---: | ---: | ---: |")
    out = {}
    for precision in ("auto", "fp32"):
        rows = []
        for _ in range(runs):
            child = subprocess.run(
                [sys.executable, str(SCRIPT), "--peak-memory-child", precision, "--threads", str(threads)],
                capture_output=True,
                text=True,
                check=True,
            )
            rows.append(json.loads(child.stdout.strip().splitlines()[-1]))
        worst = max(rows, key=lambda r: r["peak_gib"])
        out[precision] = {**worst, "runs_gib": [r["peak_gib"] for r in rows]}
        each = ", ".join(f"{r['peak_gib']:.2f}" for r in rows)
        print(
            f"| {precision} ({worst['precision']}) | {worst['peak_gib']:.2f} GiB | {each} GiB | "
            f"{worst['previews_peak_gib']:.2f} GiB | {worst['seconds']:.1f} |"
        )
    return out
