"""The skin colour OpenMoji's people teach: the mean colour of their skin in each of the six tones.

    .venv/bin/python bench/corpus_skin_tones.py [--corpus /work/data/corpus] [--weights-out FILE]

Each person drawing comes in OpenMoji's default yellow and five skin tones (-1F3FB … -1F3FF); its skin is
where the lightest and darkest tone differ. The line art is the same in all six, so where no hint says
which tone, a network that cannot tell them apart learns their mean — printed last, and the mean that
LIGHT_WEIGHTS gives.  --weights-out writes those weights as a `linetint train --picture-weights @FILE`
file: anime skin is paler than any of the six, so the lightest tone leads; the darker ones stay, fewer,
so hints of them are still learnt; each drawing's six weights sum to 6, so people keep about their share
(52 % of the samples against 48 %: two-tone pictures take the lightest tone's weight).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from PIL import Image

TONES = ("", "-1F3FB", "-1F3FC", "-1F3FD", "-1F3FE", "-1F3FF")
# Per tone, in TONES' order: default yellow (a smiley's colour, not a skin's) almost never, the lightest most.
LIGHT_WEIGHTS = (0.1, 4.0, 1.0, 0.5, 0.2, 0.2)
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


def toned_defaults(folder: Path) -> list[str]:
    """Names of the default (yellow) pictures of drawings that also come in skin tones: a toned name with
    its tone code taken out (1F3C3-1F3FB-200D-2640-FE0F.png: 1F3C3-200D-2640-FE0F.png), where it exists."""
    names = set()
    for tone in TONES[1:]:
        for toned in folder.glob(f"*{tone}*.png"):
            default = toned.name.replace(tone, "", 1)
            if (folder / default).is_file() and not any(t in default for t in TONES[1:]):
                names.add(default)
    return sorted(names)


def weight_lines(defaults: list[str], weights: tuple[float, ...] = LIGHT_WEIGHTS) -> list[str]:
    """`--picture-weights` lines under the training folder's openmoji/: each tone by glob (its code may sit
    mid-name, before a ZWJ sequence; a picture with two tones takes the lighter one's weight: the first
    rule it matches), and each toned drawing's yellow default by name (it has no code to glob)."""
    lines = [f"openmoji/*{tone}*={w:g}" for tone, w in zip(TONES[1:], weights[1:], strict=True)]
    return lines + [f"openmoji/{name}={weights[0]:g}" for name in defaults]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--corpus", type=Path, default=Path("/work/data/corpus"), help="`linetint corpus` folder"
    )
    parser.add_argument("--weights-out", type=Path, help="write LIGHT_WEIGHTS as a --picture-weights file")
    args = parser.parse_args(argv)
    folder = args.corpus / "train" / "openmoji"
    drawings, means = tone_means(folder)
    print(f"skin of {drawings} OpenMoji drawings in six tones (mean RGB)\n")
    print("| tone | R | G | B |\n| --- | ---: | ---: | ---: |")
    for tone, mean in zip(("default (yellow)", *TONES[1:]), means, strict=True):
        print(f"| {tone} | {mean[0]:.0f} | {mean[1]:.0f} | {mean[2]:.0f} |")
    average = means.mean(axis=0)
    print(f"| **mean of the six** | {average[0]:.0f} | {average[1]:.0f} | {average[2]:.0f} |")
    light = np.average(means, axis=0, weights=LIGHT_WEIGHTS)
    label = ", ".join(f"{w:g}" for w in LIGHT_WEIGHTS)
    print(f"| **weighted {label}** | {light[0]:.0f} | {light[1]:.0f} | {light[2]:.0f} |")
    if args.weights_out:
        header = f"# linetint train --picture-weights @{args.weights_out.name}: bench/corpus_skin_tones.py\n"
        args.weights_out.write_text(header + "\n".join(weight_lines(toned_defaults(folder))) + "\n")
        print(f"\nwrote {args.weights_out}")


if __name__ == "__main__":
    main()
