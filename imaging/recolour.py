"""Recolouring a finished picture: new colour, the picture's own light and shade.

A colour illustration opened to recolour gives the network its lines (XDoG), and the network's colour
carries its own guess of light and dark. Multiplying the lines back over that colour, as for line art,
throws the painter's shading away and puts the network's in its place — on style2paints' two colour
illustrations the 8.8k-step model was 20.5 and 39.5 ΔE from the peer's recolouring that way, 10.9 and
28.9 this way (docs/real-art-eval.json: "shipped kept" at commit 57e7e24, "previous kept" at 2cc56cd).
A paint program's *Color* blend mode is what a colourist uses instead: hue and chroma from the new
colour, lightness from the picture, pixel by pixel. `flattened` is the finished picture of any page
either way — what the preview, every export and `linetint colorize` show, and what the evaluation scores.
"""

from __future__ import annotations

import numpy as np

from linetint.model.images import LUMA

from .compose import colour_at_lineart_size, compose


def with_lightness(colour_rgb: np.ndarray, shading: np.ndarray) -> np.ndarray:
    """`colour_rgb` (uint8 H×W×3, resized to `shading`'s size if needed) with each pixel's lightness
    replaced by `shading`'s (uint8 H×W grey): hue stays the colour's, and so does chroma unless a channel
    would leave 0..255 — then the colour is pulled toward grey at that lightness just enough to fit (the
    compositing spec's ClipColor), so white paper stays white and black ink black, as paint behaves."""
    if shading.ndim != 2 or shading.dtype != np.uint8:
        raise ValueError("the shading must be a uint8 (H, W) grey array")
    colour = colour_at_lineart_size(shading, colour_rgb).astype(np.float32)
    light = shading.astype(np.float32)[..., None]
    # the shading is to_grey's grey, so lightness is measured with its weights: a grey colour gives it back
    chroma = colour - (colour @ LUMA)[..., None]  # how each channel differs from the pixel's lightness
    # The most of the chroma that fits: down to 0 below, up to 255 above (a channel that does not leave
    # the range divides by a tiny number and leaves the factor at 1).
    fit = light / np.maximum(-chroma.min(axis=-1, keepdims=True), 1e-6)
    np.minimum(fit, (255 - light) / np.maximum(chroma.max(axis=-1, keepdims=True), 1e-6), out=fit)
    chroma *= np.minimum(fit, 1.0, out=fit)
    out = light + chroma
    out += 0.5
    return np.clip(out, 0, 255, out=out).astype(np.uint8)


def flattened(
    lineart: np.ndarray,
    colour_rgb: np.ndarray,
    shading: np.ndarray | None = None,
    multiply_lines: bool = True,
) -> np.ndarray:
    """The finished picture at the line art's size: the colour with the line art multiplied over it
    (``compose``), or, for a page with `shading` (a recoloured colour picture), the colour with the
    picture's light and shade, whose own lines are in it. `multiply_lines=False` gives the colour alone
    either way: what "without lines" asks for."""
    if shading is not None and multiply_lines:
        return with_lightness(colour_rgb, shading)
    return compose(lineart, colour_rgb, multiply_lines)


__all__ = ["flattened", "with_lightness"]
