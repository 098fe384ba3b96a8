"""The window as a user drives it: clicks, drags, undo, files, exports, failures."""

import json
import time
import zipfile
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

pytest.importorskip("PySide6")

from PySide6.QtCore import QPoint, QPointF, QSettings, Qt  # noqa: E402
from PySide6.QtGui import QColor  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QPushButton, QToolButton, QWidget  # noqa: E402
from window_harness import ui_store  # noqa: E402

from linetint.app import colour_panel as colour_panel_module  # noqa: E402
from linetint.app.autosave import AutosaveStore  # noqa: E402
from linetint.app.canvas import Tool  # noqa: E402
from linetint.app.settings import AppSettings  # noqa: E402
from linetint.app.shortcuts import shortcut_rows  # noqa: E402
from linetint.app.window import MainWindow  # noqa: E402
from linetint.app.worker import PreviewEngine  # noqa: E402
from linetint.model.checkpoint import random_checkpoint  # noqa: E402
from linetint.model.colorizer import Colorizer  # noqa: E402
from linetint.model.config import preset  # noqa: E402
from linetint.model.hints import Hint, hint_rgba, load_hints  # noqa: E402
from linetint.model.images import LUMA  # noqa: E402

SAMPLES = Path(__file__).resolve().parent.parent / "resources" / "samples"


def click_image(window, x: float, y: float, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    pos = window.canvas.widget_pos(QPointF(x, y))
    QTest.mouseClick(
        window.canvas, Qt.MouseButton.LeftButton, modifier, QPoint(round(pos.x()), round(pos.y()))
    )


def drag_image(window, start: tuple[float, float], end: tuple[float, float], steps: int = 6) -> None:
    a, b = window.canvas.widget_pos(QPointF(*start)), window.canvas.widget_pos(QPointF(*end))
    QTest.mousePress(window.canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, a.toPoint())
    for t in np.linspace(0, 1, steps)[1:]:
        QTest.mouseMove(window.canvas, (a + (b - a) * t).toPoint())
    QTest.mouseRelease(window.canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, b.toPoint())


@pytest.mark.parametrize("zoom", [0.37, 1.0, 3.0, 12.5])
def test_click_lays_a_centred_patch_at_the_pixel_under_the_cursor(win, sketch, zoom):
    win.open_path(sketch).wait()
    win.canvas.set_zoom(zoom)
    win.colours.set_size(3)
    click_image(win, 40.5, 20.5)
    (hint,) = win.document.hints.hints
    # at low zoom a screen pixel covers several image pixels: the patch centre is within one of them
    tolerance = 0 if zoom >= 1 else int(1 / zoom) + 1
    assert abs(hint.x + 1 - 40) <= tolerance and abs(hint.y + 1 - 20) <= tolerance
    assert hint.size == 3 and hint.color == (224, 108, 117)
    if zoom >= 1:
        assert (hint.x, hint.y) == (39, 19)


def test_drag_lays_a_stroke_that_undoes_in_one_step(win, sketch, qtbot):
    win.open_path(sketch).wait()
    win.canvas.set_zoom(4)
    drag_image(win, (10.5, 10.5), (50.5, 40.5), steps=12)
    painted = win.document.hints.hints
    assert len(painted) > 10
    covered = hint_rgba(win.document.hints)[..., 3] > 0
    assert covered[10, 10] and covered[40, 50] and covered[25, 30]  # start, end and the middle of the line
    win.act["undo"].trigger()
    assert win.document.hints.hints == ()
    win.act["redo"].trigger()
    assert win.document.hints.hints == painted


def test_eraser_and_clear_are_undoable(win, sketch):
    win.open_path(sketch).wait()
    win.canvas.set_zoom(4)
    click_image(win, 10.5, 10.5)
    click_image(win, 50.5, 40.5)
    before = win.document.hints.hints
    win.act["eraser"].trigger()
    click_image(win, 10.5, 10.5)
    assert [(h.x, h.y) for h in win.document.hints.hints] == [(49, 39)]
    win.act["clear"].trigger()
    assert win.document.hints.hints == ()
    win.act["undo"].trigger()
    win.act["undo"].trigger()
    assert win.document.hints.hints == before


def test_eyedropper_picks_from_the_line_art_and_alt_click_picks_too(win, sketch):
    win.open_path(sketch).wait()
    win.canvas.set_zoom(4)
    win.act["eyedropper"].trigger()
    click_image(win, 5.5, 30.5)  # the black line
    assert win.colours.colour.getRgb()[:3] == (0, 0, 0)
    assert win.canvas.tool is Tool.BRUSH  # back to painting after a pick
    click_image(win, 5.5, 5.5, Qt.KeyboardModifier.AltModifier)
    assert win.colours.colour.getRgb()[:3] == (255, 255, 255)
    assert win.document.hints.hints == ()


def answer_recolour(win, colour: QColor | None) -> None:
    """Answers the open recolour dialog as a user would: the colour typed in its hex field, then OK; or
    Cancel (None). The live preview itself is tested in test_colour_selector.py."""
    dialog = win.recolouring.dialog
    if colour is None:
        dialog.reject()
        return
    dialog.selector.hex_field.setText(colour.name())
    dialog.selector.hex_field.editingFinished.emit()
    dialog.accept()


def paint_two_colours(win) -> None:
    win.canvas.set_zoom(4)
    click_image(win, 10.5, 10.5)
    click_image(win, 50.5, 40.5)
    win.colours.set_colour(QColor(20, 40, 200))
    click_image(win, 30.5, 10.5)


def test_recolour_gives_every_hint_of_the_picked_colour_a_new_one_in_one_undo_step(win, sketch):
    win.open_path(sketch).wait()
    paint_two_colours(win)
    before = win.document.hints.hints
    click_image(win, 10.5, 10.5, Qt.KeyboardModifier.AltModifier)  # take the first hint's colour
    win.act["recolour"].trigger()
    assert win.recolouring.dialog.windowTitle() == "Recolour 2 hints of #e06c75"
    answer_recolour(win, QColor(0, 200, 0))
    after = win.document.hints.hints
    assert [h.color for h in after] == [(0, 200, 0), (0, 200, 0), (20, 40, 200)]
    assert [(h.x, h.y, h.size) for h in after] == [(h.x, h.y, h.size) for h in before]
    assert win.colours.colour.getRgb()[:3] == (0, 200, 0)  # painting goes on in the new colour
    assert "Recoloured 2 hints" in win.statusBar().currentMessage()
    win.act["undo"].trigger()
    assert win.document.hints.hints == before


def test_recolour_of_a_colour_no_hint_has_says_so_and_changes_nothing(win, sketch):
    win.open_path(sketch).wait()
    paint_two_colours(win)
    win.colours.set_colour(QColor(1, 2, 3))
    steps = win.document.undo_stack.count()
    win.act["recolour"].trigger()
    assert win.recolouring.dialog is None  # no dialog
    assert "No hint has the colour #010203" in win.statusBar().currentMessage()
    assert win.document.undo_stack.count() == steps


def test_cancelling_the_recolour_dialog_changes_nothing(win, sketch):
    win.open_path(sketch).wait()
    paint_two_colours(win)
    before = win.document.hints.hints
    win.act["recolour"].trigger()
    answer_recolour(win, None)
    assert win.document.hints.hints == before


class FirstEntryMenu:
    """Stands in for QMenu: records its entries and answers as if the user chose the first."""

    entries: list[str] = []

    def __init__(self, parent):
        FirstEntryMenu.entries = []

    def addAction(self, text):  # noqa: N802 - Qt's name
        FirstEntryMenu.entries.append(text)
        return text

    def exec(self, where):
        return FirstEntryMenu.entries[0]

    def deleteLater(self):  # noqa: N802 - Qt's name
        pass


def test_right_click_on_the_brush_swatch_recolours_its_hints(win, sketch, monkeypatch):
    win.open_path(sketch).wait()
    paint_two_colours(win)  # the brush: blue
    monkeypatch.setattr(colour_panel_module, "QMenu", FirstEntryMenu)
    (swatch,) = win.colours.findChildren(QToolButton)  # the recent colours are in the Palette dock now
    swatch.customContextMenuRequested.emit(QPoint(2, 2))
    assert FirstEntryMenu.entries == ["Recolour Hints of #1428c8…"]
    answer_recolour(win, QColor(250, 250, 0))
    assert [h.color for h in win.document.hints.hints] == [(224, 108, 117), (224, 108, 117), (250, 250, 0)]


def test_the_preview_shows_what_the_zoomed_canvas_shows_and_picks_colours_there(win, sketch, qtbot):
    win.open_path(sketch).wait()  # 80 x 60
    qtbot.waitUntil(lambda: win.preview.rgb is not None, timeout=10000)
    ys, xs = np.mgrid[0:30, 0:40]
    result = np.stack([xs * 6, ys * 8, np.zeros_like(xs)], axis=-1).astype(np.uint8)  # half the art's size
    win.preview.set_result(result)
    assert win.preview.view is None  # the whole picture fits the canvas
    # zoomed in far enough that the picture overflows the canvas both ways, docks beside it or not
    win.canvas.set_zoom(12, anchor=win.canvas.widget_pos(QPointF(60, 15)))
    view = win.preview.view
    assert view is not None and view.contains(QPointF(60 / 80, 15 / 60))
    assert view.width() == pytest.approx(min(1.0, win.canvas.width() / (12 * 80)), abs=0.02)
    middle = win.canvas.image_pos(QPointF(win.canvas.width() / 2, win.canvas.height() / 2))
    picked = win.preview.pixel_at(QPointF(win.preview.width() / 2, win.preview.height() / 2))
    assert abs(picked.red() - middle.x() / 2 * 6) <= 6 and abs(picked.green() - middle.y() / 2 * 8) <= 8
    win.canvas.pan_by(-40, 0)
    assert win.preview.view.x() > view.x()  # panning right moves the preview along
    win.act["follow_canvas"].trigger()
    assert win.preview.view is None
    win.act["follow_canvas"].trigger()
    assert win.preview.view is not None
    win.canvas.fit()
    assert win.preview.view is None


@pytest.fixture
def photo_file(tmp_path) -> Path:
    """A photographed sketch: one dark-grey line on grey paper that brightens to the right."""
    grey = np.tile(np.linspace(150, 220, 80), (60, 1))
    grey[30, :] *= 0.4  # lit like the paper around it
    Image.fromarray(grey.astype(np.uint8)).save(tmp_path / "photo.png")
    return tmp_path / "photo.png"


def canvas_grey_at(window, x: float, y: float) -> int:
    pos = window.canvas.widget_pos(QPointF(x, y)).toPoint()
    return window.canvas.grab().toImage().pixelColor(pos).red()


def test_clean_up_line_art_previews_on_the_canvas_and_is_one_undo_step(win, photo_file, qtbot):
    win.open_path(photo_file).wait()
    click_image(win, 10.5, 10.5)
    hints, original = win.document.hints, win.document.lineart
    assert canvas_grey_at(win, 5.5, 10.5) < 170  # grey paper on the left
    dialog = win.clean_up_dialog()
    with qtbot.waitSignal(dialog.previewChanged, timeout=2000):
        next(b for b in dialog.findChildren(QPushButton) if b.text() == "&Auto").click()
    assert canvas_grey_at(win, 5.5, 10.5) == 255  # the trial shows at once, before OK
    assert win.document.lineart is original  # but the document is untouched until then
    dialog.accept()
    cleaned = win.document.lineart
    assert cleaned[10, 5] == 255 and cleaned[10, 75] == 255 and cleaned[30, 40] < 40
    assert win.document.hints == hints and win.document.undo_stack.undoText() == "Clean up line art"
    win.act["undo"].trigger()
    assert np.array_equal(win.document.lineart, original) and win.document.hints == hints


def test_cancelling_clean_up_puts_the_line_art_back_and_keeps_the_colour_under_it(win, photo_file, qtbot):
    win.open_path(photo_file).wait()
    win.act["flats"].trigger()
    qtbot.waitUntil(lambda: win.canvas.preview_rgb is not None and win.engine.up_to_date, timeout=10000)
    under = win.canvas.preview_rgb  # flat colours, which the document does not keep
    steps = win.document.undo_stack.count()
    dialog = win.clean_up_dialog()
    with qtbot.waitSignal(dialog.previewChanged, timeout=2000):
        dialog.white.setValue(150)
    assert canvas_grey_at(win, 5.5, 10.5) == 255
    dialog.reject()
    assert canvas_grey_at(win, 5.5, 10.5) < 170
    assert win.document.undo_stack.count() == steps and win.canvas.preview_rgb is under


def test_a_white_hint_on_white_paper_shows_by_its_dark_rim(win, sketch):
    win.open_path(sketch).wait()
    win.canvas.set_zoom(4)
    win.colours.set_colour(QColor(255, 255, 255))
    win.colours.set_size(3)
    click_image(win, 10.5, 10.5)  # the patch covers image pixels 9-11
    image = win.canvas.grab().toImage()
    left = win.canvas.widget_pos(QPointF(9, 10.5)).toPoint()
    assert image.pixelColor(left + QPoint(2, 0)).red() == 255  # inside: the hint's own white
    assert image.pixelColor(left - QPoint(1, 0)).red() < 120  # the screen pixel just outside: dark
    assert image.pixelColor(left - QPoint(4, 0)).red() == 255  # further out: the paper
    win.act["show_hints"].trigger()
    assert win.canvas.grab().toImage().pixelColor(left - QPoint(1, 0)).red() == 255


def test_the_move_tool_drags_the_hint_under_the_pointer_in_one_undo_step(win, sketch):
    win.open_path(sketch).wait()
    win.canvas.set_zoom(4)
    win.colours.set_size(3)
    click_image(win, 10.5, 10.5)  # hint 0 covers 9-11
    click_image(win, 40.5, 20.5)
    before = win.document.hints.hints
    QTest.keyClick(win.canvas, Qt.Key.Key_M)
    assert win.canvas.tool is Tool.MOVE and win.act["move"].isChecked()
    drag_image(win, (11.5, 9.5), (31.5, 24.5))  # held by its corner, moved 20 right, 15 down
    moved = win.document.hints.hints
    assert (moved[0].x, moved[0].y) == (29, 24) and moved[0].color == before[0].color
    assert moved[1] == before[1]
    win.act["undo"].trigger()
    assert win.document.hints.hints == before


def test_the_move_tool_leaves_hidden_hints_alone(win, sketch):
    win.open_path(sketch).wait()
    win.canvas.set_zoom(4)
    click_image(win, 10.5, 10.5)
    before = win.document.hints
    win.act["show_hints"].trigger()  # hidden
    win.act["move"].trigger()
    drag_image(win, (10.5, 10.5), (30.5, 20.5))
    assert win.document.hints == before and "hidden" in win.statusBar().currentMessage()


def test_the_move_tool_on_empty_paper_says_so_and_changes_nothing(win, sketch):
    win.open_path(sketch).wait()
    win.canvas.set_zoom(4)
    click_image(win, 10.5, 10.5)
    steps = win.document.undo_stack.count()
    win.act["move"].trigger()
    drag_image(win, (50.5, 50.5), (60.5, 55.5))
    assert win.document.undo_stack.count() == steps
    assert "No hint here" in win.statusBar().currentMessage()


def test_flat_colours_give_each_area_of_the_preview_one_colour(win, sketch, qtbot):
    win.open_path(sketch).wait()  # one line across: two areas, above and below
    qtbot.waitUntil(lambda: win.preview.rgb is not None, timeout=10000)
    raw = win.preview.rgb
    assert len(np.unique(raw[5:25, 5:75].reshape(-1, 3), axis=0)) > 1  # the (random) network's colours
    QTest.keyClick(win.canvas, Qt.Key.Key_F)
    qtbot.waitUntil(lambda: win.preview.rgb is not raw, timeout=10000)
    qtbot.waitUntil(lambda: win.engine.up_to_date, timeout=10000)
    flat = win.preview.rgb
    assert len(np.unique(flat[5:25, 5:75].reshape(-1, 3), axis=0)) == 1
    assert len(np.unique(flat[35:55, 5:75].reshape(-1, 3), axis=0)) == 1
    assert (flat[30] == 0).all()  # the line art drawn over the flat colours, as on export
    assert not np.array_equal(win.document.last_result, flat)  # the project keeps the network's output
    win.act["preview_under"].trigger()
    click_image(win, 40.5, 10.5, Qt.KeyboardModifier.AltModifier)  # pick under the lines: the flat colour
    assert win.colours.colour.getRgb()[:3] == tuple(int(c) for c in flat[10, 40])


@pytest.fixture
def box_file(tmp_path) -> Path:
    """A closed box on the left of the page; the rest of the paper is one more area."""
    grey = np.full((60, 80), 255, np.uint8)
    grey[5, 5:41] = grey[54, 5:41] = 0
    grey[5:55, 5] = grey[5:55, 40] = 0
    Image.fromarray(grey).save(tmp_path / "box.png")
    return tmp_path / "box.png"


RED = (200, 40, 40)


def preview_at(window, x: int, y: int) -> tuple[int, ...]:
    shown = window.preview.rgb  # at the working size
    return tuple(int(c) for c in shown[y * shown.shape[0] // 60, x * shown.shape[1] // 80])


def fresh_preview(window, qtbot) -> None:
    before = window.preview.rgb
    qtbot.waitUntil(lambda: window.preview.rgb is not before and window.engine.up_to_date, timeout=10000)


def test_keep_hint_colours_shows_the_hint_colour_in_a_hinted_shape_and_paper_where_unhinted(
    win, box_file, qtbot
):
    assert win.act["keep_hints"].isChecked() and win.act["unhinted_tint"].isChecked()  # on by default
    win.open_path(box_file).wait()
    qtbot.waitUntil(lambda: win.preview.rgb is not None and win.engine.up_to_date, timeout=10000)
    win.document.paint([Hint(20, 30, 6, RED)])
    fresh_preview(win, qtbot)
    assert preview_at(win, 20, 30) == RED  # the hint's colour exactly, where the hint is
    network = preview_at(win, 60, 30)
    assert "Hint colours kept" in win.status_modes.text()
    QTest.keyClick(win.canvas, Qt.Key.Key_K)  # off: the network's own colours
    fresh_preview(win, qtbot)
    assert np.abs(np.subtract(preview_at(win, 20, 30), RED)).max() > 2
    assert "Hint colours" not in win.status_modes.text()
    assert not win.unhinted_menu.isEnabled()  # paper or network matters only with kept colours
    win.act["keep_hints"].trigger()
    win.act["unhinted_paper"].trigger()
    fresh_preview(win, qtbot)
    assert preview_at(win, 60, 30) == (255, 255, 255) != network  # unhinted paper stays white
    assert preview_at(win, 20, 30) == RED
    assert "unhinted areas paper" in win.status_modes.text()
    win.act["unhinted_network"].trigger()
    fresh_preview(win, qtbot)
    full = np.array(preview_at(win, 60, 30))
    assert "unhinted areas in full network colour" in win.status_modes.text()
    # the default showed the same colour as a pale tint: half as far from white
    assert np.abs((255 - np.array(network)) - (255 - full) / 2).max() <= 1 and (255 - full).max() > 8


def export_png_psd_and_copy(win, stem, qtbot) -> None:
    """Export STEM.png and STEM.psd and copy the image, as a user would one after another; wait for all."""
    win.export(stem.with_suffix(".png"), "png", multiply_lines=True)
    win.export(stem.with_suffix(".psd"), "psd")
    win.exports.copy_image()
    qtbot.waitUntil(
        lambda: stem.with_suffix(".psd").exists() and win.exports.exporter.pending == 0, timeout=20000
    )


def test_exports_and_copy_image_keep_the_hint_colours_as_the_preview_does(win, box_file, tmp_path, qtbot):
    from PySide6.QtGui import QGuiApplication

    win.open_path(box_file).wait()
    win.document.paint([Hint(20, 30, 6, RED)])
    export_png_psd_and_copy(win, tmp_path / "kept", qtbot)
    png = np.asarray(Image.open(tmp_path / "kept.png").convert("RGB"))
    assert tuple(png[30, 20]) == RED
    with Image.open(tmp_path / "kept.psd") as psd:
        assert [layer[0] for layer in psd.layers] == ["Colour", "Hint colours", "Line art", "Hints"]
        assert np.array_equal(np.asarray(psd.convert("RGB")), png)
    assert QGuiApplication.clipboard().image().pixelColor(20, 30).getRgb()[:3] == RED


def test_the_hint_colour_choice_goes_with_a_project_and_survives_a_restart(
    qtbot, tmp_path, messages, box_file
):
    tiny = Colorizer(random_checkpoint(preset("tiny")), "cpu")
    settings = AppSettings(device="cpu", preview_max_side=512)

    def start():
        window = MainWindow(settings, PreviewEngine(loader=lambda c: tiny), None, ui_store(tmp_path))
        qtbot.addWidget(window)
        return window

    first = start()
    assert first.open_path(box_file).wait()
    first.act["unhinted_paper"].trigger()
    assert first.files.save_to(tmp_path / "paper.linetint")  # saved with unhinted paper
    first.act["keep_hints"].trigger()
    first.act["unhinted_network"].trigger()
    assert first.open_path(tmp_path / "paper.linetint").wait()  # the project brings its own choice back
    assert first.act["keep_hints"].isChecked() and first.act["unhinted_paper"].isChecked()
    first.act["keep_hints"].trigger()
    assert first.open_path(box_file).wait()  # a picture takes the window's choice
    assert not first.act["keep_hints"].isChecked() and first.act["unhinted_paper"].isChecked()
    first.close()
    second = start()
    assert not second.act["keep_hints"].isChecked() and second.act["unhinted_paper"].isChecked()
    assert second.status_modes.text() == ""  # nothing that changes exports is on
    second.close()


def test_hints_from_a_colour_picture_replace_the_hints_in_one_undo_step(win, sketch, tmp_path, messages):
    win.open_path(sketch).wait()  # 80 x 60, one line across at y = 30
    click_image(win, 10.5, 10.5)
    before = win.document.hints
    picture = np.zeros((60, 80, 3), np.uint8)
    picture[:30], picture[30:] = (220, 30, 30), (30, 30, 220)
    Image.fromarray(picture).save(tmp_path / "rough.png")
    assert win.files.hints_from_picture(tmp_path / "rough.png").wait()
    hints = win.document.hints.hints
    assert {h.color for h in hints if h.y + h.size <= 30} == {(220, 30, 30)}
    assert {h.color for h in hints if h.y > 30} == {(30, 30, 220)}
    assert win.document.undo_stack.undoText() == "Hints from a colour picture"
    assert win.status_hints.text() == f"{len(hints)} strokes ({len(hints)} dabs) · 2 colours"
    win.act["undo"].trigger()
    assert win.document.hints == before and win.status_hints.text() == "1 stroke (1 dab) · 1 colour"
    Image.fromarray(picture.transpose(1, 0, 2).copy()).save(tmp_path / "other.png")  # 60 x 80
    assert not win.files.hints_from_picture(tmp_path / "other.png").wait()
    assert "not the same shape" in messages.warnings[-1] and win.document.hints == before


def shown_hints(window) -> np.ndarray:
    """The canvas's own hint picture as RGBA, to compare with the hint contract's raster."""
    import qimage2ndarray

    image = window.canvas._hints.convertToFormat(window.canvas._hints.Format.Format_ARGB32)
    return np.dstack([qimage2ndarray.rgb_view(image), qimage2ndarray.alpha_view(image)])


def test_the_canvas_shows_exactly_the_hint_layer_through_strokes_erasing_undo_and_import(win, sketch):
    win.open_path(sketch).wait()
    win.canvas.set_zoom(4)
    steps = [
        lambda: drag_image(win, (5.5, 5.5), (40.5, 25.5)),  # a stroke: drawn hint by hint
        lambda: win.colours.set_colour(QColor(250, 250, 250)),
        lambda: click_image(win, 20.5, 15.5),  # over the stroke: the later hint wins
        lambda: (win.act["eraser"].trigger(), click_image(win, 10.5, 8.5)),
        lambda: win.act["undo"].trigger(),
        lambda: win.act["undo"].trigger(),
        lambda: win.act["redo"].trigger(),
        lambda: win.act["clear"].trigger(),
        lambda: win.act["undo"].trigger(),
    ]
    for step in steps:
        step()
        assert np.array_equal(shown_hints(win), hint_rgba(win.document.hints))


def test_a_big_page_previews_at_the_working_size_and_picks_under_its_lines(win, tmp_path, qtbot):
    Image.fromarray(np.full((800, 1200), 255, np.uint8)).save(tmp_path / "page.png")
    win.open_path(tmp_path / "page.png").wait()
    qtbot.waitUntil(lambda: win.preview.rgb is not None and win.engine.up_to_date, timeout=10000)
    small = win.preview.rgb
    assert small.shape == (341, 512, 3)  # the preview size of the settings, not 1200 x 800
    win.act["preview_under"].trigger()
    click_image(win, 900.5, 600.5, Qt.KeyboardModifier.AltModifier)
    expected = small[600 * 341 // 800, 900 * 512 // 1200]
    assert win.colours.colour.getRgb()[:3] == tuple(int(c) for c in expected)


def test_an_opened_picture_puts_its_hint_colours_first_in_the_recent_row(win, sketch, tmp_path):
    win.open_path(sketch).wait()
    red, blue = (200, 30, 30), (30, 30, 200)
    win.document.paint([Hint(1, 1, 2, blue), Hint(5, 5, 2, red), Hint(9, 9, 2, red), Hint(20, 5, 2, red)])
    win.document.save(tmp_path / "work.linetint")
    win.colours.set_recent([QColor(1, 2, 3)])
    win.open_path(tmp_path / "work.linetint").wait()
    assert [c.getRgb()[:3] for c in win.colours.recent] == [red, blue, (1, 2, 3)]  # most used first


def test_a_colour_picture_opens_as_its_lines_with_hints_in_its_colours(win, tmp_path, messages):
    picture = np.full((60, 100, 3), 255, np.uint8)
    picture[8:52, 8:48], picture[8:52, 52:92] = (220, 40, 40), (40, 40, 220)
    picture[[6, 7, 52, 53], 6:94] = 0  # inked outlines, two px wide
    picture[6:54, [6, 7, 48, 49, 50, 51, 92, 93]] = 0
    Image.fromarray(picture).save(tmp_path / "finished.png")
    assert win.files.open_colour_picture(tmp_path / "finished.png").wait()
    lines = win.document.lineart
    assert lines[30, 49] < 100 and lines[30, 28] > 200 and lines[30, 72] > 200  # ink is line, fills paper
    colours = {h.color for h in win.document.hints.hints}
    assert (220, 40, 40) in colours and (40, 40, 220) in colours
    assert win.windowTitle().startswith("finished (lines).png")
    (tmp_path / "broken.png").write_bytes(b"not a picture")
    assert not win.files.open_colour_picture(tmp_path / "broken.png").wait()
    assert "cannot open" in messages.warnings[-1] and win.document.lineart is lines


def test_a_recoloured_picture_shows_and_exports_with_its_own_light_and_shade(win, tmp_path, qtbot):
    from PySide6.QtGui import QGuiApplication

    picture = np.full((60, 100, 3), 255, np.uint8)  # white paper, no ink lines
    picture[34:50, :] = (30, 40, 140)  # a dark blue band painted across
    picture[8:24, 12:44] = (240, 170, 110)
    Image.fromarray(picture).save(tmp_path / "painting.png")
    grey = np.asarray(Image.fromarray(picture).convert("L"))
    assert win.files.open_colour_picture(tmp_path / "painting.png").wait()
    assert np.array_equal(win.document.shading, grey)
    assert "light and shade" in win.statusBar().currentMessage()
    qtbot.waitUntil(lambda: win.preview.rgb is not None and win.engine.up_to_date, timeout=10000)
    shown = win.preview.rgb  # the picture fits the preview size: no shrinking
    assert np.abs(shown @ LUMA - grey).max() <= 2  # the band stays as dark as painted
    assert (shown[:30, 60:] == 255).all()  # and the paper white, whatever the (random) network paints
    # Under the line art, the canvas shows that picture as it is: the band's edge, an XDoG line, keeps
    # the band's lightness instead of going black under the multiplied line.
    win.act["preview_under"].trigger()
    assert win.document.lineart[35, 50] == 0 and grey[35, 50] == 48
    pos = win.canvas.widget_pos(QPointF(50.5, 35.5)).toPoint()
    seen = win.canvas.grab().toImage().pixelColor(pos).getRgb()[:3]
    assert abs(np.dot(seen, LUMA) - 48) <= 3
    export_png_psd_and_copy(win, tmp_path / "new", qtbot)
    exported = np.asarray(Image.open(tmp_path / "new.png").convert("RGB"))
    assert np.abs(exported @ LUMA - grey).max() <= 2 and (exported[:30, 60:] == 255).all()
    copied = QGuiApplication.clipboard().image()
    assert copied.pixelColor(50, 35).getRgb()[:3] == tuple(exported[35, 50])  # Copy Image: the same
    with Image.open(tmp_path / "new.psd") as psd:
        assert [layer[0] for layer in psd.layers][0] == "Shading"  # the bottom layer
        assert np.array_equal(np.asarray(psd.convert("RGB")), exported)


def test_opening_a_colour_picture_or_a_grey_photo_says_what_would_help(win, sketch, photo_file, tmp_path):
    picture = np.zeros((60, 80, 3), np.uint8)
    picture[:, :40], picture[:, 40:] = (220, 60, 40), (40, 90, 220)
    Image.fromarray(picture).save(tmp_path / "colour.png")
    win.open_path(tmp_path / "colour.png").wait()
    assert "colour picture" in win.advice.text  # over the canvas until acted on or dismissed
    win.open_path(photo_file).wait()
    assert "Clean Up Line Art" in win.advice.text
    win.open_path(sketch).wait()
    assert win.advice.text == ""


def test_a_long_random_session_of_every_tool_keeps_the_canvas_and_the_document_in_step(
    win, sketch, tmp_path, qtbot, monkeypatch
):
    """Tools, toggles, undo and exports in a random (seeded) order: no exception reaches the event loop,
    the canvas always shows exactly the document's hints, and every export is written."""
    win.open_path(sketch).wait()
    win.canvas.set_zoom(4)
    rng = np.random.default_rng(7)
    point = lambda: (float(rng.uniform(1, 79)), float(rng.uniform(1, 59)))  # noqa: E731
    exports = []

    def export():
        exports.append(tmp_path / f"e{len(exports)}.png")
        win.export(exports[-1], "png")

    steps = [
        lambda: (win.set_tool(Tool.BRUSH), drag_image(win, point(), point())),
        lambda: (win.set_tool(Tool.BRUSH), click_image(win, *point())),
        lambda: (win.set_tool(Tool.ERASER), drag_image(win, point(), point())),
        lambda: (win.set_tool(Tool.MOVE), drag_image(win, point(), point())),
        lambda: win.colours.set_colour(QColor(*(int(c) for c in rng.integers(0, 256, 3)))),
        lambda: win.recolour_hints_dialog() and answer_recolour(win, QColor(30, 160, 90)),
        lambda: (dialog := win.recolour_hints_dialog()) and dialog.reject(),
        lambda: win.act["undo"].trigger(),
        lambda: win.act["redo"].trigger(),
        lambda: win.act["flats"].trigger(),
        lambda: win.act["show_hints"].trigger(),
        lambda: win.act["preview_under"].trigger(),
        lambda: win.canvas.set_zoom(
            float(rng.choice([0.5, 1, 4, 9])), win.canvas.widget_pos(QPointF(*point()))
        ),
        lambda: win.clean_up_dialog().reject(),
        export,
    ]
    for _ in range(120):
        steps[int(rng.integers(len(steps)))]()
        assert np.array_equal(shown_hints(win), hint_rgba(win.document.hints))
    qtbot.waitUntil(lambda: all(path.exists() for path in exports), timeout=30000)


def test_brush_size_shortcuts(win, sketch):
    win.open_path(sketch).wait()
    win.colours.set_size(3)
    QTest.keyClick(win.canvas, Qt.Key.Key_BracketRight)
    QTest.keyClick(win.canvas, Qt.Key.Key_BracketRight)
    assert win.colours.brush_size == 5
    for _ in range(10):
        QTest.keyClick(win.canvas, Qt.Key.Key_BracketLeft)
    assert win.colours.brush_size == 1


def test_preview_arrives_after_an_edit_and_rapid_edits_coalesce(win, sketch, qtbot):
    win.act["keep_hints"].trigger()  # the network's own answer, hint colours not kept
    win.open_path(sketch).wait()
    qtbot.waitUntil(lambda: win.engine.up_to_date and win.preview.rgb is not None, timeout=10000)
    runs_before = win.engine.worker.runs
    for i in range(50):
        win.document.paint([Hint(i, 5, 1, (i, 0, 0))])
    qtbot.waitUntil(lambda: win.engine.up_to_date, timeout=20000)
    assert win.engine.worker.runs - runs_before <= 5
    # what is on screen is the model's answer to the last edit, not to an earlier one
    colorizer = win.engine.worker._colorizer
    expected = colorizer.colorize(win.document.lineart, win.document.hints, 512)
    np.testing.assert_array_equal(win.preview.rgb, expected)
    np.testing.assert_array_equal(win.document.last_result, expected)


def test_save_and_reopen_gives_the_same_work(win, sketch, tmp_path, qtbot):
    win.open_path(sketch).wait()
    win.document.paint([Hint(3, 4, 5, (10, 200, 30)), Hint(70, 50, 8, (1, 2, 3))])
    assert win.windowTitle().startswith("sketch.png*")
    project = tmp_path / "work.linetint"
    assert win.files.save_to(project)
    assert "*" not in win.windowTitle()
    hints, lineart = win.document.hints, win.document.lineart.copy()
    win.open_path(project).wait()
    assert win.document.hints == hints
    np.testing.assert_array_equal(win.document.lineart, lineart)


def test_unreadable_file_leaves_the_document_as_it_was(win, sketch, tmp_path, messages):
    win.open_path(sketch).wait()
    win.document.paint([Hint(1, 1, 2, (5, 5, 5))])
    document = win.document
    (tmp_path / "broken.png").write_bytes(b"\x89PNG not really")
    (tmp_path / "broken.linetint").write_bytes(b"PK\x03\x04 truncated")
    messages.answer = messages.StandardButton.Discard
    assert not win.open_path(tmp_path / "broken.png").wait()
    assert not win.open_path(tmp_path / "broken.linetint").wait()
    assert win.document is document and len(document.hints) == 1
    assert len(messages.warnings) == 2 and "broken.png" in messages.warnings[0]


def test_cancel_on_unsaved_changes_keeps_the_document(win, sketch, messages):
    win.open_path(sketch).wait()
    win.document.paint([Hint(1, 1, 2, (5, 5, 5))])
    document = win.document
    messages.answer = messages.StandardButton.Cancel
    assert not win.open_path(sketch).wait()
    assert win.document is document


def test_real_hint_layer_imports_and_is_one_undo_step(win):
    win.open_path(SAMPLES / "girl-lineart.png").wait()
    assert win.import_hints(SAMPLES / "girl-hints.png")
    expected = load_hints(SAMPLES / "girl-hints.png", win.document.width, win.document.height)
    assert win.document.hints == expected and len(expected) > 100
    most_used = Counter(h.color for h in expected.hints).most_common(1)[0][0]
    assert win.colours.recent[0].getRgb()[:3] == most_used  # its palette, at hand in the recent row
    win.act["undo"].trigger()
    assert len(win.document.hints) == 0


def test_bad_hint_file_is_reported_and_hints_stay(win, sketch, tmp_path, messages):
    win.open_path(sketch).wait()
    win.document.paint([Hint(1, 1, 2, (5, 5, 5))])
    (tmp_path / "bad.json").write_text(json.dumps({"format": "linetint-hints", "version": 7}))
    assert not win.import_hints(tmp_path / "bad.json")
    assert "version" in messages.warnings[-1] and len(win.document.hints) == 1


def test_a_failing_model_shows_a_message_and_keeps_the_hints(win, sketch, qtbot, messages, monkeypatch):
    win.open_path(sketch).wait()
    qtbot.waitUntil(lambda: win.engine.up_to_date, timeout=10000)
    colorizer = win.engine.worker._colorizer
    monkeypatch.setattr(colorizer, "colorize", lambda *a, **k: (_ for _ in ()).throw(RuntimeError("boom")))
    win.document.paint([Hint(2, 2, 3, (9, 9, 9))])
    qtbot.waitUntil(lambda: any("boom" in m for m in messages.warnings), timeout=10000)
    assert len(win.document.hints) == 1


def test_exports_have_the_line_arts_size(win, sketch, tmp_path, qtbot):
    win.open_path(sketch).wait()
    win.document.paint([Hint(3, 4, 5, (10, 200, 30))])
    win.export(tmp_path / "out.png", "png", multiply_lines=True)
    qtbot.waitUntil(lambda: (tmp_path / "out.png").exists(), timeout=20000)
    with Image.open(tmp_path / "out.png") as image:
        assert image.size == (80, 60)
        assert max(image.getpixel((10, 30))[:3]) < 10  # the line stays black over the colour
    win.export(tmp_path / "out.ora", "ora")
    qtbot.waitUntil(lambda: (tmp_path / "out.ora").exists(), timeout=20000)
    with zipfile.ZipFile(tmp_path / "out.ora") as archive:
        assert archive.namelist()[0] == "mimetype"
        assert b"stack" in archive.read("stack.xml")


def test_with_flat_colours_on_exports_carry_the_flats(win, sketch, tmp_path, qtbot):
    win.open_path(sketch).wait()
    win.act["flats"].trigger()
    win.export(tmp_path / "flat.png", "png", multiply_lines=True)
    win.export(tmp_path / "flat.ora", "ora")
    qtbot.waitUntil(lambda: (tmp_path / "flat.ora").exists(), timeout=20000)
    flat = np.asarray(Image.open(tmp_path / "flat.png").convert("RGB"))
    assert len(np.unique(flat[2:28, 2:78].reshape(-1, 3), axis=0)) == 1 and (flat[30] == 0).all()
    with zipfile.ZipFile(tmp_path / "flat.ora") as archive:
        assert b'name="Flat colours"' in archive.read("stack.xml")
    win.export(tmp_path / "flat.psd", "psd")
    qtbot.waitUntil(lambda: (tmp_path / "flat.psd").exists(), timeout=20000)
    with Image.open(tmp_path / "flat.psd") as psd:
        names = [layer[0] for layer in psd.layers]
        assert names == ["Colour", "Hint colours", "Flat colours", "Line art", "Hints"]
        assert np.array_equal(np.asarray(psd.convert("RGB")), flat)  # its merged picture is the export


@pytest.mark.parametrize("kind, typed, written", [("png", "out", "out.png"), ("psd", "art.psd", "art.psd"),
                                                  ("ora", "layers", "layers.ora")])  # fmt: skip
def test_export_dialogs_add_the_missing_suffix(
    win, sketch, tmp_path, qtbot, monkeypatch, kind, typed, written
):
    win.open_path(sketch).wait()
    asked = []

    def save_name(parent, title, name, name_filter):
        asked.append((title, name))
        return tmp_path / typed, name_filter

    monkeypatch.setattr(win.file_dialogs, "save_file", save_name)
    win.exports.export_dialog(kind)
    qtbot.waitUntil(lambda: (tmp_path / written).exists(), timeout=20000)
    assert asked[0][1].startswith("sketch")


def test_an_export_that_cannot_be_written_says_why(win, sketch, tmp_path, qtbot, messages):
    win.open_path(sketch).wait()
    win.export(tmp_path / "no-such-folder" / "out.psd", "psd")
    qtbot.waitUntil(lambda: bool(messages.warnings), timeout=20000)
    assert "could not write out.psd" in messages.warnings[-1]
    win.export(tmp_path / "out.psd", "psd")
    qtbot.waitUntil(lambda: "Exported out.psd" in win.statusBar().currentMessage(), timeout=20000)


def test_copy_image_puts_the_full_size_picture_with_its_lines_on_the_clipboard(win, sketch, qtbot):
    from PySide6.QtGui import QGuiApplication

    clipboard = QGuiApplication.clipboard()
    clipboard.clear()
    assert not win.act["copy_image"].isEnabled()  # nothing open
    win.open_path(sketch).wait()
    win.act["copy_image"].trigger()
    qtbot.waitUntil(lambda: not clipboard.image().isNull(), timeout=20000)
    image = clipboard.image()
    assert (image.width(), image.height()) == (80, 60)  # the line art's size, not the preview's
    assert max(image.pixelColor(10, 30).getRgb()[:3]) < 10  # the line stays black over the colour
    assert "Copied the picture (80x60)" in win.statusBar().currentMessage()


def test_autosave_writes_after_edits(win, sketch, qtbot, tmp_path):
    win.files.autosave_timer.setInterval(10)
    win.open_path(sketch).wait()
    win.document.paint([Hint(3, 4, 5, (10, 200, 30))])
    qtbot.waitUntil(lambda: any((tmp_path / "as").rglob("*.linetint")), timeout=5000)


def test_closing_right_after_an_edit_leaves_no_autosave_running(win, sketch, qtbot, tmp_path):
    win.files.autosave_timer.setInterval(200)
    win.open_path(sketch).wait()
    win.document.paint([Hint(3, 4, 5, (10, 200, 30))])
    win.close()  # "Discard": the pending autosave must not fire on the closed window's stopped thread
    qtbot.wait(400)  # an exception in the event loop here fails the test
    assert not win.isVisible() and not any((tmp_path / "as").rglob("*.linetint"))


def test_wheel_zooms_about_the_cursor_and_middle_drag_pans(win, sketch):
    win.open_path(sketch).wait()
    canvas = win.canvas
    anchor = canvas.widget_pos(QPointF(20, 20))
    under_before = canvas.image_pos(anchor)
    canvas.set_zoom(canvas.zoom * 2, anchor)
    assert canvas.image_pos(anchor) == under_before  # the pixel under the cursor stays put
    before = canvas.widget_pos(QPointF(0, 0))
    QTest.mousePress(canvas, Qt.MouseButton.MiddleButton, Qt.KeyboardModifier.NoModifier, QPoint(100, 100))
    QTest.mouseMove(canvas, QPoint(130, 90))
    QTest.mouseRelease(canvas, Qt.MouseButton.MiddleButton, Qt.KeyboardModifier.NoModifier, QPoint(130, 90))
    moved = canvas.widget_pos(QPointF(0, 0)) - before
    assert (round(moved.x()), round(moved.y())) == (30, -10)
    assert win.document.hints.hints == ()  # panning paints nothing


def test_fit_and_actual_pixels(win, sketch):
    win.open_path(sketch).wait()
    win.act["actual"].trigger()
    assert win.canvas.zoom == 1.0
    win.act["fit"].trigger()
    corner = win.canvas.widget_pos(QPointF(80, 60))
    assert 0 < corner.x() <= win.canvas.width() and 0 < corner.y() <= win.canvas.height()


def test_dropping_a_file_opens_it(win, sketch, qtbot):
    from PySide6.QtCore import QMimeData, QUrl
    from PySide6.QtGui import QDropEvent

    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(sketch))])
    event = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, mime, Qt.MouseButton.NoButton,
                       Qt.KeyboardModifier.NoModifier)  # fmt: skip
    win.dropEvent(event)
    qtbot.waitUntil(lambda: win.jobs.idle)  # read on a job
    assert win.document is not None and win.document.source_name == "sketch.png"


def test_hints_toggle_hides_them_from_the_canvas(win, sketch):
    win.open_path(sketch).wait()
    win.canvas.set_zoom(4)
    win.document.paint([Hint(10, 10, 8, (255, 0, 0))])
    spot = win.canvas.widget_pos(QPointF(14, 14)).toPoint()
    shown = win.canvas.grab().toImage().pixelColor(spot)
    win.act["show_hints"].trigger()
    hidden = win.canvas.grab().toImage().pixelColor(spot)
    assert (shown.red(), shown.green(), shown.blue()) == (255, 0, 0)
    assert (hidden.red(), hidden.green(), hidden.blue()) == (255, 255, 255)


def test_a_crashed_session_is_offered_for_recovery(win, sketch, tmp_path, messages):
    import subprocess
    import sys

    crash = (  # another LineTint autosaves, then dies without a clean exit
        "import os; from linetint.app.autosave import AutosaveStore;"
        "from linetint.app.document import Document; from linetint.model.hints import Hint;"
        f"d = Document.from_image({str(sketch)!r}); d.paint([Hint(5, 5, 4, (1, 2, 3))]);"
        f"AutosaveStore({str(tmp_path / 'as')!r}).save(d); os._exit(1)"
    )
    subprocess.run([sys.executable, "-c", crash], check=False, timeout=60)
    messages.answer = messages.StandardButton.Yes
    win.autosave = AutosaveStore(tmp_path / "as")
    win.offer_recovery()
    assert win.document is not None and win.document.hints.hints == (Hint(5, 5, 4, (1, 2, 3)),)
    assert win.document.modified


def test_settings_survive_a_restart(tmp_path):

    store = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    AppSettings(device="cpu", checkpoint="/models/x.pt", preview_max_side=1024).save(store)
    loaded = AppSettings.load(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    assert loaded == AppSettings(device="cpu", checkpoint="/models/x.pt", preview_max_side=1024)
    store.setValue("preview/max_side", "999")  # a hand-edited or foreign value falls back
    store.setValue("model/device", "tpu")
    store.sync()
    fallback = AppSettings.load(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    assert (fallback.preview_max_side, fallback.device) == (768, "auto")


def test_command_line_file_and_options_reach_the_window():
    from linetint.app.gui import parse_gui_args

    args = parse_gui_args(["sketch.png", "--hints", "h.png", "--device", "cpu"])
    assert (args.file, args.hints, args.device) == (Path("sketch.png"), Path("h.png"), "cpu")


def test_a_file_handed_over_by_the_os_opens(qapp, sketch):
    from PySide6.QtGui import QFileOpenEvent

    from linetint.app.gui import install_file_open_handler

    opened = []
    handler = install_file_open_handler(qapp, opened.append)
    try:
        qapp.sendEvent(qapp, QFileOpenEvent(str(sketch)))
    finally:
        qapp.removeEventFilter(handler)
    assert opened == [sketch]


def recent_labels(window) -> list[str]:
    return [a.text() for a in window.recent_menu.actions() if not a.isSeparator()]


def test_open_recent_lists_opened_and_saved_files_newest_first_and_reopens_them(win, tmp_path, sketch, qtbot):
    assert not win.recent_menu.isEnabled()  # nothing opened yet
    other = tmp_path / "R&D sketch.png"
    Image.fromarray(np.full((30, 40), 255, np.uint8)).save(other)
    assert win.open_path(sketch).wait() and win.open_path(other).wait()
    project = tmp_path / "work.linetint"
    assert win.files.save_to(project)
    assert recent_labels(win) == ["&1  work.linetint", "&2  R&&D sketch.png", "&3  sketch.png", "Clear Menu"]
    assert win.recent_menu.actions()[1].toolTip() == str(other)  # the full path, where names repeat
    win.recent_menu.actions()[2].trigger()
    qtbot.waitUntil(lambda: win.jobs.idle)
    assert win.document.source_name == "sketch.png"
    assert recent_labels(win)[0] == "&1  sketch.png"  # reopening moves it to the top, once
    assert len(recent_labels(win)) == 4


def test_a_recent_file_that_is_gone_says_so_and_leaves_the_menu(win, messages, sketch):
    assert win.open_path(sketch).wait()
    sketch.unlink()
    win.recent_menu.actions()[0].trigger()
    assert "sketch.png is no longer at" in messages.warnings[-1]
    assert recent_labels(win) == ["Clear Menu"] and not win.recent_menu.isEnabled()
    assert win.document.source_name == "sketch.png"  # the open document is kept


def test_recent_files_and_window_layout_survive_a_restart(qtbot, tmp_path, messages, sketch):
    tiny = Colorizer(random_checkpoint(preset("tiny")), "cpu")
    settings = AppSettings(device="cpu", preview_max_side=512)

    def start():
        window = MainWindow(settings, PreviewEngine(loader=lambda c: tiny), None, ui_store(tmp_path))
        qtbot.addWidget(window)
        window.show()
        return window

    first = start()
    first.resize(760, 520)  # inside the offscreen screen (800x600): restoring clamps to the screen
    first.splitter.setSizes([500, 200])
    assert first.open_path(sketch).wait()
    assert first.act["follow_canvas"].isChecked()  # on by default
    first.act["follow_canvas"].trigger()
    first.colours.set_size(6)
    first.colours.set_colour(QColor(10, 120, 230))
    click_image(first, 5.5, 5.5)  # painted: into the recent row
    size, sizes = first.size(), first.splitter.sizes()
    first.close()
    second = start()
    assert recent_labels(second) == ["&1  sketch.png", "Clear Menu"]
    assert second.size() == size
    assert second.splitter.sizes() == sizes
    assert not second.act["follow_canvas"].isChecked()
    assert second.colours.brush_size == 6 and second.colours.colour.name() == "#0a78e6"
    assert [c.name() for c in second.colours.recent][:1] == ["#0a78e6"]
    second.recent_menu.actions()[-1].trigger()  # Clear Menu
    assert recent_labels(second) == ["Clear Menu"]
    second.close()


def test_a_damaged_settings_file_gives_an_empty_recent_menu_and_the_default_layout(qtbot, tmp_path):
    (tmp_path / "ui.ini").write_text(
        "[recent]\nfiles=@Invalid()\n[window]\ngeometry=junk\nsplitter=42\n"
        "[brush]\nsize=huge\ncolour=not-a-colour\nrecent=@Invalid()\n"
    )
    tiny = Colorizer(random_checkpoint(preset("tiny")), "cpu")
    window = MainWindow(
        AppSettings(device="cpu"), PreviewEngine(loader=lambda c: tiny), None, ui_store(tmp_path)
    )
    qtbot.addWidget(window)
    assert recent_labels(window) == ["Clear Menu"] and window.splitter.count() == 2
    assert window.colours.brush_size == 3 and window.colours.colour.name() == "#e06c75"  # the defaults
    window.close()


def test_every_command_is_in_a_menu(win):
    def reachable(menu_actions):
        for action in menu_actions:
            yield action
            if action.menu() is not None:
                yield from reachable(action.menu().actions())

    in_menus = set(reachable(win.menuBar().actions()))
    assert [key for key, action in win.act.items() if action not in in_menus] == []


def test_the_history_panel_lists_the_edits_and_goes_back_to_one(win, sketch):
    win.open_path(sketch).wait()
    win.canvas.set_zoom(4)
    click_image(win, 10.5, 10.5)
    click_image(win, 40.5, 20.5)
    assert not win.history_dock.isVisible()
    win.act["history"].trigger()
    assert win.history_dock.isVisible()
    model = win.history.model()
    assert [model.index(row, 0).data() for row in range(model.rowCount())] == ["Opened", "Paint", "Paint"]
    win.history.setCurrentIndex(model.index(1, 0))  # a click on the first stroke
    assert len(win.document.hints) == 1


def test_keyboard_shortcuts_dialog_lists_the_real_shortcuts_of_the_menus(win):
    dialog = win.show_shortcuts()
    table = dialog.table
    rows = {table.item(r, 1).text(): table.item(r, 0).text() for r in range(table.rowCount())}
    assert rows["Export Image"] == "Ctrl+E" and rows["Brush"] == "B" and rows["Eyedropper"] == "I"
    assert rows["Redo"] == "Ctrl+Shift+Z, Ctrl+Y" and rows["Keyboard Shortcuts"] == "F1, Ctrl+/"
    assert rows["Pan"] == "Space+drag, middle drag"  # mouse gestures too
    assert "Open Recent" not in rows and "Import Hint Layer" not in rows  # only what has keys
    win.act["brush"].setShortcut("Ctrl+B")  # built from the actions, so never out of date
    assert shortcut_rows([win.act["brush"]])[0] == ("Ctrl+B", "Brush")
    dialog.close()


def test_every_action_handler_names_a_window_controller_and_a_slip_is_found_at_start(win):
    from linetint.app.actions import Actions, ActionSpec

    win.act.check_handlers(win)  # the table's paths: "files.save", "exports.export_dialog", "canvas.fit"…
    slip = Actions(QWidget(), {}, [ActionSpec("oops", "Oops", "files.sav")])
    with pytest.raises(AttributeError, match="files.sav"):
        slip.check_handlers(win)


def slow_model(win, monkeypatch, seconds: float = 0.3) -> None:
    """Every model run takes at least `seconds`: work is still pending when the test acts."""
    import time

    colorizer = win.engine.worker._colorizer
    run = colorizer.colorize

    def slow(*args, **kwargs):
        time.sleep(seconds)
        return run(*args, **kwargs)

    monkeypatch.setattr(colorizer, "colorize", slow)


def test_exports_asked_for_just_before_quitting_are_all_written(win, sketch, tmp_path, qtbot, monkeypatch):
    win.open_path(sketch).wait()
    qtbot.waitUntil(lambda: win.engine.up_to_date, timeout=10000)
    slow_model(win, monkeypatch)
    win.document.paint([Hint(3, 4, 5, (10, 200, 30))])
    win.document.undo_stack.setClean()
    outputs = [tmp_path / "a.png", tmp_path / "b.ora", tmp_path / "c.psd"]
    for path in outputs:
        win.export(path, path.suffix[1:])
    win.close()
    qtbot.waitUntil(lambda: not win.isVisible(), timeout=20000)  # it still quits, once they are written
    assert [path.exists() for path in outputs] == [True, True, True]


def test_an_export_the_model_fails_on_is_reported_once_and_does_not_hold_up_quitting(
    win, sketch, tmp_path, qtbot, messages, monkeypatch
):
    win.open_path(sketch).wait()
    qtbot.waitUntil(lambda: win.engine.up_to_date, timeout=10000)
    colorizer = win.engine.worker._colorizer
    monkeypatch.setattr(colorizer, "colorize", lambda *a, **k: (_ for _ in ()).throw(RuntimeError("boom")))
    win.export(tmp_path / "a.png", "png")
    win.close()
    qtbot.waitUntil(lambda: not win.isVisible(), timeout=20000)
    assert messages.warnings == [
        "Cannot write: LineTint could not render a.png: the model failed (RuntimeError: boom)"
    ]


def test_painting_stops_at_the_hint_limit_and_says_so(win, sketch, monkeypatch):
    from linetint.model import hints as hints_module

    monkeypatch.setattr(hints_module, "MAX_HINTS", 3)  # a page over the limit could not be reopened
    win.open_path(sketch).wait()
    assert win.document.paint([Hint(i, 1, 1, (9, 9, 9)) for i in range(5)])
    assert (
        len(win.document.hints) == 3 and "most hints LineTint keeps (3)" in win.statusBar().currentMessage()
    )
    assert not win.document.paint([Hint(9, 9, 1, (9, 9, 9))]) and len(win.document.hints) == 3


def test_a_failing_model_shows_one_dialog_per_failure_until_a_preview_succeeds(
    win, sketch, qtbot, messages, monkeypatch
):
    win.open_path(sketch).wait()
    qtbot.waitUntil(lambda: win.engine.up_to_date, timeout=10000)
    colorizer = win.engine.worker._colorizer
    works = colorizer.colorize
    monkeypatch.setattr(colorizer, "colorize", lambda *a, **k: (_ for _ in ()).throw(RuntimeError("boom")))
    for i in range(5):  # dabs far enough apart that each gets its own (failing) preview
        win.document.paint([Hint(10 + 5 * i, 10, 3, (200, 9, 9))])
        qtbot.wait(400)
    assert sum("boom" in m for m in messages.warnings) == 1 and "boom" in win.statusBar().currentMessage()
    monkeypatch.setattr(colorizer, "colorize", works)
    win.document.paint([Hint(2, 2, 3, (9, 9, 9))])
    qtbot.waitUntil(lambda: win.engine.up_to_date, timeout=10000)
    monkeypatch.setattr(colorizer, "colorize", lambda *a, **k: (_ for _ in ()).throw(RuntimeError("boom")))
    win.document.paint([Hint(9, 9, 3, (9, 9, 9))])
    qtbot.waitUntil(lambda: sum("boom" in m for m in messages.warnings) == 2, timeout=10000)


def test_closing_while_a_preview_runs_hides_the_window_at_once_and_runs_nothing_more(
    win, sketch, qtbot, monkeypatch
):
    win.open_path(sketch).wait()
    qtbot.waitUntil(lambda: win.engine.up_to_date, timeout=10000)
    colorizer = win.engine.worker._colorizer
    real, runs, shown_at_end = colorizer.colorize, [], []

    def slow(*args, **kwargs):
        runs.append(time.perf_counter())
        time.sleep(0.5)
        shown_at_end.append(win.isVisible())
        return real(*args, **kwargs)

    monkeypatch.setattr(colorizer, "colorize", slow)
    win.document.paint([Hint(2, 2, 3, (9, 9, 9))])
    qtbot.waitUntil(lambda: len(runs) == 1, timeout=10000)
    win.document.paint([Hint(20, 20, 3, (9, 90, 9))])  # waits behind the running preview
    win.document.undo_stack.setClean()
    win.close()
    assert len(runs) == 1  # the waiting preview was dropped, not run on the way out
    assert shown_at_end == [False]  # the window had gone while the last run finished
