"""Simulated mouse drawings: thinning, the moves along centre lines, and drawing them."""

import numpy as np
import pytest

from cnn_desktop.data import drawn
from cnn_desktop.pen import paint_stroke, pen_footprint


def test_a_thick_bar_thins_to_a_one_pixel_line_through_its_middle():
    image = np.zeros((1, 9, 15), bool)
    image[0, 3:6, 2:13] = True  # 3 pixels thick
    skeleton = drawn.thin(image)[0]
    rows = np.flatnonzero(skeleton.any(axis=1))
    assert rows.tolist() == [4]
    assert skeleton[4].sum() >= 7  # the line keeps most of the bar's length


def test_a_two_pixel_diagonal_line_survives_thinning():
    image = np.zeros((1, 12, 12), bool)
    for k in range(1, 10):
        image[0, k, k] = image[0, k, k + 1] = True
    skeleton = drawn.thin(image)[0]
    assert skeleton.sum() >= 8
    assert np.all(skeleton <= image[0])


def test_a_ring_keeps_its_hole():
    rows, cols = np.indices((15, 15))
    radius = np.hypot(rows - 7, cols - 7)
    skeleton = drawn.thin(((radius >= 3.5) & (radius <= 6))[None])[0]
    assert not skeleton[7, 7]
    assert skeleton[7, :7].any() and skeleton[7, 8:].any() and skeleton[:7, 7].any() and skeleton[8:, 7].any()


def test_moves_join_each_pair_of_neighbours_once_and_lone_pixels_are_clicks():
    skeleton = np.zeros((6, 6), bool)
    skeleton[1, 1:4] = True  # a line of three: two moves
    skeleton[4, 4] = True  # alone: a click
    moves = {tuple(map(tuple, move)) for move in drawn.centre_line_moves(skeleton).tolist()}
    assert moves == {((1, 1), (1, 2)), ((1, 2), (1, 3)), ((4, 4), (4, 4))}


def test_drawing_moves_at_once_equals_painting_them_one_by_one():
    pen = pen_footprint(2.5)
    moves = np.array([[[2, 2], [2, 6]], [[2, 6], [7, 3]], [[9, 9], [9, 9]], [[0, 0], [1, 1]]])
    expected = np.zeros((11, 11), np.float32)
    for (r0, c0), (r1, c1) in moves.tolist():
        expected = paint_stroke(expected, (r0, c0), (r1, c1), pen)
    assert np.array_equal(drawn.draw_moves(moves, pen, (11, 11)), expected)


@pytest.mark.parametrize("scale", [0.5, 0.75, 1.0])
def test_mouse_drawing_keeps_all_ink_on_the_grid_at_the_size_asked(scale):
    skeleton = np.zeros((28, 28), bool)
    skeleton[4:24, 14] = True  # a stroke 20 pixels long
    pen = pen_footprint(2.0)
    rng = np.random.default_rng(5)
    tops = set()
    for _ in range(20):
        image = drawn.mouse_drawing(skeleton, pen, scale, rng)
        full = np.flatnonzero(image.max(axis=1) == 1)
        assert abs((full[-1] - full[0]) - 19 * scale) <= 1  # centre lines land on whole cells
        assert image[:, 0].max() < 1 and image[:, -1].max() < 1 and image[0].max() < 1 and image[-1].max() < 1
        tops.add(int(full[0]))
    assert len(tops) > 3  # placed at random
