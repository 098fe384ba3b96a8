"""Do hints carry across lines inside one colour? Held-out corpus pictures, with and without detail strokes.

    .venv/bin/python bench/detail_strokes.py [--checkpoint NAME=PATH ...] [--count 100] [--json OUT.json]
        [--marks strokes|hatching]

An illustrator's line art has strands, folds and creases inside one colour; the corpus's flat drawings do
not. Each held-out picture (bench/real_art.py's seeded subset, line art and simulated hints) is coloured
twice by each model: from its own line art, and from the same line art with curved strokes drawn inside
areas of one colour (training/detail_lines.py, seeded by the picture's name) — lines a colourist paints
over; with `--marks hatching`, groups of short parallel strokes instead (training/hatching.py: blush and
shadow marks). Both are scored on the network's colour (no lines multiplied over), against the picture:
  region  |median output - median picture| per area that the picture's OWN lines enclose (>= 16 px),
          weighted by area: a hint in one part of an area should colour all of it
  L1      |output - picture| off the lines and off the strokes
0-255 RGB, lower is better. "cost" is stroked minus plain: what the strokes cost a model.
The shipped model is scored beside the checkpoints unless --no-shipped.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
from real_art import DEFAULT_HELDOUT, in_repo, load_models, model_specs

from linetint.model.colorizer import Colorizer, default_checkpoint_path
from linetint.model.devices import PRECISION_CHOICES
from linetint.training.detail_lines import with_detail_strokes
from linetint.training.hatching import with_hatching
from linetint.training.real_art import (
    HELDOUT_MAX_SIDE,
    Picture,
    heldout_names,
    l1_error,
    load_picture,
    mean_of,
    picture_seed,
    region_colour_error,
)

STROKE_STREAM = 1  # a second seed stream per picture: the hints keep their own
MARKS = {"strokes": with_detail_strokes, "hatching": with_hatching}


def stroked(picture: Picture, marks: str = "strokes") -> np.ndarray:
    rng = np.random.default_rng([picture_seed(picture.name), STROKE_STREAM])
    return MARKS[marks](picture.lineart, picture.target, rng)


def scores(model: Colorizer, picture: Picture, lineart: np.ndarray) -> tuple[float | None, float | None]:
    """Region error over the picture's own areas, and L1 off both line arts' ink."""
    colour = model.colorize(lineart, picture.hints, max_side=HELDOUT_MAX_SIDE)
    region = region_colour_error(colour, picture.target, picture.lineart)
    return region, l1_error(colour, picture.target, np.minimum(lineart, picture.lineart))


def score_model(
    model: Colorizer, pictures: list[Picture], strokes: list[np.ndarray]
) -> dict[str, float | None]:
    plain = [scores(model, p, p.lineart) for p in pictures]
    detailed = [scores(model, p, s) for p, s in zip(pictures, strokes, strict=True)]
    out: dict[str, float | None] = {}
    for i, metric in enumerate(("region", "l1")):
        out[f"{metric} plain"] = mean_of([row[i] for row in plain])
        out[f"{metric} stroked"] = mean_of([row[i] for row in detailed])
    for metric in ("region", "l1"):
        a, b = out[f"{metric} plain"], out[f"{metric} stroked"]
        out[f"{metric} cost"] = None if a is None or b is None else b - a
    return out


def table(results: dict[str, dict[str, float | None]]) -> str:
    fields = list(next(iter(results.values())))
    lines = ["| model | " + " | ".join(fields) + " |", "| --- |" + " ---: |" * len(fields)]
    for name, row in results.items():
        cells = ["—" if row[f] is None else f"{row[f]:.1f}" for f in fields]
        lines.append("| " + " | ".join([name, *cells]) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--checkpoint", action="append", default=[], metavar="[NAME=]PATH")
    parser.add_argument("--heldout", type=Path, default=DEFAULT_HELDOUT)
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--no-shipped", action="store_true", help="do not add the shipped model")
    parser.add_argument("--precision", choices=PRECISION_CHOICES, default="auto")
    parser.add_argument("--json", type=Path)
    parser.add_argument("--marks", choices=tuple(MARKS), default="strokes", help="what is drawn (strokes)")
    args = parser.parse_args(argv)
    names = heldout_names(args.heldout, args.count) if args.heldout.is_dir() else []
    if not names:
        print(f"bench/detail_strokes.py: no held-out pictures in {args.heldout}", file=sys.stderr)
        return 2
    pictures = [load_picture(args.heldout, name) for name in names]
    strokes = [stroked(p, args.marks) for p in pictures]
    specs = model_specs(args.checkpoint, default_checkpoint_path(), not args.no_shipped)
    models = load_models(specs, "cpu", args.precision)
    results = {name: score_model(model, pictures, strokes) for name, (_, model) in models.items()}
    added = np.mean([(s < p.lineart).mean() for s, p in zip(strokes, pictures, strict=True)])
    inked = f"{args.marks} ink {100 * added:.1f} % of pixels"
    print(f"{len(pictures)} held-out pictures from {args.heldout}; {inked}")
    print("network colour, 0-255 RGB, lower is better\n\n" + table(results))
    if args.json:
        checkpoints = {
            name: {"checkpoint": in_repo(path), "name": model.info.name}
            for name, (path, model) in models.items()
        }
        command = "python bench/detail_strokes.py " + " ".join(sys.argv[1:] if argv is None else argv)
        payload = {
            "command": command,
            "pictures": len(pictures),
            "marks": args.marks,
            "checkpoints": checkpoints,
            "results": results,
        }
        args.json.write_text(json.dumps(payload, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
