"""The fast path's stages: one or more layers run on batch-last maps with buffers made once.

A stage is built for one batch size and owns every array it writes, so a training step allocates
nothing large (each fresh large array costs page faults). ``forward(x)`` returns the stage's
output buffer; ``backward(dout, need_dx)`` returns the input gradient (or None) and the parameter
gradients, keyed like the layer's params. A stage's buffers are overwritten by its next call, so
only the fast path itself ever sees them.
"""

from __future__ import annotations

import numpy as np

from . import batch_last as bl
from .layers import AvgPool2D, Conv2D, Dense, Layer, MaxPool2D, Shape, output_size

Grads = dict[str, np.ndarray]


class Stage:
    """Base: ``layer_index`` is the index of the layer whose parameters the stage holds (or None)."""

    layer_index: int | None = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def backward(self, dout: np.ndarray, need_dx: bool) -> tuple[np.ndarray | None, Grads]:
        raise NotImplementedError


class ConvStage(Stage):
    """A convolution, optionally followed by ReLU and then a max pool whose windows do not overlap.

    With such a pool, the conv output's columns are grouped by pooling window (see
    :func:`~.batch_last.grouped_positions`), the pool runs first on the conv output without its
    bias, then the bias and the ReLU run on the 4x smaller pooled map: adding a constant and ReLU
    are monotone, and float rounding of ``v + b`` is monotone in ``v``, so
    ``max(relu(v + b)) == relu(max(v) + b)`` bit for bit.
    """

    def __init__(self, index: int, conv: Conv2D, relu: bool, pool: MaxPool2D | None, in_shape: Shape, n: int) -> None:
        self.layer_index, self.conv, self.relu, self.pool = index, conv, relu, pool
        c, h, w = in_shape
        p = conv.padding
        self.inner = (slice(None), slice(p.top, p.top + h), slice(p.left, p.left + w))
        self.padded = (p.top, p.bottom, p.left, p.right) != (0, 0, 0, 0)
        hp, wp = h + p.top + p.bottom, w + p.left + p.right
        k, s, d = conv.kernel, conv.stride, conv.dilation
        conv_hw = output_size(hp, k, s, 0, d), output_size(wp, k, s, 0, d)
        size, step = (pool.size, pool.stride) if pool is not None else (1, 1)
        out_hw = output_size(conv_hw[0], size, step), output_size(conv_hw[1], size, step)
        self.positions = (s, size, step, out_hw)
        self.xp = np.zeros((c, hp, wp, n), np.float32)  # borders stay zero: only the inside is written
        self.cols = np.empty((c * k * k, size * size * out_hw[0] * out_hw[1] * n), np.float32)
        oc = conv.out_channels
        self.z = np.empty((oc, size * size, out_hw[0] * out_hw[1] * n), np.float32)  # one slab per pool tap
        self.dz = np.empty_like(self.z)
        self.pooled = self.z[:, 0] if size == 1 else np.empty_like(self.z[:, 0])  # before the bias
        self.out = np.empty((oc, *out_hw, n), np.float32)
        self.grouped_shape = (c, k, k, size, size, *out_hw, n)
        self.hit = np.empty(self.out.shape, bool)
        self.dpost, self.dpost_left = np.empty_like(self.out), np.empty_like(self.out)
        # the gradient of the conv output in row order, up to the last row and column a pool reads
        self.rows_shape = (oc, step * (out_hw[0] - 1) + size, step * (out_hw[1] - 1) + size, n)
        self.dz_rows = self.dcols = self.dxp = None  # made on first use: a first layer never needs them
        # the array that ``self.patches`` views: strided views are slow to make, so each is made once
        self.source: np.ndarray | None = None
        self.cols_grouped = self.cols.reshape(self.grouped_shape)
        self.out_rows = self.out.reshape(oc, -1)

    def forward(self, x: np.ndarray) -> np.ndarray:
        conv = self.conv
        weight, bias = conv.params["weight"], conv.params["bias"]
        xp = x
        if self.padded:
            xp = self.xp
            np.copyto(xp[self.inner], x)
        oc = conv.out_channels
        if xp is not self.source:
            self.source, self.patches = xp, bl.patches(xp, conv.kernel, conv.dilation, self.positions)
        np.copyto(self.cols_grouped, self.patches)
        bl.matmul_blocked(weight.reshape(oc, -1), self.cols, self.z.reshape(oc, -1))
        if self.z.shape[1] > 1:  # max pool: the maximum of contiguous slabs
            np.maximum.reduce(self.z, axis=1, out=self.pooled)
        out = np.add(self.pooled, bias[:, None], out=self.out_rows)
        if self.relu:
            np.maximum(out, np.float32(0), out=out)
        return self.out

    def backward(self, dout: np.ndarray, need_dx: bool) -> tuple[np.ndarray | None, Grads]:
        conv = self.conv
        oc = conv.out_channels
        hit = self.hit.reshape(oc, -1)
        dpost = dout.reshape(oc, -1)
        if self.relu:  # the output is positive exactly where the ReLU passed its input through
            np.greater(self.out.reshape(oc, -1), 0, out=hit)
            dpost = np.multiply(dpost, hit, out=self.dpost.reshape(oc, -1))
        bias_grad = bl.row_sums(dpost)
        if self.z.shape[1] == 1:
            np.copyto(self.dz[:, 0], dpost)
        else:  # each window's gradient goes to its first maximum in row-major order, as argmax's
            left = self.dpost_left.reshape(oc, -1)  # what no earlier tap took: all of it, or exactly 0
            for tap in range(self.z.shape[1]):
                np.equal(self.z[:, tap], self.pooled, out=hit)
                np.multiply(dpost if tap == 0 else left, hit, out=self.dz[:, tap])
                if tap + 1 < self.z.shape[1]:
                    np.subtract(dpost if tap == 0 else left, self.dz[:, tap], out=left)
        dz = self.dz.reshape(oc, -1)
        weight = conv.params["weight"]
        grads = {"weight": bl.matmul_nt_blocked(dz, self.cols).reshape(weight.shape), "bias": bias_grad}
        if not need_dx:
            return None, grads
        if self.dxp is None:
            self.dz_rows = np.zeros(self.rows_shape, np.float32)  # positions a pool skips stay zero
            self.dcols = np.empty((self.cols.shape[0], self.dz_rows[0].size), np.float32)
            self.dxp = np.zeros_like(self.xp)
            size, step, out_hw = self.positions[1:]
            self.dz_grouped = bl.grouped_positions(self.dz_rows, 1, size, step, out_hw)
        np.copyto(self.dz_grouped, self.dz.reshape(self.dz_grouped.shape))  # back to row order: col2im adds long rows
        bl.matmul_blocked(weight.reshape(oc, -1).T, self.dz_rows.reshape(oc, -1), self.dcols)
        k, d = conv.kernel, conv.dilation
        dcols = self.dcols.reshape(-1, k, k, *self.dz_rows.shape[1:])
        self.dxp.fill(0)
        for index, tap in enumerate(bl.taps(k, conv.stride, d, self.dz_rows.shape[1:3])):  # col2im: k*k adds
            self.dxp[tap] += dcols[:, index // k, index % k]
        return self.dxp[self.inner], grads


class ReLUStage(Stage):
    def __init__(self, in_shape: Shape, n: int) -> None:
        self.out = np.empty((*in_shape, n), np.float32)
        self.mask = np.empty(self.out.shape, bool)
        self.dx = np.empty_like(self.out)

    def forward(self, x: np.ndarray) -> np.ndarray:
        return np.maximum(x, np.float32(0), out=self.out)

    def backward(self, dout: np.ndarray, need_dx: bool) -> tuple[np.ndarray | None, Grads]:
        if not need_dx:
            return None, {}
        np.greater(self.out, 0, out=self.mask)
        return np.multiply(dout, self.mask, out=self.dx), {}


class MaxPoolStage(Stage):
    def __init__(self, pool: MaxPool2D, in_shape: Shape, n: int) -> None:
        self.pool = pool
        self.x: np.ndarray | None = None
        self.out = np.empty((*pool.output_shape(in_shape), n), np.float32)
        self.scratch = (np.empty(self.out.shape, bool), np.empty(self.out.shape, bool))
        self.dx = np.zeros((*in_shape, n), np.float32)

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.x = x  # the previous stage's buffer, untouched until the next forward
        return bl.max_pool(x, self.out, self.pool.size, self.pool.stride)

    def backward(self, dout: np.ndarray, need_dx: bool) -> tuple[np.ndarray | None, Grads]:
        if not need_dx:
            return None, {}
        p = self.pool
        return bl.max_pool_backward(dout, self.x, self.out, self.dx, p.size, p.stride, self.scratch), {}


class AvgPoolStage(Stage):
    def __init__(self, pool: AvgPool2D, in_shape: Shape, n: int) -> None:
        self.pool = pool
        self.out = np.empty((*pool.output_shape(in_shape), n), np.float32)
        self.dx = np.zeros((*in_shape, n), np.float32)
        self.share = np.empty_like(self.out)

    def forward(self, x: np.ndarray) -> np.ndarray:
        p = self.pool
        for index, tap in enumerate(bl.taps(p.size, p.stride, 1, self.out.shape[1:3])):
            if index == 0:
                np.copyto(self.out, x[tap])
            else:
                self.out += x[tap]
        self.out *= np.float32(1 / (p.size * p.size))
        return self.out

    def backward(self, dout: np.ndarray, need_dx: bool) -> tuple[np.ndarray | None, Grads]:
        if not need_dx:
            return None, {}
        p = self.pool
        np.divide(dout, np.float32(p.size * p.size), out=self.share)
        apart = p.stride >= p.size
        if not apart:
            self.dx.fill(0)
        for tap in bl.taps(p.size, p.stride, 1, self.out.shape[1:3]):
            if apart:
                np.copyto(self.dx[tap], self.share)
            else:
                self.dx[tap] += self.share
        return self.dx, {}


class FlattenStage(Stage):
    """Batch-last (C, H, W, N) is already (C*H*W, N): features in C, H, W order, as Flatten's."""

    def __init__(self, in_shape: Shape, n: int) -> None:
        self.in_shape = (*in_shape, n)

    def forward(self, x: np.ndarray) -> np.ndarray:
        return x.reshape(-1, x.shape[-1])

    def backward(self, dout: np.ndarray, need_dx: bool) -> tuple[np.ndarray | None, Grads]:
        return (dout.reshape(self.in_shape) if need_dx else None), {}


class DenseStage(Stage):
    """``out (F_out, N) = weight @ x + bias``: the batch-last form of ``x @ weight.T + bias``."""

    def __init__(self, index: int, dense: Dense, n: int) -> None:
        self.layer_index, self.dense = index, dense
        self.x: np.ndarray | None = None
        self.out = np.empty((dense.out_features, n), np.float32)
        self.dx = np.empty((dense.in_features, n), np.float32)

    def forward(self, x: np.ndarray) -> np.ndarray:
        self.x = x
        np.matmul(self.dense.params["weight"], x, out=self.out)
        self.out += self.dense.params["bias"][:, None]
        return self.out

    def backward(self, dout: np.ndarray, need_dx: bool) -> tuple[np.ndarray | None, Grads]:
        weight = self.dense.params["weight"]
        grads = {"weight": dout @ self.x.T, "bias": bl.row_sums(dout)}
        if not need_dx:
            return None, grads
        return np.matmul(weight.T, dout, out=self.dx), grads


def build_stages(layers: list[Layer], input_shape: Shape, shapes: list[Shape], n: int) -> list[Stage]:
    """The stages of a network for batch size ``n``: conv, then ReLU, then max pool fused; others one by one."""
    stages: list[Stage] = []
    index = 0
    while index < len(layers):
        layer = layers[index]
        in_shape = input_shape if index == 0 else shapes[index - 1]
        if isinstance(layer, Conv2D):
            start = index
            relu = index + 1 < len(layers) and layers[index + 1].kind == "relu"
            index += 1 + relu
            pool = layers[index] if index < len(layers) and isinstance(layers[index], MaxPool2D) else None
            if pool is not None and pool.stride < pool.size:  # overlapping windows: a stage of their own
                pool = None
            index += pool is not None
            stages.append(ConvStage(start, layer, relu, pool, in_shape, n))
            continue
        if isinstance(layer, Dense):
            stages.append(DenseStage(index, layer, n))
        elif isinstance(layer, MaxPool2D):
            stages.append(MaxPoolStage(layer, in_shape, n))
        elif isinstance(layer, AvgPool2D):
            stages.append(AvgPoolStage(layer, in_shape, n))
        elif layer.kind == "relu":
            stages.append(ReLUStage(in_shape, n))
        elif layer.kind == "flatten":
            stages.append(FlattenStage(in_shape, n))
        else:
            raise ValueError(f"no fast stage for layer type {layer.kind!r}")
        index += 1
    return stages
