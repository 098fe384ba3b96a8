"""Hints taken from a colour picture: how close the output comes to that picture, and a picture grid.

    .venv/bin/python bench/picture_hints.py [--grid docs/picture-hints.jpg] [--checkpoint C]

For each line art / colour pair in ../shared/data/lineart (sketchKeras' samples), the mean absolute
difference (0-255, per channel) between the colour original and the output with hints from it, its flat
colours, and the output with no hints. Rows of the grid: original | hints (grown to be seen) | output |
flat colours. Runs the shipped model on the CPU with its default precision at up to 768 px.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from PIL import Image, ImageFilter

from linetint.imaging.compose import compose
from linetint.imaging.flats import flat_colours
from linetint.imaging.picture_hints import hints_from_picture
from linetint.model.colorizer import Colorizer
from linetint.model.hints import HintLayer, hint_rgba
from linetint.model.images import load_lineart, load_rgb

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "lineart"
PAIRS = [(SHARED / f"sketchkeras-{n}-lineart.png", SHARED / f"sketchkeras-{n}-color.png") for n in (1, 2)]
ROW_HEIGHT = 300


def shown_hints(grey: np.ndarray, layer: HintLayer) -> np.ndarray:
    """The hints grown by 2 px over pale line art, so 3 px patches show in a small grid."""
    grown = np.asarray(Image.fromarray(hint_rgba(layer)).filter(ImageFilter.MaxFilter(5)))
    pale = (191 + grey[..., None] * 0.25).astype(np.uint8)
    return np.where(grown[..., 3:] > 0, grown[..., :3], pale)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkpoint", type=Path, help="model file (default: the shipped one)")
    parser.add_argument("--grid", type=Path, help="write the picture grid here")
    args = parser.parse_args()
    colorizer = Colorizer.load(args.checkpoint, "cpu")
    rows = []
    print("| picture | hints | with hints | flat colours | no hints |\n| --- | ---: | ---: | ---: | ---: |")
    for lineart, colour in PAIRS:
        grey, original = load_lineart(lineart), load_rgb(colour)
        layer = hints_from_picture(grey, original)
        output = colorizer.colorize(grey, layer, max_side=768)
        flat = flat_colours(grey, output)
        bare = colorizer.colorize(grey, HintLayer(grey.shape[1], grey.shape[0]), max_side=768)
        l1 = [np.abs(x.astype(int) - original).mean() for x in (output, flat, bare)]
        print(f"| {lineart.name} | {len(layer)} | {l1[0]:.1f} | {l1[1]:.1f} | {l1[2]:.1f} |")
        row = np.concatenate(
            [original, shown_hints(grey, layer), compose(grey, output), compose(grey, flat)], axis=1
        )
        width = round(row.shape[1] * ROW_HEIGHT / row.shape[0])
        rows.append(np.asarray(Image.fromarray(row).resize((width, ROW_HEIGHT), Image.Resampling.LANCZOS)))
    if args.grid:
        widest = max(r.shape[1] for r in rows)
        padded = [np.pad(r, ((0, 0), (0, widest - r.shape[1]), (0, 0)), constant_values=40) for r in rows]
        Image.fromarray(np.concatenate(padded, axis=0)).save(args.grid, quality=85)


if __name__ == "__main__":
    main()
