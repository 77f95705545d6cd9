"""Every colour decision of the views: colour maps, value to colour, text on a colour, theme colours.

Diverging maps put zero at mid-grey, so negative values show. Each palette is a pyqtgraph
``ColorMap`` over [0, 1]; views map a value v with levels (-m, m), so 0.5 (mid-grey) is always zero.
The input image uses a plain greyscale (0 = black, 1 = white ink).

Grids drawn by hand (:func:`colour_index` into a :func:`colour_table`) and feature maps drawn by
pyqtgraph's ``ImageItem`` (the same table as its lookup table) pick the same entry for a value, so
a number written on a cell always sits on the cell's own colour.

pyqtgraph also ships perceptually uniform diverging maps (colorcet's ``CET-D1`` and relatives). They
are not offered: their centre is a light grey near white (about 237, 231, 233 for CET-D1), while the
lessons read zero as mid-grey and bright as ink.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from ..levels import symmetric_level as symmetric_level  # the views' one rule for levels, Qt-free

DIVERGING = {
    # name shown in menus: (negative end, zero, positive end), RGB 0-255
    "Blue-grey-red": ((33, 102, 172), (128, 128, 128), (214, 47, 39)),
    "Colour-blind safe (blue-grey-orange)": ((0, 90, 181), (128, 128, 128), (230, 159, 0)),
    "High contrast (cyan-grey-yellow)": ((0, 255, 255), (128, 128, 128), (255, 255, 0)),
}
DEFAULT_DIVERGING = "Blue-grey-red"

LUT_SIZE = 255
"""Entries of a colour lookup table: odd, so that the middle entry is exactly the map's centre
(zero at mid-grey for a diverging map with symmetric levels)."""

CANVAS_BACKGROUND = (28, 30, 34)
"""The dark background behind maps, plots and the confusion matrix (RGB), in both themes."""

MISSING_VALUE = (60, 60, 60)
"""A cell whose value is NaN or infinite (RGB)."""


def diverging(name: str = DEFAULT_DIVERGING) -> pg.ColorMap:
    """A diverging map whose middle (value 0 at symmetric levels) is mid-grey."""
    low, mid, high = DIVERGING.get(name, DIVERGING[DEFAULT_DIVERGING])
    return pg.ColorMap(pos=np.array([0.0, 0.5, 1.0]), color=np.array([low, mid, high], dtype=np.ubyte))


def greyscale() -> pg.ColorMap:
    """The input image's map: 0 (background) black, 1 (ink) white, as MNIST is usually shown."""
    return pg.ColorMap(pos=np.array([0.0, 1.0]), color=np.array([(0, 0, 0), (255, 255, 255)], dtype=np.ubyte))


CHANNEL_COLOURS = {"red": (255, 40, 40), "green": (40, 220, 40), "blue": (60, 110, 255)}
"""The bright end of the map of each named colour channel of an input picture (RGB); any other
channel (grey, "channel 2") uses the plain greyscale."""


def channel_map(name: str) -> pg.ColorMap:
    """The map of the input channel ``name``: 0 black, 1 its own colour (white for grey or unnamed)."""
    bright = CHANNEL_COLOURS.get(name, (255, 255, 255))
    return pg.ColorMap(pos=np.array([0.0, 1.0]), color=np.array([(0, 0, 0), bright], dtype=np.ubyte))


def picture_colours(image: np.ndarray) -> np.ndarray:
    """(H, W, 3) uint8 of an input picture (d, H, W) in [0, 1] as it looks: its first three channels
    as red, green and blue when d >= 3, else the mean of its channels as grey."""
    image = np.nan_to_num(np.asarray(image, np.float32), nan=0.0)
    planes = image[:3] if image.shape[0] >= 3 else np.repeat(image.mean(axis=0, keepdims=True), 3, axis=0)
    return np.rint(np.clip(planes, 0.0, 1.0) * 255).astype(np.ubyte).transpose(1, 2, 0).copy()


def colour_table(colormap: pg.ColorMap) -> np.ndarray:
    """(LUT_SIZE, 3) uint8 RGB colours of ``colormap`` from its low end to its high end.

    Views draw through this table, and ``ImageItem.setLookupTable`` takes it as it is.
    """
    return np.asarray(colormap.getLookupTable(0.0, 1.0, LUT_SIZE, alpha=False), np.ubyte)[:, :3].copy()


def colour_index(values: np.ndarray, low: float, high: float) -> np.ndarray:
    """Index into a :func:`colour_table` for each value with levels (low, high).

    The rule is pyqtgraph's for an ``ImageItem`` with a lookup table: LUT_SIZE equal bins from
    ``low`` to ``high``, values beyond them in the end bins, NaN in the first bin (views draw
    non-finite values apart, see :data:`MISSING_VALUE`).
    """
    values = np.asarray(values)
    work = np.float32 if values.dtype == np.float32 else np.float64  # pyqtgraph's precision
    span = high - low if high != low else 1.0
    scaled = (values.astype(work, copy=False) - work(low)) * work(LUT_SIZE / span)
    scaled = np.nan_to_num(scaled, nan=0.0, posinf=LUT_SIZE, neginf=0.0)
    return np.clip(scaled, 0, LUT_SIZE - 1).astype(np.intp)


def text_colour_for(rgb: tuple[int, int, int]) -> tuple[int, int, int]:
    """Black or white, whichever reads better on a cell of colour ``rgb``."""
    luminance = 0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2]
    return (0, 0, 0) if luminance > 140 else (255, 255, 255)


def text_colours(rgb: np.ndarray) -> np.ndarray:
    """(..., 3) uint8: :func:`text_colour_for` of every colour of ``rgb`` (..., 3), vectorised."""
    rgb = np.asarray(rgb, np.float32)
    luminance = rgb[..., 0] * 0.299 + rgb[..., 1] * 0.587 + rgb[..., 2] * 0.114
    return np.where((luminance > 140)[..., None], np.ubyte(0), np.ubyte(255)).repeat(3, axis=-1).astype(np.ubyte)


def text_colour_table(table: np.ndarray) -> np.ndarray:
    """(N, 3) uint8: for each colour of ``table`` (N, 3 or 4), the text colour that reads on it."""
    return np.array([text_colour_for(tuple(int(v) for v in rgb[:3])) for rgb in table], np.ubyte)
