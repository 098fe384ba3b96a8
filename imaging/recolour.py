"""Recolouring a finished picture: new colour, the picture's own light and shade.

A colour illustration opened to recolour gives the network its lines (XDoG), and the network's colour
carries its own guess of light and dark. Multiplying the lines back over that colour, as for line art,
throws the painter's shading away and puts the network's in its place — on style2paints' two colour
illustrations the result is then farther from the peer's recolouring than the untouched picture is.
A paint program's *Color* blend mode is what a colourist uses instead: hue and chroma from the new
colour, lightness from the picture, pixel by pixel.
"""

from __future__ import annotations

import numpy as np

from .compose import colour_at_lineart_size

# Rec. 601 weights, as to_grey reads a picture's grey: the shading a document keeps is that grey, so the
# colour's lightness must be measured the same way for the swap to give the picture's grey back.
_LUMA = np.array([0.299, 0.587, 0.114], np.float32)


def with_lightness(colour_rgb: np.ndarray, shading: np.ndarray) -> np.ndarray:
    """`colour_rgb` (uint8 H×W×3, resized to `shading`'s size if needed) with each pixel's lightness
    replaced by `shading`'s (uint8 H×W grey): hue stays the colour's, and so does chroma unless a channel
    would leave 0..255 — then the colour is pulled toward grey at that lightness just enough to fit (the
    compositing spec's ClipColor), so white paper stays white and black ink black, as paint behaves."""
    if shading.ndim != 2 or shading.dtype != np.uint8:
        raise ValueError("the shading must be a uint8 (H, W) grey array")
    colour = colour_at_lineart_size(shading, colour_rgb).astype(np.float32)
    light = shading.astype(np.float32)[..., None]
    chroma = colour - (colour @ _LUMA)[..., None]  # how each channel differs from the pixel's lightness
    # The most of the chroma that fits: down to 0 below, up to 255 above (a channel that does not leave
    # the range divides by a tiny number and leaves the factor at 1).
    fit = light / np.maximum(-chroma.min(axis=-1, keepdims=True), 1e-6)
    np.minimum(fit, (255 - light) / np.maximum(chroma.max(axis=-1, keepdims=True), 1e-6), out=fit)
    chroma *= np.minimum(fit, 1.0, out=fit)
    out = light + chroma
    out += 0.5
    return np.clip(out, 0, 255, out=out).astype(np.uint8)


__all__ = ["with_lightness"]
