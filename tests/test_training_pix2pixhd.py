"""The pix2pixHD baseline generator and the architecture field that selects it."""

import pytest
import torch

from linetint.model.checkpoint import CheckpointError, load_checkpoint, random_checkpoint, save_checkpoint
from linetint.model.colorizer import Colorizer
from linetint.model.config import ModelConfig, preset
from linetint.model.generator import CSAGenerator
from linetint.model.hints import Hint, HintLayer
from linetint.model.networks import build_generator
from linetint.model.pix2pixhd import GlobalGenerator

TINY_P2P = preset("tiny").as_pix2pixhd()


def inputs(height: int, width: int) -> tuple[torch.Tensor, torch.Tensor]:
    torch.manual_seed(0)
    hints = torch.zeros(1, 4, height, width)
    hints[:, :, 2:5, 2:5] = torch.tensor([0.8, -0.5, 0.1, 1.0]).view(1, 4, 1, 1)
    return torch.rand(1, 1, height, width) * 2 - 1, hints


@pytest.mark.parametrize("size", [(37, 53), (64, 64), (1, 1)])
def test_pix2pixhd_keeps_any_input_size_and_range(size):
    generator = GlobalGenerator(TINY_P2P).eval()
    with torch.no_grad():
        out = generator(*inputs(*size))
    assert out.shape == (1, 3, *size) and out.abs().max() <= 1.0


def test_pix2pixhd_is_the_global_generator_layout():
    paper = preset("paper").as_pix2pixhd()
    with torch.device("meta"):  # shapes only: no 700 MB of weights to initialise
        generator = GlobalGenerator(paper)
    convs = [m for m in generator.modules() if isinstance(m, torch.nn.Conv2d)]
    transposed = [m for m in generator.modules() if isinstance(m, torch.nn.ConvTranspose2d)]
    assert convs[0].in_channels == 5 and convs[0].kernel_size == (7, 7) and convs[0].out_channels == 64
    assert [c.out_channels for c in convs[1:5]] == [128, 256, 512, 1024]
    assert all(c.stride == (2, 2) for c in convs[1:5])
    assert paper.n_blocks == 9 and len(convs) == 1 + 4 + 2 * 9 + 1
    assert [t.out_channels for t in transposed] == [512, 256, 128, 64]
    assert convs[-1].out_channels == 3 and convs[-1].kernel_size == (7, 7)
    assert generator.hint_encoder is None
    assert not any("hint" in name for name, _ in generator.named_parameters())
    # pix2pixHD's G1 has about 182 M parameters; ours differs only by the input channels
    assert 180e6 < sum(p.numel() for p in generator.parameters()) < 185e6


def test_hints_reach_the_output_through_the_input_channels():
    generator = GlobalGenerator(TINY_P2P).eval()
    lineart, hints = inputs(32, 32)
    with torch.no_grad():
        assert (generator(lineart, hints) - generator(lineart, torch.zeros_like(hints))).abs().max() > 1e-4


def test_factory_builds_the_class_the_config_names():
    assert isinstance(build_generator(preset("tiny")), CSAGenerator)
    assert isinstance(build_generator(preset("tiny").without_attention()), CSAGenerator)
    assert isinstance(build_generator(TINY_P2P), GlobalGenerator)


def test_pix2pixhd_checkpoint_round_trips_into_the_colorizer(tmp_path):
    save_checkpoint(random_checkpoint(TINY_P2P, seed=2), tmp_path / "p.pt")
    loaded = load_checkpoint(tmp_path / "p.pt")
    assert loaded.config.architecture == "pix2pixhd"
    colorizer = Colorizer(loaded, "cpu")
    assert isinstance(colorizer.generator, GlobalGenerator)
    rgb = colorizer.colorize(torch.full((30, 44), 255, dtype=torch.uint8).numpy(), HintLayer(44, 30, ()))
    assert rgb.shape == (30, 44, 3)
    hinted = colorizer.colorize(
        torch.full((30, 44), 255, dtype=torch.uint8).numpy(), HintLayer(44, 30, (Hint(3, 3, 6, (255, 0, 0)),))
    )
    assert (hinted != rgb).any()


def test_checkpoints_without_the_architecture_field_load_as_csa(tmp_path):
    ckpt = random_checkpoint(preset("tiny"))
    payload = {
        "format": "linetint-checkpoint",
        "version": 1,
        "config": {k: v for k, v in preset("tiny").to_dict().items() if k != "architecture"},
        "meta": {},
        "generator": ckpt.generator,
    }
    torch.save(payload, tmp_path / "old.pt")
    loaded = load_checkpoint(tmp_path / "old.pt")
    assert loaded.config.architecture == "csa"
    assert isinstance(loaded.build_generator(), CSAGenerator)


def test_unknown_architecture_is_an_invalid_config(tmp_path):
    with pytest.raises(ValueError, match="unknown architecture"):
        ModelConfig(architecture="unet3000")
    payload = {"format": "linetint-checkpoint", "version": 1, "config": {"architecture": "unet3000"}}
    torch.save(payload, tmp_path / "bad.pt")
    with pytest.raises(CheckpointError, match="invalid model config"):
        load_checkpoint(tmp_path / "bad.pt")
