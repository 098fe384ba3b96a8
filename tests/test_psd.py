"""The layered Photoshop export: a file Photoshop-family programs open with the right layers."""

import struct

import numpy as np
import pytest
from PIL import Image

from linetint.app.export import export_psd
from linetint.app.psd import PsdLayer, packbits, save_psd
from linetint.model.hints import Hint, HintLayer

H, W = 30, 40


def records(path) -> list[dict]:
    """The layer records, parsed straight from the specification's layout (not through Pillow)."""
    data = path.read_bytes()
    assert data[:4] == b"8BPS"
    version, channels, height, width, depth, mode = struct.unpack(">H6xHIIHH", data[4:26])
    assert (version, channels, height, width, depth, mode) == (1, 3, H, W, 8, 3)
    offset = 26
    for _ in range(2):  # colour-mode data, image resources
        offset += 4 + struct.unpack(">I", data[offset : offset + 4])[0]
    section, info = struct.unpack(">II", data[offset : offset + 8])
    count = struct.unpack(">h", data[offset + 8 : offset + 10])[0]
    position, found = offset + 10, []
    for _ in range(count):
        top, left, bottom, right, n = struct.unpack(">iiiiH", data[position : position + 18])
        position += 18 + 6 * n
        signature, blend, opacity, _, flags, _, extra = struct.unpack(
            ">4s4sBBBBI", data[position : position + 16]
        )
        name_at = position + 16 + 8
        name = data[name_at + 1 : name_at + 1 + data[name_at]].decode("ascii")
        position += 16 + extra
        found.append({"name": name, "rect": (top, left, bottom, right), "channels": n, "signature": signature,
                      "blend": blend, "opacity": opacity, "hidden": bool(flags & 2)})  # fmt: skip
    assert section == 4 + info + 4  # the layer info, then an empty global layer mask
    merged = data[offset + 4 + section :]
    counts = struct.unpack(f">H{3 * H}H", merged[: 2 + 6 * H])
    assert counts[0] == 1 and len(merged) == 2 + 6 * H + sum(counts[1:])  # RLE rows, planar, to the end
    return found


@pytest.fixture
def picture():
    lineart = np.full((H, W), 255, np.uint8)
    lineart[10, :] = 0
    colour = np.zeros((H, W, 3), np.uint8)
    colour[..., 0] = 200
    return lineart, colour, HintLayer(W, H, (Hint(2, 3, 4, (0, 255, 0)),))


def test_layers_bottom_first_with_blend_modes_and_visibility(picture, tmp_path):
    lineart, colour, hints = picture
    flat = np.full((H, W, 3), (0, 0, 150), np.uint8)
    export_psd(lineart, colour, hints, tmp_path / "out.psd", flat)
    layers = records(tmp_path / "out.psd")
    assert [(r["name"], r["blend"], r["hidden"]) for r in layers] == [
        ("Colour", b"norm", True),
        ("Flat colours", b"norm", False),
        ("Line art", b"mul ", False),
        ("Hints", b"norm", True),
    ]
    assert all(r["rect"] == (0, 0, H, W) and r["channels"] == 4 and r["signature"] == b"8BIM" for r in layers)


def test_pillow_reads_back_every_layer_and_the_merged_picture(picture, tmp_path):
    lineart, colour, hints = picture
    export_psd(lineart, colour, hints, tmp_path / "out.psd")
    with Image.open(tmp_path / "out.psd") as image:
        merged = np.asarray(image.convert("RGB"))
        assert [layer[0] for layer in image.layers] == ["Colour", "Line art", "Hints"]
        pixels = {}
        for index in (2, 3, 1):  # Pillow's seek(1) right after opening keeps the merged picture
            image.seek(index)
            pixels[image.layers[index - 1][0]] = np.asarray(image.convert("RGBA"))
    assert (merged[5, 5] == (200, 0, 0)).all() and (merged[10] == 0).all()
    assert (pixels["Colour"][..., :3] == (200, 0, 0)).all() and (pixels["Colour"][..., 3] == 255).all()
    assert (pixels["Line art"][10, :, 3] == 255).all() and (pixels["Line art"][5, :, 3] == 0).all()
    assert (pixels["Hints"][4, 3] == (0, 255, 0, 255)).all() and pixels["Hints"][20, 20, 3] == 0


def test_a_layer_of_another_size_is_refused_and_nothing_is_written(tmp_path):
    merged = np.zeros((H, W, 3), np.uint8)
    with pytest.raises(ValueError, match="not uint8 RGBA"):
        save_psd(tmp_path / "bad.psd", [PsdLayer("x", np.zeros((H, W + 1, 4), np.uint8))], merged)
    assert not (tmp_path / "bad.psd").exists()


def unpackbits(data: bytes) -> bytes:
    """PackBits decoding, as the specification describes it (for checking the encoder)."""
    out, index = bytearray(), 0
    while index < len(data):
        header = data[index] if data[index] < 128 else data[index] - 256
        if header >= 0:
            out += data[index + 1 : index + 2 + header]
            index += 2 + header
        elif header != -128:
            out += bytes([data[index + 1]]) * (1 - header)
            index += 2
        else:
            index += 1
    return bytes(out)


@pytest.mark.parametrize(
    "row",
    [
        np.zeros(3508, np.uint8),  # a transparent row: long runs
        np.random.default_rng(0).integers(0, 256, 1000, dtype=np.uint8),  # noise: literals
        np.repeat(np.arange(40, dtype=np.uint8), [1, 2, 3, 127, 128, 129, 130, 255, 256, 257] * 4),
        np.array([7], np.uint8),
        np.array([5, 5], np.uint8),
    ],
    ids=["blank", "noise", "runs-at-every-limit", "one", "two"],
)
def test_packbits_rows_decode_back_exactly(row):
    encoded = packbits(row)
    assert unpackbits(encoded) == row.tobytes()
    if row.size > 1000 and (row == row[0]).all():
        assert len(encoded) <= 2 * (row.size // 128 + 1)  # a blank row shrinks to a few bytes


def test_flat_layers_compress_and_the_file_is_small(tmp_path):
    lineart = np.full((300, 400), 255, np.uint8)
    lineart[::20] = 0
    colour = np.full((300, 400, 3), (200, 80, 40), np.uint8)
    export_psd(lineart, colour, HintLayer(400, 300, (Hint(5, 5, 4, (0, 0, 0)),)), tmp_path / "flat.psd")
    assert (tmp_path / "flat.psd").stat().st_size < 0.05 * (4 * 4 + 3) * 300 * 400  # raw would be 19x
