"""Exporting the colourised picture: a flat PNG, or a layered OpenRaster or Photoshop file.

All writes are atomic (``atomic_write``): a failed export never leaves half a file over an older one.

OpenRaster (https://www.openraster.org, baseline spec 0.0.5) is a zip that Krita, GIMP and MyPaint open:
``mimetype`` first and stored uncompressed (so ``file`` can sniff it at a fixed offset), ``stack.xml``
listing layers top to bottom, one PNG per layer under ``data/``, ``Thumbnail/thumbnail.png`` (at most
256 px a side) and ``mergedimage.png`` (the flattened picture, for viewers that read nothing else).

A page recoloured from a colour picture has its `shading`, the picture's grey: its flattened picture is
the colour with that light and shade (imaging/recolour.py: a paint program's *Color* blend mode), no
lines multiplied over, and its layered files hold the shading as the bottom layer with the colour layers
over it in Color mode (OpenRaster ``svg:color``, Photoshop ``colr``), so they look the same.
"""

from __future__ import annotations

import io
import os
import zipfile
from dataclasses import dataclass
from enum import Enum
from xml.etree import ElementTree

import numpy as np
from PIL import Image

from linetint.imaging.compose import colour_at_lineart_size
from linetint.imaging.recolour import flattened
from linetint.model.atomic import atomic_write
from linetint.model.hints import HintLayer, hint_rgba

from .colour_modes import chosen_colour
from .psd import PsdLayer, save_psd

ORA_MIMETYPE = "image/openraster"
ORA_VERSION = "0.0.5"
THUMBNAIL_SIDE = 256
KEPT_LAYER = "Hint colours"  # Keep Hint Colours' layer in layered exports
SHADING_LAYER = "Shading"  # a recoloured picture's own light and shade, under its colour


def _png_bytes(array: np.ndarray, mode: str) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(array, mode=mode).save(buffer, format="PNG")
    return buffer.getvalue()


def export_png(
    lineart: np.ndarray,
    colour_rgb: np.ndarray,
    path: str | os.PathLike[str],
    multiply_lines: bool = True,
    shading: np.ndarray | None = None,
) -> None:
    """Write the colour image at the line art's full resolution as an RGB PNG (see ``flattened``)."""
    data = _png_bytes(flattened(lineart, colour_rgb, shading, multiply_lines), "RGB")
    with atomic_write(path) as f:
        f.write(data)


def _lines_rgba(lineart: np.ndarray) -> np.ndarray:
    """Line art as black ink whose alpha is its darkness, on transparent paper.

    Over the colour this gives exactly ``colour * lineart / 255`` with *either* normal or multiply
    blending, so the picture is right even in a reader that ignores composite-op, and the lines can be
    recoloured in Krita/GIMP with alpha lock.
    """
    rgba = np.zeros((*lineart.shape, 4), dtype=np.uint8)
    rgba[..., 3] = 255 - lineart
    return rgba


def _opaque(rgb: np.ndarray) -> np.ndarray:
    return np.concatenate([rgb, np.full((*rgb.shape[:2], 1), 255, dtype=np.uint8)], axis=2)


def _stack_xml(width: int, height: int, layers: list[dict[str, str]]) -> bytes:
    image = ElementTree.Element("image", {"version": ORA_VERSION, "w": str(width), "h": str(height)})
    stack = ElementTree.SubElement(image, "stack")
    for attributes in layers:
        ElementTree.SubElement(stack, "layer", {"x": "0", "y": "0", "opacity": "1.0", **attributes})
    buffer = io.BytesIO()
    ElementTree.ElementTree(image).write(buffer, encoding="UTF-8", xml_declaration=True)
    return buffer.getvalue()


def _thumbnail(rgb: np.ndarray) -> bytes:
    image = Image.fromarray(rgb, mode="RGB")
    image.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


class Blend(Enum):
    """How a layer mixes with what is under it: (OpenRaster composite-op, Photoshop blend key)."""

    NORMAL = ("svg:src-over", b"norm")
    MULTIPLY = ("svg:multiply", b"mul ")
    COLOR = ("svg:color", b"colr")  # the layer's hue and chroma, the lightness of what is under it

    def __init__(self, ora: str, psd: bytes) -> None:
        self.ora = ora
        self.psd = psd


@dataclass(frozen=True)
class Layer:
    """One layer of a layered export, in the picture's size."""

    name: str
    file: str  # its file name inside an OpenRaster archive
    rgba: np.ndarray
    visible: bool = True
    blend: Blend = Blend.NORMAL


def layer_stack(
    lineart: np.ndarray,
    colour_rgb: np.ndarray | None,
    hints: HintLayer,
    flat_rgb: np.ndarray | None = None,
    kept_rgb: np.ndarray | None = None,
    shading: np.ndarray | None = None,
) -> tuple[list[Layer], np.ndarray]:
    """The layers, top to bottom: hints (hidden), line art (multiply), flat colours (if given), hint
    colours (if given; hidden under flats), colour (hidden under either); and the merged picture.

    Colourists shade on top of flats, so with `flat_rgb` (imaging/flats.py) they are the visible colour.
    `kept_rgb` is the colour with Keep Hint Colours (imaging/hint_colours.py): its layer holds only the
    pixels it changed, over the network's colour, so hiding it shows what the network painted.
    Without a colour image (no preview yet) the colour layer is white paper.

    With `shading` (a recoloured colour picture) a "Shading" layer of it goes at the bottom, the colour
    layers over it blend in Color mode (their hue and chroma, its lightness: `with_lightness`, layer by
    layer), and the line art layer is hidden: the picture's own lines are in its shading; its XDoG
    lines, which the hints were placed by, stay at hand to switch on.
    """
    height, width = lineart.shape
    if colour_rgb is None:
        colour_rgb = np.full((height, width, 3), 255, dtype=np.uint8)
    colour = colour_at_lineart_size(lineart, colour_rgb)
    flat = None if flat_rgb is None else colour_at_lineart_size(lineart, flat_rgb)
    kept = None if kept_rgb is None else colour_at_lineart_size(lineart, kept_rgb)
    shaded = shading is not None
    paint = Blend.COLOR if shaded else Blend.NORMAL
    layers = [
        Layer("Hints", "data/hints.png", hint_rgba(hints, width, height), visible=False),
        Layer("Line art", "data/lineart.png", _lines_rgba(lineart), visible=not shaded, blend=Blend.MULTIPLY),
    ]
    if flat is not None:
        layers.append(Layer("Flat colours", "data/flats.png", _opaque(flat), blend=paint))
    if kept is not None:
        changes = _changes(kept, colour)
        layers.append(Layer(KEPT_LAYER, "data/hint-colours.png", changes, visible=flat is None, blend=paint))
    on_top = flat if flat is not None else kept
    layers.append(Layer("Colour", "data/colour.png", _opaque(colour), visible=on_top is None, blend=paint))
    if shading is not None:
        grey = np.repeat(shading[..., None], 3, axis=2)
        layers.append(Layer(SHADING_LAYER, "data/shading.png", _opaque(grey)))
    return layers, flattened(lineart, colour if on_top is None else on_top, shading)


def _changes(rgb: np.ndarray, under: np.ndarray) -> np.ndarray:
    """`rgb` opaque where it differs from `under`, transparent where it does not: over `under` it gives
    `rgb` exactly."""
    rgba = _opaque(rgb)
    rgba[..., 3] = np.where((rgb != under).any(axis=-1), 255, 0)
    return rgba


def export_ora(
    lineart: np.ndarray,
    colour_rgb: np.ndarray | None,
    hints: HintLayer,
    path: str | os.PathLike[str],
    flat_rgb: np.ndarray | None = None,
    kept_rgb: np.ndarray | None = None,
    shading: np.ndarray | None = None,
) -> None:
    """Write an OpenRaster file of `layer_stack`'s layers, each an RGBA PNG at the line art's size."""
    height, width = lineart.shape
    layers, merged = layer_stack(lineart, colour_rgb, hints, flat_rgb, kept_rgb, shading)
    stack = [
        {
            "name": layer.name,
            "src": layer.file,
            "visibility": "visible" if layer.visible else "hidden",
            "composite-op": layer.blend.ora,
        }
        for layer in layers
    ]
    with atomic_write(path) as f, zipfile.ZipFile(f, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        # The spec requires mimetype first and uncompressed, with no extra field.
        mimetype = zipfile.ZipInfo("mimetype")
        mimetype.external_attr = 0o644 << 16  # a bare ZipInfo would unzip as mode 000
        archive.writestr(mimetype, ORA_MIMETYPE, compress_type=zipfile.ZIP_STORED)
        archive.writestr("stack.xml", _stack_xml(width, height, stack))
        for layer in layers:
            archive.writestr(layer.file, _png_bytes(layer.rgba, "RGBA"), compress_type=zipfile.ZIP_STORED)
        archive.writestr("Thumbnail/thumbnail.png", _thumbnail(merged), compress_type=zipfile.ZIP_STORED)
        archive.writestr("mergedimage.png", _png_bytes(merged, "RGB"), compress_type=zipfile.ZIP_STORED)


def export_psd(
    lineart: np.ndarray,
    colour_rgb: np.ndarray | None,
    hints: HintLayer,
    path: str | os.PathLike[str],
    flat_rgb: np.ndarray | None = None,
    kept_rgb: np.ndarray | None = None,
    shading: np.ndarray | None = None,
) -> None:
    """Write a layered Photoshop file of `layer_stack`'s layers (app/psd.py)."""
    layers, merged = layer_stack(lineart, colour_rgb, hints, flat_rgb, kept_rgb, shading)
    psd_layers = [
        PsdLayer(layer.name, layer.rgba, layer.visible, layer.blend.psd)
        for layer in reversed(layers)  # a PSD lists the bottom layer first
    ]
    save_psd(path, psd_layers, merged)


LAYERED_EXPORTS = {"ora": export_ora, "psd": export_psd}  # by file suffix, without its dot
EXPORT_KINDS = ("png", *LAYERED_EXPORTS)


def export_picture(
    kind: str,
    lineart: np.ndarray,
    rgb: np.ndarray,
    hints: HintLayer,
    path: str | os.PathLike[str],
    flat: np.ndarray | None = None,
    kept: np.ndarray | None = None,
    multiply_lines: bool = True,
    shading: np.ndarray | None = None,
) -> None:
    """One export, as the window's File ▸ Export and `linetint colorize` write it. `kind` is a file suffix
    without its dot (EXPORT_KINDS): "png" is the chosen colour (`chosen_colour`: flats, else kept hint
    colours, else the network's `rgb`) with the line art multiplied over it, or with the light and shade
    of `shading` (a recoloured colour picture), unless `multiply_lines` is False; "ora" and "psd" hold
    every layer (`layer_stack`)."""
    if kind == "png":
        colour = chosen_colour(rgb, flat, kept)
        export_png(lineart, colour, path, multiply_lines=multiply_lines, shading=shading)
    else:
        LAYERED_EXPORTS[kind](lineart, rgb, hints, path, flat, kept, shading)


__all__ = [
    "EXPORT_KINDS",
    "SHADING_LAYER",
    "Blend",
    "LAYERED_EXPORTS",
    "export_picture",
    "export_ora",
    "export_psd",
    "layer_stack",
    "export_png",
]
