"""`linetint evaluate`: Fréchet distance against scipy, the FID Inception's layout, fixed hints, metrics."""

import json
import math

import numpy as np
import pytest
import scipy.linalg
import torch
from PIL import Image

from linetint.app.cli import main
from linetint.model.checkpoint import random_checkpoint, save_checkpoint
from linetint.model.config import preset
from linetint.model.hints import Hint, HintLayer, hint_rgba
from linetint.training.evaluate import eval_crop, hint_colour_error, load_fixed_hints
from linetint.training.fid import (
    FIDWeightsError,
    InceptionFeatures,
    fid_from_features,
    frechet_distance,
    load_fid_network,
)
from linetint.training.inception import FIDInceptionV3, fid_inception
from linetint.training.synthetic import generate


def run(*args) -> int:
    return main([str(a) for a in args])


# --------------------------------------------------------------------------------------------------------
# Fréchet distance


def scipy_fid(a: np.ndarray, b: np.ndarray) -> float:
    """The textbook computation (pytorch-fid's): scipy's matrix square root of the product."""
    mu1, mu2 = a.mean(0), b.mean(0)
    s1, s2 = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    covmean = scipy.linalg.sqrtm(s1 @ s2).real
    return float((mu1 - mu2) @ (mu1 - mu2) + np.trace(s1) + np.trace(s2) - 2 * np.trace(covmean))


def test_fid_matches_scipy_and_is_zero_for_a_set_with_itself():
    rng = np.random.default_rng(0)
    real = rng.normal(size=(200, 64))
    fake = rng.normal(size=(200, 64)) @ rng.normal(size=(64, 64)) * 0.4 + 0.3
    ours, reference = fid_from_features(real, fake), scipy_fid(real, fake)
    assert reference > 1
    assert abs(ours - reference) / reference < 1e-6
    assert fid_from_features(real, real) == pytest.approx(0, abs=1e-9 * np.trace(np.cov(real, rowvar=False)))
    shifted = real + 2.0  # only the means differ: FID = |shift|^2
    assert fid_from_features(real, shifted) == pytest.approx(64 * 4.0, rel=1e-9)


def test_fid_is_defined_for_singular_covariances_and_undefined_below_two():
    rng = np.random.default_rng(1)
    few_a, few_b = rng.normal(size=(5, 64)), rng.normal(size=(7, 64)) + 0.5  # ranks 4 and 6 of 64: singular
    value = fid_from_features(few_a, few_b)  # the sample-space route (fewer pictures than dimensions)
    (mu1, s1), (mu2, s2) = [(a.mean(0), np.cov(a, rowvar=False)) for a in (few_a, few_b)]
    # the covariance route agrees up to the sqrt(rounding) its ~60 zero eigenvalues each contribute
    assert value == pytest.approx(frechet_distance(mu1, s1, mu2, s2), rel=1e-6)
    assert math.isfinite(value) and value > 0
    assert fid_from_features(few_a[:1], few_b) is None
    with pytest.raises(ValueError, match="feature sizes differ"):
        frechet_distance(np.zeros(2), np.eye(2), np.zeros(3), np.eye(3))


# --------------------------------------------------------------------------------------------------------
# The FID Inception


def test_inception_state_dict_names_load_strictly_through_the_loader(tmp_path):
    with torch.device("meta"):
        shapes = {k: v.shape for k, v in FIDInceptionV3().state_dict().items()}
    # names as pytorch-fid's file has them (torchvision's Inception3, 1008 classes, no aux head)
    assert shapes["Conv2d_1a_3x3.conv.weight"] == (32, 3, 3, 3)
    assert shapes["Mixed_6b.branch7x7dbl_2.conv.weight"] == (128, 128, 7, 1)
    assert shapes["Mixed_7c.branch_pool.bn.running_var"] == (192,)
    assert shapes["fc.weight"] == (1008, 2048)
    assert not any(k.startswith("AuxLogits") for k in shapes)
    generator = torch.Generator().manual_seed(0)
    state = {
        k: torch.rand(s, generator=generator, dtype=torch.float16)
        for k, s in shapes.items()
        if not k.endswith("num_batches_tracked")  # older files lack the counters; the loader adds them
    }
    path = tmp_path / "pt_inception-2015-12-05-6726825d.pth"
    torch.save(state, path)
    net, random = load_fid_network(str(path))
    assert not random
    assert torch.equal(
        net.Mixed_7b.branch3x3dbl_3b.conv.weight, state["Mixed_7b.branch3x3dbl_3b.conv.weight"].float()
    )

    del state["Mixed_5b.branch_pool.bn.bias"]
    torch.save(state, path)
    with pytest.raises(FIDWeightsError, match="Mixed_5b.branch_pool.bn.bias"):
        load_fid_network(str(path))


def test_fid_features_are_2048_numbers_per_picture():
    features = InceptionFeatures(fid_inception(None, seed=0))
    pictures = [generate(seed, 75).color for seed in (1, 2)]
    out = features(pictures)
    assert out.shape == (2, 2048) and np.isfinite(out).all()


def test_missing_fid_weights_say_where_to_get_them(tmp_path):
    with pytest.raises(FIDWeightsError, match="pt_inception-2015-12-05-6726825d.pth") as info:
        load_fid_network(str(tmp_path / "missing.pth"))
    assert "--fid-weights random" in str(info.value)


# --------------------------------------------------------------------------------------------------------
# Metrics and crops


def test_hint_error_is_zero_when_the_output_copies_the_hints():
    layer = HintLayer(
        16, 12, (Hint(1, 1, 4, (200, 10, 30)), Hint(3, 3, 3, (0, 90, 255)), Hint(15, 11, 8, (5, 5, 5)))
    )
    output = np.full((12, 16, 3), 128, np.uint8)
    wanted = hint_rgba(layer)
    output[wanted[..., 3] > 0] = wanted[..., :3][wanted[..., 3] > 0]
    assert hint_colour_error(output, layer) == 0
    output[wanted[..., 3] > 0, 0] += 3  # every hinted pixel 3 off in red
    assert hint_colour_error(output, layer) == pytest.approx(3)
    assert hint_colour_error(output, HintLayer(16, 12)) is None


def test_eval_crop_enlarges_small_pictures_and_centres_big_ones():
    big = np.arange(40 * 60, dtype=np.uint32).reshape(40, 60).astype(np.uint8)
    assert np.array_equal(eval_crop(big, 32), big[4:36, 14:46])
    small = generate(3, (20, 30)).color
    assert eval_crop(small, 32).shape == (32, 32, 3)


# --------------------------------------------------------------------------------------------------------
# The command


@pytest.fixture
def test_set(tmp_path):
    data = tmp_path / "test"
    (data / "sub").mkdir(parents=True)
    for seed, name in ((10, "a.png"), (11, "b.png"), (12, "sub/c.png")):
        Image.fromarray(generate(seed, (40, 48)).color).save(data / name)
    checkpoint = tmp_path / "tiny.pt"
    save_checkpoint(random_checkpoint(preset("tiny")), checkpoint)
    return data, checkpoint


def test_evaluate_end_to_end_with_fixed_hints(tmp_path, test_set, capsys):
    data, checkpoint = test_set
    hints, again = tmp_path / "fixed.json", tmp_path / "again.json"
    for path in (hints, again):
        code = run("evaluate", "--make-hints", "--data", data, "--hints", path, "--size", 32, "--seed", 3)
        assert code == 0
    assert hints.read_text() == again.read_text()  # the same seed gives the same hints, every time
    fixed = load_fixed_hints(hints)
    assert fixed.size == 32 and sorted(fixed.layers) == ["a.png", "b.png", "sub/c.png"]
    assert sum(len(layer) for layer in fixed.layers.values()) > 0
    capsys.readouterr()

    report_path = tmp_path / "report.json"
    code = run("evaluate", "--checkpoint", checkpoint, "--data", data, "--hints", hints, "--size", "32",
               "--fid-weights", "random", "--device", "cpu", "--out", report_path)  # fmt: skip
    assert code == 0
    printed = capsys.readouterr().out
    assert "NOT comparable to published FID" in printed and "hint error" in printed
    report = json.loads(report_path.read_text())
    assert report["images"] == 3 and report["fid_weights_random"] is True
    assert report["checkpoint"] == "untrained-tiny (random weights)" and report["trained"] is False
    metrics = report["metrics"]
    assert all(math.isfinite(metrics[name]) for name in ("l1", "hint_error", "fid"))
    assert metrics["fid"] > 0  # random Inception features still tell outputs from real pictures
    assert report["hinted_pixels"] > 0
    assert any("not comparable" in note for note in report["notes"])


def test_evaluate_refuses_clearly(tmp_path, test_set, capsys):
    data, checkpoint = test_set
    hints = tmp_path / "fixed.json"
    base = ("evaluate", "--checkpoint", checkpoint, "--data", data, "--hints", hints, "--device", "cpu")

    assert run(*base, "--fid-weights", "random") == 2
    assert "--make-hints" in capsys.readouterr().err
    assert run("evaluate", "--make-hints", "--data", data, "--hints", hints, "--size", "32") == 0
    assert run("evaluate", "--make-hints", "--data", data, "--hints", hints, "--size", "32") == 2
    assert "--overwrite" in capsys.readouterr().err
    assert run(*base, "--size", "64", "--fid-weights", "random") == 2
    assert "made for --size 32" in capsys.readouterr().err
    assert run(*base, "--size", "32", "--fid-weights", tmp_path / "none.pth") == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("linetint evaluate: ") and "pt_inception" in err and "\n" not in err
    assert run(*base, "--size", "32", "--line-method", "sketchkeras", "--fid-weights", "random") == 2
    assert "needs --lines" in capsys.readouterr().err
    lines = ("--lines", tmp_path / "lines", "--line-method", "sketchkeras")
    assert run(*base, "--size", "32", *lines, "--fid-weights", "random") == 2
    assert "make it with `linetint lines" in capsys.readouterr().err
