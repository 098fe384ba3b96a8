"""`linetint train-vgg`: a VGG19 taught the corpus's categories, written as weights `--vgg-weights` loads."""

import csv
import json

import numpy as np
import pytest
import torch
from PIL import Image

from linetint.model.vgg import HINT_TAP, PERCEPTUAL_TAPS, VGG19Features
from linetint.training.vgg_pretrain import NormedVGG, PretrainOptions, folded_state, pretrain
from linetint.training.vgg_pretrain_cli import run_train_vgg
from linetint.training.vgg_weights import load_vgg_weights, perceptual_vgg

FIELDS = ("split", "source", "item", "name", "original", "licence", "category", "lines")


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
        writer = csv.DictWriter(f, FIELDS)
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


@pytest.mark.parametrize("problem", ["no manifest", "not a manifest", "no held-out pictures"])
def test_a_folder_that_is_not_a_corpus_is_refused_with_a_message(tmp_path, capsys, problem):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    if problem == "not a manifest":
        (corpus / "manifest.csv").write_text("a,b\n1,2\n")
    if problem == "no held-out pictures":
        _tiny_corpus(corpus, per_class=(2, 0))
    out = tmp_path / "vgg.pth"
    args = _args(corpus, out)
    assert run_train_vgg(args) == 2
    assert "linetint train-vgg: " in capsys.readouterr().err and not out.exists()


def _args(corpus, out):
    import argparse

    return argparse.Namespace(
        corpus=corpus, out=out, size=32, batch=4, epochs=1, lr=1e-3, minutes=None, seed=0, no_bf16=True,
        device="cpu",
    )  # fmt: skip
