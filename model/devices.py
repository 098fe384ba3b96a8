"""Choosing where and in what precision the network runs."""

from __future__ import annotations

import contextlib
import ctypes
import functools
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import torch

DEVICE_CHOICES = ("auto", "cpu", "cuda", "mps")
PRECISION_CHOICES = ("auto", "fp32", "bf16", "fp16")

# A bf16 convolution differs from fp32 by a few parts in a thousand (8 mantissa bits); a CPU whose result
# is further off than this emulates bf16 badly and gets fp32 instead.
BF16_PROBE_TOLERANCE = 0.02


class DeviceError(ValueError):
    """The requested device is not available on this machine."""


class PrecisionError(DeviceError):
    """The requested precision does not run (well) on the chosen device."""


def pick_device(choice: str = "auto") -> torch.device:
    """`auto` = CUDA, then Apple MPS, then CPU; an explicit choice that is unavailable is an error."""
    if choice not in DEVICE_CHOICES:
        raise DeviceError(f"unknown device {choice!r}; choose one of {', '.join(DEVICE_CHOICES)}")
    cuda = torch.cuda.is_available()
    mps = getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available()
    if choice == "auto":
        return torch.device("cuda" if cuda else "mps" if mps else "cpu")
    if (choice == "cuda" and not cuda) or (choice == "mps" and not mps):
        raise DeviceError(f"{choice.upper()} was asked for but is not available on this machine")
    return torch.device(choice)


def _cpu_flags() -> set[str]:
    """The CPU feature flags Linux reports; empty elsewhere (other systems are asked through oneDNN)."""
    try:
        text = Path("/proc/cpuinfo").read_text(errors="replace")
    except OSError:
        return set()
    for line in text.splitlines():
        if line.startswith(("flags", "Features")):
            return set(line.split(":", 1)[1].split())
    return set()


def _bf16_probe() -> bool:
    """One small bf16 convolution against fp32: catches builds whose bf16 kernels are broken or absent."""
    generator = torch.Generator().manual_seed(0)
    x = torch.randn(1, 32, 24, 24, generator=generator)
    w = torch.randn(32, 32, 3, 3, generator=generator) / 17
    with torch.inference_mode():
        reference = torch.nn.functional.conv2d(x, w, padding=1)
        try:
            with torch.autocast("cpu", dtype=torch.bfloat16):
                fast = torch.nn.functional.conv2d(x, w, padding=1)
        except RuntimeError:
            return False
    if fast.dtype != torch.bfloat16:
        return False
    error = (fast.float() - reference).abs().max() / reference.abs().max()
    return bool(error <= BF16_PROBE_TOLERANCE)


@functools.cache
def cpu_has_fast_bf16() -> bool:
    """True when this CPU multiplies bf16 natively (AVX512-BF16, AMX, Arm BF16) and torch gets it right.

    Without native instructions oneDNN emulates bf16 and is slower than fp32, so `auto` must not pick it.
    """
    if not torch.backends.mkldnn.is_available():
        return False
    flags = _cpu_flags()
    if flags:
        native = bool(flags & {"avx512_bf16", "amx_bf16", "bf16"})  # x86 / x86 / Arm ("Features")
    else:  # macOS, Windows: oneDNN knows the ISA
        checker = getattr(torch.ops.mkldnn, "_is_mkldnn_bf16_supported", None)
        native = bool(checker()) if checker is not None else False
    return native and _bf16_probe()


@dataclass(frozen=True)
class Precision:
    """What the network computes in: `dtype` None is full fp32; otherwise autocast to it."""

    name: str  # "fp32", "bf16" or "fp16"
    dtype: torch.dtype | None
    notice: str = ""  # set when the requested precision was replaced; the app shows it


_DTYPES = {"fp32": None, "bf16": torch.bfloat16, "fp16": torch.float16}


def _unsupported_reason(name: str, device: torch.device) -> str | None:
    """Why `name` cannot run on `device`, or None when it can."""
    if name == "fp32":
        return None
    if device.type == "cuda":
        if name == "bf16" and not torch.cuda.is_bf16_supported():
            return "this GPU has no bf16 support"
        return None
    if device.type == "cpu":
        if name == "fp16":
            return "fp16 is for GPUs; on the CPU use bf16 (where supported) or fp32"
        if not cpu_has_fast_bf16():
            return "this CPU has no native bf16 instructions (AVX512-BF16, AMX or Arm BF16)"
        return None
    # Apple MPS and anything else: untested here, so only full precision is offered.
    return f"only fp32 is supported on {describe(device)}"


def auto_precision(device: torch.device) -> str:
    """fp16 on CUDA, bf16 on CPUs that multiply it natively, fp32 elsewhere."""
    if device.type == "cuda":
        return "fp16"
    if device.type == "cpu" and cpu_has_fast_bf16():
        return "bf16"
    return "fp32"


def choose_precision(choice: str, device: torch.device, fallback: bool = False) -> Precision:
    """Resolve a `PRECISION_CHOICES` entry for `device`.

    An unsupported explicit choice raises PrecisionError, or with `fallback` (the app, which must keep
    working) gives the automatic choice with a `notice` saying what happened.
    """
    if choice not in PRECISION_CHOICES:
        raise PrecisionError(f"unknown precision {choice!r}; choose one of {', '.join(PRECISION_CHOICES)}")
    name = auto_precision(device) if choice == "auto" else choice
    reason = _unsupported_reason(name, device)
    if reason is None:
        return Precision(name, _DTYPES[name])
    if not fallback:
        raise PrecisionError(f"{name} cannot run on {describe(device)}: {reason}")
    auto = auto_precision(device)
    return Precision(auto, _DTYPES[auto], notice=f"{name} is not available ({reason}); using {auto}")


def describe(device: torch.device) -> str:
    if device.type == "cuda":
        return f"CUDA ({torch.cuda.get_device_name(device)})"
    return {"mps": "Apple GPU (MPS)", "cpu": "CPU"}.get(device.type, device.type)


# glibc mallopt parameters (malloc.h) and the default of M_MMAP_MAX
_M_TRIM_THRESHOLD, _M_MMAP_MAX = -1, -4
_DEFAULT_MMAP_MAX = 65536


@functools.cache
def _glibc() -> ctypes.CDLL | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(None)
    except OSError:
        return None
    # musl and others lack this, and their malloc has none of glibc's knobs.
    return libc if hasattr(libc, "gnu_get_libc_version") else None


def keep_freed_memory() -> bool:
    """Ask glibc to keep freed memory for reuse instead of handing it back to the kernel after every run.

    By default each large tensor is a fresh mmap that the kernel zero-fills page by page on first touch:
    a 1024² pass takes ~460 000 page faults and 0.8 s of system time on a 2-core VM, a 512² pass ~45 000.
    With mmap off and a high trim threshold the next run reuses the same pages (10x fewer faults, measured
    in docs/performance.md); the price is that the process keeps its peak heap, so one-off big runs go
    through `returning_freed_memory`. For long-lived processes (the app's worker); no-op off glibc.
    """
    libc = _glibc()
    if libc is None:
        return False
    return bool(libc.mallopt(_M_MMAP_MAX, 0)) and bool(libc.mallopt(_M_TRIM_THRESHOLD, 2**31 - 1))


def trim_freed_memory() -> None:
    """Hand the heap's free memory back to the kernel now, so resident memory counts only live objects
    (the soak test's before/after); no-op off glibc."""
    libc = _glibc()
    if libc is not None:
        libc.malloc_trim(0)


@contextlib.contextmanager
def returning_freed_memory() -> Iterator[None]:
    """One big run (a full-resolution export) with glibc's default of mmap for big blocks.

    Inside `keep_freed_memory` a 2048² export would grow a fragmented heap that the process then keeps
    (measured: peak 4.7 GiB instead of 2.7 GiB in fp32); here its tensors go back to the kernel as they
    are freed, the previews' free heap is returned first and after, and reuse resumes afterwards.
    """
    libc = _glibc()
    if libc is None:
        yield
        return
    trim_freed_memory()
    libc.mallopt(_M_MMAP_MAX, _DEFAULT_MMAP_MAX)
    try:
        yield
    finally:
        trim_freed_memory()
        keep_freed_memory()
