"""`linetint corpus` on tiny archives the tests make: OpenMoji-style colour/line pairs with skin-tone
variants, an Open Clip Art .deb with an illustration and drawings that are not, and a Wesnoth-style .deb
with painted portraits among other pictures."""

import csv
import io
import json
import tarfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

try:  # CairoSVG is the `corpus` extra; without the cairo library its import fails with OSError
    import cairosvg  # noqa: F401
except (ImportError, OSError) as exc:
    pytest.skip(f"CairoSVG cannot render here: {exc}", allow_module_level=True)

from linetint.app.cli import main  # noqa: E402
from linetint.training.corpus.build import CorpusOptions, build_corpus, split_of  # noqa: E402
from linetint.training.corpus.render import RenderOptions  # noqa: E402
from linetint.training.corpus.sources import deb_member  # noqa: E402
from linetint.training.data import DataWarning, IllustrationDataset  # noqa: E402

SKIN = {"": "#FCEA2B", "1F3FB": "#fadcbc", "1F3FF": "#8d5524"}


def face(fill: str, lines: bool = True) -> str:
    colour = "" if not fill else f'<g id="color"><circle cx="36" cy="36" r="23" fill="{fill}"/></g>'
    line = '<g id="line"><circle cx="36" cy="36" r="23" fill="none" stroke="#000" stroke-width="2"/>'
    line += '<circle cx="28" cy="31" r="3"/><circle cx="44" cy="31" r="3"/></g>'
    return (
        f'<svg viewBox="0 0 72 72" xmlns="http://www.w3.org/2000/svg">{colour}{line if lines else ""}</svg>'
    )


def add(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    tar.addfile(info, io.BytesIO(data))


def openmoji_archive(folder: Path, bases: int = 6) -> Path:
    """`bases` drawings, each with two skin-tone variants, plus one flag (not an illustration)."""
    entries = []
    path = folder / "openmoji-test.tgz"
    with tarfile.open(path, "w:gz") as tar:
        for i in range(bases):
            base = f"1F9{i:02d}"
            for tone, fill in SKIN.items():
                code = f"{base}-{tone}" if tone else base
                entries.append(
                    {"hexcode": code, "group": "people-body", "skintone_base_hexcode": base if tone else ""}
                )
                add(tar, f"package/color/svg/{code}.svg", face(fill).encode())
                add(tar, f"package/black/svg/{code}.svg", face("").encode())
        entries.append({"hexcode": "1F1E9", "group": "flags", "skintone_base_hexcode": ""})
        add(tar, "package/color/svg/1F1E9.svg", face("#ff0000").encode())
        add(tar, "package/black/svg/1F1E9.svg", face("").encode())
        add(tar, "package/data/openmoji.json", json.dumps(entries).encode())
    return path


def clipart_deb(folder: Path) -> Path:
    two_colours = (
        '<svg viewBox="0 0 100 100" xmlns="http://www.w3.org/2000/svg"><rect x="10" y="10" width="80" '
        'height="40" fill="#c03020"/><rect x="10" y="50" width="80" height="40" fill="#2050c0"/></svg>'
    )
    drawings = {
        "animals/cat.svg": two_colours,
        "signs_and_symbols/stop.svg": two_colours,  # dropped: category
        "people/label.svg": two_colours.replace("</svg>", "<text x='5' y='5'>Hi</text></svg>"),  # text
        "people/dot.svg": '<svg viewBox="0 0 100 100" xmlns="http://www.w3.org/2000/svg"><circle cx="50" '
        'cy="50" r="2" fill="#c03020"/></svg>',  # near-empty
        "food/grey.svg": two_colours.replace("#c03020", "#333333").replace("#2050c0", "#999999"),
    }
    files = {f"./usr/share/openclipart/svg/{name}": svg.encode() for name, svg in drawings.items()}
    return debian_package(folder / "openclipart-svg_test_all.deb", files)


def debian_package(path: Path, files: dict[str, bytes]) -> Path:
    data = io.BytesIO()
    with tarfile.open(fileobj=data, mode="w:xz") as tar:
        for name, payload in files.items():
            add(tar, name, payload)
    with open(path, "wb") as deb:
        deb.write(b"!<arch>\n")
        for name, payload in (("debian-binary", b"2.0\n"), ("data.tar.xz", data.getvalue())):
            deb.write(f"{name:<16}{0:<12}{0:<6}{0:<6}{100644:<8}{len(payload):<10}`\n".encode())
            deb.write(payload + (b"\n" if len(payload) % 2 else b""))
    return path


def portrait(colours: tuple[str, str]) -> bytes:
    """A 'painted' figure on transparency: a body in one colour under a head in another."""
    picture = Image.new("RGBA", (120, 160), (0, 0, 0, 0))
    body, head = (
        Image.new("RGBA", size, colour) for size, colour in (((80, 90), colours[0]), ((40, 40), colours[1]))
    )
    picture.paste(body, (20, 60))
    picture.paste(head, (40, 15))
    out = io.BytesIO()
    picture.save(out, format="PNG")
    return out.getvalue()


def wesnoth_deb(folder: Path) -> Path:
    root = "./usr/share/games/wesnoth/1.16/data"
    skin_and_cloth = ("#3060a0", "#e8b890")
    files = {
        f"{root}/core/images/portraits/humans/mage.png": portrait(skin_and_cloth),
        f"{root}/core/images/portraits/humans/spearman.png": portrait(("#a03020", "#e8b890")),
        f"{root}/core/images/portraits/humans/spearman-2.png": portrait(("#20a050", "#d0a080")),
        f"{root}/core/images/portraits/undead/skeleton.png": portrait(("#808080", "#c0c0c0")),  # no colour
        f"{root}/campaigns/tutorial/images/portraits/delfador.png": portrait(("#702080", "#e8b890")),
        f"{root}/core/images/units/human-loyalists/mage.png": portrait(skin_and_cloth),  # a sprite: not read
        f"{root}/core/images/portraits/ARTISTS": b"Kitty: Elves",
    }
    return debian_package(folder / "wesnoth-1.16-data_test_all.deb", files)


@pytest.fixture(scope="module")
def archives(tmp_path_factory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("archives")
    return openmoji_archive(folder), clipart_deb(folder)


def build(archives, out: Path, **kwargs):
    options = CorpusOptions(
        out=out, openmoji=archives[0], openclipart=archives[1], render=RenderOptions(long_side=96),
        workers=1, **kwargs,
    )  # fmt: skip
    return build_corpus(options)


def manifest(out: Path) -> list[dict[str, str]]:
    with open(out / "manifest.csv", newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_illustrations_are_kept_with_their_line_art_and_the_rest_dropped_by_rule(archives, tmp_path):
    summary = build(archives, tmp_path / "c", heldout=0.3)
    rows = manifest(tmp_path / "c")
    assert sum(n for (source, _), n in summary.kept.items() if source == "openmoji") == 18  # 6 x 3 tones
    assert {r["name"] for r in rows if r["source"] == "openclipart"} == {"animals/cat"}
    assert summary.dropped == {
        ("openmoji", "category"): 1, ("openclipart", "category"): 1, ("openclipart", "text"): 1,
        ("openclipart", "near-empty"): 1, ("openclipart", "no-colour"): 1,
    }  # fmt: skip
    moji = next(r for r in rows if r["source"] == "openmoji")
    colour = np.asarray(Image.open(tmp_path / "c" / moji["split"] / "openmoji" / f"{moji['name']}.png"))
    lines = np.asarray(
        Image.open(tmp_path / "c" / f"{moji['split']}-lines/exact/openmoji/{moji['name']}.png")
    )
    assert colour.shape[:2] == lines.shape and max(lines.shape) == 96
    assert lines.ndim == 2 and lines.min() < 60 and np.median(lines) == 255  # black ink on white paper
    ink = lines < 128
    assert (colour[ink].max(axis=-1) < 160).mean() > 0.8  # the colour drawing has its lines where they are


def test_variants_of_one_drawing_never_straddle_the_split_and_some_are_held_out(archives, tmp_path):
    build(archives, tmp_path / "c", heldout=0.5)
    rows = manifest(tmp_path / "c")
    splits_of_item: dict[str, set[str]] = {}
    for row in rows:
        splits_of_item.setdefault(row["item"], set()).add(row["split"])
    assert all(len(splits) == 1 for splits in splits_of_item.values())
    assert {"train", "heldout"} <= {row["split"] for row in rows}
    assert len({r["item"] for r in rows if r["source"] == "openmoji"}) == 6


def test_the_manifest_names_source_path_and_licence_and_the_build_is_deterministic(archives, tmp_path):
    build(archives, tmp_path / "a", heldout=0.3)
    build(archives, tmp_path / "b", heldout=0.3)
    rows = manifest(tmp_path / "a")
    assert rows == manifest(tmp_path / "b")
    licences = {r["source"]: r["licence"] for r in rows}
    assert licences == {"openmoji": "CC BY-SA 4.0", "openclipart": "public domain"}
    assert all(r["original"].endswith(".svg") for r in rows)
    for row in rows:
        relative = Path(row["split"], row["source"], f"{row['name']}.png")
        assert (tmp_path / "a" / relative).read_bytes() == (tmp_path / "b" / relative).read_bytes()


def test_a_split_is_a_function_of_the_item_and_seed_alone():
    items = [f"item{i}" for i in range(2000)]
    held = [i for i in items if split_of(i, "openmoji", 0.07, seed=0) == "heldout"]
    assert 0.05 < len(held) / len(items) < 0.09
    assert held == [i for i in items if split_of(i, "openmoji", 0.07, seed=0) == "heldout"]
    assert held != [i for i in items if split_of(i, "openmoji", 0.07, seed=1) == "heldout"]


def test_training_reads_the_corpus_with_its_exact_line_art(archives, tmp_path):
    build(archives, tmp_path / "c", heldout=0.3)
    dataset = IllustrationDataset(
        tmp_path / "c" / "train", crop=64, lines_dir=tmp_path / "c" / "train-lines",
        line_probs={"exact": 1.0},
    )  # fmt: skip
    assert dataset.line_probs["exact"] == 1.0
    with pytest.warns(DataWarning, match="using XDoG on the fly"):  # clip art has no line art of its own
        clip_art = dataset[0]
    assert clip_art["lineart"].shape == (1, 64, 64) and clip_art["target"].shape == (3, 64, 64)
    moji = dataset[1]  # OpenMoji: its own black lines
    assert (moji["lineart"] < 0).any() and moji["lineart"].shape == (1, 64, 64)


def test_wesnoth_portraits_are_painted_pictures_on_white_with_repaints_kept_together(tmp_path):
    deb = wesnoth_deb(tmp_path)
    out = tmp_path / "c"
    summary = build_corpus(
        CorpusOptions(out=out, wesnoth=deb, render=RenderOptions(long_side=96), workers=1, heldout=0.5)
    )
    rows = manifest(out)
    assert {r["name"] for r in rows} == {
        "core/humans/mage", "core/humans/spearman", "core/humans/spearman-2", "tutorial/delfador"
    }  # fmt: skip
    assert summary.dropped == {("wesnoth", "no-colour"): 1}
    assert {r["licence"] for r in rows} == {"GPL-2.0-or-later"} and {r["lines"] for r in rows} == {"xdog"}
    spearmen = {r["split"] for r in rows if r["item"] == "core/humans/spearman"}
    assert len(spearmen) == 1 and len([r for r in rows if r["item"] == "core/humans/spearman"]) == 2
    mage = next(r for r in rows if r["name"] == "core/humans/mage")
    picture = np.asarray(Image.open(out / mage["split"] / "wesnoth" / "core/humans/mage.png"))
    assert max(picture.shape[:2]) == 96 and picture.shape[2] == 3
    assert (picture[0, 0] == 255).all()  # transparency became white paper
    assert np.abs(picture.astype(int) - [0x30, 0x60, 0xA0]).sum(axis=-1).min() < 10  # the robe, unchanged
    assert main(["corpus", "--wesnoth", str(tmp_path / "missing.deb"), "--out", str(tmp_path / "o")]) == 2


def test_a_hostile_portrait_is_one_dropped_drawing(tmp_path):
    root = "./usr/share/games/wesnoth/1.16/data/core/images/portraits"
    deb = debian_package(
        tmp_path / "w.deb",
        {
            f"{root}/humans/a.png": b"\x89PNG\r\n\x1a\n broken",
            f"{root}/humans/b.png": portrait(("#3060a0", "#e8b890")),
        },
    )
    summary = build_corpus(
        CorpusOptions(out=tmp_path / "c", wesnoth=deb, render=RenderOptions(long_side=64), workers=1)
    )
    assert summary.dropped == {("wesnoth", "unrendered"): 1}
    assert sum(summary.kept.values()) == 1


def test_the_command_refuses_a_file_that_is_not_a_debian_package(tmp_path, capsys):
    fake = tmp_path / "fake.deb"
    fake.write_bytes(b"PK\x03\x04 not an ar archive")
    with pytest.raises(ValueError, match="not a Debian package"):
        deb_member(fake, "data.tar")
    assert main(["corpus", "--openclipart", str(fake), "--out", str(tmp_path / "out")]) == 2
    assert "not a Debian package" in capsys.readouterr().err
    assert main(["corpus", "--out", str(tmp_path / "out")]) == 2
