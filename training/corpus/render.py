"""SVG drawings as pictures on white, at the size training needs, through CairoSVG (the `corpus` extra:
training only, never a dependency of the app)."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

import numpy as np
from PIL import Image

from linetint.model.images import check_size, on_white

from .rules import INK_LEVEL

MARGIN = 0.06  # of the drawing's long side, kept around it after cropping to what is drawn
_STROKE_WIDTH = re.compile(rb'stroke-width(\s*[=:]\s*"?)([0-9.]+)')


class RendererMissing(RuntimeError):
    pass


@dataclass(frozen=True)
class RenderOptions:
    long_side: int = 384  # of the cropped picture: training crops 256 px squares out of it
    stroke_scale: float = 0.5  # OpenMoji draws 2/72 of the picture wide lines; real line art is thinner


def render_svg(svg: bytes, side: int, stroke_scale: float = 1.0) -> np.ndarray:
    """An (side, side, 3) uint8 picture of `svg` on white paper, its strokes `stroke_scale` as wide."""
    try:
        import cairosvg
    except (ImportError, OSError) as exc:  # OSError: the cairo library itself is missing
        raise RendererMissing(
            f"rendering SVG needs CairoSVG and the cairo library: pip install 'linetint[corpus]' ({exc})"
        ) from None
    if stroke_scale != 1.0:
        svg = scale_strokes(svg, stroke_scale)
    png = cairosvg.svg2png(
        bytestring=svg, output_width=side, output_height=side, background_color="white", unsafe=False
    )
    picture = Image.open(io.BytesIO(png), formats=["PNG"])
    return np.asarray(on_white(picture))


def raster_on_white(png: bytes) -> np.ndarray:
    """A painted drawing (PNG, usually on transparency) as an (H, W, 3) uint8 picture on white paper."""
    picture = Image.open(io.BytesIO(png), formats=["PNG"])
    check_size(*picture.size)  # a hostile header must not make us allocate gigabytes
    return np.asarray(on_white(picture))


def scale_strokes(svg: bytes, factor: float) -> bytes:
    """Every explicit stroke-width (attribute or style) times `factor`."""

    def scaled(match: re.Match[bytes]) -> bytes:
        return b"stroke-width" + match.group(1) + f"{float(match.group(2)) * factor:g}".encode()

    return _STROKE_WIDTH.sub(scaled, svg)


def drawn_box(*pictures: np.ndarray) -> tuple[int, int, int, int] | None:
    """(left, top, right, bottom) around everything drawn in any of `pictures`, with MARGIN; None if blank."""
    ink: np.ndarray = np.zeros(pictures[0].shape[:2], bool)
    for picture in pictures:
        ink |= (picture < INK_LEVEL).any(axis=-1) if picture.ndim == 3 else picture < INK_LEVEL
    rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    if rows.size == 0:
        return None
    top, bottom, left, right = rows[0], rows[-1] + 1, cols[0], cols[-1] + 1
    pad = int(round(MARGIN * max(bottom - top, right - left)))
    height, width = ink.shape
    return max(0, left - pad), max(0, top - pad), min(width, right + pad), min(height, bottom + pad)


def crop_to_long_side(picture: np.ndarray, box: tuple[int, int, int, int], long_side: int) -> np.ndarray:
    """`picture` cut to `box`, scaled so its long side is `long_side` (area resampling: no ringing)."""
    left, top, right, bottom = box
    cut = Image.fromarray(picture[top:bottom, left:right])
    scale = long_side / max(cut.size)
    size = (max(1, round(cut.width * scale)), max(1, round(cut.height * scale)))
    return np.asarray(cut.resize(size, Image.Resampling.BOX if scale < 1 else Image.Resampling.LANCZOS))
