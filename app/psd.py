"""Layered Photoshop (.psd) export: the format Clip Studio Paint, Photoshop, Affinity, Procreate and Krita
all open with their layers.

Written from Adobe's "Photoshop File Formats Specification" (PSD version 1, 8-bit RGB): header, empty
colour-mode and image-resource sections, the layer section (one record per layer, bottom layer first,
each with red, green, blue and alpha channels stored uncompressed), an empty global layer mask, and the
merged picture for readers that show only that. Uncompressed keeps the writer short and exact; a page of
8.7 megapixels with four layers is about 170 MB, which every reader handles.
"""

from __future__ import annotations

import os
import struct
from dataclasses import dataclass
from typing import BinaryIO

import numpy as np

from linetint.model.atomic import atomic_write

MAX_PSD_SIDE = 30_000  # PSD (not PSB) limit on either side


@dataclass(frozen=True)
class PsdLayer:
    name: str  # ASCII; others become "?"
    rgba: np.ndarray  # uint8 (H, W, 4), straight alpha, at the picture's size
    visible: bool = True
    blend: bytes = b"norm"  # Photoshop's four-letter blend key: b"norm", b"mul ", ...


def write_psd(file: BinaryIO, layers: list[PsdLayer], merged: np.ndarray) -> None:
    """Write `layers` (bottom first) and the `merged` uint8 RGB picture to `file`."""
    height, width = merged.shape[:2]
    if max(height, width) > MAX_PSD_SIDE:
        raise ValueError(f"a PSD holds at most {MAX_PSD_SIDE} px a side; the picture is {width}x{height}")
    for layer in layers:
        if layer.rgba.shape != (height, width, 4) or layer.rgba.dtype != np.uint8:
            raise ValueError(f"layer {layer.name!r} is not uint8 RGBA at {width}x{height}")
    file.write(b"8BPS" + struct.pack(">H6xHIIHH", 1, 3, height, width, 8, 3))  # version 1, RGB, 8 bit
    file.write(struct.pack(">II", 0, 0))  # colour-mode data, image resources: none
    records = b"".join(_record(layer, width, height) for layer in layers)
    channel_bytes = len(layers) * 4 * (2 + width * height)
    info_length = 2 + len(records) + channel_bytes
    pad = info_length % 2  # the layer info is padded to an even length
    file.write(struct.pack(">IIh", 4 + info_length + pad + 4, info_length + pad, len(layers)))
    file.write(records)
    for layer in layers:
        for channel in range(4):  # in the order the record lists them: R, G, B, alpha (-1)
            file.write(b"\0\0")  # raw
            file.write(np.ascontiguousarray(layer.rgba[..., channel]).tobytes())
    file.write(b"\0" * pad + struct.pack(">I", 0))  # no global layer mask
    file.write(b"\0\0")  # the merged picture, raw and planar
    for channel in range(3):
        file.write(np.ascontiguousarray(merged[..., channel]).tobytes())


def _record(layer: PsdLayer, width: int, height: int) -> bytes:
    plane = 2 + width * height
    # Any order is valid if the data follows it; R, G, B, alpha is also the one Pillow's reader assumes.
    channels = b"".join(struct.pack(">hI", channel_id, plane) for channel_id in (0, 1, 2, -1))
    flags = 0 if layer.visible else 0x02  # bit 1 set: hidden
    name = layer.name.encode("ascii", "replace")[:255]
    pascal = bytes([len(name)]) + name
    pascal += b"\0" * (-len(pascal) % 4)
    extra = struct.pack(">II", 0, 0) + pascal  # no layer mask, no blending ranges, the name
    return (
        struct.pack(">iiiiH", 0, 0, height, width, 4)
        + channels
        + b"8BIM"
        + layer.blend
        + struct.pack(">BBBB", 255, 0, flags, 0)
        + struct.pack(">I", len(extra))
        + extra
    )


def save_psd(path: str | os.PathLike[str], layers: list[PsdLayer], merged: np.ndarray) -> None:
    """`write_psd` to `path`, atomically."""
    with atomic_write(path) as file:
        write_psd(file, layers, merged)
