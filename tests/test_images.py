import numpy as np
import pytest
from PIL import EpsImagePlugin, Image

from linetint.model.hints import HintFormatError, load_hints
from linetint.model.images import MAX_SIDE, ImageInputError, colourfulness, load_lineart, load_rgb, to_grey


def test_transparent_line_art_lands_on_white_paper():
    rgba = np.zeros((4, 4, 4), np.uint8)  # fully transparent black ...
    rgba[1, 1] = (0, 0, 0, 255)  # ... except one opaque black line pixel
    grey = to_grey(Image.fromarray(rgba, "RGBA"))
    assert grey[0, 0] == 255 and grey[1, 1] == 0


def test_sixteen_bit_grey_is_scaled_not_clipped(tmp_path):
    array = np.array([[0, 32768, 65535]], dtype=np.uint16)
    Image.fromarray(array).save(tmp_path / "g16.png")
    grey = load_lineart(tmp_path / "g16.png")
    assert grey.tolist() == [[0, 128, 255]]


def test_palette_with_transparency_and_la_modes():
    palette = Image.new("P", (3, 1))
    palette.putpalette([0, 0, 0, 255, 0, 0])
    palette.putpixel((1, 0), 1)
    palette.info["transparency"] = 0
    assert to_grey(palette).tolist() == [[255, 76, 255]]
    la = Image.fromarray(np.array([[[10, 255], [10, 0]]], np.uint8), "LA")
    assert to_grey(la).tolist() == [[10, 255]]


@pytest.mark.parametrize("suffix", [".jpg", ".webp", ".bmp", ".tif"])
def test_common_formats_open(tmp_path, suffix):
    Image.new("RGB", (20, 10), (0, 0, 0)).save(tmp_path / f"a{suffix}")
    grey = load_lineart(tmp_path / f"a{suffix}")
    assert grey.shape == (10, 20) and grey.max() < 10


def test_unreadable_truncated_and_missing_files_say_why(tmp_path):
    (tmp_path / "notes.png").write_text("not an image")
    with pytest.raises(ImageInputError, match="not an image"):
        load_lineart(tmp_path / "notes.png")
    Image.new("RGB", (300, 300), (1, 2, 3)).save(tmp_path / "full.png")
    data = (tmp_path / "full.png").read_bytes()
    (tmp_path / "cut.png").write_bytes(data[: len(data) // 2])
    with pytest.raises(ImageInputError, match="damaged or truncated"):
        load_lineart(tmp_path / "cut.png")
    with pytest.raises(ImageInputError, match="no such file"):
        load_lineart(tmp_path / "missing.png")


def test_huge_image_is_refused_before_decoding(tmp_path):
    Image.new("1", (MAX_SIDE + 1, 8)).save(tmp_path / "wide.png")
    with pytest.raises(ImageInputError, match="up to 8192 px"):
        load_lineart(tmp_path / "wide.png")


def test_colourfulness_tells_colour_art_from_line_art_whatever_hides_under_transparency():
    grey = Image.fromarray(np.tile(np.arange(0, 256, 4, dtype=np.uint8), (40, 1)))
    colour = Image.fromarray(np.full((40, 64, 3), (200, 60, 40), np.uint8))
    hidden = np.zeros((40, 64, 4), np.uint8)
    hidden[..., 0] = 255  # pure red, but fully transparent: white paper to the eye
    assert colourfulness(grey) == 0 and colourfulness(grey.convert("RGB")) < 0.01
    assert colourfulness(colour) > 0.5 and colourfulness(Image.fromarray(hidden)) < 0.01


EPS = b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\n{ } loop\n%%EOF\n"


def _no_ghostscript(monkeypatch) -> list:
    """Records any hand-over to Ghostscript (installed or not) instead of running it."""
    calls = []

    def ghostscript(*args, **kwargs):
        calls.append(args)
        raise OSError("Ghostscript must never run")

    monkeypatch.setattr(EpsImagePlugin, "Ghostscript", ghostscript)
    return calls


@pytest.mark.parametrize("load", [load_lineart, load_rgb], ids=["line art", "colour picture"])
def test_an_eps_file_named_png_is_refused_and_never_reaches_ghostscript(tmp_path, monkeypatch, load):
    calls = _no_ghostscript(monkeypatch)
    (tmp_path / "x.png").write_bytes(EPS)
    with pytest.raises(ImageInputError, match=r"x.png is not an image LineTint reads \(PNG, JPEG, WebP"):
        load(tmp_path / "x.png")
    assert calls == []


def test_an_eps_hint_layer_is_refused(tmp_path, monkeypatch):
    calls = _no_ghostscript(monkeypatch)
    (tmp_path / "layer.png").write_bytes(EPS)
    with pytest.raises(HintFormatError, match="not an image LineTint reads"):
        load_hints(tmp_path / "layer.png", 10, 10)
    assert calls == []


def test_a_warm_tinted_photo_of_a_pencil_sketch_is_paper_not_colour():
    rng = np.random.default_rng(0)
    page = np.empty((90, 120, 3), np.float32)
    page[:] = (0xB0, 0xAA, 0xA0)  # warm paper, as a phone photo shows it
    page[30:33, :] = page[:, 60:63] = (0x80, 0x78, 0x70)  # graphite, just as warm
    page *= np.linspace(0.9, 1.05, 120)[None, :, None]  # uneven light
    page += rng.normal(0, 2, page.shape)
    sketch = Image.fromarray(np.clip(page, 0, 255).astype(np.uint8))
    assert colourfulness(sketch) < 0.02
    painted = np.full((90, 120, 3), 255, np.uint8)
    painted[10:60, 10:70], painted[40:85, 60:115] = (224, 108, 117), (80, 160, 220)
    assert colourfulness(Image.fromarray(painted)) > 0.08  # a colour picture with white paper around it
