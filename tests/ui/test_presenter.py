"""The presenter view as a lecturer meets it, forced onto the one offscreen screen as ``--presenter`` does."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from cnn_desktop.lesson import SCENE_TITLES

from .conftest import make_window, wait_for_result

SLIDES = json.loads((Path(__file__).parents[1] / "data" / "slide_examples.json").read_text())
EXAMPLES = {example["name"]: example for example in SLIDES["examples"]}


@pytest.fixture
def window(qtbot, document, tmp_path):
    win = make_window(qtbot, document, tmp_path, (1400, 900))
    yield win
    win.presenter.audience.close()


def audience_shows_newest(qtbot, window) -> None:
    document, view = window.document, window.presenter.audience.view
    wait_for_result(qtbot, document)
    qtbot.waitUntil(lambda: view.shown_version == document.session.version, timeout=5000)
    QApplication.processEvents()


def test_the_forced_presenter_opens_a_second_window_and_keeps_the_controls(qtbot, window):
    window.presenter.force(0)  # what --audience-screen 0 does at start
    window.start_builtin_lesson()
    audience = window.presenter.audience
    assert audience.isVisible() and audience.isWindow() and audience.window() is not window
    assert window.presenter.action.isChecked()
    assert not window.presentation.is_shown()  # the lecturer keeps the editors...
    assert window.docks["pipeline"].isVisible() and window.maps.isVisible()
    assert window.presenter.notes.isVisible()  # ...and the notes
    window.lesson.go_to(SCENE_TITLES.index("Horizontal edges"))
    audience_shows_newest(qtbot, window)
    output = audience.view.key_grids()[0].array()
    np.testing.assert_array_equal(output, EXAMPLES["horizontal edges"]["output"])
    assert audience.view.title.text() == "Horizontal edges"


def test_page_down_on_the_presenter_moves_both_and_the_next_scene_note(qtbot, window):
    window.presenter.force()
    window.start_builtin_lesson()
    notes, audience = window.presenter.notes, window.presenter.audience
    assert notes.next_title.text() == f"Next 2 / {len(SCENE_TITLES)}: {SCENE_TITLES[1]}"
    window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_PageDown)
    audience_shows_newest(qtbot, window)
    assert window.lesson.index == 1 and audience.view.title.text() == SCENE_TITLES[1]
    assert notes.next_title.text() == f"Next 3 / {len(SCENE_TITLES)}: {SCENE_TITLES[2]}"
    assert notes.now.text() == f"Now 2 / {len(SCENE_TITLES)}: {SCENE_TITLES[1]}"
    assert "in the lesson" in notes.clock.text()
    np.testing.assert_array_equal(
        audience.view.key_grids()[0].array(), EXAMPLES["identity kernel, zero padding 1"]["output"]
    )


def test_page_down_on_the_audience_window_turns_the_page_too(qtbot, window):
    window.presenter.force()
    window.start_builtin_lesson()
    audience = window.presenter.audience
    audience.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is audience)
    qtbot.keyClick(audience, Qt.Key.Key_PageDown)
    assert window.lesson.index == 1


def test_f7_turns_the_presenter_off_and_closing_the_window_closes_the_audience(qtbot, window):
    window.presenter.force()
    assert window.presenter.audience.isVisible()
    qtbot.keyClick(window, Qt.Key.Key_F7)
    assert not window.presenter.audience.isVisible() and not window.presenter.notes.isVisible()
    qtbot.keyClick(window, Qt.Key.Key_F7)
    assert window.presenter.audience.isVisible()
    window.close()
    assert not window.presenter.audience.isVisible()


def test_without_a_second_screen_a_lesson_keeps_one_window(qtbot, window):
    window.start_builtin_lesson()  # the offscreen platform has one screen
    assert not window.presenter.audience.isVisible() and window.presentation.is_shown()
