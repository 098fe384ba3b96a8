"""Make the installers' icons from the app icon: `python packaging/make_icons.py`.

Renders resources/icons/linetint.svg with Qt's SVG renderer at each size (a sharp render per size, not one
big picture scaled down) and writes
    packaging/windows/linetint.ico   16, 24, 32, 48, 64, 256 px
    packaging/macos/linetint.icns    16 ... 1024 px
Both files are committed; run this again after changing the SVG (needs a Qt platform: it sets offscreen).
"""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path

PACKAGING = Path(__file__).resolve().parent
SVG = PACKAGING.parent / "resources" / "icons" / "linetint.svg"
ICO = PACKAGING / "windows" / "linetint.ico"
ICNS = PACKAGING / "macos" / "linetint.icns"
ICO_SIZES = [16, 24, 32, 48, 64, 256]
ICNS_SIZES = [16, 32, 64, 128, 256, 512, 1024]


def render(svg: Path, sizes: list[int]):
    """{size: RGBA PIL image} rendered by QSvgRenderer."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PIL import Image
    from PySide6.QtCore import QBuffer, QIODevice, Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    _app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])  # noqa: F841 (fonts, painting)
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"cannot render {svg}")
    images = {}
    for size in sizes:
        image = QImage(size, size, QImage.Format.Format_ARGB32)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter)
        painter.end()
        buffer = QBuffer()
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        image.save(buffer, "PNG")
        images[size] = Image.open(io.BytesIO(bytes(buffer.data()))).convert("RGBA")
    return images


def main() -> int:
    images = render(SVG, sorted(set(ICO_SIZES + ICNS_SIZES)))
    ICO.parent.mkdir(parents=True, exist_ok=True)
    ICNS.parent.mkdir(parents=True, exist_ok=True)
    largest = images[max(ICO_SIZES)]
    largest.save(
        ICO,
        format="ICO",
        sizes=[(s, s) for s in ICO_SIZES],
        append_images=[images[s] for s in ICO_SIZES],
        bitmap_format="bmp",  # BMP entries: every Windows version and Inno Setup read them
    )
    images[max(ICNS_SIZES)].save(ICNS, format="ICNS", append_images=[images[s] for s in ICNS_SIZES])
    for path in (ICO, ICNS):
        print(f"{path.relative_to(PACKAGING.parent)}: {path.stat().st_size} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
