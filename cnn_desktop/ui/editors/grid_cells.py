"""What a number grid draws, prepared once per change and painted by small functions.

:class:`GridGeometry` places the cells in the widget; :class:`CellPicture` turns an (H, W) array
into its cell colours (one RGB image), the text colour of every cell and the highlight mask as an
image; the ``draw_*`` functions paint cells' numbers, the hatched padding, grid lines, outlines and
the cursor with a ``QPainter`` and compute nothing. :func:`paint_cells` puts together what changes
only with the values (the view keeps it in a pixmap); outlines, hover and focus go on top.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QImage, QPainter, QPen, QStaticText

from ...number_text import format_value
from ..colours import MISSING_VALUE, colour_index, text_colours
from ..fonts import TEXT_ZOOM

RGB = tuple[int, int, int]
GRID_LINE_COLOUR = QColor(110, 110, 110)

MIN_GRID_LINES_CELL = 6
"""Smallest cell side (px) at which lines are drawn between cells."""


@dataclass(frozen=True)
class GridRect:
    """An outline over cells ``top..bottom`` x ``left..right`` (inclusive, array coordinates).

    Coordinates may reach into the padding margin (negative, or >= the array's size), the way
    an unclipped receptive field box does. ``width`` is the pen width in pixels.
    """

    top: int
    left: int
    bottom: int
    right: int
    colour: QColor | str = "#ffb000"
    width: float = 3.0
    style: Qt.PenStyle = Qt.PenStyle.SolidLine


@dataclass(frozen=True)
class GridGeometry:
    """Where the cells of an (H, W) array with ``pad`` rings of padding sit in a widget (pixels).

    ``(x0, y0)`` is the top-left corner of the outermost padding cell, ``cell`` the side of a cell;
    row and column 0 are the array's first, so padding cells have negative or too large indices.
    """

    height: int
    width: int
    pad: int
    x0: float = 0.0
    y0: float = 0.0
    cell: float = 0.0

    @classmethod
    def fit(cls, shape: tuple[int, int], pad: int, width: int, height: int, margin: int) -> GridGeometry:
        """Square cells as large as a ``width`` x ``height`` widget allows, centred, ``margin`` px free."""
        rows, cols = shape[0] + 2 * pad, shape[1] + 2 * pad
        if not shape[0] or not shape[1]:
            return cls(shape[0], shape[1], pad)
        cell = max(min((width - 2 * margin) / cols, (height - 2 * margin) / rows), 0.5)
        if cell >= 3:
            cell = float(math.floor(cell))  # whole pixels: crisp cell borders
        x0 = round((width - cell * cols) / 2)
        y0 = round((height - cell * rows) / 2)
        return cls(shape[0], shape[1], pad, float(x0), float(y0), cell)

    def cell_rect(self, row: int, col: int) -> QRectF:
        """The cell's rectangle; rows/cols of the padding margin are allowed."""
        cell = self.cell
        return QRectF(self.x0 + (col + self.pad) * cell, self.y0 + (row + self.pad) * cell, cell, cell)

    def cell_at(self, point: QPointF, include_padding: bool = False) -> tuple[int, int] | None:
        """The (row, col) under ``point``, or None outside the array (and its padding, if included)."""
        if self.cell <= 0:
            return None
        col = math.floor((point.x() - self.x0) / self.cell) - self.pad
        row = math.floor((point.y() - self.y0) / self.cell) - self.pad
        p = self.pad if include_padding else 0
        if -p <= row < self.height + p and -p <= col < self.width + p:
            return row, col
        return None


@dataclass
class CellPicture:
    """The colours of a grid's cells: ``image`` (W x H RGB32), ``text_rgb`` (H, W, 3) per cell,
    the colour of zero and of text on it (for the padding), and the highlight ``mask`` image."""

    image: QImage
    text_rgb: np.ndarray
    zero_rgb: RGB
    zero_text_rgb: RGB
    mask: QImage | None
    texts: list[list[str]] | None = None

    @classmethod
    def build(
        cls,
        values: np.ndarray,
        levels: tuple[float, float],
        table: np.ndarray,
        text_table: np.ndarray,
        mask: np.ndarray | None,
        mask_colour: QColor,
        colours: np.ndarray | None = None,
    ) -> CellPicture:
        """``values`` (H, W) through colour ``table`` at ``levels``, or in their own ``colours``
        (H, W, 3) uint8 (a colour picture) when given; non-finite cells in MISSING_VALUE."""
        index = colour_index(values, *levels)
        rgb = table[index] if colours is None else colours.copy()
        rgb[~np.isfinite(values)] = MISSING_VALUE
        height, width = values.shape
        # RGB32 (bytes B, G, R, 255) draws scaled several times faster than RGB888, with the same pixels
        bgrx = np.full((height, width, 4), 255, np.ubyte)
        bgrx[..., :3] = rgb[..., ::-1]
        image = QImage(bgrx.data, width, height, 4 * width, QImage.Format.Format_RGB32).copy()
        zero = int(colour_index(np.zeros(1, np.float32), *levels)[0])
        mask_image = None
        if mask is not None and mask.any():
            rgba = np.zeros((*mask.shape, 4), np.ubyte)
            colour = mask_colour
            rgba[mask] = (colour.blue(), colour.green(), colour.red(), colour.alpha())  # ARGB32 is BGRA
            mask_h, mask_w = mask.shape
            mask_image = QImage(rgba.data, mask_w, mask_h, 4 * mask_w, QImage.Format.Format_ARGB32).copy()
        return cls(
            image,
            text_table[index] if colours is None else text_colours(rgb),
            tuple(int(v) for v in table[zero]),
            tuple(int(v) for v in text_table[zero]),
            mask_image,
        )

    def texts_of(self, values: np.ndarray) -> list[list[str]]:
        """Each cell's number as the slides write it ("" for NaN or infinity), formatted once."""
        if self.texts is None:
            self.texts = [[format_value(v) if np.isfinite(v) else "" for v in row] for row in values]
        return self.texts


def number_font(base: QFont, cell: float, texts: list[list[str]], scale: float) -> QFont | None:
    """One font for all cells: as large as ``scale`` and the text zoom ask, but the widest number fits its cell.

    None when the numbers would be smaller than 8 px.
    """
    widest = max((text for row in texts for text in row), key=len, default="0") or "0"
    font = QFont(base)
    font.setWeight(QFont.Weight.DemiBold)
    font.setPixelSize(100)
    width = QFontMetricsF(font).horizontalAdvance(widest + "0" if len(widest) < 2 else widest)
    size = min(cell * 0.46 * scale * TEXT_ZOOM.factor, 100 * cell * 0.86 / max(width, 1.0), cell * 0.8)
    if size < 8:
        return None
    font.setPixelSize(int(size))
    return font


def draw_padding(
    painter: QPainter, outer: QRectF, picture: CellPicture, font: QFont | None, cells: Iterable[QRectF]
) -> None:
    """The padding ring: zero's colour, hatched, and a faded italic 0 in each of ``cells``."""
    ink = QColor(*picture.zero_text_rgb)
    hatch = QColor(ink)
    hatch.setAlpha(90)
    painter.fillRect(outer, QColor(*picture.zero_rgb))
    painter.fillRect(outer, QBrush(hatch, Qt.BrushStyle.BDiagPattern))
    if font is None:
        return
    font.setItalic(True)
    font.setWeight(QFont.Weight.Normal)
    painter.setFont(font)
    faded = QColor(ink)
    faded.setAlpha(170)
    painter.setPen(faded)
    for rect in cells:
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, "0")


def draw_grid_lines(painter: QPainter, x0: float, y0: float, cell: float, rows: int, cols: int) -> None:
    painter.setPen(QPen(GRID_LINE_COLOUR, 1))
    right, bottom = x0 + cols * cell, y0 + rows * cell
    lines = [QLineF(x0, y0 + row * cell, right, y0 + row * cell) for row in range(rows + 1)]
    lines += [QLineF(x0 + col * cell, y0, x0 + col * cell, bottom) for col in range(cols + 1)]
    painter.drawLines(lines)  # one call: a 64x64 grid has 130 lines


def draw_numbers(
    painter: QPainter,
    texts: list[list[str]],
    text_rgb: np.ndarray,
    font: QFont,
    cell_rect: Callable[[int, int], QRectF],
) -> None:
    """Each cell's text centred in ``cell_rect(row, col)``, in that cell's text colour.

    Each distinct text is laid out once (a ``QStaticText``): grids repeat few numbers (0, 1, the
    weights of a kernel), and laying out is most of the cost of drawing a number.
    """
    painter.setFont(font)
    pens: dict[RGB, QPen] = {}
    layouts: dict[str, QStaticText] = {}
    transform = painter.transform()
    line_height = QFontMetricsF(font).height()
    for row, line in enumerate(texts):
        for col, text in enumerate(line):
            if not text:
                continue
            rgb = tuple(int(v) for v in text_rgb[row, col])
            if rgb not in pens:
                pens[rgb] = QPen(QColor(*rgb))
            painter.setPen(pens[rgb])
            layout = layouts.get(text)
            if layout is None:
                layout = layouts[text] = QStaticText(text)
                layout.setTextFormat(Qt.TextFormat.PlainText)
                layout.prepare(transform, font)
            rect, width = cell_rect(row, col), layout.size().width()
            corner = QPointF(rect.x() + (rect.width() - width) / 2, rect.y() + (rect.height() - line_height) / 2)
            painter.drawStaticText(corner, layout)


def draw_outline(painter: QPainter, area: QRectF, rect: GridRect) -> None:
    """``rect``'s outline drawn just inside ``area`` (the cells it covers, in pixels)."""
    half = rect.width / 2
    painter.setPen(QPen(QColor(rect.colour), rect.width, rect.style))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawRect(area.adjusted(half, half, -half, -half))


def draw_hover(painter: QPainter, rect: QRectF) -> None:
    """The cell under the mouse: a thin light frame on a dark one, readable on any colour."""
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.setPen(QPen(QColor(0, 0, 0, 160), 4))
    painter.drawRect(rect.adjusted(2, 2, -2, -2))
    painter.setPen(QPen(QColor(255, 255, 255, 220), 2))
    painter.drawRect(rect.adjusted(2, 2, -2, -2))


def draw_focus(painter: QPainter, rect: QRectF, cell: float, highlight: QColor) -> None:
    """The current cell of a focused grid: the highlight colour on a black frame."""
    width = max(2.0, min(4.0, cell / 10))
    inside = rect.adjusted(width / 2, width / 2, -width / 2, -width / 2)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.setPen(QPen(QColor(0, 0, 0), width + 2))
    painter.drawRect(inside)
    painter.setPen(QPen(highlight.lighter(130), width))
    painter.drawRect(inside)


def paint_cells(
    painter: QPainter,
    picture: CellPicture,
    values: np.ndarray,
    geometry: GridGeometry,
    base_font: QFont,
    font_scale: float | None,
) -> None:
    """Padding, cells, grid lines, the padding's edge, the highlight and (unless ``font_scale`` is
    None) the numbers of ``values`` (H, W) as ``picture`` coloured them, placed by ``geometry``."""
    x0, y0, cell, p = geometry.x0, geometry.y0, geometry.cell, geometry.pad
    height, width = values.shape
    inner = QRectF(x0 + p * cell, y0 + p * cell, width * cell, height * cell)
    outer = QRectF(x0, y0, (width + 2 * p) * cell, (height + 2 * p) * cell)
    numbers = font_scale is not None
    if p:
        font = number_font(base_font, cell, [["0"]], font_scale) if numbers else None
        padding = [
            geometry.cell_rect(row, col)
            for row in range(-p, height + p)
            for col in range(-p, width + p)
            if not (0 <= row < height and 0 <= col < width)
        ]
        draw_padding(painter, outer, picture, font, padding)
    painter.drawImage(inner, picture.image)
    if cell >= MIN_GRID_LINES_CELL:
        draw_grid_lines(painter, x0, y0, cell, height + 2 * p, width + 2 * p)
    if p:  # a dashed edge where the image ends and the padding begins
        painter.setPen(QPen(QColor(*picture.zero_text_rgb), 2, Qt.PenStyle.DashLine))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(inner)
    if picture.mask is not None:
        painter.drawImage(inner if picture.mask.height() == height else outer, picture.mask)
    if numbers:
        texts = picture.texts_of(values)
        font = number_font(base_font, cell, texts, font_scale)
        if font is not None:
            draw_numbers(painter, texts, picture.text_rgb, font, geometry.cell_rect)
