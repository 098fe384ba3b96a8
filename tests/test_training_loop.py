"""The training loop: it trains every generator, writes usable checkpoints, resumes exactly, stops on NaN."""

import dataclasses
import shutil

import numpy as np
import pytest
import torch
from torch.utils.data import Dataset

from linetint.model.checkpoint import load_checkpoint
from linetint.model.colorizer import Colorizer
from linetint.model.hints import Hint, HintLayer
from linetint.model.vgg import VGG19Features
from linetint.training import losses
from linetint.training.checkpointing import steps_behind
from linetint.training.data import SyntheticDataset
from linetint.training.loop import TrainingDiverged, train
from linetint.training.options import OptionsError, TrainOptions
from linetint.training.package_model import package


class TinyDataset(Dataset):
    """The data module's interface: dict samples, set_epoch, randomness from (seed, epoch, index)."""

    def __init__(self, size: int = 32, length: int = 6, seed: int = 0) -> None:
        self.size, self.length, self.seed, self.epoch = size, length, seed, 0

    def set_epoch(self, epoch: int) -> None:
        self.epoch = epoch

    def __len__(self) -> int:
        return self.length

    def __getitem__(self, index: int) -> dict[str, torch.Tensor]:
        g = torch.Generator().manual_seed(self.seed * 1_000_003 + self.epoch * 10_007 + index)
        s = self.size
        target = torch.rand(3, s, s, generator=g) * 2 - 1
        lineart = torch.where(target.mean(0, keepdim=True) > 0, 1.0, -1.0)
        hints = torch.zeros(4, s, s)
        y, x = torch.randint(0, s - 4, (2,), generator=g).tolist()
        hints[:3, y : y + 4, x : x + 4] = target[:, y : y + 4, x : x + 4]
        hints[3, y : y + 4, x : x + 4] = 1
        return {"lineart": lineart, "hints": hints, "target": target}


def options(out, **changes) -> TrainOptions:
    base = TrainOptions(
        out=out,
        config="tiny",
        steps=3,
        batch=2,
        crop=32,
        workers=0,
        vgg_weights="random",
        device="cpu",
        log_every=1,
        image_every=2,
        checkpoint_every=100,
    )
    return dataclasses.replace(base, **changes)


def weights(path):
    ckpt = load_checkpoint(path)
    return ckpt.generator, ckpt.extra["training"]["discriminator"]


@pytest.mark.parametrize("generator", ["csa", "csa-noattn", "pix2pixhd"])
def test_three_steps_on_generated_pictures_train_every_generator(generator, tmp_path):
    pictures = SyntheticDataset(size=32, length=6)
    first = train(options(tmp_path, generator=generator, steps=1), dataset=pictures)
    g1, d1 = weights(first.checkpoint)
    result = train(options(tmp_path, generator=generator, resume=True), dataset=pictures)
    assert result.step == 3
    assert all(np.isfinite(v) for v in result.losses.values()) and set(result.losses) >= {"g_total", "d_fake"}
    g3, d3 = weights(result.checkpoint)
    frozen = {k for k in g3 if k.startswith("hint_encoder.")}
    assert (generator == "csa") == bool(frozen)
    # every trainable tensor moved; the frozen VGG hint encoder did not
    unchanged = [k for k in g3 if k not in frozen and torch.equal(g1[k], g3[k])]
    assert unchanged == []
    assert all(torch.equal(g1[k], g3[k]) for k in frozen)
    assert [k for k in d3 if torch.equal(d1[k], d3[k])] == []


def test_checkpoint_is_written_atomically_and_loads_in_the_colorizer(tmp_path):
    train(options(tmp_path, generator="pix2pixhd", steps=2, checkpoint_every=1), dataset=TinyDataset())
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "checkpoint-latest.pt",
        "generator-latest.pt",
        "tensorboard",
        "train.log",
    ]  # no temporary files left behind
    full = torch.load(tmp_path / "checkpoint-latest.pt", weights_only=True)  # plain data only
    training = full["training"]
    assert training["step"] == 2 and training["options"]["generator"] == "pix2pixhd"
    assert {"optimizer_g", "optimizer_d", "scaler_g", "scaler_d", "rng"} <= training.keys()
    assert "training" not in torch.load(tmp_path / "generator-latest.pt", weights_only=True)
    lineart = np.full((24, 40), 255, dtype=np.uint8)
    hints = HintLayer(40, 24, (Hint(2, 2, 5, (0, 128, 255)),))
    for name in ("checkpoint-latest.pt", "generator-latest.pt"):
        colorizer = Colorizer.load(tmp_path / name, "cpu")
        assert colorizer.checkpoint.trained and "step 2" in colorizer.info.name
        assert "random VGG19" in colorizer.info.name  # a smoke-test model says so wherever it is shown
        assert colorizer.colorize(lineart, hints).shape == (24, 40, 3)
    assert "RANDOM VGG19" in (tmp_path / "train.log").read_text()


def test_resume_gives_bit_identical_weights_and_optimizer_state(tmp_path):
    # 6 samples, batch 2: 3 steps an epoch, so the resumed half also crosses an epoch boundary
    straight = train(options(tmp_path / "a", steps=4), dataset=TinyDataset())
    train(options(tmp_path / "b", steps=2), dataset=TinyDataset())
    resumed = train(options(tmp_path / "b", steps=4, resume=True), dataset=TinyDataset())
    a, b = load_checkpoint(straight.checkpoint), load_checkpoint(resumed.checkpoint)
    assert a.generator.keys() == b.generator.keys()
    assert all(torch.equal(a.generator[k], b.generator[k]) for k in a.generator)
    ta, tb = a.extra["training"], b.extra["training"]
    assert all(torch.equal(ta["discriminator"][k], tb["discriminator"][k]) for k in ta["discriminator"])
    for opt in ("optimizer_g", "optimizer_d"):
        for index, state in ta[opt]["state"].items():
            assert all(torch.equal(state[k], tb[opt]["state"][index][k]) for k in state)
    assert torch.equal(ta["rng"]["torch"], tb["rng"]["torch"])
    assert straight.losses == resumed.losses


def test_time_limit_stops_with_a_checkpoint_and_the_resumed_run_goes_on(tmp_path, monkeypatch):
    from linetint.training import loop

    clock = iter(range(0, 10_000, 20))  # each look at the clock: 20 s later
    monkeypatch.setattr(loop.time, "monotonic", lambda: next(clock))
    stopped = train(options(tmp_path, steps=6, time_limit=0.5, generator="csa-noattn"), dataset=TinyDataset())
    # deadline at 30 s: step 1 ends at 20 s, step 2 at 40 s, so the run stops after step 2, saved
    assert (stopped.step, stopped.out_of_time) == (2, True)
    assert load_checkpoint(tmp_path / "checkpoint-latest.pt").extra["training"]["step"] == 2
    log = (tmp_path / "train.log").read_text()
    assert "time limit of 0.5 min reached at step 2; go on with --resume" in log
    # the limit was for that invocation: a resume without one trains to the end
    saved = TrainOptions.from_dict(load_checkpoint(stopped.checkpoint).extra["training"]["options"])
    resumed = options(tmp_path, steps=6, resume=True).resumed_from(saved, {"steps"})
    assert resumed.time_limit is None
    finished = train(resumed, dataset=TinyDataset())
    assert (finished.step, finished.out_of_time) == (6, False)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_amp_training_on_the_gpu_is_finite_scaled_and_resumable(tmp_path):
    gpu = options(tmp_path, steps=2, batch=4, crop=64, device="cuda", amp="on", checkpoint_every=2)
    pictures = SyntheticDataset(size=64, length=8)
    assert all(np.isfinite(v) for v in train(gpu, dataset=pictures).losses.values())
    result = train(dataclasses.replace(gpu, steps=4, resume=True), dataset=pictures)
    saved = load_checkpoint(result.checkpoint).extra["training"]
    assert saved["step"] == 4 and saved["options"]["amp"] == "on"
    assert saved["scaler_g"]["scale"] > 0  # the fp16 loss scaler ran and was saved for the resume
    colorizer = Colorizer.load(result.checkpoint, "cpu")  # a GPU-trained checkpoint loads on a CPU
    assert colorizer.colorize(np.full((40, 40), 255, np.uint8), HintLayer(40, 40, ())).shape == (40, 40, 3)


def test_nan_loss_stops_with_the_step_and_keeps_the_last_good_checkpoint(tmp_path, monkeypatch):
    real_forward = losses.PerceptualLoss.forward
    calls = []

    def poisoned(self, fake, real):
        calls.append(1)
        value = real_forward(self, fake, real)
        return value * float("nan") if len(calls) == 3 else value

    monkeypatch.setattr(losses.PerceptualLoss, "forward", poisoned)
    with pytest.raises(TrainingDiverged, match="step 3") as error:
        train(options(tmp_path, steps=4, checkpoint_every=2, generator="csa-noattn"), dataset=TinyDataset())
    assert "step 2) is kept" in str(error.value) and "g_perc=nan" in str(error.value)
    assert load_checkpoint(tmp_path / "checkpoint-latest.pt").extra["training"]["step"] == 2


def test_training_refuses_without_vgg_weights_unless_random(tmp_path, monkeypatch):
    monkeypatch.setenv("LINETINT_VGG19_WEIGHTS", str(tmp_path / "nowhere" / "vgg19.pth"))
    with pytest.raises(OptionsError, match="needs ImageNet VGG19 weights") as error:
        train(options(tmp_path / "run", vgg_weights=None), dataset=TinyDataset())
    message = str(error.value)
    assert "vgg19-dcbb9e9d.pth" in message and "hub" in message and "--vgg-weights random" in message
    assert not (tmp_path / "run" / "checkpoint-latest.pt").exists()


def _vgg_file(path):
    torch.manual_seed(7)
    vgg = VGG19Features(last="relu5_1")
    state = {f"features.{k}": v for k, v in vgg.features.state_dict().items()}
    torch.save(state, path)
    return state


def test_vgg_weights_are_loaded_into_the_hint_branch_of_a_fresh_run(tmp_path):
    state = _vgg_file(tmp_path / "vgg19.pth")
    result = train(options(tmp_path / "run", steps=1, vgg_weights=str(tmp_path / "vgg19.pth")), TinyDataset())
    saved = load_checkpoint(result.checkpoint)
    assert torch.equal(saved.generator["hint_encoder.features.25.weight"], state["features.25.weight"])
    assert saved.meta["vgg"] == "vgg19.pth" and "random" not in saved.meta["name"]


def test_a_run_folder_is_never_overwritten_by_a_fresh_run(tmp_path):
    train(options(tmp_path, steps=1, generator="csa-noattn"), dataset=TinyDataset())
    with pytest.raises(OptionsError, match="--resume"):
        train(options(tmp_path, steps=1, generator="csa-noattn"), dataset=TinyDataset())
    with pytest.raises(OptionsError, match="different settings: the run has generator='csa-noattn'"):
        train(options(tmp_path, steps=2, resume=True), dataset=TinyDataset())


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"batch": 3}, "divide evenly over 2 processes"),
        ({"crop": 40}, "multiple of 16"),
        ({"data": "/no/such/folder"}, "no such folder"),
        ({"generator": "unet"}, "--generator"),
        ({"steps": 0}, "--steps must be at least 1"),
        ({"time_limit": 0}, "--time-limit must be more than 0"),
    ],
)
def test_options_that_cannot_work_are_named(tmp_path, changes, message):
    with pytest.raises(OptionsError, match=message):
        options(tmp_path, **changes).validate(world_size=2)


def test_bf16_autocast_trains_on_the_cpu_without_loss_scaling(tmp_path):
    result = train(options(tmp_path / "run", amp="bf16"), TinyDataset())
    assert all(np.isfinite(v) for v in result.losses.values())
    checkpoint = load_checkpoint(result.checkpoint)
    assert all(t.dtype == torch.float32 for t in checkpoint.generator.values() if t.is_floating_point())


def test_a_run_can_start_from_another_models_generator(tmp_path):
    first = train(options(tmp_path / "a", steps=2), TinyDataset())
    tuned = train(
        options(tmp_path / "b", steps=1, lr=1e-12, init=first.checkpoint.parent / "generator-latest.pt")
    )
    start, end = first.generator.state_dict(), tuned.generator.state_dict()
    assert all(torch.allclose(start[k].float(), end[k].float(), atol=1e-6) for k in start)
    scratch = train(options(tmp_path / "c", steps=1, lr=1e-12), TinyDataset())
    assert not all(torch.allclose(start[k].float(), scratch.generator.state_dict()[k].float()) for k in start)


def test_a_fine_tuned_run_counts_the_steps_behind_its_init_across_a_resume(tmp_path):
    first = train(options(tmp_path / "a", steps=2), TinyDataset())
    init = first.checkpoint.parent / "generator-latest.pt"
    train(options(tmp_path / "b", steps=1, init=init), TinyDataset())
    resumed = train(options(tmp_path / "b", steps=3, resume=True), TinyDataset())
    tuned = load_checkpoint(resumed.checkpoint.parent / "generator-latest.pt")
    assert steps_behind(tuned.meta) == 5  # 2 of --init's, then 3 of its own
    package(resumed.checkpoint.parent / "generator-latest.pt", tmp_path / "ship.pt", "T", "synthetic test")
    assert load_checkpoint(tmp_path / "ship.pt").meta["trained_steps"] == 5


def test_a_fine_tuned_run_gets_the_hint_encoder_its_vgg_weights_name(tmp_path):
    first = train(options(tmp_path / "a", steps=1), TinyDataset())
    init = first.checkpoint.parent / "generator-latest.pt"
    state = _vgg_file(tmp_path / "corpus-vgg.pth")
    kept = train(options(tmp_path / "b", steps=1, lr=1e-12, init=init), TinyDataset())
    swapped = train(
        options(tmp_path / "c", steps=1, lr=1e-12, init=init, vgg_weights=str(tmp_path / "corpus-vgg.pth")),
        TinyDataset(),
    )
    key = "hint_encoder.features.25.weight"
    assert torch.equal(kept.generator.state_dict()[key], first.generator.state_dict()[key])
    assert torch.equal(swapped.generator.state_dict()[key], state["features.25.weight"])
    start, tuned = first.generator.state_dict(), swapped.generator.state_dict()
    assert torch.allclose(start["stem.0.weight"], tuned["stem.0.weight"], atol=1e-6)  # the rest is --init's
    assert load_checkpoint(swapped.checkpoint).meta["vgg"] == "corpus-vgg.pth"


def test_starting_from_a_model_of_another_width_is_refused(tmp_path):
    first = train(options(tmp_path / "a", steps=1), TinyDataset())
    with pytest.raises(OptionsError, match="--init .* is a tiny model; this run trains lite"):
        train(options(tmp_path / "b", config="lite", init=first.checkpoint), TinyDataset())


def test_ema_export_is_the_weight_average_and_resumes_bit_identically(tmp_path):
    straight = train(options(tmp_path / "a", steps=4, ema=0.5), dataset=TinyDataset())
    train(options(tmp_path / "b", steps=2, ema=0.5), dataset=TinyDataset())
    resumed = train(options(tmp_path / "b", steps=4, ema=0.5, resume=True), dataset=TinyDataset())
    exported = [load_checkpoint(r.checkpoint.parent / "generator-latest.pt") for r in (straight, resumed)]
    raw = load_checkpoint(straight.checkpoint).generator
    moving = [k for k in raw if not k.startswith("hint_encoder.") and raw[k].is_floating_point()]
    assert moving and all(torch.equal(exported[0].generator[k], exported[1].generator[k]) for k in raw)
    # the export lags the raw weights (it is their average), and the resumable file keeps both
    assert any(not torch.equal(exported[0].generator[k], raw[k]) for k in moving)
    kept = load_checkpoint(straight.checkpoint).extra["training"]["generator_ema"]
    assert all(torch.equal(kept[k], exported[0].generator[k]) for k in raw)
    assert "moving average" in exported[0].meta["weights"]


def test_ema_turned_on_at_resume_starts_from_the_restored_generator(tmp_path):
    train(options(tmp_path, steps=2), dataset=TinyDataset())
    restored = load_checkpoint(tmp_path / "checkpoint-latest.pt").generator
    # decay close to 1: after one more step the average is still (almost) the restored weights
    train(options(tmp_path, steps=3, ema=0.999999, resume=True), dataset=TinyDataset())
    exported = load_checkpoint(tmp_path / "generator-latest.pt").generator
    assert all(torch.allclose(exported[k].float(), restored[k].float(), atol=1e-5) for k in restored)


def test_ema_decay_outside_zero_to_one_is_named(tmp_path):
    with pytest.raises(OptionsError, match="--ema must be in"):
        options(tmp_path, ema=1.0).validate()


def test_d_warmup_trains_the_discriminator_alone_then_both(tmp_path):
    first = train(options(tmp_path / "a", steps=1), TinyDataset())
    init = first.checkpoint.parent / "generator-latest.pt"
    start_g = first.generator.state_dict()
    one = train(options(tmp_path / "b", steps=1, d_warmup=2, init=init), TinyDataset())
    g1, d1 = weights(one.checkpoint)
    two = train(options(tmp_path / "b", steps=2, d_warmup=2, resume=True), TinyDataset())
    g2, d2 = weights(two.checkpoint)
    assert all(torch.equal(start_g[k], g1[k]) and torch.equal(g1[k], g2[k]) for k in start_g)  # G waited
    assert not all(torch.equal(d1[k], d2[k]) for k in d1)  # while D learnt
    assert two.losses["g_total"] == 0 and two.losses["d_fake"] > 0
    both = train(options(tmp_path / "b", steps=3, d_warmup=2, resume=True), TinyDataset())
    assert not all(torch.equal(g2[k], both.generator.state_dict()[k]) for k in g2)


def test_lr_decay_shrinks_the_last_steps_updates(tmp_path):
    """Adam's update is proportional to its rate: the last of 3 decay steps moves G a third as far as the
    same step at the full rate, from the same state and batch."""
    before = train(options(tmp_path / "a", steps=2), TinyDataset()).generator.state_dict()
    shutil.copytree(tmp_path / "a", tmp_path / "b")
    full = train(options(tmp_path / "a", steps=3, resume=True), TinyDataset()).generator.state_dict()
    decayed = train(options(tmp_path / "b", steps=3, lr_decay=3, resume=True), TinyDataset())

    def moved(after):
        return sum(float((after[k].float() - before[k].float()).norm()) for k in before)

    assert moved(decayed.generator.state_dict()) / moved(full) == pytest.approx(1 / 3, rel=0.1)


@pytest.mark.parametrize("fast", [True, False])
def test_bf16_on_a_cpu_that_emulates_it_is_warned_about(tmp_path, monkeypatch, fast):
    monkeypatch.setattr("linetint.training.loop.cpu_has_fast_bf16", lambda: fast)
    train(options(tmp_path, steps=1, amp="bf16"), TinyDataset())
    warned = "--amp off is faster here" in (tmp_path / "train.log").read_text()
    assert warned is not fast


def test_a_negative_d_warmup_is_named(tmp_path):
    with pytest.raises(OptionsError, match="--d-warmup"):
        train(options(tmp_path / "run", d_warmup=-1), TinyDataset())
