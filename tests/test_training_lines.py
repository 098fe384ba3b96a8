"""`linetint lines` and the rebuilt line extractors (sketchKeras, Sketch Simplification, waifu2x).

No third-party weights exist here, so every loader is checked with weights the tests make in the right
layout; what can only be checked with the real files is listed in docs/training.md.
"""

import json

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from PIL import Image

from linetint.app.cli import main
from linetint.training.extractors import build_extractor
from linetint.training.extractors.simplify import (
    SimplifyExtractor,
    SimplifyNet,
    modules_to_state_dict,
    simplify_from_state,
    simplify_grey,
)
from linetint.training.extractors.sketchkeras import (
    LAYERS,
    SketchKerasExtractor,
    SketchKerasNet,
    SketchKerasParams,
    _same_pad,
    keras_to_state_dict,
    light_maps,
)
from linetint.training.extractors.upscale import (
    LanczosUpscaler,
    UpConv7,
    Waifu2xUpscaler,
    load_upconv7,
    waifu2x_json_to_state_dict,
)
from linetint.training.extractors.weights import ExtractorWeightsError
from linetint.training.synthetic import generate


def run(*args) -> int:
    return main([str(a) for a in args])


@pytest.fixture(autouse=True)
def no_weights_in_env(monkeypatch):
    for name in ("LINETINT_SKETCHKERAS_WEIGHTS", "LINETINT_SIMPLIFY_WEIGHTS", "LINETINT_WAIFU2X_WEIGHTS"):
        monkeypatch.delenv(name, raising=False)


# --------------------------------------------------------------------------------------------------------
# The command


def test_xdog_lines_for_a_nested_folder_skip_a_corrupt_file_and_resume(tmp_path, capsys):
    data, out = tmp_path / "data", tmp_path / "lines"
    (data / "set" / "deep").mkdir(parents=True)
    Image.fromarray(generate(1, (30, 40)).color).save(data / "set" / "deep" / "a.jpg")
    (data / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n not really")

    assert run("lines", "--in", data, "--out", out, "--method", "xdog", "--device", "cpu") == 0
    captured = capsys.readouterr()
    assert "broken.png" in captured.err and "skipping" in captured.err
    written = out / "xdog" / "set" / "deep" / "a.png"
    lines = Image.open(written)
    assert lines.mode == "L" and lines.size == (40, 30)
    assert np.median(np.asarray(lines)) == 255  # white paper
    assert "1 written, 0 already there, 1 unreadable" in captured.out

    # a second run keeps what is there: an interrupted run resumes
    assert run("lines", "--in", data, "--out", out) == 0
    assert "0 written, 1 already there" in capsys.readouterr().out


def test_an_output_folder_inside_the_data_is_not_read_back(tmp_path, capsys):
    data = tmp_path / "data"
    data.mkdir()
    Image.fromarray(generate(2, 24).color).save(data / "a.png")
    for _ in range(2):
        assert run("lines", "--in", data, "--out", data / "lines") == 0
    found = sorted(p.relative_to(data).as_posix() for p in data.rglob("*.png"))
    assert found == ["a.png", "lines/xdog/a.png"]


@pytest.mark.parametrize(
    "method, where",
    [
        ("sketchkeras", "github.com/lllyasviel/sketchKeras"),
        ("simplify", "github.com/bobbens/sketch_simplification"),
    ],
)
def test_learned_methods_without_weights_say_where_to_get_them(tmp_path, capsys, method, where):
    (tmp_path / "data").mkdir()
    assert run("lines", "--in", tmp_path / "data", "--out", tmp_path / "out", "--method", method) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("linetint lines: ") and where in err and "\n" not in err
    assert not (tmp_path / "out").exists()


def test_bad_folder_and_unusable_weights_are_one_line_exit_2(tmp_path, capsys):
    assert run("lines", "--in", tmp_path / "nope", "--out", tmp_path / "out") == 2
    assert "no such folder" in capsys.readouterr().err
    bogus = tmp_path / "mod.pth"
    torch.save({"something": torch.zeros(1)}, bogus)
    code = run("lines", "--in", tmp_path, "--out", tmp_path / "o", "--method", "sketchkeras",
               "--weights", bogus)  # fmt: skip
    err = capsys.readouterr().err.strip()
    assert code == 2 and "unusable" in err and "\n" not in err


def test_help_names_the_weights_and_the_layout(capsys):
    with pytest.raises(SystemExit):
        run("lines", "--help")
    text = " ".join(capsys.readouterr().out.split())
    needles = ("OUT/<method>/<relative path>.png", "mod.h5", "model_gan", "scale2.0x_model.json")
    for needle in needles:
        assert needle in text


# --------------------------------------------------------------------------------------------------------
# sketchKeras


def fake_keras_weights(rng: np.random.Generator, nested: bool = False) -> dict[str, np.ndarray]:
    """What an h5 reader gives for mod.h5: Keras layer names, Keras layouts, in file (not numeric) order."""
    weights = {}
    for i, (c_in, c_out, k, _) in enumerate(LAYERS, start=1):
        weights[f"conv2d_{i}/kernel:0"] = rng.normal(size=(k, k, c_in, c_out)).astype(np.float32) * 0.05
        weights[f"conv2d_{i}/bias:0"] = rng.normal(size=c_out).astype(np.float32)
        if i < len(LAYERS):
            for param in ("gamma", "beta", "moving_mean"):
                weights[f"batch_normalization_{i}/{param}:0"] = rng.normal(size=c_out).astype(np.float32)
            variance = rng.uniform(0.5, 2, c_out).astype(np.float32)
            weights[f"batch_normalization_{i}/moving_variance:0"] = variance
    if nested:  # h5 files repeat the layer name: model_weights/conv2d_1/conv2d_1/kernel:0
        weights = {f"{k.split('/')[0]}/{k}": v for k, v in weights.items()}
    return dict(sorted(weights.items()))  # "conv2d_10" before "conv2d_2", as h5 groups list them


def keras_conv(x: np.ndarray, kernel: np.ndarray, bias: np.ndarray, stride: int) -> np.ndarray:
    """Keras Conv2D(padding='same') written out: x (H, W, in), kernel (kh, kw, in, out) -> (H', W', out)."""
    k = kernel.shape[0]
    h, w = x.shape[:2]
    out_h, out_w = -(-h // stride), -(-w // stride)
    pad_h, pad_w = max((out_h - 1) * stride + k - h, 0), max((out_w - 1) * stride + k - w, 0)
    padded = np.pad(x, ((pad_h // 2, pad_h - pad_h // 2), (pad_w // 2, pad_w - pad_w // 2), (0, 0)))
    out = np.zeros((out_h, out_w, kernel.shape[3]))
    for y in range(out_h):
        for x_ in range(out_w):
            patch = padded[y * stride : y * stride + k, x_ * stride : x_ * stride + k]
            out[y, x_] = np.einsum("ijc,ijco->o", patch, kernel) + bias
    return out


@pytest.mark.parametrize("nested", [False, True])
def test_keras_weights_map_onto_the_torch_network(nested):
    rng = np.random.default_rng(0)
    keras = fake_keras_weights(rng, nested)

    def key(layer: str, param: str) -> str:
        return f"{layer}/{layer}/{param}:0" if nested else f"{layer}/{param}:0"

    net = SketchKerasNet()
    net.load_state_dict(keras_to_state_dict(keras), strict=True)
    kernel = keras[key("conv2d_10", "kernel")]
    assert torch.equal(net.convs[9].weight, torch.from_numpy(kernel.transpose(3, 2, 0, 1)))
    norm = net.norms[11]
    assert np.array_equal(norm.running_var.numpy(), keras[key("batch_normalization_12", "moving_variance")])
    assert np.array_equal(norm.weight.detach().numpy(), keras[key("batch_normalization_12", "gamma")])

    # The converted convolutions compute what Keras computes, orientation and 'same' padding included:
    # an asymmetric input through the 3x3 first layer and the 4x4 stride-2 second one.
    for i, stride in ((1, 1), (2, 2)):
        x = rng.normal(size=(6, 8, LAYERS[i - 1][0]))
        layer = f"conv2d_{i}"
        kernel = keras[key(layer, "kernel")].astype(np.float64)
        want = keras_conv(x, kernel, keras[key(layer, "bias")], stride)
        conv = net.convs[i - 1].double()
        got = conv(_same_pad(torch.from_numpy(x.transpose(2, 0, 1))[None], conv.kernel_size[0], stride))
        np.testing.assert_allclose(got[0].detach().numpy().transpose(1, 2, 0), want, rtol=1e-9, atol=1e-9)


def test_converted_weights_load_from_a_file_and_the_converter_explains_itself(tmp_path, capsys):
    from linetint.training.extractors import sketchkeras

    state = keras_to_state_dict(fake_keras_weights(np.random.default_rng(2)))
    path = tmp_path / "sketchkeras.pth"
    torch.save({k: v.half() if v.is_floating_point() else v for k, v in state.items()}, path)  # half: smaller
    extractor = build_extractor("sketchkeras", path)
    assert torch.equal(extractor.net.convs[3].weight, state["convs.3.weight"].half().float())

    assert sketchkeras.main(["convert", str(tmp_path / "mod.h5"), str(tmp_path / "out.pth")]) == 2
    assert "github.com/lllyasviel/sketchKeras" in capsys.readouterr().err
    try:
        import h5py  # noqa: F401
    except ImportError:  # without h5py the converter says how to get it
        (tmp_path / "mod.h5").write_bytes(b"\x89HDF\r\n\x1a\n")
        assert sketchkeras.main(["convert", str(tmp_path / "mod.h5"), str(tmp_path / "out.pth")]) == 2
        assert "pip install h5py" in capsys.readouterr().err


def test_keras_weights_with_another_layout_are_refused():
    keras = fake_keras_weights(np.random.default_rng(1))
    keras["conv2d_4/kernel:0"] = keras["conv2d_4/kernel:0"][:3]
    with pytest.raises(ExtractorWeightsError, match="conv2d_4"):
        keras_to_state_dict(keras)
    del keras["conv2d_18/kernel:0"]
    with pytest.raises(ExtractorWeightsError, match="17 convolutions"):
        keras_to_state_dict(keras)


def test_sketchkeras_network_and_extractor_shapes():
    torch.manual_seed(0)
    net = SketchKerasNet().eval()
    with torch.no_grad():
        assert net(torch.randn(2, 1, 32, 48)).shape == (2, 1, 32, 48)
        with pytest.raises(ValueError, match="multiples of 16"):
            net(torch.randn(1, 1, 40, 40))
    extractor = SketchKerasExtractor(net, params=SketchKerasParams(side=64))
    rgb = generate(3, (30, 50)).color
    lines = extractor(rgb)
    assert lines.shape == (30, 50) and lines.dtype == np.uint8


def test_light_maps_are_a_normalised_high_pass():
    flat = np.full((20, 20, 3), 200, np.uint8)
    assert np.all(light_maps(flat) == 0)  # no division by zero on a flat picture
    dot = flat.copy()
    dot[10, 10] = (0, 100, 200)
    maps = light_maps(dot)
    assert maps.shape == (3, 20, 20) and maps.max() == pytest.approx(1.0)
    assert maps[0, 10, 10] < 0 and abs(maps[0, 0, 0]) < 1e-6


# --------------------------------------------------------------------------------------------------------
# Sketch Simplification and waifu2x


def model_gan_like_state(seed: int = 0) -> dict[str, torch.Tensor]:
    """A state dict with the keys and shapes of model_gan.pth (Sequential indices, ReLUs without keys)."""
    with torch.device("meta"):
        shapes = {k: v.shape for k, v in SimplifyNet().state_dict().items()}
    generator = torch.Generator().manual_seed(seed)
    return {k: torch.randn(s, generator=generator) * 0.01 for k, s in shapes.items()}


def test_simplify_loads_a_model_gan_state_dict_strictly_and_keeps_the_size():
    state = model_gan_like_state()
    assert list(state)[:4] == ["0.weight", "0.bias", "2.weight", "2.bias"] and "44.weight" in state
    assert state["28.weight"].shape == (256, 256, 4, 4)  # the first transposed convolution
    net = simplify_from_state(state)
    assert isinstance(net[-1], torch.nn.Sigmoid)
    lines = simplify_grey(net, np.full((13, 20), 230, np.uint8))
    assert lines.shape == (13, 20) and lines.dtype == np.uint8
    with pytest.warns(UserWarning, match="waifu2x weights were not given"):
        extractor = SimplifyExtractor(net, upscaler=LanczosUpscaler())
    assert extractor(generate(4, (11, 14)).color).shape == (11, 14)

    del state["44.bias"]
    with pytest.raises(RuntimeError, match="44.bias"):
        simplify_from_state(state)


def test_torch7_modules_convert_by_order_and_size():
    state = model_gan_like_state(1)
    weighted = sorted({int(k.split(".")[0]) for k in state})

    class Module:  # what torchfile gives for a SpatialConvolution(MM): weight possibly flattened
        def __init__(self, i):
            self.weight = state[f"{i}.weight"].numpy().reshape(state[f"{i}.weight"].shape[0], -1)
            self.bias = state[f"{i}.bias"].numpy()

    converted = modules_to_state_dict([Module(i) for i in weighted])
    assert converted.keys() == state.keys() and all(torch.equal(converted[k], state[k]) for k in state)
    with pytest.raises(ExtractorWeightsError, match="expected 23"):
        modules_to_state_dict([Module(i) for i in weighted[:-1]])


def test_waifu2x_json_and_state_dict_load_and_upscale_exactly_in_tiles(tmp_path):
    torch.manual_seed(0)
    model = UpConv7()
    layers = [
        {"nInputPlane": m.in_channels, "nOutputPlane": m.out_channels, "weight": m.weight.detach().numpy(),
         "bias": m.bias.detach().numpy()}
        for m in model if isinstance(m, (torch.nn.Conv2d, torch.nn.ConvTranspose2d))
    ]  # fmt: skip
    state = waifu2x_json_to_state_dict(layers)
    assert all(torch.equal(state[k], v) for k, v in model.state_dict().items())
    small = {**layers[0], "weight": layers[0]["weight"].tolist(), "bias": layers[0]["bias"].tolist()}
    path = tmp_path / "scale2.0x_model.json"
    path.write_text(json.dumps([small, *layers[1:]], default=lambda a: a.tolist()))
    assert torch.equal(load_upconv7(path)[0].weight, model[0].weight)
    torch.save(model.state_dict(), tmp_path / "upconv7.pth")
    loaded = load_upconv7(tmp_path / "upconv7.pth")

    x = torch.rand(1, 3, 19, 23)
    whole = Waifu2xUpscaler(loaded, tile=1000).double(x)
    tiled = Waifu2xUpscaler(loaded, tile=12).double(x)
    assert whole.shape == (1, 3, 38, 46) and torch.allclose(whole, tiled, atol=1e-6)
    reference = model(F.pad(x, (7, 7, 7, 7), mode="replicate")).clamp(0, 1)
    assert torch.allclose(whole, reference, atol=1e-6)
    assert Waifu2xUpscaler(loaded, tile=16)(generate(5, (9, 7)).color, 3).shape == (27, 21, 3)


def test_build_extractor_refuses_missing_weights_and_unknown_methods():
    assert build_extractor("xdog")(generate(6, 20).color).shape == (20, 20)
    with pytest.raises(ExtractorWeightsError, match="mod.h5"):
        build_extractor("sketchkeras")
    with pytest.raises(ValueError, match="unknown line-art method"):
        build_extractor("canny")
