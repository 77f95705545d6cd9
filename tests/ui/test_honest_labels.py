"""Labels never lie: the digit caption, label and index follow the image from every source, and a
refusal that quotes a running training disappears when the training ends."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QSettings, Qt

from cnn_desktop.data.datasets import load_bundled
from cnn_desktop.lesson import SCENE_TITLES, builtin_scenes
from cnn_desktop.ui.main_window import MainWindow

from .conftest import wait_for_result

RUN_TIMEOUT = 60_000


@pytest.fixture
def window(qtbot, document, tmp_path):
    win = MainWindow(document, QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(win)
    win.resize(1400, 900)
    win.show()
    qtbot.waitExposed(win)
    return win


def shown(window) -> tuple[str, str, str]:
    """(label, index box, message) under the image, as the lecturer reads them."""
    editor = window.pixel_editor
    return editor.digit_label.text(), editor.digit_index.text(), editor.message()


def show_scene(qtbot, window, title: str) -> None:
    assert window.apply_scene(builtin_scenes()[SCENE_TITLES.index(title)]) is None
    wait_for_result(qtbot, window.document)
    qtbot.waitUntil(lambda: window._pending_scene is None)


def test_a_lecture_image_after_a_digit_names_no_digit(qtbot, window):
    window.show_first_digit()
    label, index, message = shown(window)
    assert label.startswith("label ") and index == "# 0" and "digit #0" in message
    show_scene(qtbot, window, "Box blur")  # the lecture's 7x7 image
    assert shown(window) == ("label –", "# –", "")
    show_scene(qtbot, window, "Before training")  # a scene that is a digit says which
    label, index, message = shown(window)
    assert label == f"label {load_bundled().test_labels[0]}" and index == "# 0" and "digit #0" in message


def test_a_painted_over_digit_says_edited_and_a_cleared_one_names_nothing(qtbot, window):
    editor = window.pixel_editor
    assert editor.load_digit("test", 5) is None
    true = load_bundled().test_labels[5]
    grid = editor.grid
    centre = grid.cell_rect(2, 2).center()
    qtbot.mouseClick(grid, Qt.MouseButton.LeftButton, pos=QPoint(int(centre.x()), int(centre.y())))
    assert shown(window)[:2] == (f"label – (edited {true})", "# –")
    assert "digit #5" not in editor.message()
    editor.actions_by_name["clear"].trigger()
    assert shown(window)[:2] == ("label –", "# –")
    editor.actions_by_name["load_digit"].trigger()  # Load: back to the digit last named
    assert shown(window)[:2] == (f"label {true}", "# 5")


def test_a_digit_loaded_from_the_confusion_matrix_is_named(qtbot, window):
    window.show_first_digit()
    panel = window.training
    panel.settings_group.limit_spin.setValue(300)
    panel.settings_group.epochs_spin.setValue(1)
    with qtbot.waitSignal(panel.confusion_ready, timeout=RUN_TIMEOUT):
        with qtbot.waitSignal(panel.training_finished, timeout=RUN_TIMEOUT):
            qtbot.mouseClick(panel.start_button, Qt.MouseButton.LeftButton)
    view = panel.confusion.view
    window.docks["training"].raise_()
    panel.tabs.setCurrentIndex(1)
    qtbot.waitUntil(lambda: view.grid.isVisible() and view.grid.height() > 100)
    true, predicted = np.unravel_index(np.argmax(view.matrix), view.matrix.shape)
    centre = view.grid.cell_rect(int(true), int(predicted)).center().toPoint()
    qtbot.mouseClick(view.grid, Qt.MouseButton.LeftButton, pos=centre)
    qtbot.waitUntil(lambda: view.digits.count() > 1 and not view.digits.visualItemRect(view.digits.item(1)).isEmpty())
    with qtbot.waitSignal(panel.digit_loaded) as loaded:
        qtbot.mouseClick(
            view.digits.viewport(),
            Qt.MouseButton.LeftButton,
            pos=view.digits.visualItemRect(view.digits.item(1)).center(),
        )
    index = loaded.args[0]
    label, box, message = shown(window)
    assert index != 0 and label == f"label {true}" and box == f"# {index}"
    assert f"digit #{index}: a handwritten {true}" in message and "#0:" not in message


def test_a_refusal_during_training_disappears_when_training_ends(qtbot, window):
    panel, kernels = window.training, window.kernel_editor
    panel.settings_group.limit_spin.setValue(300)
    panel.settings_group.epochs_spin.setValue(500)
    qtbot.mouseClick(panel.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.state == "running", timeout=RUN_TIMEOUT)
    window.docks["kernels"].raise_()
    assert kernels.set_cell(0, 0, 0.5) is not None
    assert kernels.message().startswith("Not changed: Training is running")
    pipeline = window.pipeline
    pipeline.tree.setCurrentItem(pipeline.tree.topLevelItem(1))
    pipeline.kernel_spin.setFocus()
    pipeline.kernel_spin.selectAll()
    qtbot.keyClicks(pipeline.kernel_spin, "5")
    qtbot.keyClick(pipeline.kernel_spin, Qt.Key.Key_Return)
    assert not pipeline.error_box.isHidden() and "Training is running" in pipeline.error_label.text()
    with qtbot.waitSignal(panel.training_finished, timeout=RUN_TIMEOUT):
        qtbot.mouseClick(panel.stop_button, Qt.MouseButton.LeftButton)
    assert "Training is running" not in kernels.message()
    assert pipeline.error_box.isHidden() and pipeline.kernel_spin.text() == "3x3"  # the refused edit is gone


def test_an_imported_picture_names_no_digit(qtbot, window, tmp_path):
    from PySide6.QtGui import QColor, QImage

    editor = window.pixel_editor
    assert editor.load_digit("test", 3) is None
    picture = QImage(40, 40, QImage.Format.Format_RGB32)
    picture.fill(QColor("white"))
    picture.save(str(tmp_path / "stroke.png"))
    assert editor.import_image_file(tmp_path / "stroke.png") is None
    label, index, message = shown(window)
    assert (label, index) == ("label –", "# –") and message.startswith("Imported stroke.png")


def test_undo_and_redo_of_a_load_name_the_digit_each_image_is(qtbot, window):
    editor = window.pixel_editor
    labels = load_bundled().test_labels
    assert editor.load_digit("test", 3) is None
    assert editor.load_digit("test", 7) is None
    window.undo_action.trigger()  # back to digit #3, and the label says so
    assert shown(window)[:2] == (f"label {labels[3]}", "# 3")
    window.redo_action.trigger()
    assert shown(window)[:2] == (f"label {labels[7]}", "# 7")
    grid = editor.grid
    centre = grid.cell_rect(1, 1).center()
    qtbot.mouseClick(grid, Qt.MouseButton.LeftButton, pos=QPoint(int(centre.x()), int(centre.y())))
    assert shown(window)[:2] == (f"label – (edited {labels[7]})", "# –")
    window.undo_action.trigger()  # the stroke undone: the digit untouched again
    assert shown(window)[:2] == (f"label {labels[7]}", "# 7")
