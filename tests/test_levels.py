"""Colour levels as numbers: the half-width of symmetric levels, found once per forward pass."""

from __future__ import annotations

import numpy as np
import pytest

from cnn_desktop.compute import Computer
from cnn_desktop.engine import MNIST_SPEC, Network
from cnn_desktop.levels import symmetric_level


def masked_rule(values: np.ndarray) -> float:
    """The rule spelled out: the largest finite |v|, or 1 when there is none or it is 0."""
    finite = np.abs(values[np.isfinite(values)])
    return float(finite.max()) if finite.size and finite.max() > 1e-12 else 1.0


@pytest.mark.parametrize(
    "values",
    [
        np.array([-3.0, 2.0, 1.0], np.float32),
        np.array([0.5, 2.0], np.float32),
        np.array([-0.25, -4.0]),
        np.array([1.0, np.nan, -7.0], np.float32),
        np.array([np.inf, -2.0, 1.0]),
        np.array([-np.inf, 0.5]),
        np.array([np.nan, np.inf]),
        np.zeros((3, 4), np.float32),
        np.zeros(0, np.float32),
    ],
)
def test_the_level_is_the_largest_finite_magnitude(values):
    assert symmetric_level(values) == pytest.approx(masked_rule(values))


def test_the_worker_finds_every_stages_level_with_the_stages():
    network = Network.from_spec(MNIST_SPEC, (1, 28, 28), seed=2)
    image = np.random.default_rng(1).random((28, 28), dtype=np.float32)
    computer = Computer()
    first = computer.compute(1, 1, image, network)
    assert first.levels == tuple(masked_rule(stage) for stage in first.stages)
    again = computer.compute(2, 1, image, network, traced=None)  # same inputs: same levels, no new pass
    assert again.levels == first.levels and computer.passes == 1
