"""Training datasets: crops, flips, line-art sources, greyscale filtering, broken files, determinism."""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image
from torch.utils.data import DataLoader

from linetint.training.data import (
    DataWarning,
    IllustrationDataset,
    MixedDataset,
    SyntheticDataset,
    find_images,
    lineart_path,
    looks_greyscale,
    parse_folder_shares,
    parse_line_probs,
    parse_picture_weights,
    read_tag_file,
)

RED, BLUE = (220, 30, 40), (30, 60, 210)
ONLY_SKETCHKERAS = (0.0, 1.0, 0.0)


def save(path: Path, array: np.ndarray) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(array).save(path)
    return path


def halves(height: int, width: int) -> np.ndarray:
    """Red left half, blue right half: a flip is plain to see."""
    rgb = np.empty((height, width, 3), np.uint8)
    rgb[:, : width // 2] = RED
    rgb[:, width // 2 :] = BLUE
    return rgb


def colourful(height: int, width: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (height, width, 3), dtype=np.uint8)


def quiet_dataset(*args, **kwargs) -> IllustrationDataset:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataWarning)
        return IllustrationDataset(*args, **kwargs)


def to_uint8(tensor: torch.Tensor) -> np.ndarray:
    return np.rint((tensor.numpy() + 1) * 127.5).astype(np.uint8)


# --------------------------------------------------------------------------------------------------------
# Files


def test_find_images_any_nesting_sorted_known_extensions_only(tmp_path) -> None:
    for name in ["b/z.JPG", "a.png", "b/c/d.webp", "e.tiff", "f.bmp", "g.jpeg", "h.tif", ".hidden/x.png"]:
        save(tmp_path / name, colourful(4, 4))
    (tmp_path / "notes.txt").write_text("not a picture")
    (tmp_path / ".thumb.png").write_bytes(b"")
    found = [p.relative_to(tmp_path).as_posix() for p in find_images(tmp_path)]
    assert found == ["a.png", "b/c/d.webp", "b/z.JPG", "e.tiff", "f.bmp", "g.jpeg", "h.tif"]


def test_lineart_path_layout() -> None:
    assert lineart_path("lines", "sketchkeras", Path("a/b.jpg")) == Path("lines/sketchkeras/a/b.png")
    assert lineart_path(Path("/x"), "xdog", "c.png") == Path("/x/xdog/c.png")
    with pytest.raises(ValueError, match="unknown"):
        lineart_path("lines", "pencil", "a.png")


# --------------------------------------------------------------------------------------------------------
# Samples


def test_samples_have_the_network_shapes_and_ranges(tmp_path) -> None:
    save(tmp_path / "one.png", colourful(50, 70))
    save(tmp_path / "sub" / "two.jpg", colourful(64, 48, seed=1))
    dataset = quiet_dataset(tmp_path, crop=32)
    assert len(dataset) == 2
    for i in range(2):
        sample = dataset[i]
        assert set(sample) == {"lineart", "hints", "target"}
        assert sample["lineart"].shape == (1, 32, 32) and sample["lineart"].dtype == torch.float32
        assert sample["hints"].shape == (4, 32, 32) and sample["target"].shape == (3, 32, 32)
        for value in sample.values():
            assert value.min() >= -1 and value.max() <= 1
        mask = sample["hints"][3]
        assert set(mask.unique().tolist()) <= {0.0, 1.0}
        # Un-hinted pixels carry no colour: zero is "no information" in the hint encoding.
        assert torch.all(sample["hints"][:3][:, mask == 0] == 0)
    batch = next(iter(DataLoader(dataset, batch_size=2)))
    assert batch["target"].shape == (2, 3, 32, 32)


def test_hints_are_simulated_on_the_crop_the_network_sees(tmp_path) -> None:
    save(tmp_path / "flat.png", np.full((40, 40, 3), (10, 200, 90), np.uint8))
    dataset = quiet_dataset(tmp_path, crop=24)
    hinted = []
    for epoch in range(10):
        dataset.set_epoch(epoch)
        hints = dataset[0]["hints"]
        hinted.append(hints[3].sum() > 0)
        colours = to_uint8(hints[:3])[:, hints[3] > 0]
        assert np.all(colours.T == (10, 200, 90))
    assert any(hinted)


def test_line_art_and_target_are_flipped_together(tmp_path) -> None:
    save(tmp_path / "pic.png", halves(32, 32))
    lines = np.full((32, 32), 255, np.uint8)
    lines[:, :4] = 0  # a black bar on the red (left) side
    save(lineart_path(tmp_path / "lines", "sketchkeras", "pic.png"), lines)
    dataset = quiet_dataset(tmp_path, crop=32, lines_dir=tmp_path / "lines", line_probs=ONLY_SKETCHKERAS)
    flipped = []
    for epoch in range(12):
        dataset.set_epoch(epoch)
        sample = dataset[0]
        target, line_art = to_uint8(sample["target"]), to_uint8(sample["lineart"])[0]
        red_left = tuple(target[:, 0, 0]) == RED
        flipped.append(not red_left)
        dark_side = line_art[:, :4] if red_left else line_art[:, -4:]
        assert dark_side.max() == 0 and line_art[:, 8:-8].min() == 255
    assert any(flipped) and not all(flipped)


def test_precomputed_line_art_is_used(tmp_path) -> None:
    save(tmp_path / "a" / "pic.jpg", colourful(40, 40))
    save(lineart_path(tmp_path / "lines", "sketchkeras", "a/pic.jpg"), np.zeros((40, 40), np.uint8))
    dataset = quiet_dataset(tmp_path, crop=32, lines_dir=tmp_path / "lines", line_probs=ONLY_SKETCHKERAS)
    assert torch.all(dataset[0]["lineart"] == -1)


def test_precomputed_line_art_of_another_size_is_resized_to_the_picture(tmp_path) -> None:
    save(tmp_path / "pic.png", colourful(40, 40))
    save(lineart_path(tmp_path / "lines", "simplify", "pic.png"), np.zeros((41, 39), np.uint8))
    dataset = quiet_dataset(tmp_path, crop=40, lines_dir=tmp_path / "lines", line_probs=(0, 0, 1))
    assert torch.all(dataset[0]["lineart"] < -0.9)


def test_missing_methods_are_disabled_with_one_warning_and_probabilities_renormalised(tmp_path) -> None:
    save(tmp_path / "pic.png", colourful(40, 40))
    (tmp_path / "lines" / "sketchkeras").mkdir(parents=True)
    with pytest.warns(DataWarning, match="simplify disabled") as record:
        dataset = IllustrationDataset(tmp_path, crop=32, lines_dir=tmp_path / "lines")
    assert len(record) == 1
    expected = {"xdog": 0.1 / 0.6, "sketchkeras": 0.5 / 0.6, "simplify": 0, "exact": 0}
    assert dataset.line_probs == pytest.approx(expected)
    with pytest.warns(DataWarning, match="sketchkeras or simplify") as record:
        dataset = IllustrationDataset(tmp_path, crop=32)
    assert len(record) == 1
    assert dataset.line_probs == {"xdog": 1.0, "sketchkeras": 0.0, "simplify": 0.0, "exact": 0.0}
    assert dataset[0]["lineart"].shape == (1, 32, 32)  # XDoG on the fly


def test_all_methods_present_means_no_warning(tmp_path) -> None:
    save(tmp_path / "pic.png", colourful(40, 40))
    for method in ("sketchkeras", "simplify"):  # no xdog folder: XDoG on the fly is not a loss
        save(lineart_path(tmp_path / "lines", method, "pic.png"), np.zeros((40, 40), np.uint8))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        dataset = IllustrationDataset(tmp_path, crop=32, lines_dir=tmp_path / "lines")
    assert dataset.line_probs == pytest.approx({"xdog": 0.1, "sketchkeras": 0.5, "simplify": 0.4, "exact": 0})


def test_a_missing_line_file_falls_back_to_xdog_with_a_warning(tmp_path) -> None:
    save(tmp_path / "pic.png", halves(32, 32))
    (tmp_path / "lines" / "sketchkeras").mkdir(parents=True)
    dataset = quiet_dataset(tmp_path, crop=32, lines_dir=tmp_path / "lines", line_probs=ONLY_SKETCHKERAS)
    with pytest.warns(DataWarning, match="pic.png"):
        line_art = to_uint8(dataset[0]["lineart"])[0]
    assert (line_art > 200).mean() > 0.8  # white paper from XDoG, not a failure


def test_unreadable_pictures_are_skipped_with_a_warning_naming_them(tmp_path) -> None:
    save(tmp_path / "good.png", halves(32, 32))
    (tmp_path / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n not really")
    # Found while checking colours at construction ...
    with pytest.warns(DataWarning) as record:
        dataset = IllustrationDataset(tmp_path, crop=32)
    assert sum("broken.png" in str(w.message) for w in record) == 1
    assert [p.name for p in dataset.paths] == ["good.png"]
    # ... or, with a tag file (nothing opened up front), when the sample is drawn.
    tags = tmp_path / "tags.txt"
    tags.write_text("# no greyscale pictures\n")
    dataset = quiet_dataset(tmp_path, crop=32, tag_file=tags)
    assert [p.name for p in dataset.paths] == ["broken.png", "good.png"]
    with pytest.warns(DataWarning, match="broken.png"):
        sample = dataset[0]
    assert sorted(set(map(tuple, to_uint8(sample["target"]).reshape(3, -1).T))) == sorted([RED, BLUE])


def test_only_unreadable_pictures_is_a_clear_error(tmp_path) -> None:
    (tmp_path / "broken.png").write_bytes(b"nope")
    with pytest.raises(ValueError, match="no colour pictures"):
        quiet_dataset(tmp_path, crop=32)


def test_small_pictures_are_upscaled_so_the_short_side_is_the_crop(tmp_path) -> None:
    save(tmp_path / "small.png", halves(30, 20))  # 20 wide: becomes 64 x 96
    dataset = quiet_dataset(tmp_path, crop=64)
    for epoch in range(4):
        dataset.set_epoch(epoch)
        target = to_uint8(dataset[0]["target"])
        assert target.shape == (3, 64, 64)
        row = target[:, 32].T.astype(int)
        reds = np.flatnonzero(np.abs(row - RED).max(axis=1) < 20)
        blues = np.flatnonzero(np.abs(row - BLUE).max(axis=1) < 20)
        # Each colour fills about half the crop, split near the middle (the Lanczos edge aside).
        assert len(reds) > 25 and len(blues) > 25
        left, right = (reds, blues) if reds[0] == 0 else (blues, reds)
        assert left.max() < 36 and right.min() > 28


def test_same_seed_epoch_and_index_give_the_same_sample(tmp_path) -> None:
    save(tmp_path / "pic.png", colourful(80, 80))
    first = quiet_dataset(tmp_path, crop=32, seed=3)
    second = quiet_dataset(tmp_path, crop=32, seed=3)
    first.set_epoch(2)
    second.set_epoch(2)
    a, b = first[0], second[0]
    assert all(torch.equal(a[k], b[k]) for k in a)
    second.set_epoch(3)
    assert not torch.equal(a["target"], second[0]["target"])
    other_seed = quiet_dataset(tmp_path, crop=32, seed=4)
    other_seed.set_epoch(2)
    assert not torch.equal(a["target"], other_seed[0]["target"])
    with pytest.raises(IndexError):
        first[1]


# --------------------------------------------------------------------------------------------------------
# Greyscale filter


def test_saturation_test_drops_grey_keeps_pale_colour(tmp_path) -> None:
    rng = np.random.default_rng(0)
    grey_values = rng.integers(0, 256, (48, 48, 1))
    noisy_grey = np.clip(grey_values + rng.integers(-3, 4, (48, 48, 3)), 0, 255).astype(np.uint8)
    pale = np.full((48, 48, 3), 250, np.uint8)
    pale[10:20, 10:30] = (240, 200, 190)  # a pale skin patch on white paper: ~9 % of the picture
    paths = {
        "grey.jpg": save(tmp_path / "grey.jpg", noisy_grey),
        "l-mode.png": save(tmp_path / "l-mode.png", grey_values[..., 0].astype(np.uint8)),
        "pale.png": save(tmp_path / "pale.png", pale),
        "colour.png": save(tmp_path / "colour.png", colourful(48, 48)),
    }
    assert looks_greyscale(paths["grey.jpg"]) and looks_greyscale(paths["l-mode.png"])
    assert not looks_greyscale(paths["pale.png"]) and not looks_greyscale(paths["colour.png"])
    dataset = quiet_dataset(tmp_path, crop=32)
    assert sorted(p.name for p in dataset.paths) == ["colour.png", "pale.png"]


def test_transparent_pixels_do_not_count_as_colour(tmp_path) -> None:
    rgba = np.zeros((32, 32, 4), np.uint8)
    rgba[..., :3] = (255, 0, 0)  # red, but fully transparent ...
    rgba[8:24, 8:24] = (80, 80, 80, 255)  # ... around an opaque grey square
    assert looks_greyscale(save(tmp_path / "cutout.png", rgba))


@pytest.mark.parametrize("kind", ["json", "csv", "txt"])
def test_tag_file_decides_instead_of_the_saturation_test(tmp_path, kind) -> None:
    save(tmp_path / "pics" / "tagged.png", colourful(40, 40))  # colourful, but tagged monochrome
    save(tmp_path / "pics" / "sub" / "kept.png", np.full((40, 40, 3), 128, np.uint8))  # grey, not tagged
    save(tmp_path / "pics" / "other.png", colourful(40, 40, seed=2))
    if kind == "json":
        tags = tmp_path / "tags.json"
        tags.write_text(json.dumps({"tagged.png": ["1girl", "monochrome"], "other.png": "1boy solo"}))
    elif kind == "csv":
        tags = tmp_path / "tags.csv"
        tags.write_text("path,tags\n./tagged.png,greyscale 1girl\nother.png,solo,smile\n")
    else:
        tags = tmp_path / "greyscale.txt"
        tags.write_text("# greyscale pictures\ntagged.png\n")
    dataset = quiet_dataset(tmp_path / "pics", crop=32, tag_file=tags)
    assert sorted(p.name for p in dataset.paths) == ["kept.png", "other.png"]
    assert [p.name for p in dataset.greyscale] == ["tagged.png"]


def test_read_tag_file_normalises_paths_and_case(tmp_path) -> None:
    tags = tmp_path / "t.json"
    tags.write_text(json.dumps({"a\\b.png": "GreyScale solo"}))
    assert read_tag_file(tags) == {"a/b.png": frozenset({"greyscale", "solo"})}


# --------------------------------------------------------------------------------------------------------
# Synthetic


def test_synthetic_dataset_samples_and_determinism() -> None:
    dataset = SyntheticDataset(size=48, length=5, seed=1)
    sample = dataset[2]
    assert sample["lineart"].shape == (1, 48, 48) and sample["target"].shape == (3, 48, 48)
    assert sample["hints"].shape == (4, 48, 48)
    assert sample["lineart"].min() < -0.5 and (sample["lineart"] > 0.6).float().mean() > 0.6
    again = SyntheticDataset(size=48, length=5, seed=1)[2]
    assert all(torch.equal(sample[k], again[k]) for k in sample)
    assert not torch.equal(sample["target"], dataset[3]["target"])
    dataset.set_epoch(1)
    assert not torch.equal(sample["target"], dataset[2]["target"])
    assert len(dataset) == 5
    with pytest.raises(IndexError):
        dataset[5]


def test_line_art_mixtures_are_given_by_name_and_unknown_names_refused() -> None:
    assert parse_line_probs("xdog=0.3, exact=0.7") == {
        "xdog": 0.3,
        "sketchkeras": 0,
        "simplify": 0,
        "exact": 0.7,
    }
    with pytest.raises(ValueError, match="unknown line-art method 'pencil'"):
        parse_line_probs("pencil=1")
    with pytest.raises(ValueError, match="xdog=0.3,exact=0.7"):
        parse_line_probs("xdog")


def test_a_mixed_dataset_draws_its_synthetic_share_reproducibly(tmp_path) -> None:
    for i in range(4):
        save(tmp_path / f"pic{i}.png", colourful(40, 40))
    real = quiet_dataset(tmp_path, crop=32)
    mixed = MixedDataset(real, SyntheticDataset(size=32, length=4), share=0.5, seed=3)
    mixed.set_epoch(2)
    first = [mixed[i]["target"] for i in range(len(mixed))]
    again = [mixed[i]["target"] for i in range(len(mixed))]
    assert all(torch.equal(a, b) for a, b in zip(first, again, strict=True))
    assert len(mixed) == 4 and real.epoch == 2
    shares = []
    for epoch in range(40):
        mixed.set_epoch(epoch)
        shares += [not torch.equal(mixed[i]["target"], real[i]["target"]) for i in range(4)]
    assert 0.3 < np.mean(shares) < 0.7


# --------------------------------------------------------------------------------------------------------
# Folder shares


def two_folders(root: Path, many: int = 18, few: int = 2) -> None:
    """`many` pictures in a/, `few` in b/ (b's a tenth of the pictures with the defaults)."""
    for i in range(many):
        save(root / "a" / f"pic{i:02}.png", colourful(8, 8, seed=i))
    for i in range(few):
        save(root / "b" / f"pic{i}.png", colourful(8, 8, seed=100 + i))


def test_folder_shares_over_sample_a_small_folder(tmp_path) -> None:
    two_folders(tmp_path)
    dataset = quiet_dataset(tmp_path, crop=8, seed=5, folder_shares={"b": 0.5})
    in_b = {i for i, path in enumerate(dataset.paths) if dataset.relative(path).parts[0] == "b"}
    picks = [dataset.picture_index(i) for i in range(400)]
    # b holds 2 of 20 pictures: uniform sampling gives ~40 of 400 (sd 6), a half share ~200 (sd 10)
    assert 160 < sum(p in in_b for p in picks) < 240
    assert set(picks) == set(range(20))  # uniform within b and within the rest: every picture turns up
    assert len(dataset) == 20  # an epoch is as long as without shares
    assert picks == [dataset.picture_index(i) for i in range(400)]
    again = quiet_dataset(tmp_path, crop=8, seed=5, folder_shares={"b": 0.5})
    assert picks == [again.picture_index(i) for i in range(400)]
    dataset.set_epoch(1)
    assert picks != [dataset.picture_index(i) for i in range(400)]
    # without shares, sample i is picture i as before
    assert [quiet_dataset(tmp_path, crop=8).picture_index(i) for i in range(20)] == list(range(20))


def test_a_folder_share_sample_shows_the_picked_picture_with_its_line_art(tmp_path) -> None:
    two_folders(tmp_path)
    for i, path in enumerate(find_images(tmp_path)):  # each picture's line art a grey of its own
        relative = path.relative_to(tmp_path)
        save(lineart_path(tmp_path / "lines", "sketchkeras", relative), np.full((8, 8), 10 * i, np.uint8))
    dataset = quiet_dataset(
        tmp_path, crop=8, lines_dir=tmp_path / "lines", line_probs=ONLY_SKETCHKERAS, folder_shares={"b": 0.5}
    )
    for index in range(6):
        chosen = dataset.picture_index(index)
        sample = dataset[index]
        expected = np.asarray(Image.open(dataset.paths[chosen]).convert("RGB"))
        target = to_uint8(sample["target"]).transpose(1, 2, 0)
        assert np.array_equal(target, expected) or np.array_equal(target, expected[:, ::-1])
        assert np.all(to_uint8(sample["lineart"]) == 10 * chosen)
        assert torch.equal(sample["target"], dataset[index]["target"])


def test_folder_shares_refuse_unknown_folders_and_impossible_shares(tmp_path) -> None:
    two_folders(tmp_path)
    (tmp_path / "empty").mkdir()
    for shares, message in [
        ({"wesnoth": 0.25}, "no colour pictures in .*wesnoth"),
        ({"empty": 0.25}, "no colour pictures in .*empty"),
        ({"a/pic00.png": 0.25}, "top-level folder"),
        ({"b": 1.0}, r"in \[0, 1\)"),
        ({"b": -0.1}, r"in \[0, 1\)"),
        ({"a": 0.6, "b": 0.4}, "sum to less than 1"),
        ({"a": 0.6, "b": 0.3}, "no pictures to come from"),
    ]:
        with pytest.raises(ValueError, match=message):
            quiet_dataset(tmp_path, crop=8, folder_shares=shares)


def test_folder_shares_text_is_parsed_like_the_line_art_mixture() -> None:
    assert parse_folder_shares("wesnoth=0.25, openmoji/=0.1") == {"wesnoth": 0.25, "openmoji": 0.1}
    assert parse_folder_shares("") == {}
    for text, message in [
        ("wesnoth", "'wesnoth' is not FOLDER=SHARE"),
        ("wesnoth=a", "could not convert"),
        ("wesnoth=0.2,wesnoth=0.3", "given twice"),
        ("wesnoth=1.5", r"in \[0, 1\)"),
        ("a=0.5,b=0.5", "sum to less than 1"),
    ]:
        with pytest.raises(ValueError, match=message) as raised:
            parse_folder_shares(text)
        assert str(raised.value).startswith(f"--folder-shares {text!r}: ")


# --------------------------------------------------------------------------------------------------------
# Picture weights


def test_picture_weights_draw_pictures_in_proportion_and_zero_leaves_them_out(tmp_path) -> None:
    two_folders(tmp_path)
    rules = parse_picture_weights("a/pic0[0-1].png=0,b/pic0.png=9")
    dataset = quiet_dataset(tmp_path, crop=8, seed=5, weight_rules=rules)
    name = {i: dataset.relative(p).as_posix() for i, p in enumerate(dataset.paths)}
    picks = [name[dataset.picture_index(i)] for i in range(600)]
    assert "a/pic00.png" not in picks and "a/pic01.png" not in picks
    # weights: b/pic0 9, 17 others 1 (a/pic00-01 out): b/pic0 has 9/26 of the draws, ~208 of 600 (sd 12)
    assert 160 < picks.count("b/pic0.png") < 260
    assert 10 < picks.count("b/pic1.png") < 45  # ~23
    assert picks == [name[quiet_dataset(tmp_path, crop=8, seed=5, weight_rules=rules).picture_index(i)]
                     for i in range(600)]  # fmt: skip


def test_picture_weights_apply_within_folder_shares(tmp_path) -> None:
    two_folders(tmp_path)
    dataset = quiet_dataset(
        tmp_path, crop=8, seed=1, folder_shares={"b": 0.5}, weight_rules=parse_picture_weights("b/pic1.png=0")
    )
    picks = [dataset.relative(dataset.paths[dataset.picture_index(i)]).as_posix() for i in range(400)]
    assert 160 < picks.count("b/pic0.png") < 240  # b's whole half
    assert "b/pic1.png" not in picks


def test_picture_weights_come_from_a_file_and_bad_ones_are_named(tmp_path) -> None:
    two_folders(tmp_path)
    listed = tmp_path / "weights.txt"
    listed.write_text("# lighter first\nb/*=3  # both of b\n\na/pic00.png=0\n")
    assert parse_picture_weights(f"@{listed}") == (("b/*", 3.0), ("a/pic00.png", 0.0))
    assert parse_picture_weights("") == ()
    for text, message in [
        ("b/*", "not GLOB=WEIGHT"),
        ("b/*=-1", "a weight is a number >= 0"),
        ("b/*=nan", "a weight is a number >= 0"),
        ("=2", "non-empty glob"),
        (f"@{tmp_path / 'missing.txt'}", "cannot read"),
    ]:
        with pytest.raises(ValueError, match=message) as raised:
            parse_picture_weights(text)
        assert str(raised.value).startswith(f"--picture-weights {text!r}: ")
    for rules, message in [
        ((("c/*.png", 2.0),), "c/\\*.png match no picture"),
        ((("*", 0.0),), "every picture .* has weight 0"),
    ]:
        with pytest.raises(ValueError, match=message):
            quiet_dataset(tmp_path, crop=8, weight_rules=rules)
    with pytest.raises(ValueError, match="weight 0"):
        quiet_dataset(tmp_path, crop=8, folder_shares={"b": 0.5}, weight_rules=(("a/*", 0.0),))


def outlined_picture_dataset(root: Path, size: int, outline: slice) -> Callable[..., IllustrationDataset]:
    """Red and blue halves split by a black vertical outline at columns `outline`, with that outline as its
    exact line art: a maker of datasets over it (keyword arguments go to the dataset)."""
    picture = halves(size, size)
    picture[:, outline] = 0
    save(root / "pictures" / "a.png", picture)
    outline_art = np.where(picture[..., 0] == 0, 0, 255).astype(np.uint8)
    save(lineart_path(root / "lines", "exact", "a.png"), outline_art)
    return lambda **kw: quiet_dataset(
        root / "pictures", crop=size, lines_dir=root / "lines", line_probs={"exact": 1.0}, **kw
    )


def ink(sample: dict[str, torch.Tensor]) -> int:
    return int((to_uint8(sample["lineart"])[0] < 200).sum())


def test_thin_lines_redraw_the_line_art_of_that_share_of_samples(tmp_path) -> None:
    make = outlined_picture_dataset(tmp_path, 48, slice(19, 29))  # OpenMoji-like: a 10 px outline
    plain, thin, half = make(), make(thin_lines=1.0), make(thin_lines=0.5)
    thin_counts = []
    for epoch in range(8):
        for dataset in (plain, thin, half):
            dataset.set_epoch(epoch)
        assert ink(plain[0]) == 48 * 10
        assert ink(thin[0]) <= 48 * 4  # 10 px -> at most 4
        thin_counts.append(ink(half[0]) <= 48 * 4)
    assert 0 < sum(thin_counts) < len(thin_counts)  # a share of the samples, not all or none
    with pytest.raises(ValueError, match="thin_lines"):
        make(thin_lines=1.5)


def test_detail_lines_add_strokes_inside_one_colour_to_that_share_of_samples(tmp_path) -> None:
    make = outlined_picture_dataset(tmp_path, 64, slice(31, 33))
    plain, detailed, half = make(), make(detail_lines=1.0), make(detail_lines=0.5)
    with_strokes = []
    for epoch in range(8):
        for dataset in (plain, detailed, half):
            dataset.set_epoch(epoch)
        assert ink(plain[0]) == 64 * 2
        sample = detailed[0]
        assert ink(sample) > 64 * 2  # strokes beside the outline
        colours = set(map(tuple, to_uint8(sample["target"]).reshape(3, -1).T))
        assert colours == {RED, BLUE, (0, 0, 0)}  # no ink in the target: the colour goes on under it
        with_strokes.append(ink(half[0]) > 64 * 2)
    assert 0 < sum(with_strokes) < len(with_strokes)
    with pytest.raises(ValueError, match="detail_lines"):
        make(detail_lines=-0.5)


def changed_share(
    make: Callable[..., IllustrationDataset], option: str, changed: Callable[[int], bool]
) -> None:
    """`option` at 1 changes every sample's line art (`changed(ink)`) and keeps its colours; at 0.5 a share
    of the samples, not all or none; outside [0, 1] it is refused."""
    plain, every, half = make(), make(**{option: 1.0}), make(**{option: 0.5})
    halves = []
    for epoch in range(8):
        for dataset in (plain, every, half):
            dataset.set_epoch(epoch)
        assert not changed(ink(plain[0]))
        assert changed(ink(every[0])) and torch.equal(every[0]["target"], plain[0]["target"])
        halves.append(changed(ink(half[0])))
    assert 0 < sum(halves) < len(halves)
    with pytest.raises(ValueError, match=option):
        make(**{option: 2.0})


def test_hatching_adds_ink_to_that_share_of_samples(tmp_path) -> None:
    make = outlined_picture_dataset(tmp_path, 64, slice(31, 33))
    changed_share(make, "hatching", lambda dark: dark > 64 * 2)


def test_line_gaps_erase_ink_from_that_share_of_samples(tmp_path) -> None:
    make = outlined_picture_dataset(tmp_path, 64, slice(30, 34))
    changed_share(make, "line_gaps", lambda dark: dark < 64 * 4)


def dark_columns(picture: np.ndarray) -> int:
    """How many columns of the first row (H×W×C) are dark (< 64 of 255): the outline's width there; 0 when
    the outline is cut by the crop's edge."""
    dark = (picture[0] < 64).all(axis=-1)
    return 0 if dark[0] or dark[-1] else int(dark.sum())


def test_zoom_enlarges_the_picture_and_its_line_art_alike_before_the_crop(tmp_path) -> None:
    make = outlined_picture_dataset(tmp_path, 64, slice(30, 34))  # a 4 px outline
    plain, zoomed = make(), make(zoom=4.0)
    widths = []
    for epoch in range(24):
        for dataset in (plain, zoomed):
            dataset.set_epoch(epoch)
        assert dark_columns(to_uint8(plain[0]["target"]).transpose(1, 2, 0)) == 4
        sample = zoomed[0]
        target_width = dark_columns(to_uint8(sample["target"]).transpose(1, 2, 0))
        line_width = dark_columns(to_uint8(sample["lineart"])[0][..., None])
        assert abs(target_width - line_width) <= 2  # the line art is enlarged with its picture (±blur)
        if target_width:
            widths.append(target_width)
    assert widths and min(widths) >= 3  # never shrunk
    assert max(widths) >= 8  # some samples enlarged twice or more
    with pytest.raises(ValueError, match="zoom"):
        make(zoom=0.5)
