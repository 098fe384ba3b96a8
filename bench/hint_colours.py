"""Keep Hint Colours' cost beside the network's: the packaged sample at the preview's working size.

    .venv/bin/python bench/hint_colours.py [--side 512] [--repeats 10]

Times (medians) the network's pass, labelling the areas (once per line art and size in the app) and
keeping the hint colours (every edit), and prints each as a ratio to the network pass measured in the
same run.
"""

from __future__ import annotations

import argparse

import numpy as np
from PIL import Image
from speed_common import timed

from linetint.imaging.hint_colours import keep_hint_colours, label_areas
from linetint.model.colorizer import Colorizer, default_checkpoint_path
from linetint.model.hints import load_hints
from linetint.model.images import load_lineart
from linetint.resources import resource


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--side", type=int, default=512, help="long side of the working size (512)")
    parser.add_argument("--repeats", type=int, default=10)
    args = parser.parse_args(argv)
    grey = load_lineart(str(resource("samples", "girl-lineart.png")))
    scale = args.side / max(grey.shape)
    size = (round(grey.shape[1] * scale), round(grey.shape[0] * scale))
    grey = np.asarray(Image.fromarray(grey).resize(size, Image.Resampling.BOX))
    hints = load_hints(str(resource("samples", "girl-hints.png")), *size)
    colorizer = Colorizer.load(default_checkpoint_path(), "cpu")
    rgb = colorizer.colorize(grey, hints, max_side=args.side)
    labels = label_areas(grey)
    rows = {
        "network pass": timed(lambda: colorizer.colorize(grey, hints, max_side=args.side), args.repeats),
        "label areas (once per line art)": timed(lambda: label_areas(grey), args.repeats),
        "keep hint colours (every edit)": timed(lambda: keep_hint_colours(rgb, labels, hints), args.repeats),
    }
    base = rows["network pass"]
    print(f"\n{size[0]}x{size[1]}, {len(hints)} hints, {labels.count} areas; medians of {args.repeats}\n")
    print("| step | ms | × network pass |\n| --- | ---: | ---: |")
    for name, seconds in rows.items():
        print(f"| {name} | {seconds * 1000:.1f} | {seconds / base:.3f} |")


if __name__ == "__main__":
    main()
