"""Occlusion: the score drop when a square hides part of the image, checked against known answers."""

from __future__ import annotations

import numpy as np
import pytest

from cnn_desktop.engine import Network, Unit, receptive_box
from cnn_desktop.insight import occlusion_map
from tests.insight.shared import trained


def linear_network(rng: np.random.Generator) -> Network:
    """Flatten + one dense unit: its score is w . x + b, so every drop has a closed form."""
    net = Network.from_spec([{"type": "flatten"}, {"type": "dense", "out_features": 1}], input_shape=(1, 6, 5))
    net.params["1.weight"][...] = rng.normal(size=(1, 30))
    net.params["1.bias"][...] = 0.25
    return net


@pytest.mark.parametrize(("size", "fill"), [(3, 0.0), (2, 0.5), (1, 0.0)])
def test_drop_of_a_linear_score_is_the_weighted_change_under_the_square(size: int, fill: float) -> None:
    rng = np.random.default_rng(0)
    net = linear_network(rng)
    image = rng.uniform(0, 1, (1, 6, 5)).astype(np.float32)
    weights = net.params["1.weight"].reshape(6, 5)
    drops = occlusion_map(net, image, 0, size=size, fill=fill)
    expected = np.zeros((6, 5))
    for y in range(6):
        for x in range(5):
            top, left = y - (size - 1) // 2, x - (size - 1) // 2
            rows = slice(max(top, 0), top + size)
            cols = slice(max(left, 0), left + size)
            expected[y, x] = np.sum(weights[rows, cols] * (image[0, rows, cols] - fill))
    np.testing.assert_allclose(drops, expected, rtol=1e-4, atol=1e-5)


def test_occluding_pixels_a_unit_cannot_see_changes_nothing() -> None:
    net = trained()
    image = np.random.default_rng(1).uniform(0.2, 1.0, (1, 28, 28)).astype(np.float32)  # ink everywhere
    unit = Unit(4, 2, 6, 3)
    top, left, bottom, right = receptive_box(net, unit)
    size = 3
    drops = occlusion_map(net, image, unit, size=size)
    ys, xs = np.mgrid[0:28, 0:28]
    touches = (ys + 1 >= top) & (ys - 1 <= bottom) & (xs + 1 >= left) & (xs - 1 <= right)
    scale = np.abs(drops).max()
    assert scale > 0.1
    assert np.abs(drops[~touches]).max() <= 1e-5 * scale
    assert np.count_nonzero(np.abs(drops[touches]) > 1e-3 * scale) > touches.sum() // 2


def test_a_square_over_pixels_already_of_the_fill_colour_drops_nothing() -> None:
    image = np.zeros((1, 28, 28), np.float32)
    image[0, 10:18, 12:15] = 1.0
    drops = occlusion_map(trained(), image, 1, size=5, fill=0.0)
    far = np.ones((28, 28), bool)
    far[8:20, 10:17] = False
    assert np.all(drops[far] == 0)
    assert np.abs(drops[~far]).max() > 0


def test_cancelling_returns_nothing_and_a_bad_square_is_refused() -> None:
    image = np.ones((1, 28, 28), np.float32)
    assert occlusion_map(trained(), image, 0, cancelled=lambda: True) is None
    with pytest.raises(ValueError, match="at least 1 pixel"):
        occlusion_map(trained(), image, 0, size=0)
