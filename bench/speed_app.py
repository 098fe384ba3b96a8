"""bench/speed.py section 3: per-edit latency, GUI stalls and coalescing in the real app path
(Document -> window -> worker -> QImage on screen), each configuration in a fresh process."""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import torch
from speed_common import CLICK_PAUSE_S, edit_hints, percentile
from speed_gui import GuiProbe, close_window, make_window

SCRIPT = Path(__file__).with_name("speed.py")  # children run the bench's own command line


def app_edits(
    probe: GuiProbe,
    options: dict,
    side: int,
    edits: int,
    threads: int | None,
    quick: bool = True,
    request_side: int | None = None,
) -> dict:
    """Scripted single-patch edits, one at a time: edit -> first result on screen -> final one on screen."""
    window, engine = make_window(probe, options, side, request_side or side, threads, quick)
    shown: list[tuple[float, float]] = []  # (on screen, seconds the worker's colorize call took)
    # connected after the window's own slot, so this runs once the QImages are made
    engine.previewReady.connect(lambda r: shown.append((time.perf_counter(), r.seconds)))
    first, final, model, stalls, quick_runs = [], [], [], [], engine.worker.quick_runs
    for hint in edit_hints(side, edits, seed=side + 1):
        probe.sleep(CLICK_PAUSE_S)
        shown.clear()
        probe.start_ticking()
        start = time.perf_counter()
        window.document.paint([hint])
        probe.wait(lambda: engine.up_to_date, [engine.previewReady])
        stalls.append(probe.stop_ticking())
        first.append(shown[0][0] - start)
        final.append(shown[-1][0] - start)
        model.append(shown[-1][1])
    quick_runs = engine.worker.quick_runs - quick_runs
    close_window(window)
    return {
        "first_median_s": statistics.median(first),
        "final_median_s": statistics.median(final),
        "final_p90_s": percentile(final, 90),
        "first_p90_s": percentile(first, 90),
        "model_median_s": statistics.median(model),
        "stall_max_ms": max(stalls),
        "stall_median_ms": statistics.median(stalls),
        "quick_passes": quick_runs,
        "edits": edits,
    }


def coalescing(probe: GuiProbe, options: dict, side: int, threads: int | None) -> dict:
    """100 edits in 1 s (one every 10 ms, a fast drag): model runs, and whether the last edit is on screen."""
    window, engine = make_window(probe, options, side, side, threads, quick=True)
    hints = edit_hints(side, 100, seed=99)
    runs_before = engine.worker.runs
    probe.start_ticking()
    start = time.perf_counter()
    for hint in hints:
        window.document.paint([hint])
        probe.sleep(0.01)
    edits_done = time.perf_counter()
    probe.wait(lambda: engine.up_to_date, [engine.previewReady])
    settled = time.perf_counter()
    stall = probe.stop_ticking()
    runs = engine.worker.runs - runs_before
    torch.set_num_threads(1)  # measuring is over; keep the check off a second OpenMP team anyway
    colorizer = engine.worker._colorizer  # idle now: the worker is done
    expected = colorizer.colorize(window.document.lineart, window.document.hints, side)
    last_shown = bool(np.array_equal(window.preview.rgb, expected)) and engine.up_to_date
    close_window(window)
    return {
        "edits": len(hints),
        "edit_seconds": edits_done - start,
        "model_runs": runs,
        "last_edit_shown": last_shown,
        "settle_after_last_edit_s": settled - edits_done,
        "stall_max_ms": stall,
    }


def app_child(spec: dict) -> None:
    """One app-path measurement in this (fresh) process; prints its JSON row."""
    probe = GuiProbe()
    if spec["kind"] == "coalesce":
        row = coalescing(probe, spec["options"], spec["side"], spec["threads"])
    else:
        row = app_edits(
            probe,
            spec["options"],
            spec["side"],
            spec["edits"],
            spec["threads"],
            quick=spec["quick"],
            request_side=spec.get("request_side"),
        )
    print(json.dumps(row, default=float))


def run_app_child(spec: dict) -> dict:
    child = subprocess.run(
        [sys.executable, str(SCRIPT), "--app-child", json.dumps(spec)], capture_output=True, text=True
    )
    if child.returncode:
        raise RuntimeError(f"app-path child failed: {child.stderr[-2000:]}")
    return json.loads(child.stdout.strip().splitlines()[-1])


def app_section(args, threads_default: int) -> dict:
    """Each configuration in a fresh process, as the app runs: the model only ever on the worker thread."""
    side = 512
    out: dict = {}
    auto, full, fp32_full = {}, {"incremental": False}, {"precision": "fp32", "incremental": False}
    # (name, model options, threads, edits, progressive quick pass, document side, preview side)
    configs = [
        ("incremental, auto precision (app default)", auto, threads_default, args.edits, True, side, side),
        ("full recompute, auto precision", full, threads_default, args.edits // 3, True, side, side),
        (
            "full recompute, eager fp32, no quick pass (old app)",
            fp32_full,
            threads_default,
            args.edits // 5,
            False,
            side,
            side,
        ),
    ]
    if threads_default != 1:
        configs.append(("incremental, auto precision, 1 thread", auto, 1, args.edits, True, side, side))
    configs.append(
        ("preview at 256² (the quick pass alone)", auto, threads_default, args.edits, False, side, 256)
    )
    if not args.smoke:
        configs.append(
            (
                "incremental, auto precision, 1024² preview",
                auto,
                threads_default,
                args.edits // 5,
                True,
                1024,
                1024,
            )
        )
    print(f"\n## Per-edit latency in the app path at {side}²\n")
    print(
        "Document -> MainWindow -> worker -> QImage on screen (offscreen Qt), time from the edit; one "
        f"click every {CLICK_PAUSE_S} s; each row in a fresh process.\n"
    )
    print(
        "| configuration | threads | edits | first on screen, median | final, median | final, p90 "
        "| of which colorize() in the worker, median | quick passes | longest GUI stall |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name, options, threads, edits, progressive, doc_side, preview_side in configs:
        spec = {
            "kind": "edits",
            "options": options,
            "side": doc_side,
            "edits": max(3, edits),
            "threads": threads,
            "quick": progressive,
            "request_side": preview_side,
        }
        row = run_app_child(spec)
        out[name] = row
        print(
            f"| {name} | {threads} | {row['edits']} | {row['first_median_s']:.3f} s | "
            f"{row['final_median_s']:.3f} s | {row['final_p90_s']:.3f} s | {row['model_median_s']:.3f} s | "
            f"{row['quick_passes'] if progressive else '-'} | {row['stall_max_ms']:.1f} ms |"
        )
    out["quick pass at 256"] = out["preview at 256² (the quick pass alone)"]
    coalesce = run_app_child({"kind": "coalesce", "options": auto, "side": side, "threads": threads_default})
    out["coalescing"] = coalesce
    print(
        f"\n## Coalescing: {coalesce['edits']} edits in {coalesce['edit_seconds']:.2f} s at {side}²\n\n"
        f"model runs: {coalesce['model_runs']}; last edit shown: {coalesce['last_edit_shown']}; "
        f"final preview {coalesce['settle_after_last_edit_s']:.3f} s after the last edit; "
        f"longest GUI stall {coalesce['stall_max_ms']:.1f} ms"
    )
    return out
