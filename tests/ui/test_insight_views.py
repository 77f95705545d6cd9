"""The insight docks in the window: galleries from the View menu, saliency drawn over the image."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QSettings, Qt

from cnn_desktop.data.datasets import load_digits
from cnn_desktop.insight import saliency
from cnn_desktop.ui.insight.latest_task import LatestTask
from cnn_desktop.ui.main_window import MainWindow

from .conftest import wait_for_result


@pytest.fixture
def window(qtbot, document, tmp_path):
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    win = MainWindow(document, settings)
    qtbot.addWidget(win)
    win.resize(1366, 768)
    win.show()
    yield win
    win.insight.shutdown()


def view_action(window, text: str):
    menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&View")
    return next(action for action in menu.actions() if action.text().startswith(text))


def test_the_galleries_are_found_in_the_background_and_a_patch_loads_its_digit(qtbot, window, document) -> None:
    panel = window.insight.galleries
    view_action(window, "What it &learned").trigger()  # opening the panel starts the search
    assert window.insight.gallery_dock.isVisible()
    assert [panel.layer_box.itemData(i) for i in range(panel.layer_box.count())] == [1, 3, 4, 6]
    assert not panel.compute_button.isEnabled() and panel.cancel_button.isEnabled()
    qtbot.waitUntil(lambda: not panel.patch_buttons[0].isHidden(), timeout=20000)
    assert sum(not button.isHidden() for button in panel.patch_buttons) == 9
    assert panel.filter_label.pixmap() is not None and not panel.filter_label.pixmap().isNull()
    first = panel.patch_buttons[0].text()
    panel.channel_box.setValue(3)  # another channel: drawn from the cache, nothing recomputed
    assert "galleries" not in panel.poller and panel.patch_buttons[0].text() != first

    images, galleries = panel.current()
    patch = galleries[1][3].patches[0]
    qtbot.mouseClick(panel.patch_buttons[0], Qt.MouseButton.LeftButton)
    np.testing.assert_array_equal(document.session.image[0], images[patch.image_index])
    assert document.session.selection == patch.unit
    digits = load_digits("bundled")
    np.testing.assert_array_equal(images[:10], digits.train_images[:10])


def test_new_weights_make_the_galleries_stale_and_cancel_stops_a_search(qtbot, window, document) -> None:
    panel = window.insight.galleries
    panel.count_box.setValue(4)
    panel.compute()
    qtbot.waitUntil(lambda: not panel.patch_buttons[0].isHidden(), timeout=20000)
    assert sum(not button.isHidden() for button in panel.patch_buttons) == 4
    weight = document.session.network.params["0.weight"].copy()
    document.edit_params({"0.weight": weight * 2}, "Double the first kernels")
    wait_for_result(qtbot, document)
    assert panel.current() is None and panel.patch_buttons[0].isHidden()
    qtbot.mouseClick(panel.compute_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(panel.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.compute_button.isEnabled(), timeout=20000)
    assert panel.status.text() == "Cancelled." and panel.current() is None


def test_the_saliency_overlay_follows_the_painted_image(qtbot, window, document) -> None:
    panel = window.insight.saliency
    view_action(window, "&Why it decided").trigger()
    assert panel.enabled_box.isChecked() and panel.overlay.isVisible()
    assert window.insight.saliency_dock.isVisible()
    grid = window.pixel_editor.grid
    for row in range(8, 20):
        centre = grid.cell_rect(row, 14).center()
        qtbot.mouseClick(grid, Qt.MouseButton.LeftButton, pos=QPoint(int(centre.x()), int(centre.y())))
    result = wait_for_result(qtbot, document)
    label = int(np.argmax(result.stages[-1]))
    expected = saliency(result.network, result.stages[0], label).gradient.sum(axis=0)
    qtbot.waitUntil(
        lambda: panel.last_map is not None and np.allclose(panel.last_map, expected, atol=1e-6), timeout=5000
    )
    assert f"predicted class {label}" in panel.legend.text()
    assert panel.overlay.image is not None and panel.overlay.image.width() == 28

    panel.mode_box.setCurrentIndex(panel.mode_box.findData("occlusion_zero"))
    qtbot.waitUntil(lambda: "hiding this area" in panel.legend.text(), timeout=5000)
    assert np.all(panel.last_map[:, :5] == 0)  # squares over the blank left edge change nothing

    panel.target_box.setCurrentIndex(panel.target_box.findData(-1))  # the selected unit: none yet
    assert "Select a unit first" in panel.legend.text() and panel.overlay.image is None
    view_action(window, "&Why it decided").trigger()
    assert not panel.overlay.isVisible()


def test_a_request_made_while_the_worker_is_busy_replaces_the_waiting_one(qtbot) -> None:
    gate, started, finished = threading.Event(), [], []

    def work(request: int) -> int:
        started.append(request)
        gate.wait(5)
        return request * 10

    task = LatestTask("test-latest", work, lambda request, done: finished.append((request, done.result)))
    for request in (1, 2, 3):
        task.submit(request)
    gate.set()
    qtbot.waitUntil(lambda: len(finished) == 2, timeout=5000)
    assert started == [1, 3] and finished == [(1, 10), (3, 30)]
    assert not task.busy
    task.shutdown()


def test_two_inputs_shows_the_conv_map_moving_with_a_shifted_digit(qtbot, window, document) -> None:
    panel = window.insight.compare
    digit = load_digits("bundled").test_images[0]
    document.edit_image(np.array(digit), "Load a digit")
    wait_for_result(qtbot, document)
    view_action(window, "&Two inputs").trigger()
    assert window.insight.compare_dock.isVisible()
    qtbot.waitUntil(lambda: panel.comparison is not None and panel.comparison.shift == (0, 1), timeout=5000)
    rows = {panel.table.item(row, 0).text(): row for row in range(panel.table.rowCount())}
    conv = rows["layer 0 (conv 3x3)"]
    assert panel.table.item(conv, 2).text() == "0.0%"  # moved with the input, nothing else
    assert panel.table.item(conv, 1).text() != "0.0%"
    assert panel.table.item(rows["layer 2 (maxpool 2x2)"], 2).text() == "—"  # half a pooled pixel: not undone
    assert "unchanged (they moved with the input): layer 0 (conv 3x3), layer 1 (relu)." in panel.summary.text()
    assert panel.stage_box.currentData() == 1 and not panel.map_labels[2].pixmap().isNull()

    panel.right_box.setValue(2)  # two pixels: a whole pixel after the first pool
    qtbot.waitUntil(lambda: panel.comparison.shift == (0, 2), timeout=5000)
    assert panel.table.item(rows["layer 2 (maxpool 2x2)"], 2).text() == "0.0%"


def lesson_action(window, text: str):
    menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Lesson")
    return next(action for action in menu.actions() if action.text().startswith(text))


def panel_widgets(view, chosen) -> list:
    """The widgets of the presentation layout's panels that ``chosen(panel)`` accepts."""
    pairs = zip(view.panels, view.panel_widgets, strict=True)
    return [widget for panel, widgets in pairs if chosen(panel) for widget in widgets]


def test_a_quiz_scene_hides_its_result_until_the_reveal_key(qtbot, window, document) -> None:
    reveal = window.insight.reveal
    lesson_action(window, "&Quiz").trigger()
    assert window.lesson.active and window.lesson.scenes[-1].title == "Quiz: Shift the digit"
    window.lesson.go_to(3)  # the horizontal edges: the conv output is hidden
    wait_for_result(qtbot, document)
    assert reveal.hidden("stage:1") and len(reveal.map_covers) == 1
    assert not window.insight.compare.table.isVisibleTo(window.insight.compare)  # it would show the maps
    presentation = window.presentation.view
    assert window.presentation.is_shown()  # a lesson shows the presentation layout: covered there too
    covered = panel_widgets(presentation, lambda panel: panel.stage == 1)
    assert covered and [cover.parentWidget() for cover in reveal.presentation_covers()] == covered
    cover = reveal.map_covers[0].sceneBoundingRect()
    assert cover.contains(window.maps.image_item(1).sceneBoundingRect())
    assert not cover.intersects(window.maps.image_item(0).sceneBoundingRect())  # the input stays visible
    assert window.conv_player.state.unit().stage == 1 and reveal.player_covered()  # it would work out the answer
    window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_R)
    assert not reveal.hidden("stage:1") and reveal.map_covers == [] and reveal.presentation_covers() == []
    assert not reveal.player_covered()

    window.lesson.go_to(9)  # the MNIST scene: the probabilities are hidden
    wait_for_result(qtbot, document)
    assert reveal.hidden("probabilities") and not reveal.map_covers
    assert not reveal.probability_cover.isHidden()  # over the dock, for when the layout is switched off
    bars = panel_widgets(presentation, lambda panel: panel.kind == "probabilities")
    assert bars and [cover.parentWidget() for cover in reveal.presentation_covers()] == bars
    assert reveal.presentation_covers()[0].isVisible()
    qtbot.keyClick(window, Qt.Key.Key_R)
    assert reveal.probability_cover.isHidden() and reveal.presentation_covers() == []

    window.lesson.go_to(len(window.lesson.scenes) - 1)  # the shift quiz hides the comparison's numbers
    assert window.insight.compare.hidden_note.isVisibleTo(window.insight.compare)
    assert not window.insight.compare.table.isVisibleTo(window.insight.compare)
    window.lesson.go_to(9)
    assert not reveal.probability_cover.isHidden()  # a scene shown again hides its result again
    lesson_action(window, "&End the lesson").trigger()
    assert not window.lesson.active and reveal.probability_cover.isHidden() and reveal.presentation_covers() == []
    assert not reveal.player_covered()
