"""How large the presentation's panels are drawn: the largest cells that fit a screen area (Qt-free).

:func:`fit_panels` tries the panels in one row or wrapped into two, each multi-grid panel in a few
arrangements, and the panels around the key output at full or reduced size, and keeps whichever
gives the key output the largest cells (whole pixels). It returns every box the view places.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from .presentation import PanelSpec

__all__ = ["GRID_MARGIN", "Box", "Fitting", "PanelPlacement", "fit_panels"]

GRID_MARGIN = 4
"""Free pixels on each side of a drawn grid (the grid widget's own margin)."""


PROBABILITY_UNITS = (16.0, 10.0)
"""Width and height, in cell units, of the class probability bars."""


CONTEXT_SCALES = (1.0, 0.8, 0.65)
"""Sizes of the panels around the key output, relative to it, that the fitting may choose."""

MAX_CELL = 240

GRID_GAP = 10
"""Pixels between the grids of one panel (the kernels of a conv layer, the channels of a map)."""


@dataclass(frozen=True)
class Box:
    """A rectangle in pixels, from the top left of the presentation area."""

    x: int
    y: int
    width: int
    height: int


@dataclass(frozen=True)
class PanelPlacement:
    """Where one panel goes: its label above, its grids, and its operator to the left."""

    label: Box
    grids: tuple[Box, ...]
    operator: Box | None
    cell: int


@dataclass(frozen=True)
class Fitting:
    """A layout of all panels: the unit (cell side of a numbered grid) and each panel's boxes."""

    unit: int
    rows: tuple[tuple[int, ...], ...]
    columns: tuple[int, ...]  # grids per row inside each panel
    placements: tuple[PanelPlacement, ...]


def fit_panels(
    panels: list[PanelSpec],
    width: int,
    height: int,
    *,
    label_height: int,
    operator_widths: list[int],
    label_widths: list[int] | None = None,
    spacing: int = 16,
) -> Fitting:
    """The largest whole-pixel unit at which ``panels`` fit into ``width`` x ``height`` pixels.

    Tries one row and every split into two rows (in order), for each multi-grid panel every
    number of grid columns, and the panels other than the key output at full or reduced size
    (:data:`CONTEXT_SCALES`); the key output's cells decide, and a second row or smaller context
    is used only when it gives the key output larger cells.
    ``operator_widths[i]`` is the width of panel i's operator text (0 for none), ``label_height``
    the height of a panel's label line, ``label_widths[i]`` the width of panel i's label, which a
    panel is never narrower than.
    """
    text = _Text(label_height, tuple(operator_widths), tuple(label_widths or [0] * len(panels)), spacing)
    best: tuple[tuple[int, float, int], _Layout, int] | None = None
    for context in CONTEXT_SCALES:
        scaled = [panel if panel.key else replace(panel, units=panel.units * context) for panel in panels]
        for rows in _row_splits(len(panels)):
            for columns in _column_choices(panels):
                layout = _Layout(scaled, rows, columns, text)
                unit = layout.largest_unit(width, height)
                key = [panel for panel in scaled if panel.key]
                key_cell = key[0].cell_px(unit) if key and key[0].kind != "probabilities" else unit
                score = (key_cell, context, -len(rows))
                if best is None or score > best[0]:
                    best = (score, layout, unit)
    assert best is not None
    _, layout, unit = best
    return Fitting(unit, layout.rows, layout.columns, layout.place(unit, width, height))


@dataclass(frozen=True)
class _Text:
    """Pixel sizes of the text around the grids, measured by the caller."""

    label_height: int
    operator_widths: tuple[int, ...]
    label_widths: tuple[int, ...]
    spacing: int


def _row_splits(count: int) -> list[tuple[tuple[int, ...], ...]]:
    splits: list[tuple[tuple[int, ...], ...]] = [(tuple(range(count)),)]
    for cut in range(1, count):
        splits.append((tuple(range(cut)), tuple(range(cut, count))))
    return splits


def _column_choices(panels: list[PanelSpec]) -> list[tuple[int, ...]]:
    """Grid columns to try per panel: one row, one column, or 2 to 4 rows of grids."""
    choices: list[tuple[int, ...]] = [()]
    for panel in panels:
        count = panel.grids if panel.kind != "probabilities" else 1
        options = sorted({1, count, *(math.ceil(count / rows) for rows in range(2, 5))})
        choices = [(*choice, option) for choice in choices for option in options]
    return choices


@dataclass(frozen=True)
class _Layout:
    """Panels split into rows, each with a number of grid columns: sizes and boxes for a unit."""

    panels: list[PanelSpec]
    rows: tuple[tuple[int, ...], ...]
    columns: tuple[int, ...]
    text: _Text

    def grids_size(self, index: int, unit: int) -> tuple[int, int]:
        """(width, height) in pixels of panel ``index``'s grids (or bars), without its label."""
        panel = self.panels[index]
        if panel.kind == "probabilities":
            return math.floor(PROBABILITY_UNITS[0] * unit), math.floor(PROBABILITY_UNITS[1] * unit)
        columns = self.columns[index]
        grid_width, grid_height = self.grid_size(panel, unit)
        grid_rows = math.ceil(panel.grids / columns)
        return columns * grid_width + (columns - 1) * GRID_GAP, grid_rows * grid_height + (grid_rows - 1) * GRID_GAP

    @staticmethod
    def grid_size(panel: PanelSpec, unit: int) -> tuple[int, int]:
        cell = panel.cell_px(unit)
        return panel.cols * cell + 2 * GRID_MARGIN, panel.rows * cell + 2 * GRID_MARGIN

    def panel_size(self, index: int, unit: int) -> tuple[int, int]:
        grids_width, grids_height = self.grids_size(index, unit)
        return max(grids_width, self.text.label_widths[index]), self.text.label_height + grids_height

    def row_size(self, row: tuple[int, ...], unit: int) -> tuple[int, int]:
        width = height = 0
        for position, index in enumerate(row):
            panel_width, panel_height = self.panel_size(index, unit)
            operator = self.text.operator_widths[index]
            width += panel_width + (operator + self.text.spacing if operator else 0)
            width += self.text.spacing if position else 0
            height = max(height, panel_height)
        return width, height

    def fits(self, unit: int, width: int, height: int) -> bool:
        sizes = [self.row_size(row, unit) for row in self.rows]
        total = sum(size[1] for size in sizes) + self.text.spacing * (len(self.rows) - 1)
        return total <= height and all(size[0] <= width for size in sizes)

    def largest_unit(self, width: int, height: int) -> int:
        low, high = 0, MAX_CELL
        while low < high:
            middle = (low + high + 1) // 2
            if self.fits(middle, width, height):
                low = middle
            else:
                high = middle - 1
        return low

    def place(self, unit: int, width: int, height: int) -> tuple[PanelPlacement, ...]:
        """Every panel's boxes: rows centred in the area, panels centred in their row."""
        spacing, label_height = self.text.spacing, self.text.label_height
        sizes = [self.row_size(row, unit) for row in self.rows]
        total = sum(size[1] for size in sizes) + spacing * (len(self.rows) - 1)
        y = max(0, (height - total) // 2)
        placements: dict[int, PanelPlacement] = {}
        for row, (row_width, row_height) in zip(self.rows, sizes, strict=True):
            x = max(0, (width - row_width) // 2)
            for position, index in enumerate(row):
                x += spacing if position else 0
                panel_width, panel_height = self.panel_size(index, unit)
                top = y + (row_height - panel_height) // 2
                middle = top + label_height + (panel_height - label_height) // 2
                operator = None
                if self.text.operator_widths[index]:
                    operator = Box(x, middle - 2 * label_height, self.text.operator_widths[index], 4 * label_height)
                    x += self.text.operator_widths[index] + spacing
                grids_width, _ = self.grids_size(index, unit)
                placements[index] = PanelPlacement(
                    label=Box(x, top, panel_width, label_height),
                    grids=self.grid_boxes(index, unit, x + (panel_width - grids_width) // 2, top + label_height),
                    operator=operator,
                    cell=self.panels[index].cell_px(unit),
                )
                x += panel_width
            y += row_height + spacing
        return tuple(placements[index] for index in range(len(self.panels)))

    def grid_boxes(self, index: int, unit: int, left: int, top: int) -> tuple[Box, ...]:
        panel = self.panels[index]
        if panel.kind == "probabilities":
            return (Box(left, top, *self.grids_size(index, unit)),)
        grid_width, grid_height = self.grid_size(panel, unit)
        boxes = []
        for grid in range(panel.grids):
            row, col = divmod(grid, self.columns[index])
            boxes.append(
                Box(left + col * (grid_width + GRID_GAP), top + row * (grid_height + GRID_GAP), grid_width, grid_height)
            )
        return tuple(boxes)
