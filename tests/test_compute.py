"""The computation behind every redraw: one pass per image and network, selections answered from it."""

from __future__ import annotations

import numpy as np
import pytest

from cnn_desktop import compute
from cnn_desktop.compute import Computer, forward_pass, run_network
from cnn_desktop.engine import MNIST_SPEC, Network, Unit


@pytest.fixture(scope="module")
def network():
    return Network.from_spec(MNIST_SPEC, (1, 28, 28), seed=3)


@pytest.fixture(scope="module")
def image():
    return np.random.default_rng(0).random((28, 28), dtype=np.float32)


def test_one_pass_gives_the_engines_stages_and_probabilities(network, image):
    stages, probabilities = run_network(image, network)
    expected = network.activations(image[None, None])
    assert len(stages) == len(expected) + 1
    np.testing.assert_array_equal(stages[0][0], image)
    for stage, out in zip(stages[1:], expected, strict=True):
        np.testing.assert_array_equal(stage, out[0])
    np.testing.assert_allclose(probabilities, network.predict(image[None, None])[0], rtol=1e-6)
    assert probabilities.sum() == pytest.approx(1.0)


def test_the_network_runs_once_per_result(network, image, monkeypatch):
    calls = []
    activations = Network.activations

    def counted(self, x):
        calls.append(x.shape)
        return activations(self, x)

    monkeypatch.setattr(Network, "activations", counted)
    monkeypatch.setattr(Network, "forward", lambda self, x: pytest.fail("a second pass"))
    result = forward_pass(0, image, network, Unit(4, 1, 2, 3))
    assert calls == [(1, 1, 28, 28)]
    assert result.probabilities is not None and result.field is not None


def test_a_new_selection_is_answered_from_the_last_stages(network, image, monkeypatch):
    fresh = forward_pass(2, image, network, Unit(3, 5, 1, 2), Unit(1, 0, 4, 4))
    computer = Computer()
    first = computer.compute(1, 7, image, network, None)
    monkeypatch.setattr(compute, "run_network", lambda *args: pytest.fail("the network ran again"))
    selected = computer.compute(2, 7, image, network, Unit(3, 5, 1, 2), traced=Unit(1, 0, 4, 4))
    assert computer.passes == 1
    assert selected.version == 2 and selected.inputs_version == 7
    assert selected.stages is first.stages
    assert not any(stage.flags.writeable for stage in selected.stages)  # no view can change a shared stage
    assert selected.field.caption == fresh.field.caption
    for stage, mask in fresh.field.contributors.items():
        np.testing.assert_array_equal(selected.field.contributors[stage], mask)
    assert selected.trace.result == fresh.trace.result == float(fresh.stages[1][0, 4, 4])


def test_a_new_image_or_network_runs_the_network_again(network, image):
    computer = Computer()
    computer.compute(1, 1, image, network)
    brighter = computer.compute(2, 2, np.ones_like(image), network)
    np.testing.assert_array_equal(brighter.stages[0][0], np.ones_like(image))
    other = network.copy()
    other.params["0.bias"][...] = 5.0
    shifted = computer.compute(3, 2, np.ones_like(image), other)  # another network object, same number
    assert computer.passes == 3
    np.testing.assert_array_equal(shifted.stages[1], run_network(np.ones_like(image), other)[0][1])


def test_painting_with_a_unit_selected_follows_the_new_max_pool_winners(network, image):
    computer = Computer()
    unit = Unit(6, 2, 2, 2)  # a second-pool unit: which of the units below it win depends on the image
    first = computer.compute(1, 1, image, network, unit)
    painted = image.copy()
    painted[:, :] = painted[::-1, ::-1]
    second = computer.compute(2, 2, painted, network, unit)
    fresh = forward_pass(2, painted, network, unit)
    assert second.field.field is first.field.field  # the image-free part is kept
    assert first.field.contributors[4].sum() != second.field.contributors[4].sum()
    for stage, mask in fresh.field.contributors.items():
        np.testing.assert_array_equal(second.field.contributors[stage], mask)
    assert second.field.caption == fresh.field.caption
