"""A VGG19 trained here on the corpus's categories, for the hint encoder and loss network that the paper
takes from ImageNet (no ImageNet weights can be downloaded here; issue 13).

A plain VGG19 (no batch norm) learns slowly from scratch, so it trains with a BatchNorm after every
convolution, and at the end each norm is folded into its convolution. The file written is an ordinary
torchvision-layout VGG19 state dict (`features.N.weight` / `.bias` up to conv5_1), which
`linetint train --vgg-weights FILE` loads as it would load ImageNet's.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import cast

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image
from torch import nn
from tqdm import tqdm

from linetint.model.atomic import atomic_write
from linetint.model.images import on_white
from linetint.model.vgg import PERCEPTUAL_TAPS, VGG19Features

from .corpus.build import picture_path, read_manifest
from .options import PretrainOptions

LAST_LAYER = PERCEPTUAL_TAPS[-1]  # relu5_1: the deepest layer the perceptual loss reads
MARGIN = 9 / 8  # pictures are stored this much bigger than the crop, so crops move and scale a little


@dataclass(frozen=True)
class Picture:
    path: Path
    label: str  # "source/category"
    split: str


def corpus_pictures(corpus: Path) -> list[Picture]:
    """The corpus's pictures with their category labels, as `linetint corpus` listed them."""
    pictures = []
    for row in read_manifest(corpus):
        path = corpus / row["split"] / picture_path(row["source"], row["name"])
        pictures.append(Picture(path, f"{row['source']}/{row['category']}", row["split"]))
    return pictures


class CategoryPictures(torch.utils.data.Dataset):
    """Pictures held in memory on white squares MARGIN × size; random crops and flips when training."""

    def __init__(self, pictures: Sequence[Picture], classes: Sequence[str], size: int, train: bool) -> None:
        self.size, self.train = size, train
        self.stored = round(size * MARGIN)
        self.images = np.stack([self._square(p.path) for p in pictures])
        self.labels = torch.tensor([classes.index(p.label) for p in pictures])
        self.rng = np.random.default_rng(0)

    def _square(self, path: Path) -> np.ndarray:
        with Image.open(path) as image:
            picture = on_white(image)
        picture.thumbnail((self.stored, self.stored), Image.Resampling.LANCZOS)
        square = Image.new("RGB", (self.stored, self.stored), "white")
        square.paste(picture, ((self.stored - picture.width) // 2, (self.stored - picture.height) // 2))
        return np.asarray(square)

    def reseed(self, seed: int) -> None:
        self.rng = np.random.default_rng(seed)

    def __len__(self) -> int:
        return len(self.images)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, torch.Tensor]:
        image = self.images[index]
        slack = self.stored - self.size
        if self.train:
            top, left = self.rng.integers(0, slack + 1, size=2)
            image = image[top : top + self.size, left : left + self.size]
            if self.rng.random() < 0.5:
                image = image[:, ::-1]
        else:
            image = image[slack // 2 : slack // 2 + self.size, slack // 2 : slack // 2 + self.size]
        rgb01 = torch.from_numpy(np.ascontiguousarray(image)).permute(2, 0, 1).float() / 255
        return rgb01, self.labels[index]


class NormedVGG(nn.Module):
    """VGG19 to relu5_1 with a BatchNorm after each convolution, then average pooling and a linear head."""

    def __init__(self, classes: int) -> None:
        super().__init__()
        self.vgg = VGG19Features(last=LAST_LAYER)
        self.norms = nn.ModuleDict()
        width = 3
        for i, layer in enumerate(self.vgg.features):
            if isinstance(layer, nn.Conv2d):
                nn.init.kaiming_normal_(layer.weight, nonlinearity="relu")
                nn.init.zeros_(cast(torch.Tensor, layer.bias))
                self.norms[str(i)] = nn.BatchNorm2d(layer.out_channels)
                width = layer.out_channels
        self.head = nn.Sequential(nn.Dropout(0.3), nn.Linear(width, classes))

    def forward(self, rgb01: torch.Tensor) -> torch.Tensor:
        x = self.vgg.normalise(rgb01)
        for i, layer in enumerate(self.vgg.features):
            x = layer(x)
            if str(i) in self.norms:
                x = self.norms[str(i)](x)
        return self.head(x.mean(dim=(2, 3)))


def folded_state(model: NormedVGG) -> dict[str, torch.Tensor]:
    """The convolutions with their (eval-mode) norms folded in: a torchvision-layout VGG19 state dict."""
    state: dict[str, torch.Tensor] = {}
    for key, norm in model.norms.items():
        conv = model.vgg.features[int(key)]
        assert isinstance(conv, nn.Conv2d) and isinstance(norm, nn.BatchNorm2d)
        assert norm.running_var is not None and norm.running_mean is not None
        scale = norm.weight / torch.sqrt(norm.running_var + norm.eps)
        state[f"features.{key}.weight"] = conv.weight * scale[:, None, None, None]
        bias = cast(torch.Tensor, conv.bias)
        state[f"features.{key}.bias"] = (bias - norm.running_mean) * scale + norm.bias
    return {k: v.detach().float().cpu().contiguous() for k, v in state.items()}


@dataclass
class PretrainResult:
    classes: list[str]
    train_pictures: int
    heldout_pictures: int
    epochs: int
    seconds: float
    heldout_accuracy: float
    majority_accuracy: float  # always answering the commonest training class: what chance means here


def pretrain(options: PretrainOptions, progress: Callable[[str], None] = print) -> PretrainResult:
    """Train, write the folded weights after every epoch (atomically), and a summary beside them."""
    options.validate()
    torch.manual_seed(options.seed)
    train_pictures, heldout_pictures, classes = _splits(options.corpus)
    if len(train_pictures) < options.batch:
        count = len(train_pictures)
        raise ValueError(f"{options.corpus} has {count} training pictures, fewer than one batch")
    train_set = CategoryPictures(train_pictures, classes, options.size, train=True)
    heldout_set = CategoryPictures(heldout_pictures, classes, options.size, train=False)

    device = torch.device(options.device)
    model = NormedVGG(len(classes)).to(device)
    model.to(memory_format=torch.channels_last)  # type: ignore[call-overload]  # faster convolutions on CPUs
    optimizer = torch.optim.AdamW(model.parameters(), lr=options.lr, weight_decay=5e-4)
    steps_per_epoch = max(1, len(train_set) // options.batch)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, options.epochs * steps_per_epoch)
    start, accuracy, epoch = time.monotonic(), 0.0, 0
    weights = _class_weights(train_set.labels, len(classes)).to(device)
    for epoch in range(1, options.epochs + 1):
        loss = _train_epoch(model, train_set, optimizer, schedule, options, epoch, weights)
        accuracy = _accuracy(model, heldout_set, options)
        _save(model, options.out)
        minutes = (time.monotonic() - start) / 60
        progress(f"epoch {epoch}: loss {loss:.3f}, held-out accuracy {accuracy:.1%}, {minutes:.1f} min")
        if options.minutes is not None and minutes >= options.minutes:
            break
    commonest = max(classes, key=lambda c: sum(p.label == c for p in train_pictures))
    result = PretrainResult(
        classes, len(train_set), len(heldout_set), epoch, time.monotonic() - start, accuracy,
        sum(p.label == commonest for p in heldout_pictures) / len(heldout_pictures),
    )  # fmt: skip
    _write_summary(options, result)
    return result


def _splits(corpus: Path) -> tuple[list[Picture], list[Picture], list[str]]:
    """Training and held-out pictures, and the categories the training pictures have (the held-out
    pictures of any other category cannot be scored)."""
    pictures = corpus_pictures(corpus)
    train = [p for p in pictures if p.split == "train"]
    classes = sorted({p.label for p in train})
    heldout = [p for p in pictures if p.split == "heldout" and p.label in classes]
    if not train or not heldout:
        raise ValueError(f"{corpus}: the manifest needs pictures of the same categories in train and heldout")
    return train, heldout, classes


def _train_epoch(
    model: NormedVGG,
    data: CategoryPictures,
    optimizer: torch.optim.Optimizer,
    schedule: torch.optim.lr_scheduler.LRScheduler,
    options: PretrainOptions,
    epoch: int,
    weights: torch.Tensor,
) -> float:
    model.train()
    seed = options.seed * 1000 + epoch  # crops and order differ every epoch, the same in every run
    data.reseed(seed)
    order = torch.randperm(len(data), generator=torch.Generator().manual_seed(seed))
    losses = []
    starts = range(0, len(order) - options.batch + 1, options.batch)
    for first in tqdm(starts, desc=f"epoch {epoch}", unit="batch", leave=False, dynamic_ncols=True):
        images, labels = _batch(data, order[first : first + options.batch], options.device)
        with torch.autocast(images.device.type, torch.bfloat16, enabled=options.bf16):
            loss = F.cross_entropy(model(images).float(), labels, weights, label_smoothing=0.1)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        schedule.step()
        losses.append(loss.item())
    return float(np.mean(losses))


def _class_weights(labels: torch.Tensor, classes: int) -> torch.Tensor:
    """1/sqrt(count), mean 1 over the pictures: OpenMoji's people (half the corpus, each drawing in six
    tones) would otherwise teach little beyond "person or not"."""
    counts = torch.bincount(labels, minlength=classes).clamp(min=1).float()
    weights = counts.rsqrt()
    return weights * (len(labels) / (weights[labels].sum()))


@torch.no_grad()
def _accuracy(model: NormedVGG, data: CategoryPictures, options: PretrainOptions) -> float:
    model.eval()
    right = 0
    for first in range(0, len(data), options.batch):
        indices = torch.arange(first, min(first + options.batch, len(data)))
        images, labels = _batch(data, indices, options.device)
        with torch.autocast(images.device.type, torch.bfloat16, enabled=options.bf16):
            right += int((model(images).argmax(dim=1) == labels).sum())
    return right / len(data)


def _batch(data: CategoryPictures, indices: torch.Tensor, device: str) -> tuple[torch.Tensor, torch.Tensor]:
    items = [data[int(i)] for i in indices]
    images = torch.stack([image for image, _ in items]).to(device)
    return images.contiguous(memory_format=torch.channels_last), torch.stack([y for _, y in items]).to(device)


def _save(model: NormedVGG, out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    with atomic_write(out) as f:
        torch.save(folded_state(model), f)


def _write_summary(options: PretrainOptions, result: PretrainResult) -> None:
    record = {"options": {k: str(v) for k, v in asdict(options).items()}, **asdict(result)}
    with atomic_write(options.out.with_suffix(".json")) as f:
        f.write(json.dumps(record, indent=1).encode())
