"""A colour (RGB) input: the depth as a pipeline change, one grid per channel, colour painting and import."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QImage

from cnn_desktop.engine import Unit
from cnn_desktop.ui.editors.pixel_editor import PixelEditor

from .conftest import wait_for_result


@pytest.fixture
def editor(qtbot, document):
    widget = PixelEditor(document)
    widget.resize(700, 900)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def to_rgb(qtbot, editor: PixelEditor) -> None:
    editor.actions_by_name["depth_3"].trigger()
    qtbot.waitUntil(lambda: len(editor.channel_grids.grids) == 3 and editor.channel_grids.isVisible())


def press_cell(qtbot, grid, row: int, col: int, button=Qt.MouseButton.LeftButton) -> None:
    point = grid.cell_rect(row, col).center().toPoint()
    qtbot.mousePress(grid, button, pos=point)
    qtbot.mouseRelease(grid, button, pos=point)


def test_rgb_gives_the_first_kernels_three_slices_keeping_the_grey_one_bit_for_bit(qtbot, editor, document):
    before = {name: array.copy() for name, array in document.session.network.params.items()}
    to_rgb(qtbot, editor)
    network = document.session.network
    assert network.input_shape == (3, 28, 28) and document.session.image.shape == (3, 28, 28)
    weight = network.params["0.weight"]
    assert weight.shape == (8, 3, 3, 3)
    assert weight[:, :1].tobytes() == before["0.weight"].tobytes()  # the grey slice, bit for bit
    assert weight[:, 1:].any()  # the new green and blue slices: initialised, not zero
    for name, array in before.items():
        if name != "0.weight":
            assert network.params[name].tobytes() == array.tobytes(), name
    assert editor.message() == "The input is now colour (RGB), 3 x 28 x 28: layer 0 (conv 3x3)'s kernels are 3x3x3."
    document.undo()
    assert document.session.network.params["0.weight"].tobytes() == before["0.weight"].tobytes()
    assert document.session.image.shape == (1, 28, 28) and editor.actions_by_name["depth_1"].isChecked()
    to_rgb(qtbot, editor)
    editor.actions_by_name["depth_1"].trigger()  # and back to grey: the grey slice is the one kept
    assert document.session.network.params["0.weight"].tobytes() == before["0.weight"].tobytes()


def test_painting_one_channel_grid_changes_only_that_channels_part_of_a_unit(qtbot, editor, document):
    to_rgb(qtbot, editor)
    editor.brush_shape.setCurrentText("Square")
    unit = Unit(stage=1, channel=0, y=10, x=10)
    document.trace(unit)
    before = wait_for_result(qtbot, document).trace
    assert before.channel_sums.shape == (3,)
    green = editor.channel_grids.grids[1]
    press_cell(qtbot, green, 12, 12)  # the bottom right of the unit's 3x3 window (rows and cols 10-12)
    image = document.session.image
    assert image[1, 12, 12] == 1 and image[1].sum() == 1 and not image[0].any() and not image[2].any()
    after = wait_for_result(qtbot, document).trace
    assert after.channel_sums[0] == before.channel_sums[0] and after.channel_sums[2] == before.channel_sums[2]
    weight = document.session.network.params["0.weight"][0, 1, 2, 2]
    assert after.channel_sums[1] == pytest.approx(before.channel_sums[1] + weight, abs=1e-5)
    assert editor.channel_bar.paint_on.currentText() == "green"
    assert document.undo_stack.undoText() == "Paint green stroke"


def test_the_picture_shows_in_colour_and_the_brush_paints_the_picked_colour(qtbot, editor, document):
    to_rgb(qtbot, editor)
    editor.brush_shape.setCurrentText("Square")
    editor.channel_bar.set_colour(QColor(255, 255, 0))  # what QColorDialog hands back
    assert editor.channel_bar.colour_button.isVisible()
    press_cell(qtbot, editor.grid, 3, 4)
    np.testing.assert_array_equal(document.session.image[:, 3, 4], [1, 1, 0])
    assert tuple(editor.grid.cell_colours()[3, 4]) == (255, 255, 0)
    assert tuple(editor.grid.cell_colours()[0, 0]) == (0, 0, 0)
    qtbot.mouseMove(editor.grid, editor.grid.cell_rect(3, 4).center().toPoint())
    assert editor.hover_label.text() == "(3, 4): R 1 G 1 B 0"
    editor.channel_bar.paint_on.setCurrentIndex(3)  # blue: the main grid shows that channel's numbers
    assert editor.grid.cell_colours() is None and editor.grid.array()[3, 4] == 0
    editor.actions_by_name["fill"].trigger()
    assert document.session.image[2].all() and document.session.image[0].sum() == 1


def test_a_pure_red_png_imports_as_red_in_every_pixel_in_one_undo_step(qtbot, editor, document, tmp_path):
    path = tmp_path / "red.png"
    picture = QImage(40, 40, QImage.Format.Format_RGB32)
    picture.fill(QColor(255, 0, 0))
    assert picture.save(str(path))
    assert editor.import_image_file(path, colour=True) is None
    image = document.session.image
    assert image.shape == (3, 28, 28) and document.session.network.input_shape == (3, 28, 28)
    assert (image[0] == 1).all() and not image[1:].any()
    assert "in colour" in editor.message()
    document.undo()  # the depth and the picture came in one step
    assert document.session.image.shape == (1, 28, 28)
    assert editor.import_image_file(path) is None  # a grey input reads it grey, as before
    grey = document.session.image
    assert grey.shape == (1, 28, 28) and 0 < grey.min() and grey.max() < 1 and np.ptp(grey) < 1e-6


def framed_png(path, colour: QColor, inner: QImage | None = None) -> None:
    """A 28x28 PNG: a black frame (so no light background is inverted) around ``colour`` or ``inner``."""
    picture = QImage(28, 28, QImage.Format.Format_RGB32)
    picture.fill(QColor(0, 0, 0))
    for y in range(4, 24):
        for x in range(4, 24):
            picture.setPixelColor(x, y, colour if inner is None else inner.pixelColor(x - 4, y - 4))
    assert picture.save(str(path))


@pytest.mark.parametrize("channel", [0, 1, 2])
def test_a_grey_import_weighs_red_green_and_blue_as_the_colour_to_grey_kernel_does(
    qtbot, editor, document, tmp_path, channel
):
    from cnn_desktop.input_channels import LUMA

    path = tmp_path / "pure.png"
    framed_png(path, QColor(*(255 if c == channel else 0 for c in range(3))))
    assert editor.import_image_file(path) is None  # the grey input reads it grey
    grey = document.session.image
    assert grey.shape == (1, 28, 28)
    assert np.abs(grey[0, 4:24, 4:24] - LUMA[channel]).max() <= 1 / 255
    assert not grey[0, :4].any()


def test_a_picture_imported_grey_equals_its_colour_import_made_grey(qtbot, editor, document, tmp_path):
    from cnn_desktop.input_channels import grey_of

    rng = np.random.default_rng(2)
    inner = QImage(20, 20, QImage.Format.Format_RGB32)
    for y in range(20):
        for x in range(20):
            inner.setPixelColor(x, y, QColor(*(int(v) for v in rng.integers(0, 256, 3))))
    path = tmp_path / "mixed.png"
    framed_png(path, QColor(), inner)
    assert editor.import_image_file(path) is None
    grey = document.session.image.copy()
    assert editor.import_image_file(path, colour=True) is None
    np.testing.assert_allclose(grey[0], grey_of(document.session.image), atol=1e-6)


def test_a_grid_resize_keeps_every_channel(qtbot, editor, document):
    to_rgb(qtbot, editor)
    editor.channel_bar.set_colour(QColor(0, 0, 255))
    editor.actions_by_name["fill"].trigger()
    editor.grid_size.setValue(14)
    assert document.session.image.shape == (3, 14, 14) and document.session.network.input_shape == (3, 14, 14)
    assert document.session.image[2].all() and not document.session.image[:2].any()


def test_prepare_like_mnist_says_it_needs_a_grey_digit(qtbot, editor, document):
    to_rgb(qtbot, editor)
    editor.actions_by_name["prepare"].trigger()
    assert "grey digit" in editor.message()


def test_a_network_edit_refused_during_training_leaves_the_depth(qtbot, editor, document):
    document.set_weights_lock("training runs")
    editor.channel_bar.depth.activated.emit(editor.channel_bar.depth.findData(3))
    assert document.session.depth == 1 and "training runs" in editor.message()
    assert editor.channel_bar.depth.currentData() == 1


def test_the_trained_network_says_what_the_depth_change_did_to_its_first_layer(qtbot):
    from cnn_desktop.session import default_session
    from cnn_desktop.ui.document import SessionDocument

    document = SessionDocument(default_session())
    try:
        with qtbot.waitSignal(document.training_lost) as lost:
            assert document.set_depth(3) is None
        assert lost.args[0].startswith(
            "layer 0 (conv 3x3) lost its training: its kernels keep the first slice and get 2 new random slices"
        )
        assert document.weights_status().kind == "changed"
    finally:
        document.shutdown()


def test_a_grey_mnist_digit_loaded_into_a_colour_input_fills_every_channel(qtbot, editor, document):
    from cnn_desktop.data.datasets import load_bundled

    to_rgb(qtbot, editor)
    assert editor.load_digit("test", 3) is None
    digit = load_bundled().test_images[3]
    image = document.session.image
    assert image.shape == (3, 28, 28)
    for channel in image:
        np.testing.assert_allclose(channel, digit, atol=1e-6)
    assert tuple(editor.grid.cell_colours()[14, 14]) == (round(digit[14, 14] * 255),) * 3


def test_the_colour_picked_in_the_dialog_is_painted_and_remembered(qtbot, tmp_path, monkeypatch):
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QColorDialog

    from cnn_desktop.ui.document import SessionDocument
    from cnn_desktop.ui.main_window import MainWindow

    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)

    def open_window() -> MainWindow:
        window = MainWindow(SessionDocument(), settings)
        qtbot.addWidget(window)
        window.resize(1400, 900)
        window.show()
        qtbot.waitExposed(window)
        return window

    window = open_window()
    edit_menu = window.menuBar().actions()[1].menu()
    rgb = next(action for action in edit_menu.actions() if action.text() == "Input: colour (RGB)")
    rgb.trigger()
    bar = window.pixel_editor.channel_bar
    assert window.document.session.depth == 3 and bar.depth.currentText() == "RGB"
    monkeypatch.setattr(QColorDialog, "getColor", lambda *args: QColor(0, 102, 255))
    qtbot.mouseClick(bar.colour_button, Qt.MouseButton.LeftButton)
    assert settings.value("image/brush_colour") == "#0066ff"
    editor = window.pixel_editor
    editor.brush_shape.setCurrentText("Square")
    press_cell(qtbot, editor.grid, 5, 5)
    np.testing.assert_allclose(window.document.session.image[:, 5, 5], [0, 0.4, 1])
    window.close()
    window.document.shutdown()
    again = open_window()
    assert again.pixel_editor.channel_bar.colour == QColor(0, 102, 255)
    again.close()
    again.document.shutdown()


def lecture_picture(qtbot, editor, document) -> np.ndarray:
    """The lesson's 7x7 colour picture and its 3x3x3 kernel, the editor at a small dock's size."""
    from cnn_desktop.lesson import SCENE_TITLES, builtin_scenes

    scene = builtin_scenes()[SCENE_TITLES.index("A colour picture (depth 3)")].session
    assert document.set_state(scene.image, scene.network, None, "Depth scene") is None
    editor.resize(360, 560)
    qtbot.waitUntil(lambda: editor.grid.array().shape == (7, 7) and len(editor.channel_grids.grids) == 3)
    editor.brush_shape.setCurrentText("Square")
    return document.session.image.copy()


def test_a_channel_chip_shows_that_channel_big_with_numbers_to_type_into(qtbot, editor, document):
    from cnn_desktop.ui.editors.channel_grids import PICTURE
    from cnn_desktop.ui.editors.grid_view import MIN_NUMBER_CELL

    picture = lecture_picture(qtbot, editor, document)
    strip = editor.channel_grids
    picture_cell = editor.grid.cell_size()
    assert all(grid.isVisible() for grid in strip.grids) and editor.grid.cell_colours() is not None
    qtbot.mouseClick(strip.chips.button(1), Qt.MouseButton.LeftButton)  # "green"
    assert editor.channel_bar.paint_on.currentText() == "green"
    qtbot.waitUntil(lambda: editor.grid.cell_size() > picture_cell)  # the small grids fold, the big one grows
    assert strip.is_folded() and not any(grid.isVisible() for grid in strip.grids)
    np.testing.assert_array_equal(editor.grid.array(), picture[1])
    assert editor.grid.cell_colours() is None and editor.grid.cell_size() >= MIN_NUMBER_CELL  # numbers written
    editor.grid.setFocus()
    qtbot.mouseClick(editor.grid, Qt.MouseButton.LeftButton, pos=editor.grid.cell_rect(0, 6).center().toPoint())
    document.undo()  # the click painted; the typed value below is what is checked
    for key in (Qt.Key.Key_0, Qt.Key.Key_Period, Qt.Key.Key_5, Qt.Key.Key_Return):
        qtbot.keyClick(editor.grid, key)
    changed = picture.copy()
    changed[1, 0, 6] = 0.5
    np.testing.assert_array_equal(document.session.image, changed)  # green only
    qtbot.mouseClick(strip.chips.button(PICTURE), Qt.MouseButton.LeftButton)  # back to the picture
    assert editor.channel_bar.paint_on.currentText() == "all channels"
    qtbot.waitUntil(lambda: all(grid.isVisible() for grid in strip.grids))
    assert not strip.is_folded() and editor.grid.cell_colours() is not None


def test_a_stroke_begun_on_a_small_grid_keeps_it_until_the_button_is_released(qtbot, editor, document):
    lecture_picture(qtbot, editor, document)
    blue = editor.channel_grids.grids[2]
    qtbot.mousePress(blue, Qt.MouseButton.LeftButton, pos=blue.cell_rect(0, 0).center().toPoint())
    assert editor.channel_bar.paint_on.currentText() == "blue" and blue.isVisible()  # still under the mouse
    qtbot.mouseMove(blue, blue.cell_rect(0, 1).center().toPoint())
    qtbot.mouseRelease(blue, Qt.MouseButton.LeftButton, pos=blue.cell_rect(0, 1).center().toPoint())
    assert document.session.image[2, 0, :2].tolist() == [1, 1] and document.undo_stack.undoText() == "Paint blue stroke"
    assert editor.channel_grids.is_folded() and not blue.isVisible()
    np.testing.assert_array_equal(editor.grid.array(), document.session.image[2])
