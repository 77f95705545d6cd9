"""One stage of the feature maps on the canvas: its caption, mosaic, overlays and colour bar, laid out.

The items of a stage are created once per pipeline and placed again only when the width or the
zoom changes; the view hands each result to :meth:`StageGroup.draw`, which updates them (levels,
mosaic image, colour bar labels, numbers). Sizes are screen pixels (scene units).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPen
from PySide6.QtWidgets import QGraphicsRectItem, QGraphicsSimpleTextItem

from ...input_channels import channel_names
from ...mosaic import NUMBER_MAX_SIDE, MosaicGrid
from ...number_text import format_value
from ..colours import channel_map, colour_index, colour_table, text_colours
from .map_highlights import Highlight, box_outlines, overlay_rgba, same_highlights
from .map_items import (
    MIN_NUMBER_FONT_PX,
    NOTE_COLOUR,
    TEXT_ZOOM,
    TITLE_COLOUR,
    BoxesItem,
    CellNumbersItem,
    ColourBarItem,
    colour_bar_width,
    digit_width,
    level_text,
    pixel_font,
    text_font,
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
TITLE_HEIGHT = 48  # the layer's name, then its shape and colour note (at text zoom 1)
BAR_GAP = 16
MIN_BAR_HEIGHT = 96
MAX_BAR_HEIGHT = 320
CHANNEL_NAME_PX = 14  # the names under a colour picture's channels (at text zoom 1) ...
CHANNEL_NAME_LINE = 20  # ... and the line they take


def title_height() -> float:
    """Screen px above a mosaic for the layer's name and note, growing with the text zoom."""
    return TITLE_HEIGHT * TEXT_ZOOM.factor


def bar_area() -> float:
    """The width right of a mosaic that its colour bar needs."""
    return BAR_GAP + colour_bar_width()


class MosaicImageItem(pg.ImageItem):
    """An ImageItem that keeps its rendered picture premultiplied (ARGB32_Premultiplied).

    pyqtgraph renders a mosaic with gaps as RGBA8888, which Qt converts on every paint of the
    canvas; converting once per result is cheaper. The pixels stay the same: a mosaic's alpha is
    0 (gaps) or 255, where premultiplying changes nothing.
    """

    def render(self) -> None:
        super().render()
        premultiplied = QImage.Format.Format_ARGB32_Premultiplied
        if self.qimage is not None and self.qimage.format() != premultiplied:
            self.qimage = self.qimage.convertToFormat(premultiplied)


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
        self.title.setBrush(QColor(*TITLE_COLOUR))
        self.note = QGraphicsSimpleTextItem(shape_text(shape), self.root)
        self.note.setBrush(QColor(*NOTE_COLOUR))
        self.image = MosaicImageItem(axisOrder="row-major")
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
        self.channel_names = channel_names(shape[0]) if stage == 0 and shape[0] > 1 else ()
        """A picture's channels ("red", ...): each drawn in its colour and named under its map."""
        self.channel_luts = [colour_table(channel_map(name)) for name in self.channel_names]
        self.picture_cells: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
        """The RGBA mosaic of a colour picture and where its units sit (rows, cols), for this grid."""
        self.name_items = [QGraphicsSimpleTextItem(name, self.root) for name in self.channel_names]
        for item in self.name_items:
            item.setBrush(QColor(*TITLE_COLOUR))
        self.grid = MosaicGrid.for_shape(shape, 1)
        self.cell = 1.0
        self.mosaic_rect = QRectF()  # scene coordinates
        self.buffer = self.grid.new_buffer()
        self.levels = (0.0, 1.0)
        self.numbers_possible = False
        self.text_values: np.ndarray | None = None  # the values ``texts`` were formatted from
        self.texts: list[str] = []
        self.shown_highlights: list[Highlight] | None = None  # None: not drawn for this layout yet

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
        if self.name_items and grid.rows > 1 and grid.columns == 1:  # maps one under another: room for names
            grid = replace(grid, gap=max(grid.gap, math.ceil(CHANNEL_NAME_LINE * TEXT_ZOOM.factor / cell)))
        if grid != self.grid:
            self.grid, self.buffer, self.picture_cells = grid, grid.new_buffer(), None
        self.cell = cell
        self.root.setPos(MARGIN, top)
        self.title.setFont(text_font(18, bold=True))
        self.note.setFont(text_font(14))
        self.title.setPos(0, 0)
        self.note.setPos(0, 24 * TEXT_ZOOM.factor)
        title = title_height()
        rows, cols = grid.shape
        local = QRectF(0, title, cols * cell, rows * cell)
        self.mosaic_rect = local.translated(MARGIN, top)
        for item in (self.numbers, self.boxes):
            item.setPos(local.topLeft())
        small = self.flat or max(grid.height, grid.width) <= NUMBER_MAX_SIDE
        self.numbers_possible = small and 0.5 * cell >= MIN_NUMBER_FONT_PX
        self.numbers.set_geometry(grid if self.numbers_possible else None, cell)
        self.text_values, self.texts = None, []
        self.shown_highlights = None
        bar_height = min(max(local.height(), MIN_BAR_HEIGHT), MAX_BAR_HEIGHT)
        self.bar.setPos(local.right() + BAR_GAP, title + 2)
        self.bar.set_height(bar_height - 4)
        return title + max(local.height() + self._place_names(local), bar_height)

    def _place_names(self, local: QRectF) -> float:
        """Name each channel of a colour picture under its map; returns the height the names add."""
        if not self.name_items:
            return 0.0
        font = text_font(CHANNEL_NAME_PX)
        line = CHANNEL_NAME_LINE * TEXT_ZOOM.factor
        gap_px = self.grid.gap * self.cell  # an upper row's names sit in the gap under its maps
        if self.grid.rows > 1 and gap_px < line:  # (side by side in rows: a 2x2 picture of 4 channels)
            font = pixel_font(max(gap_px * 0.7, 1))
        for channel, item in enumerate(self.name_items):
            row, col = self.grid.position(channel, self.grid.height, 0)
            item.setFont(font)
            width = item.boundingRect().width()
            left = local.left() + (col + self.grid.width / 2) * self.cell - width / 2
            item.setPos(left, local.top() + row * self.cell + 1)
        return line

    def local_mosaic_rect(self) -> QRectF:
        """The mosaic's rectangle in the group's own coordinates (where its image items go)."""
        return self.mosaic_rect.translated(-self.root.pos())

    def show_highlights(self, highlights: list[Highlight]) -> None:
        """The tint overlay and outlined boxes of ``highlights`` (redrawn on change, not per result)."""
        if same_highlights(highlights, self.shown_highlights):
            return  # e.g. the same receptive field again with a new result: nothing to redraw
        self.shown_highlights = highlights
        rgba = overlay_rgba(self.grid, self.shape, highlights)
        if rgba is not None:
            self.overlay.setImage(rgba, autoLevels=False, levels=None)
            self.overlay.setRect(self.local_mosaic_rect())
        self.overlay.setVisible(rgba is not None)
        bounds = QRectF(0, 0, self.mosaic_rect.width(), self.mosaic_rect.height())
        self.boxes.set_boxes(box_outlines(self.grid, self.cell, highlights), bounds)

    # ----- drawing a result
    def draw(self, values: np.ndarray, peak: float, scaling: str, dark_text: np.ndarray) -> None:
        """Mosaic, levels, colour bar and numbers from this stage's ``values``.

        ``peak`` is the half-width of the symmetric levels (the layer's or all layers' max |v|),
        ``scaling`` one of :data:`SCALINGS`, ``dark_text`` per colour table entry whether black
        text reads on it. The input stage (0) always shows 0..1.
        """
        if self.channel_names:
            self._draw_picture(values)
            return
        if self.stage == 0:
            shown, low, high = values, 0.0, 1.0
            self.bar.set_labels("1", "0.5", "0")
        elif scaling == "channel" and not self.flat:
            channel_peaks = np.abs(values).reshape(values.shape[0], -1).max(axis=1)
            channel_peaks[~(channel_peaks > 1e-12)] = 1.0
            shown, low, high = values / channel_peaks[:, None, None], -1.0, 1.0
            self.bar.set_labels("+1 × max", "0", "-1 × max")
        else:
            shown, low, high = values, -peak, peak
            self.bar.set_labels(level_text(peak), "0", level_text(-peak))
        self.levels = (low, high)
        mosaic = self.grid.tile(shown, self.buffer)
        self.image.setImage(mosaic, autoLevels=False, levels=(low, high))
        if self.numbers_possible:
            self._draw_numbers(values, dark_text[colour_index(shown.ravel(), low, high)])

    def _draw_picture(self, values: np.ndarray) -> None:
        """A colour picture's channels (d, H, W) in 0..1, each from black to its own colour (red...)."""
        planes = values.reshape(len(self.channel_luts), -1)
        luts = self.channel_luts
        colours = np.concatenate([lut[colour_index(plane, 0.0, 1.0)] for lut, plane in zip(luts, planes, strict=True)])
        if self.picture_cells is None:
            rows, cols = self.grid.cell_origins().T
            rgba = np.zeros((*self.grid.shape, 4), np.ubyte)  # the gaps stay transparent
            rgba[rows, cols, 3] = 255
            self.picture_cells = (rgba, rows, cols)
        rgba, rows, cols = self.picture_cells
        rgba[rows, cols, :3] = colours
        self.levels = (0.0, 1.0)
        self.bar.set_labels("1", "0.5", "0")
        self.image.setImage(rgba, autoLevels=False, levels=None)
        if self.numbers_possible:
            self._draw_numbers(values, text_colours(colours)[:, 0] == 0)

    def _draw_numbers(self, values: np.ndarray, dark: np.ndarray) -> None:
        """Texts of a small stage (format_value) in black where ``dark`` (per unit) says black reads, else white.

        Only the values that changed since the last result are formatted again (a pixel edit
        changes a few units of each layer), so thousands of numbers stay cheap.
        """
        flat_values = values.ravel()
        if self.text_values is None or self.text_values.shape != flat_values.shape:
            self.texts = [format_value(v) for v in flat_values.tolist()]
        else:
            texts = self.texts
            for index in np.flatnonzero(flat_values != self.text_values).tolist():
                texts[index] = format_value(flat_values[index])
        self.text_values = flat_values.copy()
        longest = max(4, max(map(len, self.texts)))
        font_px = min(0.5 * self.cell, 0.86 * self.cell / digit_width(longest))
        if font_px < MIN_NUMBER_FONT_PX:
            self.numbers.clear()
            return
        self.numbers.set_numbers(self.texts, dark, pixel_font(font_px))
