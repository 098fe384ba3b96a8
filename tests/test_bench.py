"""The evidence scripts in bench/ still run: the issue 5 table and the GPU session's rehearsal on a CPU."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from linetint.model.vgg import VGG19Features

ROOT = Path(__file__).resolve().parents[1]


def run_script(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_default_model_table_ranks_the_shipped_model_above_the_untrained_one(tmp_path):
    table = tmp_path / "eval.json"
    shipped = ROOT / "resources" / "models" / "linetint-default.pt"
    done = run_script(
        "bench/default_model.py", "--n", "4", "--json", str(table), "--model", f"shipped={shipped}"
    )
    assert done.returncode == 0, done.stderr
    rows = json.loads(table.read_text())["rows"]
    assert set(rows) == {"shipped", "untrained lite (b)", "nearest hint (d)"}
    assert rows["shipped"]["region_error"] < rows["untrained lite (b)"]["region_error"]
    assert rows["nearest hint (d)"]["hint_error"] == 0


def test_gpu_session_rehearses_its_inference_section_on_the_cpu(tmp_path):
    done = run_script(
        "bench/gpu_session.py", "--device", "cpu", "--smoke", "--only", "inference", "--out", str(tmp_path)
    )
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads((tmp_path / "gpu-session.json").read_text())
    assert report["inference"]["agreement"]["fp32"] == {
        "max": 0,
        "mean": 0.0,
    }  # the same path as the reference
    assert report["inference"]["full_pass_s"]["fp32@128"] > 0


def test_train_speed_prints_a_row_per_generator_and_cpu_precision(tmp_path):
    rows = tmp_path / "rows.json"
    done = run_script(
        "bench/train_speed.py", "--device", "cpu", "--config", "tiny", "--crop", "32", "--batch", "1",
        "--repeats", "1", "--json", str(rows),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    measured = json.loads(rows.read_text())
    variants = ["fp32", "bf16", "bf16, no perceptual"]
    generators = ["csa", "csa-noattn", "pix2pixhd"]
    rows = [(r["generator"], r["precision"]) for r in measured]
    assert rows == [(g, v) for g in generators for v in variants]
    assert all(r["s_per_step"] > 0 and r["tflop_per_sample"] > 0 for r in measured)
    flop = {(r["generator"], r["precision"]): r["tflop_per_sample"] for r in measured}
    assert all(flop[g, "bf16, no perceptual"] < flop[g, "bf16"] for g in generators)  # VGG19 left out


def test_picture_hints_bench_prints_its_table(tmp_path):
    if not (ROOT.parent / "shared" / "data" / "lineart" / "sketchkeras-1-color.png").exists():
        pytest.skip("../shared/data is not available")
    done = run_script("bench/picture_hints.py", "--grid", str(tmp_path / "grid.jpg"))
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("| sketchkeras-") == 2 and (tmp_path / "grid.jpg").stat().st_size > 0


def test_feature_pictures_are_remade(tmp_path):
    done = run_script("bench/feature_pictures.py", "--out", str(tmp_path))
    assert done.returncode == 0, done.stderr
    with (
        Image.open(tmp_path / "clean-up.jpg") as clean_up,
        Image.open(tmp_path / "flat-colours.jpg") as flats,
    ):
        assert clean_up.width > 2 * clean_up.height and flats.width > flats.height / 2  # 3 across; 2 across
    if (ROOT.parent / "shared" / "data" / "lineart" / "s2p-003").exists():
        with Image.open(tmp_path / "hint-colours.jpg") as kept:
            assert kept.width > kept.height  # two samples, four across


def test_hint_colours_bench_prints_its_ratios():
    done = run_script("bench/hint_colours.py", "--side", "128", "--repeats", "1")
    assert done.returncode == 0, done.stderr
    assert "| keep hint colours (every edit) |" in done.stdout and "× network pass" in done.stdout


@pytest.mark.skipif(not (ROOT.parent / "shared" / "data" / "lineart").exists(), reason="no s2p samples")
def test_hint_features_bench_compares_an_encoder_with_the_models_own(tmp_path):
    torch.manual_seed(3)
    vgg = VGG19Features(last="conv4_4")
    torch.save({f"features.{k}": v for k, v in vgg.features.state_dict().items()}, tmp_path / "v.pth")
    done = run_script("bench/hint_features.py", "--side", "256", "--vgg", f"mine={tmp_path / 'v.pth'}")
    assert done.returncode == 0, done.stderr
    assert "| the model's own |" in done.stdout and "| mine |" in done.stdout and "1×, 1×" in done.stdout


def test_skin_tone_bench_finds_the_skin_and_averages_the_tones(tmp_path):
    folder = tmp_path / "train" / "openmoji"
    folder.mkdir(parents=True)
    tones = {"": (240, 220, 40), "-1F3FB": (234, 204, 168), "-1F3FC": (222, 190, 128),
             "-1F3FD": (178, 140, 92), "-1F3FE": (140, 104, 50), "-1F3FF": (90, 60, 40)}  # fmt: skip
    for tone, skin in tones.items():
        picture = np.full((20, 20, 3), 255, np.uint8)
        picture[5:15, 5:15] = skin  # the face; the shirt below is the same in every tone
        picture[15:20] = (200, 30, 30)
        Image.fromarray(picture).save(folder / f"1F9D1{tone}.png")
    done = run_script("bench/corpus_skin_tones.py", "--corpus", str(tmp_path))
    assert done.returncode == 0, done.stderr
    assert "skin of 1 OpenMoji drawings" in done.stdout
    assert "| **mean of the six** | 184 | 153 | 86 |" in done.stdout
    # the light-skin weights: 0.1*yellow + 4*lightest + ... over 6; and a file `linetint train` reads
    assert "| **weighted 0.1, 4, 1, 0.5, 0.2, 0.2** | 220 | 188 | 145 |" in done.stdout


def test_skin_tone_weights_name_toned_pictures_and_their_yellow_defaults(tmp_path, monkeypatch):
    from linetint.training.data import parse_picture_weights, picture_weights

    folder = tmp_path / "train" / "openmoji"
    folder.mkdir(parents=True)
    names = ["1F3C3-1F3FB-200D-2640-FE0F", "1F3C3-1F3FF-200D-2640-FE0F", "1F3C3-200D-2640-FE0F",
             "1F44B-1F3FC", "1F44B-1F3FD", "1F44B-1F3FE-200D-1F91D-200D-1F9D1-1F3FB", "1F44B-1F3FE",
             "1F44B", "1F600"]  # fmt: skip
    for name in names:
        Image.new("RGB", (4, 4), (200, 30, 30)).save(folder / f"{name}.png")
    monkeypatch.syspath_prepend(str(ROOT / "bench"))
    import corpus_skin_tones

    out = tmp_path / "w.txt"
    out.write_text("\n".join(corpus_skin_tones.weight_lines(corpus_skin_tones.toned_defaults(folder))))
    root = tmp_path / "train"
    paths = sorted(root.rglob("*.png"))
    weights = picture_weights(root, paths, parse_picture_weights(f"@{out}"))
    got = {p.stem: w for p, w in zip(paths, weights, strict=True)}
    assert got == {"1F3C3-1F3FB-200D-2640-FE0F": 4, "1F3C3-1F3FF-200D-2640-FE0F": 0.2,
                   "1F3C3-200D-2640-FE0F": 0.1, "1F44B-1F3FC": 1, "1F44B-1F3FD": 0.5,
                   "1F44B-1F3FE-200D-1F91D-200D-1F9D1-1F3FB": 4,  # two tones: the lighter's weight
                   "1F44B-1F3FE": 0.2, "1F44B": 0.1, "1F600": 1}  # fmt: skip


@pytest.mark.skipif(not (ROOT.parent / "shared" / "data" / "lineart").exists(), reason="no s2p samples")
def test_storage_bench_shows_small_weights_kept_fp16_save_most_of_int8s_colour_error(tmp_path):
    from linetint.model.checkpoint import Checkpoint, load_checkpoint, save_checkpoint
    from linetint.model.quantize import dequantize_state

    shipped = load_checkpoint(ROOT / "resources" / "models" / "linetint-default.pt")
    torch.manual_seed(0)  # off the int8 grid, as a training run's weights are
    weights = dequantize_state(shipped.generator)
    noise = {k: 0.02 * v.abs().mean() * torch.randn_like(v) for k, v in weights.items() if v.ndim > 1}
    state = {k: v + noise[k] if k in noise else v for k, v in weights.items()}
    save_checkpoint(Checkpoint(shipped.config, state, shipped.meta), tmp_path / "fp32.pt")
    done = run_script("bench/storage_error.py", str(tmp_path / "fp32.pt"), "--max-side", "128")
    assert done.returncode == 0, done.stderr
    rows = {line.split("|")[1].strip(): line.split("|") for line in done.stdout.splitlines() if "|" in line}
    error = {name: float(row[3]) for name, row in rows.items() if name.startswith(("fp", "int8"))}
    assert error["fp16"] < error["int8"] < error["int8, every weight (before 2026-12-01)"] / 2


def test_blush_bench_colours_the_face_with_and_without_the_cheeks_hatching(tmp_path):
    from linetint.model.checkpoint import random_checkpoint, save_checkpoint
    from linetint.model.config import preset

    sample = tmp_path / "s2p-004"  # the sample drawing is s2p-004's line art
    sample.mkdir()
    (sample / "lineart.png").write_bytes((ROOT / "resources/samples/girl-lineart.png").read_bytes())
    (sample / "hints.png").write_bytes((ROOT / "resources/samples/girl-hints.png").read_bytes())
    model = tmp_path / "tiny.pt"
    save_checkpoint(random_checkpoint(preset("tiny")), model)
    picture = tmp_path / "faces.jpg"
    done = run_script(
        "bench/blush_faces.py", "--no-shipped", "--checkpoint", f"t={model}", "--sample", str(sample),
        "--picture", str(picture),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("| t |") == 1 and "erased, none" in done.stdout
    faces = np.asarray(Image.open(picture), np.float32)
    assert faces.shape == (180, 4 * 190, 3)
    blush, erased = faces[:, :190], faces[:, 2 * 190 : 3 * 190]
    assert np.abs(blush - erased).mean() > 1  # erasing the hatching changed what the network saw
    Image.new("L", (64, 64), 255).save(sample / "lineart.png")
    wrong = run_script(
        "bench/blush_faces.py", "--no-shipped", "--checkpoint", str(model), "--sample", str(sample)
    )
    assert wrong.returncode == 2 and "not s2p-004" in wrong.stderr


def test_gpu_real_art_job_unpacks_trains_and_returns_a_model_in_parts_on_the_cpu(tmp_path):
    """The device's entry script as the device runs it (python3 from PATH, linetint mapped by links)."""
    from linetint.training.corpus.pack import pack_corpus

    corpus = tmp_path / "corpus"
    rng = np.random.default_rng(0)
    for name in ("a", "b"):
        colour = np.full((96, 96, 3), 255, np.uint8)
        colour[20:70, 10:60] = rng.integers(0, 256, 3)
        (corpus / "train" / "clip").mkdir(parents=True, exist_ok=True)
        Image.fromarray(colour).save(corpus / "train" / "clip" / f"{name}.png")
    lines = corpus / "train-lines" / "exact" / "clip"
    lines.mkdir(parents=True)
    Image.fromarray(np.full((96, 96), 255, np.uint8)).save(lines / "a.png")
    pack_corpus(corpus, tmp_path / "pack.tar.xz")
    out = tmp_path / "out"
    env = {"PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin", "OUT": str(out), "OMP_NUM_THREADS": "1"}
    done = subprocess.run(
        ["sh", "bench/gpu_real_art.sh", "--device", "cpu", "--smoke", "--pack", str(tmp_path / "pack.tar.xz"),
         "--work", str(tmp_path / "work"), "--crop", "64", "--batch", "1", "--workers", "0",
         "--minutes", "0.05", "--faces", "3"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads((out / "real-art-gpu.json").read_text())
    # Steps depend on the machine's speed (a time limit guards the device's minutes): at least one, at
    # most the plan.
    assert report["pictures"] == 3 and 1 <= report["steps"] <= report["calibration"]["planned_steps"]
    # The busts are made there, beside the unpacked pictures, and drawn from by the run.
    busts = tmp_path / "work" / "corpus" / "train" / "faces"
    assert report["busts"] == 3 and len(list(busts.glob("*.png"))) == 3
    assert "faces=0.3" in report["flags"]
    joined = tmp_path / "generator.pt"
    joined.write_bytes(b"".join((out / part).read_bytes() for part in report["parts"]))
    assert all((out / part).stat().st_size <= 16 * 2**20 for part in report["parts"])
    from linetint.model.checkpoint import load_checkpoint

    model = load_checkpoint(joined)
    assert model.config.name == "lite" and model.build_generator() is not None
