"""The ImageNet VGG19 the perceptual loss and the CSA hint branch need — or, on purpose, a random one."""

from __future__ import annotations

from urllib.error import URLError

import torch

from linetint.model.vgg import (
    LAYER_NAMES,
    PERCEPTUAL_TAPS,
    TORCHVISION_VGG19_URL,
    VGG19_WEIGHTS_ENV,
    VGG19Features,
    layer_index,
    load_vgg19_state,
)

from .options import RANDOM_VGG, OptionsError

RANDOM_VGG_LABEL = (
    "RANDOM VGG19 (not ImageNet): perceptual loss and hint features are meaningless; test run only"
)


def load_vgg_weights(source: str | None) -> dict[str, torch.Tensor] | None:
    """torchvision-layout VGG19 weights, or None for `random`; OptionsError saying where to put the file."""
    if source == RANDOM_VGG:
        return None
    try:
        state = load_vgg19_state(source)
        needed = [f"features.{i}.weight" for i, name in enumerate(LAYER_NAMES) if name.startswith("conv")]
        missing = [k for k in needed[: _convs_up_to(PERCEPTUAL_TAPS[-1])] if k not in state]
        if missing:
            raise ValueError(f"not a torchvision VGG19 state dict: no {missing[0]}")
        return state
    except (OSError, URLError, RuntimeError, ValueError) as exc:
        file_name = TORCHVISION_VGG19_URL.rsplit("/", 1)[-1]
        raise OptionsError(
            f"training needs ImageNet VGG19 weights for the perceptual loss and the hint branch, and they "
            f"could not be loaded ({exc}). Download {TORCHVISION_VGG19_URL} and put {file_name} in "
            f"{torch.hub.get_dir()}/checkpoints/, or pass --vgg-weights FILE, or set ${VGG19_WEIGHTS_ENV}. "
            f"(--vgg-weights random trains without them, for smoke tests only.)"
        ) from None


def perceptual_vgg(state: dict[str, torch.Tensor] | None, seed: int) -> VGG19Features:
    """VGG19 up to relu5_1 with `state` loaded; without one, initialised from `seed` so a resumed random-VGG
    run gets the same network back. Leaves the global RNG alone either way."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        vgg = VGG19Features(last=PERCEPTUAL_TAPS[-1])
    if state is not None:
        vgg.load_torchvision(state)
    return vgg


def _convs_up_to(tap: str) -> int:
    return sum(1 for name in LAYER_NAMES[: layer_index(tap) + 1] if name.startswith("conv"))
