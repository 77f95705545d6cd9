"""The digit pen: a soft round pen whose strokes look like MNIST's, and how a stroke lays down ink.

MNIST strokes are two to three pixels wide with soft edges: full ink along the middle, partial
ink at the sides. A hard one-pixel brush draws thin 0/1 lines the network has never seen, and
reads far worse. Qt-free, so the editor only forwards mouse positions and paints the result.

Coordinates are (row, column) grid cells; a stroke runs from cell to cell as the mouse moves.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = [
    "DIGIT_PEN_WIDTH",
    "MIN_DIGIT_GRID",
    "Footprint",
    "default_pen",
    "line_cells",
    "paint_stroke",
    "pen_footprint",
    "stroke_ink",
    "stroke_values",
]

#: Width in pixels of the digit pen on a 28x28 grid. MNIST's strokes are wider (2.86 pixels of ink
#: per pixel of centre line on the bundled training digits), but a digit drawn small is enlarged
#: by ``prepare_like_mnist``, its strokes with it, and with a wide pen its loops fill up. The width
#: was chosen on training digits only: a network trained on 3,500 of them and their drawings with
#: the pen read drawings of the other 500 made at half size 91.0% right with this pen and 87.8%
#: with a 2.7-pixel one (at full size 95.8% and 95.6%, the digits themselves 98.0% and 97.2%);
#: ``python benchmarks/drawn_digits.py --pen-widths 2,2.7`` measures it again.
DIGIT_PEN_WIDTH = 2.0

#: Grids at least this many pixels on their short side are digit-sized and get the soft pen.
MIN_DIGIT_GRID = 20


@dataclass(frozen=True)
class Footprint:
    """The ink one dab of a pen lays down around the cell under the mouse.

    ``rows`` and ``cols`` are int offsets from that cell, ``ink`` float32 in (0, 1], one per offset.
    """

    rows: np.ndarray
    cols: np.ndarray
    ink: np.ndarray

    @property
    def width(self) -> int:
        """Cells across the footprint."""
        return int(self.cols.max() - self.cols.min() + 1)


def pen_footprint(width: float = DIGIT_PEN_WIDTH) -> Footprint:
    """A soft round pen: a disc ``width`` pixels across, centred on the cell under the mouse.

    A cell's ink is the share of it the disc covers, taken as a ramp one pixel wide across the
    disc's edge: ``clip(width / 2 + 0.5 - distance, 0, 1)`` for a cell whose centre is
    ``distance`` pixels from the disc's. The centre cell always gets full ink. Width 1 is the hard
    one-pixel brush (one cell, ink 1); 2 gives full ink in the middle, 0.5 beside it, 0.09 on the
    diagonals; 2.5 gives 1, 0.75 and 0.34.
    """
    if not (isinstance(width, (int, float, np.integer, np.floating)) and np.isfinite(width) and 1 <= width <= 15):
        raise ValueError(f"the pen width must be from 1 to 15 pixels, got {width!r}")
    reach = int(np.ceil(width / 2 + 0.5))
    offsets = np.arange(-reach, reach + 1)
    rows, cols = np.meshgrid(offsets, offsets, indexing="ij")
    ink = np.clip(width / 2 + 0.5 - np.hypot(rows, cols), 0.0, 1.0)
    keep = ink > 1e-6
    return Footprint(rows[keep], cols[keep], ink[keep].astype(np.float32))


def default_pen(grid_shape: tuple[int, int]) -> Footprint:
    """The pen a grid of ``grid_shape`` starts with.

    Digit-sized grids (at least :data:`MIN_DIGIT_GRID` pixels on the short side) get the soft
    digit pen, its width scaled with the grid (:data:`DIGIT_PEN_WIDTH` on 28x28); smaller grids,
    such as the lecture's 0/1 images, the hard one-pixel brush.
    """
    side = min(int(v) for v in grid_shape)
    if side < MIN_DIGIT_GRID:
        return pen_footprint(1)
    return pen_footprint(min(15.0, DIGIT_PEN_WIDTH * side / 28))


def line_cells(start: tuple[int, int], end: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """Every cell on the straight line from ``start`` to ``end`` (both included), with no gaps."""
    steps = max(abs(end[0] - start[0]), abs(end[1] - start[1]))
    t = np.linspace(0.0, 1.0, steps + 1)
    rows = np.rint(start[0] + (end[0] - start[0]) * t).astype(np.int64)
    cols = np.rint(start[1] + (end[1] - start[1]) * t).astype(np.int64)
    return rows, cols


def stroke_ink(
    start: tuple[int, int], end: tuple[int, int], pen: Footprint, grid_shape: tuple[int, int]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The cells a stroke from ``start`` to ``end`` touches inside the grid, and the ink each gets.

    The pen is dabbed on every cell of :func:`line_cells`; where dabs overlap a cell keeps the
    largest ink, not the sum, so a slow stroke is no darker than a fast one. Returns int rows,
    int cols and float32 ink, one entry per cell, in row-major order.
    """
    height, width = (int(v) for v in grid_shape)
    line_rows, line_cols = line_cells(start, end)
    rows = (line_rows[:, None] + pen.rows[None, :]).ravel()
    cols = (line_cols[:, None] + pen.cols[None, :]).ravel()
    ink = np.broadcast_to(pen.ink[None, :], (len(line_rows), len(pen.ink))).ravel()
    inside = (rows >= 0) & (rows < height) & (cols >= 0) & (cols < width)
    flat = rows[inside] * width + cols[inside]
    best = np.zeros(height * width, np.float32)
    np.maximum.at(best, flat, ink[inside])
    cells = np.unique(flat)
    return cells // width, cells % width, best[cells]


def stroke_values(
    image: np.ndarray,
    start: tuple[int, int],
    end: tuple[int, int],
    pen: Footprint,
    value: float = 1.0,
    erase: bool = False,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(rows, cols, new values) of the cells a stroke changes on ``image`` (H, W).

    Painting with ``value`` gives a cell ``max(old, value * ink)``: ink only ever darkens, and going
    over a stroke again, or crossing it, leaves it as it is. Erasing gives ``min(old, 1 - ink)``:
    full ink in the pen's middle clears a cell, its soft edge only lightens. With the hard
    one-pixel pen (ink 1) painting sets ``max(old, value)`` and erasing sets 0.
    """
    rows, cols, ink = stroke_ink(start, end, pen, image.shape)
    old = np.asarray(image)[rows, cols].astype(np.float32)
    new = np.minimum(old, 1.0 - ink) if erase else np.maximum(old, np.float32(value) * ink)
    return rows, cols, new.astype(np.float32)


def paint_stroke(
    image: np.ndarray,
    start: tuple[int, int],
    end: tuple[int, int],
    pen: Footprint,
    value: float = 1.0,
    erase: bool = False,
) -> np.ndarray:
    """A float32 copy of ``image`` with one stroke painted (or erased); see :func:`stroke_values`."""
    result = np.array(image, dtype=np.float32)
    rows, cols, new = stroke_values(result, start, end, pen, value, erase)
    result[rows, cols] = new
    return result
