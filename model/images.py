"""Reading line art from any picture a user may hand us, and the size limits that keep us safe."""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import BinaryIO

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from .files import NotARegularFile, open_regular

MAX_SIDE = 8192  # long side, px: 8192^2 line art needs ~8 GiB at full resolution
MAX_PIXELS = 40_000_000  # about 6300^2; larger is refused before decoding (decompression bombs)

# The only decoders Pillow may run on a user's file. With every plugin enabled, an EPS file named x.png
# goes to Ghostscript (a separate interpreter with a history of sandbox escapes, and `{ } loop` hangs it);
# so what LineTint documents is what it decodes, whatever the file's name says.
PICTURE_FORMATS = ("PNG", "JPEG", "WEBP", "BMP", "TIFF")
# ITU-R 601 luma: the weights PIL's "L" conversion (to_grey) uses, so every grey LineTint computes from
# colour — XDoG's input, a colour's lightness when it is calmed or recoloured — is the grey the app reads.
LUMA = np.array([0.299, 0.587, 0.114], np.float32)
_FORMAT_NAMES = {"PNG": "PNG", "JPEG": "JPEG", "WEBP": "WebP", "BMP": "BMP", "TIFF": "TIFF"}


class ImageInputError(ValueError):
    """An image LineTint cannot use; the message says why."""


def check_size(width: int, height: int) -> None:
    if width < 1 or height < 1:
        raise ImageInputError("the image is empty")
    if max(width, height) > MAX_SIDE or width * height > MAX_PIXELS:
        raise ImageInputError(
            f"the image is {width}x{height} px; LineTint handles up to {MAX_SIDE} px a side and "
            f"{MAX_PIXELS // 1_000_000} megapixels — scale it down first"
        )


def open_image(path: str | os.PathLike[str]) -> Image.Image:
    """Open and fully decode an image file, turning every failure into an ImageInputError."""
    path = Path(path)
    try:
        with open_regular(path) as file:
            return decode_image(file, path.name)
    except FileNotFoundError:
        raise ImageInputError(f"{path}: no such file") from None
    except NotARegularFile as exc:
        raise ImageInputError(str(exc)) from None


def decode_image(file: BinaryIO, name: str, formats: tuple[str, ...] = PICTURE_FORMATS) -> Image.Image:
    """Decode an image from an open file (or bytes in memory): the size is checked before any pixel is
    decoded; every failure becomes an ImageInputError naming `name`. Only `formats` are ever tried."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(file, formats=formats) as image:
                _check_named(name, *image.size)
                image.load()
                return ImageOps.exif_transpose(image)
    except UnidentifiedImageError:
        raise ImageInputError(f"{name} is not {_formats_in_words(formats)}") from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageInputError(f"{name} is too large to open safely") from None
    except (OSError, SyntaxError, ValueError) as exc:
        if isinstance(exc, ImageInputError):
            raise
        raise ImageInputError(f"{name} is damaged or truncated ({exc})") from None


def _formats_in_words(formats: tuple[str, ...]) -> str:
    """("PNG",) -> "a PNG"; the documented set -> "an image LineTint reads (PNG, JPEG, WebP, BMP or TIFF)"."""
    words = [_FORMAT_NAMES.get(f, f) for f in formats]
    if len(words) == 1:
        return f"a {words[0]} image"
    return f"an image LineTint reads ({', '.join(words[:-1])} or {words[-1]})"


def _check_named(name: str, width: int, height: int) -> None:
    try:
        check_size(width, height)
    except ImageInputError as exc:
        raise ImageInputError(f"{name}: {exc}") from None


def on_white(image: Image.Image) -> Image.Image:
    """`image` in RGB, its transparency composited on white paper, as line art is drawn.

    Here in model/ rather than with the picture operations because reading any picture needs it.
    """
    rgba = image.convert("RGBA")
    paper = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
    return Image.alpha_composite(paper, rgba).convert("RGB")


def to_grey(image: Image.Image) -> np.ndarray:
    """Any PIL mode -> uint8 (H, W) grey, transparency composited on white paper."""
    check_size(*image.size)
    if image.mode in ("I;16", "I;16B", "I;16L", "I"):
        # 16-bit (or 32-bit int) grey: scale by the format's range, not by clipping at 255.
        array = np.asarray(image, dtype=np.float64)
        top = 65535.0 if image.mode.startswith("I;16") or array.max() > 255 else 255.0
        return np.clip(np.round(array * (255.0 / top)), 0, 255).astype(np.uint8)
    if image.mode == "F":
        array = np.asarray(image, dtype=np.float64)
        top = 1.0 if array.max() <= 1.0 else 255.0
        return np.clip(np.round(array * (255.0 / top)), 0, 255).astype(np.uint8)
    if image.mode == "P" or "A" in image.getbands() or image.mode == "PA" or "transparency" in image.info:
        image = on_white(image)
    return np.asarray(image.convert("L"), dtype=np.uint8).copy()


def to_rgb(image: Image.Image) -> np.ndarray:
    """Any PIL mode -> uint8 (H, W, 3), transparency composited on white paper."""
    check_size(*image.size)
    if image.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        grey = to_grey(image)
        return np.repeat(grey[..., None], 3, axis=2)
    return np.asarray(on_white(image), dtype=np.uint8).copy()


def load_rgb(path: str | os.PathLike[str]) -> np.ndarray:
    """uint8 (H, W, 3) colour picture from a file, transparency on white paper."""
    return to_rgb(open_image(path))


PAPER_TINT = 0.2  # chroma (0-1) a paper's cast may have and still be paper: cream, warm light, old paper


def colourfulness(image: Image.Image) -> float:
    """How much colour a picture holds beyond its paper's tint (0-1): 0 for line art, over 0.08 for colour.

    Chroma is measured on opponent axes (red-green, yellow-blue) of a downscaled copy. The median chroma
    is the paper's cast — a warm phone photo of a pencil sketch tints paper and graphite alike — so what
    counts is how far pixels stray from it, plus the cast itself when it is too strong for paper (a
    picture that is one colour all over). Transparent pixels are composited on white first: their hidden
    RGB is often anything at all.
    """
    if image.mode in ("1", "L", "I", "I;16", "I;16B", "I;16L", "F"):
        return 0.0
    small = image.convert("RGBA")
    small.thumbnail((256, 256))
    rgb = to_rgb(small).reshape(-1, 3).astype(np.float32) / 255.0
    red_green = rgb[:, 0] - rgb[:, 1]
    yellow_blue = (rgb[:, 0] + rgb[:, 1]) / 2 - rgb[:, 2]
    cast = float(np.median(red_green)), float(np.median(yellow_blue))
    stray = float(np.hypot(red_green - cast[0], yellow_blue - cast[1]).mean())
    cast_chroma = float(np.hypot(*cast))
    return max(stray, cast_chroma if cast_chroma > PAPER_TINT else 0.0)


def load_lineart(path: str | os.PathLike[str]) -> np.ndarray:
    """uint8 (H, W) grey line art from a file: PNG/JPEG/WebP/BMP/TIFF, any mode, white paper."""
    return to_grey(open_image(path))
