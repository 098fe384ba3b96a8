"""Preview speed of the `lite` model: network latency per numeric path, per-edit latency in the real app path,
GUI responsiveness, coalescing, FLOPs against the machine's GEMM rate, and peak memory of a 2048² export.

    .venv/bin/python bench/speed.py            # the full run (~5 min on 2 cores); last line is JSON
    .venv/bin/python bench/speed.py --smoke    # a fast check that every section runs

Random `lite` weights (model/checkpoint.py random_checkpoint): speed does not depend on training. Eager
fp32 (no incremental encoding) is the baseline and is measured in the same run as everything else.
Goals (issue 7) are checked on the figures of this run; docs/performance.md records a run.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import datetime
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch.utils.flop_counter import FlopCounterMode

from linetint.model.checkpoint import random_checkpoint
from linetint.model.colorizer import Colorizer
from linetint.model.config import preset
from linetint.model.devices import cpu_has_fast_bf16, keep_freed_memory, returning_freed_memory
from linetint.model.generator import run_padding
from linetint.model.hints import Hint, HintLayer, rasterize
from linetint.model.incremental import IncrementalHintEncoder
from linetint.model.tensors import picture_tensor

CLICK_PAUSE_S = 0.3  # between scripted clicks: a brisk clicker, and longer than the worker's DRAG_GAP_S

GOALS = {
    "edit_512_median_s": 0.25,
    "edit_512_speedup_vs_eager_fp32": 5.0,
    "quick_256_median_s": 0.10,
    "stall_max_ms": 30.0,
    "coalesce_runs": 5,
    "export_2048_peak_gib": 6.0,
}


# --------------------------------------------------------------------------------------------------------
# helpers


def timed(fn: Callable[[], object], repeats: int) -> float:
    """Median seconds of `repeats` calls after one warm-up call (oneDNN builds its kernels on the first)."""
    fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def lineart_array(side: int) -> np.ndarray:
    """A white page with a grid of black strokes: content does not change speed, only size does."""
    grey = np.full((side, side), 255, np.uint8)
    for k in range(8, side, 37):
        grey[k : k + 2, :] = 0
        grey[:, (k * 3) % side : (k * 3) % side + 2] = 0
    return grey


def edit_hints(side: int, count: int, seed: int = 0) -> list[Hint]:
    """`count` single-patch edits at random places, sizes and colours: one new patch per edit."""
    rng = np.random.default_rng(seed)
    return [
        Hint(
            int(rng.integers(side - 8)),
            int(rng.integers(side - 8)),
            int(rng.integers(2, 9)),
            tuple(int(c) for c in rng.integers(0, 256, 3)),
        )
        for _ in range(count)
    ]


def tensors(side: int, hints: list[Hint]) -> tuple[torch.Tensor, torch.Tensor]:
    lineart = picture_tensor(lineart_array(side))[None]
    raster = torch.from_numpy(rasterize(HintLayer(side, side, tuple(hints)), side, side))[None]
    return lineart, raster


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q))


class Interference:
    """CPU time other processes took while the bench ran: timings are only meaningful when it is small."""

    def __init__(self) -> None:
        self.start = (self._busy_seconds(), self._own_seconds(), time.perf_counter())

    @staticmethod
    def _busy_seconds() -> float:
        with open("/proc/stat") as f:
            fields = [int(v) for v in f.readline().split()[1:]]
        idle = fields[3] + fields[4]  # idle + iowait
        return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")

    @staticmethod
    def _own_seconds() -> float:
        own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime

    def share(self) -> float | None:
        """Other processes' CPU time as a share of the machine's capacity since construction."""
        try:
            busy, own, now = self._busy_seconds(), self._own_seconds(), time.perf_counter()
        except OSError:
            return None
        other = (busy - self.start[0]) - (own - self.start[1])
        return max(0.0, other) / ((now - self.start[2]) * (os.cpu_count() or 1))


def machine() -> str:
    name = platform.processor() or platform.machine()
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                name = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{name}, {os.cpu_count()} cores, {memory:.0f} GiB, torch {torch.__version__}"


# --------------------------------------------------------------------------------------------------------
# 1. network latency per numeric path


@dataclass
class Path:
    name: str
    run: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


def vgg_channels_last(generator: torch.nn.Module) -> torch.nn.Module:
    """What Colorizer does: only the wide VGG convs run channels_last."""
    generator.hint_encoder.to(memory_format=torch.channels_last)
    return generator


def numeric_paths(g32: torch.nn.Module) -> list[Path]:
    """Every way we considered to run the same weights; the first is the baseline."""
    cl = torch.channels_last
    g32cl = copy.deepcopy(g32).to(memory_format=cl)
    gbf = copy.deepcopy(g32).to(torch.bfloat16)
    gbfcl = copy.deepcopy(gbf).to(memory_format=cl)
    gapp = vgg_channels_last(copy.deepcopy(gbf))

    def autocast(model, channels_last=False):
        def run(lineart, hints):
            if channels_last:
                lineart, hints = lineart.contiguous(memory_format=cl), hints.contiguous(memory_format=cl)
            with torch.autocast("cpu", dtype=torch.bfloat16):
                return model(lineart, hints)

        return run

    paths = [
        Path("eager fp32 (baseline)", lambda la, h: g32(la, h)),
        Path(
            "fp32 channels_last",
            lambda la, h: g32cl(la.contiguous(memory_format=cl), h.contiguous(memory_format=cl)),
        ),
    ]
    if cpu_has_fast_bf16():
        paths += [
            Path("bf16 autocast", autocast(g32)),
            Path("bf16 autocast + channels_last", autocast(g32cl, channels_last=True)),
            Path("bf16 weights", lambda la, h: gbf(la.bfloat16(), h.bfloat16())),
            Path(
                "bf16 weights + channels_last",
                lambda la, h: gbfcl(
                    la.bfloat16().contiguous(memory_format=cl), h.bfloat16().contiguous(memory_format=cl)
                ),
            ),
            Path("bf16 weights, VGG channels_last (app)", lambda la, h: gapp(la.bfloat16(), h.bfloat16())),
        ]
    return paths


def incremental_edit_latency(
    generator: torch.nn.Module, side: int, dtype: torch.dtype, edits: int, pause: float = 0.0
) -> tuple[float, torch.Tensor, list[Hint]]:
    """Median seconds of one single-patch edit with the incremental encoder (cache primed first), each
    after `pause` seconds of idleness (as between a user's clicks)."""
    encoder = IncrementalHintEncoder(generator.hint_encoder)
    lineart, _ = tensors(side, [])
    lineart = lineart.to(dtype)
    hints: list[Hint] = []
    times, out = [], None
    for n, hint in enumerate(edit_hints(side, edits + 1, seed=side)):
        hints.append(hint)
        _, raster = tensors(side, hints)
        raster = raster.to(dtype)
        time.sleep(pause)
        start = time.perf_counter()
        padded = F.pad(raster, run_padding(side, side))
        out = generator(lineart, raster, hint_features=encoder.encode(padded))
        if n:  # the first encodes the whole (new) size
            times.append(time.perf_counter() - start)
    return statistics.median(times), out, hints


def network_latency(sides: list[int], repeats: dict[int, int], edits: int) -> dict:
    torch.manual_seed(0)
    g32 = random_checkpoint(preset("lite")).build_generator()
    paths = numeric_paths(g32)
    g32app = vgg_channels_last(copy.deepcopy(g32))
    gbf = vgg_channels_last(copy.deepcopy(g32).to(torch.bfloat16)) if cpu_has_fast_bf16() else None
    rows, table = {}, []
    for side in sides:
        lineart, raster = tensors(side, edit_hints(side, 12))
        base_time, base_out = None, None
        for path in paths:
            with torch.inference_mode():
                seconds = timed(lambda p=path, la=lineart, h=raster: p.run(la, h), repeats[side])
                out = path.run(lineart, raster).float()
            if base_out is None:
                base_time, base_out = seconds, out
            delta = float((out - base_out).abs().max())
            rows[f"{path.name} @{side}"] = {
                "seconds": seconds,
                "ratio": base_time / seconds,
                "max_abs_delta": delta,
            }
            table.append((side, path.name, seconds, base_time / seconds, delta))
        variants = [
            ("fp32 + incremental edit", g32app, torch.float32, 0.0),
            ("bf16 + incremental edit (app)", gbf, torch.bfloat16, 0.0),
        ]
        if side == 512:  # the app path's clicks come after idle moments; this is what idling costs
            variants.append(
                (
                    f"bf16 + incremental edit, {CLICK_PAUSE_S} s idle before each",
                    gbf,
                    torch.bfloat16,
                    CLICK_PAUSE_S,
                )
            )
        for name, model, dtype, pause in variants:
            if model is None:
                continue
            with torch.inference_mode():
                seconds, out, hints = incremental_edit_latency(model, side, dtype, edits, pause)
                reference = g32(*tensors(side, hints)).float()
            delta = float((out.float() - reference).abs().max())
            rows[f"{name} @{side}"] = {
                "seconds": seconds,
                "ratio": base_time / seconds,
                "max_abs_delta": delta,
            }
            table.append((side, name, seconds, base_time / seconds, delta))
    print("\n## Network latency (lite, random weights, generator forward; median)\n")
    print("| size | path | seconds | × eager fp32 | max abs Δ vs fp32 (output in [-1, 1]) |")
    print("| ---: | --- | ---: | ---: | ---: |")
    for side, name, seconds, ratio, delta in table:
        print(f"| {side}² | {name} | {seconds:.3f} | {ratio:.2f} | {delta:.4f} |")
    return rows


# --------------------------------------------------------------------------------------------------------
# 2. FLOPs and the GEMM floor


def gemm_rate(dtype: torch.dtype, n: int = 2048, repeats: int = 5) -> dict[str, float]:
    """GFLOP/s of an n³ matrix product two ways: torch.matmul (the BLAS torch was built with) and the same
    product as a 1x1 convolution (oneDNN, which runs the network's convs). The faster is the floor."""
    a, b = torch.randn(n, n, dtype=dtype), torch.randn(n, n, dtype=dtype)
    image = a.reshape(1, n, 32, n // 32)  # n channels x n pixels
    weight = b.reshape(n, n, 1, 1)
    with torch.inference_mode():
        matmul = timed(lambda: a @ b, repeats)
        conv = timed(lambda: F.conv2d(image, weight), repeats)
    return {"matmul": 2 * n**3 / matmul / 1e9, "conv1x1": 2 * n**3 / conv / 1e9}


def count_flops(fn: Callable[[], object]) -> int:
    with FlopCounterMode(display=False) as counter:
        fn()
    return counter.get_total_flops()


def flops_section(latency: dict) -> dict:
    torch.manual_seed(0)
    side = 512
    fast = cpu_has_fast_bf16()
    full = Colorizer.untrained("lite", "cpu", precision="fp32", incremental=False)
    app = Colorizer.untrained("lite", "cpu", precision="auto")
    grey = lineart_array(side)
    hints = edit_hints(side, 13, seed=5)
    with torch.inference_mode():
        full_flops = count_flops(lambda: full.run(grey, rasterize(HintLayer(side, side, tuple(hints)))))
        app.run(grey, rasterize(HintLayer(side, side, tuple(hints[:-1]))))  # prime the cache
        edit_flops = count_flops(lambda: app.run(grey, rasterize(HintLayer(side, side, tuple(hints)))))
    gemms = {"fp32": gemm_rate(torch.float32)}
    if fast:
        gemms["bf16"] = gemm_rate(torch.bfloat16)
    rates = {name: max(ways.values()) for name, ways in gemms.items()}
    app_key = "bf16 + incremental edit (app) @512" if fast else "fp32 + incremental edit @512"
    full_seconds = latency["eager fp32 (baseline) @512"]["seconds"]
    edit_seconds = latency[app_key]["seconds"]
    app_rate = rates["bf16" if fast else "fp32"]
    result = {
        "full_request_gflop": full_flops / 1e9,
        "edit_request_gflop": edit_flops / 1e9,
        "gemm_gflops": rates,
        "gemm_detail": gemms,
        "eager_fp32_achieved_gflops": full_flops / full_seconds / 1e9,
        "edit_achieved_gflops": edit_flops / edit_seconds / 1e9,
    }
    print("\n## FLOPs per request at 512² and achieved rate (torch FlopCounterMode; 1 MAC = 2 FLOP)\n")
    print("| request | GFLOP | seconds | GFLOP/s | of the GEMM rate |")
    print("| --- | ---: | ---: | ---: | ---: |")
    eager_rate = result["eager_fp32_achieved_gflops"]
    print(
        f"| full, eager fp32 | {full_flops / 1e9:.1f} | {full_seconds:.3f} | "
        f"{eager_rate:.0f} | {eager_rate / rates['fp32']:.0%} (fp32) |"
    )
    print(
        f"| one edit, app path ({app_key.split(' @')[0]}) | {edit_flops / 1e9:.1f} | {edit_seconds:.3f} | "
        f"{result['edit_achieved_gflops']:.0f} | {result['edit_achieved_gflops'] / app_rate:.0%} |"
    )
    print("\nGEMM rate, 2048³ product, same threads (the floor is the faster of the two ways):\n")
    print("| dtype | torch.matmul (BLAS) | 1x1 conv (oneDNN) |")
    print("| --- | ---: | ---: |")
    for name, ways in gemms.items():
        print(f"| {name} | {ways['matmul']:.0f} GFLOP/s | {ways['conv1x1']:.0f} GFLOP/s |")
    return result


# --------------------------------------------------------------------------------------------------------
# 3. the real app path: Document -> window -> worker -> QImage on screen


def _quiet_offscreen(mode, context, message: str) -> None:
    if "propagateSizeHints" not in message:  # the offscreen platform's chatter, once per window
        print(message, file=sys.stderr)


class GuiProbe:
    """Owns the QApplication and a 5 ms QTimer whose tick gaps measure event-loop stalls."""

    def __init__(self) -> None:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        from PySide6.QtCore import QEventLoop, Qt, QTimer, qInstallMessageHandler
        from PySide6.QtWidgets import QApplication

        self.QEventLoop, self.QTimer = QEventLoop, QTimer
        self.app = QApplication.instance() or QApplication([])
        qInstallMessageHandler(_quiet_offscreen)
        self.ticker = QTimer()
        self.ticker.setTimerType(Qt.TimerType.PreciseTimer)
        self.ticker.setInterval(5)
        self.ticker.timeout.connect(self._tick)
        self.ticks: list[float] = []

    def _tick(self) -> None:
        self.ticks.append(time.perf_counter())

    def start_ticking(self) -> None:
        self.ticks = [time.perf_counter()]
        self.ticker.start()

    def stop_ticking(self) -> float:
        """Longest gap between ticks, in ms, since `start_ticking`."""
        self.ticker.stop()
        self.ticks.append(time.perf_counter())
        return max(np.diff(self.ticks)) * 1000 if len(self.ticks) > 1 else 0.0

    def wait(self, done: Callable[[], bool], signals: list, timeout_s: float = 120.0) -> None:
        """Run the event loop until `done()`, checked whenever one of `signals` fires."""
        if done():
            return
        loop = self.QEventLoop()

        def check(*_):
            if done():
                loop.quit()

        for signal in signals:
            signal.connect(check)
        guard = self.QTimer(singleShot=True, interval=int(timeout_s * 1000))
        guard.timeout.connect(loop.quit)
        guard.start()
        loop.exec()
        for signal in signals:
            signal.disconnect(check)
        if not done():
            raise TimeoutError("the preview did not arrive")

    def sleep(self, seconds: float) -> None:
        loop = self.QEventLoop()
        self.QTimer.singleShot(int(seconds * 1000), loop.quit)
        loop.exec()


def lite_colorizer(options: dict) -> Colorizer:
    torch.manual_seed(0)
    return Colorizer.untrained("lite", "cpu", **options)


def make_window(
    probe: GuiProbe, options: dict, side: int, preview_side: int, threads: int | None, quick: bool
):
    """The app's window and worker, the model built in the worker thread as the app does: then this process
    has one OpenMP thread team (a second team, from torch work on the GUI thread, makes libgomp stop
    spinning at barriers because threads outnumber cores: ~25 % slower previews, measured)."""
    from linetint.app.document import Document
    from linetint.app.settings import AppSettings
    from linetint.app.window import MainWindow
    from linetint.app.worker import QUICK_SIDE, PreviewEngine

    engine = PreviewEngine(
        loader=lambda choice: lite_colorizer(options),
        threads=threads,
        quick_side=QUICK_SIDE if quick else None,
    )
    window = MainWindow(AppSettings(device="cpu", preview_max_side=preview_side), engine, autosave=None)
    window.resize(1000, 700)
    window.show()
    probe.wait(lambda: window.model_info is not None, [engine.modelLoaded])
    window.set_document(Document(lineart_array(side)))
    probe.wait(lambda: engine.up_to_date, [engine.previewReady])
    return window, engine


def close_window(window) -> None:
    window.document.undo_stack.setClean()
    window.close()
    window.engine.shutdown()


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
        [sys.executable, __file__, "--app-child", json.dumps(spec)], capture_output=True, text=True
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


# --------------------------------------------------------------------------------------------------------
# 4. peak memory of a full-resolution 2048² export, each in a fresh process


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
                [sys.executable, __file__, "--peak-memory-child", precision, "--threads", str(threads)],
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
