"""Starting the desktop app: `linetint [FILE] [--checkpoint C] [--device D]`."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import cast

from linetint.model.devices import DEVICE_CHOICES


def parse_gui_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="linetint", description="Open the LineTint window.")
    parser.add_argument("file", nargs="?", type=Path, help="line art or a .linetint project to open")
    parser.add_argument(
        "--hints", type=Path, help="hint layer (.json or transparent PNG) to import into FILE"
    )
    parser.add_argument("--checkpoint", type=Path, help="model checkpoint for this session")
    parser.add_argument("--device", choices=DEVICE_CHOICES, help="where to run the model this session")
    parser.add_argument("--no-recovery", action="store_true", help="do not offer to restore autosaves")
    return parser.parse_args(list(argv))


def install_file_open_handler(app, open_path) -> object:
    """macOS hands a double-clicked .linetint file to a running app as a FileOpen event, not argv."""
    from PySide6.QtCore import QEvent, QObject

    class FileOpenFilter(QObject):
        def eventFilter(self, watched, event) -> bool:  # noqa: N802 (Qt's name)
            if event.type() == QEvent.Type.FileOpen and event.file():
                open_path(Path(event.file()))
                return True
            return False

    handler = FileOpenFilter(app)
    app.installEventFilter(handler)
    return handler


def launch(argv: Sequence[str]) -> int:
    args = parse_gui_args(argv)
    from dataclasses import replace

    from PySide6.QtWidgets import QApplication

    from .autosave import AutosaveStore
    from .settings import APPLICATION, ORGANIZATION, AppSettings
    from .theme import apply_dark_theme
    from .window import MainWindow

    # The instance, if there is one, is a QApplication: LineTint makes no other kind (the stubs say
    # QCoreApplication, the base).
    app = cast("QApplication | None", QApplication.instance()) or QApplication(sys.argv[:1])
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationName(APPLICATION)
    apply_dark_theme(app)
    settings = AppSettings.load()
    if args.checkpoint is not None:  # for this session only: not written back to the settings
        settings = replace(settings, checkpoint=str(args.checkpoint))
    if args.device is not None:
        settings = replace(settings, device=args.device)
    window = MainWindow(settings, autosave=AutosaveStore())
    window.show()
    install_file_open_handler(app, window.open_path)
    if not args.no_recovery:
        window.offer_recovery()
    if args.file is not None:
        opening = window.open_path(args.file)
        hints = args.hints
        if hints is not None:
            opening.then(lambda opened: opened and window.import_hints(hints))
    return app.exec()
