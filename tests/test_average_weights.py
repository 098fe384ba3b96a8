"""Averaging checkpoints of one network: the soup's weights are their mean, and a mismatch is refused."""

import pytest
import torch

from linetint.model.checkpoint import CheckpointError, load_checkpoint, random_checkpoint, save_checkpoint
from linetint.model.config import preset
from linetint.training.average_weights import average, main


def test_the_average_of_two_runs_is_their_mean_and_loads(tmp_path):
    a, b = random_checkpoint(preset("tiny"), seed=1), random_checkpoint(preset("tiny"), seed=2)
    a.meta.update(step=300, init_steps=6900)  # a run fine-tuned from a 6900-step model
    b.meta["trained_steps"] = 7000
    save_checkpoint(a, tmp_path / "a.pt")
    save_checkpoint(b, tmp_path / "b.pt", storage="int8")  # a shipped file: dequantized before averaging
    assert main([str(tmp_path / "soup.pt"), str(tmp_path / "a.pt"), str(tmp_path / "b.pt")]) == 0
    soup = load_checkpoint(tmp_path / "soup.pt")
    b_weights = load_checkpoint(tmp_path / "b.pt").build_generator().state_dict()
    key = next(k for k, v in a.generator.items() if v.is_floating_point() and v.numel() > 1000)
    expected = (a.generator[key] + b_weights[key]) / 2
    assert torch.allclose(soup.generator[key], expected, atol=1e-6)
    assert not torch.allclose(soup.generator[key], a.generator[key])
    soup.build_generator()
    assert soup.meta["step"] == 7200  # the longest line of training: package_model ships it as trained_steps


def test_a_file_with_broken_weights_is_refused(tmp_path, capsys):
    broken = random_checkpoint(preset("tiny"), seed=1)
    key = next(k for k, v in broken.generator.items() if v.is_floating_point())
    broken.generator[key] = torch.full_like(broken.generator[key], float("nan"))
    save_checkpoint(random_checkpoint(preset("tiny")), tmp_path / "good.pt")
    save_checkpoint(broken, tmp_path / "broken.pt")
    assert main([str(tmp_path / "soup.pt"), str(tmp_path / "good.pt"), str(tmp_path / "broken.pt")]) == 2
    assert "average_weights:" in capsys.readouterr().err
    assert not (tmp_path / "soup.pt").exists()


def test_different_networks_are_refused_and_nothing_is_written(tmp_path, capsys):
    save_checkpoint(random_checkpoint(preset("tiny")), tmp_path / "tiny.pt")
    save_checkpoint(random_checkpoint(preset("lite")), tmp_path / "lite.pt")
    assert main([str(tmp_path / "soup.pt"), str(tmp_path / "tiny.pt"), str(tmp_path / "lite.pt")]) == 2
    assert "different networks" in capsys.readouterr().err
    assert not (tmp_path / "soup.pt").exists()


def test_one_checkpoint_is_not_an_average():
    with pytest.raises(CheckpointError, match="at least two"):
        average([random_checkpoint(preset("tiny"))])
