"""The digit pen: its footprint, and how strokes lay down ink."""

import numpy as np
import pytest

from cnn_desktop.pen import (
    DIGIT_PEN_WIDTH,
    default_pen,
    line_cells,
    paint_stroke,
    pen_footprint,
    stroke_ink,
    stroke_values,
)


def footprint_grid(width: float) -> dict[tuple[int, int], float]:
    pen = pen_footprint(width)
    return {(int(r), int(c)): float(v) for r, c, v in zip(pen.rows, pen.cols, pen.ink, strict=True)}


def test_width_one_is_the_hard_one_pixel_brush():
    assert footprint_grid(1) == {(0, 0): 1.0}


def test_soft_pen_has_full_ink_in_the_middle_and_partial_ink_at_the_edge():
    grid = footprint_grid(2.5)
    # ink = clip(1.25 + 0.5 - distance, 0, 1)
    assert grid[(0, 0)] == 1.0
    for side in ((0, 1), (1, 0), (0, -1), (-1, 0)):
        assert grid[side] == pytest.approx(0.75)
    for corner in ((1, 1), (-1, -1), (1, -1), (-1, 1)):
        assert grid[corner] == pytest.approx(1.75 - np.sqrt(2), abs=1e-6)
    assert set(grid) == {(r, c) for r in (-1, 0, 1) for c in (-1, 0, 1)}


def test_digit_pen_is_round_symmetric_and_two_to_three_pixels_wide():
    pen = pen_footprint(DIGIT_PEN_WIDTH)
    grid = footprint_grid(DIGIT_PEN_WIDTH)
    assert 2 <= DIGIT_PEN_WIDTH <= 3
    for (r, c), value in grid.items():
        assert grid[(c, r)] == value and grid[(-r, c)] == value and grid[(r, -c)] == value
    assert pen.ink.dtype == np.float32 and pen.ink.min() > 0 and pen.ink.max() == 1
    # the total ink of one dab is about the disc's area
    assert pen.ink.sum() == pytest.approx(np.pi * (DIGIT_PEN_WIDTH / 2) ** 2, rel=0.1)


@pytest.mark.parametrize("width", [0, 0.5, np.nan, 16, "2"])
def test_impossible_widths_are_refused(width):
    with pytest.raises(ValueError, match="pen width"):
        pen_footprint(width)


def test_default_pen_is_soft_on_digit_grids_and_hard_on_small_grids():
    hard = default_pen((7, 7))
    assert (hard.rows.tolist(), hard.cols.tolist(), hard.ink.tolist()) == ([0], [0], [1.0])
    digit = default_pen((28, 28))
    assert np.array_equal(digit.ink, pen_footprint(DIGIT_PEN_WIDTH).ink)
    assert default_pen((56, 56)).ink.sum() > 3 * digit.ink.sum()  # twice as wide: four times the ink


def test_line_cells_has_no_gaps_and_includes_both_ends():
    rows, cols = line_cells((2, 1), (5, 9))
    assert (rows[0], cols[0]) == (2, 1) and (rows[-1], cols[-1]) == (5, 9)
    steps = np.abs(np.diff(np.stack([rows, cols]), axis=1))
    assert steps.max() == 1


def test_a_horizontal_stroke_has_the_pens_cross_section():
    image = paint_stroke(np.zeros((11, 11)), (5, 2), (5, 8), pen_footprint(2.5))
    assert np.allclose(image[5, 2:9], 1.0)
    assert np.allclose(image[4, 2:9], 0.75) and np.allclose(image[6, 2:9], 0.75)
    assert np.all(image[:3] == 0) and np.all(image[8:] == 0)


def test_going_over_a_stroke_again_does_not_darken_it():
    pen = pen_footprint(2.5)
    once = paint_stroke(np.zeros((12, 12)), (2, 2), (9, 9), pen)
    twice = paint_stroke(once, (9, 9), (2, 2), pen)
    assert np.array_equal(once, twice)
    crossing = paint_stroke(once, (2, 9), (9, 2), pen)
    assert crossing.max() == 1.0 and np.all(crossing >= once)


def test_ink_on_overlapping_dabs_is_the_largest_not_the_sum():
    rows, cols, ink = stroke_ink((3, 3), (3, 4), pen_footprint(2.5), (8, 8))
    cell = {(int(r), int(c)): float(v) for r, c, v in zip(rows, cols, ink, strict=True)}
    assert cell[(3, 3)] == 1.0 and cell[(3, 4)] == 1.0
    assert cell[(2, 3)] == pytest.approx(0.75)  # beside the first dab, diagonal to the second


def test_strokes_are_clipped_to_the_grid():
    rows, cols, _ = stroke_ink((0, 0), (0, 0), pen_footprint(2.5), (4, 4))
    assert rows.min() == 0 and cols.min() == 0
    assert sorted(zip(rows.tolist(), cols.tolist(), strict=True)) == [(0, 0), (0, 1), (1, 0), (1, 1)]


def test_grey_value_and_erasing():
    pen = pen_footprint(2.5)
    grey = paint_stroke(np.zeros((7, 7)), (3, 3), (3, 3), pen, value=0.5)
    assert grey[3, 3] == 0.5 and grey[3, 4] == pytest.approx(0.375)
    full = np.ones((7, 7), np.float32)
    rows, cols, values = stroke_values(full, (3, 3), (3, 3), pen, erase=True)
    erased = dict(zip(zip(rows.tolist(), cols.tolist(), strict=True), values.tolist(), strict=True))
    assert erased[(3, 3)] == 0.0 and erased[(3, 4)] == pytest.approx(0.25)
