"""Does blush hatching darken a face? style2paints' s2p-004 with and without the blush on its cheeks.

    .venv/bin/python bench/blush_faces.py [--checkpoint NAME=PATH ...] [--picture OUT.jpg]

The face of s2p-004 (597×800 line art) has two patches of short parallel strokes on its cheeks. Each model
colours the line art as drawn and with those patches erased (two white ellipses), with the artist's hint
layer and with no hints; printed: the network's mean colour (RGB, no lines multiplied over) in a box on
the face. A light face that goes dark with the blush reads the hatching as a dark fill
(training/hatching.py). --picture writes the face of each (rows: models; columns: blush with hints, blush
without, erased with hints, erased without). The shipped model is scored unless --no-shipped.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw
from real_art import load_models, model_specs

from linetint.model.colorizer import default_checkpoint_path
from linetint.model.devices import PRECISION_CHOICES
from linetint.model.hints import HintLayer, load_hints
from linetint.model.images import open_image, to_grey

SIZE = (597, 800)  # the boxes below are s2p-004's
BLUSH = [(224, 203), (302, 209)]  # centres of the cheeks' hatching; erased as 44×28 px ellipses
FACE = (215, 190, 310, 230)  # x0, y0, x1, y1: the box whose mean colour is printed
SHOWN = (170, 120, 360, 300)  # the face and hair, for --picture
DEFAULT_SAMPLE = Path(__file__).resolve().parents[2] / "shared" / "data" / "lineart" / "s2p-004"


def erased(grey: np.ndarray) -> np.ndarray:
    picture = Image.fromarray(grey)
    draw = ImageDraw.Draw(picture)
    for x, y in BLUSH:
        draw.ellipse((x - 22, y - 14, x + 22, y + 14), fill=255)
    return np.asarray(picture)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--checkpoint", action="append", default=[], metavar="[NAME=]PATH")
    parser.add_argument("--no-shipped", action="store_true", help="do not add the shipped model")
    parser.add_argument(
        "--sample", type=Path, default=DEFAULT_SAMPLE, help="folder with lineart.png, hints.png"
    )
    parser.add_argument("--precision", choices=PRECISION_CHOICES, default="auto")
    parser.add_argument("--picture", type=Path, help="write the faces as a JPEG")
    args = parser.parse_args(argv)
    try:
        grey = to_grey(open_image(args.sample / "lineart.png"))
        if grey.shape[::-1] != SIZE:
            raise ValueError(f"not s2p-004's {SIZE[0]}x{SIZE[1]} line art; the boxes here are that drawing's")
        hints = load_hints(args.sample / "hints.png", *SIZE)
    except (OSError, ValueError) as exc:
        print(f"bench/blush_faces.py: {args.sample}: {exc}", file=sys.stderr)
        return 2
    cases = {
        "blush, hints": (grey, hints),
        "blush, none": (grey, HintLayer(*SIZE)),
        "erased, hints": (erased(grey), hints),
        "erased, none": (erased(grey), HintLayer(*SIZE)),
    }
    specs = model_specs(args.checkpoint, default_checkpoint_path(), not args.no_shipped)
    print("| model | " + " | ".join(cases) + " |\n| --- |" + " --- |" * len(cases))
    rows = []
    for name, (_, model) in load_models(specs, "cpu", args.precision).items():
        colours = [model.colorize(lines, layer, max_side=768) for lines, layer in cases.values()]
        x0, y0, x1, y1 = FACE
        means = [tuple(int(v) for v in c[y0:y1, x0:x1].reshape(-1, 3).mean(0).round()) for c in colours]
        print(f"| {name} | " + " | ".join(str(m) for m in means) + " |")
        x0, y0, x1, y1 = SHOWN
        rows.append(np.hstack([c[y0:y1, x0:x1] for c in colours]))
    if args.picture:
        Image.fromarray(np.vstack(rows)).save(args.picture, quality=85)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
