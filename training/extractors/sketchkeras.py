"""sketchKeras (lllyasviel, 2017) rebuilt in torch: the paper's second line-art source (section 4.1).

The network is the Keras U-Net of ``mod.h5``: 18 convolutions (Keras names ``conv2d_1`` .. ``conv2d_18``),
each but the last followed by BatchNormalization (eps 1e-3) and ReLU; four stride-2 4x4 convolutions
down to 1/16, nearest-neighbour 2x upsampling followed by a 4x4 convolution on the way up, and U-Net skips
that concatenate ``[encoder, decoder]`` in that order.  Padding is Keras/TensorFlow ``same``: zeros, and
for even kernels the extra row and column go after (bottom/right).  The last convolution is linear.

The pre- and post-processing follow the original ``main.py`` / ``helper.py``:

1. resize so the long side is 512 (the short side truncated, ``int(512 / long * short)``; OpenCV's
   INTER_AREA, here PIL's box filter when shrinking and bilinear when enlarging);
2. per colour channel, a high-pass ``(c - GaussianBlur(c, sigma=3)) / 128`` on the uint8 values (OpenCV's
   19-tap kernel for sigma 3, reflect-101 borders, the blur rounded back to uint8 as OpenCV does);
3. divide all three high-pass maps by their common maximum, paste them into the top-left corner of a zero
   512 x 512 canvas, and run the network on the three channels as a batch of three grey images;
4. crop, take the maximum over the three outputs, zero everything below ``threshold``, then
   ``uint8(clip((1 - x) * 255))`` (truncating, as ``astype(np.uint8)`` does).

Uncertain: ``main.py`` writes three variants — plain (no threshold), "enhanced" (threshold 0.1) and
"pured" (0.18) — and the paper does not say which it used; we default to the enhanced one, which drops
faint shading but keeps light lines.  The result is finally resized (Lanczos) back to the picture's size,
because training reads line art at the picture's size.

Weights: convert ``mod.h5`` once with ``python -m linetint.training.extractors.sketchkeras convert mod.h5
sketchkeras.pth``; the converter maps Keras kernels (H, W, in, out) to torch (out, in, H, W) and
BatchNormalization gamma / beta / moving_mean / moving_variance to weight / bias / running_mean /
running_var.  Keras layers are matched to ours by their creation number (``conv2d_7``), and every shape is
checked, so a file with another layout is refused rather than loaded wrongly.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image
from torch import nn

from .weights import (
    SKETCHKERAS_SOURCE,
    SKETCHKERAS_WEIGHTS_ENV,
    ExtractorWeightsError,
    error_detail,
    load_state_file,
    weights_source,
)

# (in, out, kernel, stride) of conv2d_1 .. conv2d_18, in Keras creation order.
LAYERS: tuple[tuple[int, int, int, int], ...] = (
    (1, 32, 3, 1),
    (32, 64, 4, 2), (64, 64, 3, 1),
    (64, 128, 4, 2), (128, 128, 3, 1),
    (128, 256, 4, 2), (256, 256, 3, 1),
    (256, 512, 4, 2), (512, 512, 3, 1),
    (1024, 512, 4, 1), (512, 256, 3, 1),
    (512, 256, 4, 1), (256, 128, 3, 1),
    (256, 128, 4, 1), (128, 64, 3, 1),
    (128, 64, 4, 1), (64, 32, 3, 1),
    (64, 1, 3, 1),
)  # fmt: skip
BN_EPS = 1e-3  # Keras' BatchNormalization default
SIDE = 512  # the original always runs on a 512 x 512 canvas
DIVISOR = 16  # four stride-2 convolutions


def _same_pad(x: torch.Tensor, kernel: int, stride: int) -> torch.Tensor:
    """TensorFlow's 'same' zero padding: the odd extra pixel goes to the bottom/right."""
    pads = []
    for size in (x.shape[-1], x.shape[-2]):  # F.pad wants (left, right, top, bottom)
        out = -(-size // stride)
        total = max((out - 1) * stride + kernel - size, 0)
        pads += [total // 2, total - total // 2]
    return F.pad(x, pads)


class SketchKerasNet(nn.Module):
    """The mod.h5 U-Net: ``convs[i]`` is Keras ``conv2d_{i+1}``, ``norms[i]`` ``batch_normalization_{i+1}``.

    Input (N, 1, H, W) normalised high-pass maps, H and W multiples of 16; output (N, 1, H, W), about 0 on
    paper and up to about 1 on lines.
    """

    def __init__(self) -> None:
        super().__init__()
        self.convs = nn.ModuleList(nn.Conv2d(i, o, k, stride=s) for i, o, k, s in LAYERS)
        self.norms = nn.ModuleList(nn.BatchNorm2d(o, eps=BN_EPS) for _, o, _, _ in LAYERS[:-1])

    def _block(self, i: int, x: torch.Tensor) -> torch.Tensor:
        conv = self.convs[i]
        assert isinstance(conv, nn.Conv2d)
        x = conv(_same_pad(x, conv.kernel_size[0], conv.stride[0]))
        return F.relu(self.norms[i](x))

    def _up(self, i: int, skip: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
        x = F.interpolate(torch.cat((skip, x), 1), scale_factor=2, mode="nearest")
        return self._block(i + 1, self._block(i, x))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.shape[-1] % DIVISOR or x.shape[-2] % DIVISOR:
            raise ValueError(f"sketchKeras needs sides that are multiples of {DIVISOR}, got {tuple(x.shape)}")
        a1 = self._block(0, x)
        a3 = self._block(2, self._block(1, a1))
        a5 = self._block(4, self._block(3, a3))
        a7 = self._block(6, self._block(5, a5))
        a8 = self._block(7, a7)
        a9 = self._block(8, a8)
        u = self._up(9, a8, a9)
        u = self._up(11, a7, u)
        u = self._up(13, a5, u)
        u = self._up(15, a3, u)
        last = self.convs[17]
        return last(_same_pad(torch.cat((a1, u), 1), 3, 1))


# --------------------------------------------------------------------------------------------------------
# Keras weights


_KERAS_PARAMS = {
    "kernel": "weight",
    "bias": "bias",
    "gamma": "weight",
    "beta": "bias",
    "moving_mean": "running_mean",
    "moving_variance": "running_var",
}


def _number(layer: str) -> int:
    """Keras' creation number: ``conv2d_7`` -> 7; an unnumbered first layer (``conv2d``) -> 0."""
    match = re.search(r"_(\d+)$", layer)
    return int(match.group(1)) if match else 0


def keras_to_state_dict(weights: Mapping[str, np.ndarray]) -> dict[str, torch.Tensor]:
    """Our state dict from Keras weights named ``layer/param`` (``conv2d_3/kernel:0``, ...).

    Layers with a ``kernel`` are the convolutions and layers with ``moving_mean`` the BatchNorms; each
    kind is ordered by its Keras number and must match ``LAYERS`` in count and shape.
    """
    layers: dict[str, dict[str, np.ndarray]] = {}
    for key, value in weights.items():
        layer, _, param = key.replace("\\", "/").rpartition("/")
        param = param.split(":")[0]
        if param in _KERAS_PARAMS:
            layers.setdefault(layer.split("/")[0], {})[param] = np.asarray(value)
    convs = sorted((n for n, p in layers.items() if "kernel" in p), key=_number)
    norms = sorted((n for n, p in layers.items() if "moving_mean" in p), key=_number)
    if len(convs) != len(LAYERS) or len(norms) != len(LAYERS) - 1:
        raise ExtractorWeightsError(
            f"not sketchKeras' mod.h5: {len(convs)} convolutions and {len(norms)} BatchNorms, expected "
            f"{len(LAYERS)} and {len(LAYERS) - 1}"
        )
    state: dict[str, torch.Tensor] = {}
    for i, (name, (c_in, c_out, k, _)) in enumerate(zip(convs, LAYERS, strict=True)):
        kernel = layers[name]["kernel"]
        if kernel.shape != (k, k, c_in, c_out) or "bias" not in layers[name]:
            raise ExtractorWeightsError(
                f"{name}: kernel {kernel.shape} (with bias: {'bias' in layers[name]}), expected "
                f"{(k, k, c_in, c_out)} with a bias"
            )
        # Keras stores (H, W, in, out) for a cross-correlation, as torch does: only the axes move.
        state[f"convs.{i}.weight"] = torch.from_numpy(np.ascontiguousarray(kernel.transpose(3, 2, 0, 1)))
        state[f"convs.{i}.bias"] = torch.from_numpy(np.ascontiguousarray(layers[name]["bias"]))
    for i, (name, (_, c_out, _, _)) in enumerate(zip(norms, LAYERS[:-1], strict=True)):
        params = layers[name]
        missing = [p for p in ("gamma", "beta", "moving_mean", "moving_variance") if p not in params]
        if missing:  # Keras drops gamma/beta for scale=False / center=False; mod.h5 has both
            raise ExtractorWeightsError(f"{name}: no {', '.join(missing)}")
        for param, ours in (("gamma", "weight"), ("beta", "bias"), ("moving_mean", "running_mean"),
                            ("moving_variance", "running_var")):  # fmt: skip
            value = params[param]
            if value.shape != (c_out,):
                raise ExtractorWeightsError(f"{name}/{param}: shape {value.shape}, expected ({c_out},)")
            state[f"norms.{i}.{ours}"] = torch.from_numpy(np.ascontiguousarray(value))
        state[f"norms.{i}.num_batches_tracked"] = torch.tensor(0)
    return {k: v.float() if v.is_floating_point() else v for k, v in state.items()}


def read_h5_weights(path: str | os.PathLike[str]) -> dict[str, np.ndarray]:
    """Every weight array of a Keras HDF5 file, keyed ``layer/param`` (needs the optional h5py)."""
    try:
        import h5py
    except ImportError:
        raise ExtractorWeightsError(
            "reading Keras .h5 files needs h5py (`pip install h5py`), once, to convert mod.h5"
        ) from None
    arrays: dict[str, np.ndarray] = {}
    with h5py.File(path, "r") as f:
        root = f["model_weights"] if "model_weights" in f else f

        def visit(name: str, item: object) -> None:
            if isinstance(item, h5py.Dataset):
                # model_weights/<layer>/<layer>/kernel:0 -> "<layer>/kernel:0"
                parts = name.split("/")
                arrays[f"{parts[0]}/{parts[-1]}"] = np.asarray(item)

        root.visititems(visit)
    return arrays


def convert(h5_path: str | os.PathLike[str], out_path: str | os.PathLike[str]) -> None:
    """mod.h5 -> a torch state dict file for ``SketchKerasNet`` (checked by a strict load)."""
    state = keras_to_state_dict(read_h5_weights(h5_path))
    SketchKerasNet().load_state_dict(state, strict=True)
    torch.save(state, out_path)


def load_sketchkeras(weights: str | os.PathLike[str] | None = None) -> SketchKerasNet:
    """The network with the converted weights: ``weights`` (a .pth/.pt state dict, an .h5 when h5py is
    installed, or a URL), else ``$LINETINT_SKETCHKERAS_WEIGHTS``."""
    source = weights_source(weights, SKETCHKERAS_WEIGHTS_ENV)
    if source is None:
        raise ExtractorWeightsError(
            f"sketchKeras needs its weights (--weights FILE or ${SKETCHKERAS_WEIGHTS_ENV}); "
            f"{SKETCHKERAS_SOURCE}"
        )
    try:
        if source.lower().endswith(".h5"):
            state = keras_to_state_dict(read_h5_weights(source))
        else:
            state = load_state_file(source)
        net = SketchKerasNet()
        net.load_state_dict(state, strict=True)
    except ExtractorWeightsError:
        raise
    except (OSError, RuntimeError, ValueError) as exc:
        detail = error_detail(exc)
        raise ExtractorWeightsError(
            f"sketchKeras weights {source} are unusable ({detail}); {SKETCHKERAS_SOURCE}"
        ) from None
    return net.eval()


# --------------------------------------------------------------------------------------------------------
# The original's pre- and post-processing


@dataclass(frozen=True)
class SketchKerasParams:
    side: int = SIDE
    blur_sigma: float = 3.0
    threshold: float = 0.1  # main.py's "enhanced" variant; 0.18 is "pured", 0 the plain output


def _cv2_gaussian_kernel(sigma: float) -> np.ndarray:
    """OpenCV's kernel for ``GaussianBlur(img, (0, 0), sigma)`` on uint8: size round(6 sigma + 1) | 1."""
    size = int(np.floor(sigma * 3 * 2 + 1 + 0.5)) | 1
    x = np.arange(size, dtype=np.float64) - (size - 1) / 2
    kernel = np.exp(-(x * x) / (2 * sigma * sigma))
    return kernel / kernel.sum()


def _blur_uint8(channel: np.ndarray, sigma: float) -> np.ndarray:
    """Separable Gaussian with reflect-101 borders (OpenCV's default), rounded back to uint8."""
    kernel = torch.from_numpy(_cv2_gaussian_kernel(sigma))
    r = kernel.numel() // 2
    x = torch.from_numpy(channel.astype(np.float64))[None, None]
    h, w = channel.shape
    # 'reflect' in torch is OpenCV's reflect-101 (the edge pixel is not repeated); tiny images replicate.
    x = F.pad(x, (r, r, 0, 0), mode="reflect" if r < w else "replicate")
    x = F.conv2d(x, kernel.view(1, 1, 1, -1))
    x = F.pad(x, (0, 0, r, r), mode="reflect" if r < h else "replicate")
    x = F.conv2d(x, kernel.view(1, 1, -1, 1))
    return np.clip(np.floor(x[0, 0].numpy() + 0.5), 0, 255).astype(np.int64)


def resize_long_side(rgb: np.ndarray, side: int) -> np.ndarray:
    """main.py's resize: long side ``side``, short side ``int(side / long * short)``."""
    height, width = rgb.shape[:2]
    if width > height:
        size = (side, max(1, int(side / width * height)))
    else:
        size = (max(1, int(side / height * width)), side)
    if size == (width, height):
        return rgb
    shrink = size[0] < width
    method = Image.Resampling.BOX if shrink else Image.Resampling.BILINEAR  # ~ OpenCV INTER_AREA
    return np.asarray(Image.fromarray(rgb).resize(size, method))


def light_maps(rgb: np.ndarray, sigma: float = 3.0) -> np.ndarray:
    """The three per-channel high-pass maps, divided by their common maximum: float32 (3, H, W)."""
    maps = np.stack([(c.astype(np.int64) - _blur_uint8(c, sigma)) / 128.0 for c in rgb.transpose(2, 0, 1)])
    top = maps.max()
    # A flat picture has no high-pass signal; the original would divide by zero.
    return (maps / top if top > 0 else np.zeros_like(maps)).astype(np.float32)


def postprocess(lines: np.ndarray, threshold: float) -> np.ndarray:
    """Network output (H, W), lines high -> uint8 with white paper, as helper.py's save functions."""
    mat = lines.astype(np.float64).copy()
    mat[mat < threshold] = 0
    return np.clip((1 - mat) * 255.0, 0, 255).astype(np.uint8)


class SketchKerasExtractor:
    """sketchKeras line art at the picture's own size (see the module docstring for every step)."""

    name = "sketchkeras"

    def __init__(
        self,
        net: SketchKerasNet,
        device: torch.device | str = "cpu",
        params: SketchKerasParams = SketchKerasParams(),
    ) -> None:
        if params.side % DIVISOR:
            raise ValueError(f"side must be a multiple of {DIVISOR}, got {params.side}")
        self.device = torch.device(device)
        self.net = net.to(self.device).eval()
        self.params = params

    @torch.inference_mode()
    def __call__(self, rgb: np.ndarray) -> np.ndarray:
        if rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.dtype != np.uint8:
            raise ValueError(f"sketchKeras expects uint8 (H, W, 3), got {rgb.dtype} {rgb.shape}")
        height, width = rgb.shape[:2]
        small = resize_long_side(rgb, self.params.side)
        h, w = small.shape[:2]
        canvas = np.zeros((3, 1, self.params.side, self.params.side), dtype=np.float32)
        canvas[:, 0, :h, :w] = light_maps(small, self.params.blur_sigma)
        out = self.net(torch.from_numpy(canvas).to(self.device))[:, 0, :h, :w]
        lines = postprocess(out.amax(0).float().cpu().numpy(), self.params.threshold)
        if (w, h) != (width, height):
            lines = np.asarray(Image.fromarray(lines).resize((width, height), Image.Resampling.LANCZOS))
        return lines


# --------------------------------------------------------------------------------------------------------
# `python -m linetint.training.extractors.sketchkeras convert mod.h5 out.pth`


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m linetint.training.extractors.sketchkeras",
        description="Convert sketchKeras' Keras weights for `linetint lines --method sketchkeras`. "
        f"{SKETCHKERAS_SOURCE}.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    conv = commands.add_parser("convert", help="mod.h5 -> a torch state dict", description="mod.h5 -> .pth")
    conv.add_argument("h5", type=Path, help="sketchKeras' mod.h5")
    conv.add_argument("out", type=Path, help="where to write the state dict (.pth)")
    args = parser.parse_args(argv)
    if not args.h5.is_file():
        print(f"sketchkeras convert: {args.h5}: no such file; {SKETCHKERAS_SOURCE}", file=sys.stderr)
        return 2
    try:
        convert(args.h5, args.out)
    except (ExtractorWeightsError, OSError) as exc:
        print(f"sketchkeras convert: {exc}", file=sys.stderr)
        return 2
    print(f"{args.out} (use it with `linetint lines --method sketchkeras --weights {args.out}`)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
