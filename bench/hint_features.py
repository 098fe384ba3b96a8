"""How much signal a hint encoder gives the CSA blocks: its conv4_4 features of real hint layers.

    .venv/bin/python bench/hint_features.py [--vgg corpus=corpus-vgg19.pth ...] [--checkpoint MODEL]

For each of style2paints' samples, the hint layer its artist drew is rasterised at the working size
(long side 768 unless --side) as the app does, and each encoder's conv4_4 features of it are measured:
the mean magnitude, and how much they vary across the picture (the standard deviation over positions,
averaged over channels) — what the attention can tell one place from another by. Ratios are to the
model's own encoder (the shipped one unless --checkpoint), measured in the same run.
"""

from __future__ import annotations

import argparse

import numpy as np
import torch

from linetint.model.checkpoint import load_checkpoint
from linetint.model.colorizer import default_checkpoint_path, working_size
from linetint.model.generator import hint_rgb01
from linetint.model.hints import rasterize
from linetint.model.vgg import HINT_TAP, VGG19Features
from linetint.model.weights_file import load_state_source
from linetint.training.real_art import default_sample_root, load_sample, sample_folders


def hint_picture(folder, side: int) -> torch.Tensor:
    sample = load_sample(folder)
    height, width = sample.lineart.shape
    return hint_rgb01(torch.from_numpy(rasterize(sample.hints, *working_size(width, height, side)))[None])


@torch.no_grad()
def statistics(encoder: VGG19Features, pictures: list[torch.Tensor]) -> tuple[float, float]:
    magnitudes, spreads = [], []
    for picture in pictures:
        features = encoder(picture, (HINT_TAP,))[HINT_TAP]
        magnitudes.append(features.abs().mean().item())
        spreads.append(features.std(dim=(2, 3)).mean().item())
    return float(np.mean(magnitudes)), float(np.mean(spreads))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--checkpoint", default=None, help="model whose encoder is the baseline (shipped)")
    parser.add_argument("--vgg", action="append", default=[], metavar="NAME=FILE", help="VGG19 weights")
    parser.add_argument("--side", type=int, default=768, help="long side of the working size (768)")
    args = parser.parse_args(argv)
    model = load_checkpoint(args.checkpoint or default_checkpoint_path()).build_generator()
    encoders: dict[str, VGG19Features] = {"the model's own": model.hint_encoder}
    for entry in args.vgg:
        name, _, path = entry.rpartition("=")
        encoder = VGG19Features(last=HINT_TAP)
        encoder.load_torchvision(load_state_source(path, "VGG19 weights"))
        encoders[name or path] = encoder.eval()
    pictures = [hint_picture(folder, args.side) for folder in sample_folders(default_sample_root())]
    base = statistics(encoders["the model's own"], pictures)
    print(f"conv4_4 features of {len(pictures)} style2paints hint layers at long side {args.side}\n")
    print("| encoder | mean magnitude | variation across the picture | × the model's own |")
    print("| --- | ---: | ---: | --- |")
    for name, encoder in encoders.items():
        magnitude, spread = statistics(encoder, pictures)
        ratios = f"{magnitude / base[0]:.0f}×, {spread / base[1]:.0f}×"
        print(f"| {name} | {magnitude:.4f} | {spread:.4f} | {ratios} |")


if __name__ == "__main__":
    main()
