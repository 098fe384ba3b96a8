"""Gaps in the line art: outlines that do not close.

Sketches leave lines open. On style2paints' s2p-004 the face meets the hair through the gaps between
strands, so one area the lines enclose holds both, and with the artist's hints on the hair the face comes
out in the hair's dark orange-brown. The corpus's exact line art (OpenMoji, the busts) closes every shape,
so the network never learns that colour can stop where an outline breaks off. `with_gaps` erases short
pieces of the lines (paper where ink was) and leaves the target as it was: the colour has to follow the
shapes the lines suggest, not only the ones they close.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

INK = 128  # line art darker than this counts as a line a gap can cut


@dataclass(frozen=True)
class Gaps:
    """What `with_gaps` erases: how many gaps, and each gap's diameter as a share of the picture's short
    side (discs centred on line pixels, so each cuts the lines through it). Both scale with the picture,
    so a drawing shown larger is cut alike; at the 256-px training crop a gap is 5-13 px across, wider than
    OpenMoji's outlines there (about 5 px), which a narrower disc only dents."""

    count: tuple[int, int] = (4, 14)
    size: tuple[float, float] = (0.02, 0.05)

    def __post_init__(self) -> None:
        if not 0 <= self.count[0] <= self.count[1]:
            raise ValueError(f"gap count must satisfy 0 <= low <= high, got {self.count}")
        if not 0 < self.size[0] <= self.size[1]:
            raise ValueError(f"gap size must satisfy 0 < low <= high, got {self.size}")


def with_gaps(lineart: np.ndarray, rng: np.random.Generator, gaps: Gaps = Gaps()) -> np.ndarray:
    """`lineart` (uint8 H×W, dark lines on white) with short pieces of its lines erased to paper."""
    rows, cols = np.nonzero(lineart < INK)
    if len(rows) == 0:
        return lineart
    height, width = lineart.shape
    count = int(rng.integers(gaps.count[0], gaps.count[1] + 1))
    out = lineart.copy()
    for index in rng.integers(len(rows), size=count):
        radius = rng.uniform(*gaps.size) * min(height, width) / 2
        _erase_disc(out, int(rows[index]), int(cols[index]), radius)
    return out


def _erase_disc(lineart: np.ndarray, row: int, col: int, radius: float) -> None:
    """Paper over a disc, its rim softened over one pixel so the cut line ends as drawn lines end."""
    reach = int(np.ceil(radius)) + 1
    top, left = max(0, row - reach), max(0, col - reach)
    window = lineart[top : row + reach + 1, left : col + reach + 1]
    ys, xs = np.ogrid[top - row : top - row + window.shape[0], left - col : left - col + window.shape[1]]
    cover = np.clip(radius + 0.5 - np.sqrt(ys * ys + xs * xs), 0, 1)  # 1 inside, 0 outside, a 1-px rim
    window[...] = np.round(window + (255 - window.astype(np.float64)) * cover).astype(np.uint8)


__all__ = ["Gaps", "with_gaps"]
