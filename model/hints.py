"""The colour-hint contract shared by the app and the training hint simulator.

A hint is a small opaque square of one colour that the user places on the line art: ``Hint(x, y, size,
color)`` covers the pixels ``x .. x+size-1`` by ``y .. y+size-1`` (clipped at the image border), in the
pixel coordinates of the line art, with ``1 <= size <= 8``.  A ``HintLayer`` is an ordered list of hints
plus the line-art size its coordinates refer to; later hints paint over earlier ones.

Strokes: a hint may carry a ``stroke`` id (a non-negative integer, or None).  Hints sharing an id are one
stroke, the object a painter moves, erases with a click and recolours; the id changes nothing the hints
paint (it is not compared, hashed or rasterized).  A hint without an id is a stroke of its own, so files
written before strokes existed, and other tools' files, behave as they always did: one dab, one object.

Network encoding (``rasterize``), float32 of shape ``(4, H, W)``:

* channels 0-2: hint colour mapped to [-1, 1] as ``c / 127.5 - 1`` at hinted pixels, and exactly 0 at
  un-hinted pixels.  Zero is "no information": it adds nothing to a convolution, so un-hinted areas stay
  sparse instead of looking like a mid-grey request.  The mask channel tells a hinted mid-grey apart.
* channel 3: mask, 1.0 at hinted pixels and 0.0 elsewhere.

Hints survive resizing: a raster is never resized.  For a working size ``(W, H)`` that differs from the
layer's ``(w, h)``, the hint *list* is drawn again with ``x' = floor(x * W / w)``, ``y' = floor(y * H / h)``
and ``size' = max(1, round_half_up(size * s))`` where ``s`` is the mean of the two axis scales, so a 1-px hint
never disappears when downscaling and its colour is kept exactly.

File formats:

* JSON, ``{"format": "linetint-hints", "version": 1, "width": W, "height": H,
  "hints": [{"x": 0, "y": 0, "size": 3, "color": "#rrggbb", "stroke": 7}, ...]}``.  ``stroke`` is optional
  (absent when the hint has no id); a value that is not a non-negative integer is dropped rather than
  refusing the file, since grouping is never worth losing the hints over.  Unknown keys are ignored so
  newer writers can add fields; anything else malformed raises ``HintFormatError`` naming the field and
  index.
* PNG, an RGBA picture of the hints (alpha 255 where hinted, 0 elsewhere).  PNG layers drawn in other
  tools may have any size; see ``layer_from_png`` for the resampling rule.  A PNG holds no stroke ids:
  each connected area of one colour is imported as one stroke.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from numbers import Integral
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from .atomic import atomic_write
from .files import FileTooLarge, NotARegularFile, open_regular, read_limited
from .images import ImageInputError, open_image
from .tensors import signed

MIN_HINT_SIZE = 1
MAX_HINT_SIZE = 8
HINT_CHANNELS = 4

FORMAT_NAME = "linetint-hints"
FORMAT_VERSION = 1

# Limits against hostile or broken files; far above anything a person paints.
MAX_JSON_BYTES = 64 * 1024 * 1024
# The window redraws every hint on undo, erase and move: 25,000 hints keep that under 0.2 s on a 2-core
# machine (docs/reliability.md); a page of dots has hundreds to a few thousand.
MAX_HINTS = 25_000
# Values per hint a file may hold before it is parsed: layer_to_json writes 4 commas (5 with a stroke
# id) and 1 object per hint; 8 and 2 leave room for fields newer writers add. Counting first keeps a file
# of 64 MiB of `{},` from becoming 20 million Python objects before the hint count is seen.
_COMMAS_PER_HINT = 8
_OBJECTS_PER_HINT = 2
MAX_IMAGE_SIDE = 65_536

# Painting tools anti-alias brush edges; only (nearly) fully opaque pixels are deliberate hints.
OPAQUE_ALPHA = 250

# Hint files (and colour pictures) whose aspect ratio differs more than this from the line art's were made
# for another picture (`aspect_differs`).
ASPECT_TOLERANCE = 0.02

_HEX_COLOR = re.compile(r"#[0-9a-fA-F]{6}")

Colour = tuple[int, int, int]


class HintFormatError(ValueError):
    """A hint file or hint value is malformed; the message names the offending field (and index)."""


# --------------------------------------------------------------------------------------------------------
# Data model


def _require_int(value: object, field_name: str) -> int:
    # bool is an int subclass, but `"x": true` in a file is a mistake, not 1.
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise HintFormatError(f"{field_name}: {value!r} is not an integer")
    return int(value)


def check_hint_size(size: int, field_name: str = "hint.size") -> None:
    """HintFormatError (a ValueError) naming `field_name` unless MIN_HINT_SIZE <= size <= MAX_HINT_SIZE."""
    if not MIN_HINT_SIZE <= size <= MAX_HINT_SIZE:
        raise HintFormatError(f"{field_name}: {size} is outside {MIN_HINT_SIZE}-{MAX_HINT_SIZE}")


def clamp_hint_size(size: int) -> int:
    """The nearest valid hint size."""
    return max(MIN_HINT_SIZE, min(MAX_HINT_SIZE, int(size)))


def _parse_hex(value: object, field_name: str) -> Colour:
    if not isinstance(value, str) or not _HEX_COLOR.fullmatch(value):
        raise HintFormatError(f"{field_name}: {value!r} is not #rrggbb")
    return (int(value[1:3], 16), int(value[3:5], 16), int(value[5:7], 16))


@dataclass(frozen=True)
class Hint:
    """One square colour hint; (x, y) is its top-left pixel in line-art coordinates.

    ``stroke`` groups hints into one stroke (see the module docstring); it takes no part in equality.
    """

    x: int
    y: int
    size: int
    color: Colour
    stroke: int | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        # Normalise numpy integers etc. to int so equality, hashing and JSON behave the same everywhere.
        x = _require_int(self.x, "hint.x")
        y = _require_int(self.y, "hint.y")
        size = _require_int(self.size, "hint.size")
        for name, value in (("x", x), ("y", y)):
            if value < 0:
                raise HintFormatError(f"hint.{name}: {value} is negative")
        check_hint_size(size, "hint.size")
        if not isinstance(self.color, (tuple, list, np.ndarray)) or len(self.color) != 3:
            raise HintFormatError(f"hint.color: {self.color!r} is not an (r, g, b) triple")
        color = tuple(_require_int(c, "hint.color") for c in self.color)
        if not all(0 <= c <= 255 for c in color):
            raise HintFormatError(f"hint.color: {self.color!r} has a component outside 0-255")
        object.__setattr__(self, "x", x)
        object.__setattr__(self, "y", y)
        object.__setattr__(self, "size", size)
        object.__setattr__(self, "color", color)
        if self.stroke is not None:
            stroke = _require_int(self.stroke, "hint.stroke")
            if stroke < 0:
                raise HintFormatError(f"hint.stroke: {stroke} is negative")
            object.__setattr__(self, "stroke", stroke)

    @classmethod
    def from_hex(cls, x: int, y: int, size: int, color: str) -> Hint:
        return cls(x, y, size, _parse_hex(color, "hint.color"))

    @property
    def hex(self) -> str:
        return "#{:02x}{:02x}{:02x}".format(*self.color)


@dataclass(frozen=True)
class HintLayer:
    """The hints for one line-art image of size (width, height); every hint's (x, y) lies inside it."""

    width: int
    height: int
    hints: tuple[Hint, ...] = field(default=())

    def __post_init__(self) -> None:
        width = _require_int(self.width, "width")
        height = _require_int(self.height, "height")
        for name, value in (("width", width), ("height", height)):
            if value <= 0:
                raise HintFormatError(f"{name}: {value} is not a positive integer")
        hints = tuple(self.hints)
        for i, hint in enumerate(hints):
            if not isinstance(hint, Hint):
                raise HintFormatError(f"hints[{i}]: {hint!r} is not a Hint")
            if hint.x >= width:
                raise HintFormatError(f"hints[{i}].x: {hint.x} is outside the image (width {width})")
            if hint.y >= height:
                raise HintFormatError(f"hints[{i}].y: {hint.y} is outside the image (height {height})")
        object.__setattr__(self, "width", width)
        object.__setattr__(self, "height", height)
        object.__setattr__(self, "hints", hints)

    def __len__(self) -> int:
        return len(self.hints)

    def with_hints(self, hints: Iterable[Hint]) -> HintLayer:
        """The same image size with a different hint list."""
        return HintLayer(self.width, self.height, tuple(hints))

    def scaled_to(self, width: int, height: int) -> HintLayer:
        """This layer for a (width, height) image, by the same rule ``rasterize`` uses for a working size.

        Sizes are clamped to 1-8 so the result is a valid layer; a big upscale therefore draws smaller
        patches than ``rasterize(self, width, height)``, which does not clamp.
        """
        if (width, height) == (self.width, self.height):
            return self
        xs, ys, sizes, colors = _scaled_columns(self, width, height)
        sizes = np.clip(sizes, MIN_HINT_SIZE, MAX_HINT_SIZE)
        columns = (xs.tolist(), ys.tolist(), sizes.tolist(), colors.tolist(), [h.stroke for h in self.hints])
        hints = (Hint(x, y, s, (c[0], c[1], c[2]), k) for x, y, s, c, k in zip(*columns, strict=True))
        return HintLayer(width, height, tuple(hints))


# --------------------------------------------------------------------------------------------------------
# Strokes


def stroke_key(hint: Hint, index: int) -> tuple[bool, int]:
    """What groups hint ``index`` into its stroke: its id, or its own index when it has none."""
    return (True, hint.stroke) if hint.stroke is not None else (False, index)


def stroke_indices(layer: HintLayer, index: int) -> list[int]:
    """Indices (ascending) of every hint in the same stroke as hint ``index``, itself included."""
    stroke = layer.hints[index].stroke
    if stroke is None:
        return [index]
    return [i for i, hint in enumerate(layer.hints) if hint.stroke == stroke]


def count_strokes(layer: HintLayer) -> int:
    """How many strokes the layer holds (a hint without a stroke id counts as one)."""
    ids = {hint.stroke for hint in layer.hints}
    loose = sum(hint.stroke is None for hint in layer.hints)
    return len(ids - {None}) + loose


def last_stroke_id(layer: HintLayer) -> int:
    """The largest stroke id in the layer, or 0 when no hint has one: new strokes take ids above it."""
    return max((hint.stroke for hint in layer.hints if hint.stroke is not None), default=0)


# --------------------------------------------------------------------------------------------------------
# Rasterizer


def _scaled_columns(
    layer: HintLayer, width: int, height: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Hint x, y, size and colour as arrays, mapped to a (width, height) image by the resizing rule."""
    n = len(layer.hints)
    xs = np.fromiter((h.x for h in layer.hints), dtype=np.int64, count=n)
    ys = np.fromiter((h.y for h in layer.hints), dtype=np.int64, count=n)
    sizes = np.fromiter((h.size for h in layer.hints), dtype=np.int64, count=n)
    colors = np.array([h.color for h in layer.hints], dtype=np.uint8).reshape(n, 3)
    xs = xs * width // layer.width
    ys = ys * height // layer.height
    scale = (width / layer.width + height / layer.height) / 2
    # Half-up rounding, not numpy's half-to-even, so 2.5 px and 3.5 px patches both grow.
    sizes = np.maximum(1, np.floor(sizes * scale + 0.5).astype(np.int64))
    return xs, ys, sizes, colors


def _patch_rects(layer: HintLayer, width: int, height: int) -> list[tuple[int, int, int, int, Colour]]:
    """Clipped patch rectangles (x0, y0, x1, y1 exclusive, colour) in painting order at (width, height)."""
    xs, ys, sizes, colors = _scaled_columns(layer, width, height)
    x1 = np.minimum(xs + sizes, width)
    y1 = np.minimum(ys + sizes, height)
    return list(
        zip(xs.tolist(), ys.tolist(), x1.tolist(), y1.tolist(), map(tuple, colors.tolist()), strict=True)
    )


def _working_size(layer: HintLayer, width: int | None, height: int | None) -> tuple[int, int]:
    if width is None and height is None:
        return layer.width, layer.height
    if width is None or height is None:
        raise ValueError("give both width and height, or neither")
    if width <= 0 or height <= 0:
        raise ValueError(f"working size {width}x{height} is not positive")
    return int(width), int(height)


def hint_rgba(layer: HintLayer, width: int | None = None, height: int | None = None) -> np.ndarray:
    """The hints as a straight-alpha RGBA picture, uint8 (H, W, 4): alpha 255 where hinted, else 0."""
    width, height = _working_size(layer, width, height)
    rgba = np.zeros((height, width, 4), dtype=np.uint8)
    for x0, y0, x1, y1, color in _patch_rects(layer, width, height):
        rgba[y0:y1, x0:x1] = (*color, 255)
    return rgba


def rasterize(layer: HintLayer, width: int | None = None, height: int | None = None) -> np.ndarray:
    """The network's hint input, float32 (4, H, W); see the module docstring for the encoding."""
    rgba = hint_rgba(layer, width, height)
    hinted = rgba[..., 3] > 0
    out = np.zeros((HINT_CHANNELS, *hinted.shape), dtype=np.float32)
    rgb = signed(rgba[..., :3].transpose(2, 0, 1))
    out[:3] = np.where(hinted, rgb, np.float32(0.0))
    out[3] = hinted
    return out


# --------------------------------------------------------------------------------------------------------
# JSON


def layer_to_json(layer: HintLayer) -> str:
    """JSON text of the layer, one hint per line so files diff and read well."""
    header = json.dumps(
        {"format": FORMAT_NAME, "version": FORMAT_VERSION, "width": layer.width, "height": layer.height}
    )
    rows = [
        json.dumps(
            {"x": h.x, "y": h.y, "size": h.size, "color": h.hex}
            | ({} if h.stroke is None else {"stroke": h.stroke}),
            separators=(", ", ": "),
        )
        for h in layer.hints
    ]
    body = "[]" if not rows else "[\n  " + ",\n  ".join(rows) + "\n]"
    return header[:-1] + f', "hints": {body}}}\n'


def _require_positive_side(doc: dict[str, Any], name: str) -> int:
    if name not in doc:
        raise HintFormatError(f"{name}: missing")
    value = doc[name]
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise HintFormatError(f"{name}: {value!r} is not a positive integer")
    if value > MAX_IMAGE_SIDE:
        raise HintFormatError(f"{name}: {value} is larger than {MAX_IMAGE_SIDE}")
    return value


def _parse_hint(raw: object, i: int, width: int, height: int) -> Hint:
    where = f"hints[{i}]"
    if not isinstance(raw, dict):
        raise HintFormatError(f"{where}: expected an object, got {type(raw).__name__}")
    values = {}
    for name in ("x", "y", "size"):
        if name not in raw:
            raise HintFormatError(f"{where}.{name}: missing")
        values[name] = _require_int(raw[name], f"{where}.{name}")
    check_hint_size(values["size"], f"{where}.size")
    for name, limit, side in (("x", width, "width"), ("y", height, "height")):
        if not 0 <= values[name] < limit:
            raise HintFormatError(f"{where}.{name}: {values[name]} is outside the image ({side} {limit})")
    if "color" not in raw:
        raise HintFormatError(f"{where}.color: missing")
    color = _parse_hex(raw["color"], f"{where}.color")
    stroke = raw.get("stroke")
    if isinstance(stroke, bool) or not isinstance(stroke, int) or stroke < 0:
        stroke = None  # absent (an older file), or not an id: the hint is a stroke of its own
    return Hint(values["x"], values["y"], values["size"], color, stroke)


def _check_value_count(text: str) -> None:
    """Refuse JSON holding more values than MAX_HINTS hints need, before any of them is built."""
    objects, commas = text.count("{"), text.count(",")
    if objects > _OBJECTS_PER_HINT * MAX_HINTS + 64 or commas > _COMMAS_PER_HINT * MAX_HINTS + 64:
        raise HintFormatError(
            f"file: it holds {max(objects, commas // 4)} values, more than {MAX_HINTS} hints need "
            f"(the limit is {MAX_HINTS} hints)"
        )


def layer_from_json(text: str) -> HintLayer:
    """Parse and validate hint JSON; raises HintFormatError naming the offending field and index."""
    if len(text) > MAX_JSON_BYTES:
        raise HintFormatError(f"file: {len(text)} characters is larger than the {MAX_JSON_BYTES} limit")
    _check_value_count(text)
    try:
        doc = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise HintFormatError(f"not valid JSON: {exc}") from None
    if not isinstance(doc, dict):
        raise HintFormatError(f"top level: expected an object, got {type(doc).__name__}")
    if doc.get("format") != FORMAT_NAME:
        raise HintFormatError(f'format: expected "{FORMAT_NAME}", got {doc.get("format")!r}')
    if "version" not in doc:
        raise HintFormatError("version: missing")
    version = doc["version"]
    if isinstance(version, bool) or not isinstance(version, int):
        raise HintFormatError(f"version: {version!r} is not an integer")
    if version != FORMAT_VERSION:
        raise HintFormatError(
            f"version: {version} is not supported (this LineTint reads version {FORMAT_VERSION})"
        )
    width = _require_positive_side(doc, "width")
    height = _require_positive_side(doc, "height")
    raw_hints = doc.get("hints")
    if not isinstance(raw_hints, list):
        raise HintFormatError(f"hints: expected a list, got {type(raw_hints).__name__}")
    if len(raw_hints) > MAX_HINTS:
        raise HintFormatError(f"hints: {len(raw_hints)} hints is more than the limit of {MAX_HINTS}")
    hints = tuple(_parse_hint(raw, i, width, height) for i, raw in enumerate(raw_hints))
    return HintLayer(width, height, hints)


def load_hints_json(path: str | os.PathLike[str]) -> HintLayer:
    """Read a hint JSON file at its own size (no rescaling)."""
    path = Path(path)
    try:
        text = read_limited(path, MAX_JSON_BYTES).decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise HintFormatError(f"not valid JSON: not UTF-8 text ({exc})") from None
    except (NotARegularFile, FileTooLarge) as exc:
        raise HintFormatError(f"file: {exc}") from None
    except OSError as exc:
        raise HintFormatError(f"file: cannot read {os.fspath(path)!r}: {exc}") from None
    return layer_from_json(text)


def save_hints_json(layer: HintLayer, path: str | os.PathLike[str]) -> None:
    data = layer_to_json(layer).encode("utf-8")
    with atomic_write(path) as f:
        f.write(data)


# --------------------------------------------------------------------------------------------------------
# PNG


def _open_image(image: Image.Image | str | os.PathLike[str]) -> Image.Image:
    if isinstance(image, Image.Image):
        return image
    try:
        return open_image(image)
    except ImageInputError as exc:
        raise HintFormatError(f"image: cannot read {os.fspath(image)!r}: {exc}") from None


def _to_rgba(image: Image.Image) -> np.ndarray:
    has_alpha = image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in image.info
    if not has_alpha:
        raise HintFormatError(
            f"image: mode {image.mode} has no alpha channel; a hint layer must be transparent "
            "except for the hints"
        )
    return np.asarray(image.convert("RGBA"))


def _footprints(n_src: int, n_dst: int) -> tuple[np.ndarray, np.ndarray]:
    """Per target index, the first and last (inclusive) source index it covers along one axis."""
    t = np.arange(n_dst, dtype=np.int64)
    first = t * n_src // n_dst
    last = np.maximum(first, -(-(t + 1) * n_src // n_dst) - 1)
    return first, last


def _box_sums(values: np.ndarray, first: np.ndarray, last: np.ndarray, axis: int) -> np.ndarray:
    # Prefix sums rather than np.add.reduceat: footprints of neighbouring target pixels overlap by one
    # source pixel whenever the scale is not an integer, and reduceat only handles disjoint runs.
    shape = list(values.shape)
    shape[axis] = 1
    prefix = np.concatenate([np.zeros(shape, values.dtype), np.cumsum(values, axis=axis)], axis=axis)
    return np.take(prefix, last + 1, axis=axis) - np.take(prefix, first, axis=axis)


_BAND_PIXELS = 1_000_000  # source pixels summed at a time: ~16 MB of int32 sums, whatever the picture


def _resample(rgba: np.ndarray, width: int, height: int) -> tuple[np.ndarray, np.ndarray]:
    """Map a source hint picture to (width, height): (rgb uint8 (H, W, 3), hinted bool (H, W)).

    A target pixel is hinted if any opaque source pixel lies in its footprint, coloured with the rounded
    mean of those pixels, so dots never vanish when downscaling.
    """
    src_h, src_w = rgba.shape[:2]
    if (src_w, src_h) == (width, height):  # each footprint is one pixel: its colour, if it is opaque
        return rgba[..., :3], rgba[..., 3] >= OPAQUE_ALPHA
    xf, xl = _footprints(src_w, width)
    yf, yl = _footprints(src_h, height)
    rgb = np.zeros((height, width, 3), np.uint8)
    hinted = np.zeros((height, width), bool)
    # Bands of target rows: the int32/int64 sums then cover a few million source pixels at a time, not
    # the whole picture (a 40 MP layer needed 3.6 GB summed at once).
    rows_per_band = max(1, _BAND_PIXELS // max(1, src_w * max(1, src_h // height)))
    for t0 in range(0, height, rows_per_band):
        t1 = min(height, t0 + rows_per_band)
        top, bottom = int(yf[t0]), int(yl[t1 - 1]) + 1
        rgb[t0:t1], hinted[t0:t1] = _resample_band(rgba[top:bottom], xf, xl, yf[t0:t1] - top, yl[t0:t1] - top)
    return rgb, hinted


def _resample_band(
    rgba: np.ndarray, xf: np.ndarray, xl: np.ndarray, yf: np.ndarray, yl: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """`_resample` for the source rows of one band of target rows (footprints relative to the band)."""
    opaque = rgba[..., 3] >= OPAQUE_ALPHA
    # Row sums fit int32 (255 * width); column sums over the whole height may not, hence int64 there.
    values = np.concatenate([rgba[..., :3] * opaque[..., None], opaque[..., None]], axis=2).astype(np.int32)
    sums = _box_sums(_box_sums(values, xf, xl, axis=1).astype(np.int64), yf, yl, axis=0)
    count = sums[..., 3]
    safe = np.maximum(count, 1)[..., None]
    return ((2 * sums[..., :3] + safe) // (2 * safe)).astype(np.uint8), count > 0  # half-up rounded mean


def _largest_uniform_squares(rgb: np.ndarray, hinted: np.ndarray) -> np.ndarray:
    """Per pixel, the side (0-8) of the largest all-hinted one-colour square whose top-left it is."""
    code = (rgb[..., 0].astype(np.int32) << 16) | (rgb[..., 1].astype(np.int32) << 8) | rgb[..., 2]
    code = np.where(hinted, code, -1)
    same4 = (
        (code[:-1, :-1] >= 0)
        & (code[:-1, :-1] == code[:-1, 1:])
        & (code[:-1, :-1] == code[1:, :-1])
        & (code[:-1, :-1] == code[1:, 1:])
    )
    best = hinted.astype(np.uint8)
    fits = hinted  # fits[y, x]: the (k-1)-square at (y, x) is uniform
    for k in range(2, MAX_HINT_SIZE + 1):
        # A k-square is uniform when its four corner (k-1)-squares are and they share one colour.
        grown = np.zeros_like(hinted)
        grown[:-1, :-1] = fits[:-1, :-1] & fits[1:, :-1] & fits[:-1, 1:] & fits[1:, 1:] & same4
        if not grown.any():
            break
        best[grown] = k
        fits = grown
    return best


def _square_cover(rgb: np.ndarray, hinted: np.ndarray) -> list[Hint]:
    """Greedy cover of the hinted pixels by disjoint one-colour squares, in row-major order.

    Disjoint squares make the hint order irrelevant and re-rasterization exact.
    """
    # Squares are at most 8x8: fewer than hinted/64 cannot cover them. Refused before listing pixels.
    at_least = -(-int(np.count_nonzero(hinted)) // (MAX_HINT_SIZE * MAX_HINT_SIZE))
    if at_least > MAX_HINTS:
        raise HintFormatError(f"image: the layer makes at least {at_least} hints; the limit is {MAX_HINTS}")
    best = _largest_uniform_squares(rgb, hinted)
    covered = np.zeros_like(hinted)
    owner = np.full(hinted.shape, -1, np.int32)  # the square covering each pixel, for _areas
    hints: list[Hint] = []
    ys, xs = np.nonzero(hinted)
    for y, x in zip(ys.tolist(), xs.tolist(), strict=True):
        if covered[y, x]:
            continue
        if len(hints) == MAX_HINTS:
            raise HintFormatError(f"image: the layer makes more than {MAX_HINTS} hints, the limit")
        k = int(best[y, x])
        # A smaller square at the same corner is still uniform; shrink until it avoids earlier squares.
        while k > 1 and covered[y : y + k, x : x + k].any():
            k -= 1
        covered[y : y + k, x : x + k] = True
        owner[y : y + k, x : x + k] = len(hints)
        r, g, b = rgb[y, x].tolist()
        hints.append(Hint(x, y, k, (r, g, b)))
    return _areas(hints, owner, rgb)


def _areas(hints: list[Hint], owner: np.ndarray, rgb: np.ndarray) -> list[Hint]:
    """The squares with stroke ids 1, 2, ...: one per connected (4-neighbour) area of one colour."""
    code = (rgb[..., 0].astype(np.int32) << 16) | (rgb[..., 1].astype(np.int32) << 8) | rgb[..., 2]
    pairs = []
    for a, b, ca, cb in (
        (owner[:, :-1], owner[:, 1:], code[:, :-1], code[:, 1:]),
        (owner[:-1], owner[1:], code[:-1], code[1:]),
    ):
        touching = (a >= 0) & (b >= 0) & (a != b) & (ca == cb)
        pairs.append(np.stack([a[touching], b[touching]], axis=1))
    parent = list(range(len(hints)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, j in np.unique(np.concatenate(pairs), axis=0).tolist():
        ri, rj = root(i), root(j)
        if ri != rj:
            parent[max(ri, rj)] = min(ri, rj)
    ids: dict[int, int] = {}
    return [
        Hint(h.x, h.y, h.size, h.color, ids.setdefault(root(i), len(ids) + 1)) for i, h in enumerate(hints)
    ]


def layer_from_png(image: Image.Image | str | os.PathLike[str], width: int, height: int) -> HintLayer:
    """Import a transparent hint picture of any size, drawn in another tool, onto a width x height line art.

    Only pixels with alpha >= 250 are hints.  Target pixel tx covers source columns
    ``floor(tx*Ws/W) .. max(that, ceil((tx+1)*Ws/W) - 1)`` (rows alike); it is hinted when any opaque source
    pixel lies there, with their rounded mean colour.  The result is a compact list of squares that
    rasterizes back to exactly those pixels.
    """
    empty = HintLayer(width, height)  # validates the size before any work
    rgba = _to_rgba(_open_image(image))
    rgb, hinted = _resample(rgba, empty.width, empty.height)
    return empty.with_hints(_square_cover(rgb, hinted))


def layer_to_png(
    layer: HintLayer, path: str | os.PathLike[str], width: int | None = None, height: int | None = None
) -> None:
    """Write the hints as an RGBA PNG, at the line-art size unless a size is given."""
    picture = Image.fromarray(hint_rgba(layer, width, height), mode="RGBA")
    with atomic_write(path) as f:
        picture.save(f, format="PNG")


# --------------------------------------------------------------------------------------------------------
# Files


def aspect_differs(a_w: int, a_h: int, b_w: int, b_h: int) -> bool:
    """Whether an a_w x a_h picture has another shape than a b_w x b_h one: their aspect ratios differ by
    more than ASPECT_TOLERANCE, either way (the same answer with a and b swapped)."""
    ratio = (a_w * b_h) / (a_h * b_w)
    return not 1 / (1 + ASPECT_TOLERANCE) <= ratio <= 1 + ASPECT_TOLERANCE


def _looks_like_json(path: Path) -> bool:
    if path.suffix.lower() == ".json":
        return True
    with open_regular(path) as f:
        start = f.read(64).lstrip(b"\xef\xbb\xbf \t\r\n")
    return start.startswith(b"{")


def load_hints(path: str | os.PathLike[str], width: int, height: int) -> HintLayer:
    """Load hints (JSON or a transparent picture) for a width x height line art."""
    path = Path(path)
    try:
        is_json = _looks_like_json(path)
    except NotARegularFile as exc:
        raise HintFormatError(f"file: {exc}") from None
    except OSError as exc:
        raise HintFormatError(f"file: cannot read {os.fspath(path)!r}: {exc}") from None
    if not is_json:
        picture = _open_image(path)
        _check_aspect(*picture.size, width, height)
        return layer_from_png(picture, width, height)
    layer = load_hints_json(path)
    _check_aspect(layer.width, layer.height, width, height)
    return layer.scaled_to(width, height)


def _check_aspect(hint_width: int, hint_height: int, width: int, height: int) -> None:
    if aspect_differs(hint_width, hint_height, width, height):
        raise HintFormatError(
            f"width/height: hints were made for a {hint_width}x{hint_height} image, "
            f"the line art is {width}x{height}"
        )


def save_hints(layer: HintLayer, path: str | os.PathLike[str]) -> None:
    """Write JSON for a .json path, an RGBA picture for .png; atomically, so an old file survives a crash."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".json":
        save_hints_json(layer, path)
    elif suffix == ".png":
        layer_to_png(layer, path)
    else:
        raise ValueError(f"path: {os.fspath(path)!r} must end in .json or .png")


__all__ = [
    "HINT_CHANNELS",
    "MAX_HINT_SIZE",
    "MIN_HINT_SIZE",
    "Hint",
    "HintFormatError",
    "HintLayer",
    "aspect_differs",
    "check_hint_size",
    "clamp_hint_size",
    "hint_rgba",
    "layer_from_json",
    "layer_from_png",
    "layer_to_json",
    "layer_to_png",
    "last_stroke_id",
    "load_hints",
    "load_hints_json",
    "rasterize",
    "save_hints",
    "save_hints_json",
    "count_strokes",
    "stroke_indices",
    "stroke_key",
]
