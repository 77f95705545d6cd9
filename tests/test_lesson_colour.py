"""The "depth d" scene: a 7x7 colour picture and one 3x3x3 kernel, checked with plain loops."""

from __future__ import annotations

import numpy as np

from cnn_desktop.lesson import SCENE_TITLES, builtin_scenes, scene_results
from cnn_desktop.lesson_colour import COLOUR_PICTURE

EDGES = [[-1, -1, -1], [2, 2, 2], [-1, -1, -1]]  # the lecture's horizontal-edge kernel, written out


def loops_conv_relu(picture: list, kernel: list) -> list:
    """Valid 3x3xd convolution + ReLU of ``picture[c][y][x]`` by ``kernel[c][i][j]``, bias 0, in loops."""
    depth, height, width = len(picture), len(picture[0]), len(picture[0][0])
    out = []
    for y in range(height - 2):
        row = []
        for x in range(width - 2):
            total = 0.0
            for c in range(depth):
                for i in range(3):
                    for j in range(3):
                        total += picture[c][y + i][x + j] * kernel[c][i][j]
            row.append(max(total, 0.0))
        out.append(row)
    return out


def scene():
    return builtin_scenes()[SCENE_TITLES.index("A colour picture (depth 3)")]


def test_the_picture_has_a_red_and_a_green_bar_and_a_blue_one_across():
    red, green, blue = COLOUR_PICTURE
    assert red.sum() == 5 and red[1, 1:6].all()
    assert green.sum() == 5 and green[5, 1:6].all()
    assert blue.sum() == 3 and blue[2:5, 3].all()
    assert not (red * green).any() and not (red * blue).any() and not (green * blue).any()


def test_the_kernel_picks_out_the_red_lines_and_the_numbers_match_loops():
    shown = scene()
    weights = shown.session.network.params["0.weight"]
    assert weights.shape == (1, 3, 3, 3)
    np.testing.assert_array_equal(weights[0, 0], EDGES)
    assert not weights[0, 1:].any() and not shown.session.network.params["0.bias"].any()
    stages = scene_results(shown).stages
    np.testing.assert_array_equal(stages[0], COLOUR_PICTURE)
    zero = [[[0.0] * 3 for _ in range(3)] for _ in range(2)]
    expected = loops_conv_relu(COLOUR_PICTURE.tolist(), [EDGES, *zero])
    np.testing.assert_array_equal(stages[2][0], expected)
    assert expected[0] == [4, 6, 6, 6, 4] and not any(any(row) for row in expected[1:])
    # a grey kernel (the same slice on every channel) would light up on the green bar too
    grey = loops_conv_relu(COLOUR_PICTURE.tolist(), [EDGES, EDGES, EDGES])
    assert grey[4] == [4, 5, 5, 5, 4]  # (the blue bar ends just above the green one)
    assert "4 6 6 6 4" in shown.caption


def test_the_selected_unit_sees_a_3x3_window_of_each_channel():
    result = scene_results(scene())
    field = result.field.field[0]
    assert field.shape == (3, 7, 7)
    for channel in range(3):
        assert field[channel].sum() == 9 and field[channel, 0:3, 2:5].all()
