"""Pack a built corpus into one small .tar.xz that any Python unpacks (`linetint corpus-pack`).

Why: a GPU machine lent for minutes gets the working tree and at most 64 MiB in all, and no package
registry (so no SVG renderer). The rendered corpus is 150 MB of PNG; packed it fits beside the tree,
and `python3 -m tarfile -e PACK DEST` (standard library) gives back a folder that `linetint train
--data DEST/train --lines DEST/train-lines` reads as it is.

What makes it small, all lossless in what training sees except the palette rule:
- one solid xz stream over *uncompressed* PNGs, ordered item by item (manifest.csv), so that the
  variants of one drawing (OpenMoji's skin tones, its shared black line art) lie within the
  compressor's window and cost little beyond their differences;
- a picture with the same pixels as one already packed becomes a tar hard link;
- colour pictures are stored with a palette of 256 colours, one for all the variants of a drawing,
  when it reproduces each to within `PALETTE_TOLERANCE` (a third of the bytes of RGB), else as RGB.
"""

from __future__ import annotations

import csv
import hashlib
import io
import tarfile
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import groupby
from pathlib import Path

import numpy as np
from PIL import Image

# Mean |difference| per channel, 0-255, that a palette may add: below a rendering's own anti-aliasing noise.
PALETTE_TOLERANCE = 0.5
FOLDERS = ("train", "train-lines")


@dataclass(frozen=True)
class PackSummary:
    files: int
    linked: int
    palette: int
    raw_bytes: int
    packed_bytes: int


def pack_corpus(
    corpus: Path,
    out: Path,
    folders: Iterable[str] = FOLDERS,
    progress: Callable[[list[list[Path]]], Iterable[list[Path]]] = lambda groups: groups,
) -> PackSummary:
    """Write `out` (.tar.xz) holding `folders` of the `corpus` folder; written to a temporary name first."""
    items = _items(corpus)
    paths = ordered_pictures(corpus, folders, items)
    if not paths:
        raise ValueError(f"{corpus}: no pictures under {', '.join(folders)}")
    groups = [list(group) for _, group in groupby(paths, key=lambda path: _group_of(corpus, path, items))]
    counts: Counter[str] = Counter()
    seen: dict[str, str] = {}  # pixel hash -> name already in the archive
    partial = out.with_name(out.name + ".partial")
    try:
        with tarfile.open(partial, "w:xz", preset=9) as archive:
            for group in progress(groups):
                images = [_load(path) for path in group]
                palette = _shared_palette([image for image in images if image.mode == "RGB"])
                for path, image in zip(group, images, strict=True):
                    counts.update(_add(archive, path.relative_to(corpus).as_posix(), image, palette, seen))
        partial.replace(out)
    finally:
        partial.unlink(missing_ok=True)  # a failed pack leaves no half-written file
    return PackSummary(len(paths), counts["linked"], counts["palette"], counts["raw"], out.stat().st_size)


def _load(path: Path) -> Image.Image:
    with Image.open(path) as image:
        return image.copy() if image.mode in ("L", "RGB") else image.convert("RGB")


def _shared_palette(images: list[Image.Image]) -> Image.Image | None:
    """256 colours for all the variants of one drawing at once, so that their indices agree wherever
    their pixels do and the solid stream stores a variant as little more than its differences."""
    if not images:
        return None
    sheet = Image.new("RGB", (max(image.width for image in images), sum(image.height for image in images)))
    top = 0
    for image in images:
        sheet.paste(image, (0, top))
        top += image.height
    return sheet.quantize(256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)


def _add(
    archive: tarfile.TarFile, name: str, image: Image.Image, palette: Image.Image | None, seen: dict[str, str]
) -> Counter[str]:
    """Put one picture into the archive: a link to the same pixels seen before, else the picture."""
    key = hashlib.sha256(f"{image.mode}{image.size}".encode() + image.tobytes()).hexdigest()
    info = tarfile.TarInfo(name)
    if key in seen:
        info.type, info.linkname = tarfile.LNKTYPE, seen[key]
        archive.addfile(info)
        return Counter(linked=1)
    seen[key] = name
    data, indexed = _encoded(image, palette)
    info.size = len(data)
    archive.addfile(info, io.BytesIO(data))
    return Counter(palette=int(indexed), raw=len(data))


def ordered_pictures(corpus: Path, folders: Iterable[str], items: dict[str, str]) -> list[Path]:
    """Every PNG under `folders`, the pictures of one manifest item next to each other."""
    found = [path for folder in folders for path in sorted((corpus / folder).rglob("*.png"))]
    return sorted(found, key=lambda path: (_group_of(corpus, path, items), path))


def _encoded(image: Image.Image, palette: Image.Image | None) -> tuple[bytes, bool]:
    """Uncompressed PNG bytes for the archive (the solid xz stream compresses them better than
    deflate, and across pictures), and whether they hold a palette."""
    stream = io.BytesIO()
    if palette is not None and image.mode == "RGB":
        indexed, error = _nearest(image, palette)
        if error <= PALETTE_TOLERANCE:
            indexed.save(stream, "PNG", compress_level=0)
            return stream.getvalue(), True
    image.save(stream, "PNG", compress_level=0)
    return stream.getvalue(), False


def _nearest(image: Image.Image, palette: Image.Image) -> tuple[Image.Image, float]:
    """`image` in `palette`'s colours, each pixel the nearest one, and the mean error per channel.
    (Pillow's quantize(palette=...) looks colours up approximately: 2.3 of 255 off on flat clip art
    whose own 256-colour quantization is 0.02 off.)"""
    entries = (palette.getpalette() or [])[: 3 * 256]
    colours = np.asarray(entries, np.int32).reshape(-1, 3)
    pixels = np.asarray(image).reshape(-1, 3)
    unique, inverse = np.unique(pixels, axis=0, return_inverse=True)
    distance = ((unique[:, None, :].astype(np.int32) - colours[None]) ** 2).sum(axis=2)
    index = distance.argmin(axis=1).astype(np.uint8)[inverse.ravel()]
    error = float(np.abs(colours[index] - pixels).mean())
    indexed = Image.fromarray(index.reshape(image.height, image.width), "P")
    indexed.putpalette(entries)
    return indexed, error


def _items(corpus: Path) -> dict[str, str]:
    """'source/name' -> the manifest's item (variants of one drawing share it); empty without a manifest."""
    manifest = corpus / "manifest.csv"
    if not manifest.is_file():
        return {}
    with manifest.open(newline="", encoding="utf-8") as stream:
        rows = csv.DictReader(stream)
        return {f"{row['source']}/{row['name']}": f"{row['source']}/{row['item']}" for row in rows}


def _group_of(corpus: Path, path: Path, items: dict[str, str]) -> tuple[str, str]:
    """(top folder, item) of a picture (train/openmoji/X.png) or its line art (train-lines/exact/...)."""
    parts = path.relative_to(corpus).with_suffix("").parts
    name = "/".join(parts[2:] if parts[0].endswith("-lines") else parts[1:])
    return parts[0], items.get(name, name)


def unpack(pack: Path, dest: Path) -> int:
    """Extract `pack` into `dest`, refusing members that would land outside it; returns how many."""
    if not hasattr(tarfile, "data_filter"):  # added in 3.12 and in 3.10.12 / 3.11.4
        raise RuntimeError(f"unpacking {pack} safely needs tarfile's filters: Python 3.10.12, 3.11.4, 3.12+")
    with tarfile.open(pack, "r:xz") as archive:
        archive.extractall(dest, filter="data")
        return len(archive.getmembers())
