"""Training data: illustration folders (paper section 4.1) and synthetic pictures, as tensor dicts.

Every sample is ``{"lineart": (1, S, S), "hints": (4, S, S), "target": (3, S, S)}`` float32; line art and
target in [-1, 1] (white = +1), hints as ``rasterize`` encodes the simulated ``HintLayer``.

Randomness is a function of (seed, epoch, index) alone: each sample draws from its own
``np.random.Generator(SeedSequence([seed, epoch, index]))``, so DataLoader workers, DDP ranks and a resumed
run all see the same samples.  Call ``set_epoch`` before each epoch's DataLoader is built.  See the
"Data" section of docs/training.md for the rules in prose.
"""

from __future__ import annotations

import csv
import json
import os
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Protocol

import numpy as np
import torch
from PIL import Image
from torch.utils.data import Dataset

from linetint.imaging.xdog import xdog
from linetint.model.hints import rasterize
from linetint.model.images import ImageInputError, check_size, load_lineart, open_image
from linetint.model.tensors import picture_tensor

from .detail_lines import with_detail_strokes
from .hatching import with_hatching
from .hint_sim import HintSimConfig, simulate_hints
from .line_gaps import with_gaps
from .line_style import restyled
from .synthetic import SyntheticConfig, generate

IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".webp", ".bmp", ".tif", ".tiff"})
# "exact": the line art a source ships with its colour drawing (OpenMoji's black set, `linetint corpus`).
LINE_METHODS = ("xdog", "sketchkeras", "simplify", "exact")
PAPER_LINE_PROBS = {"xdog": 0.1, "sketchkeras": 0.5, "simplify": 0.4}
GREYSCALE_TAGS = frozenset({"greyscale", "grayscale", "monochrome"})

# Saturation test: on a thumbnail of at most THUMB_SIDE px, a pixel is "coloured" when max - min of its
# R, G, B is at least CHROMA_MIN (of 255); a picture with fewer than COLOURED_SHARE of them is greyscale.
# Chroma rather than HSV saturation: saturation explodes for near-black pixels (JPEG noise in ink), and a
# share rather than a mean keeps pale pictures on white paper (sketchkeras-1: 7 % coloured) in.
THUMB_SIDE = 64
CHROMA_MIN = 16
COLOURED_SHARE = 0.02
GREY_MODES = frozenset({"1", "L", "LA", "La", "I", "I;16", "I;16B", "I;16L", "F"})

MAX_TRIES = 50  # consecutive unreadable pictures before a sample gives up
# Last word of the SeedSequence that picks a sample's picture under folder shares: a stream apart from the
# sample's own, so the crop, flip and hints are drawn as without shares.  Not 0: numpy pads a shorter
# entropy list with zeros, so [seed, epoch, index, 0] would be the sample's own generator.
PICK_STREAM = 1


class DataWarning(UserWarning):
    """Something in the data was skipped or disabled; the message says what and what is used instead."""


# --------------------------------------------------------------------------------------------------------
# Files


def find_images(root: str | os.PathLike[str]) -> list[Path]:
    """Every picture under root, any nesting, sorted by relative path so the order is the same everywhere.

    Hidden files and folders (names starting with ".") are left out: thumbnails caches, editor files.
    """
    root = Path(root)
    if not root.is_dir():
        raise FileNotFoundError(f"{root}: no such folder")
    found = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in files:
            if not name.startswith(".") and Path(name).suffix.lower() in IMAGE_SUFFIXES:
                found.append(Path(folder, name))
    return sorted(found, key=lambda p: p.relative_to(root).as_posix())


def lineart_path(lines_dir: str | os.PathLike[str], method: str, relative: str | os.PathLike[str]) -> Path:
    """Where `linetint lines` keeps the line art of picture ``relative`` (to the data root) for ``method``.

    ``lines_dir/<method>/<relative path with a .png suffix>``: ``a/b.jpg`` -> ``lines/sketchkeras/a/b.png``.
    """
    if method not in LINE_METHODS:
        raise ValueError(f"unknown line-art method {method!r}; choose one of {', '.join(LINE_METHODS)}")
    return Path(lines_dir) / method / Path(relative).with_suffix(".png")


# --------------------------------------------------------------------------------------------------------
# Greyscale filter


def _tag_key(path: str) -> str:
    key = path.strip().replace("\\", "/")
    while key.startswith("./"):
        key = key[2:]
    return key


def _split_tags(value: object) -> frozenset[str]:
    """Danbooru-style "a b c" or a list of tags, lower-cased."""
    if isinstance(value, str):
        words = value.split()
    elif isinstance(value, list):
        words = [str(v) for v in value]
    else:
        raise ValueError(f"tags must be a string or a list, got {value!r}")
    return frozenset(w.strip().lower() for w in words if w.strip())


def read_tag_file(path: str | os.PathLike[str]) -> dict[str, frozenset[str]]:
    """Tags per picture, keyed by path relative to the data root ("/" separators).

    * ``.json``: an object mapping path -> tags, as a list or a space-separated string.
    * ``.csv``: rows ``path,tags...``; each further cell may hold several space-separated tags; a first
      row whose path cell is ``path`` is a header.
    * anything else: plain text, one path per line, every listed picture greyscale; ``#`` comments.
    """
    path = Path(path)
    text = path.read_text(encoding="utf-8-sig")
    if path.suffix.lower() == ".json":
        doc = json.loads(text)
        if not isinstance(doc, Mapping):
            raise ValueError(f"{path}: a JSON tag file maps picture paths to tags")
        return {_tag_key(k): _split_tags(v) for k, v in doc.items()}
    if path.suffix.lower() == ".csv":
        tags = {}
        for i, row in enumerate(csv.reader(text.splitlines())):
            if not row or not row[0].strip() or (i == 0 and row[0].strip().lower() == "path"):
                continue
            tags[_tag_key(row[0])] = _split_tags(" ".join(row[1:]))
        return tags
    lines = (line.strip() for line in text.splitlines())
    return {_tag_key(line): frozenset({"greyscale"}) for line in lines if line and not line.startswith("#")}


def _on_white(image: Image.Image) -> Image.Image:
    """RGB with any transparency composited on white paper (transparent pixels' RGB is arbitrary)."""
    if "A" in image.getbands() or "transparency" in image.info:
        rgba = image.convert("RGBA")
        paper = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(paper, rgba).convert("RGB")
    return image.convert("RGB")


def looks_greyscale(path: str | os.PathLike[str]) -> bool:
    """The saturation test on a thumbnail; raises ImageInputError for pictures that cannot be read."""
    path = Path(path)
    try:
        with Image.open(path) as image:
            check_size(*image.size)
            if image.mode in GREY_MODES:
                return True
            # JPEG decodes straight at 1/2 .. 1/8 scale; others decode once and shrink.
            image.draft("RGB", (THUMB_SIDE, THUMB_SIDE))
            image.thumbnail((THUMB_SIDE, THUMB_SIDE), Image.Resampling.BOX)
            rgb = np.asarray(_on_white(image), dtype=np.int16)
    except ImageInputError as exc:
        raise ImageInputError(f"{path.name}: {exc}") from None
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise ImageInputError(f"{path.name} is damaged or not a picture ({exc})") from None
    chroma = rgb.max(axis=-1) - rgb.min(axis=-1)
    return bool((chroma >= CHROMA_MIN).mean() < COLOURED_SHARE)


def drop_greyscale(
    root: Path, paths: Sequence[Path], tags: Mapping[str, frozenset[str]] | None
) -> tuple[list[Path], list[Path]]:
    """(kept, dropped): by tags when given (unlisted pictures kept), else by the saturation test.

    Pictures the saturation test cannot read are dropped with a warning naming them.
    """
    kept: list[Path] = []
    dropped: list[Path] = []
    for path in paths:
        if tags is not None:
            grey = bool(tags.get(path.relative_to(root).as_posix(), frozenset()) & GREYSCALE_TAGS)
        else:
            try:
                grey = looks_greyscale(path)
            except ImageInputError as exc:
                warnings.warn(f"skipping unreadable picture {path}: {exc}", DataWarning, stacklevel=2)
                dropped.append(path)
                continue
        (dropped if grey else kept).append(path)
    return kept, dropped


# --------------------------------------------------------------------------------------------------------
# Samples


def _as_tensors(lineart: np.ndarray, layer_raster: np.ndarray, target: np.ndarray) -> dict[str, torch.Tensor]:
    return {
        "lineart": picture_tensor(lineart),
        "hints": torch.from_numpy(layer_raster),
        "target": picture_tensor(target),
    }


def _sample_rng(seed: int, epoch: int, index: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence([seed, epoch, index]))


def _upscale_to(image: Image.Image, crop: int) -> Image.Image:
    """Lanczos upscale so the short side is ``crop``; pictures already large enough are left alone."""
    width, height = image.size
    short = min(width, height)
    if short >= crop:
        return image
    size = (max(crop, round(width * crop / short)), max(crop, round(height * crop / short)))
    return image.resize(size, Image.Resampling.LANCZOS)


def line_probs_by_name(probs: Sequence[float] | Mapping[str, float]) -> dict[str, float]:
    """{method: weight} for every method of LINE_METHODS, from a mapping or numbers in their order (a
    shorter sequence leaves the later methods at 0); ValueError for unknown names or negative weights."""
    if isinstance(probs, Mapping):
        unknown = set(probs) - set(LINE_METHODS)
        if unknown:
            raise ValueError(f"unknown line-art method {sorted(unknown)[0]!r}; choose from {LINE_METHODS}")
        named = {m: float(probs.get(m, 0.0)) for m in LINE_METHODS}
    else:
        if not 0 < len(probs) <= len(LINE_METHODS):
            raise ValueError(f"line_probs needs 1 to {len(LINE_METHODS)} numbers, got {probs}")
        named = {m: float(p) for m, p in zip(LINE_METHODS, probs, strict=False)}
        named.update({m: 0.0 for m in LINE_METHODS[len(probs) :]})
    if any(p < 0 for p in named.values()):
        raise ValueError(f"line-art weights must not be negative, got {named}")
    return named


def parse_line_probs(text: str) -> dict[str, float]:
    """'xdog=0.3,exact=0.7' -> {method: weight} (the --line-probs flag)."""
    try:
        pairs = [part.split("=") for part in text.split(",") if part.strip()]
        return line_probs_by_name({name.strip(): float(value) for name, value in pairs})
    except ValueError as exc:
        raise ValueError(f"--line-probs {text!r}: {exc} (write e.g. xdog=0.3,exact=0.7)") from None


def check_folder_shares(shares: Mapping[str, float]) -> dict[str, float]:
    """{folder: share} as floats; ValueError unless each names a top-level folder (no "/") with a share in
    [0, 1) and they sum to less than 1: the rest of the samples come from the pictures outside them."""
    checked = {str(name): float(share) for name, share in shares.items()}
    for name, share in checked.items():
        if name in ("", ".", "..") or "/" in name or "\\" in name:
            raise ValueError(f"folder share {name!r}: name a top-level folder of the data, e.g. wesnoth")
        if not 0 <= share < 1:
            raise ValueError(f"folder share {name}={share:g}: a share must be in [0, 1)")
    total = sum(checked.values())
    if total >= 1:
        raise ValueError(
            f"folder shares sum to {total:g}; they must sum to less than 1 (the rest of the samples come "
            "from the other pictures)"
        )
    return checked


def _name_values(text: str, form: str) -> list[tuple[str, float]]:
    """'a=1,b=0.5' -> [("a", 1.0), ("b", 0.5)]; ValueError naming `form` (e.g. FOLDER=SHARE) for a part
    that is not one name, "=" and one number. Empty parts are skipped."""
    pairs = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            continue
        if part.count("=") != 1:
            raise ValueError(f"{part!r} is not {form}")
        name, value = part.split("=")
        pairs.append((name.strip(), float(value)))
    return pairs


def parse_folder_shares(text: str) -> dict[str, float]:
    """'wesnoth=0.25,openmoji=0.1' -> {folder: share} (the --folder-shares flag); '' -> {}: no shares."""
    try:
        shares: dict[str, float] = {}
        for name, share in _name_values(text, "FOLDER=SHARE"):
            name = name.rstrip("/")  # "wesnoth/" as a shell completes it
            if name in shares:
                raise ValueError(f"{name!r} is given twice")
            shares[name] = share
        return check_folder_shares(shares)
    except ValueError as exc:
        raise ValueError(f"--folder-shares {text!r}: {exc} (write e.g. wesnoth=0.25)") from None


def _read_weight_file(path: Path) -> str:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"cannot read {path}: {exc}") from None
    return ",".join(line.split("#", 1)[0].strip() for line in lines)


def parse_picture_weights(text: str) -> tuple[tuple[str, float], ...]:
    """'openmoji/*-1F3FB.png=3,openmoji/*-1F3FF.png=0.35' -> ((glob, weight), ...) (the --picture-weights
    flag); '@FILE' reads one GLOB=WEIGHT per line (# starts a comment); '' -> (): every picture alike."""
    try:
        source = _read_weight_file(Path(text[1:])) if text.startswith("@") else text
        rules = tuple(_name_values(source, "GLOB=WEIGHT"))
        for pattern, weight in rules:
            if not pattern or not (weight >= 0 and np.isfinite(weight)):
                raise ValueError(f"{pattern}={weight:g}: a weight is a number >= 0 after a non-empty glob")
        return rules
    except ValueError as exc:
        raise ValueError(f"--picture-weights {text!r}: {exc} (write e.g. 'openmoji/*-1F3FB.png=3')") from None


def picture_weights(root: Path, paths: Sequence[Path], rules: Sequence[tuple[str, float]]) -> list[float]:
    """Each picture's weight: that of the first glob its path under root (with "/") matches, else 1.

    ValueError when a glob matches no picture (a typo would otherwise change nothing, silently) or every
    weight is 0.
    """
    weights, used = [], set()
    for path in paths:
        name = path.relative_to(root).as_posix()
        rule = next((i for i, (pattern, _) in enumerate(rules) if fnmatchcase(name, pattern)), None)
        used.add(rule)
        weights.append(1.0 if rule is None else rules[rule][1])
    unused = [pattern for i, (pattern, _) in enumerate(rules) if i not in used]
    if unused:
        raise ValueError(f"picture weights: {', '.join(unused[:3])} match no picture under {root}")
    if not any(weights):
        raise ValueError(f"picture weights: every picture under {root} has weight 0")
    return weights


@dataclass(frozen=True)
class FolderPicker:
    """Draws the picture a sample shows: a group with the groups' shares, then a picture of it, uniformly
    or, where a group has them, with its pictures' probabilities.

    Groups are the named folders' pictures and, last, all the others (indices into the dataset's paths).
    """

    groups: tuple[tuple[int, ...], ...]
    shares: tuple[float, ...]
    probabilities: tuple[tuple[float, ...] | None, ...] | None = None  # per group; None: uniform

    def pick(self, rng: np.random.Generator) -> int:
        which = int(rng.choice(len(self.groups), p=self.shares))
        group = self.groups[which]
        probs = self.probabilities[which] if self.probabilities else None
        if probs is None:
            return group[int(rng.integers(len(group)))]
        return group[int(rng.choice(len(group), p=probs))]


def _weighted(
    group: Sequence[int], weights: Sequence[float] | None
) -> tuple[tuple[int, ...], tuple[float, ...] | None]:
    """A group's pictures with weight above 0, and their probabilities (None without weights)."""
    if weights is None:
        return tuple(group), None
    kept = tuple(i for i in group if weights[i] > 0)
    total = sum(weights[i] for i in kept)
    return kept, tuple(weights[i] / total for i in kept) if kept else None


def folder_picker(
    root: Path,
    paths: Sequence[Path],
    shares: Mapping[str, float],
    weights: Sequence[float] | None = None,
) -> FolderPicker:
    """The picker that gives each named top-level folder of root its share of the samples and, with
    ``weights`` (one per path), draws the pictures within each folder in proportion to them.

    ValueError when a named folder has no picture among ``paths`` (typo, empty, all greyscale or all of
    weight 0), or when no picture is left outside the named folders for the remaining share.
    """
    shares = check_folder_shares(shares)
    members: dict[str, list[int]] = {name: [] for name in shares}
    rest: list[int] = []
    for i, path in enumerate(paths):
        parts = path.relative_to(root).parts
        top = parts[0] if len(parts) > 1 else None  # a picture directly in root is in no folder
        (members[top] if top in members else rest).append(i)
    groups = [_weighted(m, weights) for m in (*members.values(), rest)]
    for (name, share), (indices, _) in zip(shares.items(), groups, strict=False):
        if not indices:
            raise ValueError(
                f"folder share {name}={share:g}: no colour pictures in {root / name} "
                f"(a share names a top-level folder of {root})"
            )
    rest_share = 1 - sum(shares.values())
    if not groups[-1][0]:
        raise ValueError(
            f"every picture under {root} is in a folder with a share or has weight 0; the other "
            f"{rest_share:.0%} of the samples would have no pictures to come from"
        )
    return FolderPicker(
        tuple(g for g, _ in groups),
        (*shares.values(), rest_share),
        tuple(p for _, p in groups) if weights is not None else None,
    )


def _line_probs(probs: Mapping[str, float], available: Iterable[str]) -> dict[str, float]:
    available = set(available) | {"xdog"}  # XDoG on the fly always works
    weights = {m: p if m in available else 0.0 for m, p in probs.items()}
    total = sum(weights.values())
    if total <= 0:
        return {m: float(m == "xdog") for m in LINE_METHODS}
    return {m: w / total for m, w in weights.items()}


class IllustrationDataset(Dataset):
    """Random ``crop`` x ``crop`` samples of the colour pictures under ``root`` (greyscale ones left out).

    Line art per sample: XDoG, sketchKeras, sketch simplification or the source's own ("exact") with
    ``line_probs`` (paper: 0.1, 0.5, 0.4, 0; a mapping by name, or numbers in LINE_METHODS' order),
    read from ``lineart_path(lines_dir, method, relative)``; XDoG is computed on the fly when its
    folder is absent.  A method whose folder is missing is disabled with one warning and the rest
    renormalised; a single missing file falls back to XDoG on the fly (warned once per method).

    ``folder_shares`` ({top-level folder: share}, see ``folder_picker``) over-samples small folders: each
    sample then draws its picture (with replacement) so that the named folders get their shares and the
    other pictures the rest; without it, sample ``index`` shows picture ``index``.  The epoch length is the
    number of pictures either way.

    ``weight_rules`` ((glob, weight), ... from ``parse_picture_weights``) draw pictures in proportion to
    their weight (within each folder share), e.g. to show some variants of a drawing more than others;
    weight 0 leaves a picture out.

    ``thin_lines``: the share of samples whose line art is redrawn thin and grey (``line_style.restyled``),
    as an illustrator's sketch looks at the app's working size.

    ``detail_lines``: the share of samples given curved strokes inside areas of one colour
    (``detail_lines.with_detail_strokes``): lines that are not colour boundaries, as hair strands and folds.

    ``hatching``: the share of samples given groups of short parallel strokes inside areas of one colour
    (``hatching.with_hatching``): blush and shadow marks, which the corpus's line art never has.

    ``line_gaps``: the share of samples with short pieces of their lines erased (``line_gaps.with_gaps``):
    outlines that do not close, as sketches leave them; the target keeps its shapes.

    ``zoom``: each sample shows its picture enlarged by a factor drawn log-uniformly in 1..zoom before the
    crop (1: never). The corpus is stored at long side 384 while the app runs the network at 768 px, where
    an area of one colour spans two to three times the pixels it does in a 256-px crop of the corpus.
    """

    def __init__(
        self,
        root: str | os.PathLike[str],
        crop: int = 512,
        lines_dir: str | os.PathLike[str] | None = None,
        line_probs: Sequence[float] | Mapping[str, float] = PAPER_LINE_PROBS,
        hint_config: HintSimConfig | None = None,
        seed: int = 0,
        tag_file: str | os.PathLike[str] | None = None,
        folder_shares: Mapping[str, float] | None = None,
        thin_lines: float = 0.0,
        weight_rules: Sequence[tuple[str, float]] = (),
        detail_lines: float = 0.0,
        zoom: float = 1.0,
        hatching: float = 0.0,
        line_gaps: float = 0.0,
    ) -> None:
        if crop < 1:
            raise ValueError(f"crop must be positive, got {crop}")
        for name, share in (
            ("thin_lines", thin_lines),
            ("detail_lines", detail_lines),
            ("hatching", hatching),
            ("line_gaps", line_gaps),
        ):
            if not 0 <= share <= 1:
                raise ValueError(f"{name} must be a share in [0, 1], got {share}")
        if not zoom >= 1:
            raise ValueError(f"zoom must be 1 or more, got {zoom}")
        self.thin_lines = thin_lines
        self.detail_lines = detail_lines
        self.zoom = zoom
        self.hatching = hatching
        self.line_gaps = line_gaps
        line_probs = line_probs_by_name(line_probs)
        self.root = Path(root)
        self.crop = crop
        self.hint_config = hint_config if hint_config is not None else HintSimConfig()
        self.seed = seed
        self.epoch = 0
        tags = read_tag_file(tag_file) if tag_file is not None else None
        self.paths, self.greyscale = drop_greyscale(self.root, find_images(self.root), tags)
        if not self.paths:
            raise ValueError(
                f"{self.root}: no colour pictures "
                f"({len(self.greyscale)} greyscale or unreadable ones skipped)"
            )
        weights = picture_weights(self.root, self.paths, weight_rules) if weight_rules else None
        needs_picker = bool(folder_shares) or weights is not None
        self.picker = (
            folder_picker(self.root, self.paths, folder_shares or {}, weights) if needs_picker else None
        )
        self.lines_dir = Path(lines_dir) if lines_dir is not None else None
        self.precomputed = tuple(
            m for m in LINE_METHODS if self.lines_dir is not None and (self.lines_dir / m).is_dir()
        )
        self.line_probs = _line_probs(line_probs, self.precomputed)
        self._warn_missing_methods(line_probs)
        self._broken: set[Path] = set()
        self._warned_missing: set[str] = set()

    def _warn_missing_methods(self, asked: Mapping[str, float]) -> None:
        """One warning when a requested method has no folder (XDoG never needs one)."""
        missing = [m for m, p in asked.items() if p > 0 and m != "xdog"]
        missing = [m for m in missing if m not in self.precomputed]
        if not missing:
            return
        where = f"in {self.lines_dir}" if self.lines_dir is not None else "(no lines folder given)"
        used = ", ".join(f"{m} {p:.2f}" for m, p in self.line_probs.items() if p > 0)
        warnings.warn(
            f"no precomputed {' or '.join(missing)} line art {where}; {' and '.join(missing)} disabled, "
            f"line art now drawn as: {used} (make the rest with `linetint lines`)",
            DataWarning,
            stacklevel=3,
        )

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch

    def __len__(self) -> int:
        return len(self.paths)

    def picture_index(self, index: int) -> int:
        """Which picture sample ``index`` of this epoch shows (unless it turns out unreadable)."""
        if self.picker is None:
            return index
        pick_rng = np.random.default_rng(np.random.SeedSequence([self.seed, self.epoch, index, PICK_STREAM]))
        return self.picker.pick(pick_rng)

    def relative(self, path: Path) -> Path:
        return path.relative_to(self.root)

    def __getitem__(self, index: int) -> dict[str, torch.Tensor]:
        if not 0 <= index < len(self.paths):
            raise IndexError(f"index {index} is outside 0..{len(self.paths) - 1}")
        rng = _sample_rng(self.seed, self.epoch, index)
        chosen = self.picture_index(index)
        for _ in range(MAX_TRIES):
            path = self.paths[chosen]
            picture = None if path in self._broken else self._open(path)
            if picture is not None:
                return self._sample(path, picture, rng)
            # Another picture, drawn from this sample's generator so the substitute is reproducible too,
            # and by the folder shares when there are any so a broken picture does not shift them.
            chosen = self.picker.pick(rng) if self.picker else int(rng.integers(len(self.paths)))
        raise RuntimeError(f"{MAX_TRIES} unreadable pictures in a row under {self.root}; is the data intact?")

    def _open(self, path: Path) -> Image.Image | None:
        try:
            return _on_white(open_image(path))
        except ImageInputError as exc:
            self._broken.add(path)
            warnings.warn(f"skipping unreadable picture {path}: {exc}", DataWarning, stacklevel=3)
            return None

    def _precomputed_lines(self, path: Path, method: str, size: tuple[int, int]) -> Image.Image | None:
        """The stored line art at the picture's size, or None (warned once per method) when it is missing."""
        assert self.lines_dir is not None
        line_path = lineart_path(self.lines_dir, method, self.relative(path))
        try:
            lines = Image.fromarray(load_lineart(line_path))
        except ImageInputError as exc:
            if method not in self._warned_missing:
                self._warned_missing.add(method)
                warnings.warn(
                    f"{method} line art for {path} is unusable ({exc}); using XDoG on the fly for this and "
                    f"any other picture without {method} line art",
                    DataWarning,
                    stacklevel=4,
                )
            return None
        # Extractors that work at another resolution may be off by a pixel or more; match the picture.
        return lines if lines.size == size else lines.resize(size, Image.Resampling.LANCZOS)

    def _sample(self, path: Path, picture: Image.Image, rng: np.random.Generator) -> dict[str, torch.Tensor]:
        methods, probs = zip(*self.line_probs.items(), strict=True)
        method = methods[int(rng.choice(len(methods), p=probs))]
        lines = self._precomputed_lines(path, method, picture.size) if method in self.precomputed else None
        picture = _upscale_to(picture, self.crop)
        if lines is not None:
            lines = _upscale_to(lines, self.crop)
        width, height = picture.size
        # Drawn only when asked, so runs without it keep their samples.
        side = self.crop if self.zoom == 1 else round(self.crop / np.exp(rng.uniform(0, np.log(self.zoom))))
        x0 = int(rng.integers(width - side + 1))
        y0 = int(rng.integers(height - side + 1))
        box = (x0, y0, x0 + side, y0 + side)
        target = np.asarray(_cropped(picture, box, self.crop))
        line_art = np.asarray(_cropped(lines, box, self.crop)) if lines is not None else None
        if rng.random() < 0.5:
            target = target[:, ::-1]
            line_art = line_art[:, ::-1] if line_art is not None else None
        target = np.ascontiguousarray(target)
        if line_art is None:
            line_art = xdog(target)
        # Drawn only when asked, so runs without it keep their samples.
        if self.thin_lines and rng.random() < self.thin_lines:
            line_art, target = restyled(line_art, target, rng)
        # Gaps before the marks below: they cut outlines, and strands and hatching are not outlines.
        if self.line_gaps and rng.random() < self.line_gaps:
            line_art = with_gaps(line_art, rng)
        if self.detail_lines and rng.random() < self.detail_lines:
            line_art = with_detail_strokes(line_art, target, rng)
        if self.hatching and rng.random() < self.hatching:
            line_art = with_hatching(line_art, target, rng)
        layer = simulate_hints(target, rng, self.hint_config)
        return _as_tensors(np.ascontiguousarray(line_art), rasterize(layer), target)


def _cropped(image: Image.Image, box: tuple[int, int, int, int], crop: int) -> Image.Image:
    """`box` of `image` as a `crop` x `crop` picture: enlarged (Lanczos) when the box is smaller."""
    if box[2] - box[0] == crop:
        return image.crop(box)
    return image.resize((crop, crop), Image.Resampling.LANCZOS, box=box)


class SyntheticDataset(Dataset):
    """``length`` generated pictures (see synthetic.py) per epoch, different every epoch, same output."""

    def __init__(
        self,
        size: int = 256,
        length: int = 10_000,
        seed: int = 0,
        hint_config: HintSimConfig | None = None,
        config: SyntheticConfig | None = None,
    ) -> None:
        if size < 1 or length < 1:
            raise ValueError(f"size and length must be positive, got {size}, {length}")
        self.size, self.length, self.seed = size, length, seed
        self.hint_config = hint_config if hint_config is not None else HintSimConfig()
        self.config = config if config is not None else SyntheticConfig()
        self.epoch = 0

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch

    def __len__(self) -> int:
        return self.length

    def __getitem__(self, index: int) -> dict[str, torch.Tensor]:
        if not 0 <= index < self.length:
            raise IndexError(f"index {index} is outside 0..{self.length - 1}")
        sequence = np.random.SeedSequence([self.seed, self.epoch, index])
        picture_seed = int(sequence.generate_state(1)[0])
        sample = generate(picture_seed, self.size, self.config)
        layer = simulate_hints(sample.color, np.random.default_rng(sequence), self.hint_config)
        return _as_tensors(sample.lineart, rasterize(layer), sample.color)


class EpochDataset(Protocol):
    """A dataset whose samples depend on the epoch (IllustrationDataset, SyntheticDataset)."""

    def set_epoch(self, epoch: int) -> None: ...
    def __len__(self) -> int: ...
    def __getitem__(self, index: int) -> dict[str, torch.Tensor]: ...


class MixedDataset(Dataset):
    """Real pictures with a seeded `share` of samples drawn from `synthetic` instead: generated flat
    shapes keep teaching line-bounded filling while the model learns real colour. Same rules as the
    others: a sample is a function of (seed, epoch, index)."""

    def __init__(self, real: EpochDataset, synthetic: EpochDataset, share: float, seed: int = 0) -> None:
        if not 0 <= share < 1:
            raise ValueError(f"the synthetic share must be in [0, 1), got {share}")
        self.real, self.synthetic, self.share, self.seed = real, synthetic, share, seed
        self.epoch = 0

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch
        for part in (self.real, self.synthetic):
            part.set_epoch(epoch)

    def __len__(self) -> int:
        return len(self.real)

    def __getitem__(self, index: int) -> dict[str, torch.Tensor]:
        rng = _sample_rng(self.seed + 1, self.epoch, index)  # not the real sample's own generator
        if rng.random() < self.share:
            return self.synthetic[index % len(self.synthetic)]
        return self.real[index]


__all__ = [
    "GREYSCALE_TAGS",
    "IMAGE_SUFFIXES",
    "LINE_METHODS",
    "PAPER_LINE_PROBS",
    "DataWarning",
    "FolderPicker",
    "MixedDataset",
    "IllustrationDataset",
    "SyntheticDataset",
    "check_folder_shares",
    "drop_greyscale",
    "find_images",
    "folder_picker",
    "line_probs_by_name",
    "lineart_path",
    "looks_greyscale",
    "parse_folder_shares",
    "parse_picture_weights",
    "picture_weights",
    "parse_line_probs",
    "read_tag_file",
]
