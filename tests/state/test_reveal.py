"""Predict before reveal: hidden results stay hidden until revealed, in order or by name."""

from __future__ import annotations

from cnn_desktop.state.reveal import HIDDEN_KEY, RevealState, check_hidden, with_hidden
from cnn_desktop.state.view_options import ViewOptions


def test_hidden_results_stay_hidden_until_revealed_one_at_a_time() -> None:
    state = RevealState.from_view_options({HIDDEN_KEY: ["stage:3", "probabilities"]})
    assert state.is_hidden("stage:3") and state.is_hidden("probabilities")
    assert not state.is_hidden("stage:1")  # never hidden
    assert state.reveal_next() == "stage:3"
    assert not state.is_hidden("stage:3") and state.is_hidden("probabilities")
    assert state.reveal_next() == "probabilities"
    assert state.remaining == [] and state.reveal_next() is None


def test_a_result_revealed_by_name_leaves_the_others_hidden_and_replay_hides_all_again() -> None:
    options = with_hidden(ViewOptions(scaling="channel"), ["stage:1", "saliency", "changes"])
    assert options.scaling == "channel" and options.to_json()[HIDDEN_KEY] == ["stage:1", "saliency", "changes"]
    state = RevealState.from_view_options(options)
    assert state.reveal("saliency") and not state.reveal("saliency")
    assert state.remaining == ["stage:1", "changes"]
    assert state.reveal_next() == "stage:1" and state.reveal_next() == "changes"
    state.hide_again()
    assert state.remaining == ["stage:1", "saliency", "changes"]
    state.reveal_all()
    assert state.remaining == []


def test_only_known_result_names_can_be_hidden() -> None:
    assert check_hidden(["stage:2", "stage:2", "stage:-1", "stage:01", "maps", 3, None, "changes"]) == [
        "stage:2",
        "changes",
    ]
    assert check_hidden("probabilities") == []
    assert RevealState.from_view_options(None).remaining == []
    assert RevealState.from_view_options({HIDDEN_KEY: {"a": 1}}).remaining == []
