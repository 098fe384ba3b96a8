import pickle
import zipfile

import pytest
import torch

from linetint.model.checkpoint import (
    Checkpoint,
    CheckpointError,
    load_checkpoint,
    random_checkpoint,
    save_checkpoint,
)
from linetint.model.config import ModelConfig, preset
from linetint.model.generator import CSAGenerator

TINY = preset("tiny")


def test_round_trip_keeps_weights_config_and_metadata(tmp_path):
    ckpt = random_checkpoint(TINY, seed=3)
    ckpt.meta["summary"] = "3 steps"
    save_checkpoint(ckpt, tmp_path / "m.pt")
    loaded = load_checkpoint(tmp_path / "m.pt")
    assert loaded.config == TINY
    assert loaded.meta["summary"] == "3 steps" and loaded.trained is False
    assert "untrained" in loaded.name and "random" in loaded.name
    for key, value in ckpt.generator.items():
        assert torch.equal(loaded.generator[key], value)


def test_half_precision_checkpoint_builds_a_float_generator(tmp_path):
    save_checkpoint(random_checkpoint(TINY), tmp_path / "h.pt", half=True)
    loaded = load_checkpoint(tmp_path / "h.pt")
    assert loaded.generator["stem.0.weight"].dtype == torch.float16
    generator = loaded.build_generator()
    assert generator.stem[0].weight.dtype == torch.float32


def test_random_checkpoint_is_seeded_and_leaves_global_rng_alone():
    torch.manual_seed(123)
    expected = torch.rand(1)
    torch.manual_seed(123)
    a, b = random_checkpoint(TINY, seed=5), random_checkpoint(TINY, seed=5)
    assert torch.rand(1) == expected
    assert torch.equal(a.generator["stem.0.weight"], b.generator["stem.0.weight"])


class Payload:
    """Unpickling this would create a file: the proof that code ran."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (open, (str(self.marker), "w"))


def test_checkpoint_with_pickled_code_is_refused_and_runs_nothing(tmp_path):
    marker = tmp_path / "pwned"
    good = random_checkpoint(TINY)
    payload = {
        "format": "linetint-checkpoint",
        "version": 1,
        "config": TINY.to_dict(),
        "meta": {},
        "generator": good.generator,
        "evil": Payload(marker),
    }
    torch.save(payload, tmp_path / "evil.pt")
    assert not marker.exists()
    with pytest.raises(CheckpointError, match="pickled Python objects"):
        load_checkpoint(tmp_path / "evil.pt")
    assert not marker.exists()


def test_plain_pickle_file_is_refused(tmp_path):
    (tmp_path / "x.pt").write_bytes(pickle.dumps(Payload(tmp_path / "pwned")))
    with pytest.raises(CheckpointError):
        load_checkpoint(tmp_path / "x.pt")
    assert not (tmp_path / "pwned").exists()


def test_truncated_checkpoint_gives_a_clear_error(tmp_path):
    save_checkpoint(random_checkpoint(TINY), tmp_path / "m.pt")
    data = (tmp_path / "m.pt").read_bytes()
    (tmp_path / "cut.pt").write_bytes(data[: len(data) // 2])
    with pytest.raises(CheckpointError, match="truncated or not a LineTint checkpoint"):
        load_checkpoint(tmp_path / "cut.pt")


def test_weights_for_another_config_give_a_clear_error(tmp_path):
    other = ModelConfig(name="other", base_channels=8, max_channels=16, n_blocks=2, hint_channels=8)
    ckpt = Checkpoint(config=TINY, generator=CSAGenerator(other).state_dict())
    save_checkpoint(ckpt, tmp_path / "wrong.pt")
    loaded = load_checkpoint(tmp_path / "wrong.pt")
    with pytest.raises(CheckpointError, match="do not fit the 'tiny' model"):
        loaded.build_generator()


@pytest.mark.parametrize(
    "payload, message",
    [
        ({"weights": {}}, "not a LineTint checkpoint"),
        ({"format": "linetint-checkpoint", "version": 9}, "version 9"),
        ({"format": "linetint-checkpoint", "version": 1, "config": {"colour": 3}}, "invalid model config"),
        ({"format": "linetint-checkpoint", "version": 1, "config": {"base_channels": "8"}}, "must be int"),
        ({"format": "linetint-checkpoint", "version": 1, "config": {}, "generator": [1]}, "no generator"),
    ],
)
def test_malformed_checkpoints_are_named(tmp_path, payload, message):
    torch.save(payload, tmp_path / "bad.pt")
    with pytest.raises(CheckpointError, match=message):
        load_checkpoint(tmp_path / "bad.pt")


def test_missing_and_non_checkpoint_files(tmp_path):
    with pytest.raises(CheckpointError, match="not found"):
        load_checkpoint(tmp_path / "nope.pt")
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(CheckpointError, match="not a LineTint checkpoint: it is a text file"):
        load_checkpoint(tmp_path / "notes.txt")
    with zipfile.ZipFile(tmp_path / "empty.pt", "w"):
        pass
    with pytest.raises(CheckpointError):
        load_checkpoint(tmp_path / "empty.pt")


def test_failed_save_keeps_the_previous_checkpoint(tmp_path, monkeypatch):
    path = tmp_path / "m.pt"
    save_checkpoint(random_checkpoint(TINY, seed=1), path)
    before = path.read_bytes()

    def explode(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(torch, "save", explode)
    with pytest.raises(OSError, match="disk full"):
        save_checkpoint(random_checkpoint(TINY, seed=2), path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["m.pt"]


def test_int8_storage_is_a_quarter_of_fp32_and_colours_almost_the_same(tmp_path):
    ckpt = random_checkpoint(preset("lite"), seed=4)
    save_checkpoint(ckpt, tmp_path / "fp32.pt")
    save_checkpoint(ckpt, tmp_path / "int8.pt", storage="int8")
    ratio = (tmp_path / "int8.pt").stat().st_size / (tmp_path / "fp32.pt").stat().st_size
    assert 0.24 < ratio < 0.28
    exact, small = ckpt.build_generator(), load_checkpoint(tmp_path / "int8.pt").build_generator()
    lineart, hints = torch.rand(1, 1, 64, 64) * 2 - 1, torch.zeros(1, 4, 64, 64)
    hints[:, :, 10:14, 10:14] = 0.5
    with torch.no_grad():
        difference = (exact(lineart, hints) - small(lineart, hints)).abs().max()
    assert 0 < difference < 0.05  # quantized, yet the same picture to the eye


def test_int8_storage_keeps_small_weights_fp16_where_int8_would_move_the_colour(tmp_path):
    ckpt = random_checkpoint(preset("lite"), seed=4)
    save_checkpoint(ckpt, tmp_path / "int8.pt", storage="int8")
    stored = load_checkpoint(tmp_path / "int8.pt").generator
    assert stored["head.0.weight"].dtype == torch.float16  # the RGB output: 4,704 weights
    assert stored["blocks.0.resnet.body.1.weight"].dtype == torch.int8  # 589,824 weights


def test_unknown_storage_is_refused(tmp_path):
    with pytest.raises(ValueError, match="storage must be one of"):
        save_checkpoint(random_checkpoint(TINY), tmp_path / "x.pt", storage="int4")


def test_compressed_checkpoint_loads_the_same_weights(tmp_path):
    ckpt = random_checkpoint(TINY, seed=9)
    save_checkpoint(ckpt, tmp_path / "c.pt", storage="int8", compress=True)
    save_checkpoint(ckpt, tmp_path / "u.pt", storage="int8")
    with zipfile.ZipFile(tmp_path / "c.pt") as archive:
        assert all(i.compress_type == zipfile.ZIP_DEFLATED for i in archive.infolist())
    a, b = load_checkpoint(tmp_path / "c.pt"), load_checkpoint(tmp_path / "u.pt")
    assert all(torch.equal(a.generator[k], b.generator[k]) for k in b.generator)


def _tiny_with(tmp_path, change) -> Checkpoint:
    """The tiny model's checkpoint with `change(weights)` applied, saved and loaded back."""
    ckpt = random_checkpoint(TINY)
    change(ckpt.generator)
    save_checkpoint(ckpt, tmp_path / "m.pt")
    return load_checkpoint(tmp_path / "m.pt")


@pytest.mark.parametrize(
    "config, message",
    [
        ({"n_blocks": 100_000}, "n_blocks 100000; LineTint accepts 1 to 32"),
        ({"max_channels": 1_000_000, "base_channels": 64}, "max_channels 1000000"),
        ({"hint_channels": 0}, "hint_channels 0"),
        (
            {"base_channels": 256, "max_channels": 2048, "n_blocks": 32, "hint_channels": 1024},
            "M parameters; LineTint accepts up to 300 M",
        ),
    ],
)
def test_a_config_declaring_a_huge_network_is_refused_before_building_it(tmp_path, config, message):
    payload = {
        "format": "linetint-checkpoint",
        "version": 1,
        "config": {**TINY.to_dict(), **config},
        "generator": {},
    }
    torch.save(payload, tmp_path / "huge.pt")
    with pytest.raises(CheckpointError, match=message):
        load_checkpoint(tmp_path / "huge.pt")


def _set(key, value):
    return lambda weights: weights.__setitem__(key, value)


def _nan(weights):
    weights["stem.0.weight"] = weights["stem.0.weight"].clone()
    weights["stem.0.weight"][0, 0, 0, 0] = float("nan")


@pytest.mark.parametrize(
    "change, message",
    [
        (_set("stem.0.weight", torch.zeros(3)), r"stem.0.weight is \(3,\), the model needs \(4, 5, 7, 7\)"),
        (_set("stem.0.weight", torch.zeros(1).expand(10**10)), r"is \(10000000000,\)"),
        (_nan, "stem.0.weight holds NaN or infinite values"),
        (_set("stem.0.bias", torch.full((4,), float("inf"))), "stem.0.bias holds NaN or infinite"),
        (_set("stem.0.weight", torch.ones(4, 5, 7, 7, dtype=torch.int8)), "int8 without its scales"),
        (_set("stem.0.weight", torch.ones(4, 5, 7, 7, dtype=torch.int64)), "int64, not floating-point"),
        (lambda w: w.pop("stem.0.bias"), "missing stem.0.bias"),
    ],
    ids=["wrong shape", "huge expanded view", "nan", "inf", "int8 without scales", "int64", "missing"],
)
def test_unusable_weights_are_named_before_anything_is_built(tmp_path, change, message):
    loaded = _tiny_with(tmp_path, change)
    with pytest.raises(CheckpointError, match=message):
        loaded.build_generator()


def test_int8_weights_with_wrong_shaped_scales_are_refused(tmp_path):
    ckpt = random_checkpoint(TINY)
    save_checkpoint(ckpt, tmp_path / "q.pt", storage="int8")
    payload = torch.load(tmp_path / "q.pt", weights_only=True)
    payload["generator"]["hint_encoder.features.5.weight.__int8_scale"] = torch.ones(10**6)
    torch.save(payload, tmp_path / "q.pt")
    with pytest.raises(CheckpointError, match=r"hint_encoder.features.5.weight has scales of \(1000000,\)"):
        load_checkpoint(tmp_path / "q.pt").build_generator()
    assert load_checkpoint(tmp_path / "q.pt").config == TINY


@pytest.mark.parametrize(
    "content, kind",
    [
        (b"", "it is empty"),
        (bytes(range(7, 256)) * 8, "neither a PyTorch zip nor a pickle"),
        (b"\x89PNG\r\n\x1a\n" + bytes(100), "it is a PNG image"),
        (
            b"\x1a\x00\x00\x00\x00\x00\x00\x00" + b'{"w": {"dtype": "F32", "shape": [1]}}' + bytes(4),
            "safetensors",
        ),
    ],
    ids=["empty", "random bytes", "png", "safetensors"],
)
def test_a_foreign_file_is_described_as_what_it_is(tmp_path, content, kind):
    (tmp_path / "model.pt").write_bytes(content)
    with pytest.raises(CheckpointError) as refused:
        load_checkpoint(tmp_path / "model.pt")
    message = str(refused.value)
    assert message.startswith("model.pt is not a LineTint checkpoint") and kind in message
    assert "pickled" not in message and not message.endswith("()")


def test_a_compressed_checkpoint_that_unpacks_to_gigabytes_is_refused_unread(tmp_path):
    with zipfile.ZipFile(tmp_path / "bomb.pt", "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("bomb/data/0", "w", force_zip64=True) as entry:
            block = bytes(2**20)
            for _ in range(200):
                entry.write(block)
    with pytest.raises(CheckpointError, match="would unpack to 0.2 GiB"):
        load_checkpoint(tmp_path / "bomb.pt")
