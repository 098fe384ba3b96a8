"""Colour quality on real anime line art: peer distance and hint ΔE on style2paints' six samples.

    .venv/bin/python bench/real_art.py [--checkpoint A.pt --checkpoint NAME=B.pt ...] \
        [--json docs/real-art-eval.json] [--grid docs/real-art-grid.jpg]

Each model runs as `linetint colorize --max-side 768` does (device cpu, precision auto: bf16 on CPUs that
multiply it natively, else fp32) and is scored on what that command writes, the line art multiplied over
the colour. Columns, CIE76 ΔE (Lab, D65), lower is better (definitions in training/real_art.py):
  peer   mean ΔE to style2paints' colouring from the same hints, off lines, at long side 256 (BOX filter)
  hint   mean ΔE to the hint colour at hinted pixels off lines, full size
Baselines: a white page, and nearest-hint fill (every pixel the colour of the nearest hinted pixel).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw
from scipy import ndimage

from linetint.model.colorizer import Colorizer, default_checkpoint_path
from linetint.model.devices import DEVICE_CHOICES, PRECISION_CHOICES
from linetint.model.hints import hint_rgba
from linetint.training.real_art import (
    MAX_SIDE,
    Colorize,
    Row,
    Sample,
    default_sample_root,
    evaluate_samples,
    load_sample,
    mean_of,
    model_colorize,
    nearest_hint_fill,
    sample_folders,
    white_page,
)

WHITE, NEAREST = "white page", "nearest hint"
GRID_CELL = (240, 320)  # (w, h) per picture: portrait pages fill it, landscape ones are letterboxed
GRID_LABEL_HEIGHT = 18
GRID_BACKGROUND = 40


def load_models(specs: list[str], device: str, precision: str) -> dict[str, tuple[str, Colorizer]]:
    """Name -> (path, model) for `PATH` or `NAME=PATH` per --checkpoint; the shipped model, named
    "shipped", when there are none."""
    if not specs:
        shipped = default_checkpoint_path()
        if shipped is None:
            raise SystemExit("bench/real_art.py: no shipped model; pass --checkpoint")
        specs = [f"shipped={shipped}"]
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


def markdown_table(results: dict[str, list[Row]], models: list[str]) -> str:
    """One row per sample and the mean; peer distance for every column, hint ΔE for the models."""
    header = ["sample", WHITE, NEAREST, *(f"{m} peer" for m in models), *(f"{m} hint ΔE" for m in models)]
    lines = ["| " + " | ".join(header) + " |", "| --- |" + " ---: |" * (len(header) - 1)]
    names = [row.sample for row in results[WHITE]]
    for i, name in enumerate([*names, "**mean**"]):
        cells = [_cell(results[c], i, "peer_distance") for c in [WHITE, NEAREST, *models]]
        cells += [_cell(results[m], i, "hint_delta_e") for m in models]
        lines.append("| " + " | ".join([name, *cells]) + " |")
    return "\n".join(lines)


def _in_repo(path: str) -> str:
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
        "hint: hinted pixels off lines, full size",
        "max_side": args.max_side,
        "models": {
            name: {"checkpoint": _in_repo(path), "name": model.info.name, "precision": model.info.precision}
            for name, (path, model) in models.items()
        },
        "columns": {
            column: {
                "per_sample": {
                    r.sample: {"peer_distance": r.peer_distance, "hint_delta_e": r.hint_delta_e} for r in rows
                },
                "mean": {
                    "peer_distance": mean_of([r.peer_distance for r in rows]),
                    "hint_delta_e": mean_of([r.hint_delta_e for r in rows]),
                },
            }
            for column, rows in results.items()
        },
    }


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


def grid_row(sample: Sample, outputs: dict[str, np.ndarray]) -> np.ndarray:
    height, width = sample.lineart.shape
    # A landscape page gets a shorter row, not a letterbox of background.
    box = (GRID_CELL[0], min(GRID_CELL[1], round(GRID_CELL[0] * height / width)))
    scale = max(height / box[1], width / box[0])
    panels = {
        f"{sample.name} line art": np.repeat(sample.lineart[..., None], 3, axis=2),
        "hints (grown)": hints_over_faded_lines(sample, grow=max(1, round(1.5 * scale))),
        "peer (style2paints)": sample.peer,
        **outputs,
    }
    shown = [_labelled(_fit(p, box), label) for label, p in panels.items()]
    gap = np.full((box[1] + GRID_LABEL_HEIGHT, 4, 3), GRID_BACKGROUND, np.uint8)
    return np.concatenate([x for p in shown for x in (p, gap)][:-1], axis=1)


def write_grid(samples: list[Sample], results: dict[str, list[Row]], models: list[str], path: Path) -> None:
    rows = [grid_row(s, {m: results[m][i].output for m in models}) for i, s in enumerate(samples)]
    padded = [np.pad(r, ((0, 6), (0, 0), (0, 0)), constant_values=GRID_BACKGROUND) for r in rows]
    Image.fromarray(np.concatenate(padded)).save(path, quality=82, optimize=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--checkpoint",
        action="append",
        default=[],
        metavar="[NAME=]PATH",
        help="a model to score (repeatable; default: the shipped model)",
    )
    parser.add_argument("--samples", type=Path, default=default_sample_root(), help="folder of s2p-* samples")
    parser.add_argument("--max-side", type=int, default=MAX_SIDE, help=f"working size (default {MAX_SIDE})")
    parser.add_argument("--device", choices=DEVICE_CHOICES, default="cpu")
    parser.add_argument("--precision", choices=PRECISION_CHOICES, default="auto")
    parser.add_argument("--json", type=Path, help="write the numbers as JSON")
    parser.add_argument("--grid", type=Path, help="write a JPEG grid: line art | hints | peer | each model")
    args = parser.parse_args(argv)
    folders = sample_folders(args.samples)
    if not folders:
        print(f"bench/real_art.py: no s2p-* samples in {args.samples}", file=sys.stderr)
        return 2
    samples = [load_sample(f) for f in folders]
    columns: dict[str, Colorize] = {WHITE: white_page, NEAREST: nearest_hint_fill}
    models = load_models(args.checkpoint, args.device, args.precision)
    columns.update({name: model_colorize(model, args.max_side) for name, (_, model) in models.items()})
    results = {name: evaluate_samples(colorize, samples) for name, colorize in columns.items()}
    print(f"{len(samples)} samples from {args.samples}; CIE76 ΔE, lower is better\n")
    print(markdown_table(results, list(models)))
    if args.json:
        args.json.write_text(json.dumps(as_json(results, models, args), indent=2, ensure_ascii=False) + "\n")
    if args.grid:
        write_grid(samples, results, list(models), args.grid)
    return 0


if __name__ == "__main__":
    sys.exit(main())
