"""A stroke is one object (issue 16 item 8): a drag makes one stroke, which moves, erases with a click and
recolours as a whole, counts as one in the status bar, and survives a project round-trip; hint files from
before strokes, or from other tools, still load. Also the first-open guidance on the preview (item 5)."""

import json
from dataclasses import replace

import numpy as np
import pytest
from PIL import Image

pytest.importorskip("PySide6")

from PySide6.QtCore import QPointF, Qt  # noqa: E402
from PySide6.QtGui import QColor  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QLabel  # noqa: E402

from linetint.app import window as window_module  # noqa: E402
from linetint.app.canvas import Tool  # noqa: E402
from linetint.model.hints import (  # noqa: E402
    Hint,
    HintLayer,
    count_strokes,
    layer_from_json,
    layer_from_png,
    layer_to_json,
    load_hints,
    stroke_indices,
)


def click(win, x: float, y: float) -> None:
    pos = win.canvas.widget_pos(QPointF(x, y))
    QTest.mouseClick(win.canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, pos.toPoint())


def drag(win, start: tuple[float, float], end: tuple[float, float], steps: int = 6) -> None:
    a, b = win.canvas.widget_pos(QPointF(*start)), win.canvas.widget_pos(QPointF(*end))
    QTest.mousePress(win.canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, a.toPoint())
    for t in np.linspace(0, 1, steps)[1:]:
        QTest.mouseMove(win.canvas, (a + (b - a) * t).toPoint())
    QTest.mouseRelease(win.canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, b.toPoint())


def open_and_paint_two_strokes(win, sketch) -> None:
    """Two drags (red above the line, blue below it) and one blue click: three strokes."""
    win.open_path(sketch).wait()
    win.canvas.set_zoom(4)
    win.colours.set_size(3)
    win.colours.set_colour(QColor(220, 40, 40))
    drag(win, (5.5, 10.5), (35.5, 10.5))
    win.colours.set_colour(QColor(40, 40, 220))
    drag(win, (5.5, 45.5), (35.5, 50.5))
    click(win, 70.5, 10.5)


def strokes_of(layer: HintLayer) -> list[set[tuple[int, int]]]:
    groups: dict[object, set[tuple[int, int]]] = {}
    for i, hint in enumerate(layer.hints):
        groups.setdefault(hint.stroke if hint.stroke is not None else ("own", i), set()).add((hint.x, hint.y))
    return list(groups.values())


def test_a_drag_makes_one_stroke_of_many_dabs_and_the_status_bar_counts_strokes(win, sketch):
    open_and_paint_two_strokes(win, sketch)
    layer = win.document.hints
    assert len(layer) > 10 and count_strokes(layer) == 3
    assert all(h.stroke is not None for h in layer.hints)
    red = [h for h in layer.hints if h.color == (220, 40, 40)]
    assert len({h.stroke for h in red}) == 1 and len(red) > 5
    assert win.status_hints.text() == f"3 strokes ({len(layer)} dabs) · 2 colours"
    win.act["undo"].trigger()  # the click, then a whole drag, one step each
    assert count_strokes(win.document.hints) == 2
    win.act["undo"].trigger()
    assert win.document.hints.hints == tuple(red)
    assert win.status_hints.text() == f"1 stroke ({len(red)} dabs) · 1 colour"


def test_the_move_tool_moves_every_dab_of_the_stroke_under_the_pointer_in_one_step(win, sketch):
    open_and_paint_two_strokes(win, sketch)
    before = win.document.hints.hints
    red = [i for i, h in enumerate(before) if h.color == (220, 40, 40)]
    win.set_tool(Tool.MOVE)
    drag(win, (20.5, 10.5), (25.5, 17.5))  # held in its middle: 5 right, 7 down
    after = win.document.hints.hints
    for i, (old, new) in enumerate(zip(before, after, strict=True)):
        expected = (old.x + 5, old.y + 7) if i in red else (old.x, old.y)
        assert (new.x, new.y) == expected and new.color == old.color and new.stroke == old.stroke
    assert win.document.undo_stack.undoText() == "Move stroke"
    win.act["undo"].trigger()
    assert [(h.x, h.y) for h in win.document.hints.hints] == [(h.x, h.y) for h in before]


def test_a_moved_stroke_keeps_its_shape_at_the_picture_edge(win, sketch):
    open_and_paint_two_strokes(win, sketch)
    before = win.document.hints
    red = [h for h in before.hints if h.color == (220, 40, 40)]
    win.set_tool(Tool.MOVE)
    drag(win, (20.5, 10.5), (20.5, -30.5))  # far above the picture: held at the top edge
    moved = [h for h in win.document.hints.hints if h.color == (220, 40, 40)]
    assert min(h.y for h in moved) == 0
    assert {(h.x - o.x, h.y - o.y) for h, o in zip(moved, red, strict=True)} == {(0, -min(h.y for h in red))}


def test_an_eraser_click_removes_the_whole_stroke_and_undo_restores_it(win, sketch):
    open_and_paint_two_strokes(win, sketch)
    before = win.document.hints.hints
    win.set_tool(Tool.ERASER)
    click(win, 30.5, 10.5)  # one end of the red stroke
    after = win.document.hints.hints
    assert {h.color for h in after} == {(40, 40, 220)} and count_strokes(win.document.hints) == 2
    assert win.document.undo_stack.undoText() == "Erase stroke"
    win.act["undo"].trigger()
    assert win.document.hints.hints == before
    assert [h.stroke for h in win.document.hints.hints] == [h.stroke for h in before]


def test_an_eraser_drag_erases_only_what_it_touches(win, sketch):
    open_and_paint_two_strokes(win, sketch)
    red = [h for h in win.document.hints.hints if h.color == (220, 40, 40)]
    win.set_tool(Tool.ERASER)
    drag(win, (20.5, 2.5), (20.5, 20.5))  # across the middle of the red stroke
    left = [h for h in win.document.hints.hints if h.color == (220, 40, 40)]
    assert 0 < len(left) < len(red)
    assert all(h.x + h.size <= 19 or h.x >= 22 for h in left)  # cut in two, the ends kept
    win.act["undo"].trigger()
    assert len(win.document.hints) > len(red)


def test_right_click_recolours_a_stroke_in_one_step(win, sketch):
    open_and_paint_two_strokes(win, sketch)
    before = win.document.hints.hints
    win.colours.set_colour(QColor(30, 170, 60))
    menu = win.strokes.stroke_menu(QPointF(20.5, 10.5))
    assert menu is not None
    [recolour] = [a for a in menu.actions() if a.text().startswith("Recolour Stroke")]
    recolour.trigger()
    after = win.document.hints.hints
    for old, new in zip(before, after, strict=True):
        assert new.color == ((30, 170, 60) if old.color == (220, 40, 40) else old.color)
        assert (new.x, new.y, new.stroke) == (old.x, old.y, old.stroke)
    assert win.document.undo_stack.undoText() == "Recolour stroke"
    win.act["undo"].trigger()
    assert [h.color for h in win.document.hints.hints] == [h.color for h in before]
    assert win.strokes.stroke_menu(QPointF(60.5, 50.5)) is None  # no stroke there: no menu


def test_a_project_keeps_its_strokes_and_new_strokes_take_new_ids(win, sketch, tmp_path):
    open_and_paint_two_strokes(win, sketch)
    layer = win.document.hints
    path = tmp_path / "page.linetint"
    assert win.files.save_to(path)
    assert win.open_path(path).wait()
    reopened = win.document.hints
    assert [h.stroke for h in reopened.hints] == [h.stroke for h in layer.hints]
    assert strokes_of(reopened) == strokes_of(layer)
    click(win, 60.5, 50.5)  # a new stroke never joins a stored one
    assert count_strokes(win.document.hints) == 4


def test_hint_json_without_stroke_ids_loads_each_hint_as_its_own_stroke(win, sketch, tmp_path):
    old = {
        "format": "linetint-hints",
        "version": 1,
        "width": 80,
        "height": 60,
        "hints": [
            {"x": 5, "y": 5, "size": 3, "color": "#ff0000"},
            {"x": 6, "y": 5, "size": 3, "color": "#ff0000"},
            {"x": 40, "y": 40, "size": 2, "color": "#00ff00", "stroke": "long"},  # not an id: dropped
        ],
    }
    (tmp_path / "old.json").write_text(json.dumps(old))
    win.open_path(sketch).wait()
    assert win.import_hints(tmp_path / "old.json")
    layer = win.document.hints
    assert [h.stroke for h in layer.hints] == [None, None, None] and count_strokes(layer) == 3
    assert win.status_hints.text() == "3 strokes (3 dabs) · 2 colours"
    win.canvas.set_zoom(8)
    win.set_tool(Tool.MOVE)
    drag(win, (7.5, 6.5), (7.5, 16.5))  # over both dabs: the topmost moves, alone
    assert [(h.x, h.y) for h in win.document.hints.hints] == [(5, 5), (6, 15), (40, 40)]


def test_hint_json_round_trips_stroke_ids_and_equality_ignores_them():
    layer = HintLayer(
        20, 10, (Hint(1, 1, 2, (9, 9, 9), 4), Hint(2, 1, 2, (9, 9, 9), 4), Hint(5, 5, 1, (1, 2, 3)))
    )
    text = layer_to_json(layer)
    assert '"stroke": 4' in text and text.count('"stroke"') == 2
    again = layer_from_json(text)
    assert [h.stroke for h in again.hints] == [4, 4, None] and again == layer
    assert Hint(1, 1, 2, (9, 9, 9), 4) == Hint(1, 1, 2, (9, 9, 9))  # the id groups, it does not paint
    assert stroke_indices(again, 1) == [0, 1] and stroke_indices(again, 2) == [2]
    assert [h.stroke for h in again.scaled_to(40, 20).hints] == [4, 4, None]


def test_a_png_hint_layer_imports_each_connected_area_of_one_colour_as_one_stroke(tmp_path):
    rgba = np.zeros((30, 40, 4), np.uint8)
    rgba[2:20, 2:5] = (255, 0, 0, 255)  # a tall red bar: several squares
    rgba[2:5, 5:30] = (255, 0, 0, 255)  # joined to a long red bar
    rgba[10:14, 20:24] = (255, 0, 0, 255)  # a separate red dot
    rgba[2:5, 30:38] = (0, 0, 255, 255)  # a blue bar touching the red one: another colour, another stroke
    Image.fromarray(rgba, "RGBA").save(tmp_path / "layer.png")
    layer = load_hints(tmp_path / "layer.png", 40, 30)
    assert len(layer) > 4 and count_strokes(layer) == 3
    by_stroke: dict[int, set] = {}
    for hint in layer.hints:
        by_stroke.setdefault(hint.stroke, set()).add(hint.color)
    assert sorted(len(colours) for colours in by_stroke.values()) == [1, 1, 1]
    assert count_strokes(layer_from_png(Image.new("RGBA", (8, 8)), 8, 8)) == 0  # an empty layer


# --- item 5: what to do first ----------------------------------------------------------------------------


def test_a_fresh_sketch_says_what_to_do_until_the_first_hint(win, sketch):
    win.engine.modelLoaded.emit(replace(win.model_info, trained=True))  # a trained model: no stand-in note
    assert win.preview.guidance == ""  # nothing open: the canvas says how to open
    win.open_path(sketch).wait()
    guidance = win.preview.guidance
    assert "colour" in guidance and "click" in guidance.lower() and "Import" in guidance
    click(win, 10.5, 10.5)
    assert win.preview.guidance == ""
    win.act["undo"].trigger()
    assert win.preview.guidance == guidance  # no hints again: the next step again


def test_a_stand_in_model_is_named_in_the_guidance_while_it_lasts(win, sketch):
    win.open_path(sketch).wait()
    assert win.model_info is not None and not win.model_info.trained  # the tests' random network
    assert "stand-in model" in win.preview.guidance.lower()
    click(win, 10.5, 10.5)
    guidance = win.preview.guidance.lower()
    assert "stand-in model" in guidance and "click" not in guidance


def test_f1_help_tells_how_to_colour_a_page_beside_the_shortcuts(win, qtbot):
    QTest.keyClick(win, Qt.Key.Key_F1)
    qtbot.waitUntil(lambda: win.findChild(window_module.ShortcutsDialog) is not None)
    dialog = win.findChild(window_module.ShortcutsDialog)
    text = " ".join(label.text() for label in dialog.findChildren(QLabel))
    assert "How to colour a page" in text and "Import Hint Layer" in text
    assert dialog.table.rowCount() > 10  # the shortcut table is still there
    dialog.close()
