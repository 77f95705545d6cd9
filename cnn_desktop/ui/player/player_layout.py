"""The placement of the player's row: square cells as large as the panel allows, the arithmetic shrinking last.

A Qt layout cannot size a grid by its cell count, so the panel places its row by hand: each grid's
ideal width is its column count times the cell its height allows, and when the row is too wide the
columns give way in the order ``COLUMN_WEIGHTS`` sets.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from functools import lru_cache

from PySide6.QtWidgets import QLabel, QWidget

from ..editors.grid_view import MARGIN, MIN_NUMBER_CELL
from ..fonts import TEXT_ZOOM
from .channel_rows import ChannelRowsView
from .player_widgets import MAX_ARITHMETIC_CELL, OPERATOR_PX, TitledGridView

CHANNEL_SUMS_WIDTH = 230
"""Width (px) kept for the sums column when it lists per-channel sums."""
COLUMN_WEIGHTS = {"channel rows": 2.0, "input": 1.6, "arithmetic": 1.2, "output": 0.95, "relu": 0.8}
"""How long each column keeps its full size when the panel is narrow (see ``share_widths``): a
picture's channel rows (d small grids high, they have the least room to lose), the input with its
sliding window, then the arithmetic, then the output maps. Keys are the columns' object names; the
patch, kernel and products grids share ``arithmetic``."""
RELU_MAP_MIN_WIDTH = 1150
"""Narrower panels leave out the after-ReLU map (the ReLU line of the sums still shows the value)."""

COLUMN_GAP = 10
MIN_COLUMN_WIDTH = 40
MIN_SUMS_WIDTH = 60


def share_widths(ideal: list[float], weights: list[float], available: float, floors: list[float]) -> list[float]:
    """Widths between ``floors`` and ``ideal`` that fill ``available`` pixels, low-weight columns shrinking first.

    Column ``i`` gets ``min(ideal[i], s * weights[i] * ideal[i])`` (never below ``floors[i]``) for the
    largest ``s`` that fits, so when space is short the heavy columns keep their size longest.
    """
    return list(_shared_widths(tuple(ideal), tuple(weights), available, tuple(floors)))


@lru_cache(maxsize=8)  # the player places its row on every result, nearly always with the same sizes
def _shared_widths(
    ideal: tuple[float, ...], weights: tuple[float, ...], available: float, floors: tuple[float, ...]
) -> tuple[float, ...]:
    if sum(ideal) <= available:
        return ideal
    bounds = list(zip(ideal, weights, floors, strict=True))

    def widths(scale: float) -> list[float]:
        return [max(floor, min(best, scale * weight * best)) for best, weight, floor in bounds]

    low, high = 0.0, 1.0 / min(weights)
    for _ in range(40):
        middle = (low + high) / 2
        low, high = (middle, high) if sum(widths(middle)) <= available else (low, middle)
    return tuple(widths(low))


def sums_width(lines: Sequence[tuple[QLabel, str]], lists_channels: bool) -> int:
    """Pixels the sums column needs to show each (label, widest text) pair, or a channel table."""
    width = max(label.fontMetrics().horizontalAdvance(text) for label, text in lines) + 12
    return max(width, CHANNEL_SUMS_WIDTH) if lists_channels else width


def place_row(
    page: QWidget, row: Sequence[QWidget], sums: QWidget, sums_min_width: int, arithmetic: Collection[QWidget]
) -> None:
    """Set the geometry of each shown widget of ``row`` (left to right) to fill ``page``.

    ``row`` holds :class:`TitledGridView` columns, operator labels (drawn under the titles) and the
    ``sums`` column: the grids share what ``sums_min_width`` leaves, and the sums get the rest.
    Columns in ``arithmetic`` keep cells of at most ``MAX_ARITHMETIC_CELL`` px.
    """
    shown = [widget for widget in row if not widget.isHidden()]
    columns = [widget for widget in shown if isinstance(widget, (TitledGridView, ChannelRowsView))]
    operators = [widget for widget in shown if widget is not sums and widget not in columns]
    title = max(column.title.sizeHint().height() for column in columns if isinstance(column, TitledGridView))
    height = page.height()
    grid_height = max(height - title - 2 - 2 * MARGIN, 20)
    ideal, weights, floors = [], [], []
    for column in columns:
        if isinstance(column, ChannelRowsView):  # a picture's channels, stacked: they size themselves
            ideal.append(column.ideal_width(height))
            weights.append(COLUMN_WEIGHTS[column.objectName()])
            floors.append(min(ideal[-1], column.min_width()))
            continue
        rows, cols = column.cells()
        cell = grid_height / max(rows, 1)
        is_arithmetic = column in arithmetic
        if is_arithmetic:
            cell = min(cell, MAX_ARITHMETIC_CELL * TEXT_ZOOM.factor)
        ideal.append(cell * cols + 2 * MARGIN + 1)
        weights.append(COLUMN_WEIGHTS["arithmetic" if is_arithmetic else column.objectName()])
        # a small map keeps cells big enough for its numbers, when that costs little
        readable = MIN_NUMBER_CELL * cols + 2 * MARGIN + 1
        floors.append(min(ideal[-1], readable) if readable <= page.width() / 8 else MIN_COLUMN_WIDTH)
    operator_width = round(OPERATOR_PX * TEXT_ZOOM.factor)
    fixed = COLUMN_GAP * (len(columns) + len(operators)) + operator_width * len(operators)
    available = page.width() - fixed - sums_min_width
    widths = dict(zip(columns, share_widths(ideal, weights, available, floors), strict=True))
    sums_given = max(page.width() - fixed - sum(widths.values()), MIN_SUMS_WIDTH)
    left = 0
    for widget in shown:
        width = sums_given if widget is sums else int(widths.get(widget, operator_width))
        top = title + 2 if widget in operators else 0
        widget.setGeometry(left, top, width, height - top)
        left += width + (0 if widget in operators else COLUMN_GAP)
