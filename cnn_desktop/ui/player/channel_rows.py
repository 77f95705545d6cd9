"""The player's arithmetic for a colour picture: one row per channel, as the depth-d slide draws it.

For a conv reading a picture of d channels (red, green, blue...), :class:`ChannelRowsView` stacks d
rows ``red  patch × kernel slice = products → 6``: each patch in its channel's colour, each kernel
slice and its products in the diverging palette, and the channel's dot product once its products
are revealed. The sums column right of it adds the d dot products, the bias and the ReLU. The cells
shrink to fit d rows into the player's height; the lettering keeps its size.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QLabel, QWidget

from ...engine.traces import ConvTrace
from ...state.player_steps import ChannelLine
from ..colours import CHANNEL_COLOURS, text_colour_for
from ..editors.grid_view import MARGIN, NumberGridView
from ..fonts import TEXT_ZOOM, keep_font
from .player_widgets import (
    ARITHMETIC_PX,
    MAX_ARITHMETIC_CELL,
    PADDING_TINT,
    TITLE_PX,
    WINDOW_COLOUR,
    GridColours,
    set_tip,
)

ROW_GAP = 6
GAP = 4
WIDEST_DOT = "→ -8.88"
"""The dot product text the rows keep room for (a wider one takes what is left of the row)."""
MIN_CELL = 8
"""Smallest cell (px) of the rows' grids: below it a row no longer reads as a 3x3 patch."""
HEADERS = (
    ("patch", "The numbers under the window in each channel (padding cells are zeros)"),
    ("kernel", "The kernel's slice for each input channel"),
    ("products", "Each patch number times the kernel weight on it"),
    ("dot", "Each channel's dot product: the sum of its products"),
)


def _label(text: str, pixels: int, parent: QWidget, bold: bool = False) -> QLabel:
    label = QLabel(text, parent)
    keep_font(label, pixels, bold=bold)
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    return label


class ChannelRow:
    """One channel's widgets: its name, patch × kernel slice = products, and its dot product."""

    def __init__(self, parent: QWidget) -> None:
        self.name = _label("", TITLE_PX, parent, bold=True)
        self.patch = NumberGridView(parent=parent)
        self.kernel = NumberGridView(parent=parent)
        self.products = NumberGridView(parent=parent)
        for grid in self.grids():
            grid.font_scale = 1.35
            grid.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            grid.setMinimumSize(1, 1)  # the rows size their grids themselves
        self.times = _label("×", ARITHMETIC_PX, parent, bold=True)
        self.equals = _label("=", ARITHMETIC_PX, parent, bold=True)
        self.dot = _label("", ARITHMETIC_PX, parent, bold=True)
        self.dot.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self._named = ("", False)

    def grids(self) -> tuple[NumberGridView, NumberGridView, NumberGridView]:
        return self.patch, self.kernel, self.products

    def widgets(self) -> tuple[QWidget, ...]:
        return self.name, self.patch, self.times, self.kernel, self.equals, self.products, self.dot

    def set_name(self, name: str, marked: bool) -> None:
        """Name the row on a chip of its channel's colour, outlined when the input column shows it."""
        if (name, marked) == self._named:
            return
        self._named = (name, marked)
        colour = CHANNEL_COLOURS.get(name, (200, 200, 200))
        ink = text_colour_for(colour)
        border = WINDOW_COLOUR.name() if marked else "transparent"
        self.name.setText(name)
        self.name.setStyleSheet(
            f"background: rgb{colour}; color: rgb{ink}; border: 3px solid {border}; padding: 0 4px;"
        )


class ChannelRowsView(QWidget):
    """d rows of patch × kernel slice = products → dot product, under one line of column headers."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("channel rows")
        self._colours = GridColours()
        self._kernel_size = 3
        self.headers = [_label(text, TITLE_PX, self, bold=True) for text, _ in HEADERS]
        for label, (_, tip) in zip(self.headers, HEADERS, strict=True):
            label.setToolTip(tip)
        self.rows: list[ChannelRow] = []
        self._count = 0

    # ----- drawing
    def draw(
        self,
        trace: ConvTrace,
        lines: Sequence[ChannelLine],
        marked: int,
        palette: str,
        patch_levels: tuple[float, float],
        kernel_level: float,
        product_level: float,
    ) -> None:
        """Show ``trace``'s channels as ``lines`` says (which products and dot products are revealed).

        ``marked`` is the channel the input column shows; the patch is drawn at ``patch_levels`` (the
        picture's 0..1), the kernel at ±``kernel_level`` (the whole filter's) and the products at
        ±``product_level`` (all channels' products), so the rows compare at a glance.
        """
        self._kernel_size = trace.patch.shape[1]
        self._ensure_rows(len(lines))
        hidden = np.full(trace.products.shape[1:], np.nan, np.float32)
        for channel, (row, line) in enumerate(zip(self.rows, lines, strict=False)):
            row.set_name(line.name, channel == marked)
            self._colours.set(row.patch, f"channel:{line.name}")
            row.patch.set_array(trace.patch[channel], patch_levels)
            row.patch.set_highlight(trace.in_padding, PADDING_TINT)
            self._colours.set(row.kernel, palette)
            row.kernel.set_array(trace.kernel[channel], (-kernel_level, kernel_level))
            self._colours.set(row.products, palette)
            products = trace.products[channel] if line.products_shown else hidden
            row.products.set_array(products, (-product_level, product_level))
            row.dot.setText(line.dot)
            tip = f"{line.name}: patch × kernel slice = products; their sum is the {line.name} dot product"
            for widget in row.widgets():
                set_tip(widget, tip)
        self.place()

    def _ensure_rows(self, count: int) -> None:
        while len(self.rows) < count:
            self.rows.append(ChannelRow(self))
        for index, row in enumerate(self.rows):
            for widget in row.widgets():
                widget.setVisible(index < count)
        self._count = count

    def shown_rows(self) -> list[ChannelRow]:
        return self.rows[: self._count]

    # ----- placing
    def _fixed_widths(self) -> tuple[int, int, int]:
        """(name, operator, dot) column widths in px at the current text size."""
        rows = self.shown_rows()
        if not rows:
            return 0, 0, 0
        name = max(row.name.fontMetrics().horizontalAdvance(row.name.text()) for row in rows) + 14
        operator = rows[0].times.fontMetrics().horizontalAdvance("×") + 4
        dot = rows[0].dot.fontMetrics().horizontalAdvance(WIDEST_DOT) + 4
        return name, operator, dot

    def _header_height(self) -> int:
        return self.headers[0].sizeHint().height()

    def _fixed_width(self) -> int:
        """Pixels of a row that are not cells: names, operators, dot products, gaps and grid margins."""
        name, operator, dot = self._fixed_widths()
        return name + 2 * operator + dot + 6 * GAP + 3 * (2 * MARGIN + 1)

    def _cell_for(self, width: float, height: float) -> float:
        """The cell side (px) that fits the rows into ``width`` x ``height``."""
        count, k = max(len(self.shown_rows()), 1), self._kernel_size
        row_height = (height - self._header_height() - 2 - ROW_GAP * (count - 1)) / count
        by_height = (row_height - 2 * MARGIN - 1) / k
        by_width = (width - self._fixed_width()) / (3 * k)
        return max(MIN_CELL, min(by_height, by_width, MAX_ARITHMETIC_CELL * TEXT_ZOOM.factor))

    def ideal_width(self, height: float) -> float:
        """The width (px) at which the cells are as large as ``height`` allows."""
        return self._fixed_width() + 3 * self._kernel_size * self._cell_for(float("inf"), height)

    def min_width(self) -> float:
        """The narrowest width (px) at which nothing overlaps (cells of ``MIN_CELL``)."""
        return self._fixed_width() + 3 * self._kernel_size * MIN_CELL

    def place(self) -> None:
        """Lay the headers and rows out in the current size."""
        rows = self.shown_rows()
        if not rows:
            return
        name, operator, dot = self._fixed_widths()
        cell = self._cell_for(self.width(), self.height())
        grid = int(cell * self._kernel_size + 2 * MARGIN + 1)
        header = self._header_height()
        row_height = int(min(grid, (self.height() - header - 2 - ROW_GAP * (len(rows) - 1)) / len(rows)))
        widths = [name, grid, operator, grid, operator, grid, dot]
        lefts = [0]
        for width in widths[:-1]:
            lefts.append(lefts[-1] + width + GAP)
        for label, column in zip(self.headers, (1, 3, 5, 6), strict=True):  # a title may overhang its grid
            wide = max(label.fontMetrics().horizontalAdvance(label.text()) + 4, widths[column])
            label.setGeometry(lefts[column] + (widths[column] - wide) // 2, 0, wide, header)
        widths[-1] = max(dot, self.width() - lefts[-1])  # a wider dot product takes what is left
        used = header + 2 + len(rows) * row_height + ROW_GAP * (len(rows) - 1)
        top = header + 2 + max(0, (self.height() - used) // 2)
        for row in rows:
            for widget, left, width in zip(row.widgets(), lefts, widths, strict=True):
                if widget is row.name:
                    widget.setGeometry(left, top + (row_height - header - 6) // 2, width, header + 6)
                else:
                    widget.setGeometry(left, top, width, row_height)
            top += row_height + ROW_GAP

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        self.place()
