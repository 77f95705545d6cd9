"""The presentation layout as a lecturer meets it: every scene readable, at projector sizes, by key."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QRegion
from PySide6.QtWidgets import QApplication

from cnn_desktop.lesson import SCENE_TITLES, builtin_scenes
from cnn_desktop.ui.editors.grid_view import NumberGridView
from cnn_desktop.ui.presentation.measure import digit_heights
from cnn_desktop.ui.presentation.probability_bars import ProbabilityBarsView

from .conftest import make_window

# screen size -> smallest digit height (px) the back row can read there
DIGIT_TARGETS = {(1024, 768): 14, (1280, 720): 14, (1920, 1080): 24}
WINDOW_MANAGER_ROOM = 64
"""Height a maximised window loses to a title bar and a desktop panel."""


@pytest.fixture
def window(qtbot, document, tmp_path):
    win = make_window(qtbot, document, tmp_path, (1400, 900))
    return win


def wait_until_shown(qtbot, window) -> None:
    """Until the presentation draws the document's newest result, laid out."""
    document, view = window.document, window.presentation.view
    qtbot.waitUntil(
        lambda: (
            document.latest is not None
            and document.latest.version == document.session.version
            and view.shown_version == document.session.version
        ),
        timeout=5000,
    )
    QApplication.processEvents()


def fully_visible(widget) -> bool:
    return widget.isVisible() and (QRegion(widget.rect()) - widget.visibleRegion()).isEmpty()


def inside_window(window, widget) -> bool:
    top_left = widget.mapTo(window, widget.rect().topLeft())
    bottom_right = widget.mapTo(window, widget.rect().bottomRight())
    return window.rect().contains(top_left) and window.rect().contains(bottom_right)


def check_scene(window, target: int) -> list[int]:
    """Every panel on screen, unclipped; the key output's numbers at least ``target`` px tall."""
    view = window.presentation.view
    for widgets in view.panel_widgets:
        for widget in widgets:
            assert fully_visible(widget), (window.lesson.banner.title.text(), widget.geometry())
            assert inside_window(window, widget)
    heights = []
    for widget in view.key_grids():
        if isinstance(widget, NumberGridView):
            rows, cols = widget.array().shape
            for row in range(rows):
                for col in range(cols):
                    assert widget.rect().contains(widget.cell_rect(row, col).toAlignedRect())
            heights += digit_heights(widget)
        else:
            assert isinstance(widget, ProbabilityBarsView)
            assert widget.height() >= 160 and widget.headline.startswith("predicted: ")
    assert not heights or min(heights) >= target, (window.lesson.banner.title.text(), heights)
    return heights


@pytest.mark.parametrize("screen", list(DIGIT_TARGETS))
@pytest.mark.parametrize("maximised", [False, True], ids=["full screen", "maximised"])
def test_every_scene_fits_the_screen_with_readable_numbers(qtbot, window, screen, maximised):
    window.start_builtin_lesson()
    assert window.presentation.action.isChecked()
    width, height = screen
    window.resize(width, height - (WINDOW_MANAGER_ROOM if maximised else 0))
    for index in range(len(builtin_scenes())):
        if index:
            qtbot.keyClick(window, Qt.Key.Key_PageDown)
        assert window.lesson.banner.number.text() == f"{index + 1} / {len(SCENE_TITLES)}"
        wait_until_shown(qtbot, window)
        check_scene(window, DIGIT_TARGETS[screen])


def test_the_headline_is_large_at_full_hd_and_normal_again_after_the_lesson(qtbot, window):
    normal = window.lesson.banner.caption.font()
    window.start_builtin_lesson()
    window.resize(1920, 1080)
    wait_until_shown(qtbot, window)
    banner = window.lesson.banner
    assert banner.title.font().pixelSize() >= 30
    assert banner.caption.font().pixelSize() >= 20
    assert fully_visible(banner.title) and fully_visible(banner.caption)
    assert banner.caption.geometry().bottom() < window.presentation.view.geometry().top() + 1
    window.lesson.stop()
    assert banner.caption.font() == normal


def test_the_action_and_f6_toggle_the_layout_and_give_the_docks_back(qtbot, window):
    docks_before = {key for key, dock in window.docks.items() if dock.isVisible()}
    window.presentation.action.trigger()
    assert window.presentation.view.isVisible()
    assert not window.maps.isVisible()
    assert not any(dock.isVisible() for dock in window.docks.values())
    qtbot.keyClick(window, Qt.Key.Key_F6)
    assert not window.presentation.view.isVisible()
    assert {key for key, dock in window.docks.items() if dock.isVisible()} == docks_before
    qtbot.keyClick(window, Qt.Key.Key_F6)
    assert window.presentation.view.isVisible()
    assert window.presentation.action in window.menuBar().actions()[2].menu().actions()  # View menu


def test_page_down_and_up_move_scenes_while_the_layout_is_shown(qtbot, window):
    window.start_builtin_lesson()
    view = window.presentation.view
    assert view.isVisible() and window.lesson.banner.number.text() == f"1 / {len(SCENE_TITLES)}"
    qtbot.keyClick(window, Qt.Key.Key_PageDown)
    qtbot.keyClick(window, Qt.Key.Key_Space)
    wait_until_shown(qtbot, window)
    assert window.lesson.banner.title.text() == "Box blur"
    assert view.panels[1].operator == "* 1/9 \u00d7"
    np.testing.assert_allclose(view.panel_widgets[1][0].array(), np.ones((3, 3)), atol=1e-5)
    qtbot.keyClick(window, Qt.Key.Key_PageUp)
    wait_until_shown(qtbot, window)
    assert window.lesson.banner.number.text() == f"2 / {len(SCENE_TITLES)}"
    window.lesson.stop()
    assert not view.isVisible() and not window.presentation.action.isChecked()


def test_an_edit_in_the_normal_window_shows_in_the_presentation(qtbot, window):
    window.start_builtin_lesson()
    wait_until_shown(qtbot, window)
    qtbot.keyClick(window, Qt.Key.Key_F6)  # back to the editors
    editor = window.pixel_editor.grid
    assert window.document.session.image[0][1, 1] == 0
    qtbot.mouseClick(editor, Qt.MouseButton.LeftButton, pos=editor.cell_rect(1, 1).center().toPoint())
    assert window.document.session.image[0][1, 1] == 1
    qtbot.keyClick(window, Qt.Key.Key_F6)
    wait_until_shown(qtbot, window)
    view = window.presentation.view
    assert view.panel_widgets[0][0].array()[1, 1] == 1
    assert view.key_grids()[0].array()[0, 0] == 1  # the identity kernel's first output is pixel (1, 1)


def test_full_screen_fills_the_screen_and_gives_the_window_back(qtbot, window):
    window.resize(900, 600)
    before = window.geometry()
    window.full_screen_action.trigger()
    assert window.isFullScreen() and window.full_screen_action.isChecked()
    assert window.geometry().size() == window.screen().geometry().size()
    window.full_screen_action.trigger()
    assert not window.isFullScreen() and not window.full_screen_action.isChecked()
    assert window.geometry().size() == before.size()


def test_the_pooling_scene_tints_the_16_input_pixels_behind_the_selected_1(qtbot, window):
    window.start_builtin_lesson()
    window.lesson.go_to(6)  # max pooling: the pooled 1 at (0, 0) is selected
    wait_until_shown(qtbot, window)
    view = window.presentation.view
    qtbot.waitUntil(lambda: view.panel_widgets[0][0].highlight() is not None)
    assert int(view.panel_widgets[0][0].highlight().sum()) == 16
    assert [(r.top, r.left, r.bottom, r.right) for r in view.key_grids()[0].overlays()] == [(0, 0, 0, 0)]


def test_closing_in_the_presentation_saves_the_docks_as_they_were(qtbot, window, tmp_path):
    shown = {key for key, dock in window.docks.items() if dock.isVisible()}
    qtbot.keyClick(window, Qt.Key.Key_F6)
    window.close()
    assert {key for key, dock in window.docks.items() if not dock.isHidden()} == shown
    assert not window.presentation.action.isChecked()


@pytest.mark.parametrize("top", [0, 4, 9])
def test_the_winning_percentage_is_drawn_whole_above_its_bar(qtbot, top):
    bars = ProbabilityBarsView()
    qtbot.addWidget(bars)
    bars.resize(300, 600)  # tall and narrow: the text is wider than a bar
    probabilities = np.full(10, 0.0)
    probabilities[top] = 1.0
    bars.set_probabilities(probabilities)
    image = bars.grab().toImage()
    line = max(12.0, bars.height() * 0.11)
    slot = bars.width() / 10
    bar_top = bars.height() - line - 2 - (bars.height() - line - line * 2.4 - 4)
    text_row = int(bar_top - line / 2)
    orange = [
        x
        for x in range(image.width())
        if image.pixelColor(x, text_row).red() > 200 > image.pixelColor(x, text_row).blue() + 100
    ]
    assert orange, "the percentage is drawn"
    assert min(orange) > 0 and max(orange) < image.width() - 1  # not cut by either edge
    assert min(orange) < (top + 1) * slot and max(orange) > top * slot  # over its own bar
