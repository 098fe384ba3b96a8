"""Project files, exports and autosave: what ends up on disk, and what a hostile file cannot do."""

from __future__ import annotations

import io
import json
import struct
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import numpy as np
import pytest
from PIL import Image

from linetint.app import project
from linetint.app.autosave import AutosaveStore
from linetint.app.colour_modes import HintColours
from linetint.app.document import Document
from linetint.app.export import export_ora, export_png, export_psd
from linetint.app.project import ProjectData, ProjectError, load_project, save_project
from linetint.imaging.hint_colours import Unhinted
from linetint.imaging.recolour import with_lightness
from linetint.model.hints import Hint, HintLayer, hint_rgba, layer_to_json, load_hints, save_hints

REPO = Path(__file__).resolve().parent.parent

W, H = 48, 32


def sample_data(seed: int = 0, with_result: bool = True, with_shading: bool = False) -> ProjectData:
    rng = np.random.default_rng(seed)
    lineart = np.full((H, W), 255, dtype=np.uint8)
    lineart[:, 20] = rng.integers(0, 256, H, dtype=np.uint8)  # grey levels
    lineart[10, :] = 0  # a black line
    hints = HintLayer(
        W, H, (Hint(1, 2, 3, (255, 0, 0)), Hint(W - 1, H - 1, 8, (1, 2, 3)), Hint(5, 5, 1, (0, 9, 0)))
    )
    result = rng.integers(0, 256, (H, W, 3), dtype=np.uint8) if with_result else None
    # a colour picture's grey: every level, so a lossy or shifted round trip shows
    shading = rng.integers(0, 256, (H, W), dtype=np.uint8) if with_shading else None
    return ProjectData(lineart, hints, result, "cat.png", shading=shading)


def assert_same(a: ProjectData, b: ProjectData) -> None:
    assert np.array_equal(a.lineart, b.lineart) and a.lineart.dtype == b.lineart.dtype
    assert a.hints == b.hints
    if a.result is None:
        assert b.result is None
    else:
        assert np.array_equal(a.result, b.result)
    assert a.source_name == b.source_name
    if a.shading is None:
        assert b.shading is None
    else:
        assert b.shading is not None and b.shading.dtype == np.uint8
        assert np.array_equal(a.shading, b.shading)


# --------------------------------------------------------------------------------------------------------
# Save and load


@pytest.mark.parametrize("with_result", [True, False])
def test_save_then_load_gives_back_the_same_picture_hints_and_result(tmp_path, with_result):
    data = sample_data(with_result=with_result)
    save_project(data, tmp_path / "cat.linetint")
    assert_same(load_project(tmp_path / "cat.linetint"), data)
    with zipfile.ZipFile(tmp_path / "cat.linetint") as archive:
        manifest = json.loads(archive.read("manifest.json"))
        hints_png = np.asarray(Image.open(io.BytesIO(archive.read("hints.png"))))
    assert manifest["format"] == "linetint-project" and manifest["version"] == 1
    assert (manifest["width"], manifest["height"]) == (W, H)
    assert np.array_equal(hints_png, hint_rgba(data.hints))  # other tools see the same hints


def test_a_recoloured_pictures_shading_is_saved_and_loaded_back_exactly(qapp, tmp_path):
    data = sample_data(with_shading=True)
    save_project(data, tmp_path / "painting.linetint")
    assert_same(load_project(tmp_path / "painting.linetint"), data)
    with zipfile.ZipFile(tmp_path / "painting.linetint") as archive:
        assert json.loads(archive.read("manifest.json"))["files"]["shading"] == "shading.png"
    doc = Document.from_project(tmp_path / "painting.linetint")  # and the document has it again
    assert np.array_equal(doc.shading, data.shading) and not doc.shading.flags.writeable
    doc.save(tmp_path / "again.linetint")
    assert np.array_equal(load_project(tmp_path / "again.linetint").shading, data.shading)
    store = AutosaveStore(tmp_path / "autosave")  # an autosave writes and recovers the same file
    assert np.array_equal(load_project(store.save(doc)).shading, data.shading)
    store.mark_clean_exit()


def test_a_project_from_before_shading_still_opens_as_line_art(tmp_path):
    save_project(sample_data(), tmp_path / "old.linetint")
    with zipfile.ZipFile(tmp_path / "old.linetint") as archive:
        entries = {name: archive.read(name) for name in archive.namelist()}
    manifest = json.loads(entries["manifest.json"])
    del manifest["files"]["shading"]  # written before shading existed: no such key at all
    entries["manifest.json"] = json.dumps(manifest).encode()
    (tmp_path / "old.linetint").write_bytes(zip_bytes(entries))
    loaded = load_project(tmp_path / "old.linetint")
    assert loaded.shading is None
    assert_same(loaded, sample_data())


@pytest.mark.parametrize(
    "choice", [HintColours(), HintColours(keep=False), HintColours(unhinted=Unhinted.PAPER)]
)
def test_the_hint_colour_choice_survives_save_and_reopen(qapp, tmp_path, choice):
    doc = Document(sample_data().lineart, hint_colours=choice)
    doc.save(tmp_path / "a.linetint")
    assert Document.from_project(tmp_path / "a.linetint").hint_colours == choice


@pytest.mark.parametrize("written", [None, "yes", {"keep": "no", "unhinted": "sky"}, {"keep": False}])
def test_a_project_without_a_known_hint_colour_choice_opens_with_the_defaults_it_knows(tmp_path, written):
    save_project(sample_data(), tmp_path / "old.linetint")
    with zipfile.ZipFile(tmp_path / "old.linetint") as archive:
        entries = {name: archive.read(name) for name in archive.namelist()}
    manifest = json.loads(entries["manifest.json"])
    del manifest["hint_colours"]  # as a project from before Keep Hint Colours
    if written is not None:
        manifest["hint_colours"] = written
    entries["manifest.json"] = json.dumps(manifest).encode()
    with zipfile.ZipFile(tmp_path / "old.linetint", "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    keep = written["keep"] if isinstance(written, dict) and isinstance(written["keep"], bool) else True
    assert load_project(tmp_path / "old.linetint").hint_colours == HintColours(keep=keep)


def test_a_saved_document_reopens_clean_with_its_title(qapp, tmp_path):
    doc = Document.from_image(REPO / "resources" / "samples" / "girl-lineart.png")
    doc.paint([Hint(3, 4, 5, (10, 20, 30))])
    doc.last_result = np.zeros((doc.height, doc.width, 3), dtype=np.uint8)
    doc.save(tmp_path / "girl.linetint")
    again = Document.from_project(tmp_path / "girl.linetint")
    assert again.title() == "girl.linetint" and not again.modified
    assert again.hints == doc.hints and np.array_equal(again.lineart, doc.lineart)
    assert again.source_name == "girl-lineart.png"
    assert np.array_equal(again.last_result, doc.last_result)


def test_a_save_that_fails_midway_keeps_the_previous_file(tmp_path, monkeypatch):
    path = tmp_path / "cat.linetint"
    old = sample_data(seed=1)
    save_project(old, path)
    before = path.read_bytes()

    calls = []

    def failing_png(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:  # after the manifest and line art are already in the new zip
            raise OSError("disk full")
        return real_png(*args, **kwargs)

    real_png = project._png_bytes
    monkeypatch.setattr(project, "_png_bytes", failing_png)
    with pytest.raises(OSError, match="disk full"):
        save_project(sample_data(seed=2), path)
    assert path.read_bytes() == before
    assert_same(load_project(path), old)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cat.linetint"]  # no temp file left behind


# --------------------------------------------------------------------------------------------------------
# Broken and hostile files


def zip_bytes(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in entries.items():
            archive.writestr(zipfile.ZipInfo(name), data)
    return buffer.getvalue()


def valid_entries(tmp_path: Path) -> dict[str, bytes]:
    save_project(sample_data(), tmp_path / "valid.linetint")
    with zipfile.ZipFile(tmp_path / "valid.linetint") as archive:
        entries = {name: archive.read(name) for name in archive.namelist()}
    (tmp_path / "valid.linetint").unlink()
    return entries


def png(array: np.ndarray, mode: str) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(array, mode=mode).save(buffer, format="PNG")
    return buffer.getvalue()


def with_manifest(entries: dict[str, bytes], **changes) -> dict[str, bytes]:
    manifest = json.loads(entries["manifest.json"])
    manifest.update(changes)
    return {**entries, "manifest.json": json.dumps(manifest).encode()}


def declare_size(data: bytes, name: str, size: int) -> bytes:
    """Patch an entry's uncompressed size in its local and central headers (a zip bomb's claim)."""
    out = bytearray(data)
    # (signature, offset of the uncompressed size, of the name length, of the name) per header kind
    headers = ((b"PK\x03\x04", 22, 26, 30), (b"PK\x01\x02", 24, 28, 46))
    for signature, size_at, name_len_at, name_at in headers:
        start = out.find(signature)
        while start >= 0:
            (name_len,) = struct.unpack_from("<H", out, start + name_len_at)
            if out[start + name_at : start + name_at + name_len] == name.encode():
                struct.pack_into("<I", out, start + size_at, size)
            start = out.find(signature, start + 4)
    return bytes(out)


def corrupt(data: bytes, entry: bytes) -> bytes:
    """Flip bytes inside a stored entry's data, so its CRC no longer matches."""
    start = data.index(entry) + len(entry) // 2
    return data[:start] + bytes(b ^ 0xFF for b in data[start : start + 8]) + data[start + 8 :]


def without(entries: dict[str, bytes], name: str) -> dict[str, bytes]:
    return {k: v for k, v in entries.items() if k != name}


def with_shading(entries: dict[str, bytes], data: bytes | None, listed: object = "shading.png") -> bytes:
    """A project listing `listed` as its shading, with `data` as shading.png (None: no such entry)."""
    manifest = json.loads(entries["manifest.json"])
    manifest["files"]["shading"] = listed
    changed = {**entries, "manifest.json": json.dumps(manifest).encode()}
    return zip_bytes(changed if data is None else {**changed, "shading.png": data})


def bad_colour_hints() -> bytes:
    text = layer_to_json(HintLayer(W, H, (Hint(0, 0, 1, (0, 0, 0)),)))
    return text.replace("#000000", "red").encode()


# case: (make the file from a valid project's entries, what the message must say)
HOSTILE = {
    "not a zip": (lambda e: b"this is not a zip file at all", "not a zip"),
    "truncated": (lambda e: zip_bytes(e)[: len(zip_bytes(e)) // 2], "not a zip"),
    "parent path": (lambda e: zip_bytes({**e, "../evil": b"pwned"}), "unsafe path"),
    "nested parent path": (lambda e: zip_bytes({**e, "data/../../evil": b"x"}), "unsafe path"),
    "absolute path": (lambda e: zip_bytes({**e, "/tmp/evil": b"pwned"}), "unsafe path"),
    "windows drive path": (lambda e: zip_bytes({**e, "C:\\evil": b"pwned"}), "unsafe path"),
    "huge declared entry": (
        lambda e: declare_size(zip_bytes(e), "lineart.png", 3 * 1024**3),
        "lineart.png would unpack to 3221225472 bytes",
    ),
    "corrupted entry data": (lambda e: corrupt(zip_bytes(e), e["lineart.png"]), "lineart.png is damaged"),
    "missing manifest": (lambda e: zip_bytes(without(e, "manifest.json")), "manifest.json is missing"),
    "missing line art": (lambda e: zip_bytes(without(e, "lineart.png")), "lineart.png is missing"),
    "manifest not json": (lambda e: zip_bytes({**e, "manifest.json": b"{nope"}), "not valid JSON"),
    "not a linetint manifest": (
        lambda e: zip_bytes(with_manifest(e, format="something-else")),
        "not a LineTint project",
    ),
    "unknown version": (lambda e: zip_bytes(with_manifest(e, version=2)), "newer LineTint"),
    "bad hints json": (
        lambda e: zip_bytes({**e, "hints.json": b'{"format": "linetint-hints", "version": 1}'}),
        "hints: width: missing",
    ),
    "hint with a bad colour": (
        lambda e: zip_bytes({**e, "hints.json": bad_colour_hints()}),
        r"hints\[0\].color",
    ),
    "hints for another size": (
        lambda e: zip_bytes({**e, "hints.json": layer_to_json(HintLayer(W + 1, H)).encode()}),
        "hint layer is 49x32 but the project is 48x32",
    ),
    "line art of another size": (
        lambda e: zip_bytes({**e, "lineart.png": png(np.zeros((H, W + 2), np.uint8), "L")}),
        "line art is 50x32",
    ),
    "result of another size": (
        lambda e: zip_bytes({**e, "result.png": png(np.zeros((H + 1, W, 3), np.uint8), "RGB")}),
        "result is 48x33",
    ),
    "manifest size above the limits": (
        lambda e: zip_bytes(with_manifest(e, width=9000)),
        "manifest: the image is 9000x32",
    ),
    "line art above the limits": (
        lambda e: zip_bytes({**e, "lineart.png": png(np.zeros((1, 9000), np.uint8), "L")}),
        "line art: the image is 9000x1",
    ),
    "line art not a png": (
        lambda e: zip_bytes({**e, "lineart.png": b"GIF89a not really"}),
        "line art is not a PNG",
    ),
    "shading of another size": (
        lambda e: with_shading(e, png(np.zeros((H, W - 1), np.uint8), "L")),
        "the shading is 47x32 but the project is 48x32",
    ),
    "shading not a png": (lambda e: with_shading(e, b"GIF89a not really"), "shading is not a PNG"),
    "shading truncated": (
        lambda e: with_shading(e, png(np.arange(H * W, dtype=np.uint8).reshape(H, W), "L")[:60]),
        "shading is damaged or truncated",
    ),
    "shading listed but missing": (lambda e: with_shading(e, None), "shading.png is missing"),
    "shading not a file name": (lambda e: with_shading(e, None, listed=7), "files.shading: 7"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_broken_or_hostile_projects_are_refused_and_nothing_is_written(tmp_path, case):
    folder = tmp_path / "in"
    folder.mkdir()
    path = folder / "bad.linetint"
    make, reason = HOSTILE[case]
    path.write_bytes(make(valid_entries(tmp_path)))
    with pytest.raises(ProjectError, match=reason) as caught:
        load_project(path)
    assert "bad.linetint" in str(caught.value)  # the message names the file
    assert [p.name for p in folder.iterdir()] == ["bad.linetint"]
    assert not (tmp_path / "evil").exists() and not Path("/tmp/evil").exists()


def test_a_missing_project_file_is_a_project_error(tmp_path):
    with pytest.raises(ProjectError, match="no such file"):
        load_project(tmp_path / "nope.linetint")


# --------------------------------------------------------------------------------------------------------
# Export


def test_png_export_is_full_size_with_crisp_dark_lines(tmp_path):
    data = sample_data()
    small_colour = np.full((H // 2, W // 2, 3), (200, 150, 100), dtype=np.uint8)  # a preview at working size
    export_png(data.lineart, small_colour, tmp_path / "out.png")
    out = np.asarray(Image.open(tmp_path / "out.png"))
    assert out.shape == (H, W, 3)
    assert np.all(out[10, :] == 0)  # the black line stays black
    assert np.all(out[0, 0] == (200, 150, 100))  # white paper shows the colour
    export_png(data.lineart, small_colour, tmp_path / "flat.png", multiply_lines=False)
    flat = np.asarray(Image.open(tmp_path / "flat.png"))
    assert flat.shape == (H, W, 3) and np.all(flat[10, :] == (200, 150, 100))


def test_a_preview_at_the_working_size_is_saved_at_line_art_size(tmp_path):
    data = sample_data()
    small = np.full((16, 24, 3), 90, np.uint8)  # W, H = 48, 32 shrunk to 24 px a side
    save_project(ProjectData(data.lineart, data.hints, small, "cat.png"), tmp_path / "p.linetint")
    loaded = load_project(tmp_path / "p.linetint")
    assert loaded.result.shape == (H, W, 3) and (loaded.result == 90).all()
    odd = ProjectData(data.lineart, data.hints, np.zeros((16, 20, 3), np.uint8), "cat.png")  # another shape
    with pytest.raises(ValueError, match="working size"):
        save_project(odd, tmp_path / "odd.linetint")
    assert not (tmp_path / "odd.linetint").exists()


def test_ora_export_opens_as_openraster(tmp_path):
    data = sample_data()
    export_ora(data.lineart, data.result, data.hints, tmp_path / "out.ora")
    with zipfile.ZipFile(tmp_path / "out.ora") as archive:
        first = archive.infolist()[0]
        assert first.filename == "mimetype"
        assert first.compress_type == zipfile.ZIP_STORED and first.extra == b""
        assert archive.read("mimetype") == b"image/openraster"

        root = ElementTree.fromstring(archive.read("stack.xml"))
        assert root.tag == "image" and root.get("version", "").startswith("0.0.")
        assert (root.get("w"), root.get("h")) == (str(W), str(H))
        layers = root.find("stack").findall("layer")
        assert [layer.get("name") for layer in layers] == ["Hints", "Line art", "Colour"]  # top to bottom
        assert layers[0].get("visibility") == "hidden"
        assert layers[1].get("composite-op") == "svg:multiply"
        assert layers[2].get("composite-op") == "svg:src-over"
        pictures = {}
        for layer in layers:
            picture = Image.open(io.BytesIO(archive.read(layer.get("src"))))
            assert picture.size == (W, H) and picture.mode == "RGBA"
            pictures[layer.get("name")] = np.asarray(picture)
        merged = np.asarray(Image.open(io.BytesIO(archive.read("mergedimage.png"))))
        thumbnail = Image.open(io.BytesIO(archive.read("Thumbnail/thumbnail.png")))
    assert merged.shape[:2] == (H, W) and max(thumbnail.size) <= 256
    assert np.array_equal(pictures["Hints"], hint_rgba(data.hints))
    # Multiplying the line-art layer over the colour layer gives the merged image.
    ink = 1 - pictures["Line art"][..., 3:4] / 255
    assert np.abs(pictures["Colour"][..., :3] * ink - merged[..., :3]).max() <= 1
    assert np.all(merged[10, :, :3] == 0)


def test_ora_with_flat_colours_shows_them_over_the_hidden_colour_layer(tmp_path):
    data = sample_data()
    flat = np.full_like(data.result, 90)
    export_ora(data.lineart, data.result, data.hints, tmp_path / "flat.ora", flat)
    with zipfile.ZipFile(tmp_path / "flat.ora") as archive:
        layers = ElementTree.fromstring(archive.read("stack.xml")).find("stack").findall("layer")
        shown = {layer.get("name"): layer.get("visibility") for layer in layers}
        flats = np.asarray(Image.open(io.BytesIO(archive.read("data/flats.png"))))
        merged = np.asarray(Image.open(io.BytesIO(archive.read("mergedimage.png"))))
    assert [layer.get("name") for layer in layers] == ["Hints", "Line art", "Flat colours", "Colour"]
    assert shown == {"Hints": "hidden", "Line art": "visible", "Flat colours": "visible", "Colour": "hidden"}
    assert (flats[..., :3] == 90).all() and (flats[..., 3] == 255).all()
    paper = data.lineart == 255
    assert (merged[paper][:, :3] == 90).all()  # the merged picture is what the visible layers show


def test_ora_with_kept_hint_colours_has_their_own_layer_over_the_network_colour(tmp_path):
    data = sample_data()
    kept = data.result.copy()
    kept[:5, :5] = (255, 0, 0)  # what Keep Hint Colours changed
    export_ora(data.lineart, data.result, data.hints, tmp_path / "kept.ora", kept_rgb=kept)
    with zipfile.ZipFile(tmp_path / "kept.ora") as archive:
        layers = ElementTree.fromstring(archive.read("stack.xml")).find("stack").findall("layer")
        shown = {layer.get("name"): layer.get("visibility") for layer in layers}
        layer = np.asarray(Image.open(io.BytesIO(archive.read("data/hint-colours.png"))))
        merged = np.asarray(Image.open(io.BytesIO(archive.read("mergedimage.png"))))
    assert [layer.get("name") for layer in layers] == ["Hints", "Line art", "Hint colours", "Colour"]
    assert shown == {"Hints": "hidden", "Line art": "visible", "Hint colours": "visible", "Colour": "hidden"}
    changed = (kept != data.result).any(axis=-1)
    assert (layer[..., 3] == np.where(changed, 255, 0)).all()  # only what it changed: hide it to compare
    paper = data.lineart == 255
    assert np.array_equal(merged[paper][:, :3], kept[paper])  # the merged picture shows the kept colours


def test_a_recoloured_pictures_layers_are_its_shading_under_the_colour_in_color_mode(tmp_path):
    data = sample_data(with_shading=True)
    png_path, ora_path, psd_path = (tmp_path / f"out.{kind}" for kind in ("png", "ora", "psd"))
    export_png(data.lineart, data.result, png_path, shading=data.shading)
    export_ora(data.lineart, data.result, data.hints, ora_path, shading=data.shading)
    export_psd(data.lineart, data.result, data.hints, psd_path, shading=data.shading)
    recoloured = with_lightness(data.result, data.shading)
    flat = np.asarray(Image.open(png_path))
    assert np.array_equal(flat, recoloured)  # no lines multiplied over: they are in the shading
    with zipfile.ZipFile(ora_path) as archive:
        layers = ElementTree.fromstring(archive.read("stack.xml")).find("stack").findall("layer")
        shading = np.asarray(Image.open(io.BytesIO(archive.read("data/shading.png"))))
        merged = np.asarray(Image.open(io.BytesIO(archive.read("mergedimage.png"))))
    stack = [(layer.get("name"), layer.get("visibility"), layer.get("composite-op")) for layer in layers]
    assert stack == [
        ("Hints", "hidden", "svg:src-over"),
        ("Line art", "hidden", "svg:multiply"),  # at hand, but the picture's own lines show
        ("Colour", "visible", "svg:color"),
        ("Shading", "visible", "svg:src-over"),
    ]
    assert (shading[..., :3] == data.shading[..., None]).all() and (shading[..., 3] == 255).all()
    assert np.array_equal(merged, recoloured)
    with Image.open(psd_path) as psd:
        assert [layer[0] for layer in psd.layers] == ["Shading", "Colour", "Line art", "Hints"]
        assert np.array_equal(np.asarray(psd.convert("RGB")), recoloured)
    assert psd_path.read_bytes().count(b"8BIMcolr") == 1  # Photoshop's Color blend key, on the colour


def test_ora_thumbnail_of_a_big_picture_is_small(tmp_path):
    lineart = np.full((600, 300), 255, dtype=np.uint8)
    export_ora(lineart, None, HintLayer(300, 600), tmp_path / "big.ora")
    with zipfile.ZipFile(tmp_path / "big.ora") as archive:
        assert Image.open(io.BytesIO(archive.read("Thumbnail/thumbnail.png"))).size == (128, 256)


@pytest.mark.parametrize("name", ["hints.json", "hints.png"])
def test_exported_hints_load_back(tmp_path, name):
    data = sample_data()
    save_hints(data.hints, tmp_path / name)
    assert hint_rgba(load_hints(tmp_path / name, W, H)).tobytes() == hint_rgba(data.hints).tobytes()


# --------------------------------------------------------------------------------------------------------
# Autosave and recovery

CRASHING_SESSION = """
import sys, os
import numpy as np
from linetint.app.autosave import AutosaveStore
from linetint.app.project import ProjectData
from linetint.model.hints import Hint, HintLayer
layer = HintLayer(8, 6, (Hint(1, 1, 2, (9, 8, 7)),))
store = AutosaveStore(sys.argv[1])
data = ProjectData(np.full((6, 8), 255, np.uint8), layer)
store.save(data, display_name="cat.png", original_path="/pics/cat.png")
os._exit(3)  # dies without mark_clean_exit, as a crash would
"""


def crash_a_session(directory: Path) -> None:
    # The child imports the app and torch: a minute is not always enough on a loaded machine.
    done = subprocess.run([sys.executable, "-c", CRASHING_SESSION, str(directory)], timeout=300)
    assert done.returncode == 3


def test_a_crashed_session_is_offered_for_recovery_then_discarded(tmp_path):
    crash_a_session(tmp_path)
    store = AutosaveStore(tmp_path)
    [entry] = store.pending()
    assert entry.display_name == "cat.png"
    assert entry.original_path == Path("/pics/cat.png")
    assert entry.saved_at <= time.time()
    recovered = store.load(entry)
    assert recovered.hints.hints == (Hint(1, 1, 2, (9, 8, 7)),)
    store.discard(entry)
    assert store.pending() == []
    assert list(tmp_path.iterdir()) == []


def test_running_sessions_are_not_offered_and_a_clean_exit_leaves_nothing(qapp, tmp_path):
    doc = Document(np.full((6, 8), 255, dtype=np.uint8), source_path="/pics/dog.png")
    doc.paint([Hint(0, 0, 1, (1, 2, 3))])
    running = AutosaveStore(tmp_path)
    saved = running.save(doc)
    assert load_project(saved).hints == doc.hints
    other = AutosaveStore(tmp_path)  # a second app instance starting meanwhile
    assert other.pending() == []
    running.mark_clean_exit()
    assert other.pending() == []
    assert list(tmp_path.iterdir()) == []


def test_a_document_saved_by_the_user_is_not_recovered(tmp_path):
    store = AutosaveStore(tmp_path)
    store.save(sample_data(), key="doc-1")
    store.save(sample_data(), key="doc-2")
    store.forget("doc-1")
    assert sorted(p.name for p in store.session_dir.glob("*.linetint")) == ["doc-2.linetint"]
    with pytest.raises(ValueError):
        store.save(sample_data(), key="../escape")
    store.mark_clean_exit()


def test_a_project_whose_hints_are_64_mib_of_empty_objects_is_refused_before_they_are_built(tmp_path):
    import tracemalloc

    entries = valid_entries(tmp_path)
    entries["hints.json"] = (
        b'{"format": "linetint-hints", "version": 1, "hints": [' + b"{}," * (64 << 18) + b"{}]}"
    )
    entries["hints.json"] = entries["hints.json"][: project.MAX_HINTS_BYTES]
    (tmp_path / "bomb.linetint").write_bytes(zip_bytes(entries))
    del entries
    tracemalloc.start()
    try:
        with pytest.raises(ProjectError, match="more than 25000 hints need"):
            load_project(tmp_path / "bomb.linetint")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 400 * 2**20  # it took 1.7 GB when 22 million dicts were built before the count
