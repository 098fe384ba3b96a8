"""The skin colour OpenMoji's people teach: the mean colour of their skin in each of the six tones.

    .venv/bin/python bench/corpus_skin_tones.py [--corpus /work/data/corpus]

Each person drawing comes in OpenMoji's default yellow and five skin tones (-1F3FB … -1F3FF); its skin is
where the lightest and darkest tone differ. The line art is the same in all six, so where no hint says
which tone, a network that cannot tell them apart learns their mean — printed last.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from PIL import Image

TONES = ("", "-1F3FB", "-1F3FC", "-1F3FD", "-1F3FE", "-1F3FF")
SKIN_CHANGE = 60  # summed RGB difference between the lightest and darkest tone that marks skin


def tone_means(folder: Path) -> tuple[int, np.ndarray]:
    """(drawings measured, (6, 3) mean skin RGB per tone, pixel-weighted over the drawings)."""
    sums, pixels, drawings = np.zeros((len(TONES), 3)), 0, 0
    for light in sorted(folder.glob("*-1F3FB.png")):
        base = light.name[: -len("-1F3FB.png")]
        paths = [folder / f"{base}{tone}.png" for tone in TONES]
        if not all(p.is_file() for p in paths):
            continue
        pictures = [np.asarray(Image.open(p).convert("RGB"), dtype=np.int32) for p in paths]
        if len({p.shape for p in pictures}) > 1:
            continue
        skin = np.abs(pictures[1] - pictures[-1]).sum(axis=-1) > SKIN_CHANGE
        sums += [p[skin].sum(axis=0) for p in pictures]
        pixels += int(skin.sum())
        drawings += 1
    if not pixels:
        raise SystemExit(f"{folder}: no OpenMoji drawings with all six tones")
    return drawings, sums / pixels


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--corpus", type=Path, default=Path("/work/data/corpus"), help="`linetint corpus` folder"
    )
    args = parser.parse_args(argv)
    drawings, means = tone_means(args.corpus / "train" / "openmoji")
    print(f"skin of {drawings} OpenMoji drawings in six tones (mean RGB)\n")
    print("| tone | R | G | B |\n| --- | ---: | ---: | ---: |")
    for tone, mean in zip(("default (yellow)", *TONES[1:]), means, strict=True):
        print(f"| {tone} | {mean[0]:.0f} | {mean[1]:.0f} | {mean[2]:.0f} |")
    average = means.mean(axis=0)
    print(f"| **mean of the six** | {average[0]:.0f} | {average[1]:.0f} | {average[2]:.0f} |")


if __name__ == "__main__":
    main()
