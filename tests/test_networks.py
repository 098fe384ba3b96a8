import pytest
import torch

from linetint.model.blocks import CSABlock
from linetint.model.config import preset
from linetint.model.discriminator import MultiscaleDiscriminator
from linetint.model.generator import CSAGenerator, run_padding
from linetint.model.vgg import LAYER_NAMES, PERCEPTUAL_TAPS, VGG19Features, load_vgg19_state

TINY = preset("tiny")


def inputs(height: int, width: int, batch: int = 1) -> tuple[torch.Tensor, torch.Tensor]:
    torch.manual_seed(0)
    lineart = torch.rand(batch, 1, height, width) * 2 - 1
    hints = torch.zeros(batch, 4, height, width)
    hints[:, :, 5:9, 7:11] = torch.tensor([0.8, -0.5, 0.1, 1.0]).view(1, 4, 1, 1)
    return lineart, hints


@pytest.mark.parametrize("size", [(37, 53), (64, 64), (17, 100), (1, 1)])
def test_generator_keeps_any_input_size_and_range(size):
    generator = CSAGenerator(TINY).eval()
    lineart, hints = inputs(*size)
    with torch.no_grad():
        out = generator(lineart, hints)
    assert out.shape == (1, 3, *size)
    assert out.abs().max() <= 1.0


def test_gradients_reach_every_trainable_parameter_and_not_the_frozen_vgg():
    generator = CSAGenerator(TINY)
    lineart, hints = inputs(48, 32, batch=2)
    generator(lineart, hints).square().mean().backward()
    trainable = {n: p for n, p in generator.named_parameters() if p.requires_grad}
    assert trainable
    no_grad = [n for n, p in trainable.items() if p.grad is None or not p.grad.abs().sum() > 0]
    assert no_grad == []
    frozen = [n for n, p in generator.named_parameters() if not p.requires_grad]
    assert frozen and all(n.startswith("hint_encoder.features.") for n in frozen)


def test_attention_maps_lie_strictly_between_0_and_1():
    generator = CSAGenerator(TINY).eval()
    maps = []
    for block in generator.blocks:
        block.attention.register_forward_hook(lambda m, i, o: maps.append(o))
    with torch.no_grad():
        generator(*inputs(40, 40))
    assert len(maps) == TINY.n_blocks
    for m in maps:
        assert m.shape[1] == 1 and (m > 0).all() and (m < 1).all()


def test_hints_change_the_output_of_the_attention_model():
    generator = CSAGenerator(TINY).eval()
    lineart, hints = inputs(32, 32)
    with torch.no_grad():
        a = generator(lineart, hints)
        b = generator(lineart, torch.zeros_like(hints))
    assert (a - b).abs().max() > 1e-4


def test_ablation_has_no_hint_branch():
    generator = CSAGenerator(TINY.without_attention())
    names = [n for n, _ in generator.named_parameters()]
    assert generator.hint_encoder is None
    assert not any("hint" in n or "attention" in n for n in names)
    assert not any(isinstance(m, CSABlock) for m in generator.modules())
    assert generator(*inputs(20, 20)).shape == (1, 3, 20, 20)


def test_hint_features_are_computed_once_per_forward():
    generator = CSAGenerator(TINY).eval()
    calls = []
    generator.hint_encoder.register_forward_hook(lambda m, i, o: calls.append(1))
    with torch.no_grad():
        generator(*inputs(32, 48))
    assert len(calls) == 1


def test_paper_preset_follows_pix2pixhd_widths_and_lite_is_a_quarter():
    paper, lite = preset("paper"), preset("lite")
    assert paper.encoder_widths() == [64, 128, 256, 512, 1024]
    assert lite.encoder_widths() == [w // 4 for w in paper.encoder_widths()]
    assert paper.n_blocks == lite.n_blocks == 8
    with pytest.raises(ValueError, match="unknown model config"):
        preset("huge")


def test_multiscale_discriminator_returns_every_layer_at_three_scales():
    disc = MultiscaleDiscriminator(TINY)
    lineart = torch.zeros(2, 1, 128, 96)
    outputs = disc(lineart, torch.zeros(2, 3, 128, 96))
    assert len(outputs) == 3
    assert all(len(features) == 5 for features in outputs)
    logits = [features[-1] for features in outputs]
    assert all(t.shape[:2] == (2, 1) for t in logits)
    # each scale sees half the resolution of the one before
    assert logits[0].shape[-1] > logits[1].shape[-1] > logits[2].shape[-1]


def test_vgg_layer_names_match_torchvision_indices():
    assert LAYER_NAMES.index("conv4_4") == 25
    assert LAYER_NAMES.index("relu5_1") == 29
    features = VGG19Features()(torch.rand(1, 3, 32, 32), PERCEPTUAL_TAPS)
    assert [f.shape[1] for f in features.values()] == [64, 128, 256, 512, 512]


def torchvision_style_state() -> dict:
    torch.manual_seed(1)
    state = {f"features.{k}": v for k, v in VGG19Features().features.state_dict().items()}
    state["classifier.0.weight"] = torch.zeros(4, 4)  # torchvision files carry the classifier too
    return state


def test_torchvision_state_dict_loads_unchanged_from_a_local_file(tmp_path):
    state = torchvision_style_state()
    path = tmp_path / "vgg19.pth"
    torch.save(state, path)
    vgg = VGG19Features(last="conv4_4")
    vgg.load_torchvision(load_vgg19_state(path))
    assert torch.equal(vgg.features[25].weight, state["features.25.weight"])
    assert vgg.state_dict().keys() <= state.keys()


def test_vgg_weights_come_from_torch_hub_cache_without_network(tmp_path, monkeypatch):
    state = torchvision_style_state()
    monkeypatch.setenv("TORCH_HOME", str(tmp_path))
    cache = tmp_path / "hub" / "checkpoints"
    cache.mkdir(parents=True)
    torch.save(state, cache / "vgg19-dcbb9e9d.pth")
    loaded = load_vgg19_state("https://download.invalid/models/vgg19-dcbb9e9d.pth")
    assert torch.equal(loaded["features.0.weight"], state["features.0.weight"])


def test_vgg_weights_env_override_and_clear_errors(tmp_path, monkeypatch):
    path = tmp_path / "mine.pth"
    torch.save(torchvision_style_state(), path)
    monkeypatch.setenv("LINETINT_VGG19_WEIGHTS", str(path))
    assert "features.34.weight" in load_vgg19_state()
    with pytest.raises(FileNotFoundError, match="not found"):
        load_vgg19_state(tmp_path / "missing.pth")
    with pytest.raises(ValueError, match="missing features.0.weight"):
        VGG19Features().load_torchvision({"classifier.0.weight": torch.zeros(1)})


def test_run_padding_pads_right_and_below_to_a_multiple_of_16_at_least_32():
    assert run_padding(100, 30) == (0, 2, 0, 12)  # (left, right, top, bottom): height 112, width 32
    assert run_padding(64, 48) == (0, 0, 0, 0)
    assert run_padding(1, 1) == (0, 31, 0, 31)
