"""Line art cleanup before colorizing: even out the paper of a scan or photo, then set its levels.

The network was trained on dark lines on white paper. A phone photo or scan of a pencil sketch has grey,
unevenly lit paper and faint lines: the network would colour the paper's shading as if it were part of
the drawing. Levels map the paper to white and the pencil to black; flattening first divides the picture
by an estimate of the paper's brightness, which removes a gradient of light across a photo.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageFilter

# The paper estimate is made on a small copy: lines vanish under a max filter there, and it is fast.
PAPER_SIDE = 96
# Ink and paper end at least this far apart, so auto levels never turn a sparse drawing into a stencil.
MIN_RANGE = 64
# Paper brighter at one end of the picture than at the other by more than this: worth flattening.
UNEVEN_PAPER = 24
# Paper whose auto white point is below this is grey enough to be worth a clean-up.
PALE_PAPER = 200


@dataclass(frozen=True)
class Levels:
    black: int = 0  # this grey and darker become black
    white: int = 255  # this grey and lighter become white
    flatten: bool = False  # divide by the estimated paper brightness first (uneven light)

    def __post_init__(self) -> None:
        if not 0 <= self.black < self.white <= 255:
            raise ValueError(f"levels need 0 <= black < white <= 255, not {self.black} and {self.white}")

    @property
    def is_identity(self) -> bool:
        return (self.black, self.white, self.flatten) == (0, 255, False)


def paper_brightness(grey: np.ndarray) -> np.ndarray:
    """Per pixel, the brightness of the paper around it (float32): lines and small dark areas removed.

    Dark areas wider than about a tenth of the picture count as paper too, so a drawing with big solid
    blacks should not be flattened.
    """
    height, width = grey.shape
    scale = min(1.0, PAPER_SIDE / max(height, width))
    small_size = (max(1, round(width * scale)), max(1, round(height * scale)))
    small = Image.fromarray(grey).resize(small_size, Image.Resampling.BOX)
    for _ in range(2):
        small = small.filter(ImageFilter.MaxFilter(5))
    small = small.filter(ImageFilter.GaussianBlur(2))
    return np.asarray(small.resize((width, height), Image.Resampling.BILINEAR), dtype=np.float32)


def flatten_paper(grey: np.ndarray, paper: np.ndarray | None = None) -> np.ndarray:
    """The picture divided by its paper brightness (`paper_brightness`, made here unless given): evenly
    white paper, lines as dark relative to it."""
    paper = np.maximum(paper_brightness(grey) if paper is None else paper, 1.0)
    return np.clip(grey.astype(np.float32) * (255.0 / paper), 0, 255).round().astype(np.uint8)


def apply_levels(grey: np.ndarray, levels: Levels, flattened: np.ndarray | None = None) -> np.ndarray:
    """`grey` (uint8, H×W) with `levels` applied; pass `flattened` to reuse an earlier flatten_paper()."""
    if levels.is_identity:
        return grey
    base = (flattened if flattened is not None else flatten_paper(grey)) if levels.flatten else grey
    ramp = (np.arange(256, dtype=np.float32) - levels.black) * (255.0 / (levels.white - levels.black))
    lut = np.clip(ramp, 0, 255).round().astype(np.uint8)
    return lut[base]


def auto_levels(grey: np.ndarray) -> Levels:
    """Levels for this picture: flatten when the paper is uneven, white just below the paper's grey,
    black at the darkest ink."""
    paper = paper_brightness(grey)
    flatten = float(np.percentile(paper, 95) - np.percentile(paper, 5)) > UNEVEN_PAPER
    base = flatten_paper(grey, paper) if flatten else grey
    # Most of a line drawing is paper: its median is the paper's grey, less a margin for its grain.
    white = int(np.clip(np.percentile(base, 50) - 12, MIN_RANGE, 255))
    black = int(np.clip(np.percentile(base, 0.5), 0, white - MIN_RANGE))
    return Levels(black, white, flatten)


def needs_clean_up(grey: np.ndarray) -> bool:
    """Whether auto levels would change the picture much: uneven paper, or paper darker than light grey."""
    levels = auto_levels(grey)
    return levels.flatten or levels.white < PALE_PAPER
