"""Telling trained weights from random, edited or re-arranged ones."""

import json

import numpy as np
import pytest

from cnn_desktop.engine import MNIST_SPEC, Network, TrainingRecord, weights_status
from cnn_desktop.engine.training_record import parameter_fingerprint, training_lost


@pytest.fixture
def trained() -> tuple[Network, TrainingRecord]:
    net = Network.from_spec(MNIST_SPEC, seed=3)
    return net, TrainingRecord.of(net, "Trained on test data: 99.0% right.")


def test_unchanged_weights_are_trained_and_say_so(trained):
    net, record = trained
    status = weights_status(net.copy(), record)
    assert status.kind == "trained" and status.trained
    assert status.text == "Trained on test data: 99.0% right."
    assert status.changed_layers == ()


def test_no_record_means_untrained(trained):
    net, _ = trained
    status = weights_status(net, None)
    assert status.kind == "untrained" and not status.trained
    assert "random weights" in status.text
    assert status.changed_layers == (0, 3, 7)


def test_one_edited_kernel_value_names_its_layer(trained):
    net, record = trained
    edited = net.copy()
    edited.params["3.weight"][0, 0, 1, 1] += 1e-6
    status = weights_status(edited, record)
    assert status.kind == "changed" and status.changed_layers == (3,)
    assert status.text == "Changed since training: the weights of layer 3 (conv 3x3) were edited."


def test_fresh_weights_of_the_same_pipeline_are_all_changed(trained):
    _, record = trained
    status = weights_status(Network.from_spec(MNIST_SPEC, seed=4), record)
    assert status.kind == "changed" and status.changed_layers == (0, 3, 7)
    assert "layer 0 (conv 3x3), layer 3 (conv 3x3), layer 7 (dense 10)" in status.text


def test_a_removed_relu_changes_the_pipeline_but_no_weight(trained):
    net, record = trained
    without_relu = net.rebuilt([entry for i, entry in enumerate(net.spec) if i != 4], origins=[0, 1, 2, 3, 5, 6, 7])
    status = weights_status(without_relu, record)
    assert status.kind == "changed" and status.changed_layers == ()
    assert "pipeline is different" in status.text


def test_an_inserted_layer_keeps_the_moved_weights_as_trained(trained):
    net, record = trained
    spec = [*net.spec[:3], {"type": "conv", "out_channels": 8, "kernel": 1}, *net.spec[3:]]
    grown = net.rebuilt(spec, origins=[0, 1, 2, None, None, 4, 5, 6, None])
    status = weights_status(grown, record)
    # the new 1x1 conv (3) and the conv and dense whose inputs changed shape (4, 8) are untrained
    assert status.kind == "changed" and status.changed_layers == (3, 4, 8)
    assert np.array_equal(grown.params["0.weight"], net.params["0.weight"])


def test_a_pipeline_without_weights(trained):
    _, record = trained
    net = Network([{"type": "maxpool", "size": 2}], (1, 4, 4))
    assert weights_status(net, record).kind == "no weights"


def test_fingerprint_depends_on_every_value_and_the_shape():
    values = np.arange(6, dtype=np.float32)
    assert parameter_fingerprint(values) == parameter_fingerprint(values.astype(np.float64))
    assert parameter_fingerprint(values) != parameter_fingerprint(values.reshape(2, 3))
    changed = values.copy()
    changed[5] = np.nextafter(changed[5], np.float32(10))
    assert parameter_fingerprint(values) != parameter_fingerprint(changed)


def test_record_survives_json(trained):
    net, record = trained
    again = TrainingRecord.from_dict(json.loads(json.dumps(record.as_dict())))
    assert again == record
    assert weights_status(net, again).kind == "trained"


@pytest.mark.parametrize(
    "data", [None, {}, {"description": 3, "spec": [], "input_shape": [1, 2, 2], "fingerprints": {}}, "record"]
)
def test_damaged_record_is_refused_in_one_line(data):
    with pytest.raises(ValueError, match="damaged training record"):
        TrainingRecord.from_dict(data)


def test_a_pipeline_change_names_the_trained_layers_it_reinitialised(trained):
    net, record = trained
    wider = [dict(layer) for layer in net.spec]
    wider[3]["out_channels"] = 12  # conv 2 gets another shape; the dense layer after it too
    changed = net.rebuilt(wider)
    assert training_lost(net, changed, record) == ["layer 3 (conv 3x3)", "layer 7 (dense 10)"]
    assert training_lost(net, net.copy(), record) == []
    assert training_lost(net, changed, None) == []  # random weights have no training to lose


def test_a_removed_layer_loses_its_training_but_a_moved_one_keeps_it(trained):
    net, record = trained
    spec = [dict(layer) for layer in net.spec]
    removed = net.rebuilt(spec[:3] + spec[6:], origins=[0, 1, 2, 6, 7])  # conv 2 with its relu and pool gone
    assert training_lost(net, removed, record) == ["layer 3 (conv 3x3)", "layer 7 (dense 10)"]
    edited = net.copy()
    edited.params["0.weight"][0, 0, 0, 0] += 1
    assert training_lost(edited, edited.rebuilt(spec[:3] + spec[6:], origins=[0, 1, 2, 6, 7]), record) == [
        "layer 3 (conv 3x3)",
        "layer 7 (dense 10)",
    ]  # the edited conv 1 had no training left to lose
