"""The main window: builds the views and wires them to the open document and to the services.

It holds no feature's logic. The views (canvas, preview, colour docks, history) show the document; the
controllers do what the menus ask, each with only what it needs: `files_controller.Files` (open, save,
recovery, hints from files), `export_controller.Exports` (exports and Copy Image),
`recolour_flow.RecolourFlow`, `clean_up_flow.CleanUpFlow`, `modes_controller.Modes` (the View modes) and
`model_status.ModelStatus` (the model and the busy bar); `strokes.Strokes` turns the hand's work on the
canvas into document edits. After every edit the window asks the worker for a preview.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPointF, QSettings, Qt
from PySide6.QtGui import (
    QCloseEvent,
    QColor,
    QDragEnterEvent,
    QDropEvent,
)
from PySide6.QtWidgets import (
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

from linetint.model.colorizer import ModelInfo
from linetint.model.hints import HintLayer

from .actions import RECENT, UNHINTED, Actions
from .advice_bar import AdviceBar
from .autosave import AutosaveStore
from .canvas import WHEEL_STEP, HintCanvas, Tool
from .clean_up_flow import CleanUpFlow
from .colour_docks import ColourDocks
from .colour_panel import ColourPanel
from .document import Document
from .export_controller import Exports
from .file_dialogs import FileDialogs
from .files_controller import Files
from .focus import CanvasFocus
from .guidance import guidance_text
from .jobs import Job, Jobs
from .levels_dialog import LevelsDialog
from .model_status import ModelStatus, model_choice
from .modes_controller import Modes
from .opening import OpenedFile
from .preview import PreviewPane
from .recent import RecentFiles
from .recolour_dialog import RecolourDialog
from .recolour_flow import RecolourFlow
from .settings import APPLICATION, ORGANIZATION, AppSettings, SettingsDialog
from .shortcuts import ShortcutsDialog
from .status_text import hint_text, strokes_text
from .strokes import Strokes
from .ui_state import RememberedUi, restore_ui, save_ui
from .version import app_version
from .worker import PreviewEngine, PreviewResult


class MainWindow(QMainWindow):
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
        self.jobs = Jobs(self)  # every picture-sized step but the model's, off the GUI thread
        self.autosave = autosave
        self.document: Document | None = None
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
        self.colours = ColourPanel()
        self.colour_docks = ColourDocks(self, self.colours, self._store)  # before restore_ui: it places them

        self._build_actions()
        self._build_status_bar()
        self.file_dialogs = FileDialogs(self._store, self._document_folder)
        self._build_controllers()
        self.act.check_handlers(self)  # every handler in the table names something that is there now
        self._remembered = RememberedUi(self, self.splitter, self.act, self.colours)
        restore_ui(self._remembered, self._store)  # window layout, view toggles, brush
        self.modes.show()
        self._connect()
        self.canvas_focus = CanvasFocus(self.canvas, self)
        self.canvas_focus.watch([*self.findChildren(QToolBar), *self.findChildren(QDockWidget)])
        self.set_tool(Tool.BRUSH)
        self._update_title()
        self._update_enabled()
        self.engine.load_model(model_choice(self.settings))

    # --- construction ---
    def _build_actions(self) -> None:
        """Actions, menus and the toolbar, from the table in actions.py."""
        provided = {
            "history": self.history_dock.toggleViewAction(),
            "colour_dock": self.colour_docks.selector_dock.toggleViewAction(),
            "palette_dock": self.colour_docks.palette_dock.toggleViewAction(),
        }
        self.act = Actions(self, provided)
        self.act.build_menus(self.menuBar())
        self.recent_menu = self.act.menus[RECENT.path]
        self.recent_menu.setToolTipsVisible(True)
        self.unhinted_menu = self.act.menus[UNHINTED.path]
        bar = QToolBar("Tools")
        bar.setObjectName("tools")
        bar.setMovable(False)
        self.act.build_toolbar(bar, {"colours": self.colours})
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

    def _build_controllers(self) -> None:
        """The feature controllers, each given only what it works with; the actions table names them."""
        document, say = (lambda: self.document), self.statusBar().showMessage
        self.modes = Modes(self.act, self.unhinted_menu, self.status_modes, document, self.request_preview)
        self.files = Files(
            self, document, self.set_document, self.jobs, self.file_dialogs, self.recent, self.recent_menu,
            self.autosave, self.colours, self.advice, self.act, say,
        )  # fmt: skip
        self.exports = Exports(
            self, document, self.engine, self.jobs, self.file_dialogs, self.modes, self.act["lines_over"],
            say, self.close,
        )  # fmt: skip
        self.recolouring = RecolourFlow(self, document, self.canvas, self.colours, self.request_preview, say)
        self.clean_up = CleanUpFlow(self, document, self.canvas, self.jobs)
        labels = (self.status_model, self.status_device, self.status_time)
        self.model_status = ModelStatus(
            self,
            self.engine,
            self.jobs,
            self.preview,
            self.statusBar(),
            labels,
            self.busy,
            lambda: self.settings,
        )
        self.strokes = Strokes(document, self.canvas, self.colours, say, self)

    def _connect(self) -> None:
        self.strokes.colourPicked.connect(self._picked)
        self.canvas.zoomChanged.connect(lambda z: self.status_zoom.setText(f"{z * 100:.0f}%"))
        self.canvas.viewChanged.connect(self._sync_preview_view)
        self.preview.colourPicked.connect(self._picked)
        self.preview.plainClicked.connect(self._preview_clicked)
        self.preview.wheelZoomed.connect(self._zoom_from_preview)
        self.canvas.pointerMoved.connect(self._show_hint_under)
        self.canvas.brushResized.connect(self.colours.set_size)
        self.colours.sizeChanged.connect(self._brush_size_changed)
        self.colours.recolourRequested.connect(self.recolouring.start)
        self.colour_docks.palette.recolourRequested.connect(self.recolouring.start)
        self.colour_docks.palette.message.connect(lambda text: self.statusBar().showMessage(text, 5000))
        self.engine.previewReady.connect(self._show_preview)
        self.model_status.loaded.connect(self._model_loaded)

    @property
    def model_info(self) -> ModelInfo | None:
        return self.model_status.info

    # --- the open document ---
    def set_document(self, document: Document) -> None:
        self.recolouring.drop()  # its trial colours belong to the document going away
        if self.document is not None:
            self.document.deleteLater()
        self.document = document
        document.setParent(self)
        self.advice.dismiss()  # it was about the picture before
        self.exports.exporter.forget()
        self.history.setStack(document.undo_stack)
        self.colours.lead_with(document.colour_counts())
        document.hintsChanged.connect(self._hints_changed)
        document.hintLimitReached.connect(self._hint_limit_reached)
        document.lineartChanged.connect(self._lineart_changed)
        document.modifiedChanged.connect(lambda _: self._update_title())
        document.pathChanged.connect(self._update_title)
        self.engine.invalidate()
        self.modes.take_from(document)
        self.canvas.set_lineart(document.lineart)
        self.canvas.set_hints(document.hints)
        self._count_hints()
        # A recoloured picture's stored result is the network's colour without the picture's light and
        # shade, not what its preview shows: nothing until the worker's first preview, which keeps them.
        stored = document.last_result if document.shading is None else None
        self.preview.set_result(stored)
        self.canvas.set_preview(stored)
        self._update_title()
        self._update_enabled()
        self.request_preview()

    # What scripts, the command line and tests call; the controllers do it.
    def open_path(self, path: Path) -> Job[OpenedFile]:
        return self.files.open_path(path)

    def import_hints(self, path: Path) -> bool:
        return self.files.import_hints(path)

    def offer_recovery(self) -> None:
        self.files.offer_recovery()

    def recolour_hints_dialog(self, colour: QColor | None = None) -> RecolourDialog | None:
        return self.recolouring.start(colour)

    def clean_up_dialog(self) -> LevelsDialog | None:
        return self.clean_up.start()

    def export(self, path: Path | None, kind: str, multiply_lines: bool = True) -> None:
        self.exports.export(path, kind, multiply_lines)

    def clear_hints(self) -> None:
        if self.document is not None:
            self.document.clear_hints()

    def _count_hints(self) -> None:
        if self.document is not None:
            counts = self.document.colour_counts()
            self.colour_docks.palette.set_hint_counts(counts)
            self.status_hints.setText(strokes_text(self.document.hints, len(counts)))
        self._update_guidance()

    def _update_guidance(self) -> None:
        """The preview says what to do until the page has hints, and while the model is a stand-in."""
        doc, info = self.document, self.model_info
        has_hints, trained = doc is not None and len(doc.hints) > 0, None if info is None else info.trained
        self.preview.set_guidance(guidance_text(doc is not None, has_hints, trained))

    def _hints_changed(self) -> None:
        if self.document is None:
            return
        self._count_hints()
        self.canvas.set_hints(self.document.hints)
        self.request_preview()
        self.files.autosave_timer.start()

    def _lineart_changed(self) -> None:
        if self.document is None:
            return
        self.canvas.set_lineart(self.document.lineart)
        self.request_preview()
        self.files.autosave_timer.start()

    def _hint_limit_reached(self, limit: int) -> None:
        self.statusBar().showMessage(
            f"This page has the most hints LineTint keeps ({limit:,}); erase some to paint more.", 8000
        )

    def request_preview(self, hints: HintLayer | None = None) -> None:
        """A preview of the document, or of `hints` in its place (a trial, such as a recolour)."""
        if self.document is not None:
            doc, flat = self.document, self.modes.flats()
            side, layer = self.settings.preview_max_side, doc.hints if hints is None else hints
            choice = self.modes.hint_colours()
            self.engine.request(doc.lineart, layer, side, flat, choice, shading=doc.shading)

    # --- tools and view ---
    def _picked(self, colour: QColor) -> None:
        self.colours.set_colour(colour)
        if self.canvas.tool is Tool.EYEDROPPER:
            self.set_tool(Tool.BRUSH)  # pick, then paint: what painters expect after a one-off pick

    # --- tools and view ---
    def set_tool(self, tool: Tool) -> None:
        self.canvas.tool = tool
        for member in Tool:
            self.act[member.value].setChecked(tool is member)
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
        if not self.act["follow_canvas"].isChecked():
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
        self.status_under.setText("" if doc is None or index is None else hint_text(doc.hints.hints[index]))

    def _brush_size_changed(self, size: int) -> None:
        self.canvas.brush_size = size
        self.canvas.update()

    def _toggle_hints(self) -> None:
        self.canvas.show_hints = self.act["show_hints"].isChecked()
        self.canvas.update()

    def _sync_preview_view(self) -> None:
        follow = self.act["follow_canvas"].isChecked()
        self.preview.set_view(self.canvas.visible_fraction() if follow else None)

    def _toggle_preview_under(self) -> None:
        self.canvas.show_preview_under = self.act["preview_under"].isChecked()
        self.canvas.update()

    # --- model results ---
    def _show_preview(self, result: PreviewResult) -> None:
        if self.document is None:
            return
        if not result.quick:  # the quick pass is a stand-in; projects keep the full preview
            self.document.last_result = result.rgb  # the network's output; flat colours derive from it
        self.preview.set_result(result.display, result.display_image)
        # the colour, which the canvas multiplies its lines over, or a recoloured picture, which has its own
        self.canvas.set_preview(result.canvas, result.canvas_image, multiply_lines=not result.lined)

    def _model_loaded(self, info: ModelInfo) -> None:
        self._update_guidance()
        self.request_preview()

    # --- misc ---
    def open_settings(self) -> None:
        dialog = SettingsDialog(self.settings, self)
        if dialog.exec():
            new = dialog.result_settings()
            model_changed = model_choice(new) != model_choice(self.settings)
            self.settings = new
            new.save()
            if model_changed:
                self.model_status.load(new)
            else:
                self.request_preview()

    def show_shortcuts(self) -> ShortcutsDialog:
        dialog = ShortcutsDialog(self.act.in_menu_order(), self)
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
        self.act.enable(document=self.document is not None)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        local = [Path(u.toLocalFile()) for u in event.mimeData().urls() if u.isLocalFile()]
        if local:
            event.acceptProposedAction()
            self.open_path(local[0])

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.exports.may_close() or not self.files.maybe_save():
            event.ignore()
            return
        save_ui(self._remembered, self._store)
        self.files.autosave_timer.stop()  # a snapshot due after this would find its thread gone
        self.hide()  # gone at once: what follows may wait for a preview run to finish
        self.engine.shutdown()
        self.exports.exporter.shutdown()
        self.jobs.shutdown()  # exports' and autosaves' files are finished; reading what was opening stops
        if self.autosave is not None:
            self.autosave.mark_clean_exit()
        event.accept()
