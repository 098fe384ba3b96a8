"""Every menu and toolbar command of the main window, declared once.

A row of ``ACTIONS`` says what a command is (text, keys, icon, tick), what it does (a window attribute by
name, called with ``args``), where it sits (menu and section; the order is the table's) and when it is
enabled. ``Actions`` builds from the table the QActions, the menus with their separators, the toolbar
(laid out by ``TOOLBAR``), the shortcut help's rows (in menu order) and the enabling.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass

from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QMenu, QMenuBar, QToolBar, QWidget

from .canvas import Tool
from .shortcuts import add_keys_to_tooltip
from .theme import icon

Key = str | QKeySequence.StandardKey


@dataclass(frozen=True)
class ActionSpec:
    id: str
    text: str
    # What a trigger calls: a path of attributes from the window ("files.save", "canvas.fit"), called with
    # `args`; a path through None does nothing (undo with no picture open). None: nothing is called (a
    # tick the window reads when it needs it).
    handler: str | None = None
    args: tuple[object, ...] = ()
    shortcut: tuple[Key, ...] = ()
    icon: str | None = None
    menu: str = ""  # "&File"; a submenu is "&View/Unhinted &Areas" (declared by a Submenu row)
    section: int = 0  # a separator comes between one section of a menu and the next
    checkable: bool = False
    checked: bool = False  # the tick it starts with
    exclusive: str | None = None  # the actions with the same name form an exclusive group
    enabled_when: str | None = None  # a state the window reports through Actions.enable
    tooltip: str | None = None  # when the text alone says too little; the keys are added to it
    provided: bool = False  # the window gives the QAction (a dock's toggle); the row names it


@dataclass(frozen=True)
class Submenu:
    menu: str  # the menu it opens from
    title: str
    section: int = 0

    @property
    def path(self) -> str:
        return f"{self.menu}/{self.title}"


DOC = "document"  # enabled while a picture is open
FILE, EDIT, TOOLS, VIEW, HELP = "&File", "&Edit", "&Tools", "&View", "&Help"
RECENT = Submenu(FILE, "Open &Recent")
UNHINTED = Submenu(VIEW, "Unhinted &Areas", section=2)
Std = QKeySequence.StandardKey
KEEP_HINTS_TIP = "every area holding hints takes their colour, with the network's shading"

# fmt: off
ACTIONS: tuple[ActionSpec | Submenu, ...] = (
    ActionSpec("open", "&Open…", "files.open_dialog", shortcut=(Std.Open,), icon="open", menu=FILE),
    ActionSpec("recolour_picture", "Open a Colour Picture to &Recolour…", "files.recolour_picture_dialog",
               menu=FILE),
    RECENT,
    ActionSpec("save", "&Save", "files.save", shortcut=(Std.Save,), icon="save", menu=FILE,
               enabled_when=DOC),
    ActionSpec("save_as", "Save &As…", "files.save_as", shortcut=("Ctrl+Shift+S",), menu=FILE,
               enabled_when=DOC),
    ActionSpec("import_hints", "&Import Hint Layer…", "files.import_hints_dialog", menu=FILE, section=1,
               enabled_when=DOC),
    ActionSpec("picture_hints", "Hints from a &Colour Picture…", "files.picture_hints_dialog", menu=FILE,
               section=1, enabled_when=DOC),
    ActionSpec("export_hints", "Export &Hint Layer…", "exports.export_hints_dialog", menu=FILE, section=1,
               enabled_when=DOC),
    ActionSpec("export", "&Export Image…", "exports.export_dialog", ("png",), ("Ctrl+E",), "export", FILE, 2,
               enabled_when=DOC),
    ActionSpec("export_ora", "Export &OpenRaster (.ora)…", "exports.export_dialog", ("ora",), menu=FILE,
               section=2, enabled_when=DOC),
    ActionSpec("export_psd", "Export &Photoshop (.psd)…", "exports.export_dialog", ("psd",), menu=FILE,
               section=2, enabled_when=DOC),
    ActionSpec("lines_over", "Line Art Over Colour on Export", menu=FILE, section=2, checkable=True,
               checked=True),
    # Preferences has no key on Linux, StandardKey.Quit none on Windows
    ActionSpec("settings", "Se&ttings…", "open_settings", shortcut=("Ctrl+,",), menu=FILE, section=3),
    ActionSpec("quit", "&Quit", "close", shortcut=("Ctrl+Q",), menu=FILE, section=4),
    ActionSpec("undo", "&Undo", "document.undo_stack.undo", shortcut=(Std.Undo,), icon="undo", menu=EDIT),
    ActionSpec("redo", "&Redo", "document.undo_stack.redo", shortcut=("Ctrl+Shift+Z", "Ctrl+Y"), icon="redo",
               menu=EDIT),
    ActionSpec("copy_image", "&Copy Image", "exports.copy_image", shortcut=("Ctrl+Shift+C",), menu=EDIT,
               section=1, enabled_when=DOC),
    ActionSpec("clean_up", "Clean &Up Line Art…", "clean_up.start", shortcut=("Ctrl+L",), menu=EDIT,
               section=2, enabled_when=DOC),
    ActionSpec("recolour", "&Recolour Hints of Brush Colour…", "recolouring.start", shortcut=("Ctrl+R",),
               menu=EDIT, section=2, enabled_when=DOC),
    ActionSpec("clear", "&Clear All Hints", "clear_hints", icon="clear", menu=EDIT, section=2,
               enabled_when=DOC),
    *(
        ActionSpec(tool.value, text, "set_tool", (tool,), (key,), tool.value, TOOLS, checkable=True,
                   exclusive="tools")  # one tool in hand: the Tools menu ticks it
        for tool, text, key in (
            (Tool.BRUSH, "&Brush", "B"),
            (Tool.ERASER, "&Eraser", "E"),
            (Tool.EYEDROPPER, "Eye&dropper", "I"),
            (Tool.MOVE, "&Move Stroke", "M"),
        )
    ),
    ActionSpec("smaller", "Smaller Brush", "colours.grow", (-1,), ("[",), menu=TOOLS, section=1),
    ActionSpec("bigger", "Bigger Brush", "colours.grow", (1,), ("]",), menu=TOOLS, section=1),
    ActionSpec("pick_colour", "Choose &Colour…", "colours.choose_colour", menu=TOOLS, section=1),
    ActionSpec("zoom_in", "Zoom &In", "canvas.zoom_in", shortcut=(Std.ZoomIn, "Ctrl+="), menu=VIEW),
    ActionSpec("zoom_out", "Zoom &Out", "canvas.zoom_out", shortcut=(Std.ZoomOut,), menu=VIEW),
    ActionSpec("fit", "&Fit to Window", "canvas.fit", shortcut=("Ctrl+0",), icon="zoom-fit", menu=VIEW),
    ActionSpec("actual", "&Actual Pixels (100%)", "canvas.actual_pixels", shortcut=("Ctrl+1",), menu=VIEW),
    ActionSpec("show_hints", "Show &Hints", "_toggle_hints", shortcut=("H",), icon="hints", menu=VIEW,
               section=1, checkable=True, checked=True),
    ActionSpec("preview_under", "Preview &Under Line Art", "_toggle_preview_under", shortcut=("P",),
               icon="preview-under", menu=VIEW, section=1, checkable=True),
    ActionSpec("follow_canvas", "Preview &Follows Canvas Zoom", "_sync_preview_view", shortcut=("L",),
               menu=VIEW, section=1, checkable=True),
    ActionSpec("flats", "&Flat Colours", "modes.toggle_flats", shortcut=("F",), menu=VIEW, section=2,
               checkable=True),
    ActionSpec("keep_hints", "&Keep Hint Colours", "modes.hint_colours_changed", shortcut=("K",),
               icon="keep-hints", menu=VIEW, section=2, checkable=True,
               checked=True,  # a hint is a decision: its colour is the colour
               tooltip=f"Keep Hint Colours (K): {KEEP_HINTS_TIP}"),
    UNHINTED,
    ActionSpec("unhinted_tint", "Pale &Tint of Network Colour", "modes.hint_colours_changed",
               menu=UNHINTED.path, checkable=True, checked=True, exclusive="unhinted"),  # one of the three
    ActionSpec("unhinted_network", "&Network Colour", "modes.hint_colours_changed", menu=UNHINTED.path,
               checkable=True, exclusive="unhinted"),
    ActionSpec("unhinted_paper", "&Paper", "modes.hint_colours_changed", menu=UNHINTED.path, checkable=True,
               exclusive="unhinted"),
    ActionSpec("history", "&History", shortcut=("Ctrl+H",), menu=VIEW, section=3, provided=True),
    ActionSpec("colour_dock", "&Colour Selector", menu=VIEW, section=3, provided=True),
    ActionSpec("palette_dock", "&Palette", menu=VIEW, section=3, provided=True),
    ActionSpec("shortcuts", "&Keyboard Shortcuts", "show_shortcuts", shortcut=("F1", "Ctrl+/"), menu=HELP),
    ActionSpec("about", "&About LineTint", "show_about", menu=HELP),
)

# The toolbar: action ids, None for a separator, "@name" for a widget the window lends (Actions.toolbar).
TOOLBAR: tuple[str | None, ...] = (
    "open", "save", "export", None, "undo", "redo", None, "brush", "eraser", "eyedropper", "move", None,
    "@colours", None, "clear", "show_hints", "preview_under", "keep_hints", "fit",
)
# fmt: on


def _resolve(root: object, path: str) -> Callable[..., object] | None:
    target: object = root
    for name in path.split("."):
        if target is None:
            return None
        target = getattr(target, name)
    return target if callable(target) else None


class Actions(Mapping[str, QAction]):
    """The window's QActions by id, built from `specs`; `provided` holds those the window made itself.

    Every action is added to `window` too, so its shortcut works wherever the focus is. Handlers are looked up
    when triggered; the window calls `check_handlers` once the controllers they name are in place.
    """

    def __init__(
        self,
        window: QWidget,
        provided: Mapping[str, QAction],
        specs: Iterable[ActionSpec | Submenu] = ACTIONS,
    ) -> None:
        self._rows = tuple(specs)
        self._specs = {row.id: row for row in self._rows if isinstance(row, ActionSpec)}
        self._actions: dict[str, QAction] = {}
        self.menus: dict[str, QMenu] = {}  # by path: "&File", "&View/Unhinted &Areas"
        groups: dict[str, QActionGroup] = {}
        for spec in self._specs.values():
            action = provided[spec.id] if spec.provided else QAction(spec.text, window)
            action.setText(spec.text)
            if spec.shortcut:
                action.setShortcuts([QKeySequence(key) for key in spec.shortcut])
            if spec.icon:
                action.setIcon(icon(spec.icon))
            if spec.checkable:
                action.setCheckable(True)
                action.setChecked(spec.checked)
            if spec.tooltip:
                action.setToolTip(spec.tooltip)
            if spec.exclusive:
                groups.setdefault(spec.exclusive, QActionGroup(window)).addAction(action)
            if spec.handler:
                action.triggered.connect(lambda _=False, s=spec: self._call(window, s))
            window.addAction(action)  # shortcuts work wherever the focus is
            add_keys_to_tooltip(action)
            if action.isCheckable():
                action.setIconVisibleInMenu(False)  # a menu shows its state as a tick, not an icon
            self._actions[spec.id] = action

    def check_handlers(self, window: object) -> None:
        """A slip in the table found at start: every handler path resolves on the finished window, up to
        an attribute that is None for now (``document`` while no picture is open)."""
        for spec in self._specs.values():
            target = window
            for name in spec.handler.split(".") if spec.handler else ():
                if target is None:
                    break
                if not hasattr(target, name):
                    raise AttributeError(f"action {spec.id}: the window has no {spec.handler}")
                target = getattr(target, name)

    @staticmethod
    def _call(window: QWidget, spec: ActionSpec) -> None:
        handler = _resolve(window, spec.handler or "")
        if handler is not None:
            handler(*spec.args)

    # --- Mapping ---
    def __getitem__(self, key: str) -> QAction:
        return self._actions[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._actions)

    def __len__(self) -> int:
        return len(self._actions)

    # --- what the table builds ---
    def build_menus(self, bar: QMenuBar) -> None:
        """The menus in the table's order, a separator between sections; `menus` holds them by path."""
        sections: dict[str, int] = {}
        for row in self._rows:
            where = row.menu
            if not where:
                continue
            menu = self._menu(bar, where)
            if where in sections and sections[where] != row.section:
                menu.addSeparator()
            sections[where] = row.section
            if isinstance(row, Submenu):
                self.menus[row.path] = menu.addMenu(row.title)
            else:
                menu.addAction(self._actions[row.id])

    def _menu(self, bar: QMenuBar, path: str) -> QMenu:
        if path not in self.menus:
            if "/" in path:
                raise KeyError(f"submenu {path} is used before its Submenu row")
            self.menus[path] = bar.addMenu(path)
        return self.menus[path]

    def build_toolbar(self, bar: QToolBar, widgets: Mapping[str, QWidget]) -> None:
        for key in TOOLBAR:
            if key is None:
                bar.addSeparator()
            elif key.startswith("@"):
                bar.addWidget(widgets[key[1:]])
            else:
                bar.addAction(self._actions[key])

    def in_menu_order(self) -> list[QAction]:
        """For the shortcut help: every action, in the order the menus show them."""
        return [self._actions[row.id] for row in self._rows if isinstance(row, ActionSpec) and row.menu]

    def enable(self, **state: bool) -> None:
        """Enable each action whose `enabled_when` is one of the states given, as that state says."""
        for spec in self._specs.values():
            if spec.enabled_when in state:
                self._actions[spec.id].setEnabled(state[spec.enabled_when])


__all__ = ["ACTIONS", "TOOLBAR", "ActionSpec", "Actions", "Submenu"]
