"""Array kernels of the fast path, on maps stored batch-last: (C, H, W, N) float32.

With the batch as the last axis, a row of a map is one contiguous run of W*N floats, so the im2col
and col2im copies move long stretches, and a convolution is one matrix product over the whole batch
whose result is already the next map in the same layout.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

CHUNK = 640
"""Columns per block of the blocked products: OpenBLAS is slow on long thin shapes such as
8 x 43264 x 9, and a batch of ~600-column products keeps each block in cache."""


def to_batch_last(x: np.ndarray, out: np.ndarray) -> np.ndarray:
    """Copy ``x`` (N, ...) into ``out`` (..., N)."""
    np.copyto(out, x.transpose(*range(1, x.ndim), 0))
    return out


def from_batch_last(x: np.ndarray) -> np.ndarray:
    """A new (N, features) array from batch-last ``x`` (..., N)."""
    return np.ascontiguousarray(x.reshape(-1, x.shape[-1]).T)


def _blocks(matrix: np.ndarray, count: int) -> np.ndarray:
    """The first ``count * CHUNK`` columns of ``matrix`` (R, M) as a view (count, R, CHUNK)."""
    rows = matrix.shape[0]
    return matrix[:, : count * CHUNK].reshape(rows, count, CHUNK).transpose(1, 0, 2)


def matmul_blocked(a: np.ndarray, b: np.ndarray, out: np.ndarray) -> np.ndarray:
    """``out`` (P, M) = ``a`` (P, Q) @ ``b`` (Q, M), computed block of columns by block."""
    count = b.shape[1] // CHUNK
    if count > 1:
        np.matmul(a, _blocks(b, count), out=_blocks(out, count))
        done = count * CHUNK
        if done < b.shape[1]:
            np.matmul(a, b[:, done:], out=out[:, done:])
    else:
        np.matmul(a, b, out=out)
    return out


def matmul_nt_blocked(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """A new (P, Q) = ``a`` (P, M) @ ``b`` (Q, M).T, as a sum of per-block products."""
    count = a.shape[1] // CHUNK
    if count <= 1:
        return a @ b.T
    total = np.matmul(_blocks(a, count), _blocks(b, count).transpose(0, 2, 1)).sum(axis=0)
    done = count * CHUNK
    if done < a.shape[1]:
        total += a[:, done:] @ b[:, done:].T
    return total


def row_sums(matrix: np.ndarray) -> np.ndarray:
    """A new (R,) of the sums of each row of ``matrix`` (R, M): as a product with ones, 3x faster than ``sum``."""
    return matrix @ np.ones(matrix.shape[1], matrix.dtype)


def taps(size: int, stride: int, dilation: int, out_hw: tuple[int, int]) -> Iterator[tuple[slice, ...]]:
    """For each window position (i, j), row by row: the index of that tap of every window.

    Applied to a batch-last map (C, H, W, N) it gives the (C, Ho, Wo, N) view of the tap.
    """
    ho, wo = out_hw
    for i in range(size):
        for j in range(size):
            r, c = i * dilation, j * dilation
            yield (
                slice(None),
                slice(r, r + stride * (ho - 1) + 1, stride),
                slice(c, c + stride * (wo - 1) + 1, stride),
            )


def grouped_positions(
    x: np.ndarray, stride: int, pool: int, pool_stride: int, pooled_hw: tuple[int, int]
) -> np.ndarray:
    """The conv output positions of ``x`` (C, H, W, N), grouped by pooling window, as a view (C, P, P, Ho, Wo, N).

    Element ``[c, di, dj, y, x, n]`` is conv position ``(pool_stride*y + di, pool_stride*x + dj)``,
    a pixel ``stride`` times as far into ``x``. Ordering a convolution's columns this way makes each
    tap of every pooling window one contiguous slab, and never computes positions a pool drops.
    ``pool=1`` is the plain row-by-row order.
    """
    sc, sh, sw, sn = x.strides
    shape = (x.shape[0], pool, pool, *pooled_hw, x.shape[3])
    strides = (sc, sh * stride, sw * stride, sh * stride * pool_stride, sw * stride * pool_stride, sn)
    return np.lib.stride_tricks.as_strided(x, shape, strides)


def patches(x: np.ndarray, kernel: int, dilation: int, positions: tuple) -> np.ndarray:
    """im2col before the copy: for each kernel tap (i, j), ``grouped_positions(...)`` of ``x`` shifted by it.

    A read-only view (C, k, k, P, P, Ho, Wo, N); ``positions`` are ``grouped_positions``' last four arguments.
    """
    grouped = grouped_positions(x, *positions)
    sc, sh, sw, sn = x.strides
    shape = (grouped.shape[0], kernel, kernel, *grouped.shape[1:])
    strides = (sc, sh * dilation, sw * dilation, *grouped.strides[1:])
    return np.lib.stride_tricks.as_strided(x, shape, strides, writeable=False)


def max_pool(x: np.ndarray, out: np.ndarray, size: int, stride: int) -> np.ndarray:
    """``out`` (C, Ho, Wo, N) = the maximum of each window of ``x`` (C, H, W, N)."""
    for index, tap in enumerate(taps(size, stride, 1, out.shape[1:3])):
        if index == 0:
            np.copyto(out, x[tap])
        else:
            np.maximum(out, x[tap], out=out)
    return out


def max_pool_backward(
    dout: np.ndarray, x: np.ndarray, out: np.ndarray, dx: np.ndarray, size: int, stride: int, scratch: tuple
) -> np.ndarray:
    """Route each window's gradient to its first maximum in row-major order, as argmax (and PyTorch) do.

    ``dx`` must already hold zeros wherever no window reaches; ``scratch`` is two bool arrays of
    ``out``'s shape.
    """
    pending, hit = scratch
    pending.fill(True)
    apart = stride >= size  # windows do not overlap: each tap owns its pixels, so assign instead of add
    if not apart:
        dx.fill(0)
    for tap in taps(size, stride, 1, out.shape[1:3]):
        np.equal(x[tap], out, out=hit)
        hit &= pending
        pending ^= hit
        if apart:
            np.multiply(dout, hit, out=dx[tap])
        else:
            dx[tap] += dout * hit
    return dx
