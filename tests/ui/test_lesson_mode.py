"""Lesson mode, sessions and autosave as a lecturer uses them from the window."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from cnn_desktop.autosave import AutosaveStore
from cnn_desktop.lesson import SCENE_TITLES

from .conftest import make_window, wait_for_result

SLIDES = json.loads((Path(__file__).parents[1] / "data" / "slide_examples.json").read_text())
EXAMPLES = {example["name"]: example for example in SLIDES["examples"]}


@pytest.fixture
def window(qtbot, document, tmp_path):
    win = make_window(qtbot, document, tmp_path, (1400, 900))
    return win


@pytest.fixture
def warnings(monkeypatch):
    shown = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *args: shown.append(args[2]))
    return shown


def test_the_lesson_replays_the_slides_scene_by_scene(qtbot, window):
    window.start_builtin_lesson()
    assert window.lesson.banner.isVisible()
    assert window.lesson.banner.number.text() == f"1 / {len(SCENE_TITLES)}"
    result = wait_for_result(qtbot, window.document)
    np.testing.assert_array_equal(result.stages[1][0], EXAMPLES["identity kernel, no padding"]["output"])
    qtbot.keyClick(window, Qt.Key.Key_PageDown)
    result = wait_for_result(qtbot, window.document)
    assert window.lesson.banner.title.text() == "Identity kernel, zero padding 1"
    np.testing.assert_array_equal(result.stages[1][0], EXAMPLES["identity kernel, zero padding 1"]["output"])
    for _ in range(2):
        qtbot.keyClick(window, Qt.Key.Key_PageDown)
    result = wait_for_result(qtbot, window.document)
    np.testing.assert_array_equal(result.stages[1][0], EXAMPLES["horizontal edges"]["output"])
    qtbot.keyClick(window, Qt.Key.Key_PageUp)
    result = wait_for_result(qtbot, window.document)
    np.testing.assert_allclose(result.stages[1][0] * 9, EXAMPLES["box blur"]["output_times_9"], atol=1e-5)


def test_the_max_pool_scene_selects_the_pixel_that_sees_sixteen(qtbot, window):
    window.start_builtin_lesson()
    window.lesson.go_to(SCENE_TITLES.index("Max pooling"))
    result = wait_for_result(qtbot, window.document)
    np.testing.assert_array_equal(result.stages[3][0], [[1, 3], [1, 3]])
    assert "sees 16 input pixels (4x4)" in window.caption_label.text()


def test_ending_the_lesson_stops_turning_pages(qtbot, window):
    window.start_builtin_lesson()
    window.lesson.go_to(3)
    window.lesson.stop()
    assert not window.lesson.banner.isVisible()
    qtbot.keyClick(window, Qt.Key.Key_PageDown)  # no longer turns pages
    assert window.lesson.index == -1 and window.document.session.network.input_shape == (1, 28, 28)


def test_a_session_round_trips_through_the_file_menu_code(qtbot, window, tmp_path):
    window.start_builtin_lesson()
    window.lesson.go_to(SCENE_TITLES.index("Max pooling"))
    window.lesson.stop()
    wait_for_result(qtbot, window.document)
    saved = window.document.session
    path = str(tmp_path / "pool.cnnd")
    assert window.save_session(path) is None
    window.start_builtin_lesson()  # something else on screen
    window.lesson.stop()
    assert window.open_session(path) is None
    opened = window.document.session
    np.testing.assert_array_equal(opened.image, saved.image)
    assert opened.network.spec == saved.network.spec and opened.selection == saved.selection
    assert window.windowTitle().startswith("pool.cnnd")


def test_a_damaged_session_file_is_refused_and_nothing_changes(qtbot, window, tmp_path, warnings):
    before = window.document.session.image.copy()
    path = tmp_path / "broken.cnnd"
    path.write_bytes(b"PK\x03\x04 truncated")
    assert window.open_session(str(path)) is not None
    assert warnings and warnings[0].startswith("broken.cnnd")
    np.testing.assert_array_equal(window.document.session.image, before)


def test_scenes_can_be_collected_into_an_own_deck(qtbot, window, tmp_path):
    deck = str(tmp_path / "mine.cnndeck")
    window.start_builtin_lesson()
    for index in (0, 3):
        window.lesson.go_to(index)
        assert window.add_to_deck(deck) is None
    window.lesson.stop()
    assert window.open_deck(deck) is None
    assert window.lesson.banner.number.text() == "1 / 2"
    window.lesson.next()
    result = wait_for_result(qtbot, window.document)
    np.testing.assert_array_equal(result.stages[1][0], EXAMPLES["horizontal edges"]["output"])


def test_autosave_survives_a_crash_and_a_clean_exit_clears_it(qtbot, window, tmp_path):
    window.autosave_now()
    store = AutosaveStore(tmp_path / "auto")
    assert store.pending_restore() is not None  # as after a crash: no clean exit yet
    session, _ = store.restore()
    np.testing.assert_array_equal(session.image, window.document.session.image)
    window.close()
    assert store.pending_restore() is None


def test_f11_toggles_full_screen(qtbot, window):
    window.full_screen_action.trigger()
    assert window.full_screen_action.isChecked()
    window.full_screen_action.trigger()
    assert not window.full_screen_action.isChecked()


def test_a_scene_puts_the_convolution_player_on_its_cell(qtbot, window):
    window.start_builtin_lesson()
    window.lesson.go_to(SCENE_TITLES.index("Horizontal edges"))
    wait_for_result(qtbot, window.document)
    options = window.lesson.scenes[window.lesson.index].view_options
    assert window.conv_player.layer() == options.player_layer == 0
    assert window.conv_player.position() == options.player_position
    qtbot.waitUntil(lambda: window.conv_player.current_trace() is not None)
    trace = window.conv_player.current_trace()
    expected = np.array(EXAMPLES["horizontal edges"]["output"])[trace.unit.y, trace.unit.x]
    assert trace.result == expected and window.conv_player.row.sums.result_label.text().endswith(str(int(expected)))


def test_every_scene_keeps_its_selection_and_player_cell_when_stepped_through(qtbot, window):
    window.start_builtin_lesson()
    for index, scene in enumerate(window.lesson.scenes):
        if index:
            qtbot.keyClick(window, Qt.Key.Key_PageDown)
        wait_for_result(qtbot, window.document)
        qtbot.waitUntil(lambda: window._pending_scene is None)
        assert window.document.session.selection == scene.session.selection, scene.title
        options = scene.view_options
        if options.player_layer is not None:
            assert window.conv_player.layer() == options.player_layer, scene.title
            assert window.conv_player.channel() == options.player_channel, scene.title
            assert window.conv_player.position() == options.player_position, scene.title
    blur = window.lesson.scenes[SCENE_TITLES.index("Box blur")]
    window.lesson.go_to(SCENE_TITLES.index("Box blur"))
    assert blur.view_options.kernel_factor == "1/9"
    assert window.kernel_editor.scale() == pytest.approx(1 / 9)
    np.testing.assert_allclose(window.kernel_editor.kernel_grid(), np.ones((3, 3)), rtol=1e-6)
