"""The class-probability chart: live bars, the winner highlighted and written large, a hint without dense."""

from __future__ import annotations

import numpy as np
import pytest

from cnn_desktop.ui.maps.probabilities import NO_DENSE_HINT, ProbabilityView

from .conftest import wait_for_result


@pytest.fixture
def view(qtbot, document):
    widget = ProbabilityView(document)
    qtbot.addWidget(widget)
    widget.resize(420, 380)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def stroke_image() -> np.ndarray:
    image = np.zeros((28, 28), np.float32)
    image[4:24, 13:16] = 1.0
    return image


def test_bars_show_the_probabilities_and_the_top_class_stands_out(qtbot, document, view):
    document.edit_image(stroke_image(), "Stroke")
    result = wait_for_result(qtbot, document)
    assert not view.showing_hint
    heights = np.asarray(view.bars.opts["height"])
    assert heights.sum() == pytest.approx(1.0, abs=1e-5)
    np.testing.assert_allclose(heights, result.probabilities, rtol=1e-6)
    top = int(np.argmax(result.probabilities))
    assert view.top_class == top
    assert view.headline.text() == f"{top}: {100 * result.probabilities[top]:.1f}%"
    others = {view.bar_colour(i).name() for i in range(10) if i != top}
    assert len(others) == 1 and view.bar_colour(top).name() not in others


def test_an_edit_updates_the_same_bar_item(qtbot, document, view):
    bars = view.bars
    before = np.asarray(bars.opts["height"]).copy()
    document.edit_image(stroke_image(), "Stroke")
    wait_for_result(qtbot, document)
    assert view.bars is bars and not np.allclose(np.asarray(bars.opts["height"]), before)


def test_a_pipeline_without_dense_shows_a_hint_then_the_chart_again(qtbot, document, view):
    assert document.edit_spec([{"type": "conv", "out_channels": 4, "kernel": 3}, {"type": "relu"}]) is None
    wait_for_result(qtbot, document)
    assert view.showing_hint and view.hint.text() == NO_DENSE_HINT and view.probabilities is None
    assert view.hint.isVisible() and not view.plot.isVisible()
    spec = [{"type": "conv", "out_channels": 4, "kernel": 3}, {"type": "flatten"}, {"type": "dense", "out_features": 3}]
    assert document.edit_spec(spec) is None
    result = wait_for_result(qtbot, document)
    assert not view.showing_hint and view.plot.isVisible()
    assert len(view.bars.opts["height"]) == 3
    assert view.class_ticks == [(0, "0"), (1, "1"), (2, "2")]
    assert view.top_class == int(np.argmax(result.probabilities))
