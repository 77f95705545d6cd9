"""Where each unit of a stage sits when its channels are tiled into one mosaic image (no Qt).

The feature maps draw a whole stage as one image so that a redraw is one ``setImage``, and the
kernel overview and the training panel's filters draw a layer's kernels the same way (each kernel
a tile); this module is the one tiler for all of them. It holds the geometry of that image: how
many maps to a row and how big a cell is for the available width, the tiling itself, and unit
(channel, y, x) <-> mosaic cell (row, col) in both directions. Cells are mosaic cells; ``cell``
sizes are screen pixels.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

GAP = 1  # empty cells between two channel maps of a mosaic
TARGET_MAP_PX = 100.0  # each channel map gets at least about this size when the width allows
MAX_MAP_FACTOR = 2.0  # ... and at most this many times it
MAX_CELL_PX = 56.0
NUMBER_CELL_PX = 52.0  # small maps may grow to cells this big, so their numbers are readable
MIN_FLAT_CELL_PX = 8.0  # cells of a flat strip; long vectors get smaller cells (at least 2 px) ...
FLAT_STRIP_HEIGHT_PX = 240.0  # ... so that their strip stays about this high
NUMBER_MAX_SIDE = 12  # maps up to 12x12 show their numbers (when the cells are big enough)

Box = tuple[int, int, int, int]  # top, left, bottom, right (inclusive unit coordinates)


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

    def box_cells(self, channel: int, box: Box) -> tuple[int, int, int, int] | None:
        """(row, col, rows, cols) of mosaic cells that outline ``box`` of one channel, clipped to the map.

        None when nothing of the box is on the map. A flat stage ignores ``channel`` and uses the
        box's left..right features; when they wrap over several rows, the whole rows are outlined.
        """
        if self.flat:
            left, right = max(box[1], 0), min(box[3], self.width - 1)
            if left > right:
                return None
            first, last = self.position(0, 0, left), self.position(0, 0, right)
            if first[0] != last[0]:
                return first[0], 0, last[0] - first[0] + 1, self.columns
            return first[0], first[1], 1, right - left + 1
        if not 0 <= channel < self.channels:
            return None
        top, left = max(box[0], 0), max(box[1], 0)
        bottom, right = min(box[2], self.height - 1), min(box[3], self.width - 1)
        if top > bottom or left > right:
            return None
        row, col = self.position(channel, top, left)
        return row, col, bottom - top + 1, right - left + 1

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

    def image(self, values: np.ndarray) -> np.ndarray:
        """A new mosaic image (rows, cols) float32 of ``values`` (C, H, W) or (F,), NaN in the gaps."""
        return self.tile(values, self.new_buffer()).copy()

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
