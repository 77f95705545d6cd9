"""One stage of the feature maps on the canvas: its caption, mosaic, overlays and colour bar, laid out.

The items of a stage are created once per pipeline and placed again only when the width or the
zoom changes; the view feeds them each result. Sizes are screen pixels (scene units).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPen
from PySide6.QtWidgets import QGraphicsRectItem, QGraphicsSimpleTextItem

from ...mosaic import NUMBER_MAX_SIDE, MosaicGrid
from .map_items import (
    COLOUR_BAR_WIDTH,
    MIN_NUMBER_FONT_PX,
    NOTE_COLOUR,
    TITLE_COLOUR,
    BoxesItem,
    CellNumbersItem,
    ColourBarItem,
    pixel_font,
)

SCALINGS = ("layer", "channel", "global")
SCALING_NOTES = {
    "layer": "colours: this layer's range",
    "channel": "colours: each channel scaled to its own max |value| (bar: ±1 = that max)",
    "global": "colours: one range for all layers",
}

# layout, in screen pixels (times the zoom for the map sizes)
MARGIN = 14
GROUP_SPACING = 22  # screen px between two stages
TITLE_HEIGHT = 48  # the layer's name, then its shape and colour note
BAR_GAP = 16
BAR_AREA = BAR_GAP + COLOUR_BAR_WIDTH  # the width right of a mosaic that its colour bar needs
MIN_BAR_HEIGHT = 96
MAX_BAR_HEIGHT = 320


def shape_text(shape: Sequence[int]) -> str:
    """``8 × 26 × 26`` (channels × height × width) or ``400 values`` for a flat stage."""
    return f"{shape[0]} values" if len(shape) == 1 else " × ".join(str(v) for v in shape)


class StageGroup:
    """The items that show one stage: name, shape, mosaic, highlight overlay, numbers, colour bar.

    Also what the last draw left for the next one: the grid and cell size, the mosaic buffer, the
    colour levels and the formatted numbers (so that only changed values are formatted again).
    """

    def __init__(self, stage: int, name: str, shape: tuple[int, ...]) -> None:
        self.stage, self.shape = stage, shape
        self.root = QGraphicsRectItem()
        self.root.setPen(QPen(Qt.PenStyle.NoPen))
        self.title = QGraphicsSimpleTextItem(name, self.root)
        self.title.setFont(pixel_font(18, bold=True))
        self.title.setBrush(QColor(*TITLE_COLOUR))
        self.note = QGraphicsSimpleTextItem(shape_text(shape), self.root)
        self.note.setFont(pixel_font(14))
        self.note.setBrush(QColor(*NOTE_COLOUR))
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setParentItem(self.root)
        self.overlay = pg.ImageItem(axisOrder="row-major")
        self.overlay.setParentItem(self.root)
        self.overlay.setZValue(1)
        self.overlay.setVisible(False)
        self.numbers = CellNumbersItem(self.root)
        self.numbers.setZValue(2)
        self.boxes = BoxesItem(self.root)
        self.boxes.setZValue(3)
        self.bar = ColourBarItem(self.root)
        self.grid = MosaicGrid.for_shape(shape, 1)
        self.cell = 1.0
        self.mosaic_rect = QRectF()  # scene coordinates
        self.buffer = self.grid.new_buffer()
        self.levels = (0.0, 1.0)
        self.numbers_possible = False
        self.text_values: np.ndarray | None = None  # the values ``texts`` were formatted from
        self.texts: list[str] = []

    @property
    def flat(self) -> bool:
        return len(self.shape) == 1

    def note_text(self, scaling: str) -> str:
        """``8 × 26 × 26 · colours: ...``; a flat layer is one channel, so it keeps its layer range."""
        if self.stage == 0:
            return shape_text(self.shape)
        note = SCALING_NOTES["layer" if self.flat and scaling == "channel" else scaling]
        return f"{shape_text(self.shape)}   ·   {note}"

    def place(self, top: float, grid: MosaicGrid, cell: float) -> float:
        """Lay the group out from ``top`` (scene px) with ``grid`` at ``cell`` px; returns its height."""
        if grid != self.grid:
            self.grid, self.buffer = grid, grid.new_buffer()
        self.cell = cell
        self.root.setPos(MARGIN, top)
        self.title.setPos(0, 0)
        self.note.setPos(0, 24)
        rows, cols = grid.shape
        local = QRectF(0, TITLE_HEIGHT, cols * cell, rows * cell)
        self.mosaic_rect = local.translated(MARGIN, top)
        for item in (self.numbers, self.boxes):
            item.setPos(local.topLeft())
        small = self.flat or max(grid.height, grid.width) <= NUMBER_MAX_SIDE
        self.numbers_possible = small and 0.5 * cell >= MIN_NUMBER_FONT_PX
        self.numbers.set_geometry(grid if self.numbers_possible else None, cell)
        self.text_values, self.texts = None, []
        bar_height = min(max(local.height(), MIN_BAR_HEIGHT), MAX_BAR_HEIGHT)
        self.bar.setPos(local.right() + BAR_GAP, TITLE_HEIGHT + 2)
        self.bar.set_height(bar_height - 4)
        return TITLE_HEIGHT + max(local.height(), bar_height)

    def local_mosaic_rect(self) -> QRectF:
        """The mosaic's rectangle in the group's own coordinates (where its image items go)."""
        return self.mosaic_rect.translated(-self.root.pos())
