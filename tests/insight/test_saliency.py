"""Saliency is the gradient of one unit with respect to the input: checked numerically and by its support."""

from __future__ import annotations

import numpy as np
import pytest

from cnn_desktop.data.datasets import load_digits
from cnn_desktop.engine import Network, Unit, receptive_box
from cnn_desktop.insight import class_unit, saliency, unit_gradient
from cnn_desktop.insight.saliency import forward_to, unit_values
from tests.engine.helpers import check_gradients, separated_values
from tests.insight.shared import float64_copy, trained

SMALL_SPEC = [
    {"type": "conv", "out_channels": 3, "kernel": 3, "padding": 1, "stride": 2},
    {"type": "relu"},
    {"type": "maxpool", "size": 2},
    {"type": "conv", "out_channels": 2, "kernel": 2, "dilation": 1},
    {"type": "avgpool", "size": 1},
    {"type": "flatten"},
    {"type": "dense", "out_features": 4},
]


def small_network() -> Network:
    net = Network.from_spec(SMALL_SPEC, input_shape=(2, 11, 10), seed=3)
    rng = np.random.default_rng(5)
    for layer in net.layers:
        if "bias" in layer.params:
            layer.params["bias"][...] = rng.normal(0, 0.1, layer.params["bias"].shape)
    return float64_copy(net)


@pytest.mark.parametrize(
    "target",
    [Unit(1, 2, 3, 4), Unit(3, 1, 1, 1), Unit(5, 1, 1, 0), Unit(7, 0, 0, 3), 2],
    ids=["conv", "maxpool", "avgpool", "dense", "class"],
)
def test_unit_gradient_matches_finite_differences(target) -> None:
    net = small_network()
    image = separated_values((2, 11, 10), np.random.default_rng(1), gap=0.01)

    def forward() -> tuple[np.ndarray, object]:
        unit = target if isinstance(target, Unit) else class_unit(net, target)
        out, _ = forward_to(net, image[None], unit.stage)
        return np.asarray(unit_values(out, unit)[0]), None

    def backward(dout: np.ndarray, cache: object) -> dict[str, np.ndarray]:
        _, gradient = unit_gradient(net, image, target)
        assert gradient.dtype == np.float64
        return {"x": gradient * dout}

    check_gradients(forward, backward, {"x": image})


def test_the_check_rejects_a_gradient_of_the_wrong_unit() -> None:
    net = small_network()
    image = separated_values((2, 11, 10), np.random.default_rng(1), gap=0.01)

    def forward() -> tuple[np.ndarray, object]:
        out, _ = forward_to(net, image[None], 1)
        return np.asarray(out[0, 2, 3, 4]), None

    def backward(dout: np.ndarray, cache: object) -> dict[str, np.ndarray]:
        return {"x": unit_gradient(net, image, Unit(1, 2, 3, 3))[1] * dout}

    with pytest.raises(AssertionError, match="gradient of x is wrong"):
        check_gradients(forward, backward, {"x": image})


def digit(index: int = 0) -> tuple[np.ndarray, int]:
    digits = load_digits("bundled")
    return digits.test_images[index][None].copy(), int(digits.test_labels[index])


def test_saliency_is_zero_outside_the_receptive_field_of_the_selected_unit() -> None:
    net = trained()
    image = np.random.default_rng(0).uniform(0.1, 1.0, (1, 28, 28)).astype(np.float32)
    unit = Unit(4, 5, 4, 6)  # the second conv's output: a 8x8 field
    top, left, bottom, right = receptive_box(net, unit)
    gradient = saliency(net, image, unit).gradient[0]
    outside = np.ones_like(gradient, bool)
    outside[top : bottom + 1, left : right + 1] = False
    assert (bottom - top + 1, right - left + 1) == (8, 8)
    assert np.all(gradient[outside] == 0)
    assert np.count_nonzero(gradient[~outside]) > 0


def test_class_saliency_agrees_with_the_networks_own_input_gradient() -> None:
    net = trained()
    image, label = digit(3)
    result = saliency(net, image, label)
    expected = net.input_gradient(image[None], class_unit(net, label))[0]
    assert result.unit == Unit(8, 0, 0, label)
    np.testing.assert_allclose(result.gradient, expected, rtol=1e-5, atol=1e-6)
    assert result.score == pytest.approx(float(net.forward(image[None])[0, label]), rel=1e-5)
    # gradient x input is zero on the background, where the digit has no ink
    assert np.all(result.gradient_x_input[image == 0] == 0)
    assert result.limit("gradient") == pytest.approx(np.abs(expected).max(), rel=1e-5)


def test_a_class_outside_the_outputs_is_refused() -> None:
    with pytest.raises(IndexError, match="outside the 10 outputs"):
        class_unit(trained(), 10)
    with pytest.raises(IndexError, match="outside stage 1"):
        saliency(trained(), np.zeros((1, 28, 28), np.float32), Unit(1, 8, 0, 0))
    with pytest.raises(ValueError, match="shape"):
        saliency(trained(), np.zeros((28, 28), np.float32), 0)
