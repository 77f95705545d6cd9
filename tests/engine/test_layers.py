"""Every layer's backward checked against finite differences, conv checked against a slow loop reference,
the loss checked for gradient and stability, and a whole network's ``loss_and_grads`` checked end to end."""

from __future__ import annotations

import numpy as np
import pytest

from cnn_desktop.engine import (
    AvgPool2D,
    Conv2D,
    Dense,
    Flatten,
    MaxPool2D,
    Network,
    Padding,
    ReLU,
    Unit,
    softmax,
    softmax_cross_entropy,
)
from cnn_desktop.engine.spec import conv_padding

from .helpers import check_gradients, check_layer, separated_values


def make_conv(cin: int, cout: int, kernel: int, stride: int, padding: int | str, dilation: int, seed: int) -> Conv2D:
    """A conv layer with random (nonzero) float32 weights and biases; padding as in a spec entry."""
    pad = conv_padding({"kernel": kernel, "dilation": dilation, "padding": padding})
    layer = Conv2D(cin, cout, kernel, stride, pad, dilation)
    rng = np.random.default_rng(seed)
    layer.params["weight"][...] = rng.standard_normal(layer.params["weight"].shape)
    layer.params["bias"][...] = rng.standard_normal(cout)
    return layer


def reference_conv(x: np.ndarray, weight: np.ndarray, bias: np.ndarray, stride: int, pad: Padding, dilation: int):
    """Cross-correlation written out tap by tap; taps outside the image read zero padding."""
    n, cin, h, w = x.shape
    cout, _, k, _ = weight.shape
    span = dilation * (k - 1) + 1
    ho = (h + pad.top + pad.bottom - span) // stride + 1
    wo = (w + pad.left + pad.right - span) // stride + 1
    out = np.zeros((n, cout, ho, wo), dtype=np.float64)
    for o in range(cout):
        for i in range(ho):
            for j in range(wo):
                total = np.full(n, float(bias[o]))
                for ki in range(k):
                    for kj in range(k):
                        row = i * stride - pad.top + ki * dilation
                        col = j * stride - pad.left + kj * dilation
                        if 0 <= row < h and 0 <= col < w:
                            for c in range(cin):
                                total += x[:, c, row, col].astype(np.float64) * float(weight[o, c, ki, kj])
                out[:, o, i, j] = total
    return out


# (batch, in channels, out channels, height, width, kernel, stride, padding, dilation)
CONV_CASES = [
    (2, 1, 1, 5, 5, 1, 1, 0, 1),
    (2, 2, 3, 6, 6, 2, 1, 0, 1),
    (1, 3, 2, 7, 7, 3, 1, 1, 1),
    (2, 2, 3, 8, 7, 3, 2, 1, 1),
    (1, 2, 2, 9, 9, 3, 3, 2, 1),
    (1, 2, 2, 8, 8, 4, 1, "same", 1),
    (1, 1, 2, 7, 6, 2, 1, "same", 1),
    (1, 2, 1, 8, 8, 6, 1, "same", 1),
    (1, 2, 2, 9, 9, 3, 1, "same", 2),
    (1, 1, 2, 8, 8, 4, 1, "same", 2),
    (1, 2, 2, 10, 10, 3, 2, 1, 2),
    (1, 1, 2, 9, 9, 5, 1, 2, 1),
    (1, 1, 2, 9, 9, 7, 2, 0, 1),
    (1, 1, 1, 12, 12, 7, 1, 1, 2),
    (1, 3, 2, 7, 8, 3, 3, 0, 2),
    (1, 2, 2, 5, 5, 5, 1, "same", 1),
    (1, 1, 1, 4, 4, 3, 1, "valid", 1),
]


def _conv_id(case) -> str:
    n, cin, cout, h, w, k, s, p, d = case
    return f"{cin}to{cout}-{h}x{w}-k{k}-s{s}-p{p}-d{d}"


@pytest.mark.parametrize("case", CONV_CASES, ids=_conv_id)
def test_conv_gradients(case) -> None:
    n, cin, cout, h, w, k, s, p, d = case
    layer = make_conv(cin, cout, k, s, p, d, seed=k * 10 + s)
    x = np.random.default_rng(1).standard_normal((n, cin, h, w))
    check_layer(layer, x, seed=k)


@pytest.mark.parametrize("case", CONV_CASES, ids=_conv_id)
def test_conv_forward_matches_loop_reference(case) -> None:
    n, cin, cout, h, w, k, s, p, d = case
    layer = make_conv(cin, cout, k, s, p, d, seed=3)
    x = np.random.default_rng(2).standard_normal((n, cin, h, w)).astype(np.float32)
    out, _ = layer.forward(x)
    expected = reference_conv(x, layer.params["weight"], layer.params["bias"], s, layer.padding, d)
    assert out.dtype == np.float32
    assert out.shape == expected.shape == (n, *layer.output_shape((cin, h, w)))
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-5)
    if p == "same":
        assert out.shape[2:] == (h, w)


def test_conv_is_cross_correlation_not_convolution() -> None:
    """An asymmetric kernel is applied as written (not flipped): the output reads x[i + a, j + b] * w[a, b]."""
    layer = Conv2D(1, 1, 2)
    layer.params["weight"][...] = [[[[1, 10], [100, 1000]]]]
    x = np.arange(9, dtype=np.float32).reshape(1, 1, 3, 3)
    out, _ = layer.forward(x)
    # top-left window [[0, 1], [3, 4]]: 0*1 + 1*10 + 3*100 + 4*1000
    assert out[0, 0, 0, 0] == 4310
    np.testing.assert_array_equal(out[0, 0], [[4310, 5421], [7643, 8754]])


def test_same_padding_puts_the_odd_pixel_bottom_right() -> None:
    assert conv_padding({"kernel": 4, "dilation": 1, "padding": "same"}) == Padding(1, 2, 1, 2)
    assert conv_padding({"kernel": 2, "dilation": 1, "padding": "same"}) == Padding(0, 1, 0, 1)
    assert conv_padding({"kernel": 3, "dilation": 2, "padding": "same"}) == Padding(2, 2, 2, 2)
    # a 2x2 kernel of ones under 'same': the last row and column sum zero padding
    layer = Conv2D(1, 1, 2, padding=Padding(0, 1, 0, 1))
    layer.params["weight"][...] = 1
    x = np.ones((1, 1, 3, 3), np.float32)
    out, _ = layer.forward(x)
    np.testing.assert_array_equal(out[0, 0], [[4, 4, 2], [4, 4, 2], [2, 2, 1]])


def test_relu_gradient() -> None:
    rng = np.random.default_rng(4)
    # values as close as 5e-5 to the kink (50 finite-difference steps): a backward that masks by
    # anything but x > 0 fails
    check_layer(ReLU(), separated_values((2, 3, 4, 5), rng, gap=1e-4))
    check_layer(ReLU(), separated_values((3, 7), rng))


def test_relu_values() -> None:
    out, _ = ReLU().forward(np.array([[-2.0, -0.0, 0.0, 3.5]], np.float32))
    np.testing.assert_array_equal(out, [[0, 0, 0, 3.5]])
    assert out.dtype == np.float32


# (batch, channels, height, width, size, stride): tiling, overlapping (stride < size), gaps
# (stride > size) and sizes that leave pixels over at the bottom/right
POOL_CASES = [
    (2, 2, 6, 6, 2, 2),
    (1, 2, 7, 7, 2, 2),
    (1, 2, 7, 7, 3, 2),
    (1, 1, 7, 5, 2, 1),
    (1, 2, 8, 8, 3, 3),
    (1, 1, 5, 5, 1, 1),
    (1, 1, 9, 9, 4, 3),
    (1, 1, 9, 8, 2, 3),
    (2, 1, 6, 6, 6, 1),
    (1, 2, 8, 7, 5, 1),
]


def _pool_id(case) -> str:
    n, c, h, w, size, stride = case
    return f"{h}x{w}-size{size}-stride{stride}"


@pytest.mark.parametrize("case", POOL_CASES, ids=_pool_id)
def test_maxpool_gradient(case) -> None:
    n, c, h, w, size, stride = case
    x = separated_values((n, c, h, w), np.random.default_rng(size + 10 * stride))
    check_layer(MaxPool2D(size, stride), x)


@pytest.mark.parametrize("case", POOL_CASES, ids=_pool_id)
def test_avgpool_gradient(case) -> None:
    n, c, h, w, size, stride = case
    x = np.random.default_rng(size + 10 * stride).standard_normal((n, c, h, w))
    check_layer(AvgPool2D(size, stride), x)


@pytest.mark.parametrize("case", POOL_CASES, ids=_pool_id)
def test_pool_forward_matches_loop_reference(case) -> None:
    n, c, h, w, size, stride = case
    x = np.random.default_rng(7).standard_normal((n, c, h, w)).astype(np.float32)
    ho, wo = (h - size) // stride + 1, (w - size) // stride + 1
    max_ref = np.zeros((n, c, ho, wo), np.float32)
    avg_ref = np.zeros((n, c, ho, wo), np.float64)
    for i in range(ho):
        for j in range(wo):
            window = x[:, :, i * stride : i * stride + size, j * stride : j * stride + size]
            max_ref[:, :, i, j] = window.max(axis=(2, 3))
            avg_ref[:, :, i, j] = window.astype(np.float64).mean(axis=(2, 3))
    max_out, _ = MaxPool2D(size, stride).forward(x)
    avg_out, _ = AvgPool2D(size, stride).forward(x)
    np.testing.assert_array_equal(max_out, max_ref)
    np.testing.assert_allclose(avg_out, avg_ref, rtol=1e-5, atol=1e-6)
    assert max_out.dtype == avg_out.dtype == np.float32


def test_maxpool_ties_send_the_gradient_to_the_first_maximum_only() -> None:
    """A window of equal maxima (common after ReLU: all zeros) passes its gradient on once, not per tie."""
    x = np.zeros((1, 1, 4, 6), np.float32)
    x[0, 0, :2, 2:4] = [[1, 5], [5, 5]]  # three tied 5s: the first in row-major order wins
    for size, stride in [(2, 2), (2, 1), (3, 2)]:
        layer = MaxPool2D(size, stride)
        out, cache = layer.forward(x)
        dout = np.arange(1, out.size + 1, dtype=np.float32).reshape(out.shape)
        dx, _ = layer.backward(dout, cache)
        assert dx.sum() == dout.sum()  # every window hands on exactly its own gradient
        for i, j in np.ndindex(*out.shape[2:]):
            window = x[0, 0, i * stride : i * stride + size, j * stride : j * stride + size]
            first = np.unravel_index(np.argmax(window), window.shape)
            assert out[0, 0, i, j] == window.max()
            # the window's gradient lands on its first maximum (other windows may add to the same pixel)
            assert dx[0, 0, i * stride + first[0], j * stride + first[1]] >= dout[0, 0, i, j]
    out, cache = MaxPool2D(2).forward(x)
    dx, _ = MaxPool2D(2).backward(np.ones_like(out), cache)
    # all-zero windows give their top-left pixel the gradient; the [[1, 5], [5, 5]] window its top-right
    np.testing.assert_array_equal(dx[0, 0], [[1, 0, 0, 1, 1, 0], [0] * 6, [1, 0, 1, 0, 1, 0], [0] * 6])


def test_maxpool_default_stride_is_size() -> None:
    assert MaxPool2D(3).stride == 3
    assert AvgPool2D(2).output_shape((4, 9, 9)) == (4, 4, 4)


def test_flatten_gradient_and_order() -> None:
    x = np.random.default_rng(5).standard_normal((2, 3, 4, 5))
    check_layer(Flatten(), x)
    out, _ = Flatten().forward(x)
    np.testing.assert_array_equal(out[1], np.concatenate([x[1, c].ravel() for c in range(3)]))  # C, H, W order


def test_dense_gradient() -> None:
    layer = Dense(7, 4)
    rng = np.random.default_rng(6)
    layer.params["weight"][...] = rng.standard_normal((4, 7))
    layer.params["bias"][...] = rng.standard_normal(4)
    check_layer(layer, rng.standard_normal((3, 7)))
    x = rng.standard_normal((1, 7))
    out, _ = layer.forward(x)
    np.testing.assert_allclose(out[0], layer.params["weight"] @ x[0] + layer.params["bias"])


def test_gradient_check_catches_a_wrong_backward() -> None:
    """The helper itself must fail on a subtly wrong backward: a one-pixel shift, or a 1e-4 scale error."""

    class ShiftedConv(Conv2D):
        def backward(self, dout, cache):
            dx, grads = super().backward(dout, cache)
            return np.roll(dx, 1, axis=-1), grads

    class LeakyScale(Dense):
        def backward(self, dout, cache):
            dx, grads = super().backward(dout, cache)
            grads["weight"] = grads["weight"] * (1 + 1e-4)
            return dx, grads

    conv = ShiftedConv(1, 1, 3, padding=Padding(1, 1, 1, 1))
    conv.params["weight"][...] = np.arange(9).reshape(1, 1, 3, 3)
    with pytest.raises(AssertionError, match="gradient of x is wrong"):
        check_layer(conv, np.random.default_rng(0).standard_normal((1, 1, 5, 5)))
    dense = LeakyScale(3, 2)
    dense.params["weight"][...] = 1
    with pytest.raises(AssertionError, match="gradient of weight is wrong"):
        check_layer(dense, np.ones((2, 3)))


def test_layers_keep_float32() -> None:
    """The app runs in float32: no layer may silently promote a float32 batch to float64."""
    rng = np.random.default_rng(8)
    x = rng.standard_normal((2, 2, 8, 8)).astype(np.float32)
    conv = make_conv(2, 3, 3, 1, 1, 1, seed=0)
    for layer in [conv, ReLU(), MaxPool2D(2), AvgPool2D(3, 2), Flatten()]:
        out, cache = layer.forward(x)
        dx, grads = layer.backward(np.ones_like(out), cache)
        assert out.dtype == dx.dtype == np.float32, layer.kind
        assert all(g.dtype == np.float32 for g in grads.values()), layer.kind
    dense = Dense(5, 2)
    out, cache = dense.forward(np.ones((2, 5), np.float32))
    dx, grads = dense.backward(np.ones_like(out), cache)
    assert out.dtype == dx.dtype == grads["weight"].dtype == np.float32


# ----- the loss


def test_softmax_cross_entropy_gradient() -> None:
    rng = np.random.default_rng(9)
    logits = rng.standard_normal((5, 4)) * 3
    labels = np.array([0, 3, 1, 1, 2])

    def forward():
        loss, dlogits = softmax_cross_entropy(logits, labels)
        return np.asarray(loss, dtype=np.float64), dlogits

    check_gradients(forward, lambda dout, dlogits: {"logits": dout * dlogits}, {"logits": logits})


def test_softmax_cross_entropy_value() -> None:
    logits = np.array([[1.0, 2.0, 3.0], [0.5, -1.0, 0.0]])
    labels = np.array([2, 0])
    naive = -np.mean([np.log(np.exp(row[k]) / np.exp(row).sum()) for row, k in zip(logits, labels, strict=True)])
    loss, _ = softmax_cross_entropy(logits, labels)
    assert loss == pytest.approx(naive, rel=1e-12)
    probs = softmax(logits)
    np.testing.assert_allclose(probs.sum(axis=1), 1)
    np.testing.assert_allclose(probs[0], np.exp(logits[0]) / np.exp(logits[0]).sum())


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_softmax_cross_entropy_huge_logits(dtype) -> None:
    """Logits of 1e4 overflow a naive exp; the loss and gradient must stay finite and exact."""
    logits = np.array([[1e4, 0, -1e4], [0, 1e4, 1e4], [-1e4, -1e4, -1e4]], dtype=dtype)
    labels = np.array([1, 2, 0])
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # underflow to 0 is fine
        loss, dlogits = softmax_cross_entropy(logits, labels)
        probs = softmax(logits)
    # row 0: log-sum-exp is 1e4, the label's logit 0 -> 1e4; row 1: 1e4 + log 2 - 1e4; row 2: log 3
    assert loss == pytest.approx((1e4 + np.log(2) + np.log(3)) / 3, rel=1e-6)
    assert dlogits.dtype == dtype
    expected = np.array([[1, -1, 0], [0, 0.5, -0.5], [-2 / 3, 1 / 3, 1 / 3]]) / 3
    np.testing.assert_allclose(dlogits, expected, atol=1e-7)
    np.testing.assert_allclose(probs, [[1, 0, 0], [0, 0.5, 0.5], [1 / 3, 1 / 3, 1 / 3]], atol=1e-7)
    # a shift of every logit changes nothing
    shifted, _ = softmax_cross_entropy(logits[2:] + dtype(5e3), labels[2:])
    assert shifted == pytest.approx(np.log(3), rel=1e-6)


# ----- the whole network

EVERY_LAYER_SPEC = [
    {"type": "conv", "out_channels": 3, "kernel": 3, "padding": "same", "dilation": 2},
    {"type": "relu"},
    {"type": "maxpool", "size": 3, "stride": 2},
    {"type": "conv", "out_channels": 4, "kernel": 2, "padding": "same"},
    {"type": "relu"},
    {"type": "avgpool", "size": 2, "stride": 1},
    {"type": "conv", "out_channels": 3, "kernel": 3, "stride": 2, "padding": 1},
    {"type": "flatten"},
    {"type": "dense", "out_features": 6},
    {"type": "relu"},
    {"type": "dense", "out_features": 3},
]


def as_float64(net: Network) -> Network:
    """Switch ``net`` to float64 for a gradient check: parameters become float64 copies, and the input
    is no longer cast to float32 (``check_input`` is shadowed on this instance only)."""
    for index, layer in enumerate(net.layers):
        for name in layer.params:
            layer.params[name] = layer.params[name].astype(np.float64)
            net.params[f"{index}.{name}"] = layer.params[name]
    net.check_input = lambda x: np.asarray(x, dtype=np.float64)
    return net


def test_network_loss_and_grads() -> None:
    net = Network.from_spec(EVERY_LAYER_SPEC, input_shape=(2, 10, 10), seed=3)
    assert net.shapes == [
        (3, 10, 10), (3, 10, 10), (3, 4, 4), (4, 4, 4), (4, 4, 4), (4, 3, 3), (3, 2, 2), (12,), (6,), (6,), (3,)
    ]  # fmt: skip
    rng = np.random.default_rng(11)
    for name in net.params:  # nonzero biases too, so their gradients are exercised
        if name.endswith("bias"):
            net.params[name][...] = rng.normal(0, 0.1, net.params[name].shape)
    x = rng.standard_normal((3, 2, 10, 10))
    labels = np.array([0, 2, 1])
    loss32, grads32 = net.loss_and_grads(x, labels)
    as_float64(net)

    def forward():
        loss, grads = net.loss_and_grads(x, labels)
        return np.asarray(loss, dtype=np.float64), grads

    errors = check_gradients(forward, lambda dout, grads: {k: dout * g for k, g in grads.items()}, net.params, seed=1)
    assert set(errors) == {f"{i}.{p}" for i in (0, 3, 6, 8, 10) for p in ("weight", "bias")}
    # the real float32 path agrees with the checked float64 one
    loss64, grads64 = net.loss_and_grads(x, labels)
    assert loss32 == pytest.approx(loss64, rel=1e-5)
    for name, grad in grads32.items():
        assert grad.dtype == np.float32
        np.testing.assert_allclose(grad, grads64[name], rtol=1e-3, atol=1e-5 * np.abs(grads64[name]).max())


def test_input_gradient_matches_finite_differences() -> None:
    """``Network.input_gradient`` of one unit, checked like a layer (float64, via the same helper)."""
    spec = [
        {"type": "conv", "out_channels": 2, "kernel": 3, "stride": 2, "padding": 1},
        {"type": "avgpool", "size": 2, "stride": 1},
        {"type": "conv", "out_channels": 2, "kernel": 2, "dilation": 2},
    ]
    net = as_float64(Network.from_spec(spec, input_shape=(2, 9, 9), seed=4))
    x = np.random.default_rng(12).standard_normal((1, 2, 9, 9))
    unit = (1, 0, 1)  # channel, y, x of layer 2

    def forward():
        return net.forward(x)[0, unit[0], unit[1], unit[2]][None], None

    def backward(dout, _):
        return {"x": dout[0] * net.input_gradient(x, Unit(3, *unit))}

    check_gradients(forward, backward, {"x": x})
