"""The main window: wires the document, the canvas, the preview and the worker together.

The window is the controller. It turns what the hand did on the canvas into undoable document edits,
asks the worker for a preview after every edit, and keeps the user's work safe (save prompts, autosave,
messages instead of crashes).
"""

from __future__ import annotations

from collections import Counter
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import QPointF, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import (
    QAction,
    QActionGroup,
    QCloseEvent,
    QColor,
    QDragEnterEvent,
    QDropEvent,
    QKeySequence,
)
from PySide6.QtWidgets import (
    QDialog,
    QDockWidget,
    QLabel,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QSplitter,
    QToolBar,
    QUndoView,
    QVBoxLayout,
    QWidget,
)

from linetint.imaging.cleanup import needs_clean_up
from linetint.imaging.hint_colours import Unhinted
from linetint.imaging.picture_hints import PictureMismatch, hints_from_picture
from linetint.imaging.xdog import xdog
from linetint.model import hints as hint_limits
from linetint.model.hints import HintFormatError, HintLayer, load_hints, save_hints
from linetint.model.images import ImageInputError, load_rgb

from .advice_bar import AdviceBar
from .autosave import AutosaveStore
from .canvas import WHEEL_STEP, HintCanvas, Tool
from .color_panel import RECENT_COUNT, ColorPanel
from .colour_docks import ColourDocks
from .colour_modes import HintColours, modes_text
from .commands import hint_at
from .document import Document
from .exporting import Exporter, ExportJob
from .file_dialogs import FileDialogs
from .focus import CanvasFocus
from .guidance import guidance_text
from .levels_dialog import LevelsDialog
from .placement import place_beside
from .preview import PreviewPane
from .project import SUFFIX as PROJECT_SUFFIX
from .project import ProjectError
from .recent import RecentFiles
from .recolour_dialog import RecolourDialog
from .settings import APPLICATION, ORGANIZATION, AppSettings, SettingsDialog
from .shortcuts import ShortcutsDialog, add_keys_to_tooltip
from .status_text import hint_text, short_model_name, strokes_text
from .strokes import Strokes
from .theme import icon
from .ui_state import restore_ui, save_ui
from .version import app_version
from .worker import ModelChoice, PreviewEngine, PreviewResult

EXPORT_KINDS = {  # kind: dialog title, default name after the picture's stem, file filter
    "png": ("Export Image", "-colored.png", "PNG image (*.png)"),
    "ora": ("Export OpenRaster", ".ora", "OpenRaster (*.ora)"),
    "psd": ("Export Photoshop", ".psd", "Photoshop (*.psd)"),
}
COLOURFUL = 0.08  # mean saturation above which an opened picture is colour art, not line art
IMAGE_FILTER = "Line art (*.png *.jpg *.jpeg *.webp *.bmp *.tif *.tiff)"
PICTURE_FILTER = "Colour pictures (*.png *.jpg *.jpeg *.webp *.bmp *.tif *.tiff)"
PROJECT_FILTER = f"LineTint project (*{PROJECT_SUFFIX})"
OPEN_FILTER = f"Line art or project (*{PROJECT_SUFFIX} *.png *.jpg *.jpeg *.webp *.bmp *.tif *.tiff)"
AUTOSAVE_DELAY_MS = 2000


class MainWindow(QMainWindow):
    autosaveFailed = Signal(str)

    def __init__(
        self,
        settings: AppSettings | None = None,
        engine: PreviewEngine | None = None,
        autosave: AutosaveStore | None = None,
        store: QSettings | None = None,
    ) -> None:
        super().__init__()
        self.settings = settings or AppSettings.load()
        self._store = store or QSettings(ORGANIZATION, APPLICATION)  # recent files, window layout
        self.recent = RecentFiles(self._store)
        self.engine = engine or PreviewEngine(parent=self)
        self.exporter = Exporter(self.engine, self)
        self._quit_after_exports = False  # a close is waiting for exports asked for before it
        self._preview_failing = False  # the model failed and no preview has come since: told once
        self.autosave = autosave
        self.document: Document | None = None
        self.model_info = None
        self.setAcceptDrops(True)
        self.resize(1280, 820)

        self.canvas = HintCanvas()
        self.preview = PreviewPane()
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.canvas)
        self.splitter.addWidget(self.preview)
        self.splitter.setSizes([700, 500])
        self.advice = AdviceBar()  # advice on the opened picture stays until acted on or dismissed
        central = QWidget()
        column = QVBoxLayout(central)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self.advice)
        column.addWidget(self.splitter, 1)
        self.setCentralWidget(central)
        self.history = QUndoView()  # every edit of the open picture; a click goes back to that point
        self.history.setEmptyLabel("Opened")
        self.history_dock = QDockWidget("History", self)
        self.history_dock.setObjectName("history")  # so saveState/restoreState keep it
        self.history_dock.setWidget(self.history)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.history_dock)
        self.resizeDocks([self.history_dock], [190], Qt.Orientation.Horizontal)  # a list, not a panel
        self.history_dock.hide()
        self.colors = ColorPanel()
        self.colour_docks = ColourDocks(self, self.colors, self._store)  # before restore_ui: it places them
        self._recolour: RecolourDialog | None = None  # the recolour being previewed

        self._autosave_timer = QTimer(self, singleShot=True, interval=AUTOSAVE_DELAY_MS)
        self._autosave_timer.timeout.connect(self._autosave_now)
        self._autosave_pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="linetint-autosave")
        self.autosaveFailed.connect(lambda m: self.statusBar().showMessage(f"Autosave failed: {m}", 8000))
        self._build_actions()
        self._build_menus_and_toolbar()
        self._build_status_bar()
        restore_ui(self, self._store)  # window layout, view toggles, brush
        self._show_modes()
        self._rebuild_recent_menu()
        self._connect()
        self.file_dialogs = FileDialogs(self._store, self._document_folder)
        self.canvas_focus = CanvasFocus(self.canvas, self)
        self.canvas_focus.watch([*self.findChildren(QToolBar), *self.findChildren(QDockWidget)])
        self.set_tool(Tool.BRUSH)
        self._update_title()
        self._update_enabled()
        self.engine.load_model(self._model_choice(self.settings))

    def _model_choice(self, settings: AppSettings, device: str | None = None) -> ModelChoice:
        return ModelChoice(settings.checkpoint_path, device or settings.device, settings.precision)

    # --- construction ---
    def _action(
        self, text: str, slot, shortcut=None, icon_name: str | None = None, checkable=False
    ) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            shortcuts = shortcut if isinstance(shortcut, list) else [shortcut]
            action.setShortcuts([QKeySequence(s) for s in shortcuts])
        if icon_name:
            action.setIcon(icon(icon_name))
        action.setCheckable(checkable)
        action.triggered.connect(slot)
        return action

    def _build_actions(self) -> None:
        a = self._action
        self.actions = {
            "open": a("&Open…", self.open_dialog, QKeySequence.StandardKey.Open, "open"),
            "save": a("&Save", self.save, QKeySequence.StandardKey.Save, "save"),
            "save_as": a("Save &As…", self.save_as, "Ctrl+Shift+S"),
            "import_hints": a("&Import Hint Layer…", self.import_hints_dialog),
            "export_hints": a("Export &Hint Layer…", self.export_hints_dialog),
            "picture_hints": a("Hints from a &Colour Picture…", self.picture_hints_dialog),
            "recolour_picture": a("Open a Colour Picture to &Recolour…", self.recolour_picture_dialog),
            "export": a("&Export Image…", lambda: self.export_dialog("png"), "Ctrl+E", "export"),
            "export_ora": a("Export &OpenRaster (.ora)…", lambda: self.export_dialog("ora")),
            "export_psd": a("Export &Photoshop (.psd)…", lambda: self.export_dialog("psd")),
            "lines_over": a("Line Art Over Colour on Export", lambda: None, checkable=True),
            "settings": a("Se&ttings…", self.open_settings, "Ctrl+,"),  # Preferences has no key on Linux
            "quit": a("&Quit", self.close, "Ctrl+Q"),  # StandardKey.Quit has none on Windows
            "copy_image": a("&Copy Image", self.copy_image, "Ctrl+Shift+C"),
            "clear": a("&Clear All Hints", self.clear_hints, None, "clear"),
            "clean_up": a("Clean &Up Line Art…", lambda: self.clean_up_dialog(), "Ctrl+L"),
            "recolor": a("&Recolour Hints of Brush Colour…", lambda: self.recolour_hints_dialog(), "Ctrl+R"),
            "brush": a("&Brush", lambda: self.set_tool(Tool.BRUSH), "B", "brush", True),
            "eraser": a("&Eraser", lambda: self.set_tool(Tool.ERASER), "E", "eraser", True),
            "eyedropper": a("Eye&dropper", lambda: self.set_tool(Tool.EYEDROPPER), "I", "eyedropper", True),
            "move": a("&Move Stroke", lambda: self.set_tool(Tool.MOVE), "M", "move", True),
            "smaller": a("Smaller Brush", lambda: self.colors.grow(-1), "["),
            "bigger": a("Bigger Brush", lambda: self.colors.grow(1), "]"),
            "pick_color": a("Choose &Colour…", self.colors.choose_color),
            "fit": a("&Fit to Window", self.canvas.fit, "Ctrl+0", "zoom-fit"),
            "actual": a("&Actual Pixels (100%)", self.canvas.actual_pixels, "Ctrl+1"),
            "zoom_in": a("Zoom &In", self.canvas.zoom_in, [QKeySequence.StandardKey.ZoomIn, "Ctrl+="]),
            "zoom_out": a("Zoom &Out", self.canvas.zoom_out, QKeySequence.StandardKey.ZoomOut),
            "show_hints": a("Show &Hints", self._toggle_hints, "H", "hints", True),
            "preview_under": a(
                "Preview &Under Line Art", self._toggle_preview_under, "P", "preview-under", True
            ),
            "flats": a("&Flat Colours", self._toggle_flats, "F", None, True),
            "keep_hints": a("&Keep Hint Colours", self._hint_colours_changed, "K", "keep-hints", True),
            "unhinted_network": a("&Network Colour", self._hint_colours_changed, None, None, True),
            "unhinted_paper": a("&Paper", self._hint_colours_changed, None, None, True),
            "follow_canvas": a("Preview &Follows Canvas Zoom", self._sync_preview_view, "L", None, True),
            "shortcuts": a("&Keyboard Shortcuts", self.show_shortcuts, ["F1", "Ctrl+/"]),
            "about": a("&About LineTint", self.show_about),
        }
        self.actions["history"] = self.history_dock.toggleViewAction()
        self.actions["history"].setText("&History")
        self.actions["history"].setShortcut(QKeySequence("Ctrl+H"))
        self.actions["colour_dock"] = self.colour_docks.selector_dock.toggleViewAction()
        self.actions["palette_dock"] = self.colour_docks.palette_dock.toggleViewAction()
        self.actions["lines_over"].setChecked(True)
        self.actions["show_hints"].setChecked(True)
        self.actions["keep_hints"].setChecked(True)  # a hint is a decision: its colour is the colour
        self.actions["keep_hints"].setToolTip(
            "Keep Hint Colours (K): every area holding hints takes their colour, with the network's shading"
        )
        unhinted = QActionGroup(self)  # Unhinted Areas: one or the other
        for key in ("unhinted_network", "unhinted_paper"):
            unhinted.addAction(self.actions[key])
        self.actions["unhinted_network"].setChecked(True)
        tools = QActionGroup(self)  # one tool in hand: the Tools menu ticks it
        for member in Tool:
            tools.addAction(self.actions[member.value])
        stack_undo = QAction(icon("undo"), "&Undo", self)
        stack_undo.setShortcut(QKeySequence.StandardKey.Undo)
        stack_undo.triggered.connect(lambda: self.document and self.document.undo_stack.undo())
        stack_redo = QAction(icon("redo"), "&Redo", self)
        stack_redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        stack_redo.triggered.connect(lambda: self.document and self.document.undo_stack.redo())
        self.actions["undo"], self.actions["redo"] = stack_undo, stack_redo
        for action in self.actions.values():
            self.addAction(action)  # shortcuts work wherever the focus is
            add_keys_to_tooltip(action)
            if action.isCheckable():
                action.setIconVisibleInMenu(False)  # a menu shows its state as a tick, not an icon

    def _build_menus_and_toolbar(self) -> None:
        act = self.actions
        menu = self.menuBar()
        file_menu = menu.addMenu("&File")
        file_menu.addAction(act["open"])
        file_menu.addAction(act["recolour_picture"])
        self.recent_menu = file_menu.addMenu("Open &Recent")
        self.recent_menu.setToolTipsVisible(True)
        for key in ("save", "save_as", None, "import_hints", "picture_hints", "export_hints", None, "export",
                    "export_ora", "export_psd", "lines_over", None, "settings", None, "quit"):  # fmt: skip
            file_menu.addSeparator() if key is None else file_menu.addAction(act[key])
        edit_menu = menu.addMenu("&Edit")
        for key in ("undo", "redo", None, "copy_image", None, "clean_up", "recolor", "clear"):
            edit_menu.addSeparator() if key is None else edit_menu.addAction(act[key])
        tools_menu = menu.addMenu("&Tools")
        for key in ("brush", "eraser", "eyedropper", "move", None, "smaller", "bigger", "pick_color"):
            tools_menu.addSeparator() if key is None else tools_menu.addAction(act[key])
        view_menu = menu.addMenu("&View")
        for key in (
            "zoom_in",
            "zoom_out",
            "fit",
            "actual",
            None,
            "show_hints",
            "preview_under",
            "follow_canvas",
            None,
            "flats",
            "keep_hints",
            None,
            "history",
            "colour_dock",
            "palette_dock",
        ):
            view_menu.addSeparator() if key is None else view_menu.addAction(act[key])
            if key == "keep_hints":
                self.unhinted_menu = view_menu.addMenu("Unhinted &Areas")
                self.unhinted_menu.addAction(act["unhinted_network"])
                self.unhinted_menu.addAction(act["unhinted_paper"])
        help_menu = menu.addMenu("&Help")
        help_menu.addAction(act["shortcuts"])
        help_menu.addAction(act["about"])

        bar = QToolBar("Tools")
        bar.setObjectName("tools")
        bar.setMovable(False)
        tools = ("brush", "eraser", "eyedropper", "move")
        for key in ("open", "save", "export", None, "undo", "redo", None, *tools):
            bar.addSeparator() if key is None else bar.addAction(act[key])
        bar.addSeparator()
        bar.addWidget(self.colors)
        bar.addSeparator()
        for key in ("clear", "show_hints", "preview_under", "keep_hints", "fit"):
            bar.addAction(act[key])
        self.addToolBar(bar)

    def _build_status_bar(self) -> None:
        self.status_model = QLabel("Loading model…")
        self.status_device = QLabel("")
        self.status_time = QLabel("")
        self.status_zoom = QLabel("")
        self.status_hints = QLabel("")
        self.status_under = QLabel("")  # the hint under the pointer: its colour and size
        self.status_under.setTextFormat(Qt.TextFormat.RichText)
        # The modes that change what is exported, always in sight (issue 16: Flat Colours went unnoticed)
        self.status_modes = QLabel("")
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)  # indeterminate: the model gives no progress
        self.busy.setMaximumWidth(90)
        self.busy.setVisible(False)
        bar = self.statusBar()  # transient messages on the left, the model's state always visible
        widgets = (
            self.busy,
            self.status_under,
            self.status_modes,
            self.status_hints,
            self.status_time,
            self.status_model,
            self.status_device,
        )
        for widget in (*widgets, self.status_zoom):
            bar.addPermanentWidget(widget)

    def _connect(self) -> None:
        self.strokes = Strokes(
            lambda: self.document, self.canvas, self.colors, self.statusBar().showMessage, self
        )
        self.canvas.colorPicked.connect(self._pick_from_canvas)
        self.canvas.zoomChanged.connect(lambda z: self.status_zoom.setText(f"{z * 100:.0f}%"))
        self.canvas.viewChanged.connect(self._sync_preview_view)
        self.preview.colorPicked.connect(self._picked)
        self.preview.plainClicked.connect(self._preview_clicked)
        self.preview.wheelZoomed.connect(self._zoom_from_preview)
        self.canvas.pointerMoved.connect(self._show_hint_under)
        self.canvas.brushResized.connect(self.colors.set_size)
        self.colors.sizeChanged.connect(self._brush_size_changed)
        self.colors.recolorRequested.connect(self.recolour_hints_dialog)
        self.colour_docks.palette.recolourRequested.connect(self.recolour_hints_dialog)
        self.colour_docks.palette.message.connect(lambda text: self.statusBar().showMessage(text, 5000))
        self.engine.previewReady.connect(self._show_preview)
        self.exporter.written.connect(lambda text: self.statusBar().showMessage(text, 5000))
        self.exporter.failed.connect(lambda message: QMessageBox.warning(self, "Cannot write", message))
        self.engine.failed.connect(self._model_failed)
        self.engine.modelLoaded.connect(self._model_loaded)
        self.engine.modelFailed.connect(self._model_load_failed)
        self.engine.deviceFellBack.connect(lambda m: QMessageBox.warning(self, "LineTint", m))
        self.engine.busyChanged.connect(self._set_busy)

    # --- documents ---
    def set_document(self, document: Document) -> None:
        if self._recolour is not None:
            self._recolour.reject()  # its trial colours belong to the document going away
        if self.document is not None:
            self.document.deleteLater()
        self.document = document
        document.setParent(self)
        self.advice.dismiss()  # it was about the picture before
        self.exporter.forget()
        self.history.setStack(document.undo_stack)
        self._offer_document_colours(document)
        document.hintsChanged.connect(self._hints_changed)
        document.hintLimitReached.connect(self._hint_limit_reached)
        document.lineartChanged.connect(self._lineart_changed)
        document.modifiedChanged.connect(lambda _: self._update_title())
        document.pathChanged.connect(self._update_title)
        self.engine.invalidate()
        self._take_hint_colours(document)
        self.canvas.set_lineart(document.lineart)
        self.canvas.set_hints(document.hints)
        self._count_hints()
        self.preview.set_result(document.last_result)
        self.canvas.set_preview(document.last_result)
        self._update_title()
        self._update_enabled()
        self.request_preview()

    def open_path(self, path: Path) -> bool:
        """Open line art or a project; on failure say why and keep the current document."""
        if not self.maybe_save():
            return False
        try:
            if path.suffix.lower() == PROJECT_SUFFIX:
                document = Document.from_project(path)
            else:
                document = Document.from_image(path)
        except (ImageInputError, ProjectError, OSError) as exc:
            QMessageBox.warning(self, "Cannot open", f"LineTint cannot open {path.name}:\n{exc}")
            return False
        self.set_document(document)
        self.recent.add(path)
        self._rebuild_recent_menu()
        self._advise_on(document)
        return True

    def _advise_on(self, document: Document) -> None:
        """Advice over the canvas when an opened picture is not the clean line art the model expects; it
        stays until its button is used or it is dismissed."""
        if document.source_colourfulness > COLOURFUL:
            text = "This is a colour picture: File ▸ Open a Colour Picture to Recolour draws its lines"
            self.advice.advise(text, self.actions["recolour_picture"], "Open as a Colour Picture…")
        elif not document.hints.hints and needs_clean_up(document.lineart):
            text = "Grey paper or uneven light: Edit ▸ Clean Up Line Art (Ctrl+L) gives clean lines"
            self.advice.advise(text, self.actions["clean_up"], "Clean Up Line Art…")

    def recolour_picture_dialog(self) -> None:
        path = self.file_dialogs.open_file(self, "Open a Colour Picture to Recolour", PICTURE_FILTER)
        if path:
            self.open_colour_picture(path)

    def open_colour_picture(self, path: Path) -> bool:
        """A finished colour picture as a new document: its lines (XDoG), with hints in its own colours,
        ready to try other colours on."""
        if not self.maybe_save():
            return False
        try:
            picture = load_rgb(path)
            lines = xdog(picture)
            hints = hints_from_picture(lines, picture)
        except ImageInputError as exc:
            QMessageBox.warning(self, "Cannot open", f"LineTint cannot open {path.name}:\n{exc}")
            return False
        self.set_document(Document(lines, hints, source_name=f"{path.stem} (lines).png"))
        message = f"Lines drawn from {path.name}, with {len(hints)} hints in its colours"
        self.statusBar().showMessage(message, 6000)
        return True

    def open_recent(self, path: Path) -> bool:
        if not path.is_file():
            QMessageBox.warning(
                self, "Cannot open", f"{path.name} is no longer at\n{path.parent}\nand leaves Open Recent."
            )
            self.recent.remove(path)
            self._rebuild_recent_menu()
            return False
        return self.open_path(path)

    def _rebuild_recent_menu(self) -> None:
        menu = self.recent_menu
        menu.clear()
        paths = self.recent.paths()
        for number, path in enumerate(paths, start=1):
            # &1…&9, &0: keyboard accelerators; a '&' in a file name is doubled to show as itself
            action = menu.addAction(f"&{number % 10}  {path.name.replace('&', '&&')}")
            action.setToolTip(str(path))
            action.setStatusTip(str(path))
            action.triggered.connect(lambda _=False, p=path: self.open_recent(p))
        menu.addSeparator()
        menu.addAction("Clear Menu", self._clear_recent).setEnabled(bool(paths))
        menu.setEnabled(bool(paths))

    def _clear_recent(self) -> None:
        self.recent.clear()
        self._rebuild_recent_menu()

    def open_dialog(self) -> None:
        path = self.file_dialogs.open_file(self, "Open", f"{OPEN_FILTER};;{PROJECT_FILTER};;{IMAGE_FILTER}")
        if path:
            self.open_path(path)

    def save(self) -> bool:
        if self.document is None:
            return False
        if self.document.path is None:
            return self.save_as()
        return self._save_to(self.document.path)

    def save_as(self) -> bool:
        if self.document is None:
            return False
        suggested = self.document.path or Path(
            f"{Path(self.document.source_name or 'untitled').stem}{PROJECT_SUFFIX}"
        )
        chosen = self.file_dialogs.save_file(self, "Save Project", str(suggested), PROJECT_FILTER)
        if chosen is None:
            return False
        path = chosen[0]
        if path.suffix.lower() != PROJECT_SUFFIX:
            path = path.with_name(path.name + PROJECT_SUFFIX)
        return self._save_to(path)

    def _save_to(self, path: Path) -> bool:
        try:
            self.document.save(path)
        except OSError as exc:
            QMessageBox.warning(self, "Cannot save", f"LineTint could not save {path.name}:\n{exc}")
            return False
        if self.autosave is not None:
            self.autosave.forget()  # saved by the user: nothing left to recover
        self.recent.add(path)
        self._rebuild_recent_menu()
        self.statusBar().showMessage(f"Saved {path.name}", 3000)
        return True

    def maybe_save(self) -> bool:
        """Ask before unsaved changes would be lost. False: the user cancelled."""
        if self.document is None or not self.document.modified:
            return True
        doc = self.document
        # Named as the project it saves to: the line art it was opened from is never overwritten.
        question = (
            f"Save the changes to the project {doc.path.name}?"
            if doc.path is not None
            else f"Save your hints as a project ({Path(doc.source_name or 'untitled').stem}{PROJECT_SUFFIX})?"
            f" {doc.source_name or 'The line art'} itself is not changed."
        )
        answer = QMessageBox.question(
            self,
            "Unsaved changes",
            question,
            QMessageBox.StandardButton.Save
            | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel,
        )
        if answer == QMessageBox.StandardButton.Save:
            return self.save()
        return answer == QMessageBox.StandardButton.Discard

    # --- hints ---
    def _offer_document_colours(self, document: Document) -> None:
        """An opened picture's (or imported layer's) hint colours, most used first, lead the recent row:
        its palette at hand."""
        counts = Counter(hint.color for hint in document.hints.hints)
        if counts:
            used = [QColor(*colour) for colour, _ in counts.most_common(RECENT_COUNT)]
            self.colors.set_recent(used + self.colors.recent)

    def clear_hints(self) -> None:
        if self.document is not None:
            self.document.clear_hints()

    def _count_hints(self) -> None:
        hints = self.document.hints.hints
        counts = Counter(hint.color for hint in hints)
        self.colour_docks.palette.set_hint_counts(counts)
        self.status_hints.setText(strokes_text(self.document.hints, len(counts)))
        self._update_guidance()

    def _update_guidance(self) -> None:
        """The preview says what to do until the page has hints, and while the model is a stand-in."""
        doc, info = self.document, self.model_info
        has_hints, trained = doc is not None and len(doc.hints) > 0, None if info is None else info.trained
        self.preview.set_guidance(guidance_text(doc is not None, has_hints, trained))

    def _hints_changed(self) -> None:
        self._count_hints()
        self.canvas.set_hints(self.document.hints)
        self.request_preview()
        self._autosave_timer.start()

    def _lineart_changed(self) -> None:
        self.canvas.set_lineart(self.document.lineart)
        self.request_preview()
        self._autosave_timer.start()

    def request_preview(self, hints: HintLayer | None = None) -> None:
        """A preview of the document, or of `hints` in its place (a trial, such as a recolour)."""
        if self.document is not None:
            doc, flat = self.document, self.actions["flats"].isChecked()
            side, layer = self.settings.preview_max_side, doc.hints if hints is None else hints
            self.engine.request(doc.lineart, layer, side, flat, self.hint_colours())

    def _toggle_flats(self) -> None:
        self._show_modes()
        self.request_preview()  # the worker makes the flat colours along with the next result

    def hint_colours(self) -> HintColours:
        """View ▸ Keep Hint Colours and View ▸ Unhinted Areas, as the menu shows them."""
        paper = self.actions["unhinted_paper"].isChecked()
        unhinted = Unhinted.PAPER if paper else Unhinted.NETWORK
        return HintColours(self.actions["keep_hints"].isChecked(), unhinted)

    def _set_hint_colours(self, choice: HintColours) -> None:
        self.actions["keep_hints"].setChecked(choice.keep)
        self.actions[f"unhinted_{choice.unhinted.value}"].setChecked(True)
        self._show_modes()

    def _take_hint_colours(self, document: Document) -> None:
        """A project brings the choice it was saved with; a picture takes the window's."""
        if document.hint_colours is not None:
            self._set_hint_colours(document.hint_colours)
        document.hint_colours = self.hint_colours()

    def _hint_colours_changed(self) -> None:
        if self.document is not None:
            self.document.hint_colours = self.hint_colours()  # saved with the project
        self._show_modes()
        self.request_preview()

    def _show_modes(self) -> None:
        choice = self.hint_colours()
        self.unhinted_menu.setEnabled(choice.keep)  # paper or network matters only for kept colours
        self.status_modes.setText(modes_text(self.actions["flats"].isChecked(), choice))

    def import_hints_dialog(self) -> None:
        if self.document is None:
            return
        path = self.file_dialogs.open_file(
            self, "Import Hint Layer", "Hint layers (*.json *.png *.webp *.tif *.tiff)"
        )
        if path:
            self.import_hints(path)

    def import_hints(self, path: Path) -> bool:
        try:
            layer = load_hints(path, self.document.width, self.document.height)
        except HintFormatError as exc:
            QMessageBox.warning(self, "Cannot import hints", f"{path.name}: {exc}")
            return False
        self.document.set_hints(layer, text=f"Import {path.name}")
        self._offer_document_colours(self.document)
        self.statusBar().showMessage(f"Imported {len(layer)} hints from {path.name}", 4000)
        return True

    def _hint_limit_reached(self, limit: int) -> None:
        self.statusBar().showMessage(
            f"This page has the most hints LineTint keeps ({limit:,}); erase some to paint more.", 8000
        )

    def picture_hints_dialog(self) -> None:
        if self.document is None:
            return
        path = self.file_dialogs.open_file(self, "Hints from a Colour Picture", PICTURE_FILTER)
        if path:
            self.hints_from_picture(path)

    def hints_from_picture(self, path: Path) -> bool:
        """Replace the hints by one per area, coloured as `path` (a colouring of this drawing) paints it."""
        doc = self.document
        try:
            layer = hints_from_picture(doc.lineart, load_rgb(path))
        except (ImageInputError, PictureMismatch) as exc:
            QMessageBox.warning(self, "Cannot take hints from it", f"{path.name}: {exc}")
            return False
        if not len(layer):
            QMessageBox.warning(self, "No hints", "The line art has no closed areas to put hints in.")
            return False
        if len(layer) > hint_limits.MAX_HINTS:  # such a page could not be opened again once saved
            QMessageBox.warning(
                self,
                "Cannot take hints from it",
                f"{path.name} makes {len(layer):,} hints; LineTint keeps at most {hint_limits.MAX_HINTS:,}.",
            )
            return False
        doc.set_hints(layer, "Hints from a colour picture")
        self._offer_document_colours(doc)
        self.statusBar().showMessage(f"{len(layer)} hints from {path.name} (Ctrl+Z to undo)", 5000)
        return True

    def export_hints_dialog(self) -> None:
        if self.document is None:
            return
        answer = self.file_dialogs.save_file(
            self, "Export Hint Layer", "hints.json", "Hint file (*.json);;Transparent PNG layer (*.png)"
        )
        if answer:
            path, chosen = answer
            if path.suffix.lower() not in (".json", ".png"):
                path = path.with_suffix(".png" if "png" in chosen else ".json")
            self._guarded_write(lambda: save_hints(self.document.hints, path), path)

    # --- colour ---
    def _pick_from_canvas(self, pos: QPointF) -> None:
        doc = self.document
        x, y = int(pos.x()), int(pos.y())
        if doc is None or not (0 <= x < doc.width and 0 <= y < doc.height):
            return
        shown = self.canvas.preview_rgb  # under the lines: flats too
        if self.canvas.show_preview_under and shown is not None:
            row, column = y * shown.shape[0] // doc.height, x * shown.shape[1] // doc.width  # small previews
            self._picked(QColor(*(int(c) for c in shown[row, column])))
            return
        under = hint_at(doc.hints, x, y) if self.canvas.show_hints else None
        if under is not None:
            self._picked(QColor(*doc.hints.hints[under].color))
        else:
            self._picked(QColor(*([int(doc.lineart[y, x])] * 3)))

    def clean_up_dialog(self) -> LevelsDialog | None:
        """Levels for the line art, previewed on the canvas; OK makes them one undo step."""
        doc = self.document
        if doc is None:
            return None
        dialog = LevelsDialog(doc.lineart, self)
        dialog.previewChanged.connect(self.canvas.set_lineart)
        dialog.finished.connect(lambda code: self._finish_clean_up(dialog, code))
        dialog.open()
        place_beside(dialog, self.canvas)  # the trial shows on the canvas: keep it in sight
        return dialog

    def _finish_clean_up(self, dialog: LevelsDialog, code: int) -> None:
        doc = self.document
        dialog.deleteLater()
        if doc is None:
            return
        if code == QDialog.DialogCode.Accepted and not dialog.levels().is_identity:
            doc.set_lineart(dialog.result(), doc.source_path, "Clean up line art")
        else:  # the canvas showed the trial (its colour underneath stays): put the line art back
            self.canvas.set_lineart(doc.lineart)

    def recolour_hints_dialog(self, color: QColor | None = None) -> RecolourDialog | None:
        """Every hint of `color` (default: the brush colour) takes a colour chosen in a dialog; the canvas
        and the preview show each colour as it is chosen, OK makes it one undo step, Cancel shows the
        hints as they were."""
        doc = self.document
        if doc is None:
            return None
        old = QColor(color) if color is not None else self.colors.color
        count = doc.count_colour((old.red(), old.green(), old.blue()))
        if not count:
            message = f"No hint has the colour {old.name()}; Alt+click a hint to take its colour first"
            self.statusBar().showMessage(message, 6000)
            return None
        if self._recolour is not None:
            self._recolour.reject()
        dialog = self._recolour = RecolourDialog(old, count, self)
        dialog.previewChanged.connect(lambda new: self._preview_recolour(doc, old, new))
        dialog.finished.connect(lambda code: self._finish_recolour(dialog, doc, code))
        dialog.open()
        return dialog

    def _preview_recolour(self, doc: Document, old: QColor, new: QColor) -> None:
        if doc is not self.document:
            return
        old_rgb, new_rgb = (old.red(), old.green(), old.blue()), (new.red(), new.green(), new.blue())
        trial = doc.hints.with_hints(
            replace(h, color=new_rgb) if h.color == old_rgb else h for h in doc.hints.hints
        )
        self.canvas.set_hints(trial)  # counting hints: cheap; the picture itself is the worker's
        self.request_preview(trial)

    def _finish_recolour(self, dialog: RecolourDialog, doc: Document, code: int) -> None:
        dialog.deleteLater()
        if self._recolour is dialog:
            self._recolour = None
        if doc is not self.document:
            return
        old, new = dialog.old, dialog.colour
        changed = 0
        if code == QDialog.DialogCode.Accepted:
            changed = doc.recolour_hints(
                (old.red(), old.green(), old.blue()), (new.red(), new.green(), new.blue())
            )
        if not changed:  # cancelled, or OK on the same colour: the canvas showed a trial, put it back
            self.canvas.set_hints(doc.hints)
            self.request_preview()
            return
        self.colors.set_color(new)  # painting on continues in the new colour
        self.colors.remember(new)
        self.colors.forget(old)  # no hint has it now: it would only linger among the recent colours
        plural = "s" if changed > 1 else ""
        self.statusBar().showMessage(f"Recoloured {changed} hint{plural}: {old.name()} → {new.name()}", 5000)

    def _picked(self, color: QColor) -> None:
        self.colors.set_color(color)
        if self.canvas.tool is Tool.EYEDROPPER:
            self.set_tool(Tool.BRUSH)  # pick, then paint: what painters expect after a one-off pick

    # --- tools and view ---
    def set_tool(self, tool: Tool) -> None:
        self.canvas.tool = tool
        for member in Tool:
            self.actions[member.value].setChecked(tool is member)
        shape = Qt.CursorShape.SizeAllCursor if tool is Tool.MOVE else Qt.CursorShape.CrossCursor
        self.canvas.setCursor(shape)
        self.canvas.update()
        self.preview.picking = tool is Tool.EYEDROPPER

    def _document_folder(self) -> Path | None:
        doc = self.document
        where = None if doc is None else doc.path or doc.source_path
        return None if where is None else where.parent

    def _preview_clicked(self) -> None:
        # Decided (issue 16): a brush click on the preview changes nothing; it says how to pick instead.
        self.statusBar().showMessage(
            "The preview is for looking: Alt+click (or Ctrl+click, or the eyedropper, I) picks its colour",
            4000,
        )

    def _zoom_from_preview(self, point: QPointF, steps: float) -> None:
        """The wheel over the preview: with Preview Follows Canvas Zoom, the canvas zooms at that point of
        the picture (and the preview with it); otherwise the preview zooms on its own."""
        if not self.actions["follow_canvas"].isChecked():
            self.preview.zoom_at(point, WHEEL_STEP**steps)
            return
        doc = self.document
        if doc is None:
            return
        image = QPointF(point.x() * doc.width, point.y() * doc.height)
        self.canvas.set_zoom(self.canvas.zoom * WHEEL_STEP**steps, self.canvas.widget_pos(image))

    def _show_hint_under(self, pos: QPointF | None) -> None:
        doc = self.document
        index = None if pos is None or doc is None else self.canvas.hint_under_pointer(pos)
        self.status_under.setText("" if index is None else hint_text(doc.hints.hints[index]))

    def _brush_size_changed(self, size: int) -> None:
        self.canvas.brush_size = size
        self.canvas.update()

    def _toggle_hints(self) -> None:
        self.canvas.show_hints = self.actions["show_hints"].isChecked()
        self.canvas.update()

    def _sync_preview_view(self) -> None:
        follow = self.actions["follow_canvas"].isChecked()
        self.preview.set_view(self.canvas.visible_fraction() if follow else None)

    def _toggle_preview_under(self) -> None:
        self.canvas.show_preview_under = self.actions["preview_under"].isChecked()
        self.canvas.update()

    # --- model results ---
    def _show_preview(self, result: PreviewResult) -> None:
        if self.document is None:
            return
        self._preview_failing = False
        if not result.quick:  # the quick pass is a stand-in; projects keep the full preview
            self.document.last_result = result.rgb  # the network's output; flat colours derive from it
        self.preview.set_result(result.display, result.display_image)
        self.canvas.set_preview(result.colour, result.colour_image)  # it multiplies its own lines over
        kind = "quick preview" if result.quick else "preview"
        self.status_time.setText(f"{kind} {result.seconds * 1000:.0f} ms")
        self.status_time.setToolTip(result.detail)

    def _may_quit_before_exports(self) -> bool:
        """Exports asked for are never dropped silently: the first close waits for them and closes when
        they are written; closing again while they run asks whether to quit without them."""
        if not self._quit_after_exports:
            self._quit_after_exports = True
            self.exporter.settled.connect(self._close_after_exports)
            self._show_exports_left()
            self.exporter.written.connect(self._show_exports_left)
            return False
        answer = QMessageBox.question(
            self,
            "Exports not written yet",
            f"{self.exporter.pending} export(s) are still being written. Quit without them?",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        )
        return answer == QMessageBox.StandardButton.Yes

    def _show_exports_left(self) -> None:
        if self.exporter.pending:
            self.statusBar().showMessage(f"Writing {self.exporter.pending} export(s) before quitting…")

    def _close_after_exports(self) -> None:
        self.exporter.settled.disconnect(self._close_after_exports)
        self.exporter.written.disconnect(self._show_exports_left)
        self._quit_after_exports = False
        self.close()

    def _set_busy(self, busy: bool) -> None:
        self.busy.setVisible(busy)
        self.preview.set_busy(busy or not self.engine.up_to_date)

    def _model_loaded(self, info) -> None:
        self.model_info = info
        warning = "" if info.trained else " — untrained, colours mean nothing"
        self.status_model.setText(f"Model: {short_model_name(info.name)}{' (untrained)' if warning else ''}")
        self.status_model.setToolTip(f"{info.name}{warning}\nArchitecture: {info.config_name}")
        self.status_device.setText(f"{info.device} · {info.precision}")
        self._update_guidance()
        if info.notice:  # e.g. the precision chosen in the settings cannot run on this device
            self.statusBar().showMessage(info.notice, 10000)
        self.request_preview()

    def _model_load_failed(self, message: str) -> None:
        QMessageBox.warning(
            self, "Model not loaded", f"{message}\n\nLineTint uses the default model instead."
        )
        self.engine.load_model(replace(self._model_choice(self.settings, "cpu"), checkpoint=None))

    def _model_failed(self, message: str) -> None:
        self.statusBar().showMessage(f"The model failed: {message}. Your hints are safe.", 8000)
        # One dialog per failure: a drag asks for a preview at every few dabs, and each would fail alike.
        if self._preview_failing:
            return
        self._preview_failing = True
        QMessageBox.warning(
            self, "Preview failed", f"The model failed:\n{message}\n\nYour hints are unchanged."
        )

    # --- export ---
    def export_dialog(self, kind: str) -> None:
        """Ask where, then export: a PNG, or the layers as OpenRaster (Krita, GIMP) or Photoshop (Clip
        Studio Paint, Photoshop, Affinity, Procreate)."""
        if self.document is None:
            return
        title, suffix, name_filter = EXPORT_KINDS[kind]
        stem = Path(self.document.source_name or "untitled").stem
        answer = self.file_dialogs.save_file(self, title, stem + suffix, name_filter)
        if answer:
            path = answer[0] if answer[0].suffix.lower() == f".{kind}" else Path(f"{answer[0]}.{kind}")
            self.export(path, kind, self.actions["lines_over"].isChecked() if kind == "png" else True)

    def copy_image(self) -> None:
        """The exported picture (full resolution, lines as on export) onto the clipboard, for pasting into
        a painting program."""
        if self.document is not None:
            self.export(None, "clipboard", self.actions["lines_over"].isChecked())

    def export(self, path: Path | None, kind: str, multiply_lines: bool = True) -> None:
        """Render at full resolution in the worker, then write; the window stays usable meanwhile."""
        doc = self.document
        self.statusBar().showMessage(f"Rendering {path.name if path else 'the picture'} at full resolution…")
        job = ExportJob(path, kind, multiply_lines, doc.lineart, doc.hints)
        self.exporter.export(job, self.actions["flats"].isChecked(), self.hint_colours())

    def _guarded_write(self, write, path: Path) -> bool:
        try:
            write()
        except (OSError, ValueError, HintFormatError) as exc:
            QMessageBox.warning(self, "Cannot write", f"LineTint could not write {path.name}:\n{exc}")
            return False
        return True

    # --- autosave ---
    def _autosave_now(self) -> None:
        """Snapshot on the GUI thread (cheap, immutable), write on the autosave thread (PNG encoding of a
        big picture takes seconds); one write at a time, a newer snapshot waits for the running one."""
        if self.autosave is None or self.document is None or not self.document.modified:
            return
        doc = self.document
        data, name, origin = doc.snapshot(), doc.display_name(), doc.path or doc.source_path
        future = self._autosave_pool.submit(self.autosave.save, data, display_name=name, original_path=origin)
        future.add_done_callback(self._autosave_done)

    def _autosave_done(self, future: Future) -> None:
        exc = future.exception()
        if exc is not None:  # runs on the autosave thread: hand the message to the GUI thread
            self.autosaveFailed.emit(str(exc))

    def offer_recovery(self) -> None:
        """After a crash, offer to restore what the last session autosaved."""
        if self.autosave is None:
            return
        for entry in self.autosave.pending():
            answer = QMessageBox.question(
                self,
                "Recover unsaved work",
                f"LineTint closed unexpectedly while you worked on {entry.display_name}. Restore it?",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            )
            if answer == QMessageBox.StandardButton.Yes:
                try:
                    data = self.autosave.load(entry)
                    self.set_document(Document.from_project_data(data, path=None, modified=True))
                except (ProjectError, OSError) as exc:
                    QMessageBox.warning(self, "Cannot recover", str(exc))
                    continue
            self.autosave.discard(entry)

    # --- misc ---
    def open_settings(self) -> None:
        dialog = SettingsDialog(self.settings, self)
        if dialog.exec():
            new = dialog.result_settings()
            model_changed = self._model_choice(new) != self._model_choice(self.settings)
            self.settings = new
            new.save()
            if model_changed:
                self.status_model.setText("Loading model…")
                self.engine.load_model(self._model_choice(new))
            else:
                self.request_preview()

    def show_shortcuts(self) -> ShortcutsDialog:
        menus = [a.menu() for a in self.menuBar().actions() if a.menu() is not None]
        dialog = ShortcutsDialog([a for m in menus for a in m.actions() if not a.isSeparator()], self)
        dialog.open()  # not modal to the app: it can stay open beside the canvas
        return dialog

    def show_about(self) -> None:
        info = self.model_info
        model = (
            "loading…"
            if info is None
            else f"{info.name} on {info.device}"
            + ("" if info.trained else " (untrained: its colours mean nothing)")
        )
        QMessageBox.about(
            self,
            "About LineTint",
            f"<h3>LineTint {app_version()}</h3><p>Colorize line art from a few colour hints.</p>"
            f"<p>Model: {model}</p><p>After Yuan &amp; Simo-Serra, <i>Line Art Colorization with "
            "Concatenated Spatial Attention</i>, CVPR 2021 Workshops.</p>",
        )

    def _update_title(self) -> None:
        name = self.document.title() if self.document is not None else "LineTint"
        self.setWindowTitle(f"{name} — LineTint" if self.document is not None else name)

    def _update_enabled(self) -> None:
        has_doc = self.document is not None
        for key in (
            "save",
            "save_as",
            "import_hints",
            "picture_hints",
            "export_hints",
            "export",
            "export_ora",
            "export_psd",
            "copy_image",
            "clean_up",
            "recolor",
            "clear",
        ):
            self.actions[key].setEnabled(has_doc)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        local = [Path(u.toLocalFile()) for u in event.mimeData().urls() if u.isLocalFile()]
        if local:
            event.acceptProposedAction()
            self.open_path(local[0])

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.exporter.pending and not self._may_quit_before_exports():
            event.ignore()
            return
        if not self.maybe_save():
            event.ignore()
            return
        save_ui(self, self._store)
        self._autosave_timer.stop()  # a snapshot due after this would find its thread gone
        self.hide()  # gone at once: what follows may wait for a preview run to finish
        self.engine.shutdown()
        self._autosave_pool.shutdown(wait=True)
        self.exporter.shutdown()
        if self.autosave is not None:
            self.autosave.mark_clean_exit()
        event.accept()
