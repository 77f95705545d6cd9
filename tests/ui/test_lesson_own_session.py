"""A lesson runs on its own session: the user's work, its history, the autosave and the next start are untouched."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PySide6.QtCore import QSettings, Qt

from cnn_desktop.autosave import AutosaveStore
from cnn_desktop.engine import MNIST_SPEC, Network, Unit, pretrained
from cnn_desktop.lesson import SCENE_TITLES
from cnn_desktop.session_file import load_session
from cnn_desktop.state.digit_library import DigitLibrary
from cnn_desktop.ui.document import SessionDocument
from cnn_desktop.ui.main_window import MainWindow

from .conftest import wait_for_result

MNIST = Network.from_spec(MNIST_SPEC, (1, 28, 28)).spec  # written out in full, as the app keeps it


def make_window(qtbot, tmp_path, document=None):
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    win = MainWindow(document or SessionDocument(), settings, AutosaveStore(tmp_path / "auto"))
    qtbot.addWidget(win)
    win.resize(1400, 900)
    win.show()
    win.activateWindow()
    wait_for_result(qtbot, win.document)
    return win


@pytest.fixture
def window(qtbot, tmp_path):
    win = make_window(qtbot, tmp_path)
    yield win
    win.document.shutdown()


def menu_action(window, menu_title: str, text: str):
    for menu in window.menuBar().actions():
        if menu.text().replace("&", "") == menu_title:
            for action in menu.menu().actions():
                if action.text().replace("&", "") == text:
                    return action
    raise LookupError(f"{menu_title} > {text}")


def make_some_work(qtbot, window):
    """An inverted image, an edited kernel, a selected unit and a file name: the user's own work."""
    window.pixel_editor.actions_by_name["invert"].trigger()
    weight = window.document.session.network.params["0.weight"].copy()
    weight[0, 0] = 0.5
    assert window.document.edit_params({"0.weight": weight}, "Edit kernel") is None
    window.document.select(Unit(1, 2, 3, 4))
    window.session_path = "mine.cnnd"
    window.setWindowTitle("mine.cnnd — cnn-desktop")
    wait_for_result(qtbot, window.document)


def test_ending_the_lesson_gives_the_work_back_as_it_was(qtbot, window):
    make_some_work(qtbot, window)
    before = window.document.session
    image, weights = before.image.copy(), {k: v.copy() for k, v in before.network.params.items()}
    history = [window.document.undo_stack.text(i) for i in range(window.document.undo_stack.count())]
    window.start_builtin_lesson()
    window.lesson.go_to(SCENE_TITLES.index("Max pooling"))
    wait_for_result(qtbot, window.document)
    window.pixel_editor.actions_by_name["invert"].trigger()  # an edit during the lesson, on the scene
    assert window.windowTitle().startswith("Lesson")
    menu_action(window, "Lesson", "End the lesson").trigger()
    wait_for_result(qtbot, window.document)
    qtbot.waitUntil(lambda: window._pending_scene is None)
    after = window.document.session
    np.testing.assert_array_equal(after.image, image)
    assert after.network.spec == MNIST
    for name, value in weights.items():
        np.testing.assert_array_equal(after.network.params[name], value)
    assert after.selection == Unit(1, 2, 3, 4)
    assert [window.document.undo_stack.text(i) for i in range(window.document.undo_stack.count())] == history
    assert window.undo_action.text() == "&Undo Edit kernel"
    assert window.session_path == "mine.cnnd" and window.windowTitle() == "mine.cnnd — cnn-desktop"
    window.undo_action.trigger()  # the user's own history still works: the kernel edit goes
    assert window.document.session.network.params["0.weight"][0, 0, 0, 0] != 0.5


def test_undo_in_a_lesson_stays_in_the_lesson(qtbot, window):
    make_some_work(qtbot, window)
    window.start_builtin_lesson()
    assert not window.undo_action.isEnabled()  # a scene starts with an empty history
    qtbot.keyClick(window, Qt.Key.Key_PageDown)
    scene_image = window.document.session.image[0].copy()
    window.pixel_editor.actions_by_name["invert"].trigger()
    assert window.undo_action.text() == "&Undo Invert image"
    for _ in range(3):  # more than the scene's edits: never reaches into the work
        window.undo_action.trigger()
    assert not window.undo_action.isEnabled()
    np.testing.assert_array_equal(window.document.session.image[0], scene_image)
    assert window.document.session.network.input_shape == (1, 7, 7)


def test_quitting_during_a_lesson_never_records_a_scene(qtbot, tmp_path):
    first = make_window(qtbot, tmp_path)
    make_some_work(qtbot, first)
    work_image = first.document.session.image[0].copy()
    first.start_builtin_lesson()
    first.lesson.go_to(SCENE_TITLES.index("Convolution layer"))
    wait_for_result(qtbot, first.document)
    first.autosave_now()  # the minute timer fires during the lesson
    saved, _ = load_session(AutosaveStore(tmp_path / "auto").path)
    np.testing.assert_array_equal(saved.image[0], work_image)
    assert saved.network.spec == MNIST
    first.close()
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    assert json.loads(str(settings.value("session/pipeline"))) == MNIST
    second = make_window(qtbot, tmp_path)
    assert second.document.session.network.spec == MNIST
    second.close()


def test_file_new_opens_the_default_document_and_undo_brings_the_work_back(qtbot, window):
    make_some_work(qtbot, window)
    work_image = window.document.session.image[0].copy()
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    wait_for_result(qtbot, window.document)
    session = window.document.session
    image, digit = DigitLibrary().first_test_digit()
    np.testing.assert_array_equal(session.image[0], image)
    assert session.digit == digit and session.selection is None
    np.testing.assert_array_equal(session.network.params["0.weight"], pretrained().params["0.weight"])
    assert window.session_path is None and window.windowTitle() == "cnn-desktop"
    window.undo_action.trigger()
    np.testing.assert_array_equal(window.document.session.image[0], work_image)
    assert window.document.session.network.params["0.weight"][0, 0, 0, 0] == 0.5


def test_file_new_during_a_lesson_ends_it_first(qtbot, window):
    window.start_builtin_lesson()
    window.new_session_action.trigger()
    assert not window.lesson.active and not window.lesson.banner.isVisible()
    assert window.document.session.network.spec == MNIST
    assert window.undo_action.text() == "&Undo New session"


def test_a_lesson_started_with_the_app_gives_back_the_player_on_the_first_layer(qtbot, tmp_path):
    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    win = MainWindow(SessionDocument(), settings, AutosaveStore(tmp_path / "auto"))
    qtbot.addWidget(win)
    win.show()
    assert win.conv_player.layer() == -1  # as with --lesson: no result placed the player yet
    win.start_builtin_lesson()
    win.lesson.go_to(SCENE_TITLES.index("Max pooling"))
    wait_for_result(qtbot, win.document)
    qtbot.waitUntil(lambda: win._pending_scene is None)
    assert win.conv_player.layer() == 2
    win.lesson.stop()
    wait_for_result(qtbot, win.document)
    qtbot.waitUntil(lambda: win._pending_scene is None)
    assert win.conv_player.layer() == 0
    win.document.shutdown()


def test_a_training_run_in_the_lesson_never_reaches_the_work(qtbot, window):
    make_some_work(qtbot, window)
    weights = {name: value.copy() for name, value in window.document.session.network.params.items()}
    record = window.document.session.training_record
    window.start_builtin_lesson()
    window.lesson.go_to(SCENE_TITLES.index("After training"))
    wait_for_result(qtbot, window.document)
    panel = window.training
    panel.settings_group.limit_spin.setValue(300)
    panel.settings_group.epochs_spin.setValue(500)
    qtbot.mouseClick(panel.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.state == "running" and panel.last_event is not None, timeout=30_000)
    with qtbot.waitSignal(panel.training_finished, timeout=30_000):
        menu_action(window, "Lesson", "End the lesson").trigger()
    for name, value in weights.items():
        np.testing.assert_array_equal(window.document.session.network.params[name], value)
    assert window.document.session.training_record == record
