"""The selected unit's field on the lecture's example, and its agreement with gradients."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from cnn_desktop.compute import forward_pass
from cnn_desktop.engine import Network, Unit

SLIDES = json.loads((Path(__file__).parent / "data" / "slide_examples.json").read_text())
IMAGE = np.array(SLIDES["input_image"], np.float32)
EDGES = np.array(SLIDES["examples"][3]["kernel"], np.float32)


@pytest.fixture
def lecture_network():
    net = Network([{"type": "conv", "out_channels": 1, "kernel": 3}, {"type": "relu"}, {"type": "maxpool"}], (1, 7, 7))
    net.params["0.weight"][0, 0] = EDGES
    return net


def test_a_pooled_pixel_of_the_lecture_sees_sixteen_input_pixels(lecture_network):
    field = forward_pass(0, IMAGE, lecture_network, Unit(3, 0, 0, 1)).field
    assert field.caption.startswith("layer 2 (maxpool 2x2) unit (0, 1) sees 16 input pixels (4x4), rows 0-3, cols 2-5")
    assert field.field[0][0].sum() == 16
    assert field.boxes[0] == (0, 2, 3, 5)
    assert field.boxes[1] == (0, 2, 1, 3)  # its 2x2 window in the conv output


def test_contributors_follow_the_max_pool_winners(lecture_network):
    field = forward_pass(0, IMAGE, lecture_network, Unit(3, 0, 0, 0)).field
    # The window [[0, 1], [1, 1]] of the ReLU output: the three 1s win (ties all count), the 0 does not.
    np.testing.assert_array_equal(field.contributors[2][0, :2, :2], [[False, True], [True, True]])
    expected = np.zeros((7, 7), bool)
    for y, x in [(0, 1), (1, 0), (1, 1)]:
        expected[y : y + 3, x : x + 3] = True
    np.testing.assert_array_equal(field.contributors[0][0], expected)
    assert "value came from 15 of them" in field.caption


def test_an_input_pixel_influences_the_units_whose_field_holds_it(lecture_network):
    centre = forward_pass(0, IMAGE, lecture_network, Unit(0, 0, 3, 3)).field
    assert centre.influence[1][0].sum() == 9  # every 3x3 window over (3, 3)
    assert centre.influence[3][0].all()  # each pooled pixel sees a 4x4 box that holds (3, 3)
    corner = forward_pass(0, IMAGE, lecture_network, Unit(0, 0, 5, 5)).field
    assert corner.influence[1][0].sum() == 4  # windows starting at rows/cols 3 and 4
    np.testing.assert_array_equal(corner.influence[3][0], [[False, False], [False, True]])


def test_padding_is_counted_outside_the_image():
    net = Network([{"type": "conv", "out_channels": 1, "kernel": 3, "padding": 1}], (1, 7, 7))
    field = forward_pass(0, IMAGE, net, Unit(1, 0, 0, 0)).field
    assert field.boxes[0] == (-1, -1, 1, 1)
    assert "rows -1 to 1" in field.caption and "5 cells of its window are zero padding" in field.caption


@pytest.mark.parametrize("seed", range(4))
def test_contributors_are_the_support_of_the_input_gradient(seed):
    rng = np.random.default_rng(seed)
    spec = [
        {"type": "conv", "out_channels": 3, "kernel": 3, "padding": 1},
        {"type": "maxpool", "size": 2},
        {"type": "conv", "out_channels": 2, "kernel": 3, "stride": 2},
    ]
    net = Network.from_spec(spec, (1, 12, 12), seed=seed)
    image = rng.random((12, 12), dtype=np.float32)  # continuous values: no ties in the pools
    unit = Unit(3, 1, int(rng.integers(0, 2)), int(rng.integers(0, 2)))
    field = forward_pass(0, image, net, unit).field
    gradient = net.input_gradient(image[None, None], unit)[0]
    np.testing.assert_array_equal(field.contributors[0], gradient != 0)
