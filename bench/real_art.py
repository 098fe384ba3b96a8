"""Colour quality on real drawings: style2paints' six samples, and the corpus's held-out pictures.

    .venv/bin/python bench/real_art.py [--checkpoint A.pt --checkpoint NAME=B.pt ...] [--no-shipped] \
        [--heldout DIR] [--heldout-count 200] [--json docs/real-art-eval.json] [--grid docs/real-art-grid.jpg]

The shipped model ("shipped") is scored beside the checkpoints unless one of them is it, or --no-shipped.

Style2paints' samples (issue 13, item 2):

Each model runs as `linetint colorize --max-side 768` does (device cpu, precision auto: bf16 on CPUs that
multiply it natively, else fp32) and is scored on what that command writes: the line art multiplied over
the colour, or for the two colour illustrations it recolours, the colour in the picture's own lightness.
Columns, CIE76 ΔE (Lab, D65), lower is better (definitions in training/real_art.py):
  peer   mean ΔE to style2paints' colouring from the same hints, off lines, at long side 256 (BOX filter)
  hint   mean ΔE to the hint colour at hinted pixels off lines, full size
  speckle  mean a*b* distance from each unhinted area's median colour, full size (the peer's own beside)
With --keep-hint-colours, each model also with Keep Hint Colours, unhinted areas as a pale tint of the
network's colour ("kept", the default), at full strength ("kept, full") and as paper ("kept, paper").
With --zero-hints GRID, each model also colours the samples with no hints, as `linetint colorize` does by
default (speckle over every area, mean L* off lines beside the peer's, and peer distance).
Baselines: a white page, and nearest-hint fill (every pixel the colour of the nearest hinted pixel).

Held-out corpus pictures (item 1; `linetint corpus`'s heldout/<source>/<name>.png, a seeded subset):
line art exact where the corpus has it (heldout-lines/exact/), else XDoG of the picture; hints simulated
from the picture, seeded by its name; every column at the picture's own size (--max-side 384), lines
multiplied over. Columns, 0-255 RGB mean over channels, off lines (line art > 160), lower is better:
  hint    |output - hint colour| at hinted pixels
  region  |median output - median picture| per area the lines enclose (>= 16 px), weighted by area
  L1      |output - picture|
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw
from scipy import ndimage

from linetint.imaging.hint_colours import Unhinted, keep_hint_colours, label_areas
from linetint.model.colorizer import Colorizer, default_checkpoint_path
from linetint.model.devices import DEVICE_CHOICES, PRECISION_CHOICES
from linetint.model.hints import HintLayer, hint_rgba
from linetint.training.real_art import (
    HELDOUT_MAX_SIDE,
    MAX_SIDE,
    Colorize,
    HeldoutScore,
    Picture,
    Row,
    Sample,
    colour_speckle,
    default_sample_root,
    heldout_names,
    load_picture,
    load_sample,
    mean_of,
    model_colorize,
    nearest_hint_fill,
    paper_lightness,
    peer_distance,
    sample_folders,
    score_picture,
    score_sample,
    white_page,
    with_lines,
    written,
)

WHITE, NEAREST = "white page", "nearest hint"
# Keep Hint Colours' columns by what unhinted areas show: "kept" is the default (a pale tint).
UNHINTED_COLUMNS = {"kept": Unhinted.TINT, "kept, full": Unhinted.NETWORK, "kept, paper": Unhinted.PAPER}
SampleRun = Callable[[Sample, HintLayer], np.ndarray]  # a sample and the hints to use -> the written picture
GRID_CELL = (240, 320)  # (w, h) per picture: portrait pages fill it, landscape ones are letterboxed
GRID_LABEL_HEIGHT = 18
GRID_BACKGROUND = 40
DEFAULT_HELDOUT = Path("/work/data/corpus/heldout")  # where `linetint corpus` was run for issue 13
HELDOUT_COUNT = 200
HELDOUT_METRICS = {"hint_error": "hint", "region_error": "region", "l1": "L1"}  # field -> column


def model_specs(specs: list[str], shipped: Path | None, with_shipped: bool) -> list[str]:
    """--checkpoint specs plus "shipped=PATH" for today's model, so a new model is always read beside
    it; left out when asked, when none is shipped, or when a spec already names that file."""
    paths = [Path(spec.split("=", 1)[1] if "=" in spec else spec).resolve() for spec in specs]
    if shipped is None or not with_shipped or shipped.resolve() in paths:
        return specs
    return [f"shipped={shipped}", *specs]


def load_models(specs: list[str], device: str, precision: str) -> dict[str, tuple[str, Colorizer]]:
    """Name -> (path, model) for `PATH` or `NAME=PATH` per spec."""
    if not specs:
        raise SystemExit("bench/real_art.py: no model to score: pass --checkpoint")
    columns = {}
    for spec in specs:
        name, _, path = spec.rpartition("=") if "=" in spec else ("", "", spec)
        columns[name or Path(path).stem] = (path, Colorizer.load(path, device, precision=precision))
    return columns


def _fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def _cell(rows: list[Row], i: int, field: str) -> str:
    """Row i's `field`, or the mean over the samples for the row after the last."""
    value = getattr(rows[i], field) if i < len(rows) else mean_of([getattr(r, field) for r in rows])
    return "—" if value is None else f"{value:.1f}"


def markdown_table(results: dict[str, list[Row]], models: list[str], peer_speckle: list[float | None]) -> str:
    """One row per sample and the mean; peer distance for every column, hint ΔE and speckle (in the areas
    without hints) for the models, and the peer's own speckle as the reference."""
    header = [
        "sample",
        WHITE,
        NEAREST,
        *(f"{m} peer" for m in models),
        *(f"{m} hint ΔE" for m in models),
        "speckle: peer",
        *(f"{m} speckle" for m in models),
    ]
    lines = ["| " + " | ".join(header) + " |", "| --- |" + " ---: |" * (len(header) - 1)]
    names = [row.sample for row in results[WHITE]]
    for i, name in enumerate([*names, "**mean**"]):
        cells = [_cell(results[c], i, "peer_distance") for c in [WHITE, NEAREST, *models]]
        cells += [_cell(results[m], i, "hint_delta_e") for m in models]
        cells.append(_fmt(peer_speckle[i] if i < len(names) else mean_of(peer_speckle)))
        cells += [_cell(results[m], i, "speckle") for m in models]
        lines.append("| " + " | ".join([name, *cells]) + " |")
    return "\n".join(lines)


def in_repo(path: str) -> str:
    """`path` relative to the repository when it lies inside, so the JSON reads the same on any machine."""
    resolved = Path(path).resolve()
    root = Path(__file__).resolve().parents[1]
    return str(resolved.relative_to(root)) if resolved.is_relative_to(root) else path


def as_json(
    results: dict[str, list[Row]], models: dict[str, tuple[str, Colorizer]], args: argparse.Namespace
) -> dict:
    return {
        "command": "python bench/real_art.py " + " ".join(sys.argv[1:]),
        "metric": "CIE76 ΔE, Lab D65; peer: off lines (line art > 160), long side 256, BOX; "
        "hint: hinted pixels off lines, full size; speckle: mean a*b* distance from the area's median colour "
        "in areas (4-connected paper, >= 16 px) without hints, full size",
        "max_side": args.max_side,
        "models": {
            name: {"checkpoint": in_repo(path), "name": model.info.name, "precision": model.info.precision}
            for name, (path, model) in models.items()
        },
        "columns": {
            column: {
                "per_sample": {
                    r.sample: {
                        "peer_distance": r.peer_distance,
                        "hint_delta_e": r.hint_delta_e,
                        "speckle": r.speckle,
                    }
                    for r in rows
                },
                "mean": {
                    "peer_distance": mean_of([r.peer_distance for r in rows]),
                    "hint_delta_e": mean_of([r.hint_delta_e for r in rows]),
                    "speckle": mean_of([r.speckle for r in rows]),
                },
            }
            for column, rows in results.items()
        },
    }


def network_passes(model: Colorizer, max_side: int) -> Colorize:
    """The network's colour (no lines) for a line art and its hints, computed once per sample: the plain,
    kept and kept-paper columns share one pass. Keyed by the arrays' identity — the samples live for the
    whole run."""
    seen: dict[tuple[int, int], np.ndarray] = {}

    def run(grey: np.ndarray, hints: HintLayer) -> np.ndarray:
        key = (id(grey), id(hints))
        if key not in seen:
            seen[key] = model.colorize(grey, hints, max_side=max_side)
        return seen[key]

    return run


def sample_columns(
    models: dict[str, tuple[str, Colorizer]], max_side: int, keep_hint_colours: bool
) -> dict[str, SampleRun]:
    """Each model as `linetint colorize` writes it (`written`); with `keep_hint_colours`, also with Keep
    Hint Colours after it, one column per UNHINTED_COLUMNS entry (what unhinted areas show)."""
    plain: dict[str, SampleRun] = {}
    kept: dict[str, SampleRun] = {}
    for name, (_, model) in models.items():
        network = network_passes(model, max_side)
        plain[name] = _composed(network)
        if keep_hint_colours:
            for label, unhinted in UNHINTED_COLUMNS.items():
                kept[f"{name} {label}"] = _kept(network, unhinted)
    return {**plain, **kept}


def _composed(network: Colorize) -> SampleRun:
    return lambda sample, hints: written(sample, network(sample.network_lineart, hints))


def _kept(network: Colorize, unhinted: Unhinted) -> SampleRun:
    def run(sample: Sample, hints: HintLayer) -> np.ndarray:
        grey = sample.network_lineart
        return written(sample, keep_hint_colours(network(grey, hints), label_areas(grey), hints, unhinted))

    return run


def _baseline(colorize: Colorize) -> SampleRun:
    return lambda sample, hints: colorize(sample.network_lineart, hints)


# --------------------------------------------------------------------------------------------------------
# Held-out corpus pictures


def heldout_columns(models: dict[str, tuple[str, Colorizer]]) -> dict[str, Colorize]:
    """Baselines and models, each at the pictures' own size with the lines multiplied over."""
    columns = {WHITE: with_lines(white_page), NEAREST: with_lines(nearest_hint_fill)}
    columns.update({name: model_colorize(model, HELDOUT_MAX_SIDE) for name, (_, model) in models.items()})
    return columns


def score_heldout(columns: dict[str, Colorize], pictures: list[Picture]) -> dict[str, list[HeldoutScore]]:
    return {name: [score_picture(colorize, p) for p in pictures] for name, colorize in columns.items()}


def heldout_means(scores: list[HeldoutScore]) -> dict[str, float | None]:
    return {field: mean_of([getattr(s, field) for s in scores]) for field in HELDOUT_METRICS}


def heldout_table(scores: dict[str, list[HeldoutScore]]) -> str:
    """One row per column (baselines, then models), the mean of each metric over the pictures."""
    lines = ["| model | " + " | ".join(HELDOUT_METRICS.values()) + " |", "| --- |" + " ---: |" * 3]
    for name, rows in scores.items():
        lines.append("| " + " | ".join([name, *map(_fmt, heldout_means(rows).values())]) + " |")
    return "\n".join(lines)


def heldout_json(root: Path, pictures: list[Picture], scores: dict[str, list[HeldoutScore]]) -> dict:
    return {
        "folder": str(root),
        "pictures": len(pictures),
        "lines": {kind: sum(p.lines == kind for p in pictures) for kind in ("exact", "xdog")},
        "with_hints": sum(bool(p.hints.hints) for p in pictures),
        "max_side": HELDOUT_MAX_SIDE,
        "metric": "0-255 RGB, mean |difference| over channels, off lines (line art > 160); hint: at "
        "hinted pixels; region: per 4-connected area >= 16 px, median vs median, weighted by area; "
        "L1: all pixels. Lines multiplied over every column. Means over pictures that have the metric.",
        "mean": {name: heldout_means(rows) for name, rows in scores.items()},
        "per_picture": {
            name: {s.picture: [getattr(s, field) for field in HELDOUT_METRICS] for s in rows}
            for name, rows in scores.items()
        },
        "per_picture_fields": list(HELDOUT_METRICS),
    }


def run_heldout(
    root: Path | None, count: int, models: dict[str, tuple[str, Colorizer]]
) -> tuple[str, dict] | None:
    """The held-out section's table and JSON; None (with a message) when there is nothing to score."""
    if root is None or count <= 0:
        return None
    names = heldout_names(root, count) if root.is_dir() else []
    if not names:
        print(f"bench/real_art.py: no held-out pictures in {root}; skipping that section\n", file=sys.stderr)
        return None
    pictures = [load_picture(root, name) for name in names]
    scores = score_heldout(heldout_columns(models), pictures)
    summary = heldout_json(root, pictures, scores)
    lines = summary["lines"]
    heading = (
        f"{len(pictures)} held-out pictures from {root} ({lines['exact']} exact line art, {lines['xdog']} "
        f"XDoG; {summary['with_hints']} with hints); 0-255 RGB off lines, lower is better"
    )
    return heading + "\n\n" + heldout_table(scores), summary


# --------------------------------------------------------------------------------------------------------
# No hints at all: the first preview of a sketch


def zero_hint_outputs(
    models: dict[str, tuple[str, Colorizer]], samples: list[Sample], max_side: int
) -> dict[str, list[np.ndarray]]:
    """Each model's colouring of each sample with an empty hint layer, as `linetint colorize` writes it by
    default (Keep Hint Colours on: with no hints every area shows the network's colour, calmed, as a pale
    tint) and the app previews it."""
    empty = [HintLayer(*reversed(s.lineart.shape)) for s in samples]
    outputs: dict[str, list[np.ndarray]] = {}
    for name, (_, model) in models.items():
        colorize = _kept(network_passes(model, max_side), Unhinted.TINT)
        outputs[name] = [colorize(s, hints) for s, hints in zip(samples, empty, strict=True)]
    return outputs


@dataclass(frozen=True)
class ZeroHintScore:
    """One colouring without hints: is it calm, light like an illustration, near what a colourist made?"""

    speckle: float | None  # colour_speckle over every area; None where the sample has no areas
    lightness: float  # mean L* off lines
    peer_distance: float  # to the peer's colouring, which had the artist's hints: a loose yardstick


def zero_hint_scores(
    samples: list[Sample], outputs: dict[str, list[np.ndarray]]
) -> dict[str, list[ZeroHintScore]]:
    return {
        name: [
            ZeroHintScore(
                None if s.areas is None else colour_speckle(o, s.areas),
                paper_lightness(o, s.lineart),
                peer_distance(o, s.peer, s.lineart),
            )
            for s, o in zip(samples, pictures, strict=True)
        ]
        for name, pictures in outputs.items()
    }


ZERO_HINT_FIELDS = {"speckle": "speckle", "lightness": "L*", "peer_distance": "peer"}  # field: column


def zero_hint_table(samples: list[Sample], scores: dict[str, list[ZeroHintScore]], peer: list[float]) -> str:
    """Per sample: the peer's lightness (`peer`), then each model's speckle, lightness and peer distance."""
    fields = ZERO_HINT_FIELDS.items()
    header = ["sample", "peer L*", *(f"{m} {label}" for m in scores for _, label in fields)]
    lines = ["| " + " | ".join(header) + " |", "| --- |" + " ---: |" * (len(header) - 1)]
    for i, name in enumerate([*(s.name for s in samples), "**mean**"]):
        cells = [_fmt(peer[i] if i < len(samples) else mean_of(peer))]
        for rows in scores.values():
            for field, _ in fields:
                values = [getattr(r, field) for r in rows]
                cells.append(_fmt(values[i] if i < len(samples) else mean_of(values)))
        lines.append("| " + " | ".join([name, *cells]) + " |")
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------------------
# Grid


def hints_over_faded_lines(sample: Sample, grow: int) -> np.ndarray:
    """The hints grown by `grow` px and ringed in grey over pale lines: few-pixel dots survive the grid's
    downscale, and the white hints artists place (eyes, highlights, blouses) show on white paper."""
    height, width = sample.lineart.shape
    faded = np.repeat(sample.lineart[..., None] // 4 + 191, 3, axis=2)
    picture = hint_rgba(sample.hints, width, height)
    hinted = picture[..., 3] > 0
    if not hinted.any():
        return faded
    distance, (rows, cols) = ndimage.distance_transform_edt(~hinted, return_indices=True)
    shown = np.where((distance <= grow)[..., None], picture[rows, cols, :3], faded)
    ring = (distance > grow) & (distance <= grow * 1.5)
    shown[ring] = 110
    return shown.astype(np.uint8)


def _fit(rgb: np.ndarray, box: tuple[int, int]) -> np.ndarray:
    """`rgb` shrunk to fit `box` (w, h), centred on the grid's background, so every column lines up."""
    image = Image.fromarray(rgb)
    scale = min(box[0] / image.width, box[1] / image.height)
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    cell = Image.new("RGB", box, (GRID_BACKGROUND,) * 3)
    corner = ((box[0] - size[0]) // 2, (box[1] - size[1]) // 2)
    cell.paste(image.resize(size, Image.Resampling.LANCZOS), corner)
    return np.asarray(cell)


def _labelled(panel: np.ndarray, label: str) -> np.ndarray:
    strip = Image.new("RGB", (panel.shape[1], GRID_LABEL_HEIGHT), (GRID_BACKGROUND,) * 3)
    ImageDraw.Draw(strip).text((4, 3), label, fill=(230, 230, 230))
    return np.concatenate([np.asarray(strip), panel], axis=0)


def _grid_box(sample: Sample) -> tuple[int, int]:
    """A cell's (w, h) for this sample: a landscape page gets a shorter row, not a letterbox."""
    height, width = sample.lineart.shape
    return GRID_CELL[0], min(GRID_CELL[1], round(GRID_CELL[0] * height / width))


def _panel_row(panels: dict[str, np.ndarray], box: tuple[int, int]) -> np.ndarray:
    shown = [_labelled(_fit(p, box), label) for label, p in panels.items()]
    gap = np.full((box[1] + GRID_LABEL_HEIGHT, 4, 3), GRID_BACKGROUND, np.uint8)
    return np.concatenate([x for p in shown for x in (p, gap)][:-1], axis=1)


def _line_art_panel(sample: Sample) -> dict[str, np.ndarray]:
    return {f"{sample.name} line art": np.repeat(sample.lineart[..., None], 3, axis=2)}


def grid_row(sample: Sample, outputs: dict[str, np.ndarray]) -> np.ndarray:
    box = _grid_box(sample)
    scale = max(sample.lineart.shape[0] / box[1], sample.lineart.shape[1] / box[0])
    panels = {
        **_line_art_panel(sample),
        "hints (grown)": hints_over_faded_lines(sample, grow=max(1, round(1.5 * scale))),
        "peer (style2paints)": sample.peer,
        **outputs,
    }
    return _panel_row(panels, box)


def _save_rows(rows: list[np.ndarray], path: Path) -> None:
    padded = [np.pad(r, ((0, 6), (0, 0), (0, 0)), constant_values=GRID_BACKGROUND) for r in rows]
    Image.fromarray(np.concatenate(padded)).save(path, quality=82, optimize=True)


def write_grid(samples: list[Sample], results: dict[str, list[Row]], models: list[str], path: Path) -> None:
    _save_rows([grid_row(s, {m: results[m][i].output for m in models}) for i, s in enumerate(samples)], path)


def write_zero_hint_grid(samples: list[Sample], outputs: dict[str, list[np.ndarray]], path: Path) -> None:
    """Line art | each model's colouring with no hints, one row per sample."""
    rows = [
        _panel_row(
            {
                **_line_art_panel(s),
                **{f"{name}, no hints": pictures[i] for name, pictures in outputs.items()},
            },
            _grid_box(s),
        )
        for i, s in enumerate(samples)
    ]
    _save_rows(rows, path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--checkpoint",
        action="append",
        default=[],
        metavar="[NAME=]PATH",
        help="a model to score (repeatable), beside the shipped one unless --no-shipped",
    )
    parser.add_argument("--no-shipped", action="store_true", help="do not add the shipped model")
    parser.add_argument("--samples", type=Path, default=default_sample_root(), help="folder of s2p-* samples")
    parser.add_argument(
        "--heldout",
        type=Path,
        default=DEFAULT_HELDOUT if DEFAULT_HELDOUT.is_dir() else None,
        help=f"the corpus's held-out pictures (default {DEFAULT_HELDOUT} when it exists)",
    )
    parser.add_argument(
        "--heldout-count",
        type=int,
        default=HELDOUT_COUNT,
        help=f"held-out pictures scored, a seeded subset (default {HELDOUT_COUNT}; 0: skip them)",
    )
    parser.add_argument("--max-side", type=int, default=MAX_SIDE, help=f"working size (default {MAX_SIDE})")
    parser.add_argument("--device", choices=DEVICE_CHOICES, default="cpu")
    parser.add_argument("--precision", choices=PRECISION_CHOICES, default="auto")
    parser.add_argument(
        "--keep-hint-colours",
        action="store_true",
        help="also score each model with Keep Hint Colours (issue 14), as `linetint colorize` now does by "
        "default, and with its unhinted areas left as paper",
    )
    parser.add_argument(
        "--zero-hints",
        type=Path,
        metavar="GRID",
        help="also run each model with no hints on the samples (the first preview of a sketch): speckle "
        "over all areas, and a JPEG grid of those colourings",
    )
    parser.add_argument("--json", type=Path, help="write the numbers as JSON")
    parser.add_argument("--grid", type=Path, help="write a JPEG grid: line art | hints | peer | each model")
    args = parser.parse_args(argv)
    folders = sample_folders(args.samples) if args.samples.is_dir() else []
    if not folders:
        print(f"bench/real_art.py: no s2p-* samples in {args.samples}; skipping them", file=sys.stderr)
    specs = model_specs(args.checkpoint, default_checkpoint_path(), not args.no_shipped)
    models = load_models(specs, args.device, args.precision)
    samples = [load_sample(f) for f in folders]
    results: dict[str, list[Row]] = {}
    peer_speckle: list[float | None] = []
    if samples:
        columns = {WHITE: _baseline(white_page), NEAREST: _baseline(nearest_hint_fill)}
        columns.update(sample_columns(models, args.max_side, args.keep_hint_colours))
        results = {name: [score_sample(s, run(s, s.hints)) for s in samples] for name, run in columns.items()}
        print(f"{len(samples)} samples from {args.samples}; CIE76 ΔE, lower is better\n")
        peer_speckle = [
            None if s.areas is None else colour_speckle(s.peer, s.areas, s.hints) for s in samples
        ]
        print(markdown_table(results, [c for c in columns if c not in (WHITE, NEAREST)], peer_speckle))
    zero_scores: dict[str, list[ZeroHintScore]] = {}
    if args.zero_hints and samples:
        zero = zero_hint_outputs(models, samples, args.max_side)
        zero_scores = zero_hint_scores(samples, zero)
        peer_lightness = [paper_lightness(s.peer, s.lineart) for s in samples]
        print("\nNo hints at all (the first preview): speckle over every area, L* off lines, peer distance\n")
        print(zero_hint_table(samples, zero_scores, peer_lightness))
        write_zero_hint_grid(samples, zero, args.zero_hints)
    heldout = run_heldout(args.heldout, args.heldout_count, models)
    if heldout is not None:
        print(("\n" if samples else "") + heldout[0])
    if not samples and heldout is None:
        return 2
    if args.json:
        document = as_json(results, models, args)
        if samples:
            document["peer_speckle"] = {s.name: v for s, v in zip(samples, peer_speckle, strict=True)}
        if zero_scores:
            document["zero_hint"] = {
                name: {
                    field: {
                        "per_sample": {s.name: getattr(r, field) for s, r in zip(samples, rows, strict=True)},
                        "mean": mean_of([getattr(r, field) for r in rows]),
                    }
                    for field in ZERO_HINT_FIELDS
                }
                for name, rows in zero_scores.items()
            }
            document["peer_lightness"] = dict(zip([s.name for s in samples], peer_lightness, strict=True))
        if heldout is not None:
            document["heldout"] = heldout[1]
        args.json.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    if args.grid and samples:
        write_grid(samples, results, [c for c in results if c not in (WHITE, NEAREST)], args.grid)
    return 0


if __name__ == "__main__":
    sys.exit(main())
