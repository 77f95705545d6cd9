"""The convolution player, driven like a lecturer drives it: keys, buttons, clicks and the timer.

The numbers it shows are checked against the lecture's slides (tests/data/slide_examples.json)
cell by cell, and against the engine's own activations for a multi-channel layer.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt

from cnn_desktop.engine import ConvTrace, Network, PoolTrace, Unit
from cnn_desktop.number_text import format_value
from cnn_desktop.ui.player.conv_player import NO_LAYER_HINT, NO_PLAYABLE_HINT, ConvPlayer, ConvPlayerPanel

from .conftest import wait_for_result

SLIDES = json.loads((Path(__file__).parents[1] / "data" / "slide_examples.json").read_text())
IMAGE = np.array(SLIDES["input_image"], dtype=np.float32)
EXAMPLES = {example["name"]: example for example in SLIDES["examples"]}
EDGES = EXAMPLES["horizontal edges"]
EDGE_KERNEL = np.array(EDGES["kernel"], dtype=np.float32)
IDENTITY_PADDED = EXAMPLES["identity kernel, zero padding 1"]
RELU_POOL = ({"type": "relu"}, {"type": "maxpool", "size": 2, "stride": 2})


def slide_network(kernel, padding: int = 0, after=RELU_POOL) -> Network:
    """The lecture's 1x7x7 network: one 3x3 conv (1 output channel, bias 0) carrying ``kernel``, then ``after``."""
    spec = [{"type": "conv", "out_channels": 1, "kernel": 3, "padding": padding}, *after]
    net = Network.from_spec(spec, input_shape=(1, 7, 7), seed=0)
    net.params["0.weight"][...] = np.asarray(kernel, dtype=np.float32)[None, None]
    net.params["0.bias"][...] = 0
    return net


def load_slide(qtbot, document, net: Network):
    document.set_network(net, "Slide example")
    document.edit_image(IMAGE, "Slide image")
    return wait_for_result(qtbot, document)


@pytest.fixture
def player(qtbot, document):
    panel = ConvPlayerPanel(document)
    qtbot.addWidget(panel)
    panel.resize(1400, 330)
    panel.show()
    qtbot.waitExposed(panel)
    panel.activateWindow()
    panel.setFocus()
    return panel


@pytest.fixture
def edges(qtbot, document, player):
    """The player on the lecture's horizontal-edge example (conv -> relu -> maxpool on the 7x7 image)."""
    load_slide(qtbot, document, slide_network(EDGE_KERNEL))
    return player


def box(rect) -> tuple[int, int, int, int]:
    return rect.top, rect.left, rect.bottom, rect.right


def press(qtbot, player, key) -> None:
    player.setFocus()
    qtbot.keyClick(player, key)


def test_the_brief_name_is_the_panel() -> None:
    assert ConvPlayer is ConvPlayerPanel


def test_stepping_through_all_25_cells_shows_the_slide_arithmetic(qtbot, document, edges) -> None:
    player = edges
    assert player.layer_box.currentText() == "layer 0 (conv 3x3)"
    assert player.layer() == 0 and player.cell_count() == 25
    for index in range(25):
        if index:
            press(qtbot, player, Qt.Key.Key_Right)
        y, x = divmod(index, 5)
        assert player.position() == index and player.cell() == (y, x)
        patch = IMAGE[y : y + 3, x : x + 3]
        np.testing.assert_array_equal(player.shown_patch(), patch)
        np.testing.assert_array_equal(player.shown_kernel(), EDGE_KERNEL)
        np.testing.assert_array_equal(player.shown_products(), patch * EDGE_KERNEL)
        conv, relu = EDGES["output"][y][x], EDGES["after_relu"][y][x]
        assert player.sum_text() == f"sum = {conv}"
        assert player.bias_text() == "+ bias 0"
        assert player.result_text() == f"= {conv}"
        assert player.relu_text() == f"ReLU → {relu}"
        assert box(player.window_rect()) == (y, x, y + 2, x + 2)
        # the output map fills in: cells up to this one hold the slide's values, the rest are blank
        shown = player.shown_output().ravel()
        np.testing.assert_array_equal(shown[: index + 1], np.ravel(EDGES["output"])[: index + 1])
        assert np.isnan(shown[index + 1 :]).all()
    np.testing.assert_array_equal(player.shown_output(), EDGES["output"])
    np.testing.assert_array_equal(player.shown_after_relu(), EDGES["after_relu"])
    assert document.session.selection == Unit(1, 0, 4, 4)
    assert player.position_label.text() == "(4, 4)  25/25"


def test_zero_padding_shows_as_zeros_in_the_patch(qtbot, document, player) -> None:
    load_slide(qtbot, document, slide_network(IDENTITY_PADDED["kernel"], padding=1))
    player.set_position(0)
    assert player.input_view.pad() == 1
    assert box(player.window_rect()) == (-1, -1, 1, 1)  # the window reaches into the padding ring
    padding = np.zeros((3, 3), bool)
    padding[0, :] = padding[:, 0] = True
    np.testing.assert_array_equal(player.shown_padding(), padding)
    np.testing.assert_array_equal(player.shown_patch()[padding], 0)
    np.testing.assert_array_equal(player.shown_patch()[1:, 1:], IMAGE[:2, :2])
    assert player.patch_column.title.text() == "patch (pad 0s)"
    press(qtbot, player, Qt.Key.Key_End)
    np.testing.assert_array_equal(player.shown_padding()[2, :], True)
    np.testing.assert_array_equal(player.shown_output(), IDENTITY_PADDED["output"])  # the image comes back


def test_a_multi_channel_layer_lists_partial_sums_that_add_up_to_the_activation(qtbot, document, player) -> None:
    rng = np.random.default_rng(3)
    document.edit_image(rng.random((28, 28)).astype(np.float32), "Noise")
    bias = np.zeros(16, np.float32)
    bias[5] = 0.1
    assert document.edit_params({"3.bias": bias}, "Bias") is None
    result = wait_for_result(qtbot, document)
    player.set_layer(3)  # conv 3x3 with 8 input channels
    player.set_channel(5)
    player.set_position(17)
    y, x = player.cell()
    trace = player.current_trace()
    assert isinstance(trace, ConvTrace) and trace.channel_sums.shape == (8,)
    listed = re.findall(r"channel (\d+): (-?[\d.]+)", player.channel_sums_text())
    assert [int(c) for c, _ in listed] == list(range(8))
    assert [v for _, v in listed] == [format_value(v) for v in trace.channel_sums]
    assert player.channel_sums_text().endswith(f"total {format_value(trace.total)}")
    activation = float(result.stages[4][5, y, x])
    assert trace.channel_sums.sum(dtype=np.float64) + trace.bias == pytest.approx(activation, abs=1e-5)
    assert player.bias_text() == "+ bias 0.1"
    assert player.result_text() == f"= {format_value(activation)}"
    assert player.relu_text() == f"ReLU → {format_value(max(activation, 0.0))}"
    # the input channel chooser swaps the patch and kernel shown, not the sums
    spin = player.in_channel_spin
    spin.setFocus()
    spin.selectAll()
    qtbot.keyClicks(spin, "2")
    qtbot.keyClick(spin, Qt.Key.Key_Return)
    assert player.input_channel() == 2
    layer_input = result.stages[3][2]
    np.testing.assert_array_equal(player.shown_patch(), layer_input[y : y + 3, x : x + 3])
    np.testing.assert_array_equal(player.shown_kernel(), document.session.network.params["3.weight"][5, 2])
    assert player.sum_text() == f"sum = {format_value(trace.channel_sums[2])}"
    np.testing.assert_array_equal(player.input_view.array(), layer_input)


def test_the_max_pool_fills_in_1_3_1_3_and_highlights_every_winner(qtbot, document, edges) -> None:
    player = edges
    player.layer_box.setFocus()
    qtbot.keyClick(player.layer_box, Qt.Key.Key_Down)  # layer 0 (conv) -> layer 2 (maxpool)
    assert player.layer() == 2 and player.cell_count() == 4
    relu = np.array(EDGES["after_relu"], dtype=np.float32)
    expected = np.array(EDGES["after_max_pool_2x2_stride_2"], dtype=np.float32)
    for index in range(4):
        if index:
            press(qtbot, player, Qt.Key.Key_Period)
        y, x = divmod(index, 2)
        window = relu[2 * y : 2 * y + 2, 2 * x : 2 * x + 2]
        assert isinstance(player.current_trace(), PoolTrace)
        np.testing.assert_array_equal(player.shown_patch(), window)
        np.testing.assert_array_equal(player.shown_winners(), window == window.max())
        assert player.result_text() == f"= {format_value(expected[y, x])}"
        shown = player.shown_output().ravel()
        np.testing.assert_array_equal(shown[: index + 1], expected.ravel()[: index + 1])
        assert np.isnan(shown[index + 1 :]).all()
    np.testing.assert_array_equal(player.shown_output(), [[1, 3], [1, 3]])
    player.set_position(0)  # window [[0, 1], [1, 1]]: three cells tie
    assert player.shown_winners().sum() == 3
    assert player.sum_text() == "max(0, 1, 1, 1)" and player.bias_text() == "3 cells tie, all win"
    assert player.kernel_column.isHidden()  # a pool has no kernel


def test_average_pooling_shows_the_sum_over_k_squared(qtbot, document, player) -> None:
    load_slide(qtbot, document, slide_network(EDGE_KERNEL, after=({"type": "avgpool", "size": 2},)))
    player.set_layer(1)
    player.set_position(1)  # window of the conv output [[3, 1], [1, 3]]
    assert player.sum_text() == "sum = 8"
    assert player.bias_text() == "mean = sum / 4"
    assert player.result_text() == "= 2"
    assert player.shown_winners() is None


def test_play_runs_to_the_end_and_pause_stops_the_timer(qtbot, edges) -> None:
    player = edges
    player.set_speed(20)
    assert player.speed_label.text() == "20 cells/s"
    press(qtbot, player, Qt.Key.Key_Home)
    qtbot.mouseClick(player.play_button, Qt.MouseButton.LeftButton)
    assert player.is_playing()
    qtbot.waitUntil(lambda: not player.is_playing(), timeout=5000)
    assert player.position() == 24
    np.testing.assert_array_equal(player.shown_output(), EDGES["output"])

    player.set_speed(8)
    qtbot.mouseClick(player.play_button, Qt.MouseButton.LeftButton)  # from the end: starts over
    qtbot.waitUntil(lambda: 2 <= player.position() < 20, timeout=3000)
    qtbot.mouseClick(player.play_button, Qt.MouseButton.LeftButton)
    assert not player.is_playing()
    stopped = player.position()
    qtbot.wait(300)
    assert player.position() == stopped


def test_slow_play_reveals_each_cell_in_stages(qtbot, edges) -> None:
    player = edges
    player.set_speed(2)  # 5 stages of 100 ms per cell
    player.set_position(0)
    player.play()
    qtbot.waitUntil(lambda: player.position() == 1 and player.substep_name() == "patch", timeout=3000)
    assert np.isnan(player.shown_products()).all() and player.result_text() == ""
    assert np.isnan(player.shown_output()[0, 1])
    qtbot.waitUntil(lambda: player.position() == 1 and player.substep_name() == "sum", timeout=3000)
    np.testing.assert_array_equal(player.shown_products(), IMAGE[0:3, 1:4] * EDGE_KERNEL)
    qtbot.waitUntil(lambda: player.position() == 1 and player.substep_name() == "result", timeout=3000)
    assert player.shown_output()[0, 1] == EDGES["output"][0][1]
    player.pause()


def test_keyboard_steps_jumps_and_plays(qtbot, edges) -> None:
    player = edges
    press(qtbot, player, Qt.Key.Key_End)
    assert player.position() == 24
    press(qtbot, player, Qt.Key.Key_Left)
    assert player.position() == 23
    press(qtbot, player, Qt.Key.Key_Comma)
    assert player.position() == 22
    press(qtbot, player, Qt.Key.Key_Home)
    assert player.position() == 0
    press(qtbot, player, Qt.Key.Key_Left)  # already at the first cell
    assert player.position() == 0
    press(qtbot, player, Qt.Key.Key_Space)
    assert player.is_playing()
    assert player.actions_by_name["play"].text() == "Pause"
    press(qtbot, player, Qt.Key.Key_Space)
    assert not player.is_playing()


def test_detailed_steps_reveal_one_stage_per_key(qtbot, edges) -> None:
    player = edges
    qtbot.mouseClick(player.detailed_box, Qt.MouseButton.LeftButton)
    assert player.is_detailed()
    press(qtbot, player, Qt.Key.Key_Right)  # cell 1, stage "patch"
    assert player.position() == 1 and player.substep_name() == "patch"
    assert np.isnan(player.shown_products()).all() and player.sum_text() == ""
    seen = []
    for _ in range(4):
        press(qtbot, player, Qt.Key.Key_Right)
        seen.append((player.substep_name(), player.sum_text(), player.bias_text(), player.result_text()))
    assert seen == [
        ("products", "", "", ""),
        ("sum", "sum = 1", "", ""),
        ("bias", "sum = 1", "+ bias 0", ""),
        ("result", "sum = 1", "+ bias 0", "= 1"),
    ]
    assert player.shown_output()[0, 1] == 1
    press(qtbot, player, Qt.Key.Key_Left)  # back one stage: the result is hidden again
    assert player.substep_name() == "bias" and np.isnan(player.shown_output()[0, 1])
    qtbot.mouseClick(player.detailed_box, Qt.MouseButton.LeftButton)  # off: everything shows
    assert player.result_text() == "= 1"


def test_clicking_an_output_cell_jumps_there_and_selects_the_unit(qtbot, document, edges) -> None:
    player = edges
    point = player.output_view.cell_rect(2, 3).center().toPoint()
    qtbot.mouseClick(player.output_view, Qt.MouseButton.LeftButton, pos=point)
    assert player.cell() == (2, 3) and player.result_text() == "= -4"
    assert document.session.selection == Unit(1, 0, 2, 3)
    result = wait_for_result(qtbot, document)
    assert result.field is not None and result.field.selection == Unit(1, 0, 2, 3)
    assert player.scrubber.value() == 13
    player.scrubber.setValue(7)  # as dragging the scrubber does
    assert player.cell() == (1, 2) and document.session.selection == Unit(1, 0, 1, 2)


def test_a_unit_selected_elsewhere_moves_the_player(qtbot, document, edges) -> None:
    player = edges
    document.select(Unit(3, 0, 1, 1))  # a max-pool output, e.g. clicked in the feature maps
    assert player.layer() == 2 and player.cell() == (1, 1)
    assert player.result_text() == "= 3"
    assert player.layer_box.currentText() == "layer 2 (maxpool 2x2)"
    document.select(Unit(2, 0, 0, 0))  # a ReLU unit: nothing to play there
    assert player.layer() == 2 and player.cell() == (1, 1)
    document.select(Unit(1, 0, 4, 0))
    assert player.layer() == 0 and player.cell() == (4, 0) and player.result_text() == "= 0"
    assert document.session.selection == Unit(1, 0, 4, 0)  # the player did not answer with another


def test_a_layer_without_a_window_shows_the_hint(qtbot, edges) -> None:
    player = edges
    player.set_layer(1)  # relu
    assert NO_LAYER_HINT in player.hint_text()
    assert not player.actions_by_name["play"].isEnabled()
    press(qtbot, player, Qt.Key.Key_Right)  # nothing to step: no error
    player.set_layer(0)
    assert player.hint_text() == "" and player.result_text() == "= 0"


def test_the_pipeline_changing_under_the_player_falls_back_gracefully(qtbot, document, edges) -> None:
    player = edges
    player.set_layer(2)
    player.set_position(3)
    player.set_speed(20)
    player.play()
    assert document.edit_spec([{"type": "conv", "out_channels": 1, "kernel": 5}], "Only a 5x5 conv") is None
    wait_for_result(qtbot, document)
    assert player.layer() == 0 and player.layer_box.currentText() == "layer 0 (conv 5x5)"
    assert player.cell_count() == 9 and 0 <= player.position() < 9
    assert player.current_trace().patch.shape == (1, 5, 5)
    assert document.edit_spec([{"type": "flatten"}, {"type": "dense", "out_features": 3}], "No conv") is None
    wait_for_result(qtbot, document)
    assert player.hint_text() == NO_PLAYABLE_HINT and not player.is_playing()
    assert player.current_trace() is None
    document.undo_stack.undo()
    wait_for_result(qtbot, document)
    assert player.hint_text() == "" and player.current_trace().patch.shape == (1, 5, 5)


def test_editing_the_kernel_updates_the_cell_shown_live(qtbot, document, edges) -> None:
    player = edges
    player.set_position(6)  # (1, 1)
    assert document.edit_params({"0.weight": np.ones((1, 1, 3, 3), np.float32)}, "Box") is None
    wait_for_result(qtbot, document)
    np.testing.assert_array_equal(player.shown_kernel(), np.ones((3, 3)))
    window = IMAGE[1:4, 1:4]
    assert player.sum_text() == f"sum = {format_value(window.sum())}"
    assert player.position() == 6  # a new result keeps the cell


def test_a_unit_of_a_layer_still_being_computed_is_reached_when_its_result_arrives(qtbot, document, edges) -> None:
    player = edges
    spec = [{"type": "conv", "out_channels": 1, "kernel": 3}, {"type": "relu"}, {"type": "avgpool", "size": 2}]
    assert document.edit_spec(spec, "Average instead of max") is None
    document.select(Unit(3, 0, 1, 0))  # selected before the new result is in
    wait_for_result(qtbot, document)
    assert player.layer() == 2 and player.cell() == (1, 0)
    assert player.bias_text() == "mean = sum / 4"


def test_the_row_fits_a_small_dock_without_overlap(qtbot, edges) -> None:
    player = edges
    player.resize(1024, 300)
    qtbot.waitUntil(lambda: player.player_page.width() < 1100)
    assert player.shown_after_relu() is None  # too narrow for the second map; the ReLU line stays
    assert player.relu_text() == "ReLU → 0"
    widgets = [player.input_column, player.patch_column, player.times_label, player.kernel_column]
    widgets += [player.equals_label, player.products_column, player.sums_widget, player.output_column]
    rights = [w.geometry().right() for w in widgets]
    lefts = [w.geometry().left() for w in widgets]
    assert all(right < left for right, left in zip(rights[:-1], lefts[1:], strict=True))
    assert rights[-1] < player.player_page.width()
    assert player.output_view.cell_size() >= 22  # the 5x5 output still shows its numbers
    assert player.patch_view.cell_size() > player.input_view.cell_size()  # the arithmetic stays the largest


def test_every_control_explains_itself(edges) -> None:
    player = edges
    controls = [player.layer_box, player.channel_spin, player.scrubber, player.speed_slider, player.detailed_box]
    controls += [player.home_button, player.back_button, player.play_button, player.forward_button, player.end_button]
    assert all(control.toolTip() for control in controls)
    assert "Space" in player.play_button.toolTip() and "Right" in player.forward_button.toolTip()
