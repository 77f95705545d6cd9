"""MNIST digits turned into what a mouse drawing of them in the app would be.

No one draws thousands of digits with a mouse to test or train a network, so a digit's own
shape stands in for the hand: its ink (pixels above 0.5) is thinned to one-pixel centre lines
(Zhang and Suen's thinning), scaled and moved, and every pair of neighbouring centre-line pixels
becomes a mouse move from one grid cell to the next, painted with a pen as the editor paints a
drag (``cnn_desktop.pen``).

What this simulates: a person tracing the digit's shape at some size and place with the app's
pen. What it does not: a shaky hand, strokes that overshoot or fail to meet, two people's
different ways of writing a digit. It shows what size, position and pen cost, not what
handwriting costs.
"""

from __future__ import annotations

import numpy as np

from ..pen import Footprint

__all__ = ["centre_line_moves", "draw_moves", "mouse_drawing", "thin"]

# The 8 neighbours of a pixel in Zhang and Suen's order P2..P9: north, then clockwise.
_RING = ((-1, 0), (-1, 1), (0, 1), (1, 1), (1, 0), (1, -1), (0, -1), (-1, -1))


def thin(ink: np.ndarray) -> np.ndarray:
    """Zhang-Suen thinning of boolean images (N, H, W): one-pixel-wide centre lines, same shape.

    Each pass removes, in two sub-steps, the border pixels whose removal keeps the shape
    connected: 2 to 6 ink neighbours, exactly one background-to-ink step around them, and (first
    sub-step) not (north and east and south) nor (east and south and west); (second) the mirror.
    """
    image = np.pad(np.asarray(ink, dtype=bool), ((0, 0), (1, 1), (1, 1)))
    height, width = image.shape[1] - 2, image.shape[2] - 2
    centre = image[:, 1:-1, 1:-1]
    changed = True
    while changed:
        changed = False
        for step in (0, 1):
            ring = [image[:, 1 + dy : 1 + dy + height, 1 + dx : 1 + dx + width] for dy, dx in _RING]
            p2, _, p4, _, p6, _, p8, _ = ring
            neighbours = sum(r.astype(np.int8) for r in ring)
            steps_up = sum((~ring[k] & ring[(k + 1) % 8]).astype(np.int8) for k in range(8))
            if step == 0:
                corner = ~(p2 & p4 & p6) & ~(p4 & p6 & p8)
            else:
                corner = ~(p2 & p4 & p8) & ~(p2 & p6 & p8)
            remove = centre & (neighbours >= 3) & (neighbours <= 6) & (steps_up == 1) & corner
            if remove.any():
                centre[remove] = False
                changed = True
    return centre.copy()


def centre_line_moves(skeleton: np.ndarray) -> np.ndarray:
    """(M, 2, 2) int64 mouse moves ((row, col), (row, col)) along a centre-line image (H, W).

    One move per pair of 8-neighbouring centre-line pixels; a pixel with no neighbour is a click
    (a move from itself to itself).
    """
    skeleton = np.asarray(skeleton, dtype=bool)
    padded = np.pad(skeleton, 1)
    height, width = skeleton.shape
    points = np.argwhere(skeleton)
    moves = []
    for dy, dx in ((0, 1), (1, -1), (1, 0), (1, 1)):  # each neighbouring pair once
        hit = padded[points[:, 0] + 1 + dy, points[:, 1] + 1 + dx]
        moves.append(np.stack([points[hit], points[hit] + (dy, dx)], axis=1))
    neighbours = sum(
        padded[1 + dy : 1 + dy + height, 1 + dx : 1 + dx + width].astype(np.int8)
        for dy in (-1, 0, 1)
        for dx in (-1, 0, 1)
        if dy or dx
    )
    lone = points[neighbours[points[:, 0], points[:, 1]] == 0]
    moves.append(np.stack([lone, lone], axis=1))
    return np.concatenate(moves).reshape(-1, 2, 2).astype(np.int64)


def draw_moves(moves: np.ndarray, pen: Footprint, shape: tuple[int, int]) -> np.ndarray:
    """float32 ``shape`` image of ``moves`` (M, 2, 2) painted with ``pen`` (value 1) on a blank grid.

    The same cells and ink as painting each move with ``cnn_desktop.pen.paint_stroke`` in turn
    (every cell of each move's line gets a dab; overlapping ink combines by max), in one pass.
    """
    height, width = shape
    image = np.zeros(height * width, np.float32)
    moves = np.asarray(moves, dtype=np.int64).reshape(-1, 2, 2)
    if len(moves) == 0:
        return image.reshape(height, width)
    start, delta = moves[:, 0].astype(np.float64), (moves[:, 1] - moves[:, 0]).astype(np.float64)
    steps = np.abs(moves[:, 1] - moves[:, 0]).max(axis=1)
    k = np.arange(int(steps.max()) + 1)
    t = np.minimum(k[None, :] / np.maximum(steps, 1)[:, None], 1.0)  # k / steps, as in line_cells
    cells = np.rint(start[:, None, :] + delta[:, None, :] * t[:, :, None]).astype(np.int64).reshape(-1, 2)
    rows = (cells[:, 0:1] + pen.rows[None, :]).ravel()
    cols = (cells[:, 1:2] + pen.cols[None, :]).ravel()
    ink = np.broadcast_to(pen.ink[None, :], (len(cells), len(pen.ink))).ravel()
    inside = (rows >= 0) & (rows < height) & (cols >= 0) & (cols < width)
    np.maximum.at(image, rows[inside] * width + cols[inside], ink[inside])
    return image.reshape(height, width)


def mouse_drawing(skeleton: np.ndarray, pen: Footprint, scale: float, rng: np.random.Generator) -> np.ndarray:
    """The centre lines (H, W) drawn at ``scale`` times their size, at a random place on the grid.

    The place is drawn uniformly from the whole-pixel offsets that keep all the ink on the grid
    (the digit centred if it does not fit). Returns float32 (H, W) in [0, 1].
    """
    height, width = skeleton.shape
    moves = centre_line_moves(skeleton).astype(np.float64)
    points = moves.reshape(-1, 2)
    middle = (points.min(axis=0) + points.max(axis=0)) // 2  # a whole cell: at scale 1 a pure shift
    cells = np.rint((moves - middle) * scale).astype(np.int64)
    reach = int(pen.rows.max())
    low = reach - cells.reshape(-1, 2).min(axis=0)  # the smallest offset that keeps the ink on the grid
    high = np.array([height, width]) - 1 - reach - cells.reshape(-1, 2).max(axis=0)
    offset = [int(rng.integers(lo, hi + 1)) if hi >= lo else (lo + hi) // 2 for lo, hi in zip(low, high, strict=True)]
    return draw_moves(cells + np.array(offset), pen, (height, width))
