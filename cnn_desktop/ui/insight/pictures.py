"""Small arrays as pixmaps: digit patches in greyscale, kernels and saliency in diverging colours.

Built once when a result arrives, never in a paint handler.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPixmap

from ..colours import colour_index, colour_table, diverging, symmetric_level


def pixmap_of(rgba: np.ndarray, scale: int) -> QPixmap:
    """``rgba`` (H, W, 4) uint8 with each value a ``scale`` x ``scale`` square of pixels."""
    rgba = np.ascontiguousarray(rgba, np.ubyte)
    h, w = rgba.shape[:2]
    image = QImage(rgba.data, w, h, 4 * w, QImage.Format.Format_RGBA8888).copy()
    return QPixmap.fromImage(image).scaled(
        w * scale, h * scale, Qt.AspectRatioMode.IgnoreAspectRatio, Qt.TransformationMode.FastTransformation
    )


def grey_pixmap(values: np.ndarray, scale: int) -> QPixmap:
    """``values`` (H, W) in [0, 1] as black (0) to white (1), each value a ``scale`` x ``scale`` square."""
    grey = (np.clip(values, 0, 1) * 255).astype(np.ubyte)
    rgba = np.stack([grey, grey, grey, np.full_like(grey, 255)], axis=-1)
    return pixmap_of(rgba, scale)


def diverging_rgba(values: np.ndarray, limit: float, palette: str, opaque: bool = True) -> np.ndarray:
    """(H, W, 4) uint8: ``values`` in the app's diverging colours with zero at mid-grey.

    With ``opaque`` False, alpha grows with |value| / ``limit``, so zero is see-through (an overlay).
    """
    table = colour_table(diverging(palette))
    rgb = table[colour_index(values, -limit, limit)]
    if opaque:
        alpha = np.full(values.shape, 255, np.ubyte)
    else:
        alpha = (np.clip(np.abs(values) / limit, 0, 1) * 220).astype(np.ubyte)
    return np.concatenate([rgb, alpha[..., None]], axis=-1)


def kernel_pixmap(weights: np.ndarray, scale: int, palette: str) -> QPixmap:
    """A conv filter (in_channels, k, k) as its kernels side by side, one symmetric scale for all."""
    limit = symmetric_level(weights)
    c, k, _ = weights.shape
    strip = np.full((k, c * (k + 1) - 1, 4), 0, np.ubyte)
    for channel in range(c):
        strip[:, channel * (k + 1) : channel * (k + 1) + k] = diverging_rgba(weights[channel], limit, palette)
    return pixmap_of(strip, scale)
