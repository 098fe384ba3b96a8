"""GUI-thread cost of painting and of showing a preview on big pages (A4 at 300 dpi, 24 megapixels).

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/big_page.py

Per page size, medians of several runs, with the baseline each change replaced measured in the same run:
  dab       one brush dab: the document edit, the canvas's hint pictures drawn incrementally, the repaint;
            baseline: rasterizing the whole hint layer and converting it (and its rim) to QImages
  preview   the window taking a finished preview: its QImages come made by the worker thread;
            baseline: converting the page-sized result to QImages on the GUI thread (twice: pane, canvas)
The network runs on its own thread either way and is not timed here (a tiny random model stands in).
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image
from PySide6.QtWidgets import QApplication

from linetint.app.autosave import AutosaveStore
from linetint.app.qt_images import rgb_to_qimage
from linetint.app.settings import AppSettings
from linetint.app.window import MainWindow
from linetint.app.worker import PreviewEngine, PreviewResult
from linetint.model.checkpoint import random_checkpoint
from linetint.model.colorizer import Colorizer
from linetint.model.config import preset
from linetint.model.hints import Hint, hint_rgba

PAGES = {"A4 300 dpi": (2480, 3508), "24 MP": (4000, 6000)}
REPEATS = 7


def median_ms(fn) -> float:
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


def old_hint_pictures(window: MainWindow) -> None:
    rgba = hint_rgba(window.document.hints)
    silhouette = np.zeros_like(rgba)
    silhouette[..., 3] = np.where(rgba[..., 3] > 0, 170, 0)
    rgb_to_qimage(rgba), rgb_to_qimage(silhouette)


def measure(app: QApplication, window: MainWindow, folder: Path, name: str, size: tuple[int, int]) -> None:
    height, width = size
    Image.fromarray(np.full(size, 255, np.uint8)).save(folder / "page.png")
    window.open_path(folder / "page.png")
    dabs = iter(range(10_000))

    def dab() -> None:
        n = next(dabs)
        window.document.paint([Hint(20 + 9 * (n % 300), 20 + 9 * (n // 300), 4, (200, 60, 60))])
        app.processEvents()

    rgb = np.random.default_rng(0).integers(0, 256, (height, width, 3), dtype=np.uint8)
    info = window.model_info
    given = rgb_to_qimage(rgb)
    dab_ms, old_dab_ms = median_ms(dab), median_ms(lambda: old_hint_pictures(window))
    show_ms = median_ms(
        lambda: window._show_preview(
            PreviewResult(1, rgb, 0.1, info, False, False, "", None, None, given, given)
        )
    )  # noqa: E501
    old_show_ms = median_ms(lambda: (rgb_to_qimage(rgb), rgb_to_qimage(rgb)))
    row = f"{dab_ms:.1f} ms | {old_dab_ms:.0f} ms | {old_dab_ms / dab_ms:.0f}x"
    print(f"| {name} ({width}x{height}) | dab | {row} |")
    print(f"| | preview | {show_ms:.1f} ms | {old_show_ms:.0f} ms | {old_show_ms / show_ms:.0f}x |")
    window.document.undo_stack.setClean()


def main() -> int:
    app = QApplication.instance() or QApplication(sys.argv)
    tiny = Colorizer(random_checkpoint(preset("tiny")), "cpu")
    with tempfile.TemporaryDirectory() as folder:
        window = MainWindow(
            AppSettings(device="cpu"),
            PreviewEngine(loader=lambda c: tiny),
            AutosaveStore(Path(folder) / "as"),
        )
        window.resize(1280, 820)
        window.show()
        while window.model_info is None:
            app.processEvents()
        print("| page | GUI work | now | baseline (before) | faster |\n| --- | --- | ---: | ---: | ---: |")
        for name, size in PAGES.items():
            measure(app, window, Path(folder), name, size)
        window.engine.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
