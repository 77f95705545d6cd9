"""The training panel: background MNIST training that the lecturer watches live (real widgets)."""

from __future__ import annotations

import multiprocessing
import threading
import time

import numpy as np
import pytest
from PySide6.QtCore import Qt

from cnn_desktop import training_job as training_worker
from cnn_desktop.data import download as mnist_download
from cnn_desktop.data.datasets import load_bundled
from cnn_desktop.engine import MNIST_SPEC, Network
from cnn_desktop.training import DEFAULT_LR
from cnn_desktop.ui.training.training_panel import LOCK_REASON, TrainingPanel

from .conftest import show_widget, wait_for_result

RUN_TIMEOUT = 30_000  # ms: generous; a short run takes well under a second


@pytest.fixture
def panel(qtbot, document):
    widget = show_widget(qtbot, TrainingPanel(document), 450, 800)
    yield widget
    widget.shutdown()


def configure(panel: TrainingPanel, *, digits: int = 300, epochs: int = 1, batch: int = 16) -> None:
    panel.settings_group.limit_spin.setValue(digits)
    panel.settings_group.epochs_spin.setValue(epochs)
    panel.settings_group.batch_spin.setValue(batch)


def params_copy(document) -> dict[str, np.ndarray]:
    return {name: array.copy() for name, array in document.session.network.params.items()}


def start_long_run(qtbot, panel: TrainingPanel) -> None:
    """A run that lasts far longer than the test needs (the test stops it)."""
    configure(panel, digits=300, epochs=500, batch=16)
    qtbot.mouseClick(panel.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.state == "running" and panel.last_event is not None, timeout=RUN_TIMEOUT)


def run_to_end(qtbot, panel: TrainingPanel) -> str:
    with qtbot.waitSignal(panel.training_finished, timeout=RUN_TIMEOUT) as finished:
        qtbot.mouseClick(panel.start_button, Qt.MouseButton.LeftButton)
    return finished.args[0]


# ----------------------------------------------------------------------------- learning live


def test_short_run_learns_live_and_updates_everything(qtbot, panel, document):
    configure(panel, digits=1000, epochs=2, batch=16)
    filters_before = panel.first_filters.mosaic.image.image.copy()
    weights_before = params_copy(document)
    maps_before = wait_for_result(qtbot, document).stages[1].copy()
    adopted, progress, locked_while_running = [], [], []
    document.params_changed.connect(lambda: adopted.append(time.perf_counter()))
    panel.progress_updated.connect(progress.append)
    panel.state_changed.connect(lambda state: locked_while_running.append(document.weights_lock))
    started = time.perf_counter()

    with qtbot.waitSignal(panel.confusion_ready, timeout=RUN_TIMEOUT):
        assert run_to_end(qtbot, panel) == "finished"
    elapsed = time.perf_counter() - started

    assert LOCK_REASON in locked_while_running  # locked once running ...
    assert document.weights_lock is None  # ... and unlocked at the end
    train_x, train_loss, train_accuracy = panel.curves.curve_data("train")
    test_x, test_loss, test_accuracy = panel.curves.curve_data("test")
    assert len(train_x) >= 20 and np.all(np.diff(train_x) > 0)
    assert list(test_x) == [0.0, 1.0, 2.0]  # before training, then after each epoch
    assert train_loss[-1] < train_loss[0]
    assert len(panel.curves.train_loss_curve.getData()[0]) == len(train_x)  # the drawn curve has the points
    assert test_accuracy[-1] > 30 and panel.result.test_accuracy > 0.3  # far beyond chance (10%)
    assert "Finished 2 epochs" in panel.message()
    assert "test accuracy" in panel.progress.text()

    assert panel.first_filters.mosaic.image.image.shape == filters_before.shape
    assert not np.array_equal(panel.first_filters.mosaic.image.image, filters_before, equal_nan=True)
    weights = document.session.network.params
    assert not np.allclose(weights["0.weight"], weights_before["0.weight"])
    assert all(np.isfinite(array).all() for array in weights.values())
    result = wait_for_result(qtbot, document)
    assert not np.allclose(result.stages[1], maps_before)  # the feature maps follow the trained weights
    # throttled: roughly ten updates a second at most, while the trainer ran 125 steps
    assert 2 <= len(adopted) <= elapsed * 10 + 3
    assert len(progress) <= elapsed * 10 + 3 and progress[-1].step == 2 * 63
    assert panel.confusion.view.matrix.sum() == 1000  # the whole test split


def test_weights_lock_pause_edit_resume_keeps_the_edit(qtbot, panel, document):
    start_long_run(qtbot, panel)
    kernel = document.session.network.params["0.weight"].copy()
    weights_before = kernel.copy()
    kernel[0] = 3.0
    assert document.edit_params({"0.weight": kernel}, "edit kernel") == LOCK_REASON
    with qtbot.waitSignal(document.spec_rejected) as rejected:
        assert document.edit_spec(MNIST_SPEC[:-2] + [{"type": "dense", "out_features": 10}]).message == LOCK_REASON
    assert rejected.args == [LOCK_REASON, -1]
    assert not panel.reset_button.isEnabled() and panel.reset_weights() == LOCK_REASON
    image = document.session.image[0].copy()
    image[3, 3] = 1.0
    document.edit_image(image, "draw while training")  # pixel edits stay allowed
    assert document.session.image[0][3, 3] == 1.0

    qtbot.mouseClick(panel.pause_button, Qt.MouseButton.LeftButton)
    assert panel.state == "paused" and document.weights_lock is None
    assert panel.resume_button.isEnabled() and not panel.pause_button.isEnabled()
    assert panel.progress.text().startswith("Paused at epoch") and "edit kernels" in panel.message()
    qtbot.wait(300)
    paused_at = panel.last_event.step
    qtbot.wait(300)
    assert panel.last_event.step == paused_at  # the trainer really sleeps
    assert document.edit_params({"0.weight": kernel}, "edit kernel while paused") is None

    adoptions = []
    document.params_changed.connect(lambda: adoptions.append(document.session.network.params["0.weight"][0].copy()))
    qtbot.mouseClick(panel.resume_button, Qt.MouseButton.LeftButton)
    assert panel.state == "running" and document.weights_lock == LOCK_REASON
    qtbot.waitUntil(lambda: bool(adoptions) and panel.last_event.step > paused_at + 3, timeout=RUN_TIMEOUT)
    trained = [weights for weights in adoptions if not np.array_equal(weights, kernel[0])]
    assert trained  # trained further ...
    first_filter, old_filter = trained[0], weights_before[0]
    # ... from the user's edit, not from the old weights (how far it moved depends on the machine's speed)
    assert np.abs(first_filter - 3.0).mean() < np.abs(first_filter - old_filter).mean()

    with qtbot.waitSignal(panel.training_finished, timeout=RUN_TIMEOUT) as finished:
        qtbot.mouseClick(panel.stop_button, Qt.MouseButton.LeftButton)
    assert finished.args == ["stopped"] and document.weights_lock is None
    assert "Stopped" in panel.message()


def test_stop_while_paused_keeps_the_edited_weights(qtbot, panel, document):
    start_long_run(qtbot, panel)
    panel.pause()
    kernel = document.session.network.params["0.weight"].copy()
    kernel[1] = -2.0
    assert document.edit_params({"0.weight": kernel}, "edit kernel while paused") is None
    with qtbot.waitSignal(panel.training_finished, timeout=RUN_TIMEOUT):
        panel.stop()
    np.testing.assert_array_equal(document.session.network.params["0.weight"], kernel)
    assert document.session.training_record is None  # edited weights are not what training made


def test_a_run_stopped_while_paused_records_the_weights_it_trained(qtbot, panel, document):
    assert document.weights_status().kind == "untrained"
    start_long_run(qtbot, panel)
    panel.pause()
    with qtbot.waitSignal(panel.training_finished, timeout=RUN_TIMEOUT):
        panel.stop()
    record = document.session.training_record
    assert record is not None and record.description.startswith("Trained in the app on 300 digits (stopped after ")
    assert document.weights_status().trained


def test_resume_after_the_pipeline_changed_stops_with_a_reason(qtbot, panel, document):
    start_long_run(qtbot, panel)
    panel.pause()
    spec = [dict(entry) for entry in document.session.network.spec]
    spec[0]["out_channels"] = 4
    assert document.edit_spec(spec, "fewer filters") is None
    with qtbot.waitSignal(panel.training_finished, timeout=RUN_TIMEOUT):
        panel.resume()
    assert "changed while paused" in panel.message()
    assert document.session.network.params["0.weight"].shape[0] == 4  # the new pipeline is kept


# ----------------------------------------------------------------------------- weights


def test_reset_weights_is_one_undo_step(qtbot, panel, document):
    before = params_copy(document)
    qtbot.mouseClick(panel.reset_button, Qt.MouseButton.LeftButton)
    after = document.session.network.params
    assert not np.allclose(after["3.weight"], before["3.weight"])
    fan_in = 8 * 3 * 3
    assert 0.5 < after["3.weight"].std() / np.sqrt(2 / fan_in) < 1.5  # He initialisation
    assert document.undo_stack.undoText() == "Reset to random weights"
    document.undo()
    np.testing.assert_array_equal(document.session.network.params["3.weight"], before["3.weight"])


# the document's own forward pass of the huge (finite) restored weights overflows: expected here
@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning", "ignore:invalid value:RuntimeWarning")
def test_divergence_restores_finite_weights_and_says_why(qtbot, panel, document):
    """Without ReLUs nothing damps an absurd learning rate: the weights overflow within a few steps."""
    linear = [
        {"type": "conv", "out_channels": 4, "kernel": 3},
        {"type": "maxpool", "size": 2},
        {"type": "flatten"},
        {"type": "dense", "out_features": 10},
    ]
    assert document.set_network(Network.from_spec(linear, (1, 28, 28)), "linear network") is None
    configure(panel, digits=300, epochs=2, batch=16)
    panel.settings_group.lr_spin.lineEdit().selectAll()
    qtbot.keyClicks(panel.settings_group.lr_spin.lineEdit(), "1e6")
    qtbot.keyClick(panel.settings_group.lr_spin.lineEdit(), Qt.Key.Key_Return)
    assert panel.settings_group.config().lr == 1e6
    assert run_to_end(qtbot, panel) == "diverged"
    weights = document.session.network.params
    assert all(np.isfinite(array).all() for array in weights.values())  # the last good step's weights
    assert not np.allclose(weights["3.weight"], 0)
    assert panel.message_kind == "error"
    assert "diverged" in panel.message() and "learning rate" in panel.message() and "restored" in panel.message()
    assert "Diverged" in panel.progress.text()
    assert document.weights_lock is None and panel.start_button.isEnabled()
    assert document.session.training_record is None  # a diverged run is not recorded as training


def test_an_exception_in_the_worker_shows_a_dialog_and_the_app_goes_on(qtbot, panel, document, monkeypatch):
    def broken_train(*args, **kwargs):
        raise RuntimeError("out of ink")

    monkeypatch.setattr(training_worker, "train", broken_train)
    configure(panel)
    assert run_to_end(qtbot, panel) == "failed"
    assert panel.error_dialog is not None and panel.error_dialog.isVisible()
    assert "out of ink" in panel.error_dialog.text()
    assert "RuntimeError" in panel.error_dialog.detailedText()
    assert document.weights_lock is None and panel.state == "idle"
    panel.error_dialog.close()

    monkeypatch.undo()
    assert run_to_end(qtbot, panel) == "finished"  # and training works again


def test_a_grid_that_is_not_28x28_is_refused_with_a_reason(qtbot, panel, document):
    lecture = Network.from_spec([{"type": "conv", "out_channels": 1, "kernel": 3}], (1, 7, 7))
    assert document.set_network(lecture, "lecture example") is None
    qtbot.mouseClick(panel.start_button, Qt.MouseButton.LeftButton)
    assert panel.state == "idle"
    assert "28x28" in panel.message() and "7x7" in panel.message()
    assert document.weights_lock is None


# ----------------------------------------------------------------------------- confusion matrix


def test_confusion_cell_click_loads_a_test_digit_into_the_editor(qtbot, panel, document):
    configure(panel, digits=300, epochs=1)
    with qtbot.waitSignal(panel.confusion_ready, timeout=RUN_TIMEOUT):
        run_to_end(qtbot, panel)
    view = panel.confusion.view
    panel.tabs.setCurrentIndex(1)
    qtbot.waitUntil(lambda: view.grid.isVisible() and view.grid.height() > 100)
    matrix = view.matrix
    true, predicted = np.unravel_index(np.argmax(matrix), matrix.shape)  # the fullest cell
    centre = view.grid.cell_rect(int(true), int(predicted)).center().toPoint()
    with qtbot.waitSignal(view.cell_selected) as selected:
        qtbot.mouseClick(view.grid, Qt.MouseButton.LeftButton, pos=centre)
    assert selected.args == [true, predicted]
    assert len(view.listed) == min(matrix[true, predicted], 300) and view.digits.count() == len(view.listed)
    assert f"True {true}, predicted {predicted}" in view.cell_label.text()

    qtbot.waitUntil(lambda: not view.digits.visualItemRect(view.digits.item(1)).isEmpty())
    item_centre = view.digits.visualItemRect(view.digits.item(1)).center()
    with qtbot.waitSignal(panel.digit_loaded) as loaded:
        qtbot.mouseClick(view.digits.viewport(), Qt.MouseButton.LeftButton, pos=item_centre)
    index = loaded.args[0]
    assert index == view.listed[1]
    digits = load_bundled()
    np.testing.assert_allclose(document.session.image[0], digits.test_images[index])
    assert digits.test_labels[index] == true
    assert document.undo_stack.undoText().startswith(f"Load test digit #{index}")
    document.undo()
    assert not np.allclose(document.session.image[0], digits.test_images[index])


def test_confusion_grid_keyboard_picks_a_cell(qtbot, panel, document):
    configure(panel, digits=300, epochs=1)
    with qtbot.waitSignal(panel.confusion_ready, timeout=RUN_TIMEOUT):
        run_to_end(qtbot, panel)
    panel.tabs.setCurrentIndex(1)
    grid = panel.confusion.view.grid
    grid.setFocus()
    for key in (Qt.Key.Key_Down, Qt.Key.Key_Down, Qt.Key.Key_Right, Qt.Key.Key_Right):
        qtbot.keyClick(grid, key)
    with qtbot.waitSignal(panel.confusion.view.cell_selected) as selected:
        qtbot.keyClick(grid, Qt.Key.Key_Return)
    assert selected.args == [2, 2]


# ----------------------------------------------------------------------------- shutdown, data


def test_shutdown_mid_training_leaves_nothing_running(qtbot, panel, document):
    start_long_run(qtbot, panel)
    assert any(thread.name == "cnn-desktop train" for thread in threading.enumerate())
    started = time.perf_counter()
    panel.shutdown()
    assert time.perf_counter() - started < 1.0
    assert not any(thread.name.startswith("cnn-desktop") for thread in threading.enumerate())
    assert multiprocessing.active_children() == []
    assert document.weights_lock is None
    assert panel.start() is None and panel.state == "idle"  # a closed panel starts nothing


def test_download_shows_progress_and_cancels(qtbot, panel, monkeypatch):
    monkeypatch.setattr(mnist_download, "full_mnist_available", lambda folder=None: False)

    def fake_download(folder=None, *, progress=None, cancel=None, **kwargs):
        total = 9_912_422
        for step in range(1, 10_000):
            if cancel.is_set():
                raise mnist_download.DownloadCancelled("MNIST download cancelled")
            progress(min(total, step * 65_536), total, "train-images-idx3-ubyte.gz")
            time.sleep(0.005)
        raise AssertionError("never cancelled")

    monkeypatch.setattr(mnist_download, "download_mnist", fake_download)
    source, download = panel.data_group, panel.data_group.download
    source.source_box.setCurrentIndex(source.source_box.findData("full"))
    source.source_box.activated.emit(source.source_box.currentIndex())
    qtbot.waitUntil(lambda: download.download_button.isVisible(), timeout=5000)
    qtbot.mouseClick(panel.start_button, Qt.MouseButton.LeftButton)
    assert "not downloaded" in panel.message()  # Start explains what to do first

    qtbot.mouseClick(download.download_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "MB/s" in download.download_bar.text(), timeout=5000)
    assert download.cancel_button.isVisible() and download.download_bar.value() > 0
    assert "(1 of 4)" in source.data_label.text()
    qtbot.mouseClick(download.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "cancelled" in panel.message(), timeout=5000)
    assert not download.cancel_button.isVisible() and download.download_button.isVisible()


def test_a_folder_without_mnist_files_is_reported(qtbot, panel, tmp_path):
    panel.data_group.set_source(str(tmp_path))
    qtbot.waitUntil(lambda: "Cannot load the digits" in panel.message(), timeout=5000)
    assert "train-images-idx3-ubyte" in panel.message() and panel.message_kind == "error"
    assert panel.data_group.folder_button.isVisible()
    qtbot.mouseClick(panel.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: panel.state == "idle" and "Cannot load" in panel.message(), timeout=5000)


def test_confusion_update_button_follows_edited_weights(qtbot, panel, document):
    configure(panel, digits=300, epochs=1)
    with qtbot.waitSignal(panel.confusion_ready, timeout=RUN_TIMEOUT):
        run_to_end(qtbot, panel)
    assert panel.confusion.update_button.isEnabled()
    dense = document.session.network.params["7.bias"].copy()
    dense[3] = 1e3  # every digit now looks like a 3
    assert document.edit_params({"7.bias": dense}, "all threes") is None
    with qtbot.waitSignal(panel.confusion_ready, timeout=RUN_TIMEOUT):
        qtbot.mouseClick(panel.confusion.update_button, Qt.MouseButton.LeftButton)
    assert panel.confusion.view.matrix[:, 3].sum() == 1000


def test_settings_show_the_defaults_and_follow_the_optimiser(qtbot, panel):
    config = panel.settings_group.config()
    assert (config.epochs, config.batch_size, config.optimiser, config.augment) == (20, 32, "sgd", True)
    settings = panel.settings_group
    assert settings.lr_spin.text() == "0.05"
    settings.optimiser_box.setCurrentIndex(settings.optimiser_box.findData("adam"))
    assert settings.lr_spin.value() == pytest.approx(DEFAULT_LR["adam"])
    qtbot.keyClick(settings.lr_spin, Qt.Key.Key_Up)
    assert settings.lr_spin.value() == pytest.approx(2 * DEFAULT_LR["adam"])  # steps double the rate
    for widget in (
        panel.start_button,
        panel.pause_button,
        settings.lr_spin,
        settings.limit_spin,
        panel.data_group.source_box,
    ):
        assert widget.toolTip()


def test_a_colour_pipeline_trains_on_grey_digits_copied_into_its_three_channels(qtbot, panel, document):
    assert document.set_depth(3) is None
    assert document.weights_status().kind != "trained"  # the new green and blue slices know nothing
    configure(panel, digits=200, epochs=1, batch=16)
    with qtbot.waitSignal(panel.training_finished, timeout=RUN_TIMEOUT) as finished:
        qtbot.mouseClick(panel.start_button, Qt.MouseButton.LeftButton)
        assert "copied into red, green and blue" in panel.message()
    assert finished.args[0] == "finished"
    assert document.session.network.input_shape == (3, 28, 28)
    assert document.session.network.params["0.weight"].shape == (8, 3, 3, 3)
    assert all(np.isfinite(array).all() for array in document.session.network.params.values())
