"""The assembled window: menus, undo through the menu, status-bar values, persisted settings."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QSettings, Qt
from PySide6.QtWidgets import QMessageBox

from cnn_desktop.engine import MNIST_SPEC, Network
from cnn_desktop.ui.main_window import MainWindow

from .conftest import wait_for_result


@pytest.fixture
def settings(tmp_path):
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def window(qtbot, document, settings):
    win = MainWindow(document, settings)
    qtbot.addWidget(win)
    win.resize(1366, 768)
    win.show()
    return win


def test_the_window_has_the_standard_menus_with_shortcuts(window):
    titles = [action.text() for action in window.menuBar().actions()]
    assert titles == ["&File", "&Edit", "&View", "&Training", "&Lesson", "&Help"]
    assert window.undo_action.shortcut().toString() == "Ctrl+Z"
    assert window.open_image_action.shortcut().toString() == "Ctrl+O"


def test_undo_and_redo_from_the_menu_restore_a_painted_stroke(qtbot, window, document):
    grid = window.pixel_editor.grid
    centre = grid.cell_rect(5, 5).center()
    qtbot.mouseClick(grid, Qt.MouseButton.LeftButton, pos=QPoint(int(centre.x()), int(centre.y())))
    assert document.session.image[0][5, 5] == 1
    assert window.undo_action.isEnabled() and "Paint" in window.undo_action.text()
    window.undo_action.trigger()
    assert document.session.image[0][5, 5] == 0
    window.redo_action.trigger()
    result = wait_for_result(qtbot, document)
    assert result.stages[0][0, 5, 5] == 1


def test_hovering_a_map_shows_its_value_in_the_status_bar(qtbot, window, document):
    wait_for_result(qtbot, document)
    qtbot.waitUntil(lambda: window.maps.shown_version == document.session.version)
    window.maps.unit_hovered.emit(1, 2, 3, 4, float(document.latest.stages[1][2, 3, 4]))
    assert "layer 0 (conv 3x3) channel 2" in window.hover_label.text()


def test_a_damaged_weights_file_is_refused_and_nothing_changes(window, document, tmp_path, monkeypatch):
    warnings = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *args: warnings.append(args[2]))
    before = document.session.network.params["0.weight"].copy()
    bad = tmp_path / "model.npz"
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    assert window.load_weights(str(bad)) is not None
    assert warnings and "model.npz" in warnings[0]
    np.testing.assert_array_equal(document.session.network.params["0.weight"], before)


def test_loading_saved_weights_adopts_them(qtbot, window, document, tmp_path):
    trained = Network.from_spec(MNIST_SPEC, (1, 28, 28), seed=7)
    trained.save(tmp_path / "trained.npz")
    assert window.load_weights(str(tmp_path / "trained.npz")) is None
    np.testing.assert_array_equal(document.session.network.params["7.weight"], trained.params["7.weight"])
    window.undo_action.trigger()
    assert not np.array_equal(document.session.network.params["7.weight"], trained.params["7.weight"])


def test_palette_scaling_and_pipeline_persist(qtbot, document, settings):
    first = MainWindow(document, settings)
    qtbot.addWidget(first)
    first.set_palette("Colour-blind safe (blue-grey-orange)")
    first.set_scaling("global")
    spec = [*MNIST_SPEC[:3], {"type": "conv", "out_channels": 4, "kernel": 5}, *MNIST_SPEC[4:]]
    assert document.edit_spec(spec) is None
    first.save_settings()
    second = MainWindow(document, settings)
    qtbot.addWidget(second)
    checked = [action.data() for action in second.palette_group.actions() if action.isChecked()]
    assert checked == ["Colour-blind safe (blue-grey-orange)"]
    assert [a.data() for a in second.scaling_group.actions() if a.isChecked()] == ["global"]
    assert document.session.network.spec[3]["kernel"] == 5


def test_the_window_fits_a_laptop_screen(window):
    assert window.minimumSizeHint().width() <= 1366 and window.minimumSizeHint().height() <= 768


def test_presentation_zoom_and_theme_apply_and_persist(qtbot, window, settings):
    from PySide6.QtGui import QPalette
    from PySide6.QtWidgets import QApplication

    base = window.appearance.base_font.pointSizeF()
    window.step_zoom(+1)
    window.step_zoom(+1)
    assert QApplication.font().pointSizeF() == pytest.approx(base * 1.3)
    from cnn_desktop.ui.fonts import TEXT_ZOOM

    assert TEXT_ZOOM.factor == pytest.approx(1.3)
    window.set_theme("dark")
    assert QApplication.palette().color(QPalette.ColorRole.Window).lightness() < 80
    assert settings.value("view/theme") == "dark" and float(settings.value("view/presentation_zoom")) == 1.3
    window.step_zoom(0)
    window.set_theme("light")
    assert QApplication.font().pointSizeF() == pytest.approx(base)


def test_the_training_panel_uses_columns_in_a_wide_low_dock(qtbot, document):
    from PySide6.QtWidgets import QBoxLayout, QScrollArea

    from cnn_desktop.ui.training.training_panel import TrainingPanel
    from cnn_desktop.ui.window_layout import MinimumHeightHolder

    panel = TrainingPanel(document)
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setWidget(MinimumHeightHolder(panel))
    qtbot.addWidget(area)
    area.resize(1240, 340)
    area.show()
    qtbot.waitUntil(lambda: panel._outer.direction() == QBoxLayout.Direction.LeftToRight)
    qtbot.waitUntil(lambda: not area.verticalScrollBar().isVisible())  # everything fits without scrolling
    area.resize(450, 800)
    qtbot.waitUntil(lambda: panel._outer.direction() == QBoxLayout.Direction.TopToBottom)
    area.resize(600, 250)  # wide and low, but narrower than the columns need (a 1024x768 projector)
    qtbot.wait(50)
    assert panel._outer.direction() == QBoxLayout.Direction.TopToBottom
    assert not area.horizontalScrollBar().isVisible()  # nothing cut off at the right
    panel.shutdown()


def test_the_image_editor_and_the_trainer_share_one_copy_of_each_digit_set(window):
    window.show_first_digit()
    bundled = window.digits.loaded("bundled")
    assert bundled is not None and window.pixel_editor.digit_label.text() == f"label {bundled.test_labels[0]}"
    given = []
    window.training.data_group.load("bundled", given.append)
    assert len(given) == 1 and given[0] is bundled  # at once, from the same copy


def test_every_menu_action_keeps_its_shortcut(window):
    shortcuts = {}

    def walk(menu, path):
        for action in menu.actions():
            if action.menu():
                walk(action.menu(), f"{path} > {action.text()}")
            elif not action.isSeparator():
                shortcuts[f"{path} > {action.text()}"] = [key.toString() for key in action.shortcuts()]

    for action in window.menuBar().actions():
        walk(action.menu(), action.text())
    assert shortcuts["&File > Open &session…"] == ["Ctrl+Shift+O"]
    assert shortcuts["&File > &Save session"] == ["Ctrl+S"]
    assert shortcuts["&File > Save session &as…"] == ["Ctrl+Shift+S"]
    assert shortcuts["&File > &Load weights…"] == ["Ctrl+L"]
    assert shortcuts["&Edit > &Redo"] == ["Ctrl+Shift+Z", "Ctrl+Y"]
    assert shortcuts["&View > &Full screen"] == ["F11", "F5"]
    assert shortcuts["&Lesson > &Start the built-in lesson"] == ["Ctrl+Shift+L"]
    assert shortcuts["&Edit > Load &MNIST digit"] == ["Ctrl+Shift+D"]
    assert len(shortcuts) >= 45


def test_on_a_1024x768_screen_no_panel_is_cut_off_at_the_right(qtbot, document, settings):
    from PySide6.QtWidgets import QScrollArea

    from cnn_desktop.ui.window_layout import default_dock_sizes

    window = MainWindow(document, settings)
    qtbot.addWidget(window)
    window.resize(972, 706)  # what the window takes of a 1024x768 projector
    window.show()
    qtbot.waitExposed(window)
    default_dock_sizes(window)  # the first-run layout at that size
    qtbot.wait(30)
    assert not window.docks["probabilities"].visibleRegion().isEmpty()  # the network's reading, in front of
    assert window.docks["pipeline"].visibleRegion().isEmpty()  # the layers, a tab away
    for key in ("image", "kernels", "pipeline", "probabilities", "player", "training"):
        window.docks[key].raise_()
        qtbot.wait(30)
        area = window.docks[key].widget()
        if isinstance(area, QScrollArea):
            assert not area.horizontalScrollBar().isVisible(), key
