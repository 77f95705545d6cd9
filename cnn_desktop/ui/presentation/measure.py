"""How tall a grid's numbers come out on screen, measured from its pixels, not from its code.

A lecture hall needs digits of a certain height; the font the grid asks for is not proof of that
(a font can fall back, a cell can clip). This renders the grid and counts, in each cell, the pixel
rows that hold ink of the number's colour. Used by the tests and ``tools/measure_presentation.py``.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QImage

from ..editors.grid_view import NumberGridView

INK_DISTANCE = 120
"""Summed |RGB| difference from the cell's background above which a pixel counts as ink."""


def image_array(image: QImage) -> np.ndarray:
    """(H, W, 3) uint8 RGB pixels of ``image``."""
    rgb = image.convertToFormat(QImage.Format.Format_RGB888)
    rows = np.frombuffer(rgb.constBits(), np.uint8).reshape(rgb.height(), rgb.bytesPerLine())
    return rows[:, : 3 * rgb.width()].reshape(rgb.height(), rgb.width(), 3).copy()


def digit_heights(grid: NumberGridView, picture: QImage | None = None) -> list[int]:
    """Height in pixels of the ink in each cell of ``grid`` (row by row; 0 for an empty cell).

    ``picture`` is what the grid's area looks like on screen (a screenshot cropped to it); by
    default the grid is rendered on its own.
    """
    pixels = image_array(picture if picture is not None else grid.grab().toImage())
    ratio = pixels.shape[1] / max(1, grid.width())
    height, width = grid.array().shape
    heights = []
    for row in range(height):
        for col in range(width):
            rect = grid.cell_rect(row, col)
            inset = max(3.0, rect.width() * 0.08)
            top, bottom = int((rect.top() + inset) * ratio), int((rect.bottom() - inset) * ratio)
            left, right = int((rect.left() + inset) * ratio), int((rect.right() - inset) * ratio)
            cell = pixels[top:bottom, left:right].astype(np.int32)
            if not cell.size:
                heights.append(0)
                continue
            ink = np.abs(cell - cell[0, 0]).sum(axis=2) > INK_DISTANCE
            ink_rows = np.flatnonzero(ink.any(axis=1))
            heights.append(int(ink_rows[-1] - ink_rows[0] + 1) if ink_rows.size else 0)
    return heights
