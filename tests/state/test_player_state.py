"""The convolution player's playback model, without a display: where it stands and how it moves."""

from __future__ import annotations

import pytest

from cnn_desktop.engine import Network, Unit
from cnn_desktop.number_text import format_value
from cnn_desktop.state.player import PlayerState
from cnn_desktop.state.player_steps import CONV_STEPS, MAXPOOL_STEPS

LECTURE = [
    {"type": "conv", "out_channels": 2, "kernel": 3},  # 2x5x5
    {"type": "relu"},
    {"type": "maxpool", "size": 2, "stride": 2},  # 2x2x2
]


def lecture_network(spec=LECTURE) -> Network:
    return Network.from_spec(spec, input_shape=(1, 7, 7), seed=0)


@pytest.fixture
def state() -> PlayerState:
    """On the lecture's 7x7 network, which the first result brings: conv layer 0, cell 0."""
    player = PlayerState()
    player.adopt(lecture_network())
    return player


def test_the_first_network_puts_the_player_on_the_first_playable_layer(state) -> None:
    assert (state.layer, state.channel, state.position) == (0, 0, 0)
    assert state.unit() == Unit(1, 0, 0, 0) and state.cell_count() == 25
    assert state.substep_name() == "result" and state.revealed() == CONV_STEPS


def test_nothing_is_shown_before_a_network(state) -> None:
    empty = PlayerState()
    assert empty.unit() is None and empty.cell_count() == 0 and not empty.can_play()
    assert empty.step(1) is None and empty.play() is None and not empty.playing
    assert empty.set_layer(2) is None and empty.layer == 2  # remembered for the first network
    empty.adopt(lecture_network())
    assert empty.unit() == Unit(3, 0, 0, 0)


def test_steps_move_by_cells_and_stop_at_the_ends(state) -> None:
    assert state.step(1) == Unit(1, 0, 0, 1)
    assert state.step(5) == Unit(1, 0, 1, 1) and state.cell() == (1, 1)
    assert state.step(-100) == Unit(1, 0, 0, 0)
    assert state.step(-1) is None  # already on the first cell: nothing to announce
    assert state.set_position(-1) == Unit(1, 0, 4, 4) and state.position == 24
    assert state.step(1) is None and state.position == 24


def test_detailed_steps_walk_the_reveal_stages_across_cells(state) -> None:
    state.set_detailed(True)
    assert state.step(1) == Unit(1, 0, 0, 1) and state.substep_name() == "patch"
    assert state.step(1) is None and state.substep_name() == "products"  # same unit: no new selection
    assert state.revealed() == ("patch", "products")
    state.step(-2)
    assert state.position == 0 and state.substep_name() == "result"
    state.step(1)
    state.set_detailed(False)  # leaving detailed steps reveals the whole cell
    assert state.position == 1 and state.substep_name() == "result"


def test_a_jump_reveals_the_whole_cell_and_a_click_names_its_row_and_column(state) -> None:
    state.set_detailed(True)
    state.step(1)
    assert state.set_cell(3, 2) == Unit(1, 0, 3, 2) and state.position == 17
    assert state.substep_name() == "result"
    assert state.set_position(17) == Unit(1, 0, 3, 2)  # a jump asks for its unit even where it stands


def test_playing_ticks_to_the_end_and_stops(state) -> None:
    state.set_speed(20)
    state.set_position(22)
    assert state.play() is None and state.playing and not state.staged_play
    assert state.tick() == Unit(1, 0, 4, 3)
    assert state.tick() == Unit(1, 0, 4, 4) and not state.playing
    assert state.play() == Unit(1, 0, 0, 0) and state.playing  # from the end, it starts over
    state.pause()
    assert not state.playing and state.tick_interval_ms() == 50


def test_slow_play_reveals_each_cell_in_stages(state) -> None:
    state.set_speed(2)
    state.play()
    assert state.staged_play and state.position == 0
    assert state.tick() == Unit(1, 0, 0, 1) and state.substep_name() == "patch"
    assert state.tick() is None and state.substep_name() == "products"
    assert state.tick_interval_ms() == 100  # 2 cells/s, 5 stages each
    state.set_speed(100)  # clamped to the fastest, and no longer staged
    assert state.speed == 20 and not state.staged_play


def test_channels_are_clamped_and_a_pool_shows_its_own_input_channel(state) -> None:
    assert state.set_channel(7) == Unit(1, 1, 0, 0)
    state.set_input_channel(3)
    assert state.in_channel == 0  # the input image has one channel
    state.set_layer(2)
    state.set_channel(1)
    assert state.is_pool() and state.in_channel == 1
    state.set_input_channel(0)
    assert state.in_channel == 1
    assert state.revealed() == MAXPOOL_STEPS


def test_a_layer_without_a_window_is_kept_with_nothing_to_play(state) -> None:
    state.set_speed(20)
    state.play()
    assert state.set_layer(1) is None  # the ReLU
    assert state.layer == 1 and not state.can_play() and not state.playing and state.unit() is None
    assert state.step(1) is None and state.set_position(3) is None
    state.adopt(lecture_network())  # a new result keeps the layer asked for
    assert state.layer == 1
    assert state.set_layer(0) == Unit(1, 0, 0, 0)
    state.set_position(9)
    assert state.set_layer(0) is None and state.position == 9  # the layer already played keeps its cell


def test_a_new_network_clamps_the_cell_or_falls_back_to_the_nearest_playable_layer(state) -> None:
    state.set_layer(2)
    state.set_channel(1)
    state.set_position(3)
    state.adopt(lecture_network([{"type": "conv", "out_channels": 1, "kernel": 5}]))  # 1x3x3, one layer
    assert state.layer == 0 and state.unit() == Unit(1, 0, 0, 0)
    state.set_position(8)
    state.adopt(lecture_network([{"type": "conv", "out_channels": 1, "kernel": 6}]))  # 1x2x2
    assert state.position == 3 and state.unit() == Unit(1, 0, 1, 1)
    state.play()
    state.adopt(lecture_network([{"type": "flatten"}, {"type": "dense", "out_features": 3}]))
    assert not state.can_play() and not state.playing and state.unit() is None


def test_a_unit_selected_elsewhere_moves_the_player_without_being_announced_back(state) -> None:
    assert state.follow_selection(Unit(3, 1, 1, 0))  # a max-pool output
    assert (state.layer, state.channel, state.in_channel, state.cell()) == (2, 1, 1, (1, 0))
    assert not state.follow_selection(Unit(3, 1, 1, 0))  # where it stands already
    assert not state.follow_selection(Unit(2, 0, 0, 0))  # a ReLU unit: the player stays
    assert not state.follow_selection(None) and not state.follow_selection(Unit(0, 0, 3, 3))
    assert state.unit() == Unit(3, 1, 1, 0)


def test_a_unit_of_a_network_on_its_way_is_reached_when_it_arrives(state) -> None:
    bigger = [{"type": "conv", "out_channels": 4, "kernel": 3}, {"type": "avgpool", "size": 5}]
    assert not state.follow_selection(Unit(1, 3, 2, 2))  # channel 3 is not in the current network
    assert state.pending == Unit(1, 3, 2, 2) and state.unit() == Unit(1, 0, 0, 0)
    state.adopt(lecture_network(bigger))
    assert state.unit() == Unit(1, 3, 2, 2) and state.pending is None
    state.follow_selection(Unit(5, 0, 0, 0))  # never fits: dropped at the next network
    state.adopt(lecture_network(bigger))
    assert state.pending is None and state.unit() == Unit(1, 3, 2, 2)


def test_a_pictures_first_conv_stacks_one_row_per_channel_revealed_one_by_one() -> None:
    import numpy as np

    from cnn_desktop.engine.traces import trace_unit
    from cnn_desktop.state.player_steps import channel_lines, stacks_channels, steps_for

    spec = [*LECTURE, {"type": "conv", "out_channels": 2, "kernel": 2}]
    colour = Network.from_spec(spec, input_shape=(3, 7, 7), seed=0)
    assert stacks_channels(colour, 0) and not stacks_channels(colour, 3)  # layer 3 reads feature maps
    assert not stacks_channels(lecture_network(), 0) and not stacks_channels(colour, 2)  # grey; a pool
    steps = steps_for(colour, 0)
    assert steps == ("patch", "products", "products 1", "products 2", "sum", "bias", "result")
    image = np.random.default_rng(0).random((3, 7, 7)).astype(np.float32)
    trace = trace_unit(colour, image, Unit(1, 1, 2, 3))
    names = ("red", "green", "blue")
    shown = [[line.dot for line in channel_lines(trace, steps[: i + 1], names)] for i in range(len(steps))]
    dots = [f"→ {format_value(v)}" for v in trace.channel_sums]
    assert shown == [["", "", ""], [dots[0], "", ""], [dots[0], dots[1], ""], *[dots] * 4]
