"""The one tiler: maps, kernels and filters become one image with NaN gaps between tiles."""

from __future__ import annotations

import numpy as np

from cnn_desktop.mosaic import MosaicGrid


def test_kernels_tile_row_by_row_with_one_cell_gaps():
    kernels = np.arange(8 * 9, dtype=np.float32).reshape(8, 3, 3)
    grid = MosaicGrid.for_shape(kernels.shape, 4)
    image = grid.image(kernels)
    assert image.shape == (7, 15)
    assert np.isnan(image[3]).all() and np.isnan(image[:, 3]).all()
    np.testing.assert_array_equal(image[4:7, 4:7], kernels[5])  # second row, second column
    assert grid.unit_at(5, 6) == (5, 1, 2)


def test_a_new_image_each_time_and_a_partial_last_row_left_empty():
    grid = MosaicGrid.for_shape((3, 2, 2), 2)
    first = grid.image(np.ones((3, 2, 2), np.float32))
    second = grid.image(np.zeros((3, 2, 2), np.float32))
    assert np.nanmax(first) == 1.0 and np.nanmax(second) == 0.0
    assert np.isnan(first[3:, 3:]).all()  # the fourth tile does not exist
