"""Layered Photoshop (.psd) export: the format Clip Studio Paint, Photoshop, Affinity, Procreate and Krita
all open with their layers.

Written from Adobe's "Photoshop File Formats Specification" (PSD version 1, 8-bit RGB): header, empty
colour-mode and image-resource sections, the layer section (one record per layer, bottom layer first,
each with red, green, blue and alpha channels), an empty global layer mask, and the merged picture for
readers that show only that. Every channel is PackBits run-length encoded row by row, as Photoshop
writes them: line art, flat colours and the hint layer shrink to a few percent; the network's colour,
noisy at pixel level, stays about its raw size.
"""

from __future__ import annotations

import os
import struct
from dataclasses import dataclass
from typing import BinaryIO

import numpy as np

from linetint.model.atomic import atomic_write

MAX_PSD_SIDE = 30_000  # PSD (not PSB) limit on either side
RLE = 1  # PSD's compression code for PackBits
MIN_RUN = 3  # shorter repeats cost as much as literals


@dataclass(frozen=True)
class PsdLayer:
    name: str  # ASCII; others become "?"
    rgba: np.ndarray  # uint8 (H, W, 4), straight alpha, at the picture's size
    visible: bool = True
    blend: bytes = b"norm"  # Photoshop's four-letter blend key: b"norm", b"mul ", ...


def packbits(row: np.ndarray) -> bytes:
    """One row (uint8) in PackBits: runs of MIN_RUN+ equal bytes as (1 - n, byte), the rest literally."""
    out = bytearray()
    starts = np.r_[0, np.flatnonzero(np.diff(row)) + 1]
    lengths = np.diff(np.r_[starts, row.size])
    done = 0
    for start, length in zip(
        starts[lengths >= MIN_RUN].tolist(), lengths[lengths >= MIN_RUN].tolist(), strict=True
    ):
        _literal(out, row[done:start])
        value = int(row[start])
        whole, rest = divmod(length, 128)
        out += bytes([129, value]) * whole  # 129 = 1 - 128 as a signed byte: 128 repeats
        if rest == 1:
            out += bytes([0, value])
        elif rest:
            out += bytes([257 - rest, value])
        done = start + length
    _literal(out, row[done:])
    return bytes(out)


def _literal(out: bytearray, data: np.ndarray) -> None:
    raw = data.tobytes()
    for index in range(0, len(raw), 128):
        chunk = raw[index : index + 128]
        out += bytes([len(chunk) - 1]) + chunk


def _channel(plane: np.ndarray) -> bytes:
    """A channel's image data: the compression code, every row's byte count, then the rows."""
    rows = [packbits(row) for row in plane]
    counts = struct.pack(f">{len(rows)}H", *(len(row) for row in rows))
    return struct.pack(">H", RLE) + counts + b"".join(rows)


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
    channels = [[_channel(layer.rgba[..., index]) for index in range(4)] for layer in layers]
    records = b"".join(
        _record(layer, data, width, height) for layer, data in zip(layers, channels, strict=True)
    )
    info_length = 2 + len(records) + sum(len(data) for layer in channels for data in layer)
    pad = info_length % 2  # the layer info is padded to an even length
    file.write(struct.pack(">IIh", 4 + info_length + pad + 4, info_length + pad, len(layers)))
    file.write(records)
    for layer_channels in channels:
        for data in layer_channels:  # in the order the records list them: R, G, B, alpha
            file.write(data)
    file.write(b"\0" * pad + struct.pack(">I", 0))  # no global layer mask
    rows = [packbits(row) for index in range(3) for row in merged[..., index]]  # planar: all R rows, ...
    file.write(struct.pack(">H", RLE) + struct.pack(f">{len(rows)}H", *(len(row) for row in rows)))
    file.write(b"".join(rows))


def _record(layer: PsdLayer, data: list[bytes], width: int, height: int) -> bytes:
    # Any channel order is valid if the data follows it; R, G, B, alpha is also the one Pillow assumes.
    ids = (0, 1, 2, -1)
    channels = b"".join(
        struct.pack(">hI", channel_id, len(d)) for channel_id, d in zip(ids, data, strict=True)
    )
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
