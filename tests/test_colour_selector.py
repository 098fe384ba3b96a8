"""The docked colour selector and the live recolour, as a painter uses them."""

import numpy as np
import pytest

pytest.importorskip("PySide6")

import shiboken6  # noqa: E402
from PySide6.QtCore import QPointF, Qt  # noqa: E402
from PySide6.QtGui import QColor  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from window_harness import window_session  # noqa: E402

from linetint.app.colour_selector import ColourSelector, parse_hex  # noqa: E402


@pytest.fixture
def win(qtbot, tmp_path, messages):
    yield from window_session(qtbot, tmp_path, size=(1200, 760))  # room for the docks beside the canvas


def rgb(colour: QColor) -> tuple[int, int, int]:
    return colour.red(), colour.green(), colour.blue()


def click_image(window, x: float, y: float, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    pos = window.canvas.widget_pos(QPointF(x, y))
    QTest.mouseClick(window.canvas, Qt.MouseButton.LeftButton, modifier, pos.toPoint())


def drag(widget, points: list[QPointF], before_release=None) -> None:
    """Press at the first point, move through the rest, release at the last; `before_release()` runs
    while the button is still down."""
    first, *rest = [p.toPoint() for p in points]
    QTest.mousePress(widget, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, first)
    for point in rest:
        QTest.mouseMove(widget, point)
    if before_release is not None:
        before_release()
    QTest.mouseRelease(
        widget, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, (rest or [first])[-1]
    )


def test_the_selector_is_docked_beside_the_canvas_and_shows_the_brush_colour(win):
    dock = win.colour_docks.selector_dock
    assert dock.isVisible() and win.dockWidgetArea(dock) == Qt.DockWidgetArea.RightDockWidgetArea
    selector = win.colour_docks.selector
    assert selector.wheel.width() >= 160 and selector.wheel.height() >= 160  # not squeezed
    win.colours.set_colour(QColor("#3a7bd5"))  # from anywhere (eyedropper, palette): the selector follows
    assert selector.hex_field.text() == "#3a7bd5" and rgb(selector.swatch.colour) == (0x3A, 0x7B, 0xD5)
    view = next(a.menu() for a in win.menuBar().actions() if a.text() == "&View")
    toggle = next(a for a in view.actions() if a.text() == "&Colour Selector")
    toggle.trigger()  # View ▸ Colour Selector hides it, and brings it back
    assert not dock.isVisible()
    toggle.trigger()
    assert dock.isVisible()


def test_dragging_in_the_square_changes_the_brush_colour_while_dragging(win, sketch):
    win.open_path(sketch).wait()
    wheel = win.colour_docks.selector.wheel
    win.colours.set_colour(QColor.fromHsvF(0.0, 1.0, 1.0))  # pure red
    seen = []
    path = [wheel.point_of(0.9, 0.9), wheel.point_of(0.6, 0.6), wheel.point_of(0.3, 0.4)]
    drag(wheel, path, before_release=lambda: seen.append(win.colours.colour))
    assert seen[0].getHsvF()[1] == pytest.approx(0.3, abs=0.03)  # live: before the button comes up
    hue, saturation, value, _ = win.colours.colour.getHsvF()
    assert hue == pytest.approx(0.0, abs=0.01) and saturation == pytest.approx(0.3, abs=0.03)
    assert value == pytest.approx(0.4, abs=0.03)
    assert win.colour_docks.selector.hex_field.text() == win.colours.colour.name()
    click_image(win, 10.5, 10.5)
    assert win.document.hints.hints[-1].color == rgb(win.colours.colour)  # and the brush paints with it


def test_dragging_round_the_ring_turns_the_hue_and_keeps_saturation_and_value(win):
    wheel = win.colour_docks.selector.wheel
    win.colours.set_colour(QColor.fromHsvF(0.0, 0.5, 0.8))
    drag(wheel, [wheel.point_of_hue(0.05), wheel.point_of_hue(0.2), wheel.point_of_hue(1 / 3)])
    hue, saturation, value, _ = win.colours.colour.getHsvF()
    assert hue == pytest.approx(1 / 3, abs=0.01)  # green
    assert saturation == pytest.approx(0.5, abs=0.01) and value == pytest.approx(0.8, abs=0.01)


def test_dragging_through_black_keeps_the_hue(qtbot):
    selector = ColourSelector(QColor.fromHsvF(0.6, 1, 1))
    qtbot.addWidget(selector)
    selector.resize(260, 320)
    selector.show()
    wheel = selector.wheel
    drag(wheel, [wheel.point_of(1, 1), wheel.point_of(1, 0), wheel.point_of(1, 1)])  # to black and back
    assert selector.colour.getHsvF()[0] == pytest.approx(0.6, abs=0.01)


def type_hex(selector, text: str) -> None:
    field = selector.hex_field
    field.setFocus()
    field.selectAll()
    QTest.keyClicks(field, text)
    QTest.keyClick(field, Qt.Key.Key_Return)


def test_the_hex_field_sets_the_brush_colour(win):
    selector = win.colour_docks.selector
    type_hex(selector, "#2E8B57")
    assert win.colours.colour.name() == "#2e8b57" and not selector.hex_refused
    type_hex(selector, "fa0")  # short form, no '#'
    assert win.colours.colour.name() == "#ffaa00" and selector.hex_field.text() == "#ffaa00"


@pytest.mark.parametrize("garbage", ["zz1234", "#12345", "red", "#1234567", "   "])
def test_the_hex_field_refuses_garbage_and_keeps_the_brush_colour(win, garbage):
    win.colours.set_colour(QColor("#112233"))
    selector = win.colour_docks.selector
    type_hex(selector, garbage)
    assert win.colours.colour.name() == "#112233"
    assert selector.hex_refused and "not a colour" in selector.hex_field.toolTip()
    type_hex(selector, "#445566")  # corrected in place: accepted, no longer marked
    assert win.colours.colour.name() == "#445566" and not selector.hex_refused


def test_parse_hex():
    assert parse_hex(" #A0b1C2 ").name() == "#a0b1c2"
    assert parse_hex("abc").name() == "#aabbcc"
    assert all(parse_hex(bad) is None for bad in ("", "#", "#ggg", "12 34 56", "#a0b1c2ff"))


def test_clicking_the_toolbar_swatch_brings_the_selector_not_a_modal_dialog(win):
    win.colour_docks.selector_dock.hide()
    win.act["pick_colour"].trigger()
    assert win.colour_docks.selector_dock.isVisible()
    assert win.colour_docks.selector.hex_field.hasFocus()  # ready to type a hex colour


# --- recolour, previewed live ---


class Requests:
    """Records the hint layers the window asks the preview worker for, and passes them on."""

    def __init__(self, engine):
        self.layers, self._request = [], engine.request

    def __call__(self, lineart, hints, *args, **kwargs):
        self.layers.append(hints)
        return self._request(lineart, hints, *args, **kwargs)


def paint_two_colours(win) -> None:
    win.canvas.set_zoom(4)
    win.colours.set_colour(QColor("#e06c75"))
    click_image(win, 10.5, 10.5)
    click_image(win, 50.5, 40.5)
    win.colours.set_colour(QColor(20, 40, 200))
    click_image(win, 30.5, 10.5)


def shown_colour(win, hint) -> tuple[int, int, int]:
    """The colour the canvas shows in the middle of `hint`."""
    rgba = win.canvas.shown_hints_rgba()
    return tuple(int(c) for c in rgba[hint.y + hint.size // 2, hint.x + hint.size // 2, :3])


def start_recolour(win, monkeypatch):
    win.open_path(win.test_sketch).wait()
    paint_two_colours(win)
    requests = Requests(win.engine)
    monkeypatch.setattr(win.engine, "request", requests)
    dialog = win.recolour_hints_dialog(QColor("#e06c75"))
    assert dialog is not None and dialog.isVisible()
    assert dialog.windowTitle() == "Recolour 2 hints of #e06c75"
    return dialog, requests


@pytest.fixture
def recolouring(win, sketch, monkeypatch):
    win.test_sketch = sketch
    return start_recolour(win, monkeypatch)


def test_recolour_shows_the_new_colour_on_the_canvas_and_the_preview_while_dragging(win, recolouring):
    dialog, requests = recolouring
    before = win.document.hints.hints
    wheel = dialog.selector.wheel
    drag(wheel, [wheel.point_of_hue(0.0), wheel.point_of_hue(1 / 3)])  # the ring: towards green
    trial = rgb(dialog.colour)
    assert trial != (0xE0, 0x6C, 0x75)
    assert shown_colour(win, before[0]) == trial and shown_colour(win, before[1]) == trial
    assert shown_colour(win, before[2]) == (20, 40, 200)  # other colours stay
    assert [h.color for h in requests.layers[-1].hints] == [trial, trial, (20, 40, 200)]  # the preview too
    assert win.document.hints.hints == before  # nothing changed yet: a trial


def test_cancelling_the_recolour_shows_the_hints_exactly_as_they_were(win, recolouring):
    dialog, requests = recolouring
    before, steps = win.document.hints.hints, win.document.undo_stack.count()
    shown = win.canvas.shown_hints_rgba()
    wheel = dialog.selector.wheel
    drag(wheel, [wheel.point_of(0.2, 0.9), wheel.point_of(0.8, 0.3)])
    assert not np.array_equal(win.canvas.shown_hints_rgba(), shown)
    dialog.reject()
    assert np.array_equal(win.canvas.shown_hints_rgba(), shown)
    assert win.document.hints.hints == before and win.document.undo_stack.count() == steps
    assert requests.layers[-1].hints == before  # the preview is asked for the real hints again


def test_ok_recolours_in_one_undo_step_and_painting_goes_on_in_the_new_colour(win, recolouring):
    dialog, _ = recolouring
    before, steps = win.document.hints.hints, win.document.undo_stack.count()
    wheel = dialog.selector.wheel
    drag(wheel, [wheel.point_of(0.5, 0.5), wheel.point_of(0.7, 0.6), wheel.point_of(0.9, 0.8)])
    new = rgb(dialog.colour)
    dialog.accept()
    after = win.document.hints.hints
    assert [h.color for h in after] == [new, new, (20, 40, 200)]
    assert [(h.x, h.y, h.size) for h in after] == [(h.x, h.y, h.size) for h in before]
    assert win.document.undo_stack.count() == steps + 1  # a whole drag, one step
    assert rgb(win.colours.colour) == new
    assert "Recoloured 2 hints" in win.statusBar().currentMessage()
    win.act["undo"].trigger()
    assert win.document.hints.hints == before
    assert shown_colour(win, before[0]) == (0xE0, 0x6C, 0x75)


def test_recolour_of_a_colour_no_hint_has_says_so_and_opens_nothing(win, sketch):
    win.open_path(sketch).wait()
    paint_two_colours(win)
    win.colours.set_colour(QColor(1, 2, 3))
    steps = win.document.undo_stack.count()
    win.act["recolour"].trigger()
    assert "No hint has the colour #010203" in win.statusBar().currentMessage()
    assert win.recolouring.dialog is None and win.document.undo_stack.count() == steps


def test_opening_another_picture_during_a_recolour_drops_the_trial(win, recolouring, sketch):
    dialog, _ = recolouring
    drag(dialog.selector.wheel, [dialog.selector.wheel.point_of(0.1, 0.1)])
    win.document.undo_stack.setClean()
    win.open_path(sketch).wait()  # the event loop runs meanwhile: the closed dialog may be deleted already
    assert (not shiboken6.isValid(dialog) or not dialog.isVisible()) and win.document.hints.hints == ()
