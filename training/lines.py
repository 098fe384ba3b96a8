"""`linetint lines`: precompute one extractor's line art for a whole illustration folder.

The learned extractors take seconds per picture, far too slow for every training step, so their line art
is made once and read back by ``IllustrationDataset`` from ``lineart_path(out, method, relative)``
(grey PNG, white paper, the picture's size).  Runs can be interrupted and resumed: a file is written
atomically, so one that exists is complete and is skipped unless ``overwrite``.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

from linetint.model.atomic import atomic_write
from linetint.model.images import ImageInputError, on_white, open_image

from .data import DataWarning, find_images, lineart_path


@dataclass(frozen=True)
class LinesSummary:
    """What one run did: pictures found, line files written, skipped because present, unreadable."""

    found: int
    written: int
    existing: int
    unreadable: tuple[Path, ...]


def picture_rgb(path: str | os.PathLike[str]) -> np.ndarray:
    """uint8 (H, W, 3) with transparency composited on white paper, as training sees the picture."""
    image = open_image(path)
    if "A" in image.getbands() or "transparency" in image.info:
        image = on_white(image)
    return np.asarray(image.convert("RGB"))


def pictures_to_do(source: Path, out: Path) -> list[Path]:
    """The pictures under ``source``, without any under ``out`` (an output folder inside the data would
    otherwise feed its own line art back in on the next run)."""
    out = out.resolve()
    return [p for p in find_images(source) if out not in p.resolve().parents]


def _warn_unreadable(path: Path, reason: str) -> None:
    warnings.warn(f"skipping unreadable picture {path}: {reason}", DataWarning, stacklevel=3)


def extract_folder(
    source: str | os.PathLike[str],
    out: str | os.PathLike[str],
    method: str,
    extractor: Callable[[np.ndarray], np.ndarray],
    overwrite: bool = False,
    on_unreadable: Callable[[Path, str], None] = _warn_unreadable,
    progress: Callable[[Iterable[Path]], Iterable[Path]] = iter,
) -> LinesSummary:
    """Write ``extractor``'s line art of every picture under ``source`` to ``lineart_path(out, method, ..)``.

    A picture that cannot be read is reported once through ``on_unreadable`` (default: a ``DataWarning``)
    and skipped; ``progress`` wraps the picture list (e.g. tqdm).
    """
    source, out = Path(source), Path(out)
    paths = pictures_to_do(source, out)
    written, existing, unreadable = 0, 0, []
    for path in progress(paths):
        target = lineart_path(out, method, path.relative_to(source))
        if target.exists() and not overwrite:
            existing += 1
            continue
        try:
            rgb = picture_rgb(path)
        except ImageInputError as exc:
            unreadable.append(path)
            on_unreadable(path, str(exc))
            continue
        lines = np.asarray(extractor(rgb), dtype=np.uint8)
        if lines.shape != rgb.shape[:2]:
            raise RuntimeError(f"{method} returned {lines.shape} line art for a {rgb.shape[:2]} picture")
        target.parent.mkdir(parents=True, exist_ok=True)
        with atomic_write(target) as f:
            Image.fromarray(lines).save(f, format="PNG")
        written += 1
    return LinesSummary(len(paths), written, existing, tuple(unreadable))


__all__ = ["LinesSummary", "extract_folder", "picture_rgb", "pictures_to_do"]
