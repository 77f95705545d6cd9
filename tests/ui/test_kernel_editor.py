"""KernelEditor: typed and scrolled kernel cells, presets, the lecture's factor, bias and overview."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication

from cnn_desktop.engine import Network
from cnn_desktop.image_presets import LECTURE_IMAGE
from cnn_desktop.kernel_presets import KERNEL_PRESETS
from cnn_desktop.ui.colours import colour_index, colour_table, diverging
from cnn_desktop.ui.editors.kernel_editor import KernelEditor
from cnn_desktop.ui.editors.kernel_overview import KernelOverviewView

from .conftest import show_widget, wait_for_result

SLIDES = json.loads((Path(__file__).parents[1] / "data" / "slide_examples.json").read_text())
EXAMPLES = {example["name"]: example for example in SLIDES["examples"]}


@pytest.fixture
def editor(qtbot, document):
    return show_widget(qtbot, KernelEditor(document), 700, 600)


@pytest.fixture
def lecture(qtbot, document, editor):
    """The slide set-up: one 3x3 conv (1 filter) on the 7x7 lecture image."""
    network = Network.from_spec([{"type": "conv", "out_channels": 1, "kernel": 3}], (1, 7, 7), seed=3)
    document.set_network(network, "Lecture network")
    document.edit_image(LECTURE_IMAGE, "Lecture image")
    return editor


def type_into_cell(qtbot, editor: KernelEditor, row: int, col: int, text: str) -> None:
    """Move the grid's cell cursor with the arrow keys, type ``text`` and press Enter."""
    grid = editor.grid
    grid.setFocus()
    current = grid.current_cell()
    for _ in range(abs(row - current[0])):
        qtbot.keyClick(grid, Qt.Key.Key_Down if row > current[0] else Qt.Key.Key_Up)
    for _ in range(abs(col - current[1])):
        qtbot.keyClick(grid, Qt.Key.Key_Right if col > current[1] else Qt.Key.Key_Left)
    qtbot.keyClicks(grid, text)
    qtbot.keyClick(grid, Qt.Key.Key_Return)


def scroll(editor: KernelEditor, row: int, col: int, notches: int, modifiers=Qt.KeyboardModifier.NoModifier) -> None:
    grid = editor.grid
    point = grid.cell_rect(row, col).center()
    event = QWheelEvent(
        point,
        QPointF(grid.mapToGlobal(point.toPoint())),
        QPoint(0, 0),
        QPoint(0, 120 * notches),
        Qt.MouseButton.NoButton,
        modifiers,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(grid, event)


def choose_preset(editor: KernelEditor, name: str) -> None:
    box = editor.preset_box
    box.setCurrentIndex(box.findText(name))
    box.activated.emit(box.currentIndex())


def first_map_from_engine(document) -> np.ndarray:
    image = document.session.image[0]
    return document.session.network.activations(image[None, None])[0][0]


def test_it_starts_on_the_first_conv_layer_with_the_first_kernel(editor, document):
    assert editor.layer() == 0 and editor.current_kernel() == (0, 0)
    np.testing.assert_allclose(editor.grid.array(), document.session.network.params["0.weight"][0, 0])
    assert editor.layer_box.currentText() == "Layer 0 (conv 3x3)"
    assert editor.pages.currentIndex() == 0


def test_typing_into_a_kernel_cell_changes_the_weight_and_the_feature_map(qtbot, editor, document):
    document.edit_image(np.eye(28, dtype=np.float32), "Diagonal")
    before = wait_for_result(qtbot, document).stages[1].copy()
    count = document.undo_stack.count()
    type_into_cell(qtbot, editor, 1, 2, "2")
    assert document.session.network.params["0.weight"][0, 0, 1, 2] == 2
    assert editor.grid.array()[1, 2] == 2
    assert document.undo_stack.count() == count + 1
    result = wait_for_result(qtbot, document)
    np.testing.assert_allclose(result.stages[1], first_map_from_engine(document), rtol=1e-5, atol=1e-6)
    assert not np.allclose(result.stages[1][0], before[0]), "filter 0's map changed"
    np.testing.assert_allclose(result.stages[1][1:], before[1:], atol=1e-6)  # the other filters did not


def test_nan_or_text_is_refused_inline_and_changes_nothing(qtbot, editor, document):
    weights = document.session.network.params["0.weight"].copy()
    count = document.undo_stack.count()
    type_into_cell(qtbot, editor, 0, 0, "-nan")
    assert "finite" in editor.message()
    np.testing.assert_array_equal(document.session.network.params["0.weight"], weights)
    assert document.undo_stack.count() == count
    editor.grid.cancel_edit()
    type_into_cell(qtbot, editor, 0, 0, "-x")
    assert "not a number" in editor.message() and editor.grid.is_editing()
    assert "#d62f27" in editor.message_label.styleSheet()  # a refusal reads in red
    editor.grid.cancel_edit()
    type_into_cell(qtbot, editor, 0, 0, "0.5")
    assert editor.message() == "Cell (0, 0) = 0.5" and editor.message_label.styleSheet() == ""


def test_the_horizontal_edge_preset_reproduces_the_slide(qtbot, lecture, document):
    assert lecture.layer() == 0 and lecture.grid.array().shape == (3, 3)
    kernel = EXAMPLES["horizontal edges"]["kernel"]
    choose_preset(lecture, "Horizontal edges")
    np.testing.assert_array_equal(lecture.grid.array(), kernel)
    np.testing.assert_array_equal(document.session.network.params["0.weight"][0, 0], kernel)
    result = wait_for_result(qtbot, document)
    np.testing.assert_allclose(result.stages[1][0], EXAMPLES["horizontal edges"]["output"], atol=1e-5)
    document.undo_stack.undo()
    assert not np.array_equal(document.session.network.params["0.weight"][0, 0], kernel)


def test_a_factor_of_one_ninth_times_all_ones_is_the_box_blur(qtbot, lecture, document):
    choose_preset(lecture, "Zero")
    lecture.grid.setFocus()
    for _ in range(9):  # type the grid of ones cell by cell: Tab moves on
        qtbot.keyClicks(lecture.grid, "1")
        qtbot.keyClick(lecture.grid, Qt.Key.Key_Tab)
    np.testing.assert_array_equal(document.session.network.params["0.weight"][0, 0], np.ones((3, 3)))
    line = lecture.scale_box.lineEdit()
    line.selectAll()
    qtbot.keyClicks(line, "1/9")
    qtbot.keyClick(line, Qt.Key.Key_Return)
    assert lecture.scale() == pytest.approx(1 / 9)
    np.testing.assert_allclose(document.session.network.params["0.weight"][0, 0], np.full((3, 3), 1 / 9))
    np.testing.assert_allclose(lecture.grid.array(), np.ones((3, 3)), rtol=1e-6)  # the grid stays all ones
    assert lecture.scale_box.currentText() == "1/9"
    result = wait_for_result(qtbot, document)
    np.testing.assert_allclose(result.stages[1][0] * 9, EXAMPLES["box blur"]["output_times_9"], atol=1e-5)


def test_a_bad_factor_is_refused_inline(qtbot, editor, document):
    weights = document.session.network.params["0.weight"].copy()
    for text in ("0", "1/0", "abc"):
        assert editor.set_scale_text(text) is not None
        assert "Factor not changed" in editor.message()
    np.testing.assert_array_equal(document.session.network.params["0.weight"], weights)


def test_the_box_blur_preset_sets_its_factor(qtbot, lecture, document):
    choose_preset(lecture, "Box blur")
    assert lecture.scale_box.currentText() == "1/9"
    np.testing.assert_array_equal(lecture.grid.array(), np.ones((3, 3)))
    result = wait_for_result(qtbot, document)
    np.testing.assert_allclose(result.stages[1][0] * 9, EXAMPLES["box blur"]["output_times_9"], atol=1e-5)


def test_wheel_steps_on_one_cell_merge_into_one_undo_step(qtbot, editor, document):
    start = float(document.session.network.params["0.weight"][0, 0, 2, 1])
    count = document.undo_stack.count()
    for _ in range(3):
        scroll(editor, 2, 1, 1)
    scroll(editor, 2, 1, 1, Qt.KeyboardModifier.ShiftModifier)
    weight = document.session.network.params["0.weight"][0, 0, 2, 1]
    assert weight == pytest.approx(start + 0.3 + 1.0, abs=1e-5)
    assert document.undo_stack.count() == count + 1
    scroll(editor, 0, 0, -1)  # another cell: a new step
    assert document.undo_stack.count() == count + 2
    document.undo_stack.undo()
    document.undo_stack.undo()
    assert document.session.network.params["0.weight"][0, 0, 2, 1] == pytest.approx(start)


def test_presets_that_need_another_size_say_why(qtbot, editor, document):
    assert document.edit_spec([{"type": "conv", "out_channels": 2, "kernel": 5}]) is None
    assert editor.grid.array().shape == (5, 5)
    weights = document.session.network.params["0.weight"].copy()
    choose_preset(editor, "Sobel x")
    assert "only as a 3x3" in editor.message()
    np.testing.assert_array_equal(document.session.network.params["0.weight"], weights)
    choose_preset(editor, "Identity")
    assert editor.grid.array()[2, 2] == 1 and editor.grid.array().sum() == 1


def test_apply_to_all_output_channels(qtbot, editor, document):
    editor.all_outputs.setChecked(True)
    choose_preset(editor, "Vertical edges")
    weights = document.session.network.params["0.weight"]
    for out_channel in range(8):
        np.testing.assert_array_equal(weights[out_channel, 0], [[-1, 2, -1]] * 3)
    assert document.undo_stack.count() == 1


def test_the_bias_spin_box_sets_the_bias_of_the_filter(qtbot, editor, document):
    editor.set_kernel(2, 0)
    before = wait_for_result(qtbot, document).stages[1].copy()
    editor.bias_spin.setValue(0.5)
    assert document.session.network.params["0.bias"][2] == 0.5
    result = wait_for_result(qtbot, document)
    np.testing.assert_allclose(result.stages[1][2], before[2] + 0.5, atol=1e-6)


def test_choosing_channels_and_clicking_the_overview(qtbot, editor, document):
    editor.set_layer(3)
    assert editor.layer() == 3 and editor.out_spin.maximum() == 15 and editor.in_spin.maximum() == 7
    overview = editor.overview
    tile = overview.tile_rect(5, 2).center().toPoint()
    qtbot.mouseClick(overview.viewport(), Qt.MouseButton.LeftButton, pos=tile)  # where a mouse lands
    assert editor.current_kernel() == (5, 2)
    np.testing.assert_allclose(editor.grid.array(), document.session.network.params["3.weight"][5, 2])
    editor.in_spin.setValue(6)
    np.testing.assert_allclose(editor.grid.array(), document.session.network.params["3.weight"][5, 6])


def test_a_layer_without_kernels_shows_the_hint(qtbot, editor, document):
    editor.set_layer(2)  # maxpool
    assert editor.layer() is None and editor.pages.currentIndex() == 1
    assert "Select a conv layer to edit its kernels" in editor.hint_label.text()
    editor.set_layer(0)
    assert editor.layer() == 0 and editor.pages.currentIndex() == 0


def test_the_editor_follows_pipeline_changes(qtbot, editor, document):
    editor.set_layer(3)
    editor.set_kernel(9, 4)
    assert document.edit_spec([{"type": "conv", "out_channels": 4, "kernel": 5}, {"type": "relu"}]) is None
    assert editor.layer() == 0, "layer 3 vanished: back to the first conv layer"
    assert editor.grid.array().shape == (5, 5) and editor.out_spin.maximum() == 3
    assert editor.current_kernel() == (3, 0)
    assert document.edit_spec([{"type": "relu"}]) is None
    assert editor.layer() is None and "no conv layer" in editor.hint_label.text()
    document.undo_stack.undo()
    assert editor.layer() == 0 and editor.pages.currentIndex() == 0


def test_undo_of_an_edit_refreshes_the_grid(qtbot, editor, document):
    type_into_cell(qtbot, editor, 0, 0, "3")
    assert editor.grid.array()[0, 0] == 3
    document.undo_stack.undo()
    np.testing.assert_allclose(editor.grid.array(), document.session.network.params["0.weight"][0, 0])
    assert editor.grid.array()[0, 0] != 3


def test_overview_tiles_have_the_colours_of_their_weights_and_gaps_pick_nothing(qtbot):
    weights = np.array([-1.0, -0.5, 0.0, 0.25, 0.75, 1.0], np.float32).reshape(3, 2, 1, 1)
    overview = show_widget(qtbot, KernelOverviewView(), 300, 200)
    overview.set_weights(weights)
    overview.set_selected(-1, -1)  # no outline over the tiles
    picture = overview.grab().toImage()
    table = colour_table(diverging())
    for out_channel in range(3):
        for in_channel in range(2):
            colour = picture.pixelColor(overview.tile_rect(out_channel, in_channel).center().toPoint())
            expected = table[colour_index(weights[out_channel, in_channel, 0, 0], -1.0, 1.0)]
            assert (colour.red(), colour.green(), colour.blue()) == tuple(int(v) for v in expected)
    clicked = []
    overview.kernel_clicked.connect(lambda *hit: clicked.append(hit))
    first, second = overview.tile_rect(0, 0), overview.tile_rect(1, 0)
    gap = QPoint(round((first.right() + second.left()) / 2), round(first.center().y()))
    qtbot.mouseClick(overview.viewport(), Qt.MouseButton.LeftButton, pos=gap)
    qtbot.mouseClick(overview.viewport(), Qt.MouseButton.LeftButton, pos=second.center().toPoint())
    assert clicked == [(1, 0)]


def test_the_editor_fits_the_narrow_dock_of_a_1024x768_projector(qtbot, document):
    from .conftest import show_widget

    editor = show_widget(qtbot, KernelEditor(document), 340, 620)
    assert editor.minimumSizeHint().width() <= 340
    grid = editor.grid
    corner = grid.mapTo(editor, grid.rect().bottomRight())
    assert editor.rect().contains(corner)  # the kernel's right column is not cut off


def test_colour_presets_fill_every_slice_of_a_first_layer_kernel(qtbot, editor, document):
    assert document.set_depth(3) is None
    qtbot.waitUntil(lambda: editor.in_spin.suffix() == " of 3: red")
    editor.in_spin.setValue(1)
    assert editor.in_spin.suffix() == " of 3: green"
    choose_preset(editor, "Colour to grey")  # a 3x3 kernel: the luma weights at its centre
    weights = document.session.network.params["0.weight"]
    expected = np.zeros((3, 3, 3), np.float32)
    expected[:, 1, 1] = (0.299, 0.587, 0.114)
    np.testing.assert_array_equal(weights[0], expected)
    assert "every slice" in document.undo_stack.undoText()
    choose_preset(editor, "Red horizontal edges")
    np.testing.assert_array_equal(
        document.session.network.params["0.weight"][0, 0], KERNEL_PRESETS["Horizontal edges"][1]
    )
    assert not document.session.network.params["0.weight"][0, 1:].any()
    before = document.session.network.params["3.weight"].copy()
    box = editor.layer_box
    box.setCurrentIndex(box.findData(3))  # a later conv reads feature maps, not colours
    box.activated.emit(box.currentIndex())
    assert editor.layer() == 3
    choose_preset(editor, "Red horizontal edges")
    assert "first conv layer" in editor.message()
    np.testing.assert_array_equal(document.session.network.params["3.weight"], before)
