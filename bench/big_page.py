"""GUI-thread cost of painting and of showing a preview on big pages (A4 at 300 dpi, 24 megapixels).

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/big_page.py

Per page size, medians of several runs, with the baseline each change replaced measured in the same run:
  dab       one brush dab: the document edit, the canvas's hint pictures drawn incrementally, the repaint;
            baseline: rasterizing the whole hint layer and converting it (and its rim) to QImages
  preview   the window taking a finished preview: at the working size, its QImages made by the worker;
            baseline: converting a page-sized result to QImages on the GUI thread (twice: pane, canvas)
  worker    (the worker thread, not the GUI) a 512 px preview with the shipped model, from request to
            QImage: at the working size; baseline: enlarged to the page's size first, as before
A tiny random model stands in for the GUI rows (the network runs on its own thread).
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
from linetint.model.colorizer import Colorizer, shrink_to_working_size, working_size
from linetint.model.config import preset
from linetint.model.hints import Hint, HintLayer, hint_rgba

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


def measure(
    app: QApplication, window: MainWindow, shipped: Colorizer, folder: Path, name: str, size: tuple[int, int]
) -> None:
    height, width = size
    Image.fromarray(np.full(size, 255, np.uint8)).save(folder / "page.png")
    window.open_path(folder / "page.png").wait()
    dabs = iter(range(10_000))

    def dab() -> None:
        n = next(dabs)
        window.document.paint([Hint(20 + 9 * (n % 300), 20 + 9 * (n // 300), 4, (200, 60, 60))])
        app.processEvents()

    rgb = np.random.default_rng(0).integers(0, 256, (height, width, 3), dtype=np.uint8)
    small_w, small_h = working_size(width, height, 512)
    small = np.ascontiguousarray(rgb[:small_h, :small_w])
    info = window.model_info
    given = rgb_to_qimage(small)
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
    page, hints = np.full(size, 255, np.uint8), HintLayer(width, height, (Hint(9, 9, 4, (200, 60, 60)),))
    shrunk = shrink_to_working_size(page, 512)  # the worker keeps it from one edit to the next
    worker_ms = median_ms(lambda: rgb_to_qimage(shipped.colorize(shrunk, hints, 512)))
    old_worker_ms = median_ms(lambda: rgb_to_qimage(shipped.colorize(page, hints, 512)))
    print(f"| | worker | {worker_ms:.0f} ms | {old_worker_ms:.0f} ms | {old_worker_ms / worker_ms:.1f}x |")
    window.document.undo_stack.setClean()


def main() -> int:
    app = QApplication.instance() or QApplication(sys.argv)
    tiny = Colorizer(random_checkpoint(preset("tiny")), "cpu")
    shipped = Colorizer.load(None, "cpu")
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
            measure(app, window, shipped, Path(folder), name, size)
        window.engine.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
