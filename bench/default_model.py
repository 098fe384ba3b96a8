"""Evidence that a model follows the hints: metrics on held-out generated pictures, and a picture grid.

    .venv/bin/python bench/default_model.py --model shipped=resources/models/linetint-default.pt \
        --model ablation=runs/ablation-lite/generator-latest.pt [--n 200] [--size 128] [--grid docs/x.jpg]

Rows: each --model, the untrained `lite` network (b) and the trivial baseline (d) in which every pixel
takes the colour of the nearest hint. Metrics, all on the 0-255 RGB scale, lower is better:
  hint error    mean RGB distance between the output and the hint colour at hinted pixels
  region error  mean RGB distance between output and target inside the line-bounded regions that hold
                a hint (regions = 4-connected non-line pixels of the line art; line pixels excluded)
  L1            mean absolute difference between output and target over every pixel and channel
The pictures are `training/synthetic.py` pictures whose seeds come from a sequence training never uses
(checked against the training seeds of the first epochs), with hints from `training/hint_sim.py`.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image
from scipy import ndimage

from linetint.model.colorizer import Colorizer
from linetint.model.hints import HintLayer, hint_rgba, load_hints
from linetint.model.images import load_lineart
from linetint.training.hint_sim import simulate_hints
from linetint.training.synthetic import generate

HELD_OUT_ENTROPY = 20261125  # training draws picture seeds from SeedSequence([seed, epoch, index])
LINE_THRESHOLD = 128


@dataclass(frozen=True)
class Case:
    lineart: np.ndarray  # uint8 (H, W)
    target: np.ndarray  # uint8 (H, W, 3)
    hints: HintLayer


def held_out_cases(n: int, size: int, training_seed: int = 1, epochs_checked: int = 3) -> list[Case]:
    training = {
        int(np.random.SeedSequence([training_seed, epoch, i]).generate_state(1)[0])
        for epoch in range(epochs_checked)
        for i in range(10_000)
    }
    cases = []
    for i in range(n):
        seed = int(np.random.SeedSequence([HELD_OUT_ENTROPY, i]).generate_state(1)[0])
        assert seed not in training, "a held-out picture was a training picture"
        sample = generate(seed, size)
        hints = simulate_hints(sample.color, np.random.default_rng([HELD_OUT_ENTROPY, i]))
        cases.append(Case(sample.lineart, sample.color, hints))
    return cases


def nearest_hint(case: Case) -> np.ndarray:
    """The trivial baseline: every pixel takes the colour of the nearest hinted pixel (white if none)."""
    picture = hint_rgba(case.hints)
    hinted = picture[..., 3] > 0
    if not hinted.any():
        return np.full_like(case.target, 255)
    _, (rows, cols) = ndimage.distance_transform_edt(~hinted, return_indices=True)
    return picture[rows, cols, :3]


def metrics(output: np.ndarray, case: Case) -> dict[str, float | None]:
    out, target = output.astype(np.float64), case.target.astype(np.float64)
    picture = hint_rgba(case.hints)
    hinted = picture[..., 3] > 0
    regions, _ = ndimage.label(case.lineart >= LINE_THRESHOLD)
    hinted_regions = np.setdiff1d(np.unique(regions[hinted]), [0])
    inside = np.isin(regions, hinted_regions)
    distance = np.linalg.norm(out - target, axis=-1)
    return {
        "hint_error": float(np.linalg.norm(out[hinted] - picture[hinted, :3], axis=-1).mean())
        if hinted.any()
        else None,
        "region_error": float(distance[inside].mean()) if inside.any() else None,
        "l1": float(np.abs(out - target).mean()),
    }


def summarise(rows: list[dict[str, float | None]]) -> dict[str, float]:
    keys = rows[0].keys()
    return {k: float(np.mean([r[k] for r in rows if r[k] is not None])) for k in keys}


def evaluate(name: str, run, cases: list[Case]) -> dict[str, float]:
    result = summarise([metrics(run(case), case) for case in cases])
    print(
        f"| {name} | {result['hint_error']:.1f} | {result['region_error']:.1f} | {result['l1']:.1f} |",
        flush=True,
    )
    return result


def real_grid(colorizer: Colorizer, shared: Path, out: Path, max_side: int) -> None:
    """Real line art with the hint layer its artist drew -> our colour, one row per picture."""
    rows = []
    for folder in sorted(shared.glob("s2p-*")):
        grey = load_lineart(folder / "lineart.png")
        hints = load_hints(folder / "hints.png", grey.shape[1], grey.shape[0])
        rgb = colorizer.colorize(grey, hints, max_side=max_side)
        shown = _hints_over_faded_lines(grey, hint_rgba(hints))
        row = [np.stack([grey] * 3, -1), shown.astype(np.uint8), rgb]
        height = 320
        rows.append(np.concatenate([_resize(a, height) for a in row], axis=1))
    width = max(r.shape[1] for r in rows)
    grid = np.concatenate(
        [np.pad(r, ((0, 4), (0, width - r.shape[1]), (0, 0)), constant_values=40) for r in rows]
    )
    Image.fromarray(grid).save(out, quality=85)


def _hints_over_faded_lines(grey: np.ndarray, picture: np.ndarray, grow: int = 3) -> np.ndarray:
    """The hints, grown by `grow` px so 1-px dots stay visible in a downscaled grid, over pale lines."""
    hinted = picture[..., 3] > 0
    _, (rows, cols) = ndimage.distance_transform_edt(~hinted, return_indices=True)
    near = ndimage.distance_transform_edt(~hinted) <= grow
    faded = np.stack([grey] * 3, -1) // 4 + 191
    return np.where(near[..., None], picture[rows, cols, :3], faded).astype(np.uint8)


def _resize(rgb: np.ndarray, height: int) -> np.ndarray:
    image = Image.fromarray(rgb)
    # nearest keeps 1-px hints visible in the middle column
    return np.asarray(
        image.resize((round(image.width * height / image.height), height), Image.Resampling.NEAREST)
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", action="append", default=[], metavar="NAME=CHECKPOINT")
    parser.add_argument("--n", type=int, default=200, help="held-out pictures (default 200)")
    parser.add_argument("--size", type=int, default=128, help="picture side in px (default 128)")
    parser.add_argument("--grid", type=Path, help="write a grid of real line art from ../shared/data")
    parser.add_argument("--grid-model", default=None, help="which --model draws the grid (default: first)")
    parser.add_argument("--json", type=Path, help="write the table as JSON")
    parser.add_argument("--device", default="cpu", help="where the models run (default cpu)")
    args = parser.parse_args(argv)
    cases = held_out_cases(args.n, args.size)
    models = {}
    for spec in args.model:
        name, _, path = spec.partition("=")
        models[name] = Colorizer.load(path, args.device)
    models["untrained lite (b)"] = Colorizer.untrained("lite", args.device, seed=0)
    print(
        f"{args.n} held-out generated pictures at {args.size}², simulated hints; 0-255 RGB, lower is better\n"
    )
    print("| model | hint error | region error | L1 |\n| --- | ---: | ---: | ---: |")
    table = {
        name: evaluate(name, lambda c, m=model: m.colorize(c.lineart, c.hints, max_side=args.size), cases)
        for name, model in models.items()
    }
    table["nearest hint (d)"] = evaluate("nearest hint (d)", nearest_hint, cases)
    if args.json:
        args.json.write_text(json.dumps({"n": args.n, "size": args.size, "rows": table}, indent=2) + "\n")
    if args.grid:
        shared = Path(__file__).resolve().parents[2] / "shared" / "data" / "lineart"
        chosen = models[args.grid_model or next(iter(models))]
        real_grid(chosen, shared, args.grid, max_side=512)
    return 0


if __name__ == "__main__":
    sys.exit(main())
