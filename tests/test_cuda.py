"""The CUDA inference paths in every precision. Skipped without a GPU; bench/gpu_session.sh runs the tests
named *gpu* (this file, and AMP training in test_training_loop.py) on a lent GPU machine first."""

import numpy as np
import pytest
import torch

from linetint.model.colorizer import Colorizer
from linetint.model.hints import load_hints
from linetint.model.images import load_lineart
from linetint.resources import resource

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
