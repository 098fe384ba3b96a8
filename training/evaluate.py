"""`linetint evaluate`: FID, L1 and hint-colour error of a checkpoint on a test folder (paper section 4.3).

Per test picture (the colour pictures under the folder, greyscale ones dropped by the training rule):

1. **Crop rule** (``eval_crop``): the training crop rule without its randomness — a picture whose short
   side is below ``size`` is enlarged (Lanczos) so that side equals ``size``; larger pictures are not
   scaled; then the centre ``size`` x ``size`` square is taken (the extra pixel of an odd margin goes to
   the right/bottom).  Not scaling big pictures keeps line widths as the generator saw them in training.
2. **Line art**: XDoG of the crop, as training computes it on the fly, or precomputed line art
   (``lineart_path(lines, method, relative)``, brought to the picture's size, then the same crop).
3. **Hints**: the *fixed* hints of the hints file, so every model is scored on the same hints.  The file is
   made once by ``make_fixed_hints``: ``simulate_hints`` on the crop, seeded by (seed, relative path),
   written as ``{"format": "linetint-eval-hints", "version": 1, "size": S, "seed": s,
   "hints": {"a/b.png": <hint-contract layer JSON object>, ...}}``.  A bare ``{path: layer}`` object is
   accepted too.
4. The generator runs once at ``size`` x ``size``, in fp32 (``colorize_crop``, not the app's faster
   reduced-precision path); its output is compared with the real crop.

Metrics (0-255 units): **FID** between real crops and outputs (``fid.py``; undefined below 2 pictures);
**L1**, the mean absolute difference per channel; **hint error**, the mean Euclidean RGB distance between
the output and the requested colour over all hinted pixels of all pictures (beyond the paper: does the
model do what the user asked?).
"""

from __future__ import annotations

import hashlib
import json
import os
import warnings
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from PIL import Image

from linetint.imaging.xdog import xdog
from linetint.model.atomic import atomic_write
from linetint.model.hints import (
    HintFormatError,
    HintLayer,
    hint_rgba,
    layer_from_json,
    layer_to_json,
    rasterize,
)
from linetint.model.images import ImageInputError, load_lineart
from linetint.model.tensors import picture_tensor, tensor_picture

from .data import LINE_METHODS, DataWarning, drop_greyscale, find_images, lineart_path, read_tag_file
from .hint_sim import HintSimConfig, simulate_hints
from .lines import picture_rgb

HINTS_FORMAT = "linetint-eval-hints"
HINTS_VERSION = 1
REPORT_FORMAT = "linetint-eval-report"
MIN_SIZE = 16


class EvalError(ValueError):
    """Evaluation cannot run as asked; the message says what to change."""


# --------------------------------------------------------------------------------------------------------
# Crops and hints


def eval_crop(image: np.ndarray, size: int) -> np.ndarray:
    """The evaluation crop of an (H, W) or (H, W, 3) uint8 picture; see the module docstring."""
    height, width = image.shape[:2]
    short = min(width, height)
    if short < size:
        scaled = (max(size, round(width * size / short)), max(size, round(height * size / short)))
        image = np.asarray(Image.fromarray(image).resize(scaled, Image.Resampling.LANCZOS))
        height, width = image.shape[:2]
    top, left = (height - size) // 2, (width - size) // 2
    return np.ascontiguousarray(image[top : top + size, left : left + size])


def hint_rng(seed: int, relative: str) -> np.random.Generator:
    """A generator of its own per picture, keyed by its path: adding pictures changes no other's hints."""
    words = np.frombuffer(hashlib.sha256(relative.encode("utf-8")).digest()[:8], dtype=np.uint32)
    return np.random.default_rng(np.random.SeedSequence([seed, *words.tolist()]))


@dataclass(frozen=True)
class FixedHints:
    size: int | None  # the crop size the hints were made for; None for a bare mapping
    seed: int | None
    layers: Mapping[str, HintLayer]


def _test_pictures(root: Path, tag_file: str | os.PathLike[str] | None) -> list[Path]:
    try:
        tags = read_tag_file(tag_file) if tag_file is not None else None
    except (OSError, ValueError) as exc:
        raise EvalError(f"--tags {tag_file}: {exc}") from None
    kept, _ = drop_greyscale(root, find_images(root), tags)
    if not kept:
        raise EvalError(f"{root}: no colour pictures to evaluate on")
    return kept


def make_fixed_hints(
    data: str | os.PathLike[str],
    size: int,
    seed: int = 0,
    config: HintSimConfig | None = None,
    tag_file: str | os.PathLike[str] | None = None,
    progress: Callable[[Iterable[Path]], Iterable[Path]] = iter,
) -> FixedHints:
    """Simulated hints for the evaluation crop of every test picture (unreadable ones warned and left out)."""
    root = Path(data)
    layers = {}
    for path in progress(_test_pictures(root, tag_file)):
        relative = path.relative_to(root).as_posix()
        try:
            crop = eval_crop(picture_rgb(path), size)
        except ImageInputError as exc:
            warnings.warn(f"skipping unreadable picture {path}: {exc}", DataWarning, stacklevel=2)
            continue
        layers[relative] = simulate_hints(crop, hint_rng(seed, relative), config or HintSimConfig())
    return FixedHints(size, seed, layers)


def save_fixed_hints(hints: FixedHints, path: str | os.PathLike[str]) -> None:
    doc = {
        "format": HINTS_FORMAT,
        "version": HINTS_VERSION,
        "size": hints.size,
        "seed": hints.seed,
        "hints": {k: json.loads(layer_to_json(v)) for k, v in sorted(hints.layers.items())},
    }
    with atomic_write(path) as f:
        f.write((json.dumps(doc, indent=1) + "\n").encode("utf-8"))


def load_fixed_hints(path: str | os.PathLike[str]) -> FixedHints:
    """Read a hints file; EvalError names the file and the entry that is wrong."""
    path = Path(path)
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise EvalError(f"{path}: no such hints file; make it once with --make-hints") from None
    except (OSError, ValueError) as exc:
        raise EvalError(f"{path} is not a readable JSON hints file ({exc})") from None
    if not isinstance(doc, dict):
        raise EvalError(f"{path}: expected a JSON object mapping picture paths to hint layers")
    size = seed = None
    if doc.get("format") == HINTS_FORMAT:
        if doc.get("version") != HINTS_VERSION:
            raise EvalError(
                f"{path}: hints file version {doc.get('version')!r}, this LineTint reads {HINTS_VERSION}"
            )
        size, seed, doc = doc.get("size"), doc.get("seed"), doc.get("hints")
        if not isinstance(doc, dict):
            raise EvalError(f"{path}: 'hints' must map picture paths to hint layers")
    layers = {}
    for key, value in doc.items():
        try:
            layers[key.replace("\\", "/")] = layer_from_json(json.dumps(value))
        except HintFormatError as exc:
            raise EvalError(f"{path}: hints for {key}: {exc}") from None
    return FixedHints(size, seed, layers)


# --------------------------------------------------------------------------------------------------------
# Metrics


def hint_distances(rgb: np.ndarray, layer: HintLayer) -> np.ndarray:
    """Euclidean RGB distance (0-255 units) between ``rgb`` and the requested colour at every hinted pixel.

    The requested colour of a pixel is what the hint contract rasterizes there at ``rgb``'s size (later
    hints over earlier ones).
    """
    height, width = rgb.shape[:2]
    wanted = hint_rgba(layer, width, height)
    hinted = wanted[..., 3] > 0
    diff = rgb[hinted].astype(np.float64) - wanted[..., :3][hinted].astype(np.float64)
    return np.sqrt((diff * diff).sum(axis=1))


def hint_colour_error(rgb: np.ndarray, layer: HintLayer) -> float | None:
    """Mean of ``hint_distances``; None for a picture without hints."""
    distances = hint_distances(rgb, layer)
    return float(distances.mean()) if distances.size else None


def l1_error(output: np.ndarray, real: np.ndarray) -> float:
    """Mean absolute difference per channel, 0-255 units."""
    return float(np.abs(output.astype(np.float64) - real.astype(np.float64)).mean())


# --------------------------------------------------------------------------------------------------------
# Evaluation


@dataclass(frozen=True)
class EvalOptions:
    checkpoint: Path
    data: Path
    hints: Path
    fid_weights: str | None = None  # file, URL, "random", or None for $LINETINT_FID_WEIGHTS / the release
    lines: Path | None = None
    line_method: str = "xdog"
    size: int = 512
    device: str = "auto"
    batch: int = 16
    tags: Path | None = None

    def __post_init__(self) -> None:
        if self.size < MIN_SIZE:
            raise EvalError(f"--size must be at least {MIN_SIZE}, got {self.size}")
        if self.batch < 1:
            raise EvalError(f"--batch must be positive, got {self.batch}")
        if self.line_method not in LINE_METHODS:
            raise EvalError(
                f"unknown line-art method {self.line_method!r}; choose one of {', '.join(LINE_METHODS)}"
            )
        if self.line_method != "xdog" and self.lines is None:
            raise EvalError(f"--line-method {self.line_method} needs --lines DIR made by `linetint lines`")
        if not self.data.is_dir():
            raise EvalError(f"--data {self.data}: no such folder")


@dataclass(frozen=True)
class EvalReport:
    checkpoint: str
    checkpoint_file: str
    trained: bool
    images: int
    size: int
    line_art: str
    hints_file: str
    fid: float | None
    l1: float
    hint_error: float | None
    hinted_pixels: int
    fid_weights: str
    fid_weights_random: bool
    notes: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": REPORT_FORMAT,
            "version": 1,
            "checkpoint": self.checkpoint,
            "checkpoint_file": self.checkpoint_file,
            "trained": self.trained,
            "images": self.images,
            "size": self.size,
            "line_art": self.line_art,
            "hints_file": self.hints_file,
            "metrics": {"fid": self.fid, "l1": self.l1, "hint_error": self.hint_error},
            "units": "l1: mean |output - real| per channel, 0-255; hint_error: mean RGB distance at hinted "
            "pixels, 0-255",
            "hinted_pixels": self.hinted_pixels,
            "fid_weights": self.fid_weights,
            "fid_weights_random": self.fid_weights_random,
            "notes": list(self.notes),
        }


def _line_art(options: EvalOptions, root: Path, path: Path, rgb: np.ndarray, crop: np.ndarray) -> np.ndarray:
    if options.lines is None:
        return xdog(crop)
    line_path = lineart_path(options.lines, options.line_method, path.relative_to(root))
    try:
        grey = load_lineart(line_path)
    except ImageInputError as exc:
        raise EvalError(
            f"no usable {options.line_method} line art for {path.relative_to(root)} ({exc}); "
            f"make it with `linetint lines --in {root} --out {options.lines} --method {options.line_method}`"
        ) from None
    height, width = rgb.shape[:2]
    if grey.shape != (height, width):
        grey = np.asarray(Image.fromarray(grey).resize((width, height), Image.Resampling.LANCZOS))
    return eval_crop(grey, options.size)


@torch.inference_mode()
def colorize_crop(generator: torch.nn.Module, grey: np.ndarray, raster: np.ndarray) -> np.ndarray:
    """One fp32 generator pass: uint8 grey (S, S) + hint raster (4, S, S) -> uint8 RGB (S, S, 3).

    Not the app's ``Colorizer``: its speed options (reduced precision, cached hint features) must not
    change the numbers, so every model is scored the same plain way.
    """
    device = next(generator.parameters()).device
    lineart = picture_tensor(grey)[None].to(device)
    hints = torch.from_numpy(np.ascontiguousarray(raster, dtype=np.float32))[None].to(device)
    return tensor_picture(generator(lineart, hints)[0])


def evaluate(options: EvalOptions, progress: Callable[[Iterable[Path]], Iterable[Path]] = iter) -> EvalReport:
    """Score ``options.checkpoint``; raises EvalError / FIDWeightsError / CheckpointError / DeviceError on
    bad input, before any picture is processed where it can."""
    from linetint.model.checkpoint import load_checkpoint
    from linetint.model.devices import pick_device

    from .fid import InceptionFeatures, fid_from_features, fid_weights_description, load_fid_network

    hints = load_fixed_hints(options.hints)
    if hints.size is not None and hints.size != options.size:
        raise EvalError(
            f"{options.hints} was made for --size {hints.size}; evaluate with --size {hints.size} or make "
            "new hints"
        )
    root = options.data
    pictures = _test_pictures(root, options.tags)
    missing = [
        p.relative_to(root).as_posix() for p in pictures if p.relative_to(root).as_posix() not in hints.layers
    ]
    if missing:
        raise EvalError(
            f"{len(missing)} test pictures have no hints in {options.hints} (first: {missing[0]}); make the "
            "hints file from this folder with --make-hints"
        )
    device = pick_device(options.device)
    checkpoint = load_checkpoint(options.checkpoint)
    generator = checkpoint.build_generator().to(device)
    net, random_fid = load_fid_network(options.fid_weights, device)
    features = InceptionFeatures(net, device)

    real_feats: list[np.ndarray] = []
    fake_feats: list[np.ndarray] = []
    real_batch: list[np.ndarray] = []
    fake_batch: list[np.ndarray] = []
    l1s, distances, count = [], [], 0

    def flush() -> None:
        real_feats.append(features(real_batch))
        fake_feats.append(features(fake_batch))
        real_batch.clear()
        fake_batch.clear()

    for path in progress(pictures):
        relative = path.relative_to(root).as_posix()
        try:
            rgb = picture_rgb(path)
        except ImageInputError as exc:
            warnings.warn(f"skipping unreadable picture {path}: {exc}", DataWarning, stacklevel=2)
            continue
        real = eval_crop(rgb, options.size)
        layer = hints.layers[relative]
        grey = _line_art(options, root, path, rgb, real)
        output = colorize_crop(generator, grey, rasterize(layer, options.size, options.size))
        l1s.append(l1_error(output, real))
        distances.append(hint_distances(output, layer))
        real_batch.append(real)
        fake_batch.append(output)
        count += 1
        if len(real_batch) >= options.batch:
            flush()
    if real_batch:
        flush()
    if count == 0:
        raise EvalError(f"{root}: none of the test pictures could be read")

    notes = []
    fid = fid_from_features(np.concatenate(real_feats), np.concatenate(fake_feats))
    if fid is None:
        notes.append("FID is undefined for fewer than 2 pictures")
    if random_fid:
        notes.append("FID computed with random Inception weights: not comparable to published FID")
    if not checkpoint.trained:
        notes.append("the checkpoint is untrained (random weights)")
    all_distances = np.concatenate(distances) if distances else np.zeros(0)
    hint_error = float(all_distances.mean()) if all_distances.size else None
    if hint_error is None:
        notes.append("no hinted pixels: hint error undefined")
    line_art = "xdog (on the fly)" if options.lines is None else f"{options.line_method} ({options.lines})"
    return EvalReport(
        checkpoint=checkpoint.name,
        checkpoint_file=str(options.checkpoint),
        trained=checkpoint.trained,
        images=count,
        size=options.size,
        line_art=line_art,
        hints_file=str(options.hints),
        fid=fid,
        l1=float(np.mean(l1s)),
        hint_error=hint_error,
        hinted_pixels=int(all_distances.size),
        fid_weights=fid_weights_description(options.fid_weights, random_fid),
        fid_weights_random=random_fid,
        notes=tuple(notes),
    )


def save_report(report: EvalReport, path: str | os.PathLike[str]) -> None:
    with atomic_write(path) as f:
        f.write((json.dumps(report.to_dict(), indent=2) + "\n").encode("utf-8"))


def format_report(report: EvalReport) -> str:
    """The lines `linetint evaluate` prints."""
    fid = f"{report.fid:.3f}" if report.fid is not None else "undefined (fewer than 2 pictures)"
    if report.fid is not None and report.fid_weights_random:
        fid += "  (random Inception: NOT comparable to published FID)"
    hint = f"{report.hint_error:.2f}" if report.hint_error is not None else "undefined (no hints)"
    return "\n".join(
        [
            f"checkpoint   {report.checkpoint}",
            f"pictures     {report.images} at {report.size}x{report.size}, line art {report.line_art}",
            f"FID          {fid}",
            f"L1           {report.l1:.2f}  (mean |output - real| per channel, 0-255)",
            f"hint error   {hint}  (mean RGB distance at {report.hinted_pixels} hinted pixels, 0-255)",
        ]
    )


__all__ = [
    "EvalError",
    "EvalOptions",
    "EvalReport",
    "FixedHints",
    "colorize_crop",
    "eval_crop",
    "evaluate",
    "format_report",
    "hint_colour_error",
    "hint_distances",
    "hint_rng",
    "l1_error",
    "load_fixed_hints",
    "make_fixed_hints",
    "save_fixed_hints",
    "save_report",
]
