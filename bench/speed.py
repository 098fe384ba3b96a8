"""Preview speed of the `lite` model: network latency per numeric path, per-edit latency in the real app path,
GUI responsiveness, coalescing, FLOPs against the machine's GEMM rate, and peak memory of a 2048² export.

    .venv/bin/python bench/speed.py            # the full run (~5 min on 2 cores); last line is JSON
    .venv/bin/python bench/speed.py --smoke    # a fast check that every section runs

Random `lite` weights (model/checkpoint.py random_checkpoint): speed does not depend on training. Eager
fp32 (no incremental encoding) is the baseline and is measured in the same run as everything else.
Goals (issue 7) are checked on the figures of this run; docs/performance.md records a run.

The sections live beside it: speed_common.py (the page, edits, timing, the machine), speed_network.py
(sections 1-2: network latency, FLOPs), speed_gui.py and speed_app.py (section 3: the real app path),
speed_memory.py (section 4: export memory).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import json

import torch
from speed_app import app_child, app_section
from speed_common import Interference, machine
from speed_memory import memory_section, peak_memory_child
from speed_network import flops_section, network_latency

from linetint.model.devices import cpu_has_fast_bf16, keep_freed_memory

GOALS = {
    "edit_512_median_s": 0.25,
    "edit_512_speedup_vs_eager_fp32": 5.0,
    "quick_256_median_s": 0.10,
    "stall_max_ms": 30.0,
    "coalesce_runs": 5,
    "export_2048_peak_gib": 6.0,
}


# --------------------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--smoke", action="store_true", help="fewer repeats and sizes: checks the script runs"
    )
    parser.add_argument("--edits", type=int, default=50, help="scripted edits per app-path configuration")
    parser.add_argument(
        "--threads", type=int, default=None, help="torch threads (default: what the app uses)"
    )
    parser.add_argument("--peak-memory-child", metavar="PRECISION", help=argparse.SUPPRESS)
    parser.add_argument("--app-child", metavar="SPEC", help=argparse.SUPPRESS)
    args = parser.parse_args()

    from linetint.app.worker import model_threads

    threads = args.threads or model_threads()
    torch.set_num_threads(threads)
    keep_freed_memory()  # as the app's worker does: every path below runs with the same allocator
    if args.peak_memory_child:
        peak_memory_child(args.peak_memory_child)
        return
    if args.app_child:
        app_child(json.loads(args.app_child))
        return
    if args.smoke:
        args.edits = min(args.edits, 6)
    sides = [256, 512] if args.smoke else [256, 512, 1024]
    repeats = {256: 5, 512: 5, 1024: 3} if not args.smoke else {256: 1, 512: 1}

    interference = Interference()
    started = datetime.datetime.now().astimezone()
    print(
        f"# bench/speed.py — {started:%Y-%m-%d %H:%M %Z}\n\nmachine: {machine()}; torch threads: {threads}; "
        f"native bf16: {cpu_has_fast_bf16()}"
    )
    latency = network_latency(sides, repeats, edits=7 if not args.smoke else 2)
    flops = flops_section(latency)
    app = app_section(args, threads)
    memory = memory_section(threads) if not args.smoke else {}

    eager = latency["eager fp32 (baseline) @512"]["seconds"]
    edit = app["incremental, auto precision (app default)"]
    old_app = app["full recompute, eager fp32, no quick pass (old app)"]
    figures = {
        "edit_512_median_s": edit["final_median_s"],
        "edit_512_p90_s": edit["final_p90_s"],
        # like for like: both through the app path (the goal); and against the bare eager network pass
        "edit_512_speedup_vs_eager_fp32": old_app["final_median_s"] / edit["final_median_s"],
        "edit_512_speedup_vs_eager_network_only": eager / edit["final_median_s"],
        "quick_256_median_s": app["quick pass at 256"]["final_median_s"],
        "stall_max_ms": max(v["stall_max_ms"] for k, v in app.items() if "1 thread" not in k),
        "coalesce_runs": app["coalescing"]["model_runs"],
        "coalesce_last_shown": app["coalescing"]["last_edit_shown"],
        "export_2048_peak_gib": memory.get("auto", {}).get("peak_gib"),
    }
    met: dict[str, bool | None] = {
        "edit_512_median_s": figures["edit_512_median_s"] <= GOALS["edit_512_median_s"],
        "edit_512_speedup_vs_eager_fp32": figures["edit_512_speedup_vs_eager_fp32"]
        >= GOALS["edit_512_speedup_vs_eager_fp32"],
        "quick_256_median_s": figures["quick_256_median_s"] <= GOALS["quick_256_median_s"],
        "stall_max_ms": figures["stall_max_ms"] <= GOALS["stall_max_ms"],
        "coalesce": figures["coalesce_runs"] <= GOALS["coalesce_runs"] and figures["coalesce_last_shown"],
        "export_2048_peak_gib": None
        if figures["export_2048_peak_gib"] is None
        else figures["export_2048_peak_gib"] <= GOALS["export_2048_peak_gib"],
    }
    met = {k: None if v is None else bool(v) for k, v in met.items()}
    others = interference.share()
    if others is not None:
        print(f"\nOther processes used {others:.0%} of the machine's CPU during this run", end="")
        print(" (timings disturbed: rerun on a quiet machine)" if others > 0.05 else " (quiet enough).")
    print("\n## Goals\n")
    for key, ok in met.items():
        print(f"- {key}: {'met' if ok else 'not measured' if ok is None else 'MISSED'}")
    headline = {
        "date": started.isoformat(timespec="minutes"),
        "machine": machine(),
        "threads": threads,
        "eager_fp32_512_s": eager,
        **{k: (round(v, 4) if isinstance(v, float) else v) for k, v in figures.items()},
        "latency_512_s": {
            k.removesuffix(" @512"): round(v["seconds"], 4) for k, v in latency.items() if k.endswith("@512")
        },
        "gflop_full_512": round(flops["full_request_gflop"], 1),
        "gflop_edit_512": round(flops["edit_request_gflop"], 1),
        "gemm_gflops": {k: round(v) for k, v in flops["gemm_gflops"].items()},
        "goals_met": met,
        "other_processes_cpu_share": None if others is None else round(others, 3),
        "smoke": args.smoke,
    }
    print(json.dumps(headline))


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        main()
