"""The real MainWindow as the window tests drive it: a tiny random model, throw-away settings and
autosave, and message boxes that record what the user would have been told instead of blocking."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QMessageBox

from linetint.app.autosave import AutosaveStore
from linetint.app.settings import AppSettings
from linetint.app.window import MainWindow
from linetint.app.worker import PreviewEngine
from linetint.model.checkpoint import random_checkpoint
from linetint.model.colorizer import Colorizer
from linetint.model.config import preset


class Messages:
    """Stands in for QMessageBox: records warnings and questions; a question answers `answer`."""

    StandardButton = QMessageBox.StandardButton

    def __init__(self) -> None:
        self.warnings: list[str] = []
        self.questions: list[str] = []
        self.answer = self.StandardButton.Discard

    def warning(self, parent, title, text, *args):
        self.warnings.append(f"{title}: {text}")

    def question(self, parent, title, text, *args, **kwargs):
        self.questions.append(text)
        return self.answer

    def about(self, *args):
        pass


def patch_messages(monkeypatch) -> Messages:
    box = Messages()
    for name in ("warning", "question", "about"):  # QMessageBox's own: every module of the app uses it
        monkeypatch.setattr(QMessageBox, name, getattr(box, name))
    return box


def ui_store(folder: Path) -> QSettings:
    return QSettings(str(folder / "ui.ini"), QSettings.Format.IniFormat)


def open_window(
    qtbot, folder: Path, preview_max_side: int = 512, size: tuple[int, int] = (1000, 700)
) -> MainWindow:
    tiny = Colorizer(random_checkpoint(preset("tiny")), "cpu")
    window = MainWindow(
        AppSettings(device="cpu", preview_max_side=preview_max_side),
        PreviewEngine(loader=lambda choice: tiny),
        AutosaveStore(folder / "as"),
        ui_store(folder),
    )
    qtbot.addWidget(window)
    window.resize(*size)
    window.show()
    qtbot.waitUntil(lambda: window.model_info is not None, timeout=10000)
    return window


def close_window(window: MainWindow) -> None:
    if window.document is not None:
        window.document.undo_stack.setClean()  # nothing to ask about on close
    window.close()


def window_session(qtbot, folder: Path, **options) -> Iterator[MainWindow]:
    """For a fixture: `yield from window_session(qtbot, tmp_path)`."""
    window = open_window(qtbot, folder, **options)
    yield window
    close_window(window)
