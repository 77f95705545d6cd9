"""Every feature map of the network, live: each stage's channels tiled into one mosaic image.

Speed is the point: a pixel edit must redraw all maps within a frame, so each stage (the input
image, then every layer's output) is ONE pyqtgraph ``ImageItem`` showing all its channels tiled in
a grid with a one-cell gap (NaN, drawn transparent). Items are created once per pipeline and then
only updated with ``setImage``; the mosaics are built with NumPy in the slot that receives
``result_ready``; ``paint`` only draws. Small maps also show their numbers, as on the slides, drawn
by one item per stage. Scene coordinates are the canvas widget's pixels (pyqtgraph's pixel mode).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QObject, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import (
    QAction,
    QBrush,
    QColor,
    QFont,
    QFontMetricsF,
    QKeySequence,
    QLinearGradient,
    QPainter,
    QPen,
)
from PySide6.QtWidgets import (
    QApplication,
    QGraphicsItem,
    QGraphicsRectItem,
    QGraphicsScene,
    QGraphicsSimpleTextItem,
    QGraphicsView,
    QHBoxLayout,
    QLabel,
    QStyle,
    QStyleOptionGraphicsItem,
    QToolButton,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from ..compute import ForwardResult
from .document import SessionDocument
from .palettes import DEFAULT_DIVERGING, diverging, format_value, greyscale, symmetric_level, text_colour_for

SCALINGS = ("layer", "channel", "global")
SCALING_NOTES = {
    "layer": "colours: this layer's range",
    "channel": "colours: each channel scaled to its own max |value| (bar: ±1 = that max)",
    "global": "colours: one range for all layers",
}
GAP = 1  # empty cells between two channel maps of a mosaic
LUT_SIZE = 255  # odd, so that 0 at levels (-m, m) lands exactly on the middle (mid-grey) entry
BACKGROUND = (28, 30, 34)
TITLE_COLOUR = (238, 238, 238)
NOTE_COLOUR = (175, 180, 188)
SELECTION_COLOUR = (255, 221, 0)
HOVER_COLOUR = (255, 255, 255)
GRID_COLOUR = (88, 90, 96)  # cell borders when numbers show: visible on black, white and grey cells

# layout, in screen pixels (times the zoom for the map sizes)
MARGIN = 14
TITLE_HEIGHT = 48  # the layer's name, then its shape and colour note
GROUP_SPACING = 22
BAR_GAP = 16
BAR_WIDTH = 18
BAR_AREA = BAR_GAP + BAR_WIDTH + 8 + 78  # gap, gradient, tick, labels
MIN_BAR_HEIGHT = 96
MAX_BAR_HEIGHT = 320
TARGET_MAP_PX = 100.0  # each channel map gets at least about this size when the width allows
MAX_MAP_FACTOR = 2.0  # ... and at most this many times it
MAX_CELL_PX = 56.0
NUMBER_CELL_PX = 52.0  # small maps may grow to cells this big, so their numbers are readable
MIN_FLAT_CELL_PX = 8.0  # cells of a flat strip; long vectors get smaller cells (at least 2 px) ...
FLAT_STRIP_HEIGHT_PX = 240.0  # ... so that their strip stays about this high
NUMBER_MAX_SIDE = 12  # maps up to 12x12 show their numbers ...
MIN_NUMBER_FONT_PX = 11.0  # ... when the cells are big enough for a font at least this size
ZOOM_RANGE = (0.5, 4.0)
ZOOM_STEP = 1.25

Unit = tuple[int, int, int, int]  # stage, channel, y, x


# ----------------------------------------------------------------------------- mosaic geometry
@dataclass(frozen=True)
class MosaicGrid:
    """Where each unit of one stage sits in its mosaic image (rows x columns of cells).

    A spatial stage (C, H, W) tiles its C maps ``columns`` to a row with ``gap`` empty cells
    between them. A flat stage (F,) is a strip of F cells (``width`` = F) wrapped after
    ``columns`` cells, without gaps; its units are (channel 0, y 0, x = feature).
    """

    channels: int
    height: int
    width: int
    columns: int
    gap: int = GAP
    flat: bool = False

    @classmethod
    def for_shape(cls, shape: Sequence[int], columns: int) -> MosaicGrid:
        if len(shape) == 1:
            return cls(1, 1, int(shape[0]), max(1, min(columns, int(shape[0]))), 0, True)
        channels, height, width = (int(v) for v in shape)
        return cls(channels, height, width, max(1, min(columns, channels)), GAP, False)

    @property
    def rows(self) -> int:
        """Rows of maps (spatial) or of cells (flat)."""
        count = self.width if self.flat else self.channels
        return -(-count // self.columns)

    @property
    def shape(self) -> tuple[int, int]:
        """(rows, columns) of the mosaic image in cells, gaps included."""
        if self.flat:
            return self.rows, self.columns
        return (self.rows * (self.height + self.gap) - self.gap, self.columns * (self.width + self.gap) - self.gap)

    def position(self, channel: int, y: int, x: int) -> tuple[int, int]:
        """(row, col) of unit (channel, y, x) in the mosaic."""
        if self.flat:
            return divmod(int(x), self.columns)
        block_row, block_col = divmod(int(channel), self.columns)
        return block_row * (self.height + self.gap) + int(y), block_col * (self.width + self.gap) + int(x)

    def unit_at(self, row: int, col: int) -> tuple[int, int, int] | None:
        """(channel, y, x) shown at mosaic cell (row, col), or None for a gap or outside."""
        rows, cols = self.shape
        if not (0 <= row < rows and 0 <= col < cols):
            return None
        if self.flat:
            index = row * self.columns + col
            return (0, 0, index) if index < self.width else None
        block_row, y = divmod(row, self.height + self.gap)
        block_col, x = divmod(col, self.width + self.gap)
        channel = block_row * self.columns + block_col
        if y >= self.height or x >= self.width or channel >= self.channels:
            return None
        return channel, y, x

    def new_buffer(self) -> np.ndarray:
        """A NaN-filled float32 buffer for :meth:`tile` (gaps and unused cells stay NaN)."""
        if self.flat:
            return np.full(self.rows * self.columns, np.nan, np.float32)
        shape = (self.rows * (self.height + self.gap), self.columns * (self.width + self.gap))
        return np.full(shape, np.nan, np.float32)

    def tile(self, values: np.ndarray, buffer: np.ndarray) -> np.ndarray:
        """``values`` (C, H, W) or (F,) written into ``buffer``; returns the mosaic view (rows, cols)."""
        if self.flat:
            buffer[: self.width] = values
            return buffer.reshape(self.rows, self.columns)
        h, w, cols, gap = self.height, self.width, self.columns, self.gap
        blocks = buffer.reshape(self.rows, h + gap, cols, w + gap)
        full = self.channels // cols
        if full:
            blocks[:full, :h, :, :w] = values[: full * cols].reshape(full, cols, h, w).transpose(0, 2, 1, 3)
        rest = self.channels - full * cols
        if rest:
            blocks[full, :h, :rest, :w] = values[full * cols :].transpose(1, 0, 2)
        rows, width = self.shape
        return buffer[:rows, :width]

    def cell_origins(self) -> np.ndarray:
        """(units, 2) array of every unit's (row, col) in the stage's C-order (flat: feature order)."""
        if self.flat:
            index = np.arange(self.width)
            return np.stack([index // self.columns, index % self.columns], axis=1)
        channel, y, x = np.indices((self.channels, self.height, self.width)).reshape(3, -1)
        block_row, block_col = np.divmod(channel, self.columns)
        return np.stack([block_row * (self.height + self.gap) + y, block_col * (self.width + self.gap) + x], axis=1)


def choose_grid(shape: Sequence[int], available: float, zoom: float = 1.0) -> tuple[MosaicGrid, float]:
    """The grid and cell size (screen px) that show a stage of ``shape`` in ``available`` px of width.

    As many maps to a row as keep each map at least ``TARGET_MAP_PX * zoom`` wide, rows balanced;
    cells capped so that one map never grows huge, except that small maps may grow until their
    numbers are readable.
    """
    available = max(float(available), 40.0)
    target = TARGET_MAP_PX * zoom
    if len(shape) == 1:
        features = int(shape[0])
        small_cell = min(MIN_FLAT_CELL_PX, max(2.0, math.sqrt(available * FLAT_STRIP_HEIGHT_PX / features))) * zoom
        per_row = max(1, min(features, int(available // small_cell)))
        rows = -(-features // per_row)
        per_row = -(-features // rows)
        cell = min(available / per_row, MAX_CELL_PX * zoom)
        return MosaicGrid.for_shape(shape, per_row), _crisp(cell)
    channels, height, width = (int(v) for v in shape)
    side = max(height, width)

    def cell_for(columns: int) -> float:
        return available / (columns * (width + GAP) - GAP)

    columns = next((n for n in range(channels, 0, -1) if cell_for(n) * side >= target), 1)
    rows = -(-channels // columns)
    columns = -(-channels // rows)
    cap = min(MAX_CELL_PX * zoom, MAX_MAP_FACTOR * target / side)
    if side <= NUMBER_MAX_SIDE:
        cap = max(cap, NUMBER_CELL_PX * zoom)
    return MosaicGrid.for_shape(shape, columns), _crisp(min(cell_for(columns), cap))


def _crisp(cell: float) -> float:
    """Whole pixels per cell when cells are big enough, so every cell is drawn the same size."""
    return float(math.floor(cell)) if cell >= 4 else cell


def shape_text(shape: Sequence[int]) -> str:
    """``8 × 26 × 26`` (channels × height × width) or ``400 values`` for a flat stage."""
    return f"{shape[0]} values" if len(shape) == 1 else " × ".join(str(v) for v in shape)


def level_text(value: float) -> str:
    """A colour-bar label: enough digits to tell the levels apart, no exponent for usual values."""
    value = float(value) + 0.0
    if value == 0:
        return "0"
    if abs(value) >= 1000:
        return f"{value:.0f}"
    text = f"{value:.3g}"
    return text if "e" not in text else f"{value:.1e}"


# ----------------------------------------------------------------------------- graphics items
@functools.lru_cache(maxsize=64)
def _digit_width(characters: int) -> float:
    """Width of ``characters`` digits in em (digits are the widest characters of a number)."""
    return QFontMetricsF(_font(100)).horizontalAdvance("0" * characters) / 100


def _font(pixels: float, bold: bool = False) -> QFont:
    font = QFont()
    font.setPixelSize(max(1, round(pixels)))
    font.setBold(bold)
    return font


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
        self._font = _font(12)
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
        self._font = _font(14)
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
        return QRectF(-1, -12, BAR_AREA - BAR_GAP + 2, self._height + 24)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        bar = QRectF(0, 0, BAR_WIDTH, self._height)
        painter.fillRect(bar, QBrush(self._gradient))
        painter.setPen(self._frame_pen)
        painter.drawRect(bar)
        painter.setFont(self._font)
        painter.setPen(self._text_pen)
        label_x = BAR_WIDTH + 8
        for text, y in zip(self._labels, (0.0, self._height / 2, self._height), strict=True):
            painter.drawLine(QPointF(BAR_WIDTH, y), QPointF(BAR_WIDTH + 5, y))
            painter.drawText(QRectF(label_x, y - 11, 78, 22), Qt.AlignmentFlag.AlignVCenter, text)


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


@dataclass
class _Highlight:
    """One highlight of a stage: a boolean mask shaped like the stage, or a box on one channel."""

    colour: QColor
    mask: np.ndarray | None = None
    channel: int = 0
    box: tuple[int, int, int, int] | None = None  # top, left, bottom, right (inclusive)


class _StageGroup:
    """The items that show one stage: name, shape, mosaic, highlight overlay, numbers, colour bar."""

    def __init__(self, stage: int, name: str, shape: tuple[int, ...]) -> None:
        self.stage, self.name, self.shape = stage, name, shape
        self.root = QGraphicsRectItem()
        self.root.setPen(QPen(Qt.PenStyle.NoPen))
        self.title = QGraphicsSimpleTextItem(name, self.root)
        self.title.setFont(_font(18, bold=True))
        self.title.setBrush(QColor(*TITLE_COLOUR))
        self.note = QGraphicsSimpleTextItem(shape_text(shape), self.root)
        self.note.setFont(_font(14))
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
        self.height = 0.0

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
        self.height = TITLE_HEIGHT + max(local.height(), bar_height)
        return self.height

    def local_mosaic_rect(self) -> QRectF:
        return self.mosaic_rect.translated(-self.root.pos())


class MapsCanvas(pg.GraphicsView):
    """pyqtgraph's GraphicsView in screen-pixel units that scrolls vertically through the stages.

    The scene is as wide as the viewport and as tall as the content; the view keeps its viewport
    (and so every repaint) the size of the window, however tall the pipeline is.
    """

    resized = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        self._content_height = 0.0
        super().__init__(parent, background=BACKGROUND)
        self.setCacheMode(QGraphicsView.CacheModeFlag.CacheNone)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.NoAnchor)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.NoAnchor)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

    @property
    def content_height(self) -> float:
        return self._content_height

    def set_content_height(self, height: float) -> None:
        """The total height of the stages (scene px); the scroll range follows."""
        self._content_height = float(height)
        self._update_scene_rect()

    def _update_scene_rect(self) -> None:
        viewport = self.viewport().size()
        self.range = QRectF(0, 0, viewport.width(), max(self._content_height, viewport.height()))
        self.setSceneRect(self.range)

    def updateMatrix(self, propagate: bool = True) -> None:  # noqa: N802 (pyqtgraph's name)
        """Identity transform: one scene unit is one screen pixel (pyqtgraph would fit a range)."""
        self.resetTransform()
        self._update_scene_rect()

    def keyPressEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        """Arrows, Page Up/Down, Home and End scroll (pyqtgraph would hand them all to the scene)."""
        bar = self.verticalScrollBar()
        if event.key() == Qt.Key.Key_Home:
            bar.setValue(bar.minimum())
        elif event.key() == Qt.Key.Key_End:
            bar.setValue(bar.maximum())
        else:
            QGraphicsView.keyPressEvent(self, event)

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        if event is not None:
            QGraphicsView.resizeEvent(self, event)
        self._update_scene_rect()
        self.resized.emit()


class FeatureMapsView(QWidget):
    """All feature maps of the pipeline, updated on every result; hover reads, click selects a unit.

    Stage 0 is the input image (greyscale, 0..1), stage ``i + 1`` the output of layer ``i`` (diverging
    colours, zero at mid-grey, symmetric levels chosen by :meth:`set_scaling`).
    """

    unit_hovered = Signal(int, int, int, int, float)  # stage, channel, y, x, value
    unit_clicked = Signal(int, int, int, int)  # stage, channel, y, x

    def __init__(self, document: SessionDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self._scaling = "layer"
        self._palette = DEFAULT_DIVERGING
        self._colour_map = diverging(self._palette)
        self._lut = self._colour_map.getLookupTable(nPts=LUT_SIZE, alpha=False)
        self._dark_text = self._dark_text_table(self._lut)
        self._grey_lut = greyscale().getLookupTable(nPts=LUT_SIZE, alpha=False)
        self._grey_dark_text = self._dark_text_table(self._grey_lut)
        self._zoom = 1.0
        self._groups: list[_StageGroup] = []
        self._labels: list[str] = []
        self._key: tuple | None = None
        self._layout_key: tuple | None = None
        self._result: ForwardResult | None = None
        self._hovered: Unit | None = None
        self._highlights: dict[str, dict[int, list[_Highlight]]] = {}
        self.shown_version = -1

        self.canvas = MapsCanvas()
        scene = self.canvas.scene()
        scene.setItemIndexMethod(QGraphicsScene.ItemIndexMethod.NoIndex)
        self._selection_item = self._outline_item(SELECTION_COLOUR, 3.0, 20)
        self._hover_item = self._outline_item(HOVER_COLOUR, 2.0, 21)
        self._empty_note = QGraphicsSimpleTextItem("Waiting for the first result…")
        self._empty_note.setFont(_font(16))
        self._empty_note.setBrush(QColor(*NOTE_COLOUR))
        self._empty_note.setPos(MARGIN, MARGIN)
        scene.addItem(self._empty_note)

        self.canvas.viewport().installEventFilter(self)
        self.canvas.resized.connect(self._relayout)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(self._build_toolbar())
        layout.addWidget(self.canvas, 1)

        document.result_ready.connect(self.show_result)
        document.selection_changed.connect(self._outline_selection)
        if document.latest is not None:
            self.show_result(document.latest)

    # ----- construction
    def _build_toolbar(self) -> QHBoxLayout:
        bar = QHBoxLayout()
        bar.setContentsMargins(6, 2, 6, 0)
        hint = QLabel("Hover a cell to read its value · click to select a unit · Ctrl+wheel zooms")
        hint.setToolTip(
            "Every channel of every layer, recomputed live as you edit the image or the kernels.\n"
            "Hover a cell to read its value, click to select a unit, Ctrl+wheel or Ctrl+plus/minus to zoom."
        )
        hint.setMinimumWidth(20)  # may be clipped in a narrow window; it must not widen the view
        bar.addWidget(hint, 1)
        self.zoom_label = QLabel("100%")
        self.zoom_label.setToolTip("Zoom of the feature maps")
        specs = (
            ("−", "Zoom out (Ctrl+-)", QKeySequence.StandardKey.ZoomOut, self.zoom_out),
            (
                "+",
                "Zoom in (Ctrl++): small maps show their numbers when large enough",
                QKeySequence.StandardKey.ZoomIn,
                self.zoom_in,
            ),
            ("Reset", "Reset the zoom to 100% (Ctrl+0)", QKeySequence("Ctrl+0"), lambda: self.set_zoom(1.0)),
        )
        for text, tip, keys, slot in specs:
            action = QAction(text, self)
            action.setToolTip(tip)
            action.setShortcut(QKeySequence(keys))
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            action.triggered.connect(slot)
            self.addAction(action)
            button = QToolButton()
            button.setDefaultAction(action)
            button.setAutoRaise(True)
            if text == "Reset":
                bar.addWidget(self.zoom_label)
            bar.addWidget(button)
        return bar

    def _outline_item(self, colour: tuple[int, int, int], width: float, z: float) -> QGraphicsRectItem:
        item = QGraphicsRectItem()
        pen = QPen(QColor(*colour), width)
        pen.setCosmetic(True)
        item.setPen(pen)
        item.setZValue(z)
        item.setVisible(False)
        self.canvas.scene().addItem(item)
        return item

    @staticmethod
    def _dark_text_table(lut: np.ndarray) -> np.ndarray:
        """For each LUT entry: True when black text reads better on it (palettes.text_colour_for)."""
        return np.array([text_colour_for(tuple(int(v) for v in rgb[:3]))[0] == 0 for rgb in lut])

    # ----- public settings
    @property
    def scaling(self) -> str:
        return self._scaling

    def set_scaling(self, mode: str) -> None:
        """Colour levels per ``"layer"`` (its max |v|), per ``"channel"`` (each relative ±1) or ``"global"``."""
        if mode not in SCALINGS:
            raise ValueError(f"scaling must be one of {', '.join(SCALINGS)}, not {mode!r}")
        if mode != self._scaling:
            self._scaling = mode
            for group in self._groups[1:]:
                group.note.setText(group.note_text(mode))
            self._draw_result()

    def set_palette(self, name: str) -> None:
        """Use the diverging palette ``name`` (palettes.DIVERGING) for every layer."""
        self._palette = name
        self._colour_map = diverging(name)
        self._lut = self._colour_map.getLookupTable(nPts=LUT_SIZE, alpha=False)
        self._dark_text = self._dark_text_table(self._lut)
        for group in self._groups[1:]:
            group.image.setLookupTable(self._lut, update=False)
            group.bar.set_colour_map(self._colour_map)
        self._draw_result()

    @property
    def zoom(self) -> float:
        return self._zoom

    def set_zoom(self, zoom: float) -> None:
        """Scale the maps (1 = fit about 100 px per map); bigger cells show their numbers."""
        zoom = float(min(max(zoom, ZOOM_RANGE[0]), ZOOM_RANGE[1]))
        if zoom != self._zoom:
            self._zoom = zoom
            self.zoom_label.setText(f"{round(zoom * 100)}%")
            self._relayout(force=True)

    def zoom_in(self) -> None:
        self.set_zoom(self._zoom * ZOOM_STEP)

    def zoom_out(self) -> None:
        self.set_zoom(self._zoom / ZOOM_STEP)

    # ----- public queries (also used by tests and by the receptive-field views)
    def stage_count(self) -> int:
        return len(self._groups)

    def image_item(self, stage: int) -> pg.ImageItem:
        """The ImageItem that shows stage ``stage``'s mosaic (its ``image`` is the tiled data)."""
        return self._groups[stage].image

    def levels(self, stage: int) -> tuple[float, float]:
        """The colour levels (low, high) of stage ``stage``."""
        return self._groups[stage].levels

    def grid(self, stage: int) -> MosaicGrid:
        return self._groups[stage].grid

    def stage_caption(self, stage: int) -> tuple[str, str]:
        """The (name, shape and colour note) written above stage ``stage``."""
        group = self._groups[stage]
        return group.title.text(), group.note.text()

    def colour_bar_labels(self, stage: int) -> tuple[str, str, str]:
        """The (top, middle, bottom) values written on stage ``stage``'s colour bar."""
        return self._groups[stage].bar.labels()

    def number_cells(self, stage: int) -> list[tuple[QRectF, str]]:
        """What the stage's number item draws: (cell rect in scene coordinates, text); empty when hidden."""
        group = self._groups[stage]
        offset = group.mosaic_rect.topLeft()
        return [(rect.translated(offset), text) for rect, text in group.numbers.cells()]

    def boxes(self, stage: int) -> list[QRectF]:
        """Highlight boxes of ``stage`` in scene coordinates."""
        group = self._groups[stage]
        return [rect.translated(group.mosaic_rect.topLeft()) for rect in group.boxes.boxes()]

    def overlay_image(self, stage: int) -> np.ndarray | None:
        """The RGBA highlight overlay (rows, cols, 4) of ``stage``, None when it has none."""
        overlay = self._groups[stage].overlay
        return overlay.image if overlay.isVisible() else None

    def mosaic_position(self, stage: int, channel: int, y: int, x: int) -> tuple[int, int]:
        """(row, col) of unit (channel, y, x) of ``stage`` in its mosaic image."""
        return self._groups[stage].grid.position(channel, y, x)

    def unit_at_mosaic(self, stage: int, row: int, col: int) -> tuple[int, int, int] | None:
        """Inverse of :meth:`mosaic_position`: (channel, y, x), or None on a gap."""
        return self._groups[stage].grid.unit_at(row, col)

    def unit_scene_rect(self, stage: int, channel: int, y: int, x: int) -> QRectF:
        """The cell of a unit in scene (= canvas pixel) coordinates."""
        group = self._groups[stage]
        row, col = group.grid.position(channel, y, x)
        top_left = group.mosaic_rect.topLeft()
        return QRectF(top_left.x() + col * group.cell, top_left.y() + row * group.cell, group.cell, group.cell)

    def unit_at_scene(self, point: QPointF) -> Unit | None:
        """(stage, channel, y, x) under scene point ``point``, or None."""
        for group in self._groups:
            rect = group.mosaic_rect
            if rect.contains(point):
                row = int((point.y() - rect.top()) // group.cell)
                col = int((point.x() - rect.left()) // group.cell)
                unit = group.grid.unit_at(row, col)
                return None if unit is None else (group.stage, *unit)
        return None

    def value(self, stage: int, channel: int, y: int, x: int) -> float:
        """The value of a unit in the shown result (0 before the first result)."""
        if self._result is None:
            return 0.0
        values = self._result.stages[stage]
        return float(values[x] if values.ndim == 1 else values[channel, y, x])

    def hover_text(self, stage: int, channel: int, y: int, x: int, value: float) -> str:
        """``layer 3 (conv 3x3) channel 5 (row 4, col 7) = -0.1234`` for the status bar."""
        name = self._labels[stage] if stage < len(self._labels) else f"stage {stage}"
        if stage < len(self._groups) and self._groups[stage].flat:
            return f"{name} unit {x} = {value:.4f}"
        where = f"(row {y}, col {x})"
        if stage == 0:
            return f"{name} pixel {where} = {value:.4f}"
        return f"{name} channel {channel} {where} = {value:.4f}"

    def selection_rect(self) -> QRectF | None:
        """The outlined selected unit's cell in scene coordinates, None when nothing is selected."""
        return self._selection_item.rect() if self._selection_item.isVisible() else None

    def ensure_visible(self, stage: int, unit: tuple[int, int, int] | None = None) -> None:
        """Scroll so that stage ``stage`` (its top, or the cell of ``unit`` = (channel, y, x)) is in view."""
        if unit is not None:
            centre = self.unit_scene_rect(stage, *unit).center()
            self.canvas.ensureVisible(QRectF(centre.x() - 1, centre.y() - 1, 2, 2), 40, 60)
            return
        rect = self._groups[stage].mosaic_rect
        height = min(rect.height(), 0.8 * self.canvas.viewport().height())
        self.canvas.ensureVisible(QRectF(rect.left(), rect.top(), rect.width(), height), 0, TITLE_HEIGHT)

    # ----- highlights (receptive fields and the like)
    def set_stage_masks(self, masks: dict[int, np.ndarray], colour: QColor | tuple, key: str = "masks") -> None:
        """Tint the units where ``masks[stage]`` (bool, shaped like the stage) is True.

        Highlights are kept per ``key``: a new call with the same key replaces them, other keys stay.
        """
        colour = self._translucent(colour)
        entries: dict[int, list[_Highlight]] = {}
        for stage, mask in masks.items():
            mask = np.asarray(mask, dtype=bool)
            self._check_stage_shape(stage, mask.shape)
            entries[stage] = [_Highlight(colour, mask=mask)]
        self._highlights[key] = entries
        self._draw_highlights()

    def set_highlights(self, per_stage: dict[int, list[tuple]], key: str = "highlights") -> None:
        """Per stage, a list of (channel, mask (H, W) bool or box (top, left, bottom, right), colour).

        Masks tint their cells of that channel; boxes (inclusive unit coordinates, clipped to the
        map) are outlined. For a flat stage the mask is (F,) and the box is (0, first, 0, last).
        """
        entries: dict[int, list[_Highlight]] = {}
        for stage, items in per_stage.items():
            shape = self._stage_shape(stage)
            for channel, what, colour in items:
                if isinstance(what, np.ndarray):
                    mask = np.zeros(shape, dtype=bool)
                    if len(shape) == 1:
                        mask[...] = what.astype(bool).reshape(shape)
                    else:
                        mask[channel] = what.astype(bool).reshape(shape[1:])
                    entries.setdefault(stage, []).append(_Highlight(self._translucent(colour), mask=mask))
                else:
                    box = tuple(int(v) for v in what)
                    entries.setdefault(stage, []).append(_Highlight(QColor(*_rgb(colour)), channel=channel, box=box))
        self._highlights[key] = entries
        self._draw_highlights()

    def clear_highlights(self, key: str | None = None) -> None:
        """Remove the highlights of ``key``, or all of them."""
        if key is None:
            self._highlights.clear()
        else:
            self._highlights.pop(key, None)
        self._draw_highlights()

    def _stage_shape(self, stage: int) -> tuple[int, ...]:
        if not 0 <= stage < len(self._groups):
            raise ValueError(f"there is no stage {stage} (the pipeline has stages 0 to {len(self._groups) - 1})")
        return self._groups[stage].shape

    def _check_stage_shape(self, stage: int, shape: tuple[int, ...]) -> None:
        expected = self._stage_shape(stage)
        if tuple(shape) != tuple(expected):
            raise ValueError(f"a mask for stage {stage} must have shape {expected}, not {shape}")

    @staticmethod
    def _translucent(colour: QColor | tuple) -> QColor:
        colour = QColor(colour) if isinstance(colour, QColor) else QColor(*colour)
        if colour.alpha() == 255:
            colour.setAlpha(120)
        return colour

    def _draw_highlights(self) -> None:
        """Overlay images and boxes of every stage from the stored highlights (not per result)."""
        for group in self._groups:
            entries = [h for per_stage in self._highlights.values() for h in per_stage.get(group.stage, [])]
            masks = [h for h in entries if h.mask is not None and h.mask.shape == group.shape]
            if masks:
                rows, cols = group.grid.shape
                rgba = np.zeros((rows, cols, 4), np.uint8)
                buffer = group.grid.new_buffer()
                for highlight in masks:
                    tinted = group.grid.tile(highlight.mask.astype(np.float32), buffer) == 1
                    rgba[tinted] = highlight.colour.getRgb()
                group.overlay.setImage(rgba, autoLevels=False, levels=None)
                group.overlay.setRect(group.local_mosaic_rect())
                group.overlay.setVisible(True)
            else:
                group.overlay.setVisible(False)
            boxes = []
            for highlight in entries:
                if highlight.box is not None:
                    rect = self._box_rect(group, highlight.channel, highlight.box)
                    if rect is not None:
                        boxes.append((rect, highlight.colour))
            group.boxes.set_boxes(boxes, QRectF(0, 0, group.mosaic_rect.width(), group.mosaic_rect.height()))

    @staticmethod
    def _box_rect(group: _StageGroup, channel: int, box: tuple[int, int, int, int]) -> QRectF | None:
        """A unit box (top, left, bottom, right inclusive) of one channel, clipped, in mosaic item px."""
        grid = group.grid
        if grid.flat:
            left, right = max(box[1], 0), min(box[3], grid.width - 1)
            if left > right:
                return None
            first, last = grid.position(0, 0, left), grid.position(0, 0, right)
            if first[0] != last[0]:  # a wrapped strip: outline the whole rows it spans
                rows = last[0] - first[0] + 1
                return QRectF(0, first[0] * group.cell, grid.columns * group.cell, rows * group.cell)
            return QRectF(first[1] * group.cell, first[0] * group.cell, (right - left + 1) * group.cell, group.cell)
        if not 0 <= channel < grid.channels:
            return None
        top, left = max(box[0], 0), max(box[1], 0)
        bottom, right = min(box[2], grid.height - 1), min(box[3], grid.width - 1)
        if top > bottom or left > right:
            return None
        row, col = grid.position(channel, top, left)
        cell = group.cell
        return QRectF(col * cell, row * cell, (right - left + 1) * cell, (bottom - top + 1) * cell)

    # ----- results
    def show_result(self, result: ForwardResult) -> None:
        """Redraw every map from ``result`` (rebuilding the items only when the shapes changed)."""
        network = result.network
        labels = ["input image"] + [network.label(i) for i in range(len(network.layers))]
        key = tuple((label, tuple(stage.shape)) for label, stage in zip(labels, result.stages, strict=True))
        self._result = result
        if key != self._key:
            self._rebuild(key, labels, [tuple(stage.shape) for stage in result.stages])  # also draws
        else:
            self._draw_result()
        self.shown_version = result.version
        if self._hovered is not None:
            self.unit_hovered.emit(*self._hovered, self.value(*self._hovered))

    def _rebuild(self, key: tuple, labels: list[str], shapes: list[tuple[int, ...]]) -> None:
        scene = self.canvas.scene()
        for group in self._groups:
            scene.removeItem(group.root)
        self._groups = []
        self._key, self._labels = key, labels
        for stage, (label, shape) in enumerate(zip(labels, shapes, strict=True)):
            group = _StageGroup(stage, label, shape)
            if stage == 0:
                group.image.setLookupTable(self._grey_lut, update=False)
                group.bar.set_colour_map(greyscale())
            else:
                group.note.setText(group.note_text(self._scaling))
                group.image.setLookupTable(self._lut, update=False)
                group.bar.set_colour_map(self._colour_map)
            scene.addItem(group.root)
            self._groups.append(group)
        self._empty_note.setVisible(False)
        self._hovered = None
        self._hover_item.setVisible(False)
        for per_stage in self._highlights.values():  # drop highlights that no longer fit their stage
            for stage in list(per_stage):
                if stage >= len(shapes):
                    del per_stage[stage]
        self._relayout(force=True)

    def _available_width(self) -> float:
        # the width without a scroll bar, minus a scroll bar's width whether it shows or not, so that
        # the bar appearing never changes the layout (which could make it disappear again)
        scroll_bar = self.canvas.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent)
        return self.canvas.width() - 2 * self.canvas.frameWidth() - scroll_bar - 2 * MARGIN - BAR_AREA

    def _relayout(self, force: bool = False) -> None:
        """Place every group for the current width and zoom; the canvas grows to the total height."""
        available = self._available_width()
        layout_key = (round(available), self._zoom)
        if not force and layout_key == self._layout_key:
            return
        self._layout_key = layout_key
        top = float(MARGIN)
        for group in self._groups:
            grid, cell = choose_grid(group.shape, available, self._zoom)
            top += group.place(top, grid, cell) + GROUP_SPACING
        self.canvas.set_content_height(top)
        self._hovered = None
        self._hover_item.setVisible(False)
        self._draw_result(rect_changed=True)
        self._draw_highlights()
        self._outline_selection()

    def _draw_result(self, rect_changed: bool = False) -> None:
        """Mosaics, levels, colour bars and numbers of every stage from the shown result."""
        result = self._result
        if result is None or not self._groups:
            return
        peaks = [symmetric_level(values) for values in result.stages]
        global_peak = max(peaks[1:], default=1.0)
        for group, values, peak in zip(self._groups, result.stages, peaks, strict=True):
            self._draw_stage(group, values, global_peak if self._scaling == "global" else peak)
            if rect_changed:
                group.image.setRect(group.local_mosaic_rect())

    def _draw_stage(self, group: _StageGroup, values: np.ndarray, peak: float) -> None:
        if group.stage == 0:
            shown, low, high = values, 0.0, 1.0
            group.bar.set_labels("1", "0.5", "0")
        elif self._scaling == "channel" and not group.flat:
            channel_peaks = np.abs(values).reshape(values.shape[0], -1).max(axis=1)
            channel_peaks[~(channel_peaks > 1e-12)] = 1.0
            shown, low, high = values / channel_peaks[:, None, None], -1.0, 1.0
            group.bar.set_labels("+1 × max", "0", "-1 × max")
        else:
            shown, low, high = values, -peak, peak
            group.bar.set_labels(level_text(peak), "0", level_text(-peak))
        group.levels = (low, high)
        mosaic = group.grid.tile(shown, group.buffer)
        group.image.setImage(mosaic, autoLevels=False, levels=(low, high))
        if group.numbers_possible:
            self._draw_numbers(group, values, shown, low, high)

    def _draw_numbers(self, group: _StageGroup, values: np.ndarray, shown: np.ndarray, low: float, high: float) -> None:
        """Texts of a small stage (format_value) in black or white, whichever reads on the cell.

        Only the values that changed since the last result are formatted again (a pixel edit
        changes a few units of each layer), so thousands of numbers stay cheap.
        """
        flat_values = values.ravel()
        if group.text_values is None or group.text_values.shape != flat_values.shape:
            group.texts = [format_value(v) for v in flat_values.tolist()]
        else:
            texts = group.texts
            for index in np.flatnonzero(flat_values != group.text_values).tolist():
                texts[index] = format_value(flat_values[index])
        group.text_values = flat_values.copy()
        longest = max(4, max(map(len, group.texts)))
        font_px = min(0.5 * group.cell, 0.86 * group.cell / _digit_width(longest))
        if font_px < MIN_NUMBER_FONT_PX:
            group.numbers.clear()
            return
        scale = LUT_SIZE / (high - low)
        index = np.clip(((shown.ravel() - low) * scale).astype(np.int64), 0, LUT_SIZE - 1)
        dark_table = self._grey_dark_text if group.stage == 0 else self._dark_text
        group.numbers.set_numbers(group.texts, dark_table[index], _font(font_px))

    # ----- selection and pointer
    def _outline_selection(self) -> None:
        selection = self.document.session.selection
        if selection is None or not 0 <= selection.stage < len(self._groups):
            self._selection_item.setVisible(False)
            return
        group = self._groups[selection.stage]
        channel = 0 if group.flat else selection.channel
        if group.grid.flat and not 0 <= selection.x < group.grid.width:
            self._selection_item.setVisible(False)
            return
        self._selection_item.setRect(self.unit_scene_rect(selection.stage, channel, selection.y, selection.x))
        self._selection_item.setVisible(True)

    def _hover_at(self, point: QPointF) -> None:
        unit = self.unit_at_scene(point)
        if unit == self._hovered:
            return
        self._hovered = unit
        if unit is None:
            self._hover_item.setVisible(False)
            return
        self._hover_item.setRect(self.unit_scene_rect(*unit))
        self._hover_item.setVisible(True)
        self.unit_hovered.emit(*unit, self.value(*unit))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        """Pointer events on the canvas: hover reads a unit, click selects it, wheel scrolls/zooms."""
        if watched is not self.canvas.viewport():
            return super().eventFilter(watched, event)
        kind = event.type()
        if kind == QEvent.Type.MouseMove:
            self._hover_at(self.canvas.mapToScene(event.position().toPoint()))
            return False
        if kind == QEvent.Type.MouseButtonPress:
            self.canvas.setFocus(Qt.FocusReason.MouseFocusReason)
            if event.button() == Qt.MouseButton.LeftButton:
                unit = self.unit_at_scene(self.canvas.mapToScene(event.position().toPoint()))
                if unit is not None:
                    self.unit_clicked.emit(*unit)
            return True
        if kind in (QEvent.Type.MouseButtonRelease, QEvent.Type.MouseButtonDblClick):
            return True
        if kind == QEvent.Type.Leave:
            self._hovered = None
            self._hover_item.setVisible(False)
            return False
        if kind == QEvent.Type.Wheel:
            if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
                steps = event.angleDelta().y() / 120
                if steps:
                    self.set_zoom(self._zoom * ZOOM_STEP**steps)
            else:
                QApplication.sendEvent(self.canvas.verticalScrollBar(), event)
            return True
        if kind == QEvent.Type.ToolTip:
            unit = self.unit_at_scene(self.canvas.mapToScene(event.pos()))
            if unit is None:
                QToolTip.hideText()
            else:
                text = self.hover_text(*unit, self.value(*unit)) + "\nClick to select this unit"
                QToolTip.showText(event.globalPos(), text, self.canvas)
            return True
        return False

    def showEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().showEvent(event)
        self._relayout()


def _rgb(colour: QColor | tuple) -> tuple[int, ...]:
    if isinstance(colour, QColor):
        return colour.getRgb()
    return tuple(int(v) for v in colour)
