"""The document a newcomer sees first (start-up and File > New): a trained network reading a real digit."""

from __future__ import annotations

import numpy as np

from cnn_desktop.compute import forward_pass
from cnn_desktop.data import datasets
from cnn_desktop.engine import ModelFileError, pretrained_record, weights_status
from cnn_desktop.session import default_session


def test_the_default_session_is_the_trained_network_on_the_first_test_digit() -> None:
    session = default_session()
    digits = datasets.load_bundled()
    np.testing.assert_array_equal(session.image, digits.test_images[0][None])
    assert session.digit.label == int(digits.test_labels[0])
    assert session.training_record == pretrained_record()
    assert weights_status(session.network, session.training_record).trained
    probabilities = forward_pass(0, session.image, session.network, None).probabilities
    assert int(np.argmax(probabilities)) == session.digit.label and probabilities[session.digit.label] > 0.9


def test_each_default_session_is_its_own_copy() -> None:
    first, second = default_session(), default_session()
    first.network.params["0.weight"][...] = 0
    first.image[...] = 0
    assert second.network.params["0.weight"].any() and second.image.any()


def test_without_the_bundled_network_it_opens_untrained_and_says_so(monkeypatch) -> None:
    def missing():
        raise ModelFileError("mnist_default.npz: the bundled trained network is missing from this installation")

    monkeypatch.setattr("cnn_desktop.session.pretrained", missing)
    session = default_session()
    assert session.training_record is None and session.image.any()
    assert weights_status(session.network, session.training_record).kind == "untrained"
