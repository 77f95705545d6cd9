"""Colour maps shared by every view: diverging maps put zero at mid-grey, so negative values show.

Each palette is a pyqtgraph ``ColorMap`` over [0, 1]; views map a value v with levels (-m, m), so
0.5 (mid-grey) is always zero. The input image uses a plain greyscale (0 = black, 1 = white ink).
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

DIVERGING = {
    # name shown in menus: (negative end, zero, positive end), RGB 0-255
    "Blue-grey-red": ((33, 102, 172), (128, 128, 128), (214, 47, 39)),
    "Colour-blind safe (blue-grey-orange)": ((0, 90, 181), (128, 128, 128), (230, 159, 0)),
    "High contrast (cyan-grey-yellow)": ((0, 255, 255), (128, 128, 128), (255, 255, 0)),
}
DEFAULT_DIVERGING = "Blue-grey-red"


def diverging(name: str = DEFAULT_DIVERGING) -> pg.ColorMap:
    """A diverging map whose middle (value 0 at symmetric levels) is mid-grey."""
    low, mid, high = DIVERGING.get(name, DIVERGING[DEFAULT_DIVERGING])
    return pg.ColorMap(pos=np.array([0.0, 0.5, 1.0]), color=np.array([low, mid, high], dtype=np.ubyte))


def greyscale() -> pg.ColorMap:
    """The input image's map: 0 (background) black, 1 (ink) white, as MNIST is usually shown."""
    return pg.ColorMap(pos=np.array([0.0, 1.0]), color=np.array([(0, 0, 0), (255, 255, 255)], dtype=np.ubyte))


def symmetric_level(values: np.ndarray) -> float:
    """Half-width m of the levels (-m, m) that show ``values`` with zero at mid-grey (never 0)."""
    finite = np.abs(values[np.isfinite(values)]) if values.size else np.zeros(1)
    peak = float(finite.max()) if finite.size else 0.0
    return peak if peak > 1e-12 else 1.0


def text_colour_for(rgb: tuple[int, int, int]) -> tuple[int, int, int]:
    """Black or white, whichever reads better on a cell of colour ``rgb``."""
    luminance = 0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2]
    return (0, 0, 0) if luminance > 140 else (255, 255, 255)
