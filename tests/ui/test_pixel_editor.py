"""PixelEditor: strokes with the real mouse, typed pixels, image tools, grid size, digits and import."""

from __future__ import annotations

import hashlib
import threading

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor, QImage, QPainter

from cnn_desktop.data import datasets
from cnn_desktop.data import download as mnist_download
from cnn_desktop.data.datasets import load_bundled
from cnn_desktop.data.idx import write_idx
from cnn_desktop.image_presets import image_preset
from cnn_desktop.pen import line_cells
from cnn_desktop.ui.editors.pixel_editor import PixelEditor
from cnn_desktop.ui.editors.pixel_tools import brush_offsets

from .conftest import wait_for_result

LOAD_TIMEOUT = 10_000  # ms: the tiny fake full MNIST loads in milliseconds


@pytest.fixture
def mnist_cache(tmp_path, monkeypatch):
    """An empty download cache folder in tmp_path instead of the user's: the full MNIST is "not downloaded"."""
    folder = tmp_path / "cache" / "mnist"
    folder.mkdir(parents=True)
    monkeypatch.setattr(mnist_download, "default_folder", lambda: folder)
    return folder


def download_fake_full(folder, monkeypatch) -> dict[str, np.ndarray]:
    """Write a tiny "full MNIST" (12 train, 7 test digits) as the four gzip IDX files into ``folder``.

    The real checksums are MNIST's own, so the check is pointed at this fake's checksums (the
    verification itself still runs). Returns the raw uint8 images and labels.
    """
    rng = np.random.default_rng(7)
    arrays = {
        "train_images": rng.integers(0, 256, (12, 28, 28), dtype=np.uint8),
        "train_labels": (np.arange(12) * 7 % 10).astype(np.uint8),
        "test_images": rng.integers(0, 256, (7, 28, 28), dtype=np.uint8),
        "test_labels": (np.arange(7) * 3 % 10).astype(np.uint8),
    }
    checksums = {}
    for name, array in zip(mnist_download.DEFAULT_CHECKSUMS, arrays.values(), strict=True):
        write_idx(folder / name, array, compress=True)
        checksums[name] = hashlib.md5((folder / name).read_bytes(), usedforsecurity=False).hexdigest()
    real_check = mnist_download.full_mnist_available
    monkeypatch.setattr(
        mnist_download, "full_mnist_available", lambda folder=None, checksums=checksums: real_check(folder, checksums)
    )
    return arrays


def source_choices(editor: PixelEditor) -> list[str]:
    return [editor.digit_source.itemData(i) for i in range(editor.digit_source.count())]


@pytest.fixture
def editor(qtbot, document, mnist_cache):
    widget = PixelEditor(document)
    widget.resize(700, 760)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def at(editor: PixelEditor, row: int, col: int) -> QPoint:
    return editor.grid.cell_rect(row, col).center().toPoint()


def stroke(qtbot, editor: PixelEditor, cells: list[tuple[int, int]], button=Qt.MouseButton.LeftButton) -> None:
    """Press on the first cell, move through the others, release on the last: one real drag."""
    grid = editor.grid
    qtbot.mousePress(grid, button, pos=at(editor, *cells[0]))
    for cell in cells[1:]:
        qtbot.mouseMove(grid, at(editor, *cell))
    qtbot.mouseRelease(grid, button, pos=at(editor, *cells[-1]))


def first_map_from_engine(document) -> np.ndarray:
    image = document.session.image[0]
    return document.session.network.activations(image[None, None])[0][0]


def test_a_drag_paints_a_gapless_line_and_the_first_feature_maps_follow(qtbot, editor, document):
    assert editor.grid.cell_size() >= 18
    editor.brush_shape.setCurrentText("Square")  # the hard one-pixel brush: exact cells
    stroke(qtbot, editor, [(5, 3), (5, 20), (15, 20)])  # two long jumps: only three mouse events
    image = document.session.image[0]
    expected = np.zeros((28, 28), np.float32)
    expected[5, 3:21] = 1
    expected[5:16, 20] = 1
    np.testing.assert_array_equal(image, expected)
    result = wait_for_result(qtbot, document)
    np.testing.assert_allclose(result.stages[1], first_map_from_engine(document), rtol=1e-5, atol=1e-6)
    assert np.abs(result.stages[1]).sum() > 0


def test_the_whole_stroke_undoes_and_redoes_as_one_step(qtbot, editor, document):
    editor.brush_shape.setCurrentText("Square")
    editor.brush_value.setValue(0.5)
    stroke(qtbot, editor, [(2, 2), (2, 6), (9, 6), (9, 12)])
    painted = document.session.image[0].copy()
    assert painted.max() == 0.5 and (painted > 0).sum() == 5 + 7 + 6
    assert document.undo_stack.count() == 1
    assert document.undo_stack.text(0) == "Paint stroke"
    document.undo_stack.undo()
    assert not document.session.image[0].any()
    document.undo_stack.redo()
    np.testing.assert_array_equal(document.session.image[0], painted)
    result = wait_for_result(qtbot, document)
    np.testing.assert_allclose(result.stages[1], first_map_from_engine(document), rtol=1e-5, atol=1e-6)


def test_right_drag_erases(qtbot, editor, document):
    editor.fill()
    stroke(qtbot, editor, [(10, 0), (10, 27)], Qt.MouseButton.RightButton)
    image = document.session.image[0]
    assert not image[10].any() and image[9].all() and image[11].all()
    assert document.undo_stack.text(document.undo_stack.count() - 1) == "Erase stroke"


def test_a_round_brush_of_three_paints_a_plus(qtbot, editor, document):
    editor.brush_size.setValue(3)
    editor.brush_shape.setCurrentText("Round")
    stroke(qtbot, editor, [(8, 8)])
    painted = np.argwhere(document.session.image[0] > 0)
    assert sorted(map(tuple, painted)) == [(7, 8), (8, 7), (8, 8), (8, 9), (9, 8)]


def test_brush_shapes_and_lines() -> None:
    rows, cols = brush_offsets(5, round_shape=True)
    assert len(rows) == 21  # 3 + 5 + 5 + 5 + 3
    rows, cols = brush_offsets(2, round_shape=False)
    assert sorted(zip(rows, cols, strict=True)) == [(-1, -1), (-1, 0), (0, -1), (0, 0)]
    rows, cols = line_cells((0, 0), (3, 7))
    assert len(rows) == 8 and (np.abs(np.diff(rows)) <= 1).all() and (np.diff(cols) == 1).all()


def test_typing_a_value_sets_the_current_pixel(qtbot, editor, document):
    grid = editor.grid
    grid.setFocus()
    for key in (Qt.Key.Key_Down, Qt.Key.Key_Down, Qt.Key.Key_Right, Qt.Key.Key_Right, Qt.Key.Key_Right):
        qtbot.keyClick(grid, key)
    qtbot.keyClicks(grid, "0.75")
    qtbot.keyClick(grid, Qt.Key.Key_Return)
    assert document.session.image[0][2, 3] == 0.75
    assert document.session.image[0].sum() == 0.75
    assert document.undo_stack.count() == 1


def test_typed_values_out_of_range_are_clipped_and_nan_refused(qtbot, editor, document):
    editor.set_pixel(1, 1, 3.0)
    assert document.session.image[0][1, 1] == 1.0 and "was set to 1" in editor.message()
    editor.set_pixel(1, 2, float("nan"))
    assert document.session.image[0][1, 2] == 0 and "from 0" in editor.message()
    assert document.undo_stack.count() == 1


def test_clear_fill_invert_and_shift_act_on_the_whole_image(qtbot, editor, document):
    actions = editor.actions_by_name
    assert {"clear", "fill", "invert", "shift_up", "shift_down", "shift_left", "shift_right"} <= set(actions)
    for action in actions.values():
        assert action.toolTip()
    editor.set_pixel(4, 4, 1.0)
    actions["shift_right"].trigger()
    actions["shift_down"].trigger()
    assert document.session.image[0][5, 5] == 1 and document.session.image[0].sum() == 1
    actions["shift_up"].trigger()
    actions["shift_left"].trigger()
    assert document.session.image[0][4, 4] == 1
    actions["invert"].trigger()
    assert document.session.image[0][4, 4] == 0 and document.session.image[0].sum() == 28 * 28 - 1
    actions["clear"].trigger()
    assert not document.session.image[0].any()
    editor.brush_value.setValue(0.25)
    actions["fill"].trigger()
    assert (document.session.image[0] == 0.25).all()
    document.undo_stack.undo()
    assert not document.session.image[0].any()


def test_shifting_the_image_shifts_the_feature_map(qtbot, editor, document):
    editor.apply_preset("Vertical bar")
    before = wait_for_result(qtbot, document).stages[1].copy()
    editor.actions_by_name["shift_right"].trigger()
    after = wait_for_result(qtbot, document).stages[1]
    np.testing.assert_allclose(after[:, :, 1:], before[:, :, :-1], atol=1e-6)


def test_the_keyboard_shortcuts_reach_the_actions(qtbot, editor, document):
    editor.activateWindow()
    qtbot.waitUntil(editor.isActiveWindow)
    editor.grid.setFocus()
    qtbot.keyClick(editor.grid, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)
    assert document.session.image[0].all()


def test_a_valid_grid_size_resizes_image_and_network(qtbot, editor, document):
    editor.apply_preset("Lecture 7x7 shape")
    editor.grid_size.setValue(14)
    assert document.session.image[0].shape == (14, 14)
    assert document.session.network.input_shape == (1, 14, 14)
    np.testing.assert_allclose(document.session.image[0], image_preset("Lecture 7x7 shape", 14))
    result = wait_for_result(qtbot, document)
    assert result.stages[0].shape == (1, 14, 14)
    document.undo_stack.undo()
    assert document.session.image[0].shape == (28, 28) and editor.grid_size.value() == 28


def test_a_grid_size_the_pipeline_cannot_take_is_refused_with_the_reason(qtbot, editor, document):
    editor.set_pixel(3, 3, 1.0)
    count = document.undo_stack.count()
    editor.grid_size.setValue(5)
    assert document.session.image[0].shape == (28, 28)
    assert editor.grid_size.value() == 28
    assert "does not fit a 5x5 image" in editor.message()
    assert editor.message_label.isVisible()
    assert document.undo_stack.count() == count


def test_crop_mode_keeps_pixel_size(qtbot, editor, document):
    editor.scale_content.setChecked(False)
    editor.set_pixel(14, 14, 1.0)
    assert editor.set_grid_size(20) is None
    assert document.session.image[0][10, 10] == 1 and document.session.image[0].sum() == 1


def test_presets_from_the_combo(qtbot, editor, document):
    box = editor.presets
    box.setCurrentIndex(box.findText("Lecture 7x7 shape"))
    box.activated.emit(box.currentIndex())
    np.testing.assert_array_equal(document.session.image[0], image_preset("Lecture 7x7 shape", 28))
    assert box.currentIndex() == 0, "the combo returns to its prompt"


def test_loading_an_mnist_digit_shows_it_and_its_label(qtbot, editor, document):
    digits = load_bundled()
    assert editor.load_digit("test", 3) is None
    np.testing.assert_allclose(document.session.image[0], digits.test_images[3])
    assert editor.digit_label.text() == f"label {digits.test_labels[3]}"
    editor.digit_split.setCurrentIndex(editor.digit_split.findData("train"))
    editor.digit_index.setValue(7)  # changing the index loads that digit
    np.testing.assert_allclose(document.session.image[0], digits.train_images[7])
    editor.actions_by_name["next_digit"].trigger()
    np.testing.assert_allclose(document.session.image[0], digits.train_images[8])
    editor.clear()
    editor.actions_by_name["load_digit"].trigger()  # back to the chosen digit after drawing over it
    np.testing.assert_allclose(document.session.image[0], digits.train_images[8])
    assert editor.digit_index.maximum() == digits.num_train - 1
    assert "out of" not in editor.message()
    assert editor.load_digit("test", 10**6) is not None


def test_digits_that_cannot_be_loaded_give_a_message(qtbot, editor, document, monkeypatch):
    import cnn_desktop.data.datasets as datasets

    def broken(source):
        raise datasets.DatasetError("the bundled MNIST file t10k-images-idx3-ubyte.gz is missing")

    monkeypatch.setattr(datasets, "load_digits", broken)
    error = editor.load_digit("test", 0)
    assert error and "cannot be loaded" in error and "missing" in editor.message()
    assert not document.session.image[0].any()


def write_picture(path, background: str, ink: str) -> None:
    picture = QImage(60, 40, QImage.Format.Format_RGB32)
    picture.fill(QColor(background))
    painter = QPainter(picture)
    painter.fillRect(26, 0, 8, 40, QColor(ink))  # a vertical stroke in the middle
    painter.end()
    assert picture.save(str(path))


def test_importing_a_light_png_inverts_it_so_strokes_are_ink(qtbot, editor, document, tmp_path):
    path = tmp_path / "stroke.png"
    write_picture(path, "white", "black")
    assert editor.import_image_file(path) is None
    image = document.session.image[0]
    assert image.shape == (28, 28)
    assert image[14, 14] > 0.9 and image[14, 2] < 0.05
    assert image[:4].sum() == 0, "the wide picture is fitted with its aspect kept (padding above)"
    assert "inverted" in editor.message()


def test_importing_a_dark_picture_keeps_it_and_bad_files_are_refused(qtbot, editor, document, tmp_path):
    path = tmp_path / "dark.bmp"
    write_picture(path, "black", "white")
    assert editor.import_image_file(path) is None
    assert document.session.image[0][14, 14] > 0.9 and "inverted" not in editor.message()
    bad = tmp_path / "notes.png"
    bad.write_text("not a picture")
    error = editor.import_image_file(bad)
    assert error and "notes.png" in error and "notes.png" in editor.message()


def test_hover_shows_the_pixel_value(qtbot, editor, document):
    editor.set_pixel(6, 7, 0.5)
    qtbot.mouseMove(editor.grid, at(editor, 6, 7))
    assert editor.hover_label.text() == "row 6, col 7: 0.5"


# ----------------------------------------------------------------------------- full MNIST digits


def test_full_mnist_is_offered_only_while_it_is_downloaded(qtbot, editor, mnist_cache, monkeypatch):
    assert source_choices(editor) == ["bundled"]
    download_fake_full(mnist_cache, monkeypatch)  # e.g. the training panel downloaded it meanwhile
    editor.digit_source.showPopup()  # opening the combo looks again
    assert source_choices(editor) == ["bundled", "full"]
    editor.digit_source.hidePopup()
    assert editor.digit_source.currentData() == "bundled"

    for path in mnist_cache.iterdir():
        path.unlink()
    editor.hide()
    editor.show()  # showing the editor looks again too
    assert source_choices(editor) == ["bundled"]


def test_a_full_mnist_digit_loads_in_the_background_then_from_the_cache(
    qtbot, editor, document, mnist_cache, monkeypatch
):
    fake = download_fake_full(mnist_cache, monkeypatch)
    loads = []
    real_load = datasets.load_digits

    def recording_load(source):
        loads.append((source, threading.current_thread().name))
        return real_load(source)

    monkeypatch.setattr(datasets, "load_digits", recording_load)
    assert editor.load_digit("train", 11, source="full") is None
    assert editor.message() == "Loading full MNIST…"
    assert not document.session.image[0].any(), "the digit appears once the set is loaded, not before"
    expected = fake["train_images"][11].astype(np.float32) / 255
    qtbot.waitUntil(lambda: np.allclose(document.session.image[0], expected), timeout=LOAD_TIMEOUT)
    assert loads == [("full", "cnn-desktop load full")]  # loaded once, off the UI thread
    assert editor.digit_label.text() == f"label {fake['train_labels'][11]}"
    assert editor.digit_source.currentData() == "full" and editor.digit_split.currentData() == "train"
    assert editor.digit_index.value() == 11 and editor.digit_index.maximum() == 11
    assert document.undo_stack.undoText() == f"Full MNIST train digit #11 (label {fake['train_labels'][11]})"

    editor.actions_by_name["next_digit"].trigger()  # from the cache, at once: wraps round to #0
    np.testing.assert_allclose(document.session.image[0], fake["train_images"][0] / 255, rtol=1e-6)
    assert editor.digit_index.value() == 0 and len(loads) == 1

    bundled = load_bundled()
    assert editor.load_digit("test", 3) is None  # the source still defaults to the bundled subset
    np.testing.assert_allclose(document.session.image[0], bundled.test_images[3])
    assert editor.digit_source.currentData() == "bundled" and editor.digit_index.maximum() == bundled.num_test - 1
    assert editor.load_digit("train", 3500) is None
    assert editor.digit_index.value() == 3500, "a train index beyond the test split's range is not clamped"


def test_choosing_full_mnist_in_the_combo_loads_it_and_the_index_follows(
    qtbot, editor, document, mnist_cache, monkeypatch
):
    fake = download_fake_full(mnist_cache, monkeypatch)
    editor.digit_source.showPopup()
    editor.digit_source.hidePopup()
    editor.digit_source.setCurrentIndex(editor.digit_source.findData("full"))
    assert editor.message() == "Loading full MNIST…"
    qtbot.waitUntil(lambda: "Full MNIST loaded" in editor.message(), timeout=LOAD_TIMEOUT)
    assert "12 training and 7 test digits" in editor.message()
    assert not document.session.image[0].any(), "choosing the set does not replace the image"
    assert editor.digit_index.maximum() == 6  # the test split of the fake
    editor.digit_index.setValue(5)
    np.testing.assert_allclose(document.session.image[0], fake["test_images"][5] / 255, rtol=1e-6)
    editor.digit_source.setCurrentIndex(editor.digit_source.findData("bundled"))
    assert editor.digit_index.maximum() == 999


def test_a_newer_request_replaces_the_digit_waiting_for_the_full_mnist(
    qtbot, editor, document, mnist_cache, monkeypatch
):
    download_fake_full(mnist_cache, monkeypatch)
    assert editor.load_digit("train", 2, source="full") is None
    assert editor.load_digit("test", 1) is None  # the bundled digit, at once
    bundled = load_bundled()
    qtbot.waitUntil(lambda: "Full MNIST loaded" in editor.message(), timeout=LOAD_TIMEOUT)
    np.testing.assert_allclose(document.session.image[0], bundled.test_images[1])


def test_full_mnist_that_is_not_downloaded_says_why_and_falls_back(qtbot, editor, document):
    assert editor.load_digit("test", 0, source="full") is None
    qtbot.waitUntil(lambda: "cannot be loaded" in editor.message(), timeout=LOAD_TIMEOUT)
    assert "download it first" in editor.message() and editor.message_label.isVisible()
    assert not document.session.image[0].any()
    assert source_choices(editor) == ["bundled"] and editor.digit_source.currentData() == "bundled"
    error = editor.load_digit("test", 0, source="emnist")
    assert error and "'bundled' or 'full'" in error and "emnist" in editor.message()


def test_the_digit_label_is_dropped_when_the_image_changes_otherwise(qtbot, document):
    editor = PixelEditor(document)
    qtbot.addWidget(editor)
    assert editor.load_digit("test", 0) is None
    assert editor.digit_label.text().startswith("label ") and editor.digit_label.text() != "label –"
    editor.clear()
    assert editor.digit_label.text() == "label –"
