"""The first conv layer's kernels as one small mosaic, redrawn as they learn.

Every kernel (each output channel's kernel over each input channel, in that order) is one tile of
the shared tiler (:class:`cnn_desktop.mosaic.MosaicGrid`, a one-cell gap drawn transparent); the
tiles are laid out to be as large as the view allows, in a diverging palette with zero at mid-grey
and the levels symmetric around zero, so the sign of a weight is its colour.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QLabel, QSizePolicy, QVBoxLayout, QWidget

from ...engine import Network
from ...mosaic import MosaicGrid
from ..colours import CANVAS_BACKGROUND, DEFAULT_DIVERGING, colour_table, diverging, symmetric_level
from .confusion_view import palette_ends


def first_conv(network: Network) -> int | None:
    """Index of the network's first conv layer, or None when it has none."""
    return next((i for i, entry in enumerate(network.spec) if entry["type"] == "conv"), None)


class FilterMosaicView(pg.GraphicsLayoutWidget):
    """The kernels of one conv layer as a small mosaic, diverging colours, zero at mid-grey."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, border=None)
        self.setBackground(CANVAS_BACKGROUND)
        self.ci.layout.setContentsMargins(2, 2, 2, 2)
        self.box = self.addViewBox(lockAspect=True, enableMouse=False, enableMenu=False)
        self.box.invertY(True)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setLookupTable(colour_table(diverging(DEFAULT_DIVERGING)), update=False)
        self.box.addItem(self.image)
        self.weights: np.ndarray | None = None
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setFixedHeight(100)

    def set_palette(self, name: str) -> None:
        self.image.setLookupTable(colour_table(diverging(name)))

    def show_weights(self, weights: np.ndarray | None) -> None:
        """Draw ``weights`` (out, in, k, k), or clear the view when None."""
        self.weights = weights
        if weights is None:
            self.image.clear()
            return
        out_channels, in_channels, kh, kw = weights.shape
        grid = MosaicGrid.for_shape((out_channels * in_channels, kh, kw), self._columns(weights.shape))
        mosaic = grid.image(weights.reshape(-1, kh, kw))
        level = symmetric_level(weights)
        resized = self.image.image is None or self.image.image.shape != mosaic.shape
        self.image.setImage(mosaic, autoLevels=False, levels=(-level, level))
        if resized:
            self.box.autoRange(padding=0.02)

    def _columns(self, shape: tuple[int, ...]) -> int:
        """Tiles per row that make the kernels largest in this view's shape."""
        count = shape[0] * shape[1]
        width, height = max(1, self.width() - 4), max(1, self.height() - 4)

        def tile(columns: int) -> float:
            rows = math.ceil(count / columns)
            return min(width / (columns * (shape[3] + 1)), height / (rows * (shape[2] + 1)))

        return max(range(1, min(count, 64) + 1), key=tile)

    def resizeEvent(self, event: QResizeEvent | None) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        weights = getattr(self, "weights", None)  # pyqtgraph calls this during construction
        if weights is not None:
            self.image.clear()
            self.show_weights(weights)


class FirstFiltersView(QWidget):
    """A caption (which layer, what the colours mean) above the mosaic of the first conv layer."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._palette = DEFAULT_DIVERGING
        self.caption = QLabel("")
        self.caption.setWordWrap(True)
        self.mosaic = FilterMosaicView()
        self.mosaic.setToolTip(
            "The first conv layer's kernels as they learn: mid-grey is 0, the two ends of the\n"
            "colour map are negative and positive weights (scaled to the largest one)"
        )
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.caption)
        layout.addWidget(self.mosaic)

    def set_palette(self, name: str) -> None:
        """Colour the kernels with diverging palette ``name`` (the caption names its ends)."""
        self._palette = name
        self.mosaic.set_palette(name)

    def show_network(self, network: Network) -> None:
        """Show the first conv layer of ``network``, or say that it has none."""
        index = first_conv(network)
        if index is None:
            self.mosaic.show_weights(None)
            self.caption.setText("The pipeline has no conv layer, so there are no filters to watch.")
            return
        weights = network.params[f"{index}.weight"]
        out_channels, in_channels, kh, kw = weights.shape
        self.mosaic.show_weights(weights)
        low, high = palette_ends(self._palette)
        self.caption.setText(
            f"Filters of layer {index} (conv {kh}x{kw}, {out_channels * in_channels} kernels): "
            f"grey = 0, {low} negative, {high} positive"
        )
