"""`linetint train-vgg`: a VGG19 taught the corpus's categories, written as weights `--vgg-weights` loads."""

import csv
import json

import numpy as np
import pytest
import torch
from PIL import Image

from linetint.app.cli import main
from linetint.model.vgg import HINT_TAP, PERCEPTUAL_TAPS, VGG19Features
from linetint.training.corpus.build import MANIFEST_FIELDS
from linetint.training.options import PretrainOptions
from linetint.training.vgg_pretrain import NormedVGG, folded_state, pretrain
from linetint.training.vgg_weights import load_vgg_weights, perceptual_vgg


def _tiny_corpus(root, per_class=(6, 2)):
    """Red drawings are 'fruit', blue ones 'sea': a task a network that learns at all gets right."""
    rows = []
    rng = np.random.default_rng(0)
    for category, colour in (("fruit", (220, 40, 30)), ("sea", (30, 60, 220))):
        for split, count in zip(("train", "heldout"), per_class, strict=True):
            for i in range(count):
                picture = np.full((48, 40, 3), 255, np.uint8)
                top, left = rng.integers(4, 20, size=2)
                picture[top : top + 20, left : left + 16] = colour
                name = f"{category}-{split}-{i}"
                (root / split / "clipart").mkdir(parents=True, exist_ok=True)
                Image.fromarray(picture).save(root / split / "clipart" / f"{name}.png")
                rows.append({"split": split, "source": "clipart", "item": name, "name": name, "original": "",
                             "licence": "public domain", "category": category, "lines": "xdog"})  # fmt: skip
    with open(root / "manifest.csv", "w", newline="") as f:
        writer = csv.DictWriter(f, MANIFEST_FIELDS)
        writer.writeheader()
        writer.writerows(rows)
    return root


def test_folding_the_norms_leaves_what_the_network_computes_unchanged():
    torch.manual_seed(0)
    model = NormedVGG(classes=3)
    for norm in model.norms.values():  # norms that have seen data: not the identity
        norm.running_mean.uniform_(-0.5, 0.5)
        norm.running_var.uniform_(0.5, 2.0)
        norm.weight.data.uniform_(0.5, 1.5)
        norm.bias.data.uniform_(-0.2, 0.2)
    model.eval()
    plain = VGG19Features(last=PERCEPTUAL_TAPS[-1])
    plain.load_torchvision(folded_state(model))
    picture = torch.rand(2, 3, 32, 32)
    with torch.no_grad():
        expected = {}
        x = model.vgg.normalise(picture)
        for i, layer in enumerate(model.vgg.features):
            x = layer(x)
            x = model.norms[str(i)](x) if str(i) in model.norms else x
            expected[i] = x
        got = plain(picture, (HINT_TAP, "relu5_1"))
    assert torch.allclose(got[HINT_TAP], expected[25], atol=1e-4)
    assert torch.allclose(got["relu5_1"], expected[29], atol=1e-4)


def test_training_learns_the_categories_and_writes_weights_training_loads(tmp_path):
    corpus = _tiny_corpus(tmp_path / "corpus")
    out = tmp_path / "corpus-vgg19.pth"
    options = PretrainOptions(corpus, out, size=32, batch=4, epochs=10, lr=2e-3, bf16=False)
    result = pretrain(options, progress=lambda _: None)
    assert result.classes == ["clipart/fruit", "clipart/sea"] and result.heldout_pictures == 4
    assert result.heldout_accuracy == 1.0 and result.majority_accuracy == 0.5
    state = load_vgg_weights(str(out))  # what `linetint train --vgg-weights FILE` runs
    vgg = perceptual_vgg(state, seed=0)
    assert torch.equal(vgg.features[25].weight, state["features.25.weight"])
    summary = json.loads(out.with_suffix(".json").read_text())
    assert summary["heldout_accuracy"] == 1.0 and summary["epochs"] == 10


def test_the_same_seed_gives_the_same_weights(tmp_path):
    corpus = _tiny_corpus(tmp_path / "corpus", per_class=(4, 1))
    runs = []
    for name in ("a", "b"):
        options = PretrainOptions(corpus, tmp_path / f"{name}.pth", size=32, batch=4, epochs=1, bf16=False)
        pretrain(options, progress=lambda _: None)
        runs.append(torch.load(tmp_path / f"{name}.pth", weights_only=True))
    assert all(torch.equal(runs[0][k], runs[1][k]) for k in runs[0])


def test_the_command_trains_and_says_how_well(tmp_path, capsys):
    corpus = _tiny_corpus(tmp_path / "corpus")
    out = tmp_path / "vgg.pth"
    args = ["train-vgg", "--corpus", corpus, "--out", out, "--size", "32", "--batch", "4", "--epochs", "1"]
    assert main([str(a) for a in args]) == 0
    assert "2 categories, held-out accuracy" in capsys.readouterr().out and out.is_file()


@pytest.mark.parametrize(
    "problem, flags, message",
    [
        ("no manifest", [], "has no manifest.csv: build it with `linetint corpus`"),
        ("not a manifest", [], "is not a `linetint corpus` manifest"),
        ("no held-out pictures", [], "needs pictures of the same categories in train and heldout"),
        ("", ["--batch", "100"], "has 12 training pictures, fewer than one batch"),
        ("", ["--size", "40"], "--size must be a multiple of 16"),
        ("", ["--epochs", "0"], "--epochs must be at least 1"),
    ],
)
def test_what_cannot_train_is_refused_with_a_message(tmp_path, capsys, problem, flags, message):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    if problem == "not a manifest":
        (corpus / "manifest.csv").write_text("a,b\n1,2\n")
    elif problem == "no held-out pictures":
        _tiny_corpus(corpus, per_class=(2, 0))
    elif not problem:
        _tiny_corpus(corpus)
    out = tmp_path / "vgg.pth"
    args = ["train-vgg", "--corpus", corpus, "--out", out, "--size", "32", "--batch", "4", *flags]
    assert main([str(a) for a in args]) == 2
    err = capsys.readouterr().err
    assert err.startswith("linetint train-vgg: ") and message in err and not out.exists()
