"""Parameters and multiply-accumulates of the generator and discriminators, per preset.

    .venv/bin/python bench/model_size.py [--size 512]

Counts come from torch's FlopCounterMode (convolutions and matrix products; a MAC = 2 FLOPs), with the
model run once on a blank input, so they describe exactly the code in model/.
"""

from __future__ import annotations

import argparse

import torch
from torch.utils.flop_counter import FlopCounterMode

from linetint.model.config import PRESETS
from linetint.model.discriminator import MultiscaleDiscriminator
from linetint.model.generator import CSAGenerator


def gmacs(fn) -> float:
    with torch.inference_mode(), FlopCounterMode(display=False) as counter:
        fn()
    return counter.get_total_flops() / 2e9


def millions(module: torch.nn.Module, trainable: bool | None = None) -> float:
    params = [p for p in module.parameters() if trainable is None or p.requires_grad == trainable]
    return sum(p.numel() for p in params) / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=512, help="square input side in px")
    size = parser.parse_args().size
    lineart, hints, rgb = (torch.zeros(1, c, size, size) for c in (1, 4, 3))
    print(
        f"| model | G trainable (M) | G frozen VGG (M) | D (M) | G GMAC @{size}² | of which VGG "
        f"| D GMAC @{size}² |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name in ("paper", "lite"):
        for config in (PRESETS[name], PRESETS[name].without_attention()):
            g, d = CSAGenerator(config).eval(), MultiscaleDiscriminator(config)
            vgg = gmacs(lambda g=g: g.hint_features(hints)) if g.hint_encoder is not None else 0.0
            print(
                f"| {config.name} | {millions(g, True):.2f} | {millions(g, False):.2f} | {millions(d):.2f} "
                f"| {gmacs(lambda g=g: g(lineart, hints)):.1f} | {vgg:.1f} "
                f"| {gmacs(lambda d=d: d(lineart, rgb)):.1f} |"
            )


if __name__ == "__main__":
    main()
