"""The Palette dock and GIMP palette files: the picture's colours, recent and pinned swatches, .gpl."""

from pathlib import Path

import pytest
from window_harness import close_window, open_window  # noqa: E402

from linetint.app.palette_file import Palette, PaletteFileError, Swatch, format_gpl, parse_gpl, read_gpl

GPL = (
    "GIMP Palette\n"
    "Name: Autumn Study\n"
    "Columns: 4\n"
    "# a comment, and a blank line below\n"
    "\n"
    "224 108 117\tDusty Rose\n"
    "  0   0   0\tInk Black\n"
    "255 255 255\n"  # no name
    " 97 175 239\tSky  blue  (light)\n"
    "#   0 255   0 commented out\n"
)


# --- the file format, no Qt ---


def test_a_gpl_with_comments_name_columns_and_names_with_spaces_reads_as_written():
    palette = parse_gpl(GPL)
    assert palette.name == "Autumn Study" and palette.columns == 4
    assert palette.swatches == (
        Swatch((224, 108, 117), "Dusty Rose"),
        Swatch((0, 0, 0), "Ink Black"),
        Swatch((255, 255, 255), ""),
        Swatch((97, 175, 239), "Sky  blue  (light)"),
    )


def test_a_written_gpl_reads_back_the_same(tmp_path):
    palette = Palette("My palette", 3, (Swatch((1, 2, 3), "Deep  shadow"), Swatch((250, 240, 230), "Cream")))
    (tmp_path / "p.gpl").write_text(format_gpl(palette))
    assert read_gpl(tmp_path / "p.gpl") == palette
    broken = Palette("two\nlines", 0, (Swatch((9, 9, 9), "a\nb"),))  # a line break would start a bogus line
    assert parse_gpl(format_gpl(broken)) == Palette("two lines", 0, (Swatch((9, 9, 9), "a b"),))
    lines = (tmp_path / "p.gpl").read_text().splitlines()
    assert lines[:3] == ["GIMP Palette", "Name: My palette", "Columns: 3"]
    assert "  1   2   3\tDeep  shadow" in lines  # GIMP's own layout: Krita and Inkscape read it


def test_windows_line_ends_and_a_byte_order_mark_are_fine(tmp_path):
    (tmp_path / "w.gpl").write_bytes(("\ufeff" + GPL).replace("\n", "\r\n").encode("utf-8"))
    assert len(read_gpl(tmp_path / "w.gpl").swatches) == 4


@pytest.mark.parametrize(
    "content, reason",
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\xff\xfe", "not text"),
        (b"", "first line is not 'GIMP Palette'"),
        (b"JASC-PAL\n0100\n", "first line is not 'GIMP Palette'"),
        (b"GIMP Palette\n255 0\tshort\n", "line 2: '255 0\tshort' is not 'R G B name'"),
        (b"GIMP Palette\nName: x\n300 0 0\tbright\n", "line 3: colour values go from 0 to 255"),
        (b"GIMP Palette\n-1 0 0\tnegative\n", "line 2"),
        (b"GIMP Palette\nColumns: many\n", "line 2: Columns must be a whole number"),
    ],
)
def test_a_garbage_gpl_is_refused_with_a_reason(tmp_path, content, reason):
    (tmp_path / "bad.gpl").write_bytes(content)
    with pytest.raises(PaletteFileError, match="bad.gpl") as caught:
        read_gpl(tmp_path / "bad.gpl")
    assert reason in str(caught.value)


def test_a_missing_or_unreadable_gpl_is_a_palette_error(tmp_path):
    with pytest.raises(PaletteFileError, match="cannot read gone.gpl"):
        read_gpl(tmp_path / "gone.gpl")
    with pytest.raises(PaletteFileError, match="cannot read"):
        read_gpl(tmp_path)  # a folder


def test_the_file_module_has_no_qt():
    source = (Path(__file__).resolve().parent.parent / "app" / "palette_file.py").read_text()
    assert "PySide6" not in source and "Qt" not in source.replace("No Qt here", "")


# --- the dock, in the window ---

pytest.importorskip("PySide6")

from PySide6.QtCore import QPointF, Qt  # noqa: E402
from PySide6.QtGui import QColor  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QToolBar  # noqa: E402

from linetint.app import palette_panel as palette_module  # noqa: E402
from linetint.app.canvas import Tool  # noqa: E402
from linetint.app.window import MainWindow  # noqa: E402


@pytest.fixture
def messages(messages, monkeypatch):
    monkeypatch.setattr(palette_module, "QMessageBox", messages)
    return messages


def make_window(qtbot, folder: Path) -> MainWindow:
    return open_window(qtbot, folder, size=(1200, 760))  # room for the docks beside the canvas


@pytest.fixture
def win(qtbot, tmp_path, messages):
    window = make_window(qtbot, tmp_path)
    yield window
    close_window(window)


ROSE, BLUE, GREEN = (224, 108, 117), (20, 40, 200), (40, 160, 90)


def paint(win, colour, *points) -> None:
    win.colours.set_colour(QColor(*colour))
    for x, y in points:
        pos = win.canvas.widget_pos(QPointF(x, y)).toPoint()
        QTest.mouseClick(win.canvas, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, pos)


def painted(win) -> None:
    win.open_path(win.test_sketch).wait()
    win.canvas.set_zoom(4)
    paint(win, ROSE, (10.5, 10.5), (50.5, 40.5), (70.5, 50.5))
    paint(win, BLUE, (30.5, 10.5))
    paint(win, GREEN, (30.5, 50.5), (60.5, 20.5))


@pytest.fixture
def panel(win, sketch):
    win.test_sketch = sketch
    painted(win)
    return win.colour_docks.palette


def rgbs(colours) -> list[tuple[int, int, int]]:
    return [(c.red(), c.green(), c.blue()) for c in colours]


def test_the_palette_lists_every_colour_in_use_with_its_hint_count_most_used_first(win, panel):
    assert win.colour_docks.palette_dock.isVisible()
    assert rgbs(panel.in_use.colours()) == [ROSE, GREEN, BLUE]
    assert panel.in_use.corner_texts() == ["3", "2", "1"]  # the number on each swatch
    assert panel.counts == {ROSE: 3, GREEN: 2, BLUE: 1}
    assert "3 colours, 6 hints" in panel.in_use_title.text().lower()
    assert "3 colours" in win.status_hints.text()  # the status bar and the palette agree
    win.set_tool(Tool.ERASER)
    paint(win, GREEN, (30.5, 10.5))  # erase the blue hint
    assert rgbs(panel.in_use.colours()) == [ROSE, GREEN]
    win.act["undo"].trigger()
    assert panel.counts == {ROSE: 3, GREEN: 2, BLUE: 1}


def test_the_palette_follows_the_document(win, panel, sketch):
    win.document.undo_stack.setClean()
    win.open_path(sketch).wait()
    assert panel.counts == {} and panel.in_use.colours() == []


def swatch_centre(grid, colour):
    index = rgbs(grid.colours()).index(colour)
    return grid.cell_rect(index).center()


def test_clicking_a_swatch_picks_its_colour_for_the_brush_and_the_selector(win, panel):
    win.colours.set_colour(QColor(0, 0, 0))
    QTest.mouseClick(panel.in_use, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     swatch_centre(panel.in_use, BLUE))  # fmt: skip
    assert rgbs([win.colours.colour]) == [BLUE]
    assert win.colour_docks.selector.hex_field.text() == "#1428c8"
    QTest.mouseClick(panel.recent_grid, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     swatch_centre(panel.recent_grid, ROSE))  # fmt: skip
    assert rgbs([win.colours.colour]) == [ROSE]


def test_recent_colours_are_in_the_palette_and_the_toolbar_keeps_still(win, sketch):
    win.test_sketch = sketch
    bar = win.findChild(QToolBar, "tools")
    width = bar.sizeHint().width()
    painted(win)
    paint(win, (200, 200, 10), (5.5, 5.5))
    assert bar.sizeHint().width() == width  # painting new colours adds nothing to the toolbar
    assert rgbs(win.colour_docks.palette.recent_grid.colours())[:4] == [(200, 200, 10), GREEN, BLUE, ROSE]


def test_right_click_recolours_that_colours_hints_and_the_old_colour_leaves_the_palette(win, panel):
    menu = panel.menu_for(QColor(*ROSE))
    entries = [a.text() for a in menu.actions() if not a.isSeparator()]
    assert entries == ["Recolour 3 Hints of #e06c75…", "Pin #e06c75"]  # no hint selection to offer
    menu.actions()[0].trigger()
    dialog = win.recolouring.dialog
    assert dialog is not None and dialog.windowTitle() == "Recolour 3 hints of #e06c75"
    dialog.selector.hex_field.setText("#ffcc00")
    dialog.selector.hex_field.editingFinished.emit()
    dialog.accept()
    assert panel.counts == {(255, 204, 0): 3, GREEN: 2, BLUE: 1}
    assert ROSE not in rgbs(panel.recent_grid.colours())  # recoloured away: it does not linger


def test_a_recent_colour_no_hint_has_offers_no_recolour(win, panel):
    menu = panel.menu_for(QColor(9, 9, 9))
    assert not menu.actions()[0].isEnabled()


def test_pinned_swatches_are_pinned_unpinned_and_kept_for_the_next_session(qtbot, tmp_path, messages):
    first = make_window(qtbot, tmp_path)
    panel = first.colour_docks.palette
    first.colours.set_colour(QColor(*GREEN))
    panel.pin_button.click()  # the brush colour
    panel.menu_for(QColor(*BLUE)).actions()[-1].trigger()  # "Pin #1428c8"
    panel.menu_for(QColor(*ROSE)).actions()[-1].trigger()
    panel.menu_for(QColor(*BLUE)).actions()[-1].trigger()  # now "Unpin #1428c8"
    assert rgbs(panel.pinned_grid.colours()) == [GREEN, ROSE]
    first.close()  # (a crash would do too: pins are written when made)
    second = make_window(qtbot, tmp_path)
    assert rgbs(second.colour_docks.palette.pinned_grid.colours()) == [GREEN, ROSE]
    close_window(second)


def test_a_palette_imports_as_pinned_swatches_and_exports_with_the_pictures_colours(win, panel, tmp_path):
    (tmp_path / "autumn.gpl").write_text(GPL)
    panel.pin(QColor(*BLUE), "Mine")
    assert panel.import_palette(tmp_path / "autumn.gpl")
    assert [(s.rgb, s.name) for s in panel.pinned] == [
        (BLUE, "Mine"),
        (ROSE, "Dusty Rose"),
        ((0, 0, 0), "Ink Black"),
        ((255, 255, 255), ""),
        ((97, 175, 239), "Sky  blue  (light)"),
    ]
    assert "Autumn Study: 4 colours pinned" in win.statusBar().currentMessage()
    assert panel.pinned_grid.colours()[1].name() == "#e06c75"
    assert panel.import_palette(tmp_path / "autumn.gpl")  # again: nothing doubles
    assert len(panel.pinned) == 5 and "0 colours pinned, 4 already there" in win.statusBar().currentMessage()

    assert panel.export_palette(tmp_path / "out.gpl")
    back = read_gpl(tmp_path / "out.gpl")
    assert back.name == "out"
    assert [s.rgb for s in back.swatches] == [s.rgb for s in panel.pinned] + [GREEN]  # + the unpinned in use
    assert back.swatches[1].name == "Dusty Rose" and back.swatches[4].name == "Sky  blue  (light)"
    assert back.swatches[-1].name == "#28a05a (2 hints)"


def test_a_garbage_palette_is_refused_with_a_message_and_nothing_changes(win, panel, messages, tmp_path):
    panel.pin(QColor(*BLUE))
    (tmp_path / "noise.gpl").write_bytes(bytes(range(256)) * 8)
    (tmp_path / "half.gpl").write_text("GIMP Palette\n10 20 30\tok\n40 fifty 60\tbad\n")
    assert not panel.import_palette(tmp_path / "noise.gpl")
    assert not panel.import_palette(tmp_path / "half.gpl")
    assert not panel.import_palette(tmp_path / "missing.gpl")
    assert messages.warnings == [
        "Cannot import the palette: noise.gpl is not a GIMP palette: it is not text",
        "Cannot import the palette: half.gpl, line 3: '40 fifty 60\tbad' is not 'R G B name'",
        "Cannot import the palette: cannot read missing.gpl: No such file or directory",
    ]
    assert rgbs(panel.pinned_grid.colours()) == [BLUE]  # a half-read palette pins nothing


def test_an_export_that_cannot_be_written_says_so(win, panel, messages, tmp_path):
    assert not panel.export_palette(tmp_path / "no-such-folder" / "p.gpl")
    assert messages.warnings and messages.warnings[0].startswith(
        "Cannot export the palette: LineTint could not"
    )
