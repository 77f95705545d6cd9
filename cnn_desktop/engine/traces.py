"""The arithmetic behind one output unit, laid out as the lecture does it ("take dot product!").

A conv trace holds the input patch per channel (padding as explicit zeros), the kernel, their
element-wise products, the per-channel sums, the bias and the result. A pool trace holds the window,
which positions won (max) or the mean (avg). Views show these numbers; they never recompute them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .layers import Conv2D, MaxPool2D, Pool2D
from .unit import Unit

if TYPE_CHECKING:
    from .network import Network


@dataclass(frozen=True)
class ConvTrace:
    """One conv output unit. Arrays are (C_in, k, k) unless noted."""

    unit: Unit
    rows: np.ndarray  # (k,) input row of each kernel row; outside 0..H-1 means padding
    cols: np.ndarray  # (k,) input column of each kernel column
    in_padding: np.ndarray  # (k, k) bool: the tap falls in the zero padding
    patch: np.ndarray
    kernel: np.ndarray
    products: np.ndarray
    channel_sums: np.ndarray  # (C_in,)
    total: float  # sum over channels, before the bias
    bias: float
    result: float  # total + bias: the unit's value


@dataclass(frozen=True)
class PoolTrace:
    """One pooling output unit: its window in one channel and how it was reduced."""

    unit: Unit
    kind: str  # "maxpool" or "avgpool"
    rows: np.ndarray  # (k,)
    cols: np.ndarray  # (k,)
    window: np.ndarray  # (k, k)
    winners: np.ndarray  # (k, k) bool: positions equal to the max (all False for avgpool)
    result: float


def trace_unit(net: Network, layer_input: np.ndarray, unit: Unit) -> ConvTrace | PoolTrace:
    """The trace of ``unit`` (of a conv or pool layer's output), given that layer's input (C, H, W)."""
    layer, channel, y, x = unit.layer, unit.channel, unit.y, unit.x
    if not 0 <= layer < len(net.layers):
        raise IndexError(f"stage {unit.stage} is not the output of a layer")
    current = net.layers[layer]
    c_in, height, width = layer_input.shape
    out_c, out_h, out_w = net.shapes[layer]
    if not (0 <= channel < out_c and 0 <= y < out_h and 0 <= x < out_w):
        raise IndexError(
            f"unit ({channel}, {y}, {x}) is outside the {out_c}x{out_h}x{out_w} output of {net.label(layer)}"
        )
    if isinstance(current, Conv2D):
        k, d, s, p = current.kernel, current.dilation, current.stride, current.padding
        rows = y * s - p.top + d * np.arange(k)
        cols = x * s - p.left + d * np.arange(k)
        inside_r = (rows >= 0) & (rows < height)
        inside_c = (cols >= 0) & (cols < width)
        patch = np.zeros((c_in, k, k), np.float32)
        patch[:, inside_r[:, None] & inside_c[None, :]] = layer_input[:, rows[inside_r]][:, :, cols[inside_c]].reshape(
            c_in, -1
        )
        kernel = current.params["weight"][channel].copy()
        products = patch * kernel + np.float32(0)  # + 0 turns -0 into 0 for display
        channel_sums = products.reshape(c_in, -1).sum(axis=1, dtype=np.float64)
        total = float(channel_sums.sum())
        bias = float(current.params["bias"][channel])
        return ConvTrace(
            unit,
            rows,
            cols,
            ~(inside_r[:, None] & inside_c[None, :]),
            patch,
            kernel,
            products,
            channel_sums.astype(np.float32),
            total,
            bias,
            float(np.float32(total + bias)),
        )
    if isinstance(current, Pool2D):
        k, s = current.size, current.stride
        rows, cols = y * s + np.arange(k), x * s + np.arange(k)
        window = layer_input[channel, rows][:, cols].copy()
        if isinstance(current, MaxPool2D):
            result = float(window.max())
            winners = window == result
        else:
            result = float(window.mean(dtype=np.float32))
            winners = np.zeros_like(window, dtype=bool)
        return PoolTrace(unit, current.kind, rows, cols, window, winners, result)
    raise ValueError(f"{net.label(layer)} has no dot product or window to trace")
