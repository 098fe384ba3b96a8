"""bench/speed.py sections 1 and 2: the generator's latency along every numeric path considered (and
with incremental hint encoding), and its FLOPs against the machine's GEMM rate."""

from __future__ import annotations

import copy
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from speed_common import CLICK_PAUSE_S, edit_hints, lineart_array, tensors, timed
from torch.utils.flop_counter import FlopCounterMode

from linetint.model.checkpoint import random_checkpoint
from linetint.model.colorizer import Colorizer
from linetint.model.config import preset
from linetint.model.devices import cpu_has_fast_bf16
from linetint.model.generator import run_padding
from linetint.model.hints import Hint, HintLayer, rasterize
from linetint.model.incremental import IncrementalHintEncoder

# --------------------------------------------------------------------------------------------------------
# 1. network latency per numeric path


@dataclass
class NumericPath:
    name: str
    run: Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


def vgg_channels_last(generator: torch.nn.Module) -> torch.nn.Module:
    """What Colorizer does: only the wide VGG convs run channels_last."""
    generator.hint_encoder.to(memory_format=torch.channels_last)
    return generator


def numeric_paths(g32: torch.nn.Module) -> list[NumericPath]:
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
        NumericPath("eager fp32 (baseline)", lambda la, h: g32(la, h)),
        NumericPath(
            "fp32 channels_last",
            lambda la, h: g32cl(la.contiguous(memory_format=cl), h.contiguous(memory_format=cl)),
        ),
    ]
    if cpu_has_fast_bf16():
        paths += [
            NumericPath("bf16 autocast", autocast(g32)),
            NumericPath("bf16 autocast + channels_last", autocast(g32cl, channels_last=True)),
            NumericPath("bf16 weights", lambda la, h: gbf(la.bfloat16(), h.bfloat16())),
            NumericPath(
                "bf16 weights + channels_last",
                lambda la, h: gbfcl(
                    la.bfloat16().contiguous(memory_format=cl), h.bfloat16().contiguous(memory_format=cl)
                ),
            ),
            NumericPath(
                "bf16 weights, VGG channels_last (app)", lambda la, h: gapp(la.bfloat16(), h.bfloat16())
            ),
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
