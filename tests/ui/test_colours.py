"""One value-to-colour rule: hand-drawn grids pick the colour pyqtgraph's ImageItem draws."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtCore import QPoint

from cnn_desktop.ui import colours
from cnn_desktop.ui.editors.grid_view import NumberGridView


def image_item_colours(values: np.ndarray, table: np.ndarray, levels: tuple[float, float]) -> np.ndarray:
    """(H, W, 3) colours an ImageItem with lookup table ``table`` renders for ``values``."""
    item = pg.ImageItem(axisOrder="row-major")
    item.setLookupTable(table, update=False)
    item.setImage(values, autoLevels=False, levels=levels)
    item.render()
    image = item.qimage.convertToFormat(item.qimage.Format.Format_RGB888)
    height, width = values.shape
    rows = [np.frombuffer(image.constScanLine(row), np.ubyte, 3 * width) for row in range(height)]
    return np.stack(rows).reshape(height, width, 3)


@pytest.mark.parametrize("levels", [(-1.7, 1.7), (0.0, 1.0), (-0.03, 0.03)])
def test_colour_index_matches_what_pyqtgraph_draws(qapp, levels):
    rng = np.random.default_rng(3)
    low, high = levels
    values = rng.uniform(low * 1.2, high * 1.2, size=(40, 64)).astype(np.float32)
    # values right on the edges between two table entries, where roundings disagree
    edges = (low + (high - low) * np.arange(colours.LUT_SIZE + 1) / colours.LUT_SIZE).astype(np.float32)
    values[:4, :64] = edges[:256].reshape(4, 64)
    table = colours.colour_table(colours.diverging())
    expected = image_item_colours(values, table, levels)
    assert np.array_equal(table[colours.colour_index(values, low, high)], expected)


def test_zero_is_the_middle_entry_and_the_ends_are_the_ends():
    index = colours.colour_index(np.array([-2.0, 0.0, 2.0, 9.0, -9.0, np.nan, np.inf]), -2.0, 2.0)
    middle = colours.LUT_SIZE // 2
    assert index.tolist() == [0, middle, colours.LUT_SIZE - 1, colours.LUT_SIZE - 1, 0, 0, colours.LUT_SIZE - 1]
    table = colours.colour_table(colours.diverging())
    assert tuple(table[middle]) == (128, 128, 128)


def test_text_reads_white_on_dark_and_black_on_light():
    table = colours.colour_table(colours.greyscale())
    text = colours.text_colour_table(table)
    assert tuple(text[0]) == (255, 255, 255) and tuple(text[-1]) == (0, 0, 0)


def test_a_grid_cell_has_the_colour_of_the_same_value_in_an_image_item(qtbot):
    values = np.array([[-1.0, -0.3, 0.0, 0.41, 1.0]], np.float32)
    grid = NumberGridView(colours.diverging(), (-1.0, 1.0))
    grid.set_array(values)
    grid.set_numbers_visible(False)
    grid.resize(400, 100)
    qtbot.addWidget(grid)
    picture = grid.grab().toImage()
    corners = [grid.cell_rect(0, col).topLeft().toPoint() + QPoint(4, 4) for col in range(5)]
    drawn = [picture.pixelColor(corner) for corner in corners]
    expected = image_item_colours(values, colours.colour_table(colours.diverging()), (-1.0, 1.0))[0]
    assert [(c.red(), c.green(), c.blue()) for c in drawn] == [tuple(int(v) for v in rgb) for rgb in expected]
