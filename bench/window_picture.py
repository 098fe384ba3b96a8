"""The window on real line art with its artist's hints, as a picture for the docs.

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/window_picture.py ../shared/data/lineart/s2p-004 \
        docs/app-window-s2p.jpg

Opens the folder's lineart.png with hints.png in the real window (throw-away settings), waits for the
full preview and saves the window's own rendering as JPEG. With --recolour, lineart.png is a finished
colour picture opened as File ▸ Open a Colour Picture to Recolour does (its lines, its light and shade),
and hints.png replaces the hints taken from its colours.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sample", type=Path, help="a folder with lineart.png and hints.png")
    parser.add_argument("out", type=Path, help="the picture to write (.jpg or .png)")
    parser.add_argument("--recolour", action="store_true", help="open lineart.png as a colour picture")
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from linetint.app.autosave import AutosaveStore
    from linetint.app.settings import AppSettings
    from linetint.app.theme import apply_dark_theme
    from linetint.app.window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    apply_dark_theme(app)
    with tempfile.TemporaryDirectory() as folder:
        store = QSettings(str(Path(folder) / "ui.ini"), QSettings.Format.IniFormat)
        window = MainWindow(AppSettings(device="cpu"), autosave=AutosaveStore(Path(folder)), store=store)
        window.resize(1400, 860)
        window.show()
        picture = args.sample / "lineart.png"
        (window.files.open_colour_picture(picture) if args.recolour else window.open_path(picture)).wait()
        window.import_hints(args.sample / "hints.png")
        deadline = time.monotonic() + 120
        while (
            not (window.model_info is not None and window.engine.up_to_date) and time.monotonic() < deadline
        ):
            app.processEvents()
            time.sleep(0.02)
        for _ in range(20):
            app.processEvents()
        window.grab().save(str(args.out), quality=85)
        window.document.undo_stack.setClean()
        window.close()
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
