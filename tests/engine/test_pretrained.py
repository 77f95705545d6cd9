"""The trained default network shipped with the app, and the script that makes it."""

import importlib.util
import os
from pathlib import Path

import numpy as np
import pytest

from cnn_desktop.data.datasets import load_bundled
from cnn_desktop.engine import MNIST_SPEC, Network, pretrained, pretrained_record, weights_status
from cnn_desktop.engine.pretrained import pretrained_info
from cnn_desktop.state.training_history import TrainingHistory
from cnn_desktop.training import evaluate, predict_classes

REPO = Path(__file__).resolve().parents[2]
REGENERATE = "python tools/train_default_model.py"


def load_tool():
    spec = importlib.util.spec_from_file_location("train_default_model", REPO / "tools" / "train_default_model.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_pretrained_is_the_default_network_and_reads_held_out_digits():
    net = pretrained()
    assert net.spec == Network(MNIST_SPEC).spec and net.input_shape == (1, 28, 28)
    digits = load_bundled()
    accuracy = evaluate(net, digits.test_images, digits.test_labels)
    assert accuracy >= 0.97
    info = pretrained_info()
    assert info["held_out_accuracy"] == pytest.approx(accuracy)
    assert info["held_out_digits"] == digits.num_test
    assert info["command"] == REGENERATE
    assert f"{accuracy * 100:.1f}%" in pretrained_record().description


def test_each_call_gives_an_independent_copy():
    first, second = pretrained(), pretrained()
    first.params["0.weight"][...] = 0
    assert np.abs(second.params["0.weight"]).sum() > 0
    assert np.abs(pretrained().params["0.weight"]).sum() > 0


def test_bundled_weights_match_their_record():
    net = pretrained()
    record = pretrained_record()
    status = weights_status(net, record)
    assert status.kind == "trained", f"the record next to the weights is stale; rerun {REGENERATE}"
    net.params["7.bias"][3] += 0.01
    assert weights_status(net, record).changed_layers == (7,)


def test_tool_reproduces_the_first_epoch_of_the_bundled_training():
    """The tool's data, drawings, initial weights, shuffling and first 250 steps, in a few seconds.

    Compared with the fingerprints the tool stored after the first epoch of the run that made the
    bundled weights. The whole run (about 30 s on two cores) is checked by the next test.
    """
    tool = load_tool()
    net, _, first_epoch, curves = tool.train_default(epochs_to_run=1)
    stored = pretrained_info()["first_epoch_fingerprints"]
    differ = sorted(name for name in stored if first_epoch.get(name) != stored[name])
    assert first_epoch.keys() == stored.keys()
    assert not differ, f"the first epoch no longer matches in {differ}; regenerate with: {REGENERATE}"
    history = TrainingHistory.from_json(pretrained_info()["history"])
    assert [(p.split, p.epoch) for p in curves] == [("test", 0.0), ("train", 1.0), ("test", 1.0)]
    stored_points = [(p.loss, p.accuracy) for p in history.points[:3]]
    np.testing.assert_allclose([(p.loss, p.accuracy) for p in curves], stored_points)


def test_the_stored_history_is_the_bundled_weights_run():
    """The curves and matrix the training panel shows at start-up belong to the weights shipped."""
    info = pretrained_info()
    history = TrainingHistory.from_json(info["history"])
    test_points = history.split_points("test")
    assert [p.epoch for p in test_points] == list(range(info["epochs"] + 1))
    assert [p.epoch for p in history.split_points("train")] == list(range(1, info["epochs"] + 1))
    assert test_points[0].accuracy < 0.3 < 0.97 < test_points[-1].accuracy == pytest.approx(info["held_out_accuracy"])
    digits = load_bundled()
    np.testing.assert_array_equal(history.predictions, predict_classes(pretrained(), digits.test_images))
    assert history.digit_set == "bundled" and history.progress == 1
    assert f"{info['held_out_accuracy'] * 100:.1f}%" in history.status


@pytest.mark.skipif(
    not os.environ.get("CNN_DESKTOP_FULL_RETRAIN"), reason="retrains for ~30 s; set CNN_DESKTOP_FULL_RETRAIN=1"
)
def test_tool_reproduces_the_bundled_weights_byte_for_byte(tmp_path):
    """Retrains from scratch: the weights file must come back identical, byte for byte.

    Run on the engine and NumPy that made the bundled weights; a change to the engine's float
    arithmetic changes the weights, and then they are regenerated with the command below.
    """
    tool = load_tool()
    net, result, _, _ = tool.train_default()
    bundled = pretrained()
    differ = [name for name, array in net.params.items() if array.tobytes() != bundled.params[name].tobytes()]
    assert not differ, f"retrained weights differ from the bundled ones in {differ}; regenerate with: {REGENERATE}"
    net.save(tmp_path / "fresh.npz")
    bundled_bytes = (REPO / "resources" / "models" / "mnist_default.npz").read_bytes()
    assert (tmp_path / "fresh.npz").read_bytes() == bundled_bytes, f"regenerate with: {REGENERATE}"
    assert result.test_accuracy == pytest.approx(pretrained_info()["held_out_accuracy"])
