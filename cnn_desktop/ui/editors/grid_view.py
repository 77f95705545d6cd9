"""A 2-D array drawn as square, numbered cells: the building block of every grid in the app.

:class:`NumberGridView` shows an (H, W) array as cells coloured through a pyqtgraph ``ColorMap``
and, when the cells are large enough to read, writes each cell's number the way the slides do.
An optional margin of ``pad`` hatched cells shows the zero padding a convolution adds; overlay
rectangles and a highlight mask mark windows and receptive fields. It reports the mouse (hover,
click, drag, wheel) and typed numbers as signals in array coordinates and changes nothing itself.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Property, QEvent, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFocusEvent, QKeyEvent, QPaintEngine, QPainter, QPaintEvent, QPixmap
from PySide6.QtWidgets import QWidget

from ..colours import LUT_SIZE, colour_table, greyscale, text_colour_table
from ..fonts import TEXT_ZOOM
from .cell_editor import TYPING_STARTERS, CellEditor
from .grid_cells import (
    CellPicture,
    GridGeometry,
    GridRect,
    draw_focus,
    draw_hover,
    draw_outline,
    paint_cells,
)
from .grid_pointer import GridPointer

MIN_NUMBER_CELL = 22
"""Smallest cell side (px) at which numbers are written into the cells."""

MARGIN = 4
"""Free pixels around the grid, so that thick overlay outlines at the border stay visible."""

ARROW_STEPS = {Qt.Key.Key_Up: (-1, 0), Qt.Key.Key_Down: (1, 0), Qt.Key.Key_Left: (0, -1), Qt.Key.Key_Right: (0, 1)}


class NumberGridView(QWidget):
    """Draws an (H, W) array as square cells; reports mouse, wheel and typed numbers per cell.

    Rows and columns in every signal are array coordinates (0..H-1, 0..W-1); padding cells are
    drawn but never reported. ``set_array`` only stores the array; colours, numbers and the
    cell image are prepared at the next paint.
    """

    cell_hovered = Signal(int, int)  # row, col; (-1, -1) when the mouse leaves the array
    cell_clicked = Signal(int, int, object)  # row, col, Qt.MouseButton
    cell_dragged = Signal(int, int, object)  # row, col, Qt.MouseButtons: the drag entered a new cell
    mouse_released = Signal(object)  # Qt.MouseButton: the end of a click or drag
    cell_wheeled = Signal(int, int, int)  # row, col, whole wheel steps (+ away from the user)
    value_entered = Signal(int, int, float)  # row, col, typed value (may be NaN/inf: the receiver decides)
    entry_rejected = Signal(str)  # typed text that is not a number, with the reason
    current_cell_changed = Signal(int, int)

    def __init__(
        self,
        colormap: pg.ColorMap | None = None,
        levels: tuple[float, float] = (0.0, 1.0),
        pad: int = 0,
        editable: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._array = np.zeros((0, 0), np.float32)
        self._levels = (float(levels[0]), float(levels[1]))
        self._pad = max(0, int(pad))
        self._editable = editable
        self._font_scale = 1.0
        self._numbers: bool | None = None  # None: when the cells are large enough
        self._overlays: list[GridRect] = []
        self._mask: np.ndarray | None = None
        self._mask_colour = QColor(255, 176, 0, 110)
        self._colours: np.ndarray | None = None  # (H, W, 3) uint8 cell colours of a colour picture
        self._current = (0, 0)
        self._prepared: CellPicture | None = None
        self._cells: QPixmap | None = None  # what _cells_pixmap drew, for the key it drew it for
        self._cells_key: tuple | None = None
        self.cells_drawn = 0
        """How often the cells were drawn anew (a changed value, size, font...): tests count it."""
        self._lut = np.zeros((LUT_SIZE, 3), np.ubyte)
        self._text_lut = np.zeros((LUT_SIZE, 3), np.ubyte)
        self.set_colormap(colormap or greyscale())
        self._cell_editor = CellEditor(self)
        self._pointer = GridPointer(self)
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMinimumSize(60, 60)

    # ----- what to show
    def set_array(self, array: np.ndarray, levels: tuple[float, float] | None = None) -> None:
        """Show ``array`` (H, W); ``levels`` (low, high) map onto the ends of the colour map."""
        array = np.array(array, dtype=np.float32, copy=True)
        if array.ndim != 2:
            raise ValueError(f"a grid shows a 2-D array, got shape {array.shape}")
        levels = self._levels if levels is None else (float(levels[0]), float(levels[1]))
        if levels == self._levels and np.array_equal(array, self._array, equal_nan=True):
            return  # the same picture: no repaint
        if self._colours is not None and self._colours.shape[:2] != array.shape:
            self._colours = None  # the colours of another grid size
        self._array, self._levels = array, levels
        if array.size:
            row, col = self._current
            self._current = (min(row, array.shape[0] - 1), min(col, array.shape[1] - 1))
        hovered = self._pointer.hovered
        if hovered is not None and not self._inside(*hovered):
            self._pointer.hovered = None
        self._invalidate()

    def set_cell_colours(self, colours: np.ndarray | None) -> None:
        """Colour each cell as ``colours`` (H, W, 3) uint8 says (a colour picture) instead of the map; None: the map."""
        colours = None if colours is None else np.asarray(colours, np.ubyte).copy()
        if colours is not None and colours.shape != (*self._array.shape, 3):
            raise ValueError(f"cell colours must be (H, W, 3) for a {self._array.shape} grid, got {colours.shape}")
        if self._colours is None or colours is None:
            same = colours is self._colours
        else:
            same = np.array_equal(colours, self._colours)
        if not same:
            self._colours = colours
            self._invalidate()

    def cell_colours(self) -> np.ndarray | None:
        """The cells' own colours (H, W, 3), or None when they come from the colour map."""
        return self._colours

    def array(self) -> np.ndarray:
        """The array shown (a private copy; do not change it)."""
        return self._array

    def levels(self) -> tuple[float, float]:
        return self._levels

    def set_levels(self, levels: tuple[float, float]) -> None:
        levels = (float(levels[0]), float(levels[1]))
        if levels != self._levels:
            self._levels = levels
            self._invalidate()

    def set_colormap(self, colormap: pg.ColorMap) -> None:
        """Colour cells through ``colormap`` (e.g. colours.greyscale() or colours.diverging())."""
        lut = colour_table(colormap)
        if np.array_equal(lut, self._lut):
            return
        self._lut = lut
        self._text_lut = text_colour_table(lut)
        self._invalidate()

    def pad(self) -> int:
        return self._pad

    def set_pad(self, pad: int) -> None:
        """Draw ``pad`` rings of zero-padding cells around the array (0: none)."""
        pad = max(0, int(pad))
        if pad != self._pad:
            self._pad = pad
            self.update()

    def overlays(self) -> list[GridRect]:
        """The outlines drawn over the cells."""
        return list(self._overlays)

    def set_overlays(self, rects: list[GridRect]) -> None:
        """Outlines drawn over the cells (windows, receptive fields), replacing the previous ones."""
        rects = list(rects)
        if rects != self._overlays:
            self._overlays = rects
            self.update()

    def highlight(self) -> np.ndarray | None:
        """The mask of tinted cells (None: none are)."""
        return self._mask

    def set_highlight(self, mask: np.ndarray | None, colour: QColor | str | None = None) -> None:
        """Tint the cells where ``mask`` is True: (H, W), or (H + 2 pad, W + 2 pad) to include padding."""
        mask = None if mask is None else np.asarray(mask, bool).copy()
        colour = self._mask_colour if colour is None else QColor(colour)
        same_mask = mask is None if self._mask is None else mask is not None and np.array_equal(mask, self._mask)
        if same_mask and colour == self._mask_colour:
            return
        self._mask, self._mask_colour = mask, colour
        self._invalidate()

    def set_numbers_visible(self, visible: bool | None) -> None:
        """True/False forces the numbers on or off; None writes them when cells are >= 22 px."""
        if visible != self._numbers:
            self._numbers = visible
            self.update()

    def set_editable(self, editable: bool) -> None:
        """Whether typing a number (or Enter/F2) opens the inline editor on the current cell."""
        self._editable = editable
        if not editable:
            self.cancel_edit()

    def is_editable(self) -> bool:
        return self._editable

    def _get_font_scale(self) -> float:
        return self._font_scale

    def _set_font_scale(self, scale: float) -> None:
        scale = max(0.25, float(scale))
        if scale != self._font_scale:
            self._font_scale = scale
            self.update()

    font_scale = Property(float, _get_font_scale, _set_font_scale)
    """Zoom of the numbers (presentation mode); they never grow beyond their cell."""

    # ----- current cell and geometry
    def current_cell(self) -> tuple[int, int]:
        return self._current

    def set_current_cell(self, row: int, col: int) -> None:
        if not self._inside(row, col) or (row, col) == self._current:
            return
        self._current = (row, col)
        self.current_cell_changed.emit(row, col)
        self.update()

    def hovered_cell(self) -> tuple[int, int] | None:
        return self._pointer.hovered

    def event_modifiers(self) -> Qt.KeyboardModifier:
        """Keyboard modifiers of the mouse or wheel event whose signal is being emitted."""
        return self._pointer.modifiers

    def cell_size(self) -> float:
        """Side of one cell in pixels at the widget's current size (0 with nothing to show)."""
        return self._geometry().cell

    def cell_rect(self, row: int, col: int) -> QRectF:
        """The cell's rectangle in widget pixels; rows/cols of the padding margin are allowed."""
        return self._geometry().cell_rect(row, col)

    def cell_at(self, point: QPointF, include_padding: bool = False) -> tuple[int, int] | None:
        """The (row, col) under ``point`` (widget pixels), or None outside the array."""
        return self._geometry().cell_at(point, include_padding)

    def _geometry(self) -> GridGeometry:
        return GridGeometry.fit(self._array.shape, self._pad, self.width(), self.height(), MARGIN)

    def _inside(self, row: int, col: int) -> bool:
        return 0 <= row < self._array.shape[0] and 0 <= col < self._array.shape[1]

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        return QSize(360, 360)

    # ----- prepared drawing data (built once per change, at the next paint)
    def _invalidate(self) -> None:
        self._prepared, self._cells = None, None
        self.update()

    def _picture(self) -> CellPicture:
        if self._prepared is None:
            self._prepared = CellPicture.build(
                self._array, self._levels, self._lut, self._text_lut, self._mask, self._mask_colour, self._colours
            )
        return self._prepared

    def _numbers_shown(self, cell: float) -> bool:
        return self._numbers if self._numbers is not None else cell >= MIN_NUMBER_CELL

    # ----- drawing
    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt's name)
        """The cached cells (see ``_cells_pixmap``), then what moves without the values changing."""
        painter = QPainter(self)
        if not self._array.size:
            painter.fillRect(self.rect(), self.palette().window())
            painter.end()
            return
        if self._paints_screen(painter):
            painter.drawPixmap(0, 0, self._cells_pixmap())
        else:  # an export (SVG, or PNG at another scale) gets vector text and lines, as before
            painter.fillRect(self.rect(), self.palette().window())
            self._paint_cells(painter)
        cell = self._geometry().cell
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        for rect in self._overlays:
            area = self.cell_rect(rect.top, rect.left).united(self.cell_rect(rect.bottom, rect.right))
            draw_outline(painter, area, rect)
        focused = self.hasFocus() and self._inside(*self._current)
        hovered = self._pointer.hovered
        if hovered is not None and not (focused and hovered == self._current):
            draw_hover(painter, self.cell_rect(*hovered))
        if focused:
            draw_focus(painter, self.cell_rect(*self._current), cell, self.palette().highlight().color())
        painter.end()

    def _cells_pixmap(self) -> QPixmap:
        """Background, padding, cells, grid lines, highlight and numbers, drawn once per change.

        Hover, focus and outlines change far more often than the values (every mouse move, every
        step of the player), so they are drawn over this pixmap instead of into it.
        """
        ratio = self.devicePixelRatioF()
        key = (
            self.width(),
            self.height(),
            ratio,
            self._pad,
            self._numbers,
            self._font_scale,
            TEXT_ZOOM.factor,  # the numbers' size (number_font)
            self.font().key(),
            self.palette().window().color().rgba(),
        )
        if self._cells is not None and self._cells_key == key:
            return self._cells
        pixmap = QPixmap(round(self.width() * ratio), round(self.height() * ratio))
        pixmap.setDevicePixelRatio(ratio)
        painter = QPainter(pixmap)
        painter.fillRect(self.rect(), self.palette().window())
        self._paint_cells(painter)
        painter.end()
        self._cells, self._cells_key = pixmap, key
        self.cells_drawn += 1
        return pixmap

    def _paint_cells(self, painter: QPainter) -> None:
        geometry = self._geometry()
        numbers = self._numbers_shown(geometry.cell)
        font_scale = self._font_scale if numbers else None
        paint_cells(painter, self._picture(), self._array, geometry, self.font(), font_scale)

    def _paints_screen(self, painter: QPainter) -> bool:
        """Whether ``painter`` draws pixels at this widget's own pixel ratio (the screen, ``grab``)."""
        if painter.paintEngine().type() != QPaintEngine.Type.Raster:
            return False
        transform = painter.deviceTransform()
        ratio = self.devicePixelRatioF()
        return transform.m11() == transform.m22() == ratio and transform.m12() == transform.m21() == 0

    # ----- keyboard and the inline editor (cell_editor)
    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt's name)
        if self.is_editing():
            self._cell_editor.type_key(event)
            return
        moves = ARROW_STEPS
        key = event.key()
        if key in moves and self._array.size and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
            height, width = self._array.shape
            row = min(max(self._current[0] + moves[key][0], 0), height - 1)
            col = min(max(self._current[1] + moves[key][1], 0), width - 1)
            self.set_current_cell(row, col)
            return
        if self._editable and self._array.size:
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_F2):
                self.start_edit()
                return
            if event.text() and event.text() in TYPING_STARTERS:
                self.start_edit(event.text())
                return
        super().keyPressEvent(event)

    def start_edit(self, text: str | None = None) -> None:
        """Open the inline editor on the current cell, with ``text`` or the cell's value selected."""
        self._cell_editor.start(text)

    def cancel_edit(self) -> None:
        """Close the inline editor without changing anything (Escape)."""
        self._cell_editor.cancel()

    def is_editing(self) -> bool:
        return self._cell_editor.cell is not None

    def commit_edit(self) -> bool:
        """Read the editor: a number is emitted as ``value_entered``; bad text keeps it open."""
        return self._cell_editor.commit()

    def event(self, event: QEvent) -> bool:
        # Tab would move the focus away before keyPressEvent; while editing it commits instead
        if event.type() == QEvent.Type.KeyPress and self.is_editing() and self._cell_editor.handle_key(event):
            return True
        return super().event(event)

    def focusInEvent(self, event: QFocusEvent) -> None:  # noqa: N802 (Qt's name)
        self.update()
        super().focusInEvent(event)

    def focusOutEvent(self, event: QFocusEvent) -> None:  # noqa: N802 (Qt's name)
        self.update()
        super().focusOutEvent(event)

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        self.cancel_edit()
        super().resizeEvent(event)
