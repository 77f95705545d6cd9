"""The pointer's spot and fading rings, without a display."""

from __future__ import annotations

import pytest

from cnn_desktop.state.pointer import PointerMarks


def test_a_dragged_ring_circles_every_corner_of_the_box():
    marks = PointerMarks(min_radius=5)
    marks.begin_ring(10, 20)
    marks.drag_ring(50, 40)
    mark = marks.end_ring(now=0.0)
    assert (mark.centre_x, mark.centre_y) == (30, 30)
    for x, y in ((10, 20), (50, 40), (10, 40), (50, 20)):  # each corner inside the ellipse
        assert ((x - 30) / mark.radius_x) ** 2 + ((y - 30) / mark.radius_y) ** 2 <= 1 + 1e-9
    assert marks.dragging is None and marks.marks == [mark]


def test_a_click_makes_a_ring_large_enough_for_a_cell():
    marks = PointerMarks(min_radius=24)
    marks.begin_ring(100, 100)
    mark = marks.end_ring(now=0.0)
    assert mark.radius_x == mark.radius_y == 24


def test_a_ring_stays_then_fades_then_is_forgotten():
    marks = PointerMarks(hold_seconds=3, fade_seconds=1)
    marks.begin_ring(0, 0)
    mark = marks.end_ring(now=10.0)
    assert marks.opacity(mark, 12.9) == 1.0
    assert marks.opacity(mark, 13.5) == pytest.approx(0.5)
    assert marks.prune(13.9) is True
    assert marks.prune(14.0) is False and marks.marks == []
