"""The convolution player, driven like a lecturer drives it: keys, buttons, clicks and the timer.

The numbers it shows are checked against the lecture's slides (tests/data/slide_examples.json)
cell by cell, and against the engine's own activations for a multi-channel layer. What is drawn is
read from the widgets themselves (grid values, label texts, outlines); where the player stands is
read from its :class:`~cnn_desktop.state.player.PlayerState`.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import QSlider

from cnn_desktop.engine import ConvTrace, Network, PoolTrace, Unit
from cnn_desktop.number_text import format_value
from cnn_desktop.state.player_steps import SPEEDS
from cnn_desktop.ui.player.conv_player import NO_LAYER_HINT, NO_PLAYABLE_HINT, ConvPlayerPanel
from cnn_desktop.ui.player.player_widgets import WINDOW_COLOUR

from .conftest import wait_for_result
from .paint_counter import PaintCounter, flush

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
    drawn(qtbot, player)
    return player


def drawn(qtbot, player) -> ConvTrace | PoolTrace:
    """Wait until the worker's trace of the unit the player stands on is in and drawn; return it."""
    wait_for_result(qtbot, player.document)
    qtbot.waitUntil(lambda: player.current_trace() is not None, timeout=5000)
    return player.current_trace()


def press(qtbot, player, key) -> None:
    player.setFocus()
    qtbot.keyClick(player, key)
    drawn(qtbot, player)


def click(qtbot, player, name: str) -> None:
    qtbot.mouseClick(player.controls.buttons_by_name[name], Qt.MouseButton.LeftButton)


def choose_speed(qtbot, player, cells_per_second: float) -> None:
    """Move the speed slider step by step, as its arrows and page clicks do."""
    slider = player.controls.speed_slider
    slider.triggerAction(QSlider.SliderAction.SliderToMinimum)
    for _ in range(SPEEDS.index(cells_per_second)):
        slider.triggerAction(QSlider.SliderAction.SliderSingleStepAdd)
    assert player.state.speed == cells_per_second


def lines(player) -> tuple[str, str, str, str]:
    """The sum, bias, result and ReLU lines of the sums column."""
    sums = player.row.sums
    return sums.sum_label.text(), sums.bias_label.text(), sums.result_label.text(), sums.relu_label.text()


def window_box(player) -> tuple[int, int, int, int]:
    """(top, left, bottom, right) of the window outlined on the input."""
    rect = player.row.input_view.overlays()[0]
    return rect.top, rect.left, rect.bottom, rect.right


def winners(player) -> np.ndarray:
    """(k, k) bool: the window cells outlined as max-pool winners."""
    mask = np.zeros(player.row.patch_view.array().shape, bool)
    for rect in player.row.patch_view.overlays():
        mask[rect.top, rect.left] = True
    return mask


def hint(player) -> str:
    return player.hint_label.text() if player.stack.currentWidget() is player.hint_label else ""


def test_stepping_through_all_25_cells_shows_the_slide_arithmetic(qtbot, document, edges) -> None:
    player, row = edges, edges.row
    assert player.controls.layer_box.currentText() == "layer 0 (conv 3x3)"
    assert player.state.layer == 0 and player.state.cell_count() == 25
    for index in range(25):
        if index:
            press(qtbot, player, Qt.Key.Key_Right)
        y, x = divmod(index, 5)
        assert player.state.position == index and player.state.cell() == (y, x)
        patch = IMAGE[y : y + 3, x : x + 3]
        np.testing.assert_array_equal(row.patch_view.array(), patch)
        np.testing.assert_array_equal(row.kernel_view.array(), EDGE_KERNEL)
        np.testing.assert_array_equal(row.products_view.array(), patch * EDGE_KERNEL)
        conv, relu = EDGES["output"][y][x], EDGES["after_relu"][y][x]
        assert lines(player) == (f"sum = {conv}", "+ bias 0", f"= {conv}", f"ReLU → {relu}")
        assert window_box(player) == (y, x, y + 2, x + 2)
        # the output map fills in: cells up to this one hold the slide's values, the rest are blank
        shown = row.output_view.array().ravel()
        np.testing.assert_array_equal(shown[: index + 1], np.ravel(EDGES["output"])[: index + 1])
        assert np.isnan(shown[index + 1 :]).all()
    np.testing.assert_array_equal(row.output_view.array(), EDGES["output"])
    np.testing.assert_array_equal(row.relu_view.array(), EDGES["after_relu"])
    assert not row.relu_column.isHidden()
    assert document.session.selection == Unit(1, 0, 4, 4)
    assert player.controls.position_label.text() == "(4, 4)  25/25"


def test_the_arithmetic_is_traced_by_the_worker_never_on_the_ui_thread(qtbot, document, edges, monkeypatch) -> None:
    player = edges
    on_ui_thread = []
    traced = ConvTrace.__init__

    def recording_init(self, *args, **kwargs):
        on_ui_thread.append(threading.current_thread() is threading.main_thread())
        traced(self, *args, **kwargs)

    monkeypatch.setattr(ConvTrace, "__init__", recording_init)
    for _ in range(3):
        press(qtbot, player, Qt.Key.Key_Right)
    assert on_ui_thread and not any(on_ui_thread)
    assert lines(player)[2] == f"= {EDGES['output'][0][3]}"


def test_zero_padding_shows_as_zeros_in_the_patch(qtbot, document, player) -> None:
    load_slide(qtbot, document, slide_network(IDENTITY_PADDED["kernel"], padding=1))
    press(qtbot, player, Qt.Key.Key_Home)
    row = player.row
    assert row.input_view.pad() == 1
    assert window_box(player) == (-1, -1, 1, 1)  # the window reaches into the padding ring
    padding = np.zeros((3, 3), bool)
    padding[0, :] = padding[:, 0] = True
    np.testing.assert_array_equal(row.patch_view.highlight(), padding)
    np.testing.assert_array_equal(row.patch_view.array()[padding], 0)
    np.testing.assert_array_equal(row.patch_view.array()[1:, 1:], IMAGE[:2, :2])
    assert row.patch_column.title.text() == "patch (pad 0s)"
    press(qtbot, player, Qt.Key.Key_End)
    np.testing.assert_array_equal(row.patch_view.highlight()[2, :], True)
    np.testing.assert_array_equal(row.output_view.array(), IDENTITY_PADDED["output"])  # the image comes back


def test_a_multi_channel_layer_lists_partial_sums_that_add_up_to_the_activation(qtbot, document, player) -> None:
    rng = np.random.default_rng(3)
    document.edit_image(rng.random((28, 28)).astype(np.float32), "Noise")
    bias = np.zeros(16, np.float32)
    bias[5] = 0.1
    assert document.edit_params({"3.bias": bias}, "Bias") is None
    wait_for_result(qtbot, document)
    document.select(Unit(4, 5, 1, 6))  # conv 3x3 with 8 input channels, e.g. clicked in the feature maps
    trace = drawn(qtbot, player)
    result = document.latest
    assert (player.state.layer, player.state.channel, player.state.position) == (3, 5, 17)
    assert isinstance(trace, ConvTrace) and trace.channel_sums.shape == (8,)
    entries, total = player.row.sums.channel_sums_view.entries()
    assert entries == [f"ch {c}: {format_value(v)}" for c, v in enumerate(trace.channel_sums)]
    assert total == f"total = {format_value(trace.total)}"
    activation = float(result.stages[4][5, 1, 6])
    assert trace.channel_sums.sum(dtype=np.float64) + trace.bias == pytest.approx(activation, abs=1e-5)
    _, bias_line, result_line, relu_line = lines(player)
    assert bias_line == "+ bias 0.1"
    assert result_line == f"= {format_value(activation)}"
    assert relu_line == f"ReLU → {format_value(max(activation, 0.0))}"
    # the input channel chooser swaps the patch and kernel shown, not the sums
    spin = player.controls.in_channel_spin
    spin.setFocus()
    spin.selectAll()
    qtbot.keyClicks(spin, "2")
    qtbot.keyClick(spin, Qt.Key.Key_Return)
    assert player.state.in_channel == 2
    layer_input = result.stages[3][2]
    np.testing.assert_array_equal(player.row.patch_view.array(), layer_input[1:4, 6:9])
    np.testing.assert_array_equal(player.row.kernel_view.array(), document.session.network.params["3.weight"][5, 2])
    assert lines(player)[0] == f"sum = {format_value(trace.channel_sums[2])}"
    np.testing.assert_array_equal(player.row.input_view.array(), layer_input)


def test_the_max_pool_fills_in_1_3_1_3_and_highlights_every_winner(qtbot, document, edges) -> None:
    player, row = edges, edges.row
    player.controls.layer_box.setFocus()
    qtbot.keyClick(player.controls.layer_box, Qt.Key.Key_Down)  # layer 0 (conv) -> layer 2 (maxpool)
    drawn(qtbot, player)
    assert player.state.layer == 2 and player.state.cell_count() == 4
    relu = np.array(EDGES["after_relu"], dtype=np.float32)
    expected = np.array(EDGES["after_max_pool_2x2_stride_2"], dtype=np.float32)
    for index in range(4):
        if index:
            press(qtbot, player, Qt.Key.Key_Period)
        y, x = divmod(index, 2)
        window = relu[2 * y : 2 * y + 2, 2 * x : 2 * x + 2]
        assert isinstance(player.current_trace(), PoolTrace)
        np.testing.assert_array_equal(row.patch_view.array(), window)
        np.testing.assert_array_equal(winners(player), window == window.max())
        assert lines(player)[2] == f"= {format_value(expected[y, x])}"
        shown = row.output_view.array().ravel()
        np.testing.assert_array_equal(shown[: index + 1], expected.ravel()[: index + 1])
        assert np.isnan(shown[index + 1 :]).all()
    np.testing.assert_array_equal(row.output_view.array(), [[1, 3], [1, 3]])
    press(qtbot, player, Qt.Key.Key_Home)  # window [[0, 1], [1, 1]]: three cells tie
    assert winners(player).sum() == 3
    assert lines(player)[:2] == ("max(0, 1, 1, 1)", "3 cells tie, all win")
    assert row.kernel_column.isHidden()  # a pool has no kernel


def test_average_pooling_shows_the_sum_over_k_squared(qtbot, document, player) -> None:
    load_slide(qtbot, document, slide_network(EDGE_KERNEL, after=({"type": "avgpool", "size": 2},)))
    player.controls.layer_box.setFocus()
    qtbot.keyClick(player.controls.layer_box, Qt.Key.Key_Down)
    drawn(qtbot, player)
    press(qtbot, player, Qt.Key.Key_Right)  # window of the conv output [[3, 1], [1, 3]]
    assert player.state.unit() == Unit(2, 0, 0, 1)
    assert lines(player)[:3] == ("sum = 8", "mean = sum / 4", "= 2")
    assert not winners(player).any()


def test_play_runs_to_the_end_and_pause_stops_the_timer(qtbot, edges) -> None:
    player = edges
    choose_speed(qtbot, player, 20)
    assert player.controls.speed_label.text() == "20 cells/s"
    press(qtbot, player, Qt.Key.Key_Home)
    click(qtbot, player, "play")
    assert player.is_playing() and player.controls.actions_by_name["play"].text() == "Pause"
    qtbot.waitUntil(lambda: not player.is_playing(), timeout=5000)
    assert player.state.position == 24
    drawn(qtbot, player)
    np.testing.assert_array_equal(player.row.output_view.array(), EDGES["output"])

    choose_speed(qtbot, player, 8)
    click(qtbot, player, "play")  # from the end: starts over
    qtbot.waitUntil(lambda: 2 <= player.state.position < 20, timeout=3000)
    click(qtbot, player, "play")
    assert not player.is_playing() and player.controls.actions_by_name["play"].text() == "Play"
    stopped = player.state.position
    qtbot.wait(300)
    assert player.state.position == stopped


def test_slow_play_reveals_each_cell_in_stages(qtbot, edges) -> None:
    player, row = edges, edges.row
    choose_speed(qtbot, player, 1)  # 5 stages of 200 ms per cell
    press(qtbot, player, Qt.Key.Key_Home)
    player.setFocus()
    qtbot.keyClick(player, Qt.Key.Key_Space)

    def showing(stage: str) -> bool:
        return player.state.unit() == Unit(1, 0, 0, 1) and player.state.substep_name() == stage

    qtbot.waitUntil(lambda: showing("patch") and player.current_trace() is not None, timeout=3000)
    assert np.isnan(row.products_view.array()).all() and lines(player)[2] == ""
    assert np.isnan(row.output_view.array()[0, 1])
    qtbot.waitUntil(lambda: showing("sum"), timeout=3000)
    np.testing.assert_array_equal(row.products_view.array(), IMAGE[0:3, 1:4] * EDGE_KERNEL)
    qtbot.waitUntil(lambda: showing("result"), timeout=3000)
    assert row.output_view.array()[0, 1] == EDGES["output"][0][1]
    qtbot.keyClick(player, Qt.Key.Key_Space)
    assert not player.is_playing()


def test_keyboard_steps_jumps_and_plays(qtbot, edges) -> None:
    player = edges
    press(qtbot, player, Qt.Key.Key_End)
    assert player.state.position == 24
    press(qtbot, player, Qt.Key.Key_Left)
    assert player.state.position == 23
    press(qtbot, player, Qt.Key.Key_Comma)
    assert player.state.position == 22
    press(qtbot, player, Qt.Key.Key_Home)
    assert player.state.position == 0
    press(qtbot, player, Qt.Key.Key_Left)  # already at the first cell
    assert player.state.position == 0
    player.setFocus()
    qtbot.keyClick(player, Qt.Key.Key_Space)
    assert player.is_playing()
    assert player.controls.actions_by_name["play"].text() == "Pause"
    qtbot.keyClick(player, Qt.Key.Key_Space)
    assert not player.is_playing()


def test_the_toolbar_buttons_step_and_jump(qtbot, edges) -> None:
    player = edges
    for name, expected in (("end", 24), ("back", 23), ("home", 0), ("forward", 1)):
        click(qtbot, player, name)
        drawn(qtbot, player)
        assert player.state.position == expected, name
    assert lines(player)[2] == f"= {EDGES['output'][0][1]}"


def test_detailed_steps_reveal_one_stage_per_key(qtbot, edges) -> None:
    player, row = edges, edges.row
    qtbot.mouseClick(player.controls.detailed_box, Qt.MouseButton.LeftButton)
    assert player.state.detailed
    press(qtbot, player, Qt.Key.Key_Right)  # cell 1, stage "patch"
    assert player.state.position == 1 and player.state.substep_name() == "patch"
    assert np.isnan(row.products_view.array()).all() and lines(player)[0] == ""
    seen = []
    for _ in range(4):
        press(qtbot, player, Qt.Key.Key_Right)
        seen.append((player.state.substep_name(), *lines(player)[:3]))
    assert seen == [
        ("products", "", "", ""),
        ("sum", "sum = 1", "", ""),
        ("bias", "sum = 1", "+ bias 0", ""),
        ("result", "sum = 1", "+ bias 0", "= 1"),
    ]
    assert row.output_view.array()[0, 1] == 1
    press(qtbot, player, Qt.Key.Key_Left)  # back one stage: the result is hidden again
    assert player.state.substep_name() == "bias" and np.isnan(row.output_view.array()[0, 1])
    qtbot.mouseClick(player.controls.detailed_box, Qt.MouseButton.LeftButton)  # off: everything shows
    assert lines(player)[2] == "= 1"


def test_clicking_an_output_cell_jumps_there_and_selects_the_unit(qtbot, document, edges) -> None:
    player = edges
    point = player.row.output_view.cell_rect(2, 3).center().toPoint()
    qtbot.mouseClick(player.row.output_view, Qt.MouseButton.LeftButton, pos=point)
    assert player.state.cell() == (2, 3)
    assert document.session.selection == Unit(1, 0, 2, 3)
    drawn(qtbot, player)
    assert lines(player)[2] == "= -4"
    result = document.latest
    assert result.field is not None and result.field.selection == Unit(1, 0, 2, 3)
    assert player.controls.scrubber.value() == 13
    player.controls.scrubber.setValue(7)  # as dragging the scrubber does
    assert player.state.cell() == (1, 2) and document.session.selection == Unit(1, 0, 1, 2)


def test_a_unit_selected_elsewhere_moves_the_player(qtbot, document, edges) -> None:
    player = edges
    document.select(Unit(3, 0, 1, 1))  # a max-pool output, e.g. clicked in the feature maps
    assert player.state.layer == 2 and player.state.cell() == (1, 1)
    drawn(qtbot, player)
    assert lines(player)[2] == "= 3"
    assert player.controls.layer_box.currentText() == "layer 2 (maxpool 2x2)"
    document.select(Unit(2, 0, 0, 0))  # a ReLU unit: nothing to play there
    assert player.state.layer == 2 and player.state.cell() == (1, 1)
    document.select(Unit(1, 0, 4, 0))
    assert player.state.layer == 0 and player.state.cell() == (4, 0)
    drawn(qtbot, player)
    assert lines(player)[2] == "= 0"
    assert document.session.selection == Unit(1, 0, 4, 0)  # the player did not answer with another


def test_a_layer_without_a_window_shows_the_hint(qtbot, document, edges) -> None:
    player = edges
    player.set_layer(1)  # relu, as the lesson mode asks for a layer by index
    assert NO_LAYER_HINT in hint(player)
    assert not player.controls.actions_by_name["play"].isEnabled()
    player.setFocus()
    qtbot.keyClick(player, Qt.Key.Key_Right)  # nothing to step
    assert player.state.layer == 1 and player.state.unit() is None
    assert wait_for_result(qtbot, document).trace is None  # nothing is traced for it
    player.controls.layer_box.setFocus()
    qtbot.keyClick(player.controls.layer_box, Qt.Key.Key_Home)
    drawn(qtbot, player)
    assert hint(player) == "" and lines(player)[2] == "= 0"


def test_the_pipeline_changing_under_the_player_falls_back_gracefully(qtbot, document, edges) -> None:
    player = edges
    document.select(Unit(3, 0, 1, 1))
    choose_speed(qtbot, player, 20)
    click(qtbot, player, "play")  # from the last cell: starts over
    assert document.edit_spec([{"type": "conv", "out_channels": 1, "kernel": 5}], "Only a 5x5 conv") is None
    trace = drawn(qtbot, player)
    assert player.state.layer == 0 and player.controls.layer_box.currentText() == "layer 0 (conv 5x5)"
    assert player.state.cell_count() == 9 and 0 <= player.state.position < 9
    assert trace.patch.shape == (1, 5, 5) and player.row.kernel_view.array().shape == (5, 5)
    assert document.edit_spec([{"type": "flatten"}, {"type": "dense", "out_features": 3}], "No conv") is None
    wait_for_result(qtbot, document)
    assert hint(player) == NO_PLAYABLE_HINT and not player.is_playing()
    assert player.current_trace() is None
    document.undo_stack.undo()
    assert drawn(qtbot, player).patch.shape == (1, 5, 5) and hint(player) == ""


def test_editing_the_kernel_updates_the_cell_shown_live(qtbot, document, edges) -> None:
    player = edges
    player.controls.scrubber.setValue(6)  # (1, 1)
    drawn(qtbot, player)
    assert document.edit_params({"0.weight": np.ones((1, 1, 3, 3), np.float32)}, "Box") is None
    drawn(qtbot, player)
    np.testing.assert_array_equal(player.row.kernel_view.array(), np.ones((3, 3)))
    assert lines(player)[0] == f"sum = {format_value(IMAGE[1:4, 1:4].sum())}"
    assert player.state.position == 6  # a new result keeps the cell


def test_a_unit_of_a_layer_still_being_computed_is_reached_when_its_result_arrives(qtbot, document, edges) -> None:
    player = edges
    spec = [{"type": "conv", "out_channels": 2, "kernel": 3}, {"type": "relu"}, {"type": "avgpool", "size": 2}]
    assert document.edit_spec(spec, "Two filters, average instead of max") is None
    document.select(Unit(3, 1, 1, 0))  # channel 1 exists only in the result on its way
    drawn(qtbot, player)
    assert player.state.unit() == Unit(3, 1, 1, 0)
    assert lines(player)[1] == "mean = sum / 4"


def test_the_row_fits_a_small_dock_without_overlap(qtbot, edges) -> None:
    player, row = edges, edges.row
    player.resize(1024, 300)
    qtbot.waitUntil(lambda: row.width() < 1100)
    assert row.relu_column.isHidden()  # too narrow for the second map; the ReLU line stays
    assert lines(player)[3] == "ReLU → 0"
    widgets = [row.input_column, row.patch_column, row.times_label, row.kernel_column]
    widgets += [row.equals_label, row.products_column, row.sums, row.output_column]
    rights = [w.geometry().right() for w in widgets]
    lefts = [w.geometry().left() for w in widgets]
    assert all(right < left for right, left in zip(rights[:-1], lefts[1:], strict=True))
    assert rights[-1] < row.width()
    assert row.output_view.cell_size() >= 22  # the 5x5 output still shows its numbers
    assert row.patch_view.cell_size() > row.input_view.cell_size()  # the arithmetic stays the largest


def test_every_control_explains_itself(edges) -> None:
    controls = edges.controls
    widgets = [controls.layer_box, controls.channel_spin, controls.scrubber, controls.speed_slider]
    widgets += [controls.detailed_box, *controls.buttons_by_name.values()]
    assert all(widget.toolTip() for widget in widgets)
    assert "Space" in controls.buttons_by_name["play"].toolTip()
    assert "Right" in controls.buttons_by_name["forward"].toolTip()


def test_a_recorded_frame_waits_until_its_cell_is_drawn(qtbot, document, edges) -> None:
    """The GIF export moves the player and draws it at once: the cell's arithmetic must be in by then."""
    player = edges
    player.set_position(7)
    assert document.traced == Unit(1, 0, 1, 2)
    assert player.wait_until_drawn()
    assert lines(player)[2] == f"= {EDGES['output'][1][2]}" and window_box(player) == (1, 2, 3, 4)
    player.set_layer(1)  # nothing to draw: no waiting
    assert not player.wait_until_drawn(timeout_ms=100)


def test_an_edit_outside_the_window_repaints_only_the_input_and_once(qtbot, document, edges) -> None:
    player = edges
    row = player.row
    views = {
        "input": row.input_view,
        "patch": row.patch_view,
        "kernel": row.kernel_view,
        "products": row.products_view,
        "output": row.output_view,
        "sums": row.sums.channel_sums_view,
    }
    counters = {name: PaintCounter(view) for name, view in views.items()}
    tips = PaintCounter(row.input_view, QEvent.Type.ToolTipChange)
    flush()
    for counter in (*counters.values(), tips):
        counter.settle()
    assert window_box(player) == (0, 0, 2, 2)
    document.begin_stroke()
    document.paint(np.array([6]), np.array([6]), np.array([1.0 - IMAGE[6, 6]], np.float32))
    document.end_stroke("A pixel far from the window")
    drawn(qtbot, player)
    painted = {name: counter.settle() for name, counter in counters.items()}
    assert painted == {name: 1 if name == "input" else 0 for name in views}
    assert tips.settle() == 0  # the same tool tip is not set again
    assert row.input_view.array()[6, 6] == 1.0 - IMAGE[6, 6]


def test_a_narrow_player_moves_its_speed_controls_to_a_second_row_and_clips_nothing(qtbot, document) -> None:
    from PySide6.QtWidgets import QWidget

    from .conftest import show_widget

    panel = show_widget(qtbot, ConvPlayerPanel(document), 1400, 320)
    controls = panel.controls
    assert controls.speed_group.geometry().top() == controls.layer_box.geometry().top()  # one row when wide
    panel.resize(560, 320)
    qtbot.waitUntil(lambda: controls.speed_group.geometry().top() > controls.layer_box.geometry().bottom())
    assert panel.minimumSizeHint().width() <= 560
    for child in controls.findChildren(QWidget):
        if child.isVisible() and child.parentWidget() in (controls, controls.speed_group):
            box = child.geometry().translated(child.parentWidget().mapTo(controls, child.pos()) - child.pos())
            assert controls.rect().contains(box), child


def colour_network(seed: int) -> tuple[np.ndarray, Network]:
    """A random 3x6x6 picture (multiples of 1/4) and a conv 3x3 on it with whole weights and bias 0.5,
    so every product and sum is exact and its text can be compared with an independent one."""
    rng = np.random.default_rng(seed)
    image = rng.integers(0, 5, (3, 6, 6)).astype(np.float32) / 4
    net = Network.from_spec([{"type": "conv", "out_channels": 1, "kernel": 3}, {"type": "relu"}], (3, 6, 6), seed=0)
    net.params["0.weight"][...] = rng.integers(-2, 3, (1, 3, 3, 3))
    net.params["0.bias"][...] = 0.5
    return image, net


def channel_rows_shown(player) -> list[tuple[str, np.ndarray, np.ndarray, np.ndarray, str]]:
    """(name, patch, kernel slice, products, dot product text) of each channel row on screen."""
    rows = player.row.channel_rows
    assert rows.isVisible() and not player.row.patch_column.isVisible()
    return [
        (row.name.text(), row.patch.array(), row.kernel.array(), row.products.array(), row.dot.text())
        for row in rows.shown_rows()
        if row.patch.isVisible()
    ]


def test_a_colour_picture_shows_red_green_and_blue_rows_with_the_users_numbers(qtbot, document, player) -> None:
    image, net = colour_network(5)
    weights = net.params["0.weight"][0].astype(np.float64)
    assert document.set_state(image, net, Unit(1, 0, 0, 0), "Colour") is None
    drawn(qtbot, player)
    for position in range(4):  # cells (0, 0) to (0, 3): one step per key press, the last by the button
        if position == 3:
            click(qtbot, player, "forward")
            drawn(qtbot, player)
        elif position:
            press(qtbot, player, Qt.Key.Key_Right)
        y, x = divmod(position, 4)
        assert player.state.position == position
        total = 0.0
        rows = channel_rows_shown(player)
        assert [row[0] for row in rows] == ["red", "green", "blue"]
        for c, (_, patch, kernel, products, dot) in enumerate(rows):
            expected_patch = np.array([[image[c, y + i, x + j] for j in range(3)] for i in range(3)])
            expected_products = expected_patch * weights[c]
            dot_product = sum(expected_products[i, j] for i in range(3) for j in range(3))
            total += dot_product
            np.testing.assert_array_equal(patch, expected_patch)
            np.testing.assert_array_equal(kernel, weights[c])
            np.testing.assert_array_equal(products, expected_products)
            assert dot == f"→ {format_value(dot_product)}"
        value = total + 0.5
        assert lines(player) == (
            f"sum = {format_value(total)}",
            "+ bias 0.5",
            f"= {format_value(value)}",
            f"ReLU → {format_value(max(value, 0.0))}",
        )
        assert not player.row.sums.channel_sums_view.isVisible()  # the rows hold the channels' sums


def test_detailed_steps_on_a_colour_picture_reveal_red_green_and_blue_one_key_at_a_time(
    qtbot, document, player
) -> None:
    from cnn_desktop.lesson import SCENE_TITLES, builtin_scenes

    scene = builtin_scenes()[SCENE_TITLES.index("A colour picture (depth 3)")].session
    assert document.set_state(scene.image, scene.network, Unit(1, 0, 0, 1), "Depth scene") is None
    drawn(qtbot, player)
    qtbot.mouseClick(player.controls.detailed_box, Qt.MouseButton.LeftButton)
    press(qtbot, player, Qt.Key.Key_Right)  # cell (0, 2), stage "patch": patches and slices, no products
    assert player.state.position == 2 and player.state.substep_name() == "patch"
    seen = []
    for _ in range(7):
        rows = channel_rows_shown(player)
        products_shown = [not np.isnan(products).all() for *_, products, _ in rows]
        seen.append((player.state.substep_name(), products_shown, [row[4] for row in rows], *lines(player)[:3]))
        press(qtbot, player, Qt.Key.Key_Right)
    assert seen == [
        ("patch", [False, False, False], ["", "", ""], "", "", ""),
        ("products", [True, False, False], ["→ 6", "", ""], "", "", ""),
        ("products 1", [True, True, False], ["→ 6", "→ 0", ""], "", "", ""),
        ("products 2", [True, True, True], ["→ 6", "→ 0", "→ 0"], "", "", ""),
        ("sum", [True, True, True], ["→ 6", "→ 0", "→ 0"], "sum = 6", "", ""),
        ("bias", [True, True, True], ["→ 6", "→ 0", "→ 0"], "sum = 6", "+ bias 0", ""),
        ("result", [True, True, True], ["→ 6", "→ 0", "→ 0"], "sum = 6", "+ bias 0", "= 6"),
    ]
    np.testing.assert_array_equal(channel_rows_shown(player)[0][1], scene.image[0, 0:3, 2:5])
    assert player.state.position == 3  # the seventh key went on to the next cell


def test_the_input_column_follows_the_channel_whose_products_come_in(qtbot, document, player) -> None:
    from cnn_desktop.lesson import SCENE_TITLES, builtin_scenes

    scene = builtin_scenes()[SCENE_TITLES.index("A colour picture (depth 3)")].session
    assert document.set_state(scene.image, scene.network, Unit(1, 0, 0, 2), "Depth scene") is None
    drawn(qtbot, player)
    assert player.row.input_column.title.text().startswith("input, red")
    spin = player.controls.in_channel_spin
    spin.setFocus()
    spin.selectAll()
    qtbot.keyClicks(spin, "1")
    qtbot.keyClick(spin, Qt.Key.Key_Return)
    np.testing.assert_array_equal(player.row.input_view.array(), scene.image[1])
    assert player.row.input_column.title.text().startswith("input, green")
    marked = [WINDOW_COLOUR.name() in row.name.styleSheet() for row in player.row.channel_rows.shown_rows()]
    assert marked == [False, True, False]  # the green row's name is outlined like the window


@pytest.mark.parametrize("size", [(600, 200), (1400, 330), (1900, 420)])
def test_the_channel_rows_fit_small_and_large_players_without_overlap(qtbot, document, player, size) -> None:
    image, net = colour_network(7)
    assert document.set_state(image, net, Unit(1, 0, 1, 1), "Colour") is None
    drawn(qtbot, player)
    player.resize(*size)
    qtbot.waitUntil(lambda: player.row.width() > 0 and player.row.channel_rows.width() > 0)
    rows = player.row.channel_rows
    boxes = [widget.geometry().translated(rows.pos()) for row in rows.shown_rows() for widget in row.widgets()]
    for index, box in enumerate(boxes):
        assert player.row.rect().contains(box), box
        assert not any(box.intersects(other) for other in boxes[index + 1 :]), box
    for widget in (player.row.input_column, player.row.sums, player.row.output_column):
        assert not widget.geometry().intersects(rows.geometry()), widget
    cells = [grid.cell_size() for row in rows.shown_rows() for grid in row.grids()]
    assert min(cells) >= 8 and len(set(cells)) == 1  # every grid's cells alike
    if size[1] >= 330:
        assert min(cells) >= 22  # large enough for their numbers
