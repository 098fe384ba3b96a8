"""The main window: wires the document, the canvas, the preview and the worker together.

The window is the controller. It turns what the hand did on the canvas into undoable document edits,
asks the worker for a preview after every edit, and keeps the user's work safe (save prompts, autosave,
messages instead of crashes).
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
from PySide6.QtCore import QPointF, QSettings, Qt, QTimer
from PySide6.QtGui import (
    QCloseEvent,
    QColor,
    QDragEnterEvent,
    QDropEvent,
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

from linetint.imaging.hint_colours import Unhinted
from linetint.imaging.picture_hints import PictureMismatch
from linetint.model import hints as hint_limits
from linetint.model.hints import HintFormatError, HintLayer, load_hints, save_hints
from linetint.model.images import ImageInputError

from .actions import RECENT, UNHINTED, Actions
from .advice_bar import AdviceBar
from .autosave import AutosaveStore
from .canvas import WHEEL_STEP, HintCanvas, Tool
from .colour_docks import ColourDocks
from .colour_modes import HintColours, modes_text
from .colour_panel import ColourPanel
from .document import Document
from .exporting import Exporter, ExportJob
from .file_dialogs import FileDialogs
from .focus import CanvasFocus
from .guidance import guidance_text
from .jobs import Job, Jobs, explain
from .levels_dialog import LANE as CLEAN_UP_LANE
from .levels_dialog import LevelsDialog
from .opening import OpenedFile, read_colour_picture, read_file, read_picture_hints
from .placement import place_beside
from .preview import PreviewPane
from .project import SUFFIX as PROJECT_SUFFIX
from .project import ProjectError
from .recent import RecentFiles
from .recolour_dialog import RecolourDialog
from .settings import APPLICATION, ORGANIZATION, AppSettings, SettingsDialog
from .shortcuts import ShortcutsDialog
from .status_text import hint_text, short_model_name, strokes_text
from .strokes import Strokes
from .ui_state import RememberedUi, restore_ui, save_ui
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
        self.exporter = Exporter(self.engine, self.jobs, self)
        self._quit_after_exports = False  # a close is waiting for exports asked for before it
        self._preview_failing = False  # the model failed and no preview has come since: told once
        self._model_busy = False  # the worker runs the model (busyChanged)
        self._jobs_message = ""  # the status bar's message about the running job, if it still shows
        self.autosave = autosave
        self.document: Document | None = None
        self._opening: Job | None = None  # the newest open: an older one arriving later is dropped
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
        self.colours = ColourPanel()
        self.colour_docks = ColourDocks(self, self.colours, self._store)  # before restore_ui: it places them
        self._recolour: RecolourDialog | None = None  # the recolour being previewed

        self._autosave_timer = QTimer(self, singleShot=True, interval=AUTOSAVE_DELAY_MS)
        self._autosave_timer.timeout.connect(self._autosave_now)
        self._build_actions()
        self._build_status_bar()
        self._remembered = RememberedUi(self, self.splitter, self.act, self.colours)
        restore_ui(self._remembered, self._store)  # window layout, view toggles, brush
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

    def _connect(self) -> None:
        self.strokes = Strokes(
            lambda: self.document, self.canvas, self.colours, self.statusBar().showMessage, self
        )
        self.strokes.colourPicked.connect(self._picked)
        self.canvas.zoomChanged.connect(lambda z: self.status_zoom.setText(f"{z * 100:.0f}%"))
        self.canvas.viewChanged.connect(self._sync_preview_view)
        self.preview.colourPicked.connect(self._picked)
        self.preview.plainClicked.connect(self._preview_clicked)
        self.preview.wheelZoomed.connect(self._zoom_from_preview)
        self.canvas.pointerMoved.connect(self._show_hint_under)
        self.canvas.brushResized.connect(self.colours.set_size)
        self.colours.sizeChanged.connect(self._brush_size_changed)
        self.colours.recolourRequested.connect(self.recolour_hints_dialog)
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
        self.jobs.busyChanged.connect(lambda _: self._show_jobs())
        self.jobs.textChanged.connect(lambda _: self._show_jobs())
        self.jobs.failed.connect(lambda message: QMessageBox.warning(self, "LineTint", message))

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
        self.colours.lead_with(document.colour_counts())
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

    def open_path(self, path: Path) -> Job[OpenedFile]:
        """Open line art or a project, read on a job; on failure say why and keep the current document.
        The job's outcome: whether it was opened."""
        self._opening = self.jobs.run(
            lambda: read_file(path),
            lambda opened: self._opened(job, opened),
            lambda exc: self._open_failed(path, exc),
            text=f"Opening {path.name}…",
            lane="open",
            latest_only=True,  # a newer open makes a waiting one pointless
        )
        job = self._opening
        return job

    def _opened(self, job: Job[OpenedFile], opened: OpenedFile) -> bool:
        # Asked now, not before reading: edits made while the file was read are covered too.
        if job is not self._opening or not self.maybe_save():
            return False
        if opened.project is not None:
            document = Document.from_project_data(opened.project, path=opened.path)
        else:
            document = Document(opened.lineart, source_path=opened.path)
            document.source_colourfulness = opened.colourfulness
        self.set_document(document)
        self.recent.add(opened.path)
        self._rebuild_recent_menu()
        self._advise_on(document, opened.needs_clean_up)
        return True

    def _open_failed(self, path: Path, exc: BaseException) -> bool:
        why = explain(exc, ImageInputError, ProjectError, OSError)
        QMessageBox.warning(self, "Cannot open", f"LineTint cannot open {path.name}:\n{why}")
        return False

    def _advise_on(self, document: Document, needs_clean_up: bool) -> None:
        """Advice over the canvas when an opened picture is not the clean line art the model expects; it
        stays until its button is used or it is dismissed."""
        if document.source_colourfulness > COLOURFUL:
            text = "This is a colour picture: File ▸ Open a Colour Picture to Recolour draws its lines"
            self.advice.advise(text, self.act["recolour_picture"], "Open as a Colour Picture…")
        elif not document.hints.hints and needs_clean_up:
            text = "Grey paper or uneven light: Edit ▸ Clean Up Line Art (Ctrl+L) gives clean lines"
            self.advice.advise(text, self.act["clean_up"], "Clean Up Line Art…")

    def recolour_picture_dialog(self) -> None:
        path = self.file_dialogs.open_file(self, "Open a Colour Picture to Recolour", PICTURE_FILTER)
        if path:
            self.open_colour_picture(path)

    def open_colour_picture(self, path: Path) -> Job[tuple[np.ndarray, HintLayer]]:
        """A finished colour picture as a new document: its lines (XDoG), with hints in its own colours,
        ready to try other colours on. Drawn on a job; its outcome: whether it was opened."""
        self._opening = self.jobs.run(
            lambda: read_colour_picture(path),
            lambda drawn: self._colour_picture_read(job, path, *drawn),
            lambda exc: self._open_failed(path, exc),
            text=f"Drawing the lines of {path.name}…",
            lane="open",
            latest_only=True,
        )
        job = self._opening
        return job

    def _colour_picture_read(self, job: Job, path: Path, lines: np.ndarray, hints: HintLayer) -> bool:
        if job is not self._opening or not self.maybe_save():
            return False
        self.set_document(Document(lines, hints, source_name=f"{path.stem} (lines).png"))
        message = f"Lines drawn from {path.name}, with {len(hints)} hints in its colours"
        self.statusBar().showMessage(message, 6000)
        return True

    def open_recent(self, path: Path) -> Job[OpenedFile] | None:
        if not path.is_file():
            QMessageBox.warning(
                self, "Cannot open", f"{path.name} is no longer at\n{path.parent}\nand leaves Open Recent."
            )
            self.recent.remove(path)
            self._rebuild_recent_menu()
            return None
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
        if self.document is None:
            return False
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
        self._autosave_timer.start()

    def _lineart_changed(self) -> None:
        if self.document is None:
            return
        self.canvas.set_lineart(self.document.lineart)
        self.request_preview()
        self._autosave_timer.start()

    def request_preview(self, hints: HintLayer | None = None) -> None:
        """A preview of the document, or of `hints` in its place (a trial, such as a recolour)."""
        if self.document is not None:
            doc, flat = self.document, self.act["flats"].isChecked()
            side, layer = self.settings.preview_max_side, doc.hints if hints is None else hints
            self.engine.request(doc.lineart, layer, side, flat, self.hint_colours())

    def _toggle_flats(self) -> None:
        self._show_modes()
        self.request_preview()  # the worker makes the flat colours along with the next result

    def hint_colours(self) -> HintColours:
        """View ▸ Keep Hint Colours and View ▸ Unhinted Areas, as the menu shows them."""
        paper = self.act["unhinted_paper"].isChecked()
        unhinted = Unhinted.PAPER if paper else Unhinted.NETWORK
        return HintColours(self.act["keep_hints"].isChecked(), unhinted)

    def _set_hint_colours(self, choice: HintColours) -> None:
        self.act["keep_hints"].setChecked(choice.keep)
        self.act[f"unhinted_{choice.unhinted.value}"].setChecked(True)
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
        self.status_modes.setText(modes_text(self.act["flats"].isChecked(), choice))

    def import_hints_dialog(self) -> None:
        if self.document is None:
            return
        path = self.file_dialogs.open_file(
            self, "Import Hint Layer", "Hint layers (*.json *.png *.webp *.tif *.tiff)"
        )
        if path:
            self.import_hints(path)

    def import_hints(self, path: Path) -> bool:
        doc = self.document
        if doc is None:
            return False
        try:
            layer = load_hints(path, doc.width, doc.height)
        except HintFormatError as exc:
            QMessageBox.warning(self, "Cannot import hints", f"{path.name}: {exc}")
            return False
        doc.set_hints(layer, text=f"Import {path.name}")
        self.colours.lead_with(doc.colour_counts())
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

    def hints_from_picture(self, path: Path) -> Job[HintLayer] | None:
        """Replace the hints by one per area, coloured as `path` (a colouring of this drawing) paints it;
        the areas are found on a job, whose outcome says whether the hints were replaced."""
        doc = self.document
        if doc is None:
            return None
        lineart = doc.lineart
        return self.jobs.run(
            lambda: read_picture_hints(lineart, path),
            lambda layer: self._picture_hints_read(doc, lineart, path, layer),
            lambda exc: self._picture_hints_failed(path, exc),
            text=f"Finding the areas coloured in {path.name}…",
            lane="open",
        )

    def _picture_hints_failed(self, path: Path, exc: BaseException) -> bool:
        why = explain(exc, ImageInputError, PictureMismatch, OSError)
        QMessageBox.warning(self, "Cannot take hints from it", f"{path.name}: {why}")
        return False

    def _picture_hints_read(self, doc: Document, lineart: np.ndarray, path: Path, layer: HintLayer) -> bool:
        if doc is not self.document or doc.lineart is not lineart:
            return False  # another picture, or cleaned-up lines, came meanwhile: these areas are not its
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
        self.colours.lead_with(doc.colour_counts())
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
            self._write_hints(self.document.hints, path)

    def _write_hints(self, hints: HintLayer, path: Path) -> None:
        """A hint layer written on a job (a PNG layer is a page of pixels to encode)."""
        self.jobs.run(
            lambda: save_hints(hints, path),
            lambda _: self.statusBar().showMessage(f"Exported the hints to {path.name}", 4000),
            lambda exc: self._write_failed(path, exc),
            text=f"Writing {path.name}…",
            lane="export",
            keep_on_quit=True,
        )

    # --- colour ---
    def clean_up_dialog(self) -> LevelsDialog | None:
        """Levels for the line art, previewed on the canvas; OK makes them one undo step."""
        doc = self.document
        if doc is None:
            return None
        dialog = LevelsDialog(doc.lineart, self.jobs, self)
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
        levels, cleaned, lineart = dialog.levels(), dialog.shown(), doc.lineart
        if code != QDialog.DialogCode.Accepted or levels.is_identity:
            self.canvas.set_lineart(lineart)  # the canvas showed the trial (its colour stays): put it back
        elif cleaned is not None:
            self._cleaned_up(doc, lineart, cleaned)
        else:  # OK came before the trial of the last settings
            cleaner = dialog.cleaner
            self.jobs.run(
                lambda: cleaner.render(levels),
                lambda art: self._cleaned_up(doc, lineart, art),
                text="Cleaning up the line art…",
                lane=CLEAN_UP_LANE,
            )

    def _cleaned_up(self, doc: Document, lineart: np.ndarray, cleaned: np.ndarray) -> None:
        if doc is self.document and doc.lineart is lineart:  # else the page changed meanwhile
            doc.set_lineart(cleaned, doc.source_path, "Clean up line art")

    def recolour_hints_dialog(self, colour: QColor | None = None) -> RecolourDialog | None:
        """Every hint of `colour` (default: the brush colour) takes a colour chosen in a dialog; the canvas
        and the preview show each colour as it is chosen, OK makes it one undo step, Cancel shows the
        hints as they were."""
        doc = self.document
        if doc is None:
            return None
        old = QColor(colour) if colour is not None else self.colours.colour
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
        self.colours.set_colour(new)  # painting on continues in the new colour
        self.colours.remember(new)
        self.colours.forget(old)  # no hint has it now: it would only linger among the recent colours
        plural = "s" if changed > 1 else ""
        self.statusBar().showMessage(f"Recoloured {changed} hint{plural}: {old.name()} → {new.name()}", 5000)

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
        self._model_busy = busy
        self.busy.setVisible(busy or self.jobs.busy)
        self.preview.set_busy(busy or not self.engine.up_to_date)

    def _show_jobs(self) -> None:
        """The busy bar while a job runs too, and what it does where the status bar's messages go."""
        self.busy.setVisible(self._model_busy or self.jobs.busy)
        bar, text = self.statusBar(), self.jobs.text
        if text:
            bar.showMessage(text)
        elif bar.currentMessage() == self._jobs_message:
            bar.clearMessage()  # the job's own message, not one that came after it
        self._jobs_message = text

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
            self.export(path, kind, self.act["lines_over"].isChecked() if kind == "png" else True)

    def copy_image(self) -> None:
        """The exported picture (full resolution, lines as on export) onto the clipboard, for pasting into
        a painting program."""
        if self.document is not None:
            self.export(None, "clipboard", self.act["lines_over"].isChecked())

    def export(self, path: Path | None, kind: str, multiply_lines: bool = True) -> None:
        """Render at full resolution in the worker, then write; the window stays usable meanwhile."""
        doc = self.document
        if doc is None:
            return
        self.statusBar().showMessage(f"Rendering {path.name if path else 'the picture'} at full resolution…")
        job = ExportJob(path, kind, multiply_lines, doc.lineart, doc.hints)
        self.exporter.export(job, self.act["flats"].isChecked(), self.hint_colours())

    def _write_failed(self, path: Path, exc: BaseException) -> None:
        why = explain(exc, OSError, ValueError, HintFormatError)
        QMessageBox.warning(self, "Cannot write", f"LineTint could not write {path.name}:\n{why}")

    # --- autosave ---
    def _autosave_now(self) -> None:
        """Snapshot on the GUI thread (cheap, immutable), write on a job (PNG encoding of a big picture
        takes seconds); the autosave lane writes one at a time, a newer snapshot waits for the running one."""
        if self.autosave is None or self.document is None or not self.document.modified:
            return
        doc, store = self.document, self.autosave
        data, name, origin = doc.snapshot(), doc.display_name(), doc.path or doc.source_path
        self.jobs.run(
            lambda: store.save(data, display_name=name, original_path=origin),
            lambda _: None,
            lambda exc: self.statusBar().showMessage(f"Autosave failed: {exc}", 8000),
            lane="autosave",
            keep_on_quit=True,
        )

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
        if self.exporter.pending and not self._may_quit_before_exports():
            event.ignore()
            return
        if not self.maybe_save():
            event.ignore()
            return
        save_ui(self._remembered, self._store)
        self._autosave_timer.stop()  # a snapshot due after this would find its thread gone
        self.hide()  # gone at once: what follows may wait for a preview run to finish
        self.engine.shutdown()
        self.exporter.shutdown()
        self.jobs.shutdown()  # exports' and autosaves' files are finished; reading what was opening stops
        if self.autosave is not None:
            self.autosave.mark_clean_exit()
        event.accept()
