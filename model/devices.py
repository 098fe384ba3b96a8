"""Choosing where and in what precision the network runs."""

from __future__ import annotations

import torch

DEVICE_CHOICES = ("auto", "cpu", "cuda", "mps")


class DeviceError(ValueError):
    """The requested device is not available on this machine."""


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


def autocast_dtype(device: torch.device) -> torch.dtype | None:
    """fp16 autocast on CUDA; full precision elsewhere (bf16 on CPU comes with the speed work)."""
    return torch.float16 if device.type == "cuda" else None


def describe(device: torch.device) -> str:
    if device.type == "cuda":
        return f"CUDA ({torch.cuda.get_device_name(device)})"
    return {"mps": "Apple GPU (MPS)", "cpu": "CPU"}.get(device.type, device.type)
