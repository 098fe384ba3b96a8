"""Colour quality on real anime line art with a real user's hints (issue 13, "How it is judged", item 2).

The samples are style2paints' (`../shared/data/lineart/s2p-00N`): the line art, the hint layer a person
drew for it, and style2paints' own colouring from the same hints (the *peer*). Two numbers per picture:

* peer distance: mean CIE76 ΔE (Lab, D65) between our output and the peer's over the pixels that are not
  lines (line art luminance > 160), all three pictures resized to long side 256 with Pillow's BOX filter
  (an area average: every source pixel counts once, so 1-px lines and dots neither vanish nor alias);
* hint ΔE: mean ΔE between our output and the hint's own colour at hinted pixels off lines, at the line
  art's full size.

Beside them, two baselines that need no model: a white page and nearest-hint fill. "Our output" is what
`linetint colorize --max-side 768` writes: the network's colour with the line art multiplied over it.
No Qt here; scipy (nearest-hint fill) is imported where it is used, as it is a dev dependency only.

Held-out real drawings (item 1) are scored against the picture itself, on the 0-255 RGB scale, off lines:
hint error (at hinted pixels), region colour error (per enclosed area, median against median) and L1.
The hints are simulated from the picture with a generator seeded by its name, so every model sees the same.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from PIL import Image

from linetint.imaging.compose import compose
from linetint.imaging.flats import label_regions, region_medians
from linetint.imaging.line_source import is_colour_picture, network_lineart
from linetint.imaging.recolour import flattened
from linetint.model.hints import HintLayer, hint_rgba, load_hints
from linetint.model.images import load_lineart, load_rgb, open_image, to_grey
from linetint.training.hint_sim import simulate_hints

if TYPE_CHECKING:  # torch is not needed to score pictures, only to make them
    from linetint.model.colorizer import Colorizer

LINE_LUMINANCE = 160  # line art at or below this (of 255) is a line, not paper
EVAL_LONG_SIDE = 256
EVAL_RESAMPLING = Image.Resampling.BOX
MAX_SIDE = 768  # `linetint colorize`'s default working size
HELDOUT_MAX_SIDE = 384  # the corpus pictures' long side: the network runs at their own size
HELDOUT_SUBSET_SEED = 13  # which pictures --heldout-count picks; fixed so every run scores the same ones
REGION_MIN_AREA = 16  # areas smaller than this many px are slivers between lines, not colour regions

# D65 reference white, XYZ scaled so Y = 1 (CIE 15 / IEC 61966-2-1).
_D65_WHITE = np.array([0.95047, 1.0, 1.08883])
_SRGB_TO_XYZ = np.array(
    [
        [0.4124564, 0.3575761, 0.1804375],
        [0.2126729, 0.7151522, 0.0721750],
        [0.0193339, 0.1191920, 0.9503041],
    ]
)
_LAB_EPSILON = 216 / 24389  # CIE's exact constants, not the rounded 0.008856 / 903.3
_LAB_KAPPA = 24389 / 27

Colorize = Callable[[np.ndarray, HintLayer], np.ndarray]  # grey (H, W) + hints -> RGB (H, W, 3) uint8


# --------------------------------------------------------------------------------------------------------
# Colour


def srgb_to_lab(rgb: np.ndarray) -> np.ndarray:
    """sRGB uint8 (..., 3) -> CIE L*a*b* float64 (..., 3), D65 white."""
    c = np.asarray(rgb, dtype=np.float64) / 255.0
    linear = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    xyz = linear @ _SRGB_TO_XYZ.T / _D65_WHITE
    f = np.where(xyz > _LAB_EPSILON, np.cbrt(xyz), (_LAB_KAPPA * xyz + 16) / 116)
    lightness = 116 * f[..., 1] - 16
    a = 500 * (f[..., 0] - f[..., 1])
    b = 200 * (f[..., 1] - f[..., 2])
    return np.stack([lightness, a, b], axis=-1)


def delta_e76(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """CIE76 colour difference: Euclidean distance between Lab arrays (..., 3)."""
    return np.linalg.norm(np.asarray(a, np.float64) - np.asarray(b, np.float64), axis=-1)


# --------------------------------------------------------------------------------------------------------
# Metrics


def eval_size(width: int, height: int, long_side: int = EVAL_LONG_SIDE) -> tuple[int, int]:
    """(w, h) with the long side `long_side`, the aspect kept."""
    scale = long_side / max(width, height)
    return max(1, round(width * scale)), max(1, round(height * scale))


def _resized(array: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    return np.asarray(Image.fromarray(array).resize(size, EVAL_RESAMPLING))


def paper_mask(lineart_grey: np.ndarray) -> np.ndarray:
    """Pixels that are paper, not lines."""
    return lineart_grey > LINE_LUMINANCE


def _paper_at_eval_size(lineart_grey: np.ndarray) -> tuple[tuple[int, int], np.ndarray]:
    """The evaluation size (long side 256) and which of its pixels are paper: the line art resized, then
    thresholded, so faint resampled line edges count as lines where they are dark enough."""
    height, width = lineart_grey.shape
    size = eval_size(width, height)
    paper = paper_mask(_resized(lineart_grey, size))
    if not paper.any():
        raise ValueError("the line art has no paper pixels to compare")
    return size, paper


def peer_distance(ours_rgb: np.ndarray, peer_rgb: np.ndarray, lineart_grey: np.ndarray) -> float:
    """Mean ΔE76 between our picture and the peer's off lines, all three at long side 256.

    Every picture goes to the line art's evaluation size: the peer's result is a few pixels larger than
    its hint layer (style2paints pads), so its aspect differs by < 1 % and is squeezed to match.
    """
    size, paper = _paper_at_eval_size(lineart_grey)
    ours = srgb_to_lab(_resized(ours_rgb, size))
    peer = srgb_to_lab(_resized(peer_rgb, size))
    return float(delta_e76(ours, peer)[paper].mean())


def paper_lightness(rgb: np.ndarray, lineart_grey: np.ndarray) -> float:
    """Mean CIE L* (0 black, 100 white) of `rgb` off lines, at long side 256 as `peer_distance` measures:
    how light a colouring is where it is not ink. Illustrations are mostly light; a network that reads
    thin strands as dark matter is not."""
    size, paper = _paper_at_eval_size(lineart_grey)
    return float(srgb_to_lab(_resized(rgb, size))[..., 0][paper].mean())


def hint_delta_e(ours_rgb: np.ndarray, hint_layer: HintLayer, lineart_grey: np.ndarray) -> float | None:
    """Mean ΔE76 between our picture and the hint colour at hinted pixels off lines; None if there are none.

    At the line art's full size: hints are a few pixels wide and would blur away at 256.
    """
    height, width = lineart_grey.shape
    hints = hint_rgba(hint_layer, width, height)
    where = (hints[..., 3] > 0) & paper_mask(lineart_grey)
    if not where.any():
        return None
    return float(delta_e76(srgb_to_lab(ours_rgb[where]), srgb_to_lab(hints[where][:, :3])).mean())


def paper_areas(lineart_grey: np.ndarray) -> np.ndarray:
    """The 4-connected areas of paper (line art > LINE_LUMINANCE), labelled 0, 1, …; -1 on lines. Once per
    line art: on a busy colour illustration this takes seconds."""
    return label_regions(paper_mask(lineart_grey))


def colour_speckle(
    rgb: np.ndarray, areas: np.ndarray, hint_layer: HintLayer | None = None, min_area: int = REGION_MIN_AREA
) -> float | None:
    """How much colour wanders inside the areas nobody hinted: mean a*b* distance (ΔE76 with lightness
    left out, so shading does not count) of each paper pixel from its area's median colour, over areas of
    at least `min_area` px that hold no hint pixel; None when there are none. Full size: speckle is a few
    pixels across and would average away at long side 256.

    The rainbow speckle issue 13 names scores high here; a calm flat colour with light and shade scores
    near 0. `areas` come from paper_areas (the line art's), and `rgb` is resized to them if it differs.
    """
    height, width = areas.shape
    if rgb.shape[:2] != (height, width):
        rgb = np.asarray(Image.fromarray(rgb).resize((width, height), Image.Resampling.BOX))
    labels = areas.ravel()
    count = int(labels.max(initial=-1)) + 1
    if count == 0:
        return None
    counted = np.bincount(labels[labels >= 0], minlength=count) >= min_area
    if hint_layer is not None and hint_layer.hints:
        hinted = hint_rgba(hint_layer, width, height)[..., 3].ravel() > 0
        counted[np.unique(labels[hinted & (labels >= 0)])] = False
    where = labels >= 0
    where[where] = counted[labels[where]]
    if not where.any():
        return None
    pixels = rgb.reshape(-1, 3)
    medians = region_medians(labels, pixels, count)
    ab = srgb_to_lab(pixels[where])[:, 1:]
    median_ab = srgb_to_lab(medians)[labels[where], 1:]
    return float(np.linalg.norm(ab - median_ab, axis=-1).mean())


# --------------------------------------------------------------------------------------------------------
# Baselines and our output


def white_page(lineart_grey: np.ndarray, hints: HintLayer) -> np.ndarray:
    """The no-effort baseline: paper left white (the lines are masked out of every metric anyway)."""
    return np.full((*lineart_grey.shape, 3), 255, np.uint8)


def nearest_hint_fill(lineart_grey: np.ndarray, hints: HintLayer) -> np.ndarray:
    """Every pixel the colour of the nearest hinted pixel (Euclidean); white when there are no hints."""
    from scipy import ndimage  # a dev dependency: only evaluation needs it

    height, width = lineart_grey.shape
    picture = hint_rgba(hints, width, height)
    hinted = picture[..., 3] > 0
    if not hinted.any():
        return white_page(lineart_grey, hints)
    _, (rows, cols) = ndimage.distance_transform_edt(~hinted, return_indices=True)
    return picture[rows, cols, :3]


def model_colorize(colorizer: Colorizer, max_side: int = MAX_SIDE) -> Colorize:
    """`colorizer` as `linetint colorize` runs it: lines multiplied over."""

    def run(grey: np.ndarray, hints: HintLayer) -> np.ndarray:
        return compose(grey, colorizer.colorize(grey, hints, max_side=max_side))

    return run


# --------------------------------------------------------------------------------------------------------
# Samples


@dataclass(frozen=True)
class Sample:
    name: str
    lineart: np.ndarray  # uint8 (H, W), the file's grey, transparency on white paper: the metrics' lines
    hints: HintLayer  # at the line art's size, imported as `linetint colorize --hints` does
    peer: np.ndarray  # uint8 (h, w, 3), the peer's size
    network_lineart: np.ndarray  # what `linetint colorize` gives the network: XDoG lines of a colour picture
    areas: np.ndarray | None = None  # paper_areas(lineart), for colour_speckle; None: not scored
    shading: np.ndarray | None = None  # a colour picture's own grey, which its recolouring keeps; else None


@dataclass(frozen=True)
class Row:
    sample: str
    peer_distance: float
    hint_delta_e: float | None
    output: np.ndarray  # what was scored, uint8 (H, W, 3)
    speckle: float | None = None  # colour_speckle in the areas without hints


def default_sample_root() -> Path:
    """`../shared/data/lineart` beside the repository."""
    return Path(__file__).resolve().parents[2] / "shared" / "data" / "lineart"


def sample_folders(root: Path) -> list[Path]:
    return sorted(p for p in root.glob("s2p-*") if (p / "lineart.png").is_file())


def load_sample(folder: Path) -> Sample:
    image = open_image(folder / "lineart.png")
    grey = to_grey(image)
    height, width = grey.shape
    hints = load_hints(folder / "hints.png", width, height)
    peer = load_rgb(folder / "peer-result.png")
    shading = grey if is_colour_picture(image) else None
    return Sample(folder.name, grey, hints, peer, network_lineart(image), paper_areas(grey), shading)


def written(sample: Sample, colour: np.ndarray) -> np.ndarray:
    """What `linetint colorize` writes from the network's (or Keep Hint Colours') colour: the line art
    multiplied over it, or for a colour picture it recolours, the colour in the picture's own lightness."""
    return flattened(sample.network_lineart, colour, sample.shading)


def score_sample(sample: Sample, ours: np.ndarray) -> Row:
    """`ours` (the finished picture at the line art's size, as `written` gives it: the network saw
    `sample.network_lineart`, a colour picture's XDoG lines as the CLI gives it) against the peer and
    the hints."""
    if ours.shape != (*sample.lineart.shape, 3) or ours.dtype != np.uint8:
        raise ValueError(f"{sample.name}: colorize gave {ours.shape} {ours.dtype}, not the line art's size")
    return Row(
        sample.name,
        peer_distance(ours, sample.peer, sample.lineart),
        hint_delta_e(ours, sample.hints, sample.lineart),
        ours,
        None if sample.areas is None else colour_speckle(ours, sample.areas, sample.hints),
    )


def mean_of(values: Sequence[float | None]) -> float | None:
    """Mean of the values that exist; None when none do."""
    present = [v for v in values if v is not None]
    return float(np.mean(present)) if present else None


# --------------------------------------------------------------------------------------------------------
# Held-out real drawings: metrics against the picture itself (0-255 RGB, mean over channels, off lines)


def _abs_rgb(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Per pixel, the mean over channels of |a - b|, float64."""
    return np.abs(np.asarray(a, np.float64) - np.asarray(b, np.float64)).mean(axis=-1)


def hint_error(ours_rgb: np.ndarray, hint_layer: HintLayer, lineart_grey: np.ndarray) -> float | None:
    """Mean |ours - hint colour| at hinted pixels off lines; None when there are none."""
    height, width = lineart_grey.shape
    hints = hint_rgba(hint_layer, width, height)
    where = (hints[..., 3] > 0) & paper_mask(lineart_grey)
    if not where.any():
        return None
    return float(_abs_rgb(ours_rgb[where], hints[where][:, :3]).mean())


def l1_error(ours_rgb: np.ndarray, target_rgb: np.ndarray, lineart_grey: np.ndarray) -> float | None:
    """Mean |ours - target| off lines; None when the line art has no paper."""
    paper = paper_mask(lineart_grey)
    return float(_abs_rgb(ours_rgb[paper], target_rgb[paper]).mean()) if paper.any() else None


def region_colour_error(
    ours_rgb: np.ndarray, target_rgb: np.ndarray, lineart_grey: np.ndarray, min_area: int = REGION_MIN_AREA
) -> float | None:
    """Per area the lines enclose, |median ours - median target| (mean over channels), averaged over the
    areas weighted by their size; None when no area has `min_area` px.

    Areas are the 4-connected paper pixels, labelled as the app's flats are (without their gap closing:
    a leak merges two areas, which the median then judges as one). Medians, not means, so a few stray
    speckles do not count as a wrong area colour — L1 already sees those.
    """
    labels = label_regions(paper_mask(lineart_grey)).ravel()
    count = int(labels.max(initial=-1)) + 1
    if count == 0:
        return None
    sizes = np.bincount(labels[labels >= 0], minlength=count)
    ours = region_medians(labels, ours_rgb.reshape(-1, 3), count)
    target = region_medians(labels, target_rgb.reshape(-1, 3), count)
    kept = sizes >= min_area
    if not kept.any():
        return None
    return float(np.average(_abs_rgb(ours[kept], target[kept]), weights=sizes[kept]))


# --------------------------------------------------------------------------------------------------------
# Held-out real drawings: the pictures


@dataclass(frozen=True)
class Picture:
    name: str  # relative to the held-out folder, without ".png": "openmoji/1F939"
    target: np.ndarray  # uint8 (H, W, 3), the colour picture on white
    lineart: np.ndarray  # uint8 (H, W)
    lines: str  # "exact" (the artist's own line layer) or "xdog" (extracted from the picture)
    hints: HintLayer


@dataclass(frozen=True)
class HeldoutScore:
    picture: str
    hint_error: float | None
    region_error: float | None
    l1: float | None


def heldout_names(root: Path, count: int, seed: int = HELDOUT_SUBSET_SEED) -> list[str]:
    """`count` picture names under `root` (all when there are fewer), drawn with `seed`, sorted: the same
    subset on every run while the folder is unchanged."""
    names = sorted(p.relative_to(root).with_suffix("").as_posix() for p in root.rglob("*.png"))
    if count >= len(names):
        return names
    chosen = np.random.default_rng(seed).choice(len(names), size=count, replace=False)
    return [names[i] for i in sorted(chosen)]


def picture_seed(name: str) -> int:
    """A seed from the picture's name: stable across runs and machines (Python's hash() is salted)."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "little")


def exact_lines_path(root: Path, name: str) -> Path:
    """Where `linetint corpus` puts a picture's exact line art: <root>-lines/exact/<name>.png."""
    return root.parent / f"{root.name}-lines" / "exact" / f"{name}.png"


def load_picture(root: Path, name: str) -> Picture:
    """The picture, its line art (exact if the corpus has it, else XDoG) and its seeded simulated hints."""
    target = load_rgb(root / f"{name}.png")
    exact = exact_lines_path(root, name)
    if exact.is_file():
        lineart, lines = load_lineart(exact), "exact"
        if lineart.shape != target.shape[:2]:
            raise ValueError(f"{name}: line art {lineart.shape} is not the picture's size {target.shape[:2]}")
    else:
        from linetint.imaging.xdog import xdog  # torch: only needed when a picture lacks its line art

        lineart, lines = xdog(target), "xdog"
    hints = simulate_hints(target, np.random.default_rng(picture_seed(name)))
    return Picture(name, target, lineart, lines, hints)


def score_picture(colorize: Colorize, picture: Picture) -> HeldoutScore:
    ours = colorize(picture.lineart, picture.hints)
    if ours.shape != picture.target.shape or ours.dtype != np.uint8:
        raise ValueError(f"{picture.name}: colorize gave {ours.shape} {ours.dtype}, not the picture's size")
    return HeldoutScore(
        picture.name,
        hint_error(ours, picture.hints, picture.lineart),
        region_colour_error(ours, picture.target, picture.lineart),
        l1_error(ours, picture.target, picture.lineart),
    )


def with_lines(colorize: Colorize) -> Colorize:
    """`colorize` with the line art multiplied over, as the models' outputs are: the target pictures have
    their lines drawn in, so every column is compared the same way on anti-aliased line edges."""
    return lambda grey, hints: compose(grey, colorize(grey, hints))
