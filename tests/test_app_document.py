"""The document model and its undoable hint edits: what a user sees when painting, erasing and undoing."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from linetint.app.brush import (
    hint_at,
    hints_under,
    hints_under_stroke,
    patch_at,
    square_at,
    stroke_patches,
)
from linetint.app.commands import ReplaceHintsCommand
from linetint.app.document import Document
from linetint.model.hints import Hint, HintLayer, hint_rgba, load_hints

REPO = Path(__file__).resolve().parent.parent
DATA = REPO.parent / "shared" / "data" / "lineart"
SAMPLES = REPO / "resources" / "samples"
REAL_LAYERS = [(DATA / f"s2p-00{n}" / "lineart.png", DATA / f"s2p-00{n}" / "hints.png") for n in range(1, 7)]
REAL_LAYERS.append((SAMPLES / "girl-lineart.png", SAMPLES / "girl-hints.png"))

RED, GREEN, BLUE = (255, 0, 0), (0, 255, 0), (0, 0, 255)


@pytest.fixture
def doc(qapp) -> Document:
    return Document(np.full((40, 60), 255, dtype=np.uint8))


def drag(document: Document, points: list[tuple[float, float]], size: int = 3, color=RED) -> None:
    """What the canvas does for one press-move-release with the brush."""
    stroke = document.new_stroke_id()
    first = patch_at(*points[0], size, color, document.width, document.height)
    document.paint([first], stroke)
    last = first
    for p0, p1 in zip(points, points[1:], strict=False):
        patches = stroke_patches(p0, p1, size, color, document.width, document.height, previous=last)
        document.paint(patches, stroke)
        last = patches[-1] if patches else last


# --------------------------------------------------------------------------------------------------------
# Undo / redo


def test_undo_redo_restores_the_exact_hint_list_after_each_kind_of_edit(doc):
    history = [doc.hints.hints]
    doc.paint([Hint(1, 1, 2, RED), Hint(10, 10, 3, GREEN)])
    history.append(doc.hints.hints)
    drag(doc, [(20.5, 5.5), (30.5, 15.5)], color=BLUE)
    history.append(doc.hints.hints)
    doc.erase(hints_under(doc.hints, 10, 10, 1))  # the green patch, from the middle of the list
    history.append(doc.hints.hints)
    doc.set_hints(HintLayer(60, 40, (Hint(0, 0, 8, GREEN),)))
    history.append(doc.hints.hints)
    doc.clear_hints()
    history.append(doc.hints.hints)
    assert all(a != b for a, b in zip(history, history[1:], strict=False))  # every edit changed something

    for expected in reversed(history[:-1]):
        doc.undo_stack.undo()
        assert doc.hints.hints == expected
    assert not doc.undo_stack.canUndo()
    for expected in history[1:]:
        doc.undo_stack.redo()
        assert doc.hints.hints == expected


def test_a_whole_drag_is_one_undo_step(doc):
    drag(doc, [(5.5, 5.5), (12.0, 9.0), (20.0, 20.0), (30.0, 22.0)])
    assert len(doc.hints) > 4
    assert doc.undo_stack.count() == 1
    drag(doc, [(40.5, 5.5), (50.5, 5.5)], color=GREEN)
    assert doc.undo_stack.count() == 2  # a new press starts a new step

    doc.undo_stack.undo()
    assert {h.color for h in doc.hints.hints} == {RED}
    doc.undo_stack.undo()
    assert len(doc.hints) == 0


def test_paint_and_erase_emit_hints_changed_and_empty_edits_add_no_step(doc, qtbot):
    with qtbot.waitSignal(doc.hintsChanged):
        doc.paint([Hint(1, 1, 1, RED)])
    assert not doc.paint([])
    assert not doc.erase([])
    assert not doc.erase(hints_under(doc.hints, 50, 30, 4))  # nothing there
    assert doc.undo_stack.count() == 1
    doc.undo_stack.undo()
    assert not doc.clear_hints()  # nothing to clear: redo history survives
    assert doc.undo_stack.canRedo()


def test_erase_removes_only_the_hints_the_eraser_square_touches(doc):
    hints = [Hint(0, 0, 2, RED), Hint(5, 5, 3, GREEN), Hint(9, 9, 2, BLUE), Hint(20, 20, 1, RED)]
    doc.paint(hints)
    # Eraser 3x3 at (7, 7) covers 7..9: touches GREEN (5..7) and BLUE (9..10), not RED (0..1).
    assert hints_under(doc.hints, 7, 7, 3) == [1, 2]
    # One shared pixel is enough; a square that merely ends next to a patch does not touch it.
    assert hints_under(doc.hints, 3, 3, 3) == [1]
    assert hints_under(doc.hints, 2, 2, 3) == []
    doc.erase(hints_under(doc.hints, 7, 7, 3))
    assert doc.hints.hints == (hints[0], hints[3])
    doc.undo_stack.undo()
    assert doc.hints.hints == tuple(hints)  # order restored, not just membership


def test_an_eraser_drag_is_one_step_and_undo_restores_the_order(doc):
    hints = [Hint(x, 10, 2, (x, 0, 0)) for x in range(0, 60, 4)]
    doc.paint(hints)
    stroke = doc.new_stroke_id()
    points = [(2.0, 11.0), (20.0, 11.0), (40.0, 11.0)]
    for p0, p1 in zip(points, points[1:], strict=False):
        doc.erase(hints_under_stroke(doc.hints, p0, p1, 3), stroke)
    remaining = doc.hints.hints
    assert 0 < len(remaining) < len(hints)
    assert all(h.x >= 40 for h in remaining)
    assert doc.undo_stack.count() == 2
    doc.undo_stack.undo()
    assert doc.hints.hints == tuple(hints)
    doc.undo_stack.redo()
    assert doc.hints.hints == remaining


def test_recolour_keeps_places_sizes_and_order_and_a_no_op_adds_no_step(doc, qtbot):
    doc.paint([Hint(1, 1, 2, RED), Hint(5, 5, 3, BLUE), Hint(2, 1, 4, RED)])
    steps = doc.undo_stack.count()
    assert doc.recolour_hints(RED, RED) == 0 and doc.recolour_hints(GREEN, BLUE) == 0
    assert doc.undo_stack.count() == steps  # nothing pushed: the redo history survives
    with qtbot.waitSignal(doc.hintsChanged):
        assert doc.recolour_hints(RED, GREEN) == 2
    assert doc.hints.hints == (Hint(1, 1, 2, GREEN), Hint(5, 5, 3, BLUE), Hint(2, 1, 4, GREEN))
    assert doc.undo_stack.undoText() == "Recolour 2 hints" and doc.modified


def test_hint_at_finds_the_topmost_hint_under_a_point():
    layer = HintLayer(20, 20, (Hint(2, 2, 4, RED), Hint(4, 4, 4, BLUE)))
    assert hint_at(layer, 3.5, 3.5) == 0 and hint_at(layer, 4.2, 5.9) == 1 and hint_at(layer, 15, 15) is None


def test_a_tiny_picture_keeps_its_full_size_result(qapp):
    tiny = Document(np.full((6, 9), 255, np.uint8))
    tiny.last_result = np.zeros((6, 9, 3), np.uint8)
    assert tiny.last_result.shape == (6, 9, 3)


def test_a_result_at_the_working_size_is_kept_and_one_of_another_shape_refused(doc):
    doc.last_result = np.zeros((16, 24, 3), np.uint8)  # 60 x 40 at 24 px a side
    assert doc.last_result.shape == (16, 24, 3)
    with pytest.raises(ValueError, match="working size"):
        doc.last_result = np.zeros((16, 20, 3), np.uint8)


def test_importing_hints_of_another_size_is_refused(doc):
    with pytest.raises(ValueError, match="load_hints"):
        ReplaceHintsCommand(doc, HintLayer(30, 20))
    assert doc.undo_stack.count() == 0


def test_replacing_the_line_art_rescales_hints_and_undoes(doc, qtbot):
    doc.paint([Hint(30, 20, 2, RED)])
    doc.last_result = np.zeros((40, 60, 3), dtype=np.uint8)
    with qtbot.waitSignal(doc.lineartChanged):
        doc.set_lineart(np.full((80, 120), 200, dtype=np.uint8), "bigger.png")
    assert (doc.width, doc.height) == (120, 80)
    assert doc.hints.hints == (Hint(60, 40, 4, RED),)
    assert doc.last_result is None  # the old preview no longer fits
    assert doc.title() == "bigger.png*"
    doc.undo_stack.undo()
    assert (doc.width, doc.height) == (60, 40)
    assert doc.hints.hints == (Hint(30, 20, 2, RED),)
    assert doc.last_result is not None


def test_a_recoloured_pictures_shading_stays_through_a_clean_up_and_goes_with_other_line_art(qapp):
    shading = np.tile(np.linspace(0, 255, 60).astype(np.uint8), (40, 1))
    doc = Document(np.full((40, 60), 255, np.uint8), shading=shading)
    assert np.array_equal(doc.shading, shading) and not doc.shading.flags.writeable
    doc.set_lineart(np.full((40, 60), 250, np.uint8), text="Clean up line art")  # its lines, redrawn
    assert np.array_equal(doc.shading, shading)
    doc.set_lineart(np.full((80, 120), 255, np.uint8), "other.png")  # another drawing
    assert doc.shading is None
    assert doc.snapshot().shading is None  # nor does its project keep the old picture's
    doc.undo_stack.undo()
    assert np.array_equal(doc.shading, shading) and doc.width == 60
    with pytest.raises(ValueError, match="the shading is 59x40, the line art is 60x40"):
        Document(np.full((40, 60), 255, np.uint8), shading=shading[:, 1:])


def test_line_art_and_results_are_checked_and_read_only(doc):
    with pytest.raises(ValueError):
        Document(np.zeros((4, 4, 3), dtype=np.uint8))
    with pytest.raises(ValueError):
        doc.last_result = np.zeros((40, 61, 3), dtype=np.uint8)
    with pytest.raises(ValueError):
        doc.lineart[0, 0] = 0  # shared with the worker thread and autosave: nobody may change it


# --------------------------------------------------------------------------------------------------------
# Modified flag and title


def test_modified_flag_and_title_follow_edits_undo_and_save(qapp, qtbot, tmp_path):
    doc = Document.from_image(SAMPLES / "girl-lineart.png")
    assert (doc.width, doc.height) == (597, 800)
    assert not doc.modified
    assert doc.title() == "girl-lineart.png"

    with qtbot.waitSignal(doc.modifiedChanged) as changed:
        doc.paint([Hint(5, 5, 3, RED)])
    assert changed.args == [True]
    assert doc.title() == "girl-lineart.png*"

    with qtbot.waitSignal(doc.modifiedChanged) as changed:
        doc.undo_stack.undo()
    assert changed.args == [False]
    assert doc.title() == "girl-lineart.png"

    doc.undo_stack.redo()
    with qtbot.waitSignal(doc.pathChanged):
        doc.save(tmp_path / "girl.linetint")
    assert not doc.modified
    assert doc.title() == "girl.linetint"
    doc.undo_stack.undo()  # back before the save: differs from the file
    assert doc.title() == "girl.linetint*"
    doc.undo_stack.redo()
    assert doc.title() == "girl.linetint"


def test_untitled_and_recovered_documents(qapp):
    doc = Document(np.full((10, 10), 255, dtype=np.uint8))
    assert doc.title() == "Untitled"
    doc.mark_modified()  # a recovered autosave has unsaved work but nothing to undo
    assert doc.modified and doc.title() == "Untitled*"
    doc.mark_saved()
    assert doc.title() == "Untitled"


# --------------------------------------------------------------------------------------------------------
# Brush geometry


@pytest.mark.parametrize("size", range(1, 9))
@pytest.mark.parametrize("offset", [(0.0, 0.0), (0.3, 0.7), (0.5, 0.5), (0.99, 0.01)])
def test_patch_is_centred_under_the_pointer(size, offset):
    i, j = 20, 13
    px, py = i + offset[0], j + offset[1]
    hint = patch_at(px, py, size, RED, 64, 48)
    assert hint is not None and hint.size == size
    # It covers the clicked pixel, and its centre is the one nearest the pointer (within half a pixel).
    assert hint.x <= i < hint.x + size and hint.y <= j < hint.y + size
    assert abs(hint.x + size / 2 - px) <= 0.5 and abs(hint.y + size / 2 - py) <= 0.5
    if size % 2:  # odd sizes: the clicked pixel is exactly the middle one, wherever in it one clicks
        assert (hint.x + size // 2, hint.y + size // 2) == (i, j)


def test_even_patches_centre_on_the_nearest_pixel_corner():
    assert patch_at(10.2, 10.2, 2, RED, 64, 48) == Hint(9, 9, 2, RED)  # corner (10, 10)
    assert patch_at(10.8, 10.8, 2, RED, 64, 48) == Hint(10, 10, 2, RED)  # corner (11, 11)
    assert patch_at(10.2, 10.8, 4, RED, 64, 48) == Hint(8, 9, 4, RED)


@pytest.mark.parametrize("size", [1, 2, 5, 8])
def test_patches_at_the_border_are_shifted_inside_and_keep_their_size(size):
    w, h = 30, 20
    for px, py in [(0.1, 0.1), (w - 0.1, h - 0.1), (0.1, h - 0.1), (w - 0.1, 0.1)]:
        hint = patch_at(px, py, size, RED, w, h)
        assert hint is not None
        assert 0 <= hint.x <= w - size and 0 <= hint.y <= h - size
        assert hint.x <= int(px) < hint.x + size and hint.y <= int(py) < hint.y + size
        HintLayer(w, h, (hint,))  # a valid hint for this picture


def test_no_patch_outside_the_image_and_tiny_images_still_get_one():
    for px, py in [(-0.01, 5), (5, -3), (30, 5), (5, 20), (math.nan, 1), (math.inf, 1)]:
        assert patch_at(px, py, 3, RED, 30, 20) is None
    assert patch_at(2.5, 1.5, 8, RED, 3, 2) == Hint(0, 0, 8, RED)  # the rasterizer clips the far side
    assert square_at(0.0, 0.0, 1, 1, 1) == (0, 0)


def _connected(mask: np.ndarray) -> bool:
    """True if the True pixels form one 8-connected region."""
    ys, xs = np.nonzero(mask)
    seen = np.zeros_like(mask)
    stack = [(ys[0], xs[0])]
    seen[ys[0], xs[0]] = True
    while stack:
        y, x = stack.pop()
        for dy in (-1, 0, 1):
            for dx in (-1, 0, 1):
                ny, nx = y + dy, x + dx
                if 0 <= ny < mask.shape[0] and 0 <= nx < mask.shape[1] and mask[ny, nx] and not seen[ny, nx]:
                    seen[ny, nx] = True
                    stack.append((ny, nx))
    return bool(seen.sum() == mask.sum())


@pytest.mark.parametrize("size", [1, 2, 3, 8])
def test_a_diagonal_drag_paints_a_continuous_stroke_without_duplicates(size):
    w, h = 120, 90
    p0, p1 = (3.3, 4.1), (101.7, 77.2)
    patches = stroke_patches(p0, p1, size, RED, w, h)
    assert patches[0] == patch_at(*p0, size, RED, w, h)
    assert patches[-1] == patch_at(*p1, size, RED, w, h)
    assert all(a != b for a, b in zip(patches, patches[1:], strict=False))
    # Neighbours overlap (or, for 1 px, touch diagonally) ...
    for a, b in zip(patches, patches[1:], strict=False):
        assert max(abs(a.x - b.x), abs(a.y - b.y)) <= max(1, size // 2)
    # ... so the painted pixels are one connected stroke that passes under the whole drag ...
    mask = hint_rgba(HintLayer(w, h, tuple(patches)))[..., 3] > 0
    assert _connected(mask)
    reach = 1 if size == 1 else 0  # a 1 px line is 8-connected, so it may pass a crossed pixel diagonally
    for t in np.linspace(0, 1, 200):
        x, y = int(p0[0] + (p1[0] - p0[0]) * t), int(p0[1] + (p1[1] - p0[1]) * t)
        assert mask[y - reach : y + reach + 1, x - reach : x + reach + 1].any()
    # ... without stacking hundreds of copies.
    longest_axis = max(abs(p1[0] - p0[0]), abs(p1[1] - p0[1]))
    assert len(patches) <= longest_axis / max(1, size // 2) + 2


def test_a_drag_leaving_the_image_paints_up_to_the_border():
    patches = stroke_patches((10.5, 10.5), (80.0, 10.5), 3, RED, 40, 30)
    assert max(h.x for h in patches) == 40 - 3
    assert stroke_patches((-10, -10), (-1, 50), 3, RED, 40, 30) == []
    first = patch_at(10.5, 10.5, 3, RED, 40, 30)
    assert stroke_patches((10.5, 10.5), (10.6, 10.6), 3, RED, 40, 30, previous=first) == []


# --------------------------------------------------------------------------------------------------------
# Real hint layers


@pytest.mark.parametrize("lineart_path, hints_path", REAL_LAYERS, ids=lambda p: p.parent.name)
def test_importing_a_real_hint_layer_is_one_undoable_step(qapp, lineart_path, hints_path):
    if not lineart_path.exists() or not hints_path.exists():
        pytest.skip(f"{hints_path} is not available")
    doc = Document.from_image(lineart_path)
    layer = load_hints(hints_path, doc.width, doc.height)
    doc.undo_stack.push(ReplaceHintsCommand(doc, layer))
    assert len(doc.hints) > 0
    raster = hint_rgba(doc.hints)
    assert raster.shape[:2] == doc.lineart.shape
    assert np.array_equal(raster, hint_rgba(layer))
    assert raster[..., 3].any()
    assert doc.undo_stack.count() == 1 and doc.modified
    doc.undo_stack.undo()
    assert len(doc.hints) == 0 and not doc.modified
    doc.undo_stack.redo()
    assert doc.hints == layer
