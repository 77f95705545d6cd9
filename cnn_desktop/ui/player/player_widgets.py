"""The convolution player's building blocks: titled grids, operator signs, sum lines and overlays.

Fonts and colours live here too, so every part of the player is lettered and highlighted alike:
the window colour marks the sliding window, the current output cell and the patch's input channel.
"""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QEvent, QObject, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPaintEvent, QPen, QResizeEvent
from PySide6.QtWidgets import QLabel, QSizePolicy, QVBoxLayout, QWidget

from ...number_text import format_value
from ..colours import channel_map, diverging, greyscale
from ..editors.grid_view import NumberGridView
from ..fonts import keep_font, pixel_font, text_font

WINDOW_COLOUR = QColor("#ffb000")  # the window and the current output cell (as in the feature maps)
WINNER_COLOUR = QColor("#00d0ff")  # max-pool winners
TAP_TINT = QColor(255, 176, 0, 80)
PADDING_TINT = QColor(255, 255, 255, 70)

TITLE_PX = 15
ARITHMETIC_PX = 26
RESULT_PX = 32
OPERATOR_PX = 40
MAX_ARITHMETIC_CELL = 76
"""Largest cell (px) of the patch, kernel and products grids: big, but leaving room for the rest."""


def set_tip(widget: QWidget, tip: str) -> None:
    """Give ``widget`` the tool tip ``tip``; the same tip again is not set (Qt would post an event)."""
    if widget.toolTip() != tip:
        widget.setToolTip(tip)


def operator_label(text: str, tip: str, parent: QWidget) -> QLabel:
    """A large ``×`` or ``=`` between the arithmetic grids."""
    label = QLabel(text, parent)
    keep_font(label, OPERATOR_PX, bold=True)
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    label.setToolTip(tip)
    label.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Preferred)
    return label


def line_label(pixels: int, tip: str, bold: bool = False) -> QLabel:
    """One line of the sums column (sum, bias, result, ReLU), tall enough for its font even when empty."""
    label = QLabel()
    keep_font(label, pixels, bold=bold, lines=1)
    label.setToolTip(tip)
    label.setTextFormat(Qt.TextFormat.PlainText)
    return label


class GridColours:
    """Gives grids their colour maps by key, building a map only when a grid's key changes.

    Keys: ``"grey"`` (the image 0..1), ``"channel:red"`` (a picture's channel in its colour) or the
    name of a diverging palette (feature maps, kernels, products).
    """

    def __init__(self) -> None:
        self._keys: dict[int, str] = {}  # id of a grid -> key of the colour map it shows

    def set(self, grid: NumberGridView, key: str) -> None:
        if self._keys.get(id(grid)) != key:
            if key.startswith("channel:"):
                grid.set_colormap(channel_map(key.removeprefix("channel:")))
            else:
                grid.set_colormap(greyscale() if key == "grey" else diverging(key))
            self._keys[id(grid)] = key


class TitledGridView(QWidget):
    """A one-line title above a :class:`NumberGridView`; its width is set by ``player_layout.place_row``."""

    def __init__(self, title: str, tip: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._titles = (title, title)
        self.title = QLabel(title)
        keep_font(self.title, TITLE_PX, bold=True)
        self.title.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom)
        self.title.setToolTip(tip)
        self.title.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.grid = NumberGridView()
        self.grid.setToolTip(tip)
        self.grid.setMinimumSize(30, 30)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.title)
        layout.addWidget(self.grid, 1)

    def set_title(self, text: str, short: str | None = None) -> None:
        """Title the column ``text``, or ``short`` (elided if need be) when the column is too narrow."""
        self._titles = (text, short or text)
        self._fit_title()

    def _fit_title(self) -> None:
        text, short = self._titles
        metrics = self.title.fontMetrics()
        width = max(self.width(), 1)
        if metrics.horizontalAdvance(text) > width:
            text = metrics.elidedText(short, Qt.TextElideMode.ElideRight, width)
        if self.title.text() != text:
            self.title.setText(text)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt's name)
        self._fit_title()
        super().resizeEvent(event)

    def cells(self) -> tuple[int, int]:
        """(rows, cols) of cells drawn, padding ring included."""
        rows, cols = self.grid.array().shape
        pad = self.grid.pad()
        return rows + 2 * pad, cols + 2 * pad


class KernelTagsView(QWidget):
    """The kernel laid over the patch: each weight as a small tag in the corner of its input cell.

    A transparent child drawn over a :class:`NumberGridView`, following its size; it never takes
    the mouse. Tags are drawn only when the cells are large enough to hold them.
    """

    MIN_CELL = 40
    """Smaller cells leave no corner free of the cell's own number: the tint and outline must do."""

    def __init__(self, grid: NumberGridView) -> None:
        super().__init__(grid)
        self._grid = grid
        self._tags: list[tuple[int, int, str]] = []
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents, True)
        self.setAttribute(Qt.WidgetAttribute.WA_NoSystemBackground, True)
        self.setGeometry(grid.rect())
        grid.installEventFilter(self)

    def set_tags(self, tags: list[tuple[int, int, str]]) -> None:
        """``tags`` are (row, col, text) in the grid's array coordinates (padding rows allowed)."""
        tags = list(tags)
        if tags != self._tags:
            self._tags = tags
            self.update()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if watched is self._grid and event.type() == QEvent.Type.Resize:
            self.setGeometry(self._grid.rect())
        return False

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt's name)
        cell = self._grid.cell_size()
        if not self._tags or cell < self.MIN_CELL:
            return
        painter = QPainter(self)
        font = pixel_font(max(9, int(cell * 0.22)), bold=True)
        painter.setFont(font)
        height = painter.fontMetrics().height()
        for row, col, text in self._tags:
            rect = self._grid.cell_rect(row, col)
            width = painter.fontMetrics().horizontalAdvance(text) + 4
            tag = QRectF(rect.right() - width - 1, rect.bottom() - height - 1, width, height)
            painter.fillRect(tag, WINDOW_COLOUR)
            painter.setPen(QPen(QColor(0, 0, 0)))
            painter.drawText(tag, Qt.AlignmentFlag.AlignCenter, text)
        painter.end()


class ChannelSumsView(QWidget):
    """The per-input-channel partial sums of a conv unit, as a table that fits its box.

    Entries run down the columns (``ch 0: 1.25``), the channel shown in the patch marked, and the
    total underneath; the font is the largest (18 down to 10 px) at which every entry fits.
    """

    MAX_PX, MIN_PX = 18, 10

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._entries: list[str] = []
        self._total = ""
        self._marked = -1
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Expanding)
        self.setMinimumHeight(2 * QFontMetrics(text_font(self.MIN_PX)).height())

    def set_sums(self, sums: np.ndarray | None, total: float = 0.0, marked: int = -1) -> None:
        """Show ``sums`` (C_in,) and their ``total``, marking channel ``marked``; None shows nothing."""
        if sums is None:
            entries, total_line = [], ""
        else:
            entries = [f"ch {c}: {format_value(v)}" for c, v in enumerate(sums)]
            total_line = f"total = {format_value(total)}"
        if (entries, total_line, marked) == (self._entries, self._total, self._marked):
            return  # the same table: no repaint
        self._entries, self._total, self._marked = entries, total_line, marked
        self.update()

    def entries(self) -> tuple[list[str], str]:
        """The entries listed (``ch 0: 1.25``...) and the total line (both empty when none are shown)."""
        return list(self._entries), self._total

    def _fit(self) -> tuple[QFont, int, int, float]:
        """(font, columns, rows, column width) of the largest font at which the table fits."""
        count = len(self._entries)
        for pixels in range(self.MAX_PX, self.MIN_PX - 1, -1):
            font = text_font(pixels, bold=True)
            metrics = QFontMetrics(font)
            column = max(metrics.horizontalAdvance(text) for text in self._entries) + pixels
            columns = max(1, int((self.width() + pixels) // column))
            rows = math.ceil(count / columns)
            if (rows + 1) * metrics.height() <= self.height() or pixels == self.MIN_PX:
                return font, columns, rows, column
        raise AssertionError("unreachable")

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt's name)
        if not self._entries:
            return
        painter = QPainter(self)
        font, columns, rows, column = self._fit()
        line = QFontMetrics(font).height()
        rows_fit = max(1, self.height() // line - 1)
        shown_rows = min(rows, rows_fit)
        top = max(0, (self.height() - (shown_rows + 1) * line) // 2)
        normal = pixel_font(font.pixelSize())
        ink = self.palette().windowText().color()
        for index, text in enumerate(self._entries):
            col, row = divmod(index, rows)
            if row >= shown_rows or col >= columns:
                continue
            rect = QRectF(col * column, top + row * line, column, line)
            if index == self._marked:
                painter.fillRect(rect.adjusted(-2, 0, -font.pixelSize() + 2, 0), WINDOW_COLOUR)
                painter.setFont(font)
                painter.setPen(QColor(0, 0, 0))
            else:
                painter.setFont(normal)
                painter.setPen(ink)
            painter.drawText(rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, text)
        hidden = len(self._entries) - min(len(self._entries), shown_rows * columns)
        total = self._total + (f"   (+{hidden} channels not listed)" if hidden else "")
        painter.setFont(font)
        painter.setPen(ink)
        painter.drawText(
            QRectF(0, top + shown_rows * line, self.width(), line),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            total,
        )
        painter.end()
