"""Hatching inside one colour: blush and shadow marks that are not dark areas.

Illustrators mark blush on cheeks, shadow under hair and sheen on cloth with small groups of short
parallel strokes. In the corpus's line art, lines that close together only come from a dark or textured
fill, so the network paints such a group dark: on style2paints' s2p-004, erasing the two blush patches
from the line art lifts the face's mean colour from (88, 65, 47) to (147, 112, 93) with the model shipped
on 2026-12-02 (bench/blush_faces.py).
`with_hatching` draws such groups inside areas of one colour and leaves the target as it was.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .detail_lines import Pen, with_marks


@dataclass(frozen=True)
class Hatching:
    """What `with_hatching` draws: how many groups, strokes per group, stroke length as a share of the
    picture's short side, the gap between strokes and their width (px), ink darkness (1 = black), and the
    colour spread (0-255) and least area (px) of the area a group stays in."""

    groups: tuple[int, int] = (1, 4)
    strokes: tuple[int, int] = (3, 7)
    length: tuple[float, float] = (0.03, 0.08)
    gap: tuple[float, float] = (2.0, 4.5)
    width: tuple[float, float] = (0.7, 1.5)
    ink: tuple[float, float] = (0.35, 0.9)
    same_colour: int = 16
    min_area: int = 300

    def __post_init__(self) -> None:
        for name in ("groups", "strokes"):
            low, high = getattr(self, name)
            if not 0 <= low <= high:
                raise ValueError(f"hatching {name} must satisfy 0 <= low <= high, got {(low, high)}")
        for name in ("length", "gap", "width"):
            low, high = getattr(self, name)
            if not 0 < low <= high:
                raise ValueError(f"hatching {name} must satisfy 0 < low <= high, got {(low, high)}")
        if not 0 < self.ink[0] <= self.ink[1] <= 1:
            raise ValueError(f"ink darkness must satisfy 0 < low <= high <= 1, got {self.ink}")


def with_hatching(
    lineart: np.ndarray, target: np.ndarray, rng: np.random.Generator, hatching: Hatching = Hatching()
) -> np.ndarray:
    """`lineart` (uint8 H×W) with groups of short parallel strokes inside areas of one colour of `target`
    (uint8 H×W×3, unchanged). One width and darkness per picture, as one pen drew it."""

    def group(centre: tuple[int, int], rng: np.random.Generator) -> list[np.ndarray]:
        return group_strokes(centre, min(lineart.shape), rng, hatching)

    pen = Pen(hatching.groups, hatching.width, hatching.ink, hatching.same_colour, hatching.min_area)
    return with_marks(lineart, target, rng, pen, group)


def group_strokes(
    centre: tuple[int, int], side: int, rng: np.random.Generator, hatching: Hatching
) -> list[np.ndarray]:
    """The (x, y) end points of one group: parallel strokes across `centre` ((row, col)), one direction,
    evenly spaced, each a little longer or shorter and shifted along its own direction, as a hand draws."""
    count = int(rng.integers(hatching.strokes[0], hatching.strokes[1] + 1))
    length = float(rng.uniform(*hatching.length)) * side
    gap = float(rng.uniform(*hatching.gap))
    angle = rng.uniform(0, np.pi)
    along = np.array([np.cos(angle), np.sin(angle)])
    across = np.array([-along[1], along[0]])
    origin = np.array([centre[1], centre[0]], np.float64)
    strokes = []
    for k in range(count):
        middle = origin + (k - (count - 1) / 2) * gap * across + rng.normal(0, 0.15) * length * along
        half = length * rng.uniform(0.7, 1.0) / 2
        strokes.append(np.stack([middle - half * along, middle + half * along]))
    return strokes


__all__ = ["Hatching", "group_strokes", "with_hatching"]
