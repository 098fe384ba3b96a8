"""The open picture's files: open (and Open Recent, and a colour picture to recolour), save, "save the
changes?", autosave and recovery after a crash, and the files that bring hints into it (a hint layer, a
colouring of the drawing). Reading runs on the jobs service's "open" lane; what the user is asked and told
is said here, and a failure keeps the current document."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path

import numpy as np
from PySide6.QtCore import QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QMessageBox, QWidget

from linetint.imaging.line_source import COLOURFUL
from linetint.imaging.picture_hints import PictureMismatch
from linetint.model import hints as hint_limits
from linetint.model.hints import HintFormatError, HintLayer, load_hints
from linetint.model.images import ImageInputError

from .advice_bar import AdviceBar
from .autosave import AutosaveStore
from .colour_panel import ColourPanel
from .document import Document
from .file_dialogs import FileDialogs
from .jobs import Job, Jobs, explain
from .opening import ColourPicture, OpenedFile, read_colour_picture, read_file, read_picture_hints
from .project import SUFFIX as PROJECT_SUFFIX
from .project import ProjectError
from .recent import RecentFiles

IMAGE_FILTER = "Line art (*.png *.jpg *.jpeg *.webp *.bmp *.tif *.tiff)"
PICTURE_FILTER = "Colour pictures (*.png *.jpg *.jpeg *.webp *.bmp *.tif *.tiff)"
PROJECT_FILTER = f"LineTint project (*{PROJECT_SUFFIX})"
OPEN_FILTER = f"Line art or project (*{PROJECT_SUFFIX} *.png *.jpg *.jpeg *.webp *.bmp *.tif *.tiff)"
HINT_LAYER_FILTER = "Hint layers (*.json *.png *.webp *.tif *.tiff)"
AUTOSAVE_DELAY_MS = 2000


class Files:
    """`document()` gives the open picture, `show(document)` makes another one the open picture; `act`
    holds the actions the advice on an opened picture offers (recolour_picture, clean_up)."""

    def __init__(
        self,
        parent: QWidget,
        document: Callable[[], Document | None],
        show: Callable[[Document], None],
        jobs: Jobs,
        dialogs: FileDialogs,
        recent: RecentFiles,
        recent_menu: QMenu,
        autosave: AutosaveStore | None,
        colours: ColourPanel,
        advice: AdviceBar,
        act: Mapping[str, QAction],
        say: Callable[[str, int], None],
    ) -> None:
        self._parent, self._document, self._show, self._jobs, self._dialogs = (
            parent,
            document,
            show,
            jobs,
            dialogs,
        )
        self._recent, self._recent_menu, self._autosave = recent, recent_menu, autosave
        self._colours, self._advice, self._act, self._say = colours, advice, act, say
        self.opening: Job | None = None  # the newest open: an older one arriving later is dropped
        self.autosave_timer = QTimer(parent, singleShot=True, interval=AUTOSAVE_DELAY_MS)
        self.autosave_timer.timeout.connect(self._autosave_now)
        self.rebuild_recent_menu()

    # --- opening ---
    def open_dialog(self) -> None:
        path = self._dialogs.open_file(
            self._parent, "Open", f"{OPEN_FILTER};;{PROJECT_FILTER};;{IMAGE_FILTER}"
        )
        if path:
            self.open_path(path)

    def open_path(self, path: Path) -> Job[OpenedFile]:
        """Open line art or a project, read on a job; on failure say why and keep the current document.
        The job's outcome: whether it was opened."""
        self.opening = self._jobs.run(
            lambda: read_file(path),
            lambda opened: self._opened(job, opened),
            lambda exc: self._open_failed(path, exc),
            text=f"Opening {path.name}…",
            lane="open",
            latest_only=True,  # a newer open makes a waiting one pointless
        )
        job = self.opening
        return job

    def _opened(self, job: Job[OpenedFile], opened: OpenedFile) -> bool:
        # Asked now, not before reading: edits made while the file was read are covered too.
        if job is not self.opening or not self.maybe_save():
            return False
        if opened.project is not None:
            document = Document.from_project_data(opened.project, path=opened.path)
        else:
            document = Document(opened.lineart, source_path=opened.path)
            document.source_colourfulness = opened.colourfulness
        self._show(document)
        self._recent.add(opened.path)
        self.rebuild_recent_menu()
        self._advise_on(document, opened.needs_clean_up)
        return True

    def _open_failed(self, path: Path, exc: BaseException) -> bool:
        why = explain(exc, ImageInputError, ProjectError, OSError)
        QMessageBox.warning(self._parent, "Cannot open", f"LineTint cannot open {path.name}:\n{why}")
        return False

    def _advise_on(self, document: Document, needs_clean_up: bool) -> None:
        """Advice over the canvas when an opened picture is not the clean line art the model expects; it
        stays until its button is used or it is dismissed."""
        if document.source_colourfulness > COLOURFUL:
            text = "This is a colour picture: File ▸ Open a Colour Picture to Recolour draws its lines"
            self._advice.advise(text, self._act["recolour_picture"], "Open as a Colour Picture…")
        elif not document.hints.hints and needs_clean_up:
            text = "Grey paper or uneven light: Edit ▸ Clean Up Line Art (Ctrl+L) gives clean lines"
            self._advice.advise(text, self._act["clean_up"], "Clean Up Line Art…")

    def recolour_picture_dialog(self) -> None:
        path = self._dialogs.open_file(self._parent, "Open a Colour Picture to Recolour", PICTURE_FILTER)
        if path:
            self.open_colour_picture(path)

    def open_colour_picture(self, path: Path) -> Job[ColourPicture]:
        """A finished colour picture as a new document: its lines (XDoG), with hints in its own colours,
        ready to try other colours on, and its grey, so the result keeps its light and shade. Drawn on a
        job; its outcome: whether it was opened."""
        self.opening = self._jobs.run(
            lambda: read_colour_picture(path),
            lambda drawn: self._colour_picture_read(job, path, drawn),
            lambda exc: self._open_failed(path, exc),
            text=f"Drawing the lines of {path.name}…",
            lane="open",
            latest_only=True,
        )
        job = self.opening
        return job

    def _colour_picture_read(self, job: Job, path: Path, drawn: ColourPicture) -> bool:
        if job is not self.opening or not self.maybe_save():
            return False
        name = f"{path.stem} (lines).png"
        self._show(Document(drawn.lines, drawn.hints, source_name=name, shading=drawn.shading))
        self._say(
            f"Lines drawn from {path.name}, with {len(drawn.hints)} hints in its colours; "
            "its light and shade stay",
            6000,
        )
        return True

    def open_recent(self, path: Path) -> Job[OpenedFile] | None:
        if not path.is_file():
            QMessageBox.warning(
                self._parent,
                "Cannot open",
                f"{path.name} is no longer at\n{path.parent}\nand leaves Open Recent.",
            )
            self._recent.remove(path)
            self.rebuild_recent_menu()
            return None
        return self.open_path(path)

    def rebuild_recent_menu(self) -> None:
        menu = self._recent_menu
        menu.clear()
        paths = self._recent.paths()
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
        self._recent.clear()
        self.rebuild_recent_menu()

    # --- saving ---
    def save(self) -> bool:
        doc = self._document()
        if doc is None:
            return False
        if doc.path is None:
            return self.save_as()
        return self.save_to(doc.path)

    def save_as(self) -> bool:
        doc = self._document()
        if doc is None:
            return False
        suggested = doc.path or Path(f"{Path(doc.source_name or 'untitled').stem}{PROJECT_SUFFIX}")
        chosen = self._dialogs.save_file(self._parent, "Save Project", str(suggested), PROJECT_FILTER)
        if chosen is None:
            return False
        path = chosen[0]
        if path.suffix.lower() != PROJECT_SUFFIX:
            path = path.with_name(path.name + PROJECT_SUFFIX)
        return self.save_to(path)

    def save_to(self, path: Path) -> bool:
        doc = self._document()
        if doc is None:
            return False
        try:
            doc.save(path)
        except OSError as exc:
            QMessageBox.warning(self._parent, "Cannot save", f"LineTint could not save {path.name}:\n{exc}")
            return False
        if self._autosave is not None:
            self._autosave.forget()  # saved by the user: nothing left to recover
        self._recent.add(path)
        self.rebuild_recent_menu()
        self._say(f"Saved {path.name}", 3000)
        return True

    def maybe_save(self) -> bool:
        """Ask before unsaved changes would be lost. False: the user cancelled."""
        doc = self._document()
        if doc is None or not doc.modified:
            return True
        # Named as the project it saves to: the line art it was opened from is never overwritten.
        question = (
            f"Save the changes to the project {doc.path.name}?"
            if doc.path is not None
            else f"Save your hints as a project ({Path(doc.source_name or 'untitled').stem}{PROJECT_SUFFIX})?"
            f" {doc.source_name or 'The line art'} itself is not changed."
        )
        answer = QMessageBox.question(
            self._parent,
            "Unsaved changes",
            question,
            QMessageBox.StandardButton.Save
            | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel,
        )
        if answer == QMessageBox.StandardButton.Save:
            return self.save()
        return answer == QMessageBox.StandardButton.Discard

    # --- autosave and recovery ---
    def _autosave_now(self) -> None:
        """Snapshot on the GUI thread (cheap, immutable), write on a job (PNG encoding of a big picture
        takes seconds); the autosave lane writes one at a time, a newer snapshot waits for the running one."""
        doc, store = self._document(), self._autosave
        if store is None or doc is None or not doc.modified:
            return
        data, name, origin = doc.snapshot(), doc.display_name(), doc.path or doc.source_path
        self._jobs.run(
            lambda: store.save(data, display_name=name, original_path=origin),
            lambda _: None,
            lambda exc: self._say(f"Autosave failed: {exc}", 8000),
            lane="autosave",
            keep_on_quit=True,
        )

    def offer_recovery(self) -> None:
        """After a crash, offer to restore what the last session autosaved."""
        if self._autosave is None:
            return
        for entry in self._autosave.pending():
            answer = QMessageBox.question(
                self._parent,
                "Recover unsaved work",
                f"LineTint closed unexpectedly while you worked on {entry.display_name}. Restore it?",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            )
            if answer == QMessageBox.StandardButton.Yes:
                try:
                    data = self._autosave.load(entry)
                    self._show(Document.from_project_data(data, path=None, modified=True))
                except (ProjectError, OSError) as exc:
                    QMessageBox.warning(self._parent, "Cannot recover", str(exc))
                    continue
            self._autosave.discard(entry)

    # --- hints from files ---
    def import_hints_dialog(self) -> None:
        self._for_page_file("Import Hint Layer", HINT_LAYER_FILTER, self.import_hints)

    def _for_page_file(self, title: str, filters: str, then: Callable[[Path], object]) -> None:
        """Ask for a file to apply to the open page, and apply it; nothing without a page or a choice."""
        if self._document() is None:
            return
        path = self._dialogs.open_file(self._parent, title, filters)
        if path:
            then(path)

    def import_hints(self, path: Path) -> bool:
        doc = self._document()
        if doc is None:
            return False
        try:
            layer = load_hints(path, doc.width, doc.height)
        except HintFormatError as exc:
            QMessageBox.warning(self._parent, "Cannot import hints", f"{path.name}: {exc}")
            return False
        doc.set_hints(layer, text=f"Import {path.name}")
        self._colours.lead_with(doc.colour_counts())
        self._say(f"Imported {len(layer)} hints from {path.name}", 4000)
        return True

    def picture_hints_dialog(self) -> None:
        self._for_page_file("Hints from a Colour Picture", PICTURE_FILTER, self.hints_from_picture)

    def hints_from_picture(self, path: Path) -> Job[HintLayer] | None:
        """Replace the hints by one per area, coloured as `path` (a colouring of this drawing) paints it;
        the areas are found on a job, whose outcome says whether the hints were replaced."""
        doc = self._document()
        if doc is None:
            return None
        lineart = doc.lineart
        return self._jobs.run(
            lambda: read_picture_hints(lineart, path),
            lambda layer: self._picture_hints_read(doc, lineart, path, layer),
            lambda exc: self._picture_hints_failed(path, exc),
            text=f"Finding the areas coloured in {path.name}…",
            lane="open",
        )

    def _picture_hints_failed(self, path: Path, exc: BaseException) -> bool:
        why = explain(exc, ImageInputError, PictureMismatch, OSError)
        QMessageBox.warning(self._parent, "Cannot take hints from it", f"{path.name}: {why}")
        return False

    def _picture_hints_read(self, doc: Document, lineart: np.ndarray, path: Path, layer: HintLayer) -> bool:
        if doc is not self._document() or doc.lineart is not lineart:
            return False  # another picture, or cleaned-up lines, came meanwhile: these areas are not its
        if not len(layer):
            QMessageBox.warning(self._parent, "No hints", "The line art has no closed areas to put hints in.")
            return False
        if len(layer) > hint_limits.MAX_HINTS:  # such a page could not be opened again once saved
            QMessageBox.warning(
                self._parent,
                "Cannot take hints from it",
                f"{path.name} makes {len(layer):,} hints; LineTint keeps at most {hint_limits.MAX_HINTS:,}.",
            )
            return False
        doc.set_hints(layer, "Hints from a colour picture")
        self._colours.lead_with(doc.colour_counts())
        self._say(f"{len(layer)} hints from {path.name} (Ctrl+Z to undo)", 5000)
        return True
