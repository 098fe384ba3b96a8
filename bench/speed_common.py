"""bench/speed.py's shared pieces: the page and edits every section measures, timing, and the machine."""

from __future__ import annotations

import os
import platform
import resource
import statistics
import time
from collections.abc import Callable

import numpy as np
import torch

from linetint.model.hints import Hint, HintLayer, rasterize
from linetint.model.tensors import picture_tensor

CLICK_PAUSE_S = 0.3  # between scripted clicks: a brisk clicker, and longer than the worker's DRAG_GAP_S


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
