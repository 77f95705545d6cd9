"""Every kernel of a conv layer as one mosaic of small tiles; clicking a tile picks that kernel.

The tiles are one ``ImageItem`` fed by the shared tiler (:class:`cnn_desktop.mosaic.MosaicGrid`):
one column per output channel (filter), one row per input channel, a one-cell gap between tiles,
coloured on one symmetric scale for the whole layer. Scene coordinates are the view's pixels.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPen
from PySide6.QtWidgets import QGraphicsRectItem, QGraphicsView, QWidget

from ...mosaic import MosaicGrid
from ..colours import colour_table, diverging, symmetric_level

SELECTION_COLOUR = "#ffb000"
BORDER_PX = 3.0  # room around the tiles for the selection outline


class KernelOverviewView(pg.GraphicsView):
    """All kernels (out, in, k, k) of a layer as tiles; a click emits the tile's (output, input) channel."""

    kernel_clicked = Signal(int, int)  # output channel, input channel

    def __init__(self, parent: QWidget | None = None) -> None:
        self._weights = np.zeros((0, 0, 1, 1), np.float32)
        self._grid: MosaicGrid | None = None
        self._selected = (0, 0)
        self.image: pg.ImageItem | None = None
        self._selection_item: QGraphicsRectItem | None = None
        super().__init__(parent, background=None)  # pyqtgraph resizes the view in here
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setLookupTable(colour_table(diverging()), update=False)
        self.scene().addItem(self.image)
        self._selection_item = QGraphicsRectItem()
        self._selection_item.setPen(QPen(QColor(SELECTION_COLOUR), 3))
        self._selection_item.setZValue(1)
        self._selection_item.setVisible(False)
        self.scene().addItem(self._selection_item)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # clicked, never a stop for the Tab key
        self.setMinimumHeight(48)
        self.setToolTip("All kernels of the layer: a column per output channel, a row per input channel; click one")
        self._follow_palette()

    # ----- what to show
    def set_weights(self, weights: np.ndarray) -> None:
        """Show ``weights`` (out, in, k, k), coloured on one symmetric scale for the whole layer."""
        self._weights = np.array(weights, np.float32, copy=True)
        outs, ins, kh, kw = self._weights.shape
        if not outs or not ins:
            self._grid = None
            self.image.clear()
            self._place()
            return
        self._grid = MosaicGrid.for_shape((outs * ins, kh, kw), outs)
        level = symmetric_level(self._weights)
        tiles = self._weights.transpose(1, 0, 2, 3).reshape(outs * ins, kh, kw)  # row = input channel
        self.image.setImage(self._grid.image(tiles), autoLevels=False, levels=(-level, level))
        self._place()

    def set_colormap(self, colormap: pg.ColorMap) -> None:
        self.image.setLookupTable(colour_table(colormap))

    def set_selected(self, out_channel: int, in_channel: int) -> None:
        self._selected = (out_channel, in_channel)
        self._outline_selection()

    # ----- geometry (view pixels)
    def _layout(self) -> tuple[float, float, float]:
        """(x0, y0, pixels per cell) of the mosaic, centred and as large as the view allows."""
        if self._grid is None:
            return 0.0, 0.0, 0.0
        rows, cols = self._grid.shape
        width, height = self.viewport().width() - 2 * BORDER_PX, self.viewport().height() - 2 * BORDER_PX
        cell = max(min(width / cols, height / rows), 0.25)
        if cell >= 1:
            cell = float(math.floor(cell))  # whole pixels: every cell the same size
        x0 = round((self.viewport().width() - cols * cell) / 2)
        y0 = round((self.viewport().height() - rows * cell) / 2)
        return float(x0), float(y0), cell

    def tile_rect(self, out_channel: int, in_channel: int) -> QRectF:
        """The tile of kernel (output, input channel) in view pixels."""
        x0, y0, cell = self._layout()
        if self._grid is None:
            return QRectF()
        row, col = self._grid.position(in_channel * self._grid.columns + out_channel, 0, 0)
        return QRectF(x0 + col * cell, y0 + row * cell, self._grid.width * cell, self._grid.height * cell)

    def kernel_at(self, point: QPointF) -> tuple[int, int] | None:
        """(output, input channel) of the tile under ``point`` (view pixels), None on a gap or outside."""
        x0, y0, cell = self._layout()
        if self._grid is None or cell <= 0:
            return None
        unit = self._grid.unit_at(math.floor((point.y() - y0) / cell), math.floor((point.x() - x0) / cell))
        if unit is None:
            return None
        in_channel, out_channel = divmod(unit[0], self._grid.columns)
        return out_channel, in_channel

    def _place(self) -> None:
        if self._grid is not None and self.image is not None:
            x0, y0, cell = self._layout()
            rows, cols = self._grid.shape
            self.image.setRect(QRectF(x0, y0, cols * cell, rows * cell))
        self._outline_selection()

    def _outline_selection(self) -> None:
        if self._selection_item is None:
            return
        out_channel, in_channel = self._selected
        shown = self._grid is not None and out_channel < self._weights.shape[0] and in_channel < self._weights.shape[1]
        if shown:
            self._selection_item.setRect(self.tile_rect(out_channel, in_channel).adjusted(-2, -2, 2, 2))
        self._selection_item.setVisible(shown)

    def updateMatrix(self, propagate: bool = True) -> None:  # noqa: N802 (pyqtgraph's name)
        """Identity transform: one scene unit is one view pixel (pyqtgraph would fit a range)."""
        self.resetTransform()
        self.range = QRectF(0, 0, self.viewport().width(), self.viewport().height())
        self.setSceneRect(self.range)

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        if event is not None:
            QGraphicsView.resizeEvent(self, event)
        self.updateMatrix()
        self._place()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt's name)
        if event.type() == QEvent.Type.PaletteChange:
            self._follow_palette()
        super().changeEvent(event)

    def _follow_palette(self) -> None:
        """The gaps show the window colour of the theme, as the panel around the tiles does."""
        self.setBackground(self.palette().window().color())

    # ----- mouse
    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt's name)
        hit = self.kernel_at(event.position())
        if hit is not None and event.button() == Qt.MouseButton.LeftButton:
            self.kernel_clicked.emit(*hit)
        event.accept()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt's name)
        hit = self.kernel_at(event.position())
        text = f"Output channel {hit[0]}, input channel {hit[1]}: click to edit" if hit else ""
        self.setStatusTip(text)
        if hit:
            self.setToolTip(text)
        event.accept()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt's name)
        event.accept()

    def wheelEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        event.ignore()  # nothing to zoom: let the panel around scroll

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        return QSize(320, 110)
