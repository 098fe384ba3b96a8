"""File dialogs that start where the work is and are wide enough to read.

They open in the current document's folder, else the folder last used in any of them (remembered in
QSettings), else the home folder; Qt's own dialog is sized so its name column is not cut.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QFileDialog, QHeaderView, QTreeView, QWidget

LAST_FOLDER_KEY = "dialogs/last_folder"
DIALOG_SIZE = (960, 600)  # room for long names beside size, type and date


class FileDialogs:
    """`document_folder()` gives the open document's folder, or None."""

    def __init__(self, store: QSettings, document_folder: Callable[[], Path | None]) -> None:
        self._store = store
        self._document_folder = document_folder

    def start_folder(self) -> Path:
        folder = self._document_folder()
        if folder is not None and folder.is_dir():
            return folder
        last = self._store.value(LAST_FOLDER_KEY)
        if isinstance(last, str) and last and Path(last).is_dir():
            return Path(last)
        return Path.home()

    def open_file(self, parent: QWidget, title: str, name_filter: str) -> Path | None:
        dialog = self._dialog(parent, title, name_filter, QFileDialog.AcceptMode.AcceptOpen)
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        chosen = self._run(dialog)
        return chosen[0] if chosen else None

    def save_file(self, parent: QWidget, title: str, name: str, name_filter: str) -> tuple[Path, str] | None:
        """(path, the filter chosen), or None if cancelled; `name`: the suggested file name."""
        dialog = self._dialog(parent, title, name_filter, QFileDialog.AcceptMode.AcceptSave)
        dialog.selectFile(str(self.start_folder() / Path(name).name))
        return self._run(dialog)

    def _dialog(
        self, parent: QWidget, title: str, name_filter: str, mode: QFileDialog.AcceptMode
    ) -> QFileDialog:
        dialog = QFileDialog(parent, title, str(self.start_folder()), name_filter)
        dialog.setAcceptMode(mode)
        dialog.setViewMode(QFileDialog.ViewMode.Detail)
        dialog.resize(*DIALOG_SIZE)
        for view in dialog.findChildren(QTreeView):  # Qt's own dialog; a native one sizes itself
            view.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
            view.header().setStretchLastSection(False)
            for column in range(1, view.header().count()):
                view.header().setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        return dialog

    def _run(self, dialog: QFileDialog) -> tuple[Path, str] | None:
        try:
            if not dialog.exec() or not dialog.selectedFiles():
                return None
            path = Path(dialog.selectedFiles()[0])
            self._store.setValue(LAST_FOLDER_KEY, str(path.parent))
            return path, dialog.selectedNameFilter()
        finally:
            dialog.deleteLater()
