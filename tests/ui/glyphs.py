"""Measuring lettering as drawn: the height of the ink inside a rectangle of a rendered widget."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRect
from PySide6.QtGui import QImage


def image_array(image: QImage) -> np.ndarray:
    """(H, W, 3) uint8 RGB of ``image``."""
    image = image.convertToFormat(QImage.Format.Format_RGB888)
    width, height, stride = image.width(), image.height(), image.bytesPerLine()
    raw = np.frombuffer(image.constBits(), np.uint8, count=stride * height).reshape(height, stride)
    return raw[:, : width * 3].reshape(height, width, 3).copy()


def ink_height(pixels: np.ndarray, rect: QRect, inset: int = 2) -> int:
    """Rows of ``rect`` (inset by ``inset`` px, to skip borders) holding pixels far from its commonest colour."""
    part = pixels[rect.top() + inset : rect.bottom() - inset + 1, rect.left() + inset : rect.right() - inset + 1]
    flat = part.reshape(-1, 3).astype(int)
    colours, counts = np.unique(flat, axis=0, return_counts=True)
    background = colours[counts.argmax()]
    ink = np.abs(part.astype(int) - background).sum(axis=2) > 120
    rows = np.flatnonzero(ink.any(axis=1))
    return int(rows[-1] - rows[0] + 1) if rows.size else 0
