import numpy as np
import pytest
from PIL import Image

from linetint.model.checkpoint import random_checkpoint, save_checkpoint
from linetint.model.colorizer import Colorizer, working_size
from linetint.model.config import preset
from linetint.model.devices import DeviceError, pick_device
from linetint.model.hints import Hint, HintLayer
from linetint.model.images import ImageInputError


@pytest.fixture(scope="module")
def colorizer() -> Colorizer:
    return Colorizer(random_checkpoint(preset("tiny")), device="cpu")


def spy_on_run(colorizer, monkeypatch) -> list:
    calls = []
    real = colorizer.run

    def run(grey, raster):
        calls.append((grey.shape, raster))
        return real(grey, raster)

    monkeypatch.setattr(colorizer, "run", run)
    return calls


@pytest.mark.parametrize("size", [(45, 31), (300, 200), (7, 9)])
def test_result_is_rgb_at_the_line_arts_own_size(colorizer, size):
    width, height = size
    rgb = colorizer.colorize(np.full((height, width), 255, np.uint8), HintLayer(width, height), max_side=128)
    assert rgb.shape == (height, width, 3) and rgb.dtype == np.uint8


def test_network_runs_capped_by_max_side_and_small_hints_survive(colorizer, monkeypatch):
    calls = spy_on_run(colorizer, monkeypatch)
    hints = HintLayer(2000, 1000, (Hint(1999, 999, 1, (255, 0, 0)), Hint(10, 10, 1, (0, 0, 255))))
    colorizer.colorize(np.full((1000, 2000), 255, np.uint8), hints, max_side=256)
    ((shape, raster),) = calls
    assert shape == (128, 256)
    assert raster[3].sum() == 2  # both 1-px dots are still there, one pixel each
    assert raster[:3, 127, 255].tolist() == [1.0, -1.0, -1.0]


def test_hints_made_for_another_size_are_scaled(colorizer, monkeypatch):
    calls = spy_on_run(colorizer, monkeypatch)
    colorizer.colorize(np.zeros((100, 100), np.uint8), HintLayer(50, 50, (Hint(25, 25, 2, (0, 0, 0)),)), 100)
    ((_, raster),) = calls
    assert raster[3, 50:54, 50:54].all() and raster[3].sum() == 16


def test_accepts_pil_images_of_any_mode(colorizer):
    rgba = Image.new("RGBA", (40, 30), (0, 0, 0, 0))
    assert colorizer.colorize(rgba, HintLayer(40, 30)).shape == (30, 40, 3)


def test_too_large_line_art_is_a_clear_error(colorizer):
    with pytest.raises(ImageInputError, match="8192 px"):
        colorizer.colorize(np.zeros((10, 9000), np.uint8), HintLayer(9000, 10))


def test_working_size_never_enlarges():
    assert working_size(300, 200, 768) == (300, 200)
    assert working_size(2000, 1000, 512) == (512, 256)


def test_load_from_file_names_the_model(tmp_path):
    save_checkpoint(random_checkpoint(preset("tiny")), tmp_path / "m.pt")
    info = Colorizer.load(tmp_path / "m.pt", device="cpu").info
    assert info.config_name == "tiny" and not info.trained and info.device == "CPU"


def test_devices():
    assert pick_device("cpu").type == "cpu"
    assert pick_device("auto").type in {"cpu", "cuda", "mps"}
    with pytest.raises(DeviceError, match="unknown device"):
        pick_device("tpu")


def test_unavailable_gpu_is_a_clear_error():
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    with pytest.raises(DeviceError, match="CUDA was asked for but is not available"):
        pick_device("cuda")
