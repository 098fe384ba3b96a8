"""The painter's workflow (issue 16): focus and shortcuts, preview clicks, advice that stays, readable hint
markers, shortcuts in tooltips and ticks in menus, Krita's modifier gestures, dialogs that start where
the work is and leave the canvas in sight."""

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

pytest.importorskip("PySide6")

from PySide6.QtCore import (  # noqa: E402
    QEvent,  # noqa: E402
    QPoint,
    QPointF,
    QRect,
    Qt,
)
from PySide6.QtGui import QColor, QWheelEvent  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import (  # noqa: E402
    QAbstractButton,
    QAbstractSpinBox,
    QApplication,
    QColorDialog,
    QComboBox,
    QLineEdit,
    QToolBar,
    QWidget,
)
from window_harness import close_window, open_window  # noqa: E402

from linetint.app import file_dialogs as file_dialogs_module  # noqa: E402
from linetint.app.canvas import RESIZE_DRAG_PX, Tool  # noqa: E402
from linetint.app.hint_markers import MIN_MARKER_PX  # noqa: E402
from linetint.app.levels_dialog import LevelsDialog  # noqa: E402
from linetint.app.status_text import short_model_name  # noqa: E402
from linetint.model.hints import Hint  # noqa: E402

NO = Qt.KeyboardModifier.NoModifier


@pytest.fixture
def win(qtbot, tmp_path, messages):
    window = open_window(qtbot, tmp_path, preview_max_side=256)
    window.activateWindow()  # focus tests need an active window
    yield window
    close_window(window)


def save_grey(path: Path, grey: np.ndarray) -> Path:
    Image.fromarray(grey).save(path)
    return path


def click_image(window, x, y, modifier=NO) -> None:
    pos = window.canvas.widget_pos(QPointF(x, y)).toPoint()
    QTest.mouseClick(window.canvas, Qt.MouseButton.LeftButton, modifier, pos)


def press(key, modifier=NO) -> None:
    """A key as the user types it: to whichever widget has the focus."""
    QTest.keyClick(QApplication.focusWidget(), key, modifier)


def toolbar_widgets(window):
    bar = window.findChild(QToolBar, "tools")
    kinds = (QAbstractSpinBox, QComboBox, QAbstractButton)
    return [w for w in bar.findChildren(QWidget) if isinstance(w, kinds) and w.isVisible() and w.isEnabled()]


# --- focus and shortcuts (item 2) ---


def test_tool_keys_brush_size_keys_and_undo_work_after_touching_any_toolbar_widget(win, sketch, monkeypatch):
    monkeypatch.setattr(QColorDialog, "getColor", lambda *args: QColor())  # a modal swatch dialog: cancelled
    win.open_path(sketch).wait()
    widgets = toolbar_widgets(win)
    assert any(isinstance(w, QAbstractSpinBox) for w in widgets)  # the brush size box is among them
    for widget in widgets:
        if isinstance(widget, QAbstractButton) and widget.defaultAction():
            continue  # an action button (Open, Undo…) takes no focus; clicking it would run the action
        win.set_tool(Tool.BRUSH)
        win.colours.set_size(3)
        click_image(win, 10.5, 10.5)
        click_image(win, 30.5, 10.5)
        hints = len(win.document.hints)
        name = f"{type(widget).__name__} {widget.toolTip()}"
        widget.setFocus()  # what a click on it does
        QTest.mouseClick(widget, Qt.MouseButton.LeftButton, NO, QPoint(4, widget.height() // 2))
        press(Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
        assert len(win.document.hints) == hints - 1, name
        if isinstance(QApplication.focusWidget(), QLineEdit):  # the swatch opens the hex field for typing:
            press(Qt.Key.Key_Escape)  # letters are text there, Escape hands the keys back
            assert win.canvas.hasFocus(), name
        press(Qt.Key.Key_E)
        assert win.canvas.tool is Tool.ERASER, name
        press(Qt.Key.Key_BracketRight)
        assert win.colours.brush_size == 4, name


def test_the_size_box_takes_digits_and_hands_focus_back_on_enter_and_escape(win, sketch):
    win.open_path(sketch).wait()
    size_box = next(w for w in toolbar_widgets(win) if isinstance(w, QAbstractSpinBox))
    for done in (Qt.Key.Key_Return, Qt.Key.Key_Escape):
        size_box.setFocus()
        size_box.selectAll()
        press(Qt.Key.Key_6)
        assert size_box.value() == 6  # digits still edit the number
        press(done)
        assert win.canvas.hasFocus()
        win.colours.set_size(2)


def test_the_canvas_takes_focus_on_hover_so_the_first_click_paints(win, sketch):
    win.open_path(sketch).wait()
    next(w for w in toolbar_widgets(win) if isinstance(w, QAbstractSpinBox)).setFocus()
    QTest.mouseMove(win.canvas, win.canvas.rect().center())
    QApplication.sendEvent(win.canvas, QEvent(QEvent.Type.Enter))
    assert win.canvas.hasFocus()
    click_image(win, 20.5, 20.5)
    assert len(win.document.hints) == 1


# --- the preview (items 3 and 12) ---


def preview_point(win) -> QPoint:
    return win.preview.rect().center()


def with_preview(win, qtbot, sketch):
    win.open_path(sketch).wait()
    qtbot.waitUntil(lambda: win.preview.rgb is not None and win.engine.up_to_date, timeout=10000)


def test_a_plain_brush_click_on_the_preview_keeps_the_brush_colour_and_says_how_to_pick(win, qtbot, sketch):
    with_preview(win, qtbot, sketch)
    brush = win.colours.colour
    shown = win.preview.pixel_at(QPointF(preview_point(win)))
    assert shown.rgb() != brush.rgb()
    for tool in (Tool.BRUSH, Tool.ERASER, Tool.MOVE):
        win.set_tool(tool)
        QTest.mouseClick(win.preview, Qt.MouseButton.LeftButton, NO, preview_point(win))
        assert win.colours.colour.rgb() == brush.rgb() and not win.document.hints.hints
        assert "Alt+click" in win.statusBar().currentMessage()
    for modifier in (Qt.KeyboardModifier.AltModifier, Qt.KeyboardModifier.ControlModifier):
        win.colours.set_colour(brush)
        QTest.mouseClick(win.preview, Qt.MouseButton.LeftButton, modifier, preview_point(win))
        assert win.colours.colour.rgb() == shown.rgb()
    win.colours.set_colour(brush)
    win.set_tool(Tool.EYEDROPPER)
    QTest.mouseClick(win.preview, Qt.MouseButton.LeftButton, NO, preview_point(win))
    assert win.colours.colour.rgb() == shown.rgb() and win.canvas.tool is Tool.BRUSH


def wheel(widget, pos: QPoint, steps: int) -> None:
    event = QWheelEvent(
        QPointF(pos),
        QPointF(widget.mapToGlobal(pos)),
        QPoint(),
        QPoint(0, 120 * steps),
        Qt.MouseButton.NoButton,
        NO,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(widget, event)


def test_the_wheel_over_the_preview_zooms_it(win, qtbot, sketch):
    with_preview(win, qtbot, sketch)
    win.canvas.fit()
    zoom = win.canvas.zoom
    wheel(win.preview, preview_point(win), 2)  # following the canvas: the canvas zooms, the preview too
    assert win.canvas.zoom > zoom * 1.5 and win.preview.view is not None
    win.act["follow_canvas"].trigger()  # on its own: the preview zooms by itself
    assert win.preview.view is None
    wheel(win.preview, preview_point(win), 1)
    assert win.preview.view is not None and win.preview.view.width() < 1


# --- advice (item 4) ---


def tinted_sketch(path: Path, paper: tuple[int, int, int], ink: tuple[int, int, int]) -> Path:
    """A phone photo of a pencil sketch: tinted paper and ink, uneven light, grain."""
    rng = np.random.default_rng(1)
    rgb = np.empty((120, 160, 3), np.float32)
    rgb[:] = paper
    rgb[40:43, 10:150] = ink
    rgb[10:110, 70:73] = ink
    rgb *= np.linspace(0.9, 1.05, 160)[None, :, None]  # light falling off across the page
    rgb += rng.normal(0, 2, rgb.shape)
    Image.fromarray(np.clip(rgb, 0, 255).astype(np.uint8)).save(path)
    return path


def test_a_warm_tinted_sketch_is_told_to_clean_up_and_the_advice_stays_until_used(win, tmp_path, qtbot):
    win.open_path(tinted_sketch(tmp_path / "warm.png", (0xB0, 0xAA, 0xA0), (0x80, 0x78, 0x70))).wait()
    assert win.advice.isVisible() and "Clean Up Line Art" in win.advice.label.text()
    assert "colour picture" not in win.advice.label.text()
    QTest.qWait(50)
    win.statusBar().showMessage("something else", 10)  # a status message comes and goes…
    QTest.qWait(50)
    assert win.advice.isVisible()  # …the advice stays
    QTest.mouseClick(win.advice.button, Qt.MouseButton.LeftButton)
    assert not win.advice.isVisible()
    dialog = win.findChild(LevelsDialog)
    assert dialog is not None and dialog.isVisible()
    dialog.reject()


def test_a_real_colour_picture_is_still_called_one_and_advice_can_be_dismissed(win, tmp_path):
    rgb = np.full((120, 160, 3), 255, np.uint8)
    rgb[10:70, 10:90] = (224, 108, 117)
    rgb[50:115, 80:150] = (80, 160, 220)
    rgb[0:40, 100:160] = (250, 220, 90)
    Image.fromarray(rgb).save(tmp_path / "painting.png")
    win.open_path(tmp_path / "painting.png").wait()
    assert win.advice.isVisible() and "colour picture" in win.advice.label.text()
    QTest.mouseClick(win.advice.close_button, Qt.MouseButton.LeftButton)
    assert not win.advice.isVisible()


# --- hint markers (item 6) ---

PALE = [(255, 255, 255), (225, 250, 255), (255, 250, 225)]  # white, pale cyan, cream


def test_pale_hints_show_their_own_colours_at_fit_zoom_and_the_one_under_the_cursor_is_named(win, tmp_path):
    win.open_path(save_grey(tmp_path / "page.png", np.full((1500, 2000), 255, np.uint8))).wait()
    win.canvas.fit()
    assert win.canvas.zoom * 3 < 2  # a 3 px hint is under two screen pixels
    spots = [(400, 700), (1000, 700), (1600, 700)]
    win.document.paint([Hint(x, y, 3, c) for (x, y), c in zip(spots, PALE, strict=True)])
    image = win.canvas.grab().toImage()
    for (x, y), colour in zip(spots, PALE, strict=True):
        centre = win.canvas.widget_pos(QPointF(x + 1.5, y + 1.5)).toPoint()
        inside = [image.pixelColor(centre + QPoint(dx, 0)).getRgb()[:3] for dx in (-2, 0, 2)]
        assert inside == [colour] * 3  # its own colour, over several screen pixels
        outward = [image.pixelColor(centre + QPoint(dx, 0)).getRgb()[:3] for dx in range(MIN_MARKER_PX + 4)]
        edge = next(i for i, rgb in enumerate(outward) if rgb != colour)
        assert edge >= MIN_MARKER_PX // 2 - 1 and outward[edge][0] < 80  # then a dark rim on the white paper
    QTest.mouseMove(win.canvas, win.canvas.widget_pos(QPointF(1001.5, 701.5)).toPoint() + QPoint(2, 1))
    assert "#e1faff" in win.status_under.text() and "3 px" in win.status_under.text()
    QTest.mouseMove(win.canvas, win.canvas.widget_pos(QPointF(1300, 300)).toPoint())
    assert win.status_under.text() == ""


# --- tooltips, menus and gestures (item 11) ---


def test_tooltips_name_their_keys_and_the_tools_menu_ticks_the_tool_in_hand(win):
    assert win.act["brush"].toolTip() == "Brush (B)"
    assert "(E)" in win.act["eraser"].toolTip() and "Ctrl+Z" in win.act["undo"].toolTip()
    assert "(K)" in win.act["keep_hints"].toolTip()
    tools_menu = next(a.menu() for a in win.menuBar().actions() if a.text() == "&Tools")
    ticked = lambda: [a.text() for a in tools_menu.actions() if a.isChecked()]  # noqa: E731
    assert ticked() == ["&Brush"]
    QTest.keyClick(win.canvas, Qt.Key.Key_I)
    assert ticked() == ["Eye&dropper"]
    win.act["move"].trigger()
    win.act["move"].trigger()  # exclusive: a second trigger keeps the tool, as a radio button does
    assert ticked() == ["&Move Stroke"]
    for key in ("show_hints", "preview_under", "keep_hints", "brush"):
        assert win.act[key].isCheckable() and not win.act[key].isIconVisibleInMenu()


def test_ctrl_click_picks_a_colour_and_shift_drag_resizes_the_brush(win, sketch):
    win.open_path(sketch).wait()
    win.canvas.set_zoom(4)
    click_image(win, 10.5, 30.5, Qt.KeyboardModifier.ControlModifier)  # on the black line
    assert win.colours.colour.name() == "#000000" and not win.document.hints.hints
    win.colours.set_size(3)
    start = win.canvas.widget_pos(QPointF(40, 10)).toPoint()
    shift = Qt.KeyboardModifier.ShiftModifier
    QTest.mousePress(win.canvas, Qt.MouseButton.LeftButton, shift, start)
    QTest.mouseMove(win.canvas, start + QPoint(RESIZE_DRAG_PX * 2, 0))
    QTest.mouseMove(win.canvas, start + QPoint(RESIZE_DRAG_PX * 4, 0))
    QTest.mouseRelease(win.canvas, Qt.MouseButton.LeftButton, shift, start + QPoint(RESIZE_DRAG_PX * 4, 0))
    assert win.colours.brush_size == 7 and win.canvas.brush_size == 7 and not win.document.hints.hints


# --- dialogs and names (items 10 and 12) ---


@pytest.fixture
def dialogs_seen(monkeypatch):
    """Every file dialog the window opens: its folder and size; it answers with `answer` if set."""
    seen: list[dict] = []

    def run(dialog):
        seen.append({"folder": Path(dialog.directory().absolutePath()), "size": dialog.size()})
        if seen_answer:
            dialog.selectFile(str(seen_answer[0]))
            return True
        return False

    seen_answer: list[Path] = []
    monkeypatch.setattr(file_dialogs_module.QFileDialog, "exec", run)
    monkeypatch.setattr(file_dialogs_module.QFileDialog, "selectedFiles", lambda d: [str(seen_answer[0])])
    return seen, seen_answer


def test_file_dialogs_start_in_the_documents_folder_then_the_last_one_used(win, tmp_path, dialogs_seen):
    seen, answer = dialogs_seen
    art = tmp_path / "art"
    art.mkdir()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    grey = np.full((60, 80), 255, np.uint8)
    save_grey(elsewhere / "other.png", grey)
    win.files.open_dialog()  # no document yet, no folder used: home
    assert seen[-1]["folder"] == Path.home()
    win.open_path(save_grey(art / "sketch.png", grey)).wait()
    win.files.import_hints_dialog()
    assert seen[-1]["folder"] == art  # the picture's folder, not the start-up one
    assert seen[-1]["size"].width() >= 900  # room for the name column
    answer.append(elsewhere / "other.png")
    win.files.recolour_picture_dialog()  # a colour picture's lines: a document with no folder of its own
    win.files.opening.wait()  # drawn on a job
    assert win.document.source_path is None
    answer.clear()
    win.files.import_hints_dialog()
    assert seen[-1]["folder"] == elsewhere  # the folder last chosen in a dialog


def test_the_save_question_names_the_project_not_the_line_art(win, sketch, messages, tmp_path):
    win.open_path(sketch).wait()
    click_image(win, 10.5, 10.5)
    win.open_path(save_grey(tmp_path / "next.png", np.full((20, 20), 255, np.uint8))).wait()
    (question,) = messages.questions
    assert "sketch.linetint" in question and "Save the changes to sketch.png" not in question


def test_the_status_bar_shows_a_short_model_name_with_the_details_in_its_tooltip(win):
    name = win.model_info.name
    assert short_model_name("LineTint lite (synthetic shapes, real drawings, 2843 steps)") == "LineTint lite"
    assert short_model_name(name) in win.status_model.text()
    assert name in win.status_model.toolTip()


def test_clean_up_opens_beside_the_canvas_it_previews(win, sketch):
    win.open_path(sketch).wait()
    win.splitter.setSizes([220, 760])
    dialog = win.clean_up_dialog()
    canvas = QRect(win.canvas.mapToGlobal(QPoint(0, 0)), win.canvas.size())
    assert not dialog.frameGeometry().intersects(canvas)
    dialog.reject()
