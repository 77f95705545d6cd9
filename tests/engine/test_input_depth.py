"""A network for another input depth keeps every weight that still has a place, bit for bit."""

from __future__ import annotations

import numpy as np

from cnn_desktop.engine import MNIST_SPEC, Network
from cnn_desktop.engine.input_depth import with_input_depth


def test_grey_to_four_channels_and_back_keeps_the_shared_slices():
    grey = Network.from_spec(MNIST_SPEC, (1, 28, 28), seed=5)
    four = with_input_depth(grey, 4)
    assert four.input_shape == (4, 28, 28) and four.params["0.weight"].shape == (8, 4, 3, 3)
    assert four.params["0.weight"][:, :1].tobytes() == grey.params["0.weight"].tobytes()
    for name in grey.params:
        if name != "0.weight":
            assert four.params[name].tobytes() == grey.params[name].tobytes(), name
    three = with_input_depth(four, 3)
    assert three.params["0.weight"].tobytes() == four.params["0.weight"][:, :3].tobytes()
    assert with_input_depth(three, 1).params["0.weight"].tobytes() == grey.params["0.weight"].tobytes()


def test_a_colour_network_computes_the_sum_of_its_slices():
    net = with_input_depth(Network.from_spec([{"type": "conv", "out_channels": 1, "kernel": 3}], (1, 5, 5)), 3)
    picture = np.random.default_rng(0).random((1, 3, 5, 5), dtype=np.float32)
    weight, bias = net.params["0.weight"][0], net.params["0.bias"][0]
    expected = sum(float((picture[0, c, 1:4, 1:4] * weight[c]).sum()) for c in range(3)) + bias
    assert np.isclose(net.forward(picture)[0, 0, 1, 1], expected, rtol=1e-5)


def test_a_dense_layer_reading_the_picture_gets_new_weights():
    spec = [{"type": "flatten"}, {"type": "dense", "out_features": 10}]
    grey = Network.from_spec(spec, (1, 6, 6))
    colour = with_input_depth(grey, 3)
    assert colour.params["1.weight"].shape == (10, 108)
