"""Build a training folder of real drawings from their archives (`linetint corpus`).

Layout under OUT (relative paths match between a picture and its line art, as `IllustrationDataset`
expects with --data OUT/train --lines OUT/train-lines):

    train/<source>/<name>.png               colour drawing on white, long side RenderOptions.long_side
    train-lines/exact/<source>/<name>.png   the source's own black line art of it, where it has one
    heldout/..., heldout-lines/exact/...    the same for the held-out items
    manifest.csv                            split, source, item, name, original path, licence, category
    summary.json                            options, counts kept per split and dropped per rule
"""

from __future__ import annotations

import csv
import hashlib
import itertools
import json
import os
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image

from .render import RenderOptions, crop_to_long_side, drawn_box, raster_on_white, render_svg
from .rules import canvas_rule, picture_rule, source_rule
from .sources import Drawing, read_openclipart, read_openmoji, read_wesnoth

EXACT = "exact"  # the line-art method name of a source's own line art (training.data.LINE_METHODS)
RENDER_OVERSAMPLE = 1.6  # render this much bigger than the output, then shrink: clean anti-aliasing
BATCH = 256  # drawings in flight between the archive readers and the renderers
MANIFEST_FIELDS = ("split", "source", "item", "name", "original", "licence", "category", "lines")


@dataclass(frozen=True)
class CorpusOptions:
    out: Path
    openmoji: Path | None = None
    openclipart: Path | None = None
    wesnoth: Path | None = None
    heldout: float = 0.07  # share of items held out (all variants of an item go together)
    seed: int = 0
    render: RenderOptions = field(default_factory=RenderOptions)
    workers: int = max(1, os.cpu_count() or 1)
    limit: int | None = None  # drawings per source, for a quick look


@dataclass(frozen=True)
class Rendered:
    drawing: Drawing
    dropped: str | None  # the rule that dropped it
    colour: np.ndarray | None = None
    lines: np.ndarray | None = None


@dataclass
class CorpusSummary:
    kept: Counter = field(default_factory=Counter)  # (source, split) -> pictures
    items: Counter = field(default_factory=Counter)  # (source, split) -> items
    dropped: Counter = field(default_factory=Counter)  # (source, rule) -> drawings

    def to_dict(self) -> dict:
        def flat(counter: Counter) -> dict[str, int]:
            return {"/".join(key): n for key, n in sorted(counter.items())}

        return {"kept": flat(self.kept), "items": flat(self.items), "dropped": flat(self.dropped)}


def split_of(item: str, source: str, heldout: float, seed: int) -> str:
    """'heldout' for a fixed, seeded share of items; a hash, so adding drawings never moves old ones."""
    digest = hashlib.sha256(f"{seed}:{source}:{item}".encode()).digest()
    return "heldout" if int.from_bytes(digest[:8], "big") / 2**64 < heldout else "train"


def drawings(options: CorpusOptions) -> Iterator[Drawing]:
    readers: list[tuple[Path | None, Callable[[Path], Iterator[Drawing]]]] = [
        (options.openmoji, read_openmoji),
        (options.openclipart, read_openclipart),
        (options.wesnoth, read_wesnoth),
    ]
    for archive, read in readers:
        if archive is None:
            continue
        for count, drawing in enumerate(read(archive)):
            if options.limit is not None and count >= options.limit:
                break
            yield drawing


def render_one(drawing: Drawing, options: RenderOptions) -> Rendered:
    """Render, crop both pictures to what is drawn, and apply the picture rules (runs in a worker)."""
    rule = source_rule(drawing)
    if rule is not None:
        return Rendered(drawing, rule)
    side = round(options.long_side * RENDER_OVERSAMPLE)
    scale = options.stroke_scale if drawing.lines_svg is not None else 1.0  # only line art we know
    try:
        if drawing.png is not None:
            colour = raster_on_white(drawing.png)
        else:
            colour = render_svg(drawing.svg, side, scale)
        lines = render_svg(drawing.lines_svg, side, scale) if drawing.lines_svg is not None else None
    except Exception:  # noqa: BLE001 - any SVG or PNG the renderer chokes on is one dropped drawing
        return Rendered(drawing, "unrendered")
    box = drawn_box(colour, *([lines] if lines is not None else []))
    if box is None or canvas_rule(colour) is not None:
        return Rendered(drawing, "near-empty")
    colour = crop_to_long_side(colour, box, options.long_side)
    rule = picture_rule(colour, has_lines=lines is not None)
    if rule is not None:
        return Rendered(drawing, rule)
    if lines is not None:
        lines = crop_to_long_side(lines, box, options.long_side).min(axis=-1)  # black ink: grey is enough
    return Rendered(drawing, None, colour, lines)


def build_corpus(options: CorpusOptions, progress: Callable[[Iterable], Iterable] = iter) -> CorpusSummary:
    """Render every drawing of the given archives into options.out; returns what was kept and dropped."""
    summary, rows, items = CorpusSummary(), [], set()
    out = Path(options.out)
    with ProcessPoolExecutor(options.workers) as pool:
        for result in progress(_rendered(pool, drawings(options), options.render)):
            drawing = result.drawing
            if result.dropped is not None:
                summary.dropped[drawing.source, result.dropped] += 1
                continue
            split = split_of(drawing.item, drawing.source, options.heldout, options.seed)
            rows.append(_write(out, split, result))
            summary.kept[drawing.source, split] += 1
            if (drawing.source, drawing.item) not in items:
                items.add((drawing.source, drawing.item))
                summary.items[drawing.source, split] += 1
    _write_manifest(out / "manifest.csv", rows)
    record = {"options": _options_record(options), **summary.to_dict()}
    (out / "summary.json").write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    return summary


def _rendered(
    pool: ProcessPoolExecutor, source: Iterator[Drawing], render: RenderOptions
) -> Iterator[Rendered]:
    """Rendered drawings in source order, BATCH at a time: `pool.map` alone would read every archive
    into memory before the first result."""
    while batch := list(itertools.islice(source, BATCH)):
        yield from pool.map(render_one, batch, itertools.repeat(render), chunksize=4)


def picture_path(source: str, name: str) -> Path:
    """A picture's path under OUT/SPLIT, and its line art's under OUT/SPLIT-lines/METHOD."""
    return Path(source, f"{name}.png")


def read_manifest(out: Path) -> list[dict[str, str]]:
    """The rows of a corpus's manifest.csv; ValueError if OUT is not a `linetint corpus` folder."""
    path = out / "manifest.csv"
    if not path.is_file():
        raise ValueError(f"{out} has no manifest.csv: build it with `linetint corpus`")
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        rows = list(reader)
    if tuple(reader.fieldnames or ()) != MANIFEST_FIELDS:
        raise ValueError(f"{path} is not a `linetint corpus` manifest")
    return rows


def _write(out: Path, split: str, result: Rendered) -> dict[str, str]:
    drawing = result.drawing
    relative = picture_path(drawing.source, drawing.name)
    assert result.colour is not None  # only dropped drawings come without a picture
    _save(result.colour, out / split / relative)
    if result.lines is not None:
        _save(result.lines, out / f"{split}-lines" / EXACT / relative)
    return {
        "split": split, "source": drawing.source, "item": drawing.item, "name": drawing.name,
        "original": drawing.original, "licence": drawing.licence, "category": drawing.category,
        "lines": EXACT if result.lines is not None else "xdog",
    }  # fmt: skip


def _save(picture: np.ndarray, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(picture).save(path, optimize=False, compress_level=6)


def _write_manifest(path: Path, rows: list[dict[str, str]]) -> None:
    rows = sorted(rows, key=lambda r: (r["source"], r["name"]))
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, MANIFEST_FIELDS)
        writer.writeheader()
        writer.writerows(rows)


def _options_record(options: CorpusOptions) -> dict:
    record = asdict(options)
    return {k: str(v) if isinstance(v, Path) else v for k, v in record.items() if k != "out"}
