"""What the presentation layout shows and how large (Qt-free).

A lecture slide reads ``input * kernel = output``, then ``ReLU ->``, ``max pool ->``, with a number
in every cell. :func:`panels_for` decides, from a network and a scene's view options, which panels
make that row: the input stage, the kernel(s) of the scene's conv layer, and each later stage up to
the first one that is no longer a small map, or the class probabilities of a network that ends in a
dense layer. :func:`fit_panels` then finds the largest cell side (whole pixels) at which they fit
into a screen area, in one row or wrapped into two, and returns every box to place.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from ..engine import Network
from ..number_text import format_value, parse_number

__all__ = [
    "GRID_MARGIN",
    "Box",
    "Fitting",
    "PanelPlacement",
    "PanelSpec",
    "fit_panels",
    "kernel_factor",
    "panels_for",
]

GRID_MARGIN = 4
"""Free pixels on each side of a drawn grid (the grid widget's own margin)."""

NUMBERED_CELLS = 12 * 12
"""A map with more cells than this (a 28x28 digit) is drawn as an image, without numbers."""

IMAGE_UNITS = 10.0
"""Side, in cell units, of an image drawn without numbers: it should not dwarf the numbered grids."""

PROBABILITY_UNITS = (16.0, 10.0)
"""Width and height, in cell units, of the class probability bars."""

NARROW = {".": 0.5, "-": 0.6}
"""Widths of the narrow characters of a cell's number, in digit widths."""

MAX_NUMBER_UNITS = 2.5

SMALL_MAP_ZOOM = 1.5
"""Extra size of a map of at most 2x2 cells (a pooled result): it is what the slide is about."""

CONTEXT_SCALES = (1.0, 0.8, 0.65)
"""Sizes of the panels around the key output, relative to it, that the fitting may choose."""

MAX_CELL = 240
GRID_GAP = 10
"""Pixels between the grids of one panel (the kernels of a conv layer, the channels of a map)."""


@dataclass(frozen=True)
class PanelSpec:
    """One panel of the row: a stage's map(s), a layer's kernels, or the class probabilities.

    ``grids`` grids of ``rows`` x ``cols`` cells each (padding included); ``units`` is a cell's side
    in layout units (1 for numbered grids, smaller for a large image). ``operator`` is written
    before the panel (``"*"``, ``"="``, ``"ReLU \u2192"``); ``key`` marks the output the caption is about.
    """

    kind: str  # "map", "kernels" or "probabilities"
    label: str
    operator: str
    stage: int | None = None
    layer: int | None = None
    grids: int = 1
    rows: int = 1
    cols: int = 1
    pad: int = 0
    numbers: bool = True
    units: float = 1.0
    key: bool = False

    def cell_px(self, unit: int) -> int:
        """Side of one cell in pixels when a layout unit is ``unit`` pixels."""
        return max(1, math.floor(unit * self.units))


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


# ----------------------------------------------------------------------------------------------- which panels
def kernel_factor(text: str) -> float:
    """The scene's kernel factor (``"1/9"``) as a number; 1 for anything unusable."""
    try:
        value = parse_number(str(text))
    except ValueError:
        return 1.0
    return value if math.isfinite(value) and value != 0 else 1.0


def panels_for(
    network: Network, options: dict[str, Any] | None = None, stages: list[np.ndarray] | None = None
) -> list[PanelSpec]:
    """The panels of the slide for ``network`` shown with a scene's view ``options``.

    The kernels are those of ``options["kernel_layer"]`` (default: the first conv layer); the
    maps that follow are the outputs of that layer and of each activation or pooling after it,
    until a layer that is not one of those. A network ending in a dense layer shows its class
    probabilities instead of those maps. A conv layer with several kernels followed by a ReLU
    shows only the ReLU's map (one stacked feature map, as the slide does).

    With the result's ``stages`` (stage 0 = input (C, H, W), ...), a grid whose numbers are long
    (``0.33``) gets larger cells than one of short numbers (``-4``), so both read at one size.
    """
    options = options or {}
    spec = network.spec
    convs = [index for index, entry in enumerate(spec) if entry["type"] == "conv"]
    layer = options.get("kernel_layer", convs[0] if convs else None)
    if layer not in convs:
        layer = convs[0] if convs else None
    first = 0 if layer is None else layer
    pad = int(spec[layer].get("padding", 0)) if layer is not None else 0
    panels = [_map_panel(network, stages, first, "input" if first == 0 else "map", "", pad=pad)]
    if layer is not None:
        out_channels, _, size, _ = network.params[f"{layer}.weight"].shape
        factor = str(options.get("kernel_factor", "1"))
        operator = "*" if kernel_factor(factor) == 1 else f"* {factor} \u00d7"
        label = "kernel" if out_channels == 1 else f"{out_channels} kernels"
        weights = network.params[f"{layer}.weight"][:, 0] / kernel_factor(factor)
        numbered = panels[0].numbers  # beside a digit drawn as an image, kernels are small colour patches
        panels.append(
            PanelSpec(
                "kernels",
                label,
                operator,
                layer=layer,
                grids=out_channels,
                rows=size,
                cols=size,
                numbers=numbered,
                units=number_units(weights) if numbered else 1.0,
            )
        )
    if spec and spec[-1]["type"] == "dense":
        panels.append(PanelSpec("probabilities", "class probabilities", "\u2192 CNN \u2192", layer=len(spec) - 1))
        return _mark_key(panels)
    index = first
    while index < len(spec):
        entry = spec[index]
        if index > first and entry["type"] not in ("relu", "maxpool", "avgpool"):
            break
        follows_relu = index + 1 < len(spec) and spec[index + 1]["type"] == "relu"
        if entry["type"] == "conv" and follows_relu and network.shapes[index][0] > 1:
            panels.append(_map_panel(network, stages, index + 2, "ReLU feature map", "="))
            index += 2
            continue
        operator = "=" if entry["type"] == "conv" else _operator(entry)
        name = "output" if entry["type"] == "conv" else ""
        panels.append(_map_panel(network, stages, index + 1, name, operator))
        index += 1
    return _mark_key(panels)


def _operator(entry: dict[str, Any]) -> str:
    kind = entry["type"]
    if kind == "relu":
        return "ReLU \u2192"
    if kind in ("maxpool", "avgpool"):
        size = int(entry.get("size", 2))
        stride = int(entry.get("stride", size))
        name = "max pool" if kind == "maxpool" else "avg pool"
        step = "" if stride == size else f" /{stride}"
        return f"{name}\n{size}x{size}{step} \u2192"
    return "\u2192"


def number_units(values: np.ndarray) -> float:
    """Cell side, in layout units, that writes the widest of ``values`` as large as a 2-digit number.

    Widths count in digits (a point or minus sign is narrower); 1 for numbers of up to 2 digits.
    """
    texts = {format_value(value) for value in np.asarray(values, np.float64).ravel()[:4096]}
    widest = max((sum(NARROW.get(char, 1.0) for char in text) for text in texts), default=1.0)
    return float(min(MAX_NUMBER_UNITS, max(1.0, widest / 1.9)))


def _map_panel(
    network: Network, stages: list[np.ndarray] | None, stage: int, name: str, operator: str, pad: int = 0
) -> PanelSpec:
    channels, height, width = network.stage_shape(stage)
    numbered = height * width <= NUMBERED_CELLS
    units = IMAGE_UNITS / max(height + 2 * pad, width + 2 * pad)
    if numbered:
        units = number_units(stages[stage]) if stages is not None and stage < len(stages) else 1.0
        units *= SMALL_MAP_ZOOM if max(height, width) <= 2 else 1.0
    shape = f"{height}x{width}" if channels == 1 else f"{height}x{width}x{channels}"
    return PanelSpec(
        "map",
        f"{name} {shape}".strip(),
        operator,
        stage=stage,
        grids=channels if numbered else 1,
        rows=height + 2 * pad,
        cols=width + 2 * pad,
        pad=pad,
        numbers=numbered,
        units=units,
    )


def _mark_key(panels: list[PanelSpec]) -> list[PanelSpec]:
    last = panels[-1]
    return [*panels[:-1], PanelSpec(**{**last.__dict__, "key": True})]


# ----------------------------------------------------------------------------------------------- how large
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
