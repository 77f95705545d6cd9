"""A trained network reads what a student draws: the start-up network, the weights notice, the pen, Prepare."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QSettings, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QFileDialog

from cnn_desktop.engine import MNIST_SPEC, Network
from cnn_desktop.engine.pretrained import pretrained_info
from cnn_desktop.lesson import builtin_scenes
from cnn_desktop.session import default_session
from cnn_desktop.state.training_history import TrainingHistory
from cnn_desktop.state.weights_notice import TRAINING_NOTICE
from cnn_desktop.ui.document import SessionDocument
from cnn_desktop.ui.main_window import MainWindow
from cnn_desktop.ui.presentation.probability_bars import NOTICE_ON_LIGHT

from .conftest import wait_for_result


@pytest.fixture
def settings(tmp_path):
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


def open_window(qtbot, settings) -> MainWindow:
    """The window as ``cnn-desktop`` opens it: the default session, shown and active."""
    win = MainWindow(SessionDocument(default_session()), settings)
    qtbot.addWidget(win)
    win.resize(1366, 900)
    win.show()
    qtbot.waitExposed(win)
    win.activateWindow()
    qtbot.waitActive(win)
    return win


@pytest.fixture
def window(qtbot, settings):
    return open_window(qtbot, settings)  # closing it (qtbot does) stops its compute thread


def probabilities(qtbot, window) -> np.ndarray:
    return wait_for_result(qtbot, window.document).probabilities


def at(window, row: int, col: int) -> QPoint:
    return window.pixel_editor.grid.cell_rect(row, col).center().toPoint()


def draw(qtbot, window, cells: list[tuple[int, int]], button=Qt.MouseButton.LeftButton) -> None:
    """One stroke with the mouse through the centres of ``cells``."""
    grid = window.pixel_editor.grid
    qtbot.mousePress(grid, button, pos=at(window, *cells[0]))
    for cell in cells[1:]:
        qtbot.mouseMove(grid, at(window, *cell))
    qtbot.mouseRelease(grid, button, pos=at(window, *cells[-1]))


def centre_of_mass(image: np.ndarray) -> tuple[float, float]:
    rows, cols = np.indices(image.shape)
    mass = image.sum()
    return float((rows * image).sum() / mass), float((cols * image).sum() / mass)


def notice(window) -> str:
    return window.probabilities.weights_notice_text()


def undo_key(qtbot, window) -> None:
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)


# ----------------------------------------------------------------------------------------------- start-up
def test_the_window_opens_on_the_trained_network_reading_the_first_test_digit(qtbot, window):
    digit = window.document.session.digit
    assert digit is not None and (digit.split, digit.index) == ("test", 0)
    shown = probabilities(qtbot, window)
    assert int(np.argmax(shown)) == digit.label and shown[digit.label] > 0.9
    qtbot.waitUntil(lambda: window.probabilities.top_class == digit.label)
    assert window.probabilities.headline.text().startswith(f"{digit.label}: ")
    assert notice(window) == ""  # trained weights: nothing to warn about
    assert window.pixel_editor.brush_shape.currentText() == "Soft pen"
    assert not window.document.undo_stack.canUndo()


def test_the_training_panel_opens_on_the_curves_and_matrix_of_the_run_that_made_the_weights(qtbot, window):
    panel = window.training
    history = TrainingHistory.from_json(pretrained_info()["history"])
    test_x, _, test_accuracy = panel.curves.curve_data("test")
    assert list(test_x) == list(range(history.epochs + 1))  # before training and after every epoch
    assert test_accuracy[-1] == pytest.approx(100 * pretrained_info()["held_out_accuracy"])  # in %
    assert len(panel.curves.curve_data("train")[0]) == history.epochs
    assert panel.progress.format().startswith("Trained in advance: test accuracy ")
    qtbot.waitUntil(lambda: panel.confusion.view.matrix is not None, timeout=10_000)
    np.testing.assert_array_equal(panel.confusion.view.matrix, history.confusion)


# ----------------------------------------------------------------------------------------------- the notice
def test_an_edited_kernel_says_changed_since_training_until_it_is_undone(qtbot, window):
    editor = window.kernel_editor
    grid = editor.grid
    grid.setFocus()
    qtbot.keyClicks(grid, "3")
    qtbot.keyClick(grid, Qt.Key.Key_Return)
    assert window.document.session.network.params["0.weight"][0, 0, 0, 0] == 3
    assert notice(window) == "Changed since training: the weights of layer 0 (conv 3x3) were edited."
    assert window.probabilities.weights_notice.isVisible()
    undo_key(qtbot, window)
    assert window.document.session.network.params["0.weight"][0, 0, 0, 0] != 3
    assert notice(window) == "" and not window.probabilities.weights_notice.isVisible()


def test_reset_to_random_weights_is_an_undoable_menu_action(qtbot, window):
    trained = probabilities(qtbot, window).copy()
    label = window.document.session.digit.label
    action = window.reset_weights_action
    assert action in window.menuBar().actions()[3].menu().actions()  # Training > Reset to random weights
    action.trigger()
    assert window.document.session.training_record is None
    assert notice(window).startswith("Untrained (random weights)")
    assert "untrained" in window.statusBar().currentMessage()
    random = probabilities(qtbot, window)
    assert random[label] < 0.5 and not np.allclose(random, trained)
    assert window.undo_action.text() == "&Undo Reset to random weights"
    window.undo_action.trigger()
    np.testing.assert_allclose(probabilities(qtbot, window), trained, atol=1e-6)
    assert notice(window) == "" and window.document.session.training_record is not None


def painted_pixels(widget, colour: QColor) -> int:
    """How many pixels of ``widget`` as drawn now are exactly ``colour``."""
    image = widget.grab().toImage()
    return sum(image.pixelColor(x, y) == colour for y in range(image.height()) for x in range(image.width()))


def test_the_presentation_layout_s_bars_carry_the_same_notice(qtbot, window):
    qtbot.keyClick(window, Qt.Key.Key_F6)
    view = window.presentation.view
    assert view.isVisible()

    def bars():
        return view.probability_bars()

    qtbot.waitUntil(lambda: bars() is not None and bars().top_class == window.document.session.digit.label)
    assert bars().notice == "" and painted_pixels(bars(), NOTICE_ON_LIGHT) == 0
    window.reset_weights_action.trigger()
    qtbot.waitUntil(lambda: bars().notice == notice(window))
    assert bars().notice.startswith("Untrained (random weights)")
    assert painted_pixels(bars(), NOTICE_ON_LIGHT) > 50  # written on screen, in the notice's amber
    window.undo_action.trigger()
    assert bars().notice == "" == notice(window)

    qtbot.keyClick(window, Qt.Key.Key_F6)  # back to the editors to change a kernel, then to the hall again
    grid = window.kernel_editor.grid
    grid.setFocus()
    qtbot.keyClicks(grid, "3")
    qtbot.keyClick(grid, Qt.Key.Key_Return)
    qtbot.keyClick(window, Qt.Key.Key_F6)
    assert view.isVisible()
    qtbot.waitUntil(lambda: bars() is not None)
    assert bars().notice == "Changed since training: the weights of layer 0 (conv 3x3) were edited." == notice(window)


def test_a_grid_change_names_the_layers_that_lost_their_training_and_undo_brings_them_back(qtbot, window):
    window.pixel_editor.grid_size.setValue(32)  # the dense layer now sees 6x6 maps: it cannot keep its weights
    assert window.document.session.image[0].shape == (32, 32)
    message = window.statusBar().currentMessage()
    assert message.startswith("layer 7 (dense 10) lost its training") and "Undo" in message
    assert notice(window) == (
        "Changed since training: the pipeline is different, with untrained weights in layer 7 (dense 10)."
    )
    window.undo_action.trigger()
    assert window.document.session.image[0].shape == (28, 28) and notice(window) == ""


def test_deleting_a_pool_tells_which_trained_layer_it_cost_and_is_undoable(qtbot, window):
    pipeline = window.pipeline
    pipeline.select_layer(2)  # layer 2 (maxpool 2x2): without it the dense layer sees larger maps
    pipeline.tree.setFocus()
    qtbot.keyClick(pipeline.tree, Qt.Key.Key_Delete)
    assert len(window.document.session.network.spec) == 7
    assert window.statusBar().currentMessage().startswith("layer 7 (dense 10) lost its training: new random weights")
    assert notice(window).endswith("untrained weights in layer 6 (dense 10).")
    window.undo_action.trigger()
    assert len(window.document.session.network.spec) == 8 and notice(window) == ""
    assert int(np.argmax(probabilities(qtbot, window))) == window.document.session.digit.label


# ----------------------------------------------------------------------------------------------- the pen
def test_the_soft_pen_draws_soft_edges_in_one_undo_step(qtbot, window):
    window.pixel_editor.clear()
    count = window.document.undo_stack.count()
    draw(qtbot, window, [(10, 5), (10, 20)])
    image = window.document.session.image[0]
    assert (image[10, 5:21] == 1).all()  # full ink along the middle of the stroke
    assert (image[9, 6:20] == 0.5).all() and (image[11, 6:20] == 0.5).all()  # soft at its sides
    assert 0 < image[9, 4] < 0.5 and not image[8].any() and not image[12].any()
    assert window.document.undo_stack.count() == count + 1
    assert window.document.undo_stack.undoText() == "Paint stroke"


def test_a_lecture_scene_on_7x7_keeps_the_hard_one_pixel_brush(qtbot, window):
    assert window.apply_scene(builtin_scenes()[0]) is None
    editor = window.pixel_editor
    assert editor.brush_shape.currentText() == "Square" and editor.brush_size.value() == 1
    before = window.document.session.image[0].copy()
    draw(qtbot, window, [(0, 0), (0, 2)])
    changed = np.argwhere(window.document.session.image[0] != before)
    assert {tuple(cell) for cell in changed} <= {(0, 0), (0, 1), (0, 2)}
    assert (window.document.session.image[0][0, :3] == 1).all()
    editor.brush_shape.setCurrentText("Soft pen")  # the soft pen stays one choice away
    assert editor.brush_shape.currentText() == "Soft pen"


# ----------------------------------------------------------------------------------------------- prepare like MNIST
def test_prepare_centres_a_small_off_centre_square_and_ctrl_z_undoes_it(qtbot, window):
    square = np.zeros((28, 28), np.float32)
    square[2:7, 3:8] = 1
    window.document.edit_image(square, "Square")
    action = window.pixel_editor.actions_by_name["prepare"]
    assert action in window.menuBar().actions()[1].menu().actions()  # Edit > Prepare like MNIST
    assert action.shortcut().toString() == "Ctrl+M" and "centre" in action.toolTip()
    qtbot.keyClick(window, Qt.Key.Key_M, Qt.KeyboardModifier.ControlModifier)
    prepared = window.document.session.image[0]
    row, col = centre_of_mass(prepared)
    assert abs(row - 14) <= 0.5 and abs(col - 14) <= 0.5
    ink_rows = np.flatnonzero(prepared.sum(axis=1) > 0.5)
    assert 19 <= len(ink_rows) <= 21  # the 5-pixel square now spans 20 of 28 rows
    np.testing.assert_array_equal(window.pixel_editor.grid.array(), prepared)  # visible in the grid
    assert window.document.undo_stack.undoText() == "Prepare like MNIST"
    undo_key(qtbot, window)
    np.testing.assert_array_equal(window.document.session.image[0], square)


def test_prepare_on_an_empty_image_says_why_and_changes_nothing(qtbot, window):
    window.pixel_editor.clear()
    count = window.document.undo_stack.count()
    window.pixel_editor.actions_by_name["prepare"].trigger()
    assert "empty" in window.pixel_editor.message() and "draw a digit first" in window.pixel_editor.message()
    assert window.document.undo_stack.count() == count and not window.document.session.image[0].any()


def test_prepare_after_each_stroke_is_remembered_and_makes_one_undo_step(qtbot, window, settings):
    option = window.pixel_editor.prepare_after_stroke
    assert option.isCheckable() and not option.isChecked()
    assert option in window.menuBar().actions()[1].menu().actions()
    option.trigger()
    assert settings.value("image/prepare_after_stroke") in (True, "true")
    window.pixel_editor.clear()
    count = window.document.undo_stack.count()
    draw(qtbot, window, [(3, 4), (12, 5)])  # a small "1" near the top left
    row, col = centre_of_mass(window.document.session.image[0])
    assert abs(row - 14) <= 0.5 and abs(col - 14) <= 0.5
    assert window.document.undo_stack.count() == count + 1
    assert window.document.undo_stack.undoText() == "Paint stroke + prepare like MNIST"
    window.undo_action.trigger()
    assert not window.document.session.image[0].any()

    window.close()
    assert open_window(qtbot, settings).pixel_editor.prepare_after_stroke.isChecked()


@pytest.mark.parametrize(
    ("digit", "strokes"),
    [(1, [[(3, 5), (13, 4)]]), (7, [[(3, 3), (3, 11), (14, 6)]]), (7, [[(15, 14), (15, 22), (25, 17)]])],
    ids=["1 top left", "7 top left", "7 bottom right"],
)
def test_a_small_off_centre_drawing_is_read_right_once_prepared(qtbot, window, digit, strokes):
    window.pixel_editor.clear()
    for cells in strokes:
        draw(qtbot, window, cells)
    drawn = probabilities(qtbot, window)
    assert drawn[digit] < 0.6  # as drawn, far from anything MNIST showed the network: not read with confidence
    window.pixel_editor.actions_by_name["prepare"].trigger()
    read = probabilities(qtbot, window)
    assert int(np.argmax(read)) == digit and read[digit] > 0.9


# ----------------------------------------------------------------------------------------------- training and files
def test_while_training_runs_the_notice_says_so_and_a_stopped_run_is_recorded(qtbot, window):
    window.reset_weights_action.trigger()
    panel = window.training
    panel.settings_group.limit_spin.setValue(300)
    panel.settings_group.epochs_spin.setValue(500)
    qtbot.mouseClick(panel.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.state == "running" and panel.last_event is not None, timeout=30_000)
    assert notice(window) == TRAINING_NOTICE
    with qtbot.waitSignal(panel.training_finished, timeout=30_000):
        qtbot.mouseClick(panel.stop_button, Qt.MouseButton.LeftButton)
    record = window.document.session.training_record
    assert record is not None and record.description.startswith("Trained in the app on 300 digits (stopped after ")
    assert notice(window) == ""


def test_loaded_weights_count_as_the_file_s_training_and_edits_show_as_changes(qtbot, window, tmp_path, monkeypatch):
    path = tmp_path / "lecture.npz"
    Network.from_spec(MNIST_SPEC, (1, 28, 28), seed=5).save(path)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *args, **kwargs: (str(path), ""))
    load = next(action for action in window.menuBar().actions()[0].menu().actions() if "Load weights" in action.text())
    load.trigger()
    assert window.document.session.training_record.description.startswith("Weights loaded from lecture.npz")
    assert notice(window) == ""
    kernel = window.document.session.network.params["0.weight"].copy()
    kernel[0, 0, 0, 0] = 2
    window.document.edit_params({"0.weight": kernel}, "Edit kernel")
    assert notice(window).startswith("Changed since training: the weights of layer 0 (conv 3x3)")
