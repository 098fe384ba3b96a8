"""`linetint corpus-pack`: a corpus folder packed small for a GPU machine, and unpacked as it was."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

from linetint.app.cli import main
from linetint.training.corpus.pack import pack_corpus, unpack

MANIFEST = "split,source,item,name,original,licence,category,lines\n"


def picture(path: Path, pixels: np.ndarray) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(pixels).save(path)


def face(skin: tuple[int, int, int], seed: int = 0) -> np.ndarray:
    """A drawing with enough texture that compressing it is not free, and a skin patch that varies."""
    rng = np.random.default_rng(seed)
    pixels = np.full((96, 96, 3), 255, np.uint8)
    pixels[8:88, 8:88] = rng.integers(0, 256, (80, 80, 3), np.uint8)
    pixels[30:60, 30:60] = skin
    return pixels


def lines(seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.where(rng.random((96, 96)) < 0.1, 0, 255).astype(np.uint8)


def corpus(root: Path, skins: int = 2) -> Path:
    """OpenMoji-like variants sharing one line art, a flat clip-art picture twice, a painted one."""
    rows = [MANIFEST]
    for index in range(skins):
        name = "1F9D1" if index == 0 else f"1F9D1-1F3F{'BCDEF'[index - 1]}"
        picture(root / "train" / "openmoji" / f"{name}.png", face((250 - 20 * index, 200 - 25 * index, 150)))
        picture(root / "train-lines" / "exact" / "openmoji" / f"{name}.png", lines())
        rows.append(f"train,openmoji,1F9D1,{name},x.svg,CC BY-SA 4.0,people,exact\n")
    flat = np.full((64, 80, 3), 255, np.uint8)
    flat[10:50, 10:40] = (200, 40, 40)
    flat[20:60, 45:70] = (30, 90, 200)
    for name in ("animals/frog", "animals/amphibian/frog"):
        picture(root / "train" / "openclipart" / f"{name}.png", flat)
        rows.append(f"train,openclipart,{name},{name},{name}.svg,public domain,animals,xdog\n")
    picture(root / "train" / "openclipart" / "painted.png", face((90, 60, 40), seed=3))
    rows.append("train,openclipart,painted,painted,painted.svg,public domain,people,xdog\n")
    picture(root / "train" / "openclipart" / "smooth.png", anti_aliased())
    rows.append("train,openclipart,smooth,smooth,smooth.svg,public domain,plants,xdog\n")
    (root / "manifest.csv").write_text("".join(rows))
    return root


def anti_aliased() -> np.ndarray:
    """Flat clip art as a renderer leaves it: three fills, hundreds of blended colours at their edges."""
    big = Image.new("RGB", (384, 320), "white")
    draw = ImageDraw.Draw(big)
    draw.ellipse((40, 30, 300, 280), fill=(230, 180, 40), outline=(20, 20, 20), width=9)
    draw.polygon([(150, 60), (360, 200), (120, 300)], fill=(60, 140, 220), outline=(20, 20, 20), width=9)
    return np.asarray(big.resize((96, 80), Image.Resampling.LANCZOS))


def pixels_of(path: Path) -> np.ndarray:
    with Image.open(path) as image:
        return np.asarray(image.convert("RGB"))


def test_unpacking_gives_back_every_picture_and_line_art_with_their_pixels(tmp_path):
    source = corpus(tmp_path / "corpus")
    summary = pack_corpus(source, tmp_path / "pack.tar.xz")
    assert unpack(tmp_path / "pack.tar.xz", tmp_path / "out") == summary.files == 8
    for original in sorted(source.rglob("*.png")):
        copy = tmp_path / "out" / original.relative_to(source)
        difference = np.abs(pixels_of(copy).astype(int) - pixels_of(original)).mean()
        assert difference <= (0.5 if original.stem == "smooth" else 0), copy
    assert not (tmp_path / "out" / "manifest.csv").exists()  # only the folders training reads
    # The second variant's line art and the clip art filed in two categories are links, not copies.
    assert summary.linked == 2
    # Both flat clip-art pictures, anti-aliased edges and all, fit a palette; the painted one keeps RGB.
    assert summary.palette == 2


def test_variants_of_one_drawing_cost_little_beyond_the_first(tmp_path):
    one = pack_corpus(corpus(tmp_path / "one", skins=1), tmp_path / "one.tar.xz").packed_bytes
    five = pack_corpus(corpus(tmp_path / "five", skins=5), tmp_path / "five.tar.xz").packed_bytes
    lone_face = len(_png(face((250, 200, 150))))
    assert five - one < 0.2 * lone_face


def _png(pixels: np.ndarray) -> bytes:
    stream = io.BytesIO()
    Image.fromarray(pixels).save(stream, "PNG", optimize=True)
    return stream.getvalue()


def test_an_unreadable_picture_stops_the_pack_and_leaves_no_file(tmp_path, capsys):
    source = corpus(tmp_path / "corpus")
    (source / "train" / "openclipart" / "broken.png").write_bytes(b"not a png")
    assert main(["corpus-pack", str(source), str(tmp_path / "pack.tar.xz")]) == 2
    assert "broken.png" in capsys.readouterr().err
    assert list(tmp_path.glob("pack*")) == []


def test_the_command_packs_and_refuses_a_folder_that_is_not_a_corpus(tmp_path, capsys):
    assert main(["corpus-pack", str(corpus(tmp_path / "corpus")), str(tmp_path / "p.tar.xz")]) == 0
    assert "8 pictures (2 as links" in capsys.readouterr().out
    (tmp_path / "empty").mkdir()
    assert main(["corpus-pack", str(tmp_path / "empty"), str(tmp_path / "q.tar.xz")]) == 2
    assert "has no train, train-lines" in capsys.readouterr().err


def test_a_pack_that_reaches_outside_its_folder_is_refused(tmp_path):
    hostile = tmp_path / "hostile.tar.xz"
    with tarfile.open(hostile, "w:xz") as archive:
        info = tarfile.TarInfo("../escaped.png")
        info.size = 3
        archive.addfile(info, io.BytesIO(b"abc"))
    with pytest.raises(tarfile.FilterError):
        unpack(hostile, tmp_path / "out")
    assert not (tmp_path / "escaped.png").exists()
