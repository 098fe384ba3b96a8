"""The README's pictures of Clean Up Line Art and Flat Colours, remade from the shipped model.

    .venv/bin/python bench/feature_pictures.py [--out docs]

clean-up.jpg     a simulated phone photo of the packaged sample (grey paper lit from one side, faded
                 lines: `photo_of` in tests/test_cleanup.py) | colorized as it is | after Auto clean-up
flat-colours.jpg the network's colours | flat colours, for the packaged sample and s2p-001 of
                 ../shared/data with their artists' hints (the second row is left out without it)
hint-colours.jpg s2p-001 and s2p-003 of ../shared/data: the artist's hints (grown to be seen) | the
                 network's colours | Keep Hint Colours | Keep Hint Colours, unhinted areas paper (left
                 out without ../shared/data)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # the photo simulation is the tests' own, so both show the same photo

from linetint.imaging.cleanup import apply_levels, auto_levels  # noqa: E402
from linetint.imaging.compose import compose  # noqa: E402
from linetint.imaging.flats import flat_colours  # noqa: E402
from linetint.imaging.hint_colours import Unhinted, keep_hint_colours, label_areas  # noqa: E402
from linetint.model.colorizer import Colorizer  # noqa: E402
from linetint.model.hints import load_hints  # noqa: E402
from linetint.model.images import load_lineart  # noqa: E402
from tests.test_cleanup import photo_of  # noqa: E402

SAMPLE = (
    ROOT / "resources" / "samples" / "girl-lineart.png",
    ROOT / "resources" / "samples" / "girl-hints.png",
)
SAMPLES = ROOT.parent / "shared" / "data" / "lineart"
SHARED = SAMPLES / "s2p-001"
HINT_COLOUR_SAMPLES = ("s2p-001", "s2p-003")


def row(pictures: list[np.ndarray], height: int) -> np.ndarray:
    scaled = [Image.fromarray(p).resize((round(p.shape[1] * height / p.shape[0]), height)) for p in pictures]
    return np.concatenate([np.asarray(s.convert("RGB")) for s in scaled], axis=1)


def stack(rows: list[np.ndarray]) -> Image.Image:
    widest = max(r.shape[1] for r in rows)
    return Image.fromarray(
        np.concatenate(
            [np.pad(r, ((0, 0), (0, widest - r.shape[1]), (0, 0)), constant_values=255) for r in rows]
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs", help="folder for the two pictures")
    out = parser.parse_args().out
    colorizer = Colorizer.load(None, "cpu")
    drawing = load_lineart(SAMPLE[0])
    hints = load_hints(SAMPLE[1], drawing.shape[1], drawing.shape[0])
    photo = photo_of(drawing)
    cleaned = apply_levels(photo, auto_levels(photo))
    as_is, after = (compose(g, colorizer.colorize(g, hints, 768)) for g in (photo, cleaned))
    stack([row([photo, as_is, after], 420)]).save(out / "clean-up.jpg", quality=85)
    rows = []
    for lineart, layer in [SAMPLE, (SHARED / "lineart.png", SHARED / "hints.png")]:
        if not lineart.exists():
            continue
        grey = load_lineart(lineart)
        rgb = colorizer.colorize(grey, load_hints(layer, grey.shape[1], grey.shape[0]), 768)
        rows.append(row([compose(grey, rgb), compose(grey, flat_colours(grey, rgb))], 560))
    stack(rows).save(out / "flat-colours.jpg", quality=85)
    rows = [hint_colours_row(colorizer, SAMPLES / name) for name in HINT_COLOUR_SAMPLES]
    if all(r is not None for r in rows):
        stack(rows).save(out / "hint-colours.jpg", quality=85)


def hint_colours_row(colorizer: Colorizer, folder: Path) -> np.ndarray | None:
    """Hints | network | kept | kept with paper for one style2paints sample, or None without it."""
    from bench.real_art import hints_over_faded_lines  # needs scipy, a dev dependency
    from linetint.training.real_art import load_sample

    if not (folder / "lineart.png").exists():
        return None
    sample = load_sample(folder)
    grey, hints = sample.lineart, sample.hints
    rgb = colorizer.colorize(grey, hints, 768)
    labels = label_areas(grey)
    kept = [keep_hint_colours(rgb, labels, hints, unhinted) for unhinted in (Unhinted.TINT, Unhinted.PAPER)]
    shown = hints_over_faded_lines(sample, grow=max(2, grey.shape[1] // 200))
    return row([shown, compose(grey, rgb), *(compose(grey, k) for k in kept)], 480)


if __name__ == "__main__":
    main()
