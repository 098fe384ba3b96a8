"""The CUDA paths: half precision inference and AMP training. Skipped without a GPU; bench/gpu_session.sh
runs this file on a lent GPU machine before its measurements."""

import dataclasses

import numpy as np
import pytest
import torch

from linetint.model.checkpoint import load_checkpoint
from linetint.model.colorizer import Colorizer
from linetint.model.hints import HintLayer, load_hints
from linetint.model.images import load_lineart
from linetint.resources import resource
from linetint.training.data import SyntheticDataset
from linetint.training.loop import train
from linetint.training.options import TrainOptions

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")


@pytest.mark.parametrize("precision", ["fp32", "fp16", "bf16"])
def test_the_shipped_model_on_the_gpu_paints_what_it_paints_on_the_cpu(precision):
    grey = load_lineart(resource("samples", "girl-lineart.png"))
    hints = load_hints(resource("samples", "girl-hints.png"), grey.shape[1], grey.shape[0])
    cpu = Colorizer.load(None, "cpu", precision="fp32").colorize(grey, hints, max_side=256)
    gpu = Colorizer.load(None, "cuda", precision=precision)
    assert gpu.info.device.startswith("CUDA") and gpu.info.precision == precision
    diff = np.abs(gpu.colorize(grey, hints, max_side=256).astype(np.int16) - cpu)
    # half precision moves a few levels; a wrong cast or layout moves whole regions
    assert diff.mean() < 3.0 and np.percentile(diff, 99) < 40


def test_amp_training_on_the_gpu_is_finite_scaled_and_resumable(tmp_path):
    options = TrainOptions(
        out=tmp_path,
        config="tiny",
        steps=2,
        batch=4,
        crop=64,
        workers=0,
        vgg_weights="random",
        device="cuda",
        amp="on",
        checkpoint_every=2,
    )
    pictures = SyntheticDataset(size=64, length=8)
    first = train(options, dataset=pictures)
    assert all(np.isfinite(v) for v in first.losses.values())
    result = train(dataclasses.replace(options, steps=4, resume=True), dataset=pictures)
    saved = load_checkpoint(result.checkpoint).extra["training"]
    assert saved["step"] == 4 and saved["options"]["amp"] == "on"
    assert saved["scaler_g"]["scale"] > 0  # the fp16 loss scaler ran and was saved for the resume
    colorizer = Colorizer.load(result.checkpoint, "cpu")  # a GPU-trained checkpoint loads on a CPU
    assert colorizer.colorize(np.full((40, 40), 255, np.uint8), HintLayer(40, 40, ())).shape == (40, 40, 3)
