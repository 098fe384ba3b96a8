"""Procedural anime-style busts with their exact line art: the face prior the real-drawing corpus lacks.

Issue 13: the corpus (emoji, clip art) holds no anime faces, and the model paints them grey or blue
with no hints, and dark where a face shares an area with the hair. Each picture here is a bust drawn
the way anime line art draws one: a light-skinned face with a pointed chin, large eyes (a thick upper
lash line, a coloured iris, a dark pupil, a white highlight), a small mouth, sometimes blush hatching
on the cheeks, hair behind the head, a fringe of pointed bangs with strands inside it and locks down
the sides, ears, a neck with the chin's shadow, shoulders in clothes with a collar. Skin comes from a
few anime tones (mostly light), hair, eyes and clothes from any hue; fills are flat with cel shadows,
lines only where the drawing has them (the shadows and the highlight have none). `linetint faces`
writes them as a corpus folder (picture + exact line art) for `linetint train --folder-shares`.
"""

from __future__ import annotations

import colorsys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
from PIL import Image, ImageChops, ImageDraw

from .synthetic import RGB, _Canvas, _mask

SKIN_LIGHT = ((255, 236, 224), (253, 228, 210), (250, 220, 200), (255, 241, 232), (246, 214, 190))
SKIN_DARK = ((226, 182, 150), (200, 150, 115), (150, 105, 80))
# Head coordinates (units of the face radius, y down) to canvas pixels, tilt included.
Place = Callable[[npt.ArrayLike], np.ndarray]
HAIR_NATURAL = (
    (45, 38, 50), (90, 60, 45), (140, 90, 60), (238, 208, 130), (232, 122, 52), (212, 212, 226), (188, 52, 52)
)  # fmt: skip


@dataclass(frozen=True)
class FaceConfig:
    """How the busts vary; sizes are fractions of the picture's short side unless they say px."""

    head: tuple[float, float] = (0.16, 0.36)  # face radius
    tilt_deg: float = 15.0
    line_width_px: tuple[float, float] = (1.0, 3.0)
    dark_skin_prob: float = 0.15
    natural_hair_prob: float = 0.45
    long_hair_prob: float = 0.6
    blush_prob: float = 0.4
    open_mouth_prob: float = 0.5
    ornament_prob: float = 0.35
    supersample: int = 2


def _jitter(colour: RGB, rng: np.random.Generator, amount: float = 8) -> RGB:
    r, g, b = np.clip(np.array(colour) + rng.normal(0, amount, 3), 0, 255).round().astype(int).tolist()
    return (r, g, b)


def _hue_colour(rng: np.random.Generator, sat: tuple[float, float], val: tuple[float, float]) -> RGB:
    r, g, b = colorsys.hsv_to_rgb(rng.uniform(), rng.uniform(*sat), rng.uniform(*val))
    return (round(r * 255), round(g * 255), round(b * 255))


def _scaled(colour: RGB, factors: tuple[float, float, float]) -> RGB:
    r, g, b = np.clip(np.array(colour) * np.array(factors), 0, 255).round().astype(int).tolist()
    return (r, g, b)


def _arc(centre: np.ndarray, rx: float, ry: float, start: float, stop: float, n: int = 24) -> np.ndarray:
    t = np.linspace(start, stop, n)
    return centre + np.stack([rx * np.cos(t), ry * np.sin(t)], axis=1)


class _Bust:
    """Layers drawn back to front: a filled shape covers the ink of what it hides, as in a drawing."""

    def __init__(self, canvas: _Canvas, rng: np.random.Generator, config: FaceConfig) -> None:
        self.canvas, self.rng = canvas, rng
        self.width = max(1, round(rng.uniform(*config.line_width_px) * config.supersample))
        self.ink = int(rng.integers(200, 256))

    def fill(self, points: np.ndarray, colour: RGB, outline: bool = True) -> Image.Image | None:
        box = self.canvas.box(points, margin=self.width)
        if box is None:
            return None
        mask = _mask(points, box)
        self.canvas.color.paste(colour, box, mask)
        self.canvas.ink.paste(0, box, mask)
        if outline:
            self.line(np.vstack([points, points[:1]]), self.width)
        full = Image.new("L", self.canvas.size, 0)
        full.paste(mask, box[:2])
        return full

    def shade(self, points: np.ndarray, colour: RGB, within: Image.Image | None) -> None:
        """A cel shadow or tint: colour only, no line, inside `within`."""
        if within is None:
            return
        area = Image.new("L", self.canvas.size, 0)
        ImageDraw.Draw(area).polygon([tuple(p) for p in points.tolist()], fill=255)
        self.canvas.color.paste(colour, (0, 0), ImageChops.multiply(area, within))

    def line(self, points: np.ndarray, width: int, within: Image.Image | None = None) -> None:
        layer = Image.new("L", self.canvas.size, 0)
        ImageDraw.Draw(layer).line(
            [tuple(p) for p in points.tolist()], fill=self.ink, width=width, joint="curve"
        )
        if within is not None:
            layer = ImageChops.multiply(layer, within)
        self.canvas.ink.paste(ImageChops.lighter(self.canvas.ink, layer))


def _draw_bust(bust: _Bust, rng: np.random.Generator, config: FaceConfig, c: np.ndarray, r: float) -> None:
    tilt = np.deg2rad(rng.uniform(-config.tilt_deg, config.tilt_deg))
    turn = np.array([[np.cos(tilt), -np.sin(tilt)], [np.sin(tilt), np.cos(tilt)]])

    def at(points: npt.ArrayLike) -> np.ndarray:
        return c + (np.asarray(points, float) * r) @ turn.T

    skin_pool = SKIN_DARK if rng.random() < config.dark_skin_prob else SKIN_LIGHT
    skin = _jitter(skin_pool[int(rng.integers(len(skin_pool)))], rng, 5)
    skin_shadow = _scaled(skin, (0.96, 0.85, 0.86))
    if rng.random() < config.natural_hair_prob:
        hair = _jitter(HAIR_NATURAL[int(rng.integers(len(HAIR_NATURAL)))], rng)
    else:
        hair = _hue_colour(rng, (0.3, 0.85), (0.45, 0.95))
    hair_shadow = _scaled(hair, (0.72, 0.7, 0.78))
    origin = np.zeros(2)

    # Hair behind the head, long or short.
    bottom = rng.uniform(1.6, 3.2) if rng.random() < config.long_hair_prob else rng.uniform(0.4, 0.9)
    back = np.vstack(
        [_arc(np.array([0, -0.1]), 1.25, 1.2, np.pi, 2 * np.pi), [[1.3, bottom], [-1.3, bottom]]]
    )
    bust.fill(at(back), hair_shadow)
    # Shoulders in clothes, a collar, the neck.
    cloth = _hue_colour(rng, (0.15, 0.8), (0.35, 0.95))
    body = np.array([[-0.35, 1.05], [0.35, 1.05], [1.6, 1.55], [2.1, 4.0], [-2.1, 4.0], [-1.6, 1.55]])
    body_mask = bust.fill(at(body), cloth)
    bust.shade(at(body + [0.9, 0.4]), _scaled(cloth, (0.75, 0.75, 0.82)), body_mask)
    collar = (255, 255, 255) if rng.random() < 0.5 else _hue_colour(rng, (0.1, 0.8), (0.5, 1.0))
    bust.fill(
        at([[-0.75, 1.2], [0.0, rng.uniform(1.7, 2.2)], [0.75, 1.2], [0.4, 1.05], [-0.4, 1.05]]), collar
    )
    neck = bust.fill(at([[-0.28, 0.55], [0.28, 0.55], [0.3, 1.25], [0.0, 1.45], [-0.3, 1.25]]), skin)
    bust.shade(at([[-0.4, 0.5], [0.4, 0.5], [0.4, 0.95], [-0.4, 1.1]]), skin_shadow, neck)
    for side in (-1, 1):  # ears
        bust.fill(at(_arc(np.array([side * 0.95, 0.1]), 0.14, 0.24, 0, 2 * np.pi, 16)), skin)
    # The face: round above, cheeks narrowing to a pointed chin.
    chin = rng.uniform(0.95, 1.1)
    cheek = np.array([[1.0, 0.0], [0.97, 0.35], [0.75, 0.7], [0.3, 0.95 * chin], [0.0, chin]])
    face_points = np.vstack([_arc(origin, 1.0, 1.0, np.pi, 2 * np.pi), cheek, cheek[-2::-1] * [-1, 1]])
    face = bust.fill(at(face_points), skin)
    _eyes(bust, rng, at, face)
    _mouth(bust, rng, config, at)
    if rng.random() < config.blush_prob:
        _blush(bust, rng, at, face, skin)
    fringe = _fringe(rng)
    bust.shade(at(fringe + [0, 0.12]), skin_shadow, face)  # the fringe's shadow on the forehead
    fringe_mask = bust.fill(at(fringe), hair)
    for _ in range(int(rng.integers(3, 7))):  # strands: lines inside the hair that bound no colour
        x = rng.uniform(-0.8, 0.8)
        strand = np.array(
            [[x * 0.4, -1.05], [x * 0.8, -0.6], [x + rng.uniform(-0.1, 0.1), rng.uniform(-0.3, 0.1)]]
        )
        bust.line(at(strand), max(1, bust.width - 1), fringe_mask)
    for side in (-1, 1):  # side locks over the face's edge
        length = rng.uniform(0.6, 1.4)
        lock = [[side * 0.75, -0.4], [side * 1.08, -0.2], [side * 1.0, length], [side * 0.82, length - 0.15]]
        bust.fill(at(np.array(lock)), hair)
    if rng.random() < config.ornament_prob:
        ornament = _hue_colour(rng, (0.5, 0.9), (0.5, 0.95))
        side = rng.choice([-1, 1])
        bust.fill(at(_arc(np.array([side * 0.8, -0.85]), 0.22, 0.2, 0, 2 * np.pi, 20)), ornament)


def _fringe(rng: np.random.Generator) -> np.ndarray:
    """Top of the head down to a row of pointed bangs over the forehead (head units)."""
    top = _arc(np.array([0.0, -0.05]), 1.12, 1.1, np.pi, 2 * np.pi)
    spikes = int(rng.integers(5, 10))
    xs = np.linspace(1.0, -1.0, 2 * spikes + 1)
    ys = np.where(
        np.arange(xs.size) % 2 == 1, rng.uniform(-0.1, 0.3, xs.size), rng.uniform(-0.5, -0.3, xs.size)
    )
    return np.vstack([top, np.stack([xs, ys], axis=1)])


def _eyes(bust: _Bust, rng: np.random.Generator, at: Place, face: Image.Image | None) -> None:
    iris = _hue_colour(rng, (0.35, 0.9), (0.35, 0.9))
    rx, ry, y = rng.uniform(0.2, 0.3), rng.uniform(0.26, 0.36), rng.uniform(0.15, 0.32)
    for side in (-1, 1):
        centre = np.array([side * rng.uniform(0.38, 0.46), y])
        bust.fill(at(_arc(centre, rx, ry, 0, 2 * np.pi, 28)), (250, 250, 255), outline=False)
        ball = bust.fill(at(_arc(centre + [0, 0.05], rx * 0.75, ry * 0.85, 0, 2 * np.pi, 24)), iris)
        bust.shade(
            at(_arc(centre + [0, -0.25], rx, ry * 0.5, 0, 2 * np.pi, 20)),
            _scaled(iris, (0.6, 0.6, 0.7)),
            ball,
        )
        bust.fill(
            at(_arc(centre + [0, 0.08], rx * 0.3, ry * 0.4, 0, 2 * np.pi, 16)),
            _scaled(iris, (0.3, 0.3, 0.35)),
        )
        light = _arc(centre + [-0.35 * rx * side, -0.1], rx * 0.22, rx * 0.22, 0, 2 * np.pi, 12)
        bust.shade(at(light), (255, 255, 255), face)
        lash = _arc(centre, rx * 1.1, ry * 1.05, np.pi * 1.05, np.pi * 1.95, 16)
        # The outer corner flicks outwards: after the lash's right end, before its left end.
        flick = lash[-1] + [0.08, 0.05] if side > 0 else lash[0] + [-0.08, 0.05]
        lash = np.vstack([lash, [flick]]) if side > 0 else np.vstack([[flick], lash])
        bust.line(at(lash), bust.width * 3)
        bust.line(at(_arc(centre, rx * 0.9, ry, np.pi * 0.3, np.pi * 0.7, 8)), bust.width)
        bust.line(at(_arc(centre + [0, -0.45], rx, 0.08, np.pi * 1.1, np.pi * 1.9, 8)), bust.width)  # brow


def _mouth(bust: _Bust, rng: np.random.Generator, config: FaceConfig, at: Place) -> None:
    bust.line(at(np.array([[0.0, 0.5], [0.03, 0.55]])), max(1, bust.width - 1))  # nose
    width, y = rng.uniform(0.08, 0.2), rng.uniform(0.7, 0.8)
    if rng.random() < config.open_mouth_prob:
        inside = _arc(np.array([0.0, y]), width, rng.uniform(0.06, 0.14), 0, np.pi, 12)
        mouth = bust.fill(at(np.vstack([[[-width, y]], inside[::-1], [[width, y]]])), (176, 58, 70))
        bust.shade(
            at(_arc(np.array([0.0, y + 0.1]), width * 0.7, 0.05, 0, 2 * np.pi, 12)), (236, 128, 138), mouth
        )
    else:
        bust.line(at(_arc(np.array([0.0, y - 0.05]), width, 0.05, 0.2 * np.pi, 0.8 * np.pi, 8)), bust.width)


def _blush(bust: _Bust, rng: np.random.Generator, at: Place, face: Image.Image | None, skin: RGB) -> None:
    pink = tuple(int(v) for v in (np.array(skin) * 0.7 + np.array([255, 150, 160]) * 0.3).round())
    for side in (-1, 1):
        centre = np.array([side * 0.55, 0.6])
        bust.shade(at(_arc(centre, 0.2, 0.09, 0, 2 * np.pi, 16)), pink, face)  # type: ignore[arg-type]
        for k in range(int(rng.integers(3, 6))):
            x = centre[0] - 0.15 + 0.08 * k
            bust.line(at(np.array([[x + 0.04, 0.53], [x - 0.03, 0.67]])), max(1, bust.width - 1), face)


def generate_face(
    seed: int, size: tuple[int, int], config: FaceConfig = FaceConfig()
) -> tuple[np.ndarray, np.ndarray]:
    """(colour picture HxWx3, line art HxW) of one bust; the same seed and size give the same picture."""
    height, width = size
    rng = np.random.default_rng(seed)
    scale = config.supersample
    canvas = _Canvas(width * scale, height * scale)
    short = min(height, width) * scale
    r = rng.uniform(*config.head) * short
    centre = np.array([rng.uniform(0.3, 0.7) * width * scale, rng.uniform(0.3, 0.55) * height * scale])
    _draw_bust(_Bust(canvas, rng, config), rng, config, centre, r)
    colour = np.asarray(canvas.color.reduce(scale)).astype(np.uint16)
    ink = np.asarray(canvas.ink.reduce(scale)).astype(np.uint16)
    inked = ((colour * (255 - ink)[..., None] + 127) // 255).astype(np.uint8)
    return inked, (255 - ink).astype(np.uint8)


def write_faces(out: Path, count: int, side: int = 384, seed: int = 0, first: int = 0) -> None:
    """OUT/train/faces/NNNNN.png and OUT/train-lines/exact/faces/NNNNN.png, as `linetint corpus` lays out,
    for busts number `first` .. `first + count - 1`: each bust depends only on its number and `seed`, so
    processes writing parts of the range make the same files as one process writing all of it."""
    pictures, lines = out / "train" / "faces", out / "train-lines" / "exact" / "faces"
    pictures.mkdir(parents=True, exist_ok=True)
    lines.mkdir(parents=True, exist_ok=True)
    for index in range(first, first + count):
        rng = np.random.default_rng([seed, index])
        size = (side, int(rng.integers(side * 3 // 4, side + 1)))
        colour, line_art = generate_face(int(rng.integers(2**31)), size)
        Image.fromarray(colour).save(pictures / f"{index:05d}.png")
        Image.fromarray(line_art).save(lines / f"{index:05d}.png")
