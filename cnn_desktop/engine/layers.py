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

    def output_shape(self, input_shape: Shape) -> Shape:
        _, h, w = input_shape
        p = self.padding
        return (
            self.out_channels,
            output_size(h, self.kernel, self.stride, p.top + p.bottom, self.dilation),
            output_size(w, self.kernel, self.stride, p.left + p.right, self.dilation),
        )

    def columns(self, x: np.ndarray) -> tuple[np.ndarray, tuple[int, int, int]]:
        """im2col: each image's receptive patches as columns (N, C*k*k, Ho*Wo), and (N, Ho, Wo).

        Built from one strided view whose last axes are the output positions, so the copy runs over
        contiguous-ish rows and ``weight @ cols`` lands directly in (N, out_channels, Ho*Wo) order.
        """
        xp = np.ascontiguousarray(self.padding.apply(x))
        n, c, h, w = xp.shape
        k, s, d = self.kernel, self.stride, self.dilation
        ho, wo = output_size(h, k, s, 0, d), output_size(w, k, s, 0, d)
        sn, sc, sh, sw = xp.strides
        patches = np.ndarray((n, c, k, k, ho, wo), xp.dtype, xp, 0, (sn, sc, sh * d, sw * d, sh * s, sw * s))
        return patches.reshape(n, c * k * k, ho * wo), (n, ho, wo)

    def forward(self, x: np.ndarray) -> tuple[np.ndarray, object]:
        weight, bias = self.params["weight"], self.params["bias"]
        cols, (n, ho, wo) = self.columns(x)
        out = np.matmul(weight.reshape(self.out_channels, -1), cols)
        out += bias[:, None]
        return out.reshape(n, self.out_channels, ho, wo), (x.shape, cols, ho, wo)

    def param_grads(self, dout: np.ndarray, cache: object) -> Params:
        """The weight and bias gradients alone: all a network's first layer needs (no input gradient)."""
        x_shape, cols, ho, wo = cache
        dmat = dout.reshape(x_shape[0], self.out_channels, ho * wo)
        return {
            "weight": np.matmul(dmat, cols.transpose(0, 2, 1)).sum(axis=0).reshape(self.params["weight"].shape),
            "bias": dmat.sum(axis=(0, 2)),
        }

    def backward(self, dout: np.ndarray, cache: object) -> tuple[np.ndarray, Params]:
        x_shape, _, ho, wo = cache
        weight = self.params["weight"]
        n, c, h, w = x_shape
        k, p = self.kernel, self.padding
        dmat = dout.reshape(n, self.out_channels, ho * wo)
        grads = self.param_grads(dout, cache)
        hp, wp = h + p.top + p.bottom, w + p.left + p.right
        if self.stride == 1:
            dxp = self._scatter_rows(dout, n, c, hp, wp)
        else:
            dcols = np.matmul(weight.reshape(self.out_channels, -1).T, dmat).reshape(n, c, k, k, ho, wo)
            dxp = scatter_windows(dcols.transpose(0, 1, 4, 5, 2, 3), (hp, wp), self.stride, self.dilation)
        return dxp[:, :, p.top : p.top + h, p.left : p.left + w], grads

    def _scatter_rows(self, dout: np.ndarray, n: int, c: int, hp: int, wp: int) -> np.ndarray:
        """Input gradient (N, C, Hp, Wp) of the padded input for stride 1, with long contiguous adds.

        ``dout`` is widened with zero columns to the padded width ``wp``: then, in the flattened
        padded image, tap (i, j) of all output positions is one run of Ho*Wp elements starting at
        ``i*d*wp + j*d``. The zero columns only ever add zeros, spilling at most (k-1)*d elements
        past the image, which the buffer has room for.
        """
        k, d, oc = self.kernel, self.dilation, self.out_channels
        ho, wo = dout.shape[2:]
        wide = np.zeros((n, oc, ho, wp), dout.dtype)
        wide[..., :wo] = dout
        weight = self.params["weight"].reshape(oc, -1)
        dcols = np.matmul(weight.T, wide.reshape(n, oc, ho * wp)).reshape(n * c, k * k, ho * wp)
        flat = np.zeros((n * c, hp * wp + (k - 1) * d), dcols.dtype)
        run = ho * wp
        for i in range(k):
            for j in range(k):
                start = i * d * wp + j * d
                flat[:, start : start + run] += dcols[:, i * k + j]
        return flat[:, : hp * wp].reshape(n, c, hp, wp)


class ReLU(Layer):
    kind = "relu"

    def forward(self, x: np.ndarray) -> tuple[np.ndarray, object]:
        out = np.maximum(x, np.float32(0))
        return out, out  # out > 0 exactly where x > 0; the mask is only built if backward runs

    def backward(self, dout: np.ndarray, cache: object) -> tuple[np.ndarray, Params]:
        return dout * (cache > 0), {}


class Pool2D(Layer):
    """Shared geometry of the pooling layers: a ``size`` x ``size`` window moved by ``stride``."""

    def __init__(self, size: int, stride: int | None = None) -> None:
        super().__init__()
        self.size = size
        self.stride = stride or size

    def output_shape(self, input_shape: Shape) -> Shape:
        c, h, w = input_shape
        return c, output_size(h, self.size, self.stride), output_size(w, self.size, self.stride)

    def windows(self, x: np.ndarray) -> np.ndarray:
        """(N, C, Ho, Wo, size*size): each output unit's window, flattened row by row."""
        win = window_view(x, self.size, self.stride)
        return win.reshape(*win.shape[:4], self.size * self.size)


class MaxPool2D(Pool2D):
    kind = "maxpool"

    def taps(self, x: np.ndarray, out_hw: tuple[int, int]):
        """Per window position (i, j), row by row: the (N, C, Ho, Wo) view of that tap of every window."""
        (ho, wo), k, s = out_hw, self.size, self.stride
        for i in range(k):
            for j in range(k):
                yield (slice(None), slice(None), slice(i, i + s * (ho - 1) + 1, s), slice(j, j + s * (wo - 1) + 1, s))

    def forward(self, x: np.ndarray) -> tuple[np.ndarray, object]:
        # the maximum of the k*k tap views, element-wise: no window array is ever materialised
        _, h, w = x.shape[1:]
        out_hw = output_size(h, self.size, self.stride), output_size(w, self.size, self.stride)
        out = None
        for tap in self.taps(x, out_hw):
            if out is None:
                out = x[tap].copy()
            else:
                np.maximum(out, x[tap], out=out)
        return out, (x, out)

    def backward(self, dout: np.ndarray, cache: object) -> tuple[np.ndarray, Params]:
        # each window's gradient goes to its first maximum in row-major order (like argmax)
        x, out = cache
        dx = np.zeros(x.shape, dout.dtype)
        pending = np.ones(out.shape, bool)
        hit = np.empty(out.shape, bool)
        apart = self.stride >= self.size  # windows do not overlap: each tap owns its pixels
        for tap in self.taps(x, out.shape[2:]):
            np.equal(x[tap], out, out=hit)
            hit &= pending
            pending ^= hit
            if apart:
                np.multiply(dout, hit, out=dx[tap])
            else:
                dx[tap] += dout * hit
        return dx, {}


class AvgPool2D(Pool2D):
    kind = "avgpool"

    def forward(self, x: np.ndarray) -> tuple[np.ndarray, object]:
        # float32 stays float32 (the app's dtype); float64 stays float64 (gradient checks)
        return self.windows(x).mean(axis=-1, dtype=np.result_type(x.dtype, np.float32)), x.shape

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

    def output_shape(self, input_shape: Shape) -> Shape:
        return (self.out_features,)

    def forward(self, x: np.ndarray) -> tuple[np.ndarray, object]:
        return x @ self.params["weight"].T + self.params["bias"], x

    def backward(self, dout: np.ndarray, cache: object) -> tuple[np.ndarray, Params]:
        grads = {"weight": dout.T @ cache, "bias": dout.sum(axis=0)}
        return dout @ self.params["weight"], grads
