"""The grid transforms of the pixel editor and the training shifts: resize, crop, shift, invert.

Qt-free NumPy on float32 grids (H, W) in [0, 1] (0 background, 1 ink); :func:`shift_images` moves
a whole batch (N, C, H, W), each image by its own offset, and :func:`shift_image` is its one-image
case. Pixels that enter from outside are background (0).
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

__all__ = ["crop_or_pad", "grid_shape", "invert_image", "resample", "shift_image", "shift_images"]


def grid_shape(size: int | tuple[int, int]) -> tuple[int, int]:
    """(H, W) of a grid given as N (square) or (H, W); raises ValueError below 1x1."""
    height, width = (size, size) if isinstance(size, (int, np.integer)) else size
    if height < 1 or width < 1:
        raise ValueError(f"a grid needs at least one row and column, got {height}x{width}")
    return int(height), int(width)


def _overlap_weights(n_out: int, n_in: int) -> np.ndarray:
    """(n_out, n_in) matrix: how much of input cell j lies under output cell i, rows sum to 1."""
    edges_out = np.arange(n_out + 1) * (n_in / n_out)
    low = np.maximum(edges_out[:-1, None], np.arange(n_in)[None, :])
    high = np.minimum(edges_out[1:, None], np.arange(1, n_in + 1)[None, :])
    weights = np.clip(high - low, 0.0, None)
    return weights / weights.sum(axis=1, keepdims=True)


def resample(image: np.ndarray, shape: tuple[int, int], smooth: bool = True) -> np.ndarray:
    """``image`` (H, W) resized to ``shape``: area averaging (``smooth``) or nearest pixel.

    Area averaging keeps thin strokes visible when shrinking and copies pixels exactly when
    growing by a whole factor (7x7 -> 28x28 gives 4x4 blocks).
    """
    image = np.asarray(image, np.float32)
    height, width = grid_shape(shape)
    if image.shape == (height, width):
        return image.copy()
    if not smooth:
        rows = np.minimum((np.arange(height) + 0.5) * image.shape[0] / height, image.shape[0] - 1).astype(int)
        cols = np.minimum((np.arange(width) + 0.5) * image.shape[1] / width, image.shape[1] - 1).astype(int)
        return image[rows[:, None], cols[None, :]].copy()
    along_rows = _overlap_weights(height, image.shape[0]).astype(np.float32)
    along_cols = _overlap_weights(width, image.shape[1]).astype(np.float32)
    return (along_rows @ image @ along_cols.T).astype(np.float32)


def crop_or_pad(image: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """``image`` centred in a grid of ``shape``: cut at the edges or surrounded by zeros."""
    image = np.asarray(image, np.float32)
    height, width = grid_shape(shape)
    out = np.zeros((height, width), np.float32)
    src_top, dst_top = max(0, (image.shape[0] - height) // 2), max(0, (height - image.shape[0]) // 2)
    src_left, dst_left = max(0, (image.shape[1] - width) // 2), max(0, (width - image.shape[1]) // 2)
    rows, cols = min(height, image.shape[0]), min(width, image.shape[1])
    out[dst_top : dst_top + rows, dst_left : dst_left + cols] = image[
        src_top : src_top + rows, src_left : src_left + cols
    ]
    return out


def shift_image(image: np.ndarray, down: int, right: int) -> np.ndarray:
    """``image`` (H, W) moved ``down`` rows and ``right`` columns (negative: up/left); zeros enter."""
    image = np.asarray(image, np.float32)
    return shift_images(image[None, None], np.array([(down, right)]))[0, 0]


def shift_images(images: np.ndarray, shifts: np.ndarray) -> np.ndarray:
    """Each image of ``images`` (N, C, H, W) moved by its own ``shifts[i] = (dy, dx)`` pixels.

    Positive ``dy`` moves the content down, positive ``dx`` right; pixels moved in from outside
    are 0 (background). Vectorised: one padded copy and one gather, no loop over images.
    """
    images = np.asarray(images)
    shifts = np.asarray(shifts, dtype=np.int64).reshape(-1, 2)
    n, _, h, w = images.shape
    if shifts.shape[0] != n:
        raise ValueError(f"need one (dy, dx) shift per image: {n} images, {shifts.shape[0]} shifts")
    if n == 0:
        return images.copy()
    reach = int(np.abs(shifts).max())
    if reach == 0:
        return images.copy()
    padded = np.pad(images, ((0, 0), (0, 0), (reach, reach), (reach, reach)))
    # windows[i, c, oy, ox] is the h x w crop starting at (oy, ox) of the padded image: content
    # shifted by (reach - oy, reach - ox).
    windows = sliding_window_view(padded, (h, w), axis=(2, 3))
    rows = np.arange(n)
    crops = windows[rows, :, reach - shifts[:, 0], reach - shifts[:, 1]]
    return np.ascontiguousarray(crops)


def invert_image(image: np.ndarray) -> np.ndarray:
    """1 - v for every pixel: ink becomes background and back."""
    return (1.0 - np.asarray(image, np.float32)).astype(np.float32)
