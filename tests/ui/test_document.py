"""The document: undoable edits, refused pipelines, and the coalescing compute worker."""

from __future__ import annotations

import time

import numpy as np
import pytest

from cnn_desktop import compute
from cnn_desktop.engine import Network, Unit

from .conftest import wait_for_result


def direct_stages(document):
    session = document.session
    outputs = session.network.activations(session.image[0][None, None])
    return [out[0] for out in outputs]


def test_many_edits_are_coalesced_and_the_final_maps_match_the_engine(qtbot, document, monkeypatch):
    passes = []

    compute_result = compute.Computer.compute

    def slow_compute(computer, *request):
        passes.append(request[0])
        time.sleep(0.005)  # a slow machine: edits arrive faster than passes finish
        return compute_result(computer, *request)

    monkeypatch.setattr(compute.Computer, "compute", slow_compute)
    computed = []
    document.result_ready.connect(lambda result: computed.append(result.version))
    rng = np.random.default_rng(0)
    document.begin_stroke()
    for _ in range(200):
        rows, cols = rng.integers(0, 28, 3), rng.integers(0, 28, 3)
        document.paint(rows, cols, rng.random(3, dtype=np.float32))
    document.end_stroke()
    result = wait_for_result(qtbot, document)
    assert len(passes) < 50  # edits that arrived while a pass ran were skipped, not queued
    assert passes[-1] == computed[-1] == document.session.version
    for shown, expected in zip(result.stages[1:], direct_stages(document), strict=True):
        np.testing.assert_array_equal(shown, expected)
    assert document.undo_stack.count() == 1  # one stroke, one undo step


def test_undo_and_redo_restore_the_image_and_its_maps(qtbot, document):
    before = document.session.image[0].copy()
    after = before.copy()
    after[10:15, 10:15] = 1
    document.edit_image(after, "Square")
    wait_for_result(qtbot, document)
    document.undo_stack.undo()
    result = wait_for_result(qtbot, document)
    np.testing.assert_array_equal(result.stages[0][0], before)
    document.undo_stack.redo()
    result = wait_for_result(qtbot, document)
    np.testing.assert_array_equal(result.stages[0][0], after)


def test_an_impossible_pipeline_is_refused_and_nothing_changes(qtbot, document):
    spec_before = document.session.network.spec
    reasons = []
    document.spec_rejected.connect(lambda message, layer: reasons.append((message, layer)))
    broken = [*spec_before[:6], {"type": "conv", "kernel": 7}, *spec_before[6:]]
    refusal = document.edit_spec(broken)
    assert refusal.message.startswith("layer 6 (conv 7x7): input is only 5x5 after layer 5 (maxpool 2x2)")
    assert refusal.layer == 6
    assert reasons == [(refusal.message, 6)]
    assert document.session.network.spec == spec_before
    assert document.undo_stack.count() == 0


def test_a_pipeline_change_keeps_the_weights_that_still_fit(qtbot, document):
    first = document.session.network.params["0.weight"].copy()
    spec = document.session.network.spec
    message = document.edit_spec([*spec[:3], {"type": "conv", "out_channels": 4, "kernel": 5}, *spec[4:]])
    assert message is None
    np.testing.assert_array_equal(document.session.network.params["0.weight"], first)
    assert document.session.network.params["3.weight"].shape == (4, 8, 5, 5)
    document.undo_stack.undo()
    assert document.session.network.params["3.weight"].shape == (16, 8, 3, 3)


def test_bad_parameter_values_are_refused_with_a_reason(document):
    weight = document.session.network.params["0.weight"].copy()
    poisoned = weight.copy()
    poisoned[0, 0, 0, 0] = np.nan
    assert "NaN" in document.edit_params({"0.weight": poisoned}, "Poison")
    assert "shape" in document.edit_params({"0.weight": weight[:1]}, "Wrong shape")
    np.testing.assert_array_equal(document.session.network.params["0.weight"], weight)


def test_merged_parameter_edits_undo_as_one_step(document):
    original = document.session.network.params["0.bias"].copy()
    for _ in range(5):
        bias = document.session.network.params["0.bias"].copy()
        bias[0] += 0.1
        document.edit_params({"0.bias": bias}, "Scroll bias", merge_key=("bias", 0))
    assert document.undo_stack.count() == 1
    document.undo_stack.undo()
    np.testing.assert_array_equal(document.session.network.params["0.bias"], original)


def test_a_selection_that_no_longer_exists_is_dropped(qtbot, document):
    document.select(Unit(stage=4, channel=15, y=10, x=10))
    assert document.session.selection is not None
    small = Network.from_spec([{"type": "conv", "out_channels": 2, "kernel": 3}], (1, 28, 28))
    document.set_network(small, "Small network")
    assert document.session.selection is None
    wait_for_result(qtbot, document)
    assert len(document.latest.stages) == 2


def test_the_traced_unit_comes_with_every_result_and_follows_edits(qtbot, document):
    """The player's arithmetic is computed in the worker, for the newest image."""
    document.trace(Unit(1, 2, 5, 7))  # conv layer 0, channel 2
    result = wait_for_result(qtbot, document)
    assert result.trace is not None and result.trace.unit == Unit(1, 2, 5, 7)
    assert result.trace.result == float(result.stages[1][2, 5, 7])
    image = np.zeros((28, 28), np.float32)
    image[4:9, 6:9] = 1.0
    document.edit_image(image, "Paint")
    result = wait_for_result(qtbot, document)
    np.testing.assert_array_equal(result.trace.patch[0], image[5:8, 7:10])
    document.trace(Unit(8, 0, 0, 3))  # the dense output has no dot-product window to show
    assert wait_for_result(qtbot, document).trace is None


def test_a_traced_unit_outside_a_new_pipeline_gives_no_trace_and_no_failure(qtbot, document):
    document.trace(Unit(1, 5, 20, 20))  # conv layer 0 of the default network: 8 channels of 26x26
    assert wait_for_result(qtbot, document).trace is not None
    failures = []
    document.compute_failed.connect(failures.append)
    small = Network.from_spec([{"type": "conv", "out_channels": 2, "kernel": 5}], (1, 28, 28))
    document.set_network(small, "Small network")  # 2 channels of 24x24: the unit is gone
    result = wait_for_result(qtbot, document)
    assert result.trace is None and failures == []


def test_pixel_edits_share_one_read_only_network_copy_until_the_weights_change(qtbot, document, monkeypatch):
    shown = wait_for_result(qtbot, document).network
    monkeypatch.setattr(Network, "copy", lambda self: pytest.fail("a pixel edit copied the network"))
    for col in range(5):
        document.paint(np.array([3]), np.array([col]), np.array([1.0], np.float32))
        assert wait_for_result(qtbot, document).network is shown
    monkeypatch.undo()
    assert not shown.params["0.weight"].flags.writeable  # nobody can change what the worker reads
    kernel = document.session.network.params["0.weight"].copy()
    kernel[0] = 0.5
    assert document.edit_params({"0.weight": kernel}, "Kernel") is None
    edited = wait_for_result(qtbot, document)
    assert edited.network is not shown
    np.testing.assert_array_equal(edited.network.params["0.weight"], kernel)
    assert not np.array_equal(shown.params["0.weight"], kernel)  # the earlier result keeps its weights


def test_trained_weights_written_in_place_reach_the_next_result(qtbot, document):
    shown = wait_for_result(qtbot, document)
    before = shown.network.params["0.bias"].copy()
    trained = {name: array + 0.25 for name, array in document.session.network.params.items()}
    document.adopt_trained_weights(trained)
    result = wait_for_result(qtbot, document)
    np.testing.assert_array_equal(result.network.params["0.bias"], trained["0.bias"])
    np.testing.assert_array_equal(shown.network.params["0.bias"], before)
    expected = document.session.network.activations(document.session.image[0][None, None])[0][0]
    np.testing.assert_array_equal(result.stages[1], expected)


def test_a_selection_or_traced_unit_is_answered_without_running_the_network(qtbot, document):
    computer = document._worker.computer
    painted = np.zeros((28, 28), np.float32)
    painted[8:20, 12:16] = 1.0
    document.edit_image(painted, "Bar")
    computed = wait_for_result(qtbot, document)
    passes = computer.passes
    for x in range(4):  # hovering over units of the second pool
        document.select(Unit(6, 2, 1, x))
        result = wait_for_result(qtbot, document)
        assert result.field is not None and result.field.selection == Unit(6, 2, 1, x)
    document.trace(Unit(4, 3, 2, 2))
    result = wait_for_result(qtbot, document)
    assert result.trace.result == float(computed.stages[4][3, 2, 2])
    assert computer.passes == passes
    assert result.stages is computed.stages and result.inputs_version == computed.inputs_version
    document.paint(np.array([0]), np.array([0]), np.array([1.0], np.float32))
    assert wait_for_result(qtbot, document).stages[0][0, 0, 0] == 1.0
    assert computer.passes == passes + 1


def test_an_edit_is_foreground_work_until_its_result_is_shown_and_trained_weights_are_not(qtbot, document):
    wait_for_result(qtbot, document)
    assert not document.foreground.busy
    seen_busy = []
    document.result_ready.connect(lambda _result: seen_busy.append(document.foreground.busy))
    document.paint(np.array([3]), np.array([4]), np.array([1.0], np.float32))
    assert document.foreground.busy  # the training thread steps aside from now on
    wait_for_result(qtbot, document)
    assert seen_busy[-1] and not document.foreground.busy  # until the views have taken the result
    params = {name: array + 0.01 for name, array in document.session.network.params.items()}
    document.adopt_trained_weights(params)
    assert not document.foreground.busy  # training's own weights: nothing to step aside for
    wait_for_result(qtbot, document)


def test_foreground_work_ends_with_the_last_request_even_when_the_session_moved_on(qtbot, document):
    wait_for_result(qtbot, document)
    document.paint(np.array([5]), np.array([6]), np.array([1.0], np.float32))
    document.session.touch()  # a change that asks for no result: the one on its way is the last
    qtbot.waitUntil(lambda: not document.foreground.busy, timeout=5000)
