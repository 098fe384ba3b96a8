"""numpy ⇄ QImage, through qimage2ndarray (imported after PySide6 so it does not look for PyQt5)."""

from __future__ import annotations

import os

import numpy as np
from PySide6.QtGui import QImage

os.environ.setdefault("QT_DRIVER", "PySide6")
import qimage2ndarray  # noqa: E402


def grey_to_qimage(grey: np.ndarray) -> QImage:
    """uint8 (H, W) -> an 8-bit grey QImage that owns its pixels."""
    return qimage2ndarray.gray2qimage(grey, normalize=False).convertToFormat(QImage.Format.Format_Grayscale8)


def rgb_to_qimage(rgb: np.ndarray) -> QImage:
    """uint8 (H, W, 3) or (H, W, 4, straight alpha) -> QImage."""
    return qimage2ndarray.array2qimage(rgb, normalize=False)


def qimage_to_rgba(image: QImage) -> np.ndarray:
    """QImage -> a uint8 (H, W, 4) straight-alpha copy."""
    converted = image.convertToFormat(QImage.Format.Format_ARGB32)
    return np.dstack([qimage2ndarray.rgb_view(converted), qimage2ndarray.alpha_view(converted)])
