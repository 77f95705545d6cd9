"""The custom graphics items drawn over the feature-map mosaics: cell numbers, boxes, colour bar.

Each item is created once per stage and then only fed new data; its ``paint`` only draws what
the result slot prepared, so that a redraw of every map stays within a frame. Coordinates are
item pixels (the canvas shows one scene unit per screen pixel).
"""

from __future__ import annotations

import functools

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QLinearGradient, QPainter, QPen
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from ...mosaic import MosaicGrid
from ..fonts import TEXT_ZOOM, pixel_font, text_font

TITLE_COLOUR = (238, 238, 238)
NOTE_COLOUR = (175, 180, 188)
GRID_COLOUR = (88, 90, 96)  # cell borders when numbers show: visible on black, white and grey cells
MIN_NUMBER_FONT_PX = 11.0  # small maps show their numbers only with a font at least this size
BAR_WIDTH = 18  # the gradient
BAR_LABEL_WIDTH = 78  # at text zoom 1
COLOUR_BAR_LABEL_PX = 14


def colour_bar_width() -> float:
    """Screen px of a colour bar: gradient, tick and labels (these grow with the text zoom)."""
    return BAR_WIDTH + 8 + BAR_LABEL_WIDTH * TEXT_ZOOM.factor


@functools.lru_cache(maxsize=64)
def digit_width(characters: int) -> float:
    """Width of ``characters`` digits in em (digits are the widest characters of a number)."""
    return QFontMetricsF(pixel_font(100)).horizontalAdvance("0" * characters) / 100


def level_text(value: float) -> str:
    """A colour-bar label: enough digits to tell the levels apart, no exponent for usual values."""
    value = float(value) + 0.0
    if value == 0:
        return "0"
    if abs(value) >= 1000:
        return f"{value:.0f}"
    text = f"{value:.3g}"
    return text if "e" not in text else f"{value:.1e}"


class CellNumbersItem(QGraphicsItem):
    """All numbers of one stage's mosaic, drawn by one item (never one text item per cell).

    The texts, their colours and the font are prepared by :meth:`set_numbers` in the result slot;
    ``paint`` only draws the cells inside the exposed rectangle, with the cell grid, as on the slides.
    """

    def __init__(self, parent: QGraphicsItem | None = None) -> None:
        super().__init__(parent)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption, True)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self._bounds = QRectF()
        self._rects: list[QRectF] = []
        self._maps: list[tuple[QRectF, list[QPointF]]] = []  # each map's rectangle and grid lines
        self._texts: list[str] = []
        self._dark: list[bool] = []
        self._font = text_font(12)
        self._pens = (QPen(QColor(255, 255, 255)), QPen(QColor(0, 0, 0)))
        self._grid_pen = QPen(QColor(*GRID_COLOUR), 1.0)
        self._grid_pen.setCosmetic(True)

    def set_geometry(self, grid: MosaicGrid | None, cell: float) -> None:
        """Cell rectangles and grid lines of ``grid`` at ``cell`` px (None: this stage shows no numbers)."""
        self.prepareGeometryChange()
        self._texts, self._dark = [], []
        if grid is None:
            self._bounds, self._rects, self._maps = QRectF(), [], []
            return
        rows, cols = grid.shape
        self._bounds = QRectF(0, 0, cols * cell, rows * cell)
        self._rects = [QRectF(col * cell, row * cell, cell, cell) for row, col in grid.cell_origins().tolist()]
        self._maps = _grid_lines(grid, cell)

    def set_numbers(self, texts: list[str], dark: np.ndarray, font: QFont) -> None:
        """``texts`` in unit order with ``dark`` (bool per unit: black text on a light cell)."""
        self._texts, self._dark, self._font = texts, dark.tolist(), font
        self.update()

    def clear(self) -> None:
        if self._texts:
            self._texts, self._dark = [], []
            self.update()

    def cells(self) -> list[tuple[QRectF, str]]:
        """What is drawn: (cell rectangle in item coordinates, text) per unit; empty when hidden."""
        return list(zip(self._rects, self._texts, strict=False)) if self._texts else []

    def boundingRect(self) -> QRectF:  # noqa: N802 (Qt's name)
        return self._bounds

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        if not self._texts:
            return
        exposed = option.exposedRect
        painter.setPen(self._grid_pen)
        for rect, lines in self._maps:
            if exposed.intersects(rect):
                painter.drawLines(lines)
        painter.setFont(self._font)
        current = None
        align = Qt.AlignmentFlag.AlignCenter
        for rect, text, dark in zip(self._rects, self._texts, self._dark, strict=False):
            if not exposed.intersects(rect):
                continue
            if dark is not current:
                painter.setPen(self._pens[dark])
                current = dark
            painter.drawText(rect, align, text)


def _grid_lines(grid: MosaicGrid, cell: float) -> list[tuple[QRectF, list[QPointF]]]:
    """Each map's rectangle and the point pairs of its cell borders (a flat strip: per row of cells)."""
    if grid.flat:
        rows, cols = grid.shape
        blocks = [(row, 0, 1, min(cols, grid.width - row * cols)) for row in range(rows)]
    else:
        blocks = [(*grid.position(channel, 0, 0), grid.height, grid.width) for channel in range(grid.channels)]
    maps = []
    for top, left, height, width in blocks:
        x0, y0, x1, y1 = left * cell, top * cell, (left + width) * cell, (top + height) * cell
        points: list[QPointF] = []
        for k in range(height + 1):
            points += [QPointF(x0, y0 + k * cell), QPointF(x1, y0 + k * cell)]
        for k in range(width + 1):
            points += [QPointF(x0 + k * cell, y0), QPointF(x0 + k * cell, y1)]
        maps.append((QRectF(x0, y0, x1 - x0, y1 - y0), points))
    return maps


class ColourBarItem(QGraphicsItem):
    """A vertical colour bar with its top, middle and bottom values written next to it."""

    def __init__(self, parent: QGraphicsItem | None = None) -> None:
        super().__init__(parent)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self._height = 100.0
        self._gradient = QLinearGradient()
        self._labels = ("", "", "")
        self._text_pen = QPen(QColor(*TITLE_COLOUR))
        self._frame_pen = QPen(QColor(*NOTE_COLOUR), 1.0)
        self._frame_pen.setCosmetic(True)

    def set_height(self, height: float) -> None:
        self.prepareGeometryChange()
        self._height = float(height)
        self._gradient.setStart(0, self._height)
        self._gradient.setFinalStop(0, 0)
        self.update()

    def set_colour_map(self, colour_map: pg.ColorMap) -> None:
        """Gradient stops from the map's own stops (bottom = low end, top = high end)."""
        positions, colours = colour_map.getStops(mode=pg.ColorMap.BYTE)
        stops = zip(positions, colours, strict=True)
        self._gradient.setStops([(float(p), QColor(*(int(v) for v in c[:3]))) for p, c in stops])
        self.update()

    def set_labels(self, top: str, middle: str, bottom: str) -> None:
        labels = (top, middle, bottom)
        if labels != self._labels:
            self._labels = labels
            self.update()

    def labels(self) -> tuple[str, str, str]:
        """The (top, middle, bottom) values written on the bar."""
        return self._labels

    def boundingRect(self) -> QRectF:  # noqa: N802 (Qt's name)
        half_line = 12 * TEXT_ZOOM.factor
        return QRectF(-1, -half_line, colour_bar_width() + 2, self._height + 2 * half_line)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        bar = QRectF(0, 0, BAR_WIDTH, self._height)
        painter.fillRect(bar, QBrush(self._gradient))
        painter.setPen(self._frame_pen)
        painter.drawRect(bar)
        zoom = TEXT_ZOOM.factor
        painter.setFont(text_font(COLOUR_BAR_LABEL_PX))
        painter.setPen(self._text_pen)
        label_x = BAR_WIDTH + 8
        for text, y in zip(self._labels, (0.0, self._height / 2, self._height), strict=True):
            painter.drawLine(QPointF(BAR_WIDTH, y), QPointF(BAR_WIDTH + 5, y))
            label = QRectF(label_x, y - 11 * zoom, BAR_LABEL_WIDTH * zoom, 22 * zoom)
            painter.drawText(label, Qt.AlignmentFlag.AlignVCenter, text)


class BoxesItem(QGraphicsItem):
    """Outlined rectangles over one stage's mosaic (receptive-field boxes and the like)."""

    def __init__(self, parent: QGraphicsItem | None = None) -> None:
        super().__init__(parent)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self._boxes: list[tuple[QRectF, QPen]] = []
        self._bounds = QRectF()

    def set_boxes(self, boxes: list[tuple[QRectF, QColor]], bounds: QRectF) -> None:
        self.prepareGeometryChange()
        self._bounds = QRectF(bounds).adjusted(-3, -3, 3, 3)
        self._boxes = []
        for rect, colour in boxes:
            pen = QPen(colour, 3.0)
            pen.setCosmetic(True)
            self._boxes.append((rect, pen))
        self.update()

    def boxes(self) -> list[QRectF]:
        return [rect for rect, _ in self._boxes]

    def boundingRect(self) -> QRectF:  # noqa: N802 (Qt's name)
        return self._bounds

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        painter.setBrush(Qt.BrushStyle.NoBrush)
        for rect, pen in self._boxes:
            painter.setPen(pen)
            painter.drawRect(rect)
