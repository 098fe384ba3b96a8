"""Incremental hint encoding: after an edit, re-run the VGG19 hint encoder only where the hints changed.

Why: in `lite` the VGG19 hint branch is 82 % of a preview's multiply-adds (docs/model.md), yet an edit
changes one small patch of an almost empty hint image.

**Receptive field.** In front of conv4_4 (1/8 scale) sit 12 3x3 convs and three 2x2 pools. Walking back
from one output pixel j (`input_window` does this for the real layer list):

    conv4_4..conv4_1 (4 convs, 1/8):  pool3 out  j-4 .. j+4
    pool3 -> conv3_4 (1/4):           2j-8 .. 2j+9,   4 convs: pool2 out  2j-12 .. 2j+13
    pool2 -> conv2_2 (1/2):           4j-24 .. 4j+27, 2 convs: pool1 out  4j-26 .. 4j+29
    pool1 -> conv1_2 (1/1):           8j-52 .. 8j+59, 2 convs: input      8j-54 .. 8j+61

so a conv4_4 pixel sees a 116 x 116 window: its own 8 x 8 block and 54 px on every side. A change at
input pixel x reaches outputs ceil((x-61)/8) .. floor((x+54)/8), i.e. 7 blocks of 8 px either way.

**Stage by stage.** Re-encoding the whole 116-px window around a change would still cost ~20 % of a full
pass for one 8-px patch at 512². Instead the cache keeps the input of every stage and conv4_4, and walks
the stages in order: each stage recomputes only the outputs its changed inputs reach (k convs widen a
region by k px, a pool halves it), from a crop of its cached input k px wider than that region, and
pastes them into the next stage's cache. Stages are conv1_x+pool1 and conv2_x+pool2 (cheap: full and half
resolution, 64-128 channels), then every conv of conv3_x and conv4_x on its own (conv3_4 with pool3):
there most of the work is (73 % of the multiply-adds), and one conv per stage means each layer's
region grows by one pixel instead of the stage's four. One 4-px dab at 512² costs 2.4 % of a full VGG pass
(`plan_macs`); the cache holds ~56 MB at 512² in bf16.

**Exactness.** A 3x3 conv pads its input with zeros. Where a crop reaches the true image border (crops
are clipped to it) that padding is the same as in a full pass. At an interior crop border the padding is
wrong and the error moves one pixel inward per conv, so after a stage's k convs it reaches k px in:
no further than the margin that is dropped before pasting. Before a pool, crops start and end on even
pixels (rounded outwards, which only widens the margin), so every pool sees the 2x2 windows of the full
pass: the input's 8-px pooling grid is respected one pool at a time. The result equals a full pass up to
float summation order (tests/test_incremental.py checks relative error <= 1e-5 in fp32).

The image the encoder sees is the *padded* hint raster the generator builds (`generator.run_padding`), so
its border is the padded border; callers pad first. One cache entry per (size, device, dtype, autocast),
least recently used dropped first: the app alternates a quick and a full preview size.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from .generator import hint_rgb01
from .vgg import VGG19Features

Box = tuple[int, int, int, int]  # y0, y1, x0, x1 with exclusive ends

DEFAULT_MAX_ENTRIES = 3  # quick preview, full preview, and one spare (an export at preview size)
DEFAULT_MAX_CACHED_PIXELS = 1024 * 1024  # larger runs are exports: encode fully, keep nothing
DEFAULT_MAX_FRACTION = 0.5  # above this share of a full pass, crops and their overhead stop paying off
DEFAULT_MAX_BOXES = 64  # more separate changes than this (an import, a clear): encode fully
BLOCK = 8  # the input pixels behind one conv4_4 pixel; changes are grouped on this grid first
# From conv3_1 on (1/4 scale and below) every conv is its own stage (see the module doc).
PER_LAYER_AFTER_POOLS = 2


@dataclass(frozen=True)
class Stage:
    """A run of 3x3 convs (with ReLUs) ending in a 2x2 max pool, or the last run, without a pool."""

    layers: nn.Sequential
    convs: int
    pooled: bool
    macs_per_pixel: int  # multiply-adds per pixel of this stage's input resolution


def split_stages(features: nn.Sequential, per_layer_after_pools: int = PER_LAYER_AFTER_POOLS) -> list[Stage]:
    """Cut a VGG feature stack into stages: at every pool, and after every conv (with its ReLU) once
    `per_layer_after_pools` pools are behind. Checks the layer kinds this module's arithmetic assumes."""
    stages: list[Stage] = []
    current: list[nn.Module] = []
    pools = 0
    for i, layer in enumerate(features):
        current.append(layer)
        following = features[i + 1] if i + 1 < len(features) else None
        if isinstance(layer, nn.ReLU) and pools >= per_layer_after_pools:
            if not isinstance(following, nn.MaxPool2d):  # a conv followed by a pool stays with it
                stages.append(_stage(current, pooled=False))
                current = []
        if isinstance(layer, nn.Conv2d):
            if layer.kernel_size != (3, 3) or layer.stride != (1, 1) or layer.padding != (1, 1):
                raise ValueError("incremental encoding needs 3x3 convs with stride 1 and zero padding 1")
            if layer.padding_mode != "zeros" or layer.dilation != (1, 1):
                raise ValueError("incremental encoding needs plain zero-padded convs")
        elif isinstance(layer, nn.MaxPool2d):
            if layer.kernel_size != 2 or layer.stride != 2 or layer.padding != 0:
                raise ValueError("incremental encoding needs 2x2 max pools with stride 2")
            stages.append(_stage(current, pooled=True))
            current = []
            pools += 1
        elif not isinstance(layer, nn.ReLU):
            raise ValueError(f"incremental encoding cannot handle {type(layer).__name__}")
    if current:
        stages.append(_stage(current, pooled=False))
    return stages


def _stage(layers: list[nn.Module], pooled: bool) -> Stage:
    convs = [m for m in layers if isinstance(m, nn.Conv2d)]
    macs = sum(c.in_channels * c.out_channels * 9 for c in convs)
    return Stage(nn.Sequential(*layers), len(convs), pooled, macs)


def input_window(stages: list[Stage]) -> tuple[int, int, int]:
    """(first, last, stride): output pixel j depends on input pixels stride*j+first .. stride*j+last."""
    first, last, stride = 0, 0, 1
    for stage in reversed(stages):
        if stage.pooled:
            first, last, stride = 2 * first, 2 * last + 1, 2 * stride
        first, last = first - stage.convs, last + stage.convs
    return first, last, stride


@dataclass(frozen=True)
class Step:
    crop: Box  # region of the stage's input that is run through the stage
    out: Box  # region of the stage's output that is pasted (exact)


@dataclass(frozen=True)
class EncodeReport:
    """What the last `encode` did, for diagnostics, the status bar and the benchmark."""

    mode: str  # "full", "incremental" or "unchanged"
    reason: str  # why a full pass ("new size", "large change", ...); empty otherwise
    boxes: int  # separate changed regions at the input
    macs: int  # VGG multiply-adds spent
    full_macs: int  # what a full pass costs at this size


@dataclass
class _Entry:
    rgb: torch.Tensor  # (3, H, W): the hint RGB last encoded
    inputs: list[torch.Tensor]  # each stage's input, (1, C, Hs, Ws); inputs[0] is the normalised image
    features: torch.Tensor  # conv4_4, (1, 512, H/8, W/8)


def _dilate(box: Box, r: int, height: int, width: int) -> Box:
    y0, y1, x0, x1 = box
    return max(0, y0 - r), min(height, y1 + r), max(0, x0 - r), min(width, x1 + r)


def _area(box: Box) -> int:
    return (box[1] - box[0]) * (box[3] - box[2])


def _intersect(a: Box, b: Box) -> bool:
    return a[0] < b[1] and b[0] < a[1] and a[2] < b[3] and b[2] < a[3]


def merge_boxes(boxes: list[Box], slack: int = 0) -> list[Box]:
    """Replace boxes that overlap (after growing each by `slack`) by their bounding box, until none do."""
    boxes = list(boxes)
    merged = True
    while merged:
        merged = False
        for i in range(len(boxes)):
            for j in range(i + 1, len(boxes)):
                a, b = boxes[i], boxes[j]
                grown = (a[0] - slack, a[1] + slack, a[2] - slack, a[3] + slack)
                if _intersect(grown, b):
                    boxes[i] = (min(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), max(a[3], b[3]))
                    del boxes[j]
                    merged = True
                    break
            if merged:
                break
    return boxes


def _runs(flags: np.ndarray) -> list[tuple[int, int]]:
    """[start, end) of each run of True."""
    padded = np.concatenate([[False], flags, [False]]).astype(np.int8)
    edges = np.flatnonzero(np.diff(padded))
    return list(zip(edges[::2].tolist(), edges[1::2].tolist(), strict=True))


def changed_boxes(changed: np.ndarray, limit: int) -> list[Box] | None:
    """Tight pixel boxes around groups of changed pixels, or None when there are more than `limit`.

    Groups come from an XY cut of the 8-px block grid (split wherever a whole row or column of blocks is
    unchanged); each group's box is then shrunk to its changed pixels.
    """
    height, width = changed.shape
    # np.any, not the method: numpy's stubs type the method's axis reductions as "scalar or array".
    blocks = np.any(changed.reshape(height // BLOCK, BLOCK, width // BLOCK, BLOCK), axis=(1, 3))
    todo: list[Box] = [(0, blocks.shape[0], 0, blocks.shape[1])]
    groups: list[Box] = []
    while todo:
        y0, y1, x0, x1 = todo.pop()
        sub = blocks[y0:y1, x0:x1]
        rows, cols = _runs(np.any(sub, axis=1)), _runs(np.any(sub, axis=0))
        if not rows:
            continue
        if len(rows) > 1:
            todo += [(y0 + a, y0 + b, x0, x1) for a, b in rows]
        elif len(cols) > 1:
            todo += [(y0, y1, x0 + a, x0 + b) for a, b in cols]
        else:
            (a, b), (c, d) = rows[0], cols[0]
            groups.append((y0 + a, y0 + b, x0 + c, x0 + d))
        if len(groups) + len(todo) > limit:
            return None
    boxes = []
    for y0, y1, x0, x1 in groups:
        sub = changed[y0 * BLOCK : y1 * BLOCK, x0 * BLOCK : x1 * BLOCK]
        ys, xs = np.flatnonzero(sub.any(axis=1)), np.flatnonzero(sub.any(axis=0))
        top, left = y0 * BLOCK, x0 * BLOCK
        boxes.append((top + int(ys[0]), top + int(ys[-1]) + 1, left + int(xs[0]), left + int(xs[-1]) + 1))
    return boxes


def plan_steps(stages: list[Stage], boxes: list[Box], height: int, width: int) -> list[list[Step]]:
    """For each stage, the crops to run and the exact output regions to paste (see the module doc)."""
    plan: list[list[Step]] = []
    for stage in stages:
        k = stage.convs
        reached = [_dilate(b, k, height, width) for b in boxes]
        if stage.pooled:
            out = [(y0 // 2, -(-y1 // 2), x0 // 2, -(-x1 // 2)) for y0, y1, x0, x1 in reached]
            height, width = height // 2, width // 2
        else:
            out = reached
        # Boxes whose input crops would overlap share their work better as one crop.
        out = merge_boxes(out, slack=k)
        steps = []
        for box in out:
            if stage.pooled:
                # Pool windows must line up with the full pass: crops start (and end) on even pixels.
                region = (2 * box[0], 2 * box[1], 2 * box[2], 2 * box[3])
                y0, y1, x0, x1 = _dilate(region, k, 2 * height, 2 * width)
                crop = (y0 - y0 % 2, y1 + y1 % 2, x0 - x0 % 2, x1 + x1 % 2)
            else:
                crop = _dilate(box, k, height, width)
            steps.append(Step(crop, box))
        plan.append(steps)
        boxes = out
    return plan


def plan_macs(stages: list[Stage], plan: list[list[Step]]) -> int:
    pairs = zip(stages, plan, strict=True)
    return sum(_area(step.crop) * stage.macs_per_pixel for stage, steps in pairs for step in steps)


def full_macs(stages: list[Stage], height: int, width: int) -> int:
    total = 0
    for stage in stages:
        total += height * width * stage.macs_per_pixel
        if stage.pooled:
            height, width = height // 2, width // 2
    return total


class IncrementalHintEncoder:
    """VGG19 conv4_4 features of a padded hint raster, re-encoding only what changed since last time.

    Call inside the same autocast (or none) and inference mode as the generator. Returned features are the
    cache itself: read them, never modify them in place. Batch size 1; other batches are encoded fully.
    """

    def __init__(
        self,
        vgg: VGG19Features,
        max_entries: int = DEFAULT_MAX_ENTRIES,
        max_cached_pixels: int = DEFAULT_MAX_CACHED_PIXELS,
        max_fraction: float = DEFAULT_MAX_FRACTION,
        max_boxes: int = DEFAULT_MAX_BOXES,
    ) -> None:
        self.vgg = vgg
        self.stages = split_stages(vgg.features)
        self.max_entries = max_entries
        self.max_cached_pixels = max_cached_pixels
        self.max_fraction = max_fraction
        self.max_boxes = max_boxes
        self._entries: OrderedDict[tuple, _Entry] = OrderedDict()
        self.last: EncodeReport | None = None

    def clear(self) -> None:
        self._entries.clear()

    def encode(self, hints: torch.Tensor) -> torch.Tensor:
        """`hints`: the padded hint raster (N, 4, H, W), H and W multiples of 8 (the generator's 16)."""
        height, width = hints.shape[-2:]
        if height % BLOCK or width % BLOCK:
            raise ValueError(f"hint raster {width}x{height} is not padded to a multiple of {BLOCK}")
        total = full_macs(self.stages, height, width)
        rgb = hints[:, :3]
        if hints.shape[0] != 1 or height * width > self.max_cached_pixels:
            return self._report(self._full(rgb).features, "full", "not cached", 0, total, total)
        key = (height, width, hints.device, hints.dtype, _autocast_dtype(hints.device))
        entry = self._entries.get(key)
        if entry is None:
            return self._store(key, self._full(rgb), "new size or precision", total)
        self._entries.move_to_end(key)
        changed = (rgb[0] != entry.rgb).any(dim=0).cpu().numpy()
        if not changed.any():
            return self._report(entry.features, "unchanged", "", 0, 0, total)
        boxes = changed_boxes(changed, self.max_boxes)
        if boxes is None:
            return self._store(key, self._full(rgb), "many separate changes", total)
        plan = plan_steps(self.stages, boxes, height, width)
        macs = plan_macs(self.stages, plan)
        if macs > self.max_fraction * total:
            return self._store(key, self._full(rgb), "large change", total)
        self._update(entry, rgb, boxes, plan)
        return self._report(entry.features, "incremental", "", len(boxes), macs, total)

    # --- internals ---
    def _normalise(self, rgb: torch.Tensor) -> torch.Tensor:
        # What CSAGenerator.hint_features feeds the VGG's first conv: [-1, 1] -> [0, 1] -> ImageNet.
        return self.vgg.normalise(hint_rgb01(rgb))

    def _full(self, rgb: torch.Tensor) -> _Entry:
        x = self._normalise(rgb)
        inputs = []
        for stage in self.stages:
            inputs.append(x)
            x = stage.layers(x)
        return _Entry(rgb[0].clone(), inputs, x)

    def _update(self, entry: _Entry, rgb: torch.Tensor, boxes: list[Box], plan: list[list[Step]]) -> None:
        for y0, y1, x0, x1 in boxes:
            entry.rgb[:, y0:y1, x0:x1] = rgb[0, :, y0:y1, x0:x1]
            entry.inputs[0][..., y0:y1, x0:x1] = self._normalise(rgb[..., y0:y1, x0:x1])
        for s, (stage, steps) in enumerate(zip(self.stages, plan, strict=True)):
            source = entry.inputs[s]
            target = entry.inputs[s + 1] if s + 1 < len(self.stages) else entry.features
            scale = 2 if stage.pooled else 1
            # Crops read this stage's input and paste into the next stage's: different tensors, so the
            # order of the steps does not matter and overlapping crops are fine.
            for step in steps:
                cy0, cy1, cx0, cx1 = step.crop
                y0, y1, x0, x1 = step.out
                result = stage.layers(source[..., cy0:cy1, cx0:cx1])
                oy, ox = y0 - cy0 // scale, x0 - cx0 // scale
                target[..., y0:y1, x0:x1] = result[..., oy : oy + y1 - y0, ox : ox + x1 - x0]

    def _store(self, key: tuple, entry: _Entry, reason: str, total: int) -> torch.Tensor:
        self._entries[key] = entry
        self._entries.move_to_end(key)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)
        return self._report(entry.features, "full", reason, 0, total, total)

    def _report(
        self, features: torch.Tensor, mode: str, reason: str, boxes: int, macs: int, total: int
    ) -> torch.Tensor:
        self.last = EncodeReport(mode, reason, boxes, macs, total)
        return features


def _autocast_dtype(device: torch.device) -> torch.dtype | None:
    """The autocast dtype in force for `device`, or None: cached features are only valid under the same."""
    if device.type not in ("cpu", "cuda", "mps") or not torch.is_autocast_enabled(device.type):
        return None
    return torch.get_autocast_dtype(device.type)
