"""Save a session through File > Save and reopen it through File > Open: everything on screen comes back."""

from __future__ import annotations

import json
import re
import zipfile

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QSettings, Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox

from cnn_desktop.lesson import SCENE_TITLES, builtin_scenes
from cnn_desktop.session_file import save_session
from cnn_desktop.ui.main_window import MainWindow

from .conftest import wait_for_result

MNIST = SCENE_TITLES.index("After training")


@pytest.fixture
def window(qtbot, document, tmp_path):
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    win = MainWindow(document, settings)
    qtbot.addWidget(win)
    win.show()
    return win


def save_and_reopen(qtbot, window, path, monkeypatch, other_scene) -> None:
    """File > Save to ``path``, show ``other_scene``, then File > Open ``path`` and wait until it is placed."""
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args, **kwargs: (str(path), ""))
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *args, **kwargs: (str(path), ""))
    window.save_session_action.trigger()
    assert path.exists()
    assert window.apply_scene(other_scene) is None
    wait_for_result(qtbot, window.document)
    qtbot.waitUntil(lambda: window._pending_scene is None)
    window.open_session_action.trigger()
    wait_for_result(qtbot, window.document)
    qtbot.waitUntil(lambda: window._pending_scene is None)


def show(qtbot, window, scene) -> None:
    assert window.apply_scene(scene) is None
    wait_for_result(qtbot, window.document)
    qtbot.waitUntil(lambda: window._pending_scene is None)


def test_the_box_blur_reopens_as_one_ninth_times_ones(qtbot, window, tmp_path, monkeypatch):
    scenes = builtin_scenes()
    blur = scenes[SCENE_TITLES.index("Box blur")]
    show(qtbot, window, blur)
    assert window.kernel_editor.scale_box.currentText() == "1/9"
    save_and_reopen(qtbot, window, tmp_path / "blur.cnnd", monkeypatch, scenes[MNIST])
    assert window.kernel_editor.scale_box.currentText() == "1/9"
    assert window.kernel_editor.scale() == pytest.approx(1 / 9)
    np.testing.assert_allclose(window.kernel_editor.kernel_grid(), np.ones((3, 3)), rtol=1e-6)


@pytest.mark.parametrize("index", range(len(SCENE_TITLES)), ids=SCENE_TITLES)
def test_every_lesson_scene_survives_save_and_open(qtbot, window, tmp_path, monkeypatch, index):
    scenes = builtin_scenes()
    scene = scenes[index]
    show(qtbot, window, scene)
    window.maps.set_zoom(1.5)
    window.set_scaling("channel")
    outputs = scene.session.network.params["0.weight"].shape[0]
    window.kernel_editor.set_kernel(outputs - 1, 0)  # the last filter of the layer
    shown = window.view_options()
    assert shown.kernel_output == outputs - 1
    other = scenes[MNIST if index != MNIST else 0]
    save_and_reopen(qtbot, window, tmp_path / "scene.cnnd", monkeypatch, other)
    assert window.view_options() == shown
    expected = scene.view_options
    assert (shown.kernel_layer, shown.kernel_factor, shown.zoom, shown.scaling) == (
        0,
        expected.kernel_factor,
        1.5,
        "channel",
    )
    if expected.player_layer is not None:
        player = (expected.player_layer, expected.player_channel, expected.player_position)
        assert (shown.player_layer, shown.player_channel, shown.player_position) == player
    session = window.document.session
    assert session.caption == scene.caption
    assert session.selection == scene.session.selection
    assert session.network.spec == scene.session.network.spec
    np.testing.assert_array_equal(session.image, scene.session.image)
    for name, array in scene.session.network.params.items():
        np.testing.assert_array_equal(session.network.params[name], array)


def test_a_trained_session_reopens_with_its_curves_verdict_and_confusion_matrix(qtbot, window, tmp_path, monkeypatch):
    panel = window.training
    window.show_first_digit()
    assert window.pixel_editor.digit_label.text().startswith("label ")
    panel.settings_group.limit_spin.setValue(200)
    panel.settings_group.epochs_spin.setValue(2)
    panel.settings_group.batch_spin.setValue(32)
    assert window.probabilities.weights_notice_text().startswith("Untrained (random weights)")
    with qtbot.waitSignal(panel.confusion_ready, timeout=60_000):
        qtbot.mouseClick(panel.start_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: panel.result is not None, timeout=60_000)
    status, matrix = panel.progress.format(), panel.confusion.view.matrix.copy()
    curves = {split: panel.curves.curve_data(split) for split in ("train", "test")}
    label = window.pixel_editor.digit_label.text()
    assert status.startswith("Finished") and len(curves["test"][0]) == 3
    record = window.document.session.training_record
    assert record is not None and record.description.startswith("Trained in the app on 200 digits (2 epochs): ")
    assert window.document.weights_status().trained and window.probabilities.weights_notice_text() == ""

    save_and_reopen(qtbot, window, tmp_path / "trained.cnnd", monkeypatch, builtin_scenes()[0])
    assert panel.progress.format() == status
    for split, (xs, losses, accuracies) in curves.items():
        again = panel.curves.curve_data(split)
        np.testing.assert_array_equal(again[0], xs)
        np.testing.assert_allclose(again[1], losses)
        np.testing.assert_allclose(again[2], accuracies)
    qtbot.waitUntil(lambda: panel.confusion.view.matrix is not None, timeout=10_000)
    np.testing.assert_array_equal(panel.confusion.view.matrix, matrix)
    assert panel.confusion.update_button.isEnabled()
    assert window.document.session.training_record == record and window.probabilities.weights_notice_text() == ""
    assert window.pixel_editor.digit_label.text() == label != "label –"


def test_a_session_without_training_shows_ready_and_an_edited_digit_says_so(qtbot, window, tmp_path, monkeypatch):
    window.show_first_digit()
    grid = window.pixel_editor.grid
    centre = grid.cell_rect(3, 3).center()
    qtbot.mouseClick(grid, Qt.MouseButton.LeftButton, pos=QPoint(int(centre.x()), int(centre.y())))
    label = window.pixel_editor.digit_label.text()
    assert label.startswith("label – (edited ")  # painted over: no longer that digit, and it says why
    assert window.pixel_editor.digit_index.text() == "# –"
    save_and_reopen(qtbot, window, tmp_path / "drawn.cnnd", monkeypatch, builtin_scenes()[MNIST])
    assert window.pixel_editor.digit_label.text() == "label –"
    assert window.training.progress.format() == "Ready: press Start to train"


def rewrite_header(path, change) -> None:
    """Rewrite ``session.json`` of the session file at ``path`` with ``change(header)`` applied."""
    with zipfile.ZipFile(path) as archive:
        header = json.loads(archive.read("session.json"))
        arrays = archive.read("arrays.npz")
    change(header)
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("session.json", json.dumps(header))
        archive.writestr("arrays.npz", arrays)


def test_a_file_from_before_the_new_fields_still_opens(qtbot, window, tmp_path):
    blur = builtin_scenes()[SCENE_TITLES.index("Box blur")]
    path = tmp_path / "old.cnnd"
    save_session(path, blur.session, {"scaling": "layer", "kernel_layer": 0, "caption": blur.caption})

    def as_before(header):
        del header["digit"], header["training"], header["training_record"]

    rewrite_header(path, as_before)
    assert window.open_session(str(path)) is None
    wait_for_result(qtbot, window.document)
    assert window.document.session.training_record is None
    assert window.kernel_editor.scale_box.currentText() == "1"  # it saved no factor
    assert window.training.progress.format() == "Ready: press Start to train"


def test_the_training_record_comes_back_with_the_session(qtbot, window, tmp_path, monkeypatch):
    scenes = builtin_scenes()
    trained = scenes[SCENE_TITLES.index("After training")]
    show(qtbot, window, trained)
    assert window.probabilities.weights_notice_text() == ""
    save_and_reopen(
        qtbot, window, tmp_path / "trained.cnnd", monkeypatch, scenes[SCENE_TITLES.index("Before training")]
    )
    assert window.document.session.training_record == trained.session.training_record
    assert window.document.weights_status().trained and window.probabilities.weights_notice_text() == ""


def test_a_damaged_training_record_refuses_the_file(qtbot, window, tmp_path, monkeypatch):
    warnings = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *args: warnings.append(args[2]))
    path = tmp_path / "damaged.cnnd"
    trained = builtin_scenes()[SCENE_TITLES.index("After training")]
    save_session(path, trained.session, {})
    rewrite_header(path, lambda header: header["training_record"].update(fingerprints=[1, 2]))
    error = window.open_session(str(path))
    assert error == warnings[0] and error.startswith("damaged.cnnd: damaged training record")


def test_view_options_of_the_wrong_kind_are_refused_before_anything_changes(qtbot, window, tmp_path, monkeypatch):
    warnings = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *args: warnings.append(args[2]))
    path = tmp_path / "bad.cnnd"
    scene = builtin_scenes()[0]
    save_session(path, scene.session, {"zoom": 2.0})
    rewrite_header(path, lambda header: header["view_options"].update(zoom="big"))
    before = window.document.session.network.spec
    error = window.open_session(str(path))
    assert error == warnings[0] and error.startswith("bad.cnnd: ") and "zoom" in error and "\n" not in error
    assert window.document.session.network.spec == before and window.document.undo_stack.count() == 0
    assert window.session_path is None


def test_a_session_saved_while_training_runs_says_so_when_reopened(qtbot, window):
    panel = window.training
    panel.settings_group.limit_spin.setValue(300)
    panel.settings_group.epochs_spin.setValue(500)
    qtbot.mouseClick(panel.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.state == "running" and bool(panel.curves.points()), timeout=60_000)
    history = window.session_to_save().training
    assert re.match(r"Saved during training: Epoch \d+ of 500", history.status), history.status
    with qtbot.waitSignal(panel.training_finished, timeout=60_000):
        panel.stop()
    panel.show_history(history)
    assert panel.progress.format() == history.status and panel.start_button.isEnabled()
