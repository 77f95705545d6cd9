"""The layers of a CNN, each a forward/backward pair on NCHW float32 batches.

Every layer is one idea: ``forward(x) -> (out, cache)`` and ``backward(dout, cache) -> (dx, grads)``.
The cache holds what the backward pass needs, so each pair can be gradient-checked on its own.
Convolution is the deep-learning one (cross-correlation, kernel not flipped), as in the lecture.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

Shape = tuple[int, ...]
Params = dict[str, np.ndarray]


@dataclass(frozen=True)
class Padding:
    """Zero padding on each side, in pixels: (top, bottom, left, right)."""

    top: int = 0
    bottom: int = 0
    left: int = 0
    right: int = 0

    def apply(self, x: np.ndarray) -> np.ndarray:
        """``x`` (N, C, H, W) with zeros added around its last two axes."""
        if self.top == self.bottom == self.left == self.right == 0:
            return x
        return np.pad(x, ((0, 0), (0, 0), (self.top, self.bottom), (self.left, self.right)))


def window_view(x: np.ndarray, size: int, stride: int, dilation: int = 1) -> np.ndarray:
    """All ``size`` x ``size`` windows of ``x`` (N, C, H, W) as a view (N, C, Ho, Wo, size, size).

    ``dilation`` spaces the window's taps apart; ``stride`` is the step between windows.
    """
    span = dilation * (size - 1) + 1
    windows = sliding_window_view(x, (span, span), axis=(2, 3))
    return windows[:, :, ::stride, ::stride, ::dilation, ::dilation]


def output_size(size: int, kernel: int, stride: int, pad_total: int = 0, dilation: int = 1) -> int:
    """Length of one output axis; zero or less means the layer leaves nothing."""
    span = dilation * (kernel - 1) + 1
    return (size + pad_total - span) // stride + 1


def scatter_windows(dwin: np.ndarray, in_hw: tuple[int, int], stride: int, dilation: int = 1) -> np.ndarray:
    """Adjoint of :func:`window_view`: sum window gradients (N, C, Ho, Wo, k, k) into (N, C, H, W).

    Loops over the k*k kernel taps only (at most 49), never over pixels.
    """
    n, c, ho, wo, k, _ = dwin.shape
    dx = np.zeros((n, c, *in_hw), dtype=dwin.dtype)
    for i in range(k):
        for j in range(k):
            r0, c0 = i * dilation, j * dilation
            dx[:, :, r0 : r0 + stride * (ho - 1) + 1 : stride, c0 : c0 + stride * (wo - 1) + 1 : stride] += dwin[
                :, :, :, :, i, j
            ]
    return dx


class Layer:
    """Base class: a layer maps an input shape (C, H, W) or (F,) to an output shape."""

    kind = "layer"
    params: Params

    def __init__(self) -> None:
        self.params = {}

    def output_shape(self, input_shape: Shape) -> Shape:
        return input_shape

    def forward(self, x: np.ndarray) -> tuple[np.ndarray, object]:
        raise NotImplementedError

    def backward(self, dout: np.ndarray, cache: object) -> tuple[np.ndarray, Params]:
        raise NotImplementedError

    def label(self) -> str:
        """Short human name, e.g. ``conv 3x3`` or ``maxpool 2x2``."""
        return self.kind


class Conv2D(Layer):
    """2-D convolution: ``out_channels`` kernels of shape (in_channels, k, k) plus one bias each."""

    kind = "conv"

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel: int,
        stride: int = 1,
        padding: Padding = Padding(),
        dilation: int = 1,
    ) -> None:
        super().__init__()
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel, self.stride, self.padding, self.dilation = kernel, stride, padding, dilation
        self.params = {
            "weight": np.zeros((out_channels, in_channels, kernel, kernel), np.float32),
            "bias": np.zeros(out_channels, np.float32),
        }

    def label(self) -> str:
        return f"conv {self.kernel}x{self.kernel}"

    def output_shape(self, input_shape: Shape) -> Shape:
        _, h, w = input_shape
        p = self.padding
        return (
            self.out_channels,
            output_size(h, self.kernel, self.stride, p.top + p.bottom, self.dilation),
            output_size(w, self.kernel, self.stride, p.left + p.right, self.dilation),
        )

    def columns(self, x: np.ndarray) -> tuple[np.ndarray, tuple[int, int, int]]:
        """im2col: every receptive patch as a row (N*Ho*Wo, C*k*k), and (N, Ho, Wo)."""
        windows = window_view(self.padding.apply(x), self.kernel, self.stride, self.dilation)
        n, c, ho, wo, k, _ = windows.shape
        cols = windows.transpose(0, 2, 3, 1, 4, 5).reshape(n * ho * wo, c * k * k)
        return cols, (n, ho, wo)

    def forward(self, x: np.ndarray) -> tuple[np.ndarray, object]:
        weight, bias = self.params["weight"], self.params["bias"]
        cols, (n, ho, wo) = self.columns(x)
        out = cols @ weight.reshape(self.out_channels, -1).T + bias
        out = out.reshape(n, ho, wo, self.out_channels).transpose(0, 3, 1, 2)
        return np.ascontiguousarray(out), (x.shape, cols, ho, wo)

    def backward(self, dout: np.ndarray, cache: object) -> tuple[np.ndarray, Params]:
        x_shape, cols, ho, wo = cache
        weight = self.params["weight"]
        n, c, h, w = x_shape
        k, p = self.kernel, self.padding
        dmat = dout.transpose(0, 2, 3, 1).reshape(-1, self.out_channels)
        grads = {
            "weight": (dmat.T @ cols).reshape(weight.shape),
            "bias": dmat.sum(axis=0),
        }
        dcols = (dmat @ weight.reshape(self.out_channels, -1)).reshape(n, ho, wo, c, k, k)
        padded_hw = (h + p.top + p.bottom, w + p.left + p.right)
        dxp = scatter_windows(dcols.transpose(0, 3, 1, 2, 4, 5), padded_hw, self.stride, self.dilation)
        return dxp[:, :, p.top : p.top + h, p.left : p.left + w], grads


class ReLU(Layer):
    kind = "relu"

    def forward(self, x: np.ndarray) -> tuple[np.ndarray, object]:
        return np.maximum(x, np.float32(0)), x > 0

    def backward(self, dout: np.ndarray, cache: object) -> tuple[np.ndarray, Params]:
        return dout * cache, {}


class Pool2D(Layer):
    """Shared geometry of the pooling layers: a ``size`` x ``size`` window moved by ``stride``."""

    def __init__(self, size: int, stride: int | None = None) -> None:
        super().__init__()
        self.size = size
        self.stride = stride or size

    def label(self) -> str:
        return f"{self.kind} {self.size}x{self.size}"

    def output_shape(self, input_shape: Shape) -> Shape:
        c, h, w = input_shape
        return c, output_size(h, self.size, self.stride), output_size(w, self.size, self.stride)

    def windows(self, x: np.ndarray) -> np.ndarray:
        """(N, C, Ho, Wo, size*size): each output unit's window, flattened row by row."""
        win = window_view(x, self.size, self.stride)
        return win.reshape(*win.shape[:4], self.size * self.size)


class MaxPool2D(Pool2D):
    kind = "maxpool"

    def forward(self, x: np.ndarray) -> tuple[np.ndarray, object]:
        win = self.windows(x)
        winner = win.argmax(axis=-1)
        out = np.take_along_axis(win, winner[..., None], axis=-1)[..., 0]
        return out, (x.shape, winner)

    def backward(self, dout: np.ndarray, cache: object) -> tuple[np.ndarray, Params]:
        x_shape, winner = cache
        k = self.size
        onehot = winner[..., None] == np.arange(k * k)
        dwin = (onehot * dout[..., None]).astype(dout.dtype).reshape(*dout.shape, k, k)
        return scatter_windows(dwin, x_shape[2:], self.stride), {}


class AvgPool2D(Pool2D):
    kind = "avgpool"

    def forward(self, x: np.ndarray) -> tuple[np.ndarray, object]:
        return self.windows(x).mean(axis=-1, dtype=np.float32), x.shape

    def backward(self, dout: np.ndarray, cache: object) -> tuple[np.ndarray, Params]:
        k = self.size
        share = (dout / np.float32(k * k))[..., None, None]
        dwin = np.broadcast_to(share, (*dout.shape, k, k))
        return scatter_windows(dwin, cache[2:], self.stride), {}


class Flatten(Layer):
    """(N, C, H, W) -> (N, C*H*W), in C, H, W order."""

    kind = "flatten"

    def output_shape(self, input_shape: Shape) -> Shape:
        return (int(np.prod(input_shape)),)

    def forward(self, x: np.ndarray) -> tuple[np.ndarray, object]:
        return x.reshape(x.shape[0], -1), x.shape

    def backward(self, dout: np.ndarray, cache: object) -> tuple[np.ndarray, Params]:
        return dout.reshape(cache), {}


class Dense(Layer):
    """Fully connected: ``x @ weight.T + bias`` with weight (out_features, in_features)."""

    kind = "dense"

    def __init__(self, in_features: int, out_features: int) -> None:
        super().__init__()
        self.in_features, self.out_features = in_features, out_features
        self.params = {
            "weight": np.zeros((out_features, in_features), np.float32),
            "bias": np.zeros(out_features, np.float32),
        }

    def label(self) -> str:
        return f"dense {self.out_features}"

    def output_shape(self, input_shape: Shape) -> Shape:
        return (self.out_features,)

    def forward(self, x: np.ndarray) -> tuple[np.ndarray, object]:
        return x @ self.params["weight"].T + self.params["bias"], x

    def backward(self, dout: np.ndarray, cache: object) -> tuple[np.ndarray, Params]:
        grads = {"weight": dout.T @ cache, "bias": dout.sum(axis=0)}
        return dout @ self.params["weight"], grads
