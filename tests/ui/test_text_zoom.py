"""The presentation zoom: Larger / Smaller / Normal text from the menu, the keys and the settings,
measured on the lettering as drawn (maps, player, grids), not on the fonts asked for."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication

from cnn_desktop.ui.fonts import TEXT_ZOOM
from cnn_desktop.ui.main_window import MainWindow

from .conftest import wait_for_result
from .glyphs import image_array, ink_height

CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


@pytest.fixture
def settings(tmp_path):
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


def open_window(qtbot, document, settings, width: int, height: int) -> MainWindow:
    window = MainWindow(document, settings)
    qtbot.addWidget(window)
    window.resize(width, height)
    window.show()
    with qtbot.waitActive(window):
        window.activateWindow()
    return window


def presentation_action(window: MainWindow, text: str):
    view = next(a.menu() for a in window.menuBar().actions() if a.text() == "&View")
    presentation = next(a.menu() for a in view.actions() if a.text() == "&Presentation")
    return next(a for a in presentation.actions() if a.text() == text)


def test_larger_smaller_and_normal_text_from_the_menu_step_the_size(qtbot, document, settings):
    window = open_window(qtbot, document, settings, 1366, 768)
    base = window.appearance.base_font.pointSizeF()
    larger = presentation_action(window, "&Larger text")
    larger.trigger()
    larger.trigger()
    assert TEXT_ZOOM.factor == pytest.approx(1.3)
    assert QApplication.font().pointSizeF() == pytest.approx(base * 1.3)
    assert float(settings.value("view/presentation_zoom")) == pytest.approx(1.3)
    assert window.hover_label.text().startswith("Text size 130%")
    presentation_action(window, "&Smaller text").trigger()
    assert TEXT_ZOOM.factor == pytest.approx(1.15)
    presentation_action(window, "&Normal size").trigger()
    assert TEXT_ZOOM.factor == pytest.approx(1.0)
    assert QApplication.font().pointSizeF() == pytest.approx(base)


def test_the_keys_step_the_size_and_the_settings_bring_it_back(qtbot, document, settings):
    window = open_window(qtbot, document, settings, 1366, 768)
    qtbot.keyClick(window, Qt.Key.Key_Equal, CTRL_SHIFT)
    qtbot.keyClick(window, Qt.Key.Key_Equal, CTRL_SHIFT)
    qtbot.keyClick(window, Qt.Key.Key_Equal, CTRL_SHIFT)
    assert TEXT_ZOOM.factor == pytest.approx(1.5)
    qtbot.keyClick(window, Qt.Key.Key_Minus, CTRL_SHIFT)
    assert TEXT_ZOOM.factor == pytest.approx(1.3)
    TEXT_ZOOM.set(1.0)
    again = open_window(qtbot, document, settings, 1366, 768)
    assert TEXT_ZOOM.factor == pytest.approx(1.3)
    qtbot.keyClick(again, Qt.Key.Key_0, CTRL_SHIFT)
    assert TEXT_ZOOM.factor == pytest.approx(1.0)


def drawn_heights(qtbot, window: MainWindow) -> dict[str, int]:
    """Ink heights (px) of a number in the dense layer's map, the player's patch and kernel, and its result."""
    qtbot.wait(150)  # the relayout and repaint that follow a resize or a zoom
    QApplication.processEvents()
    maps, player = window.maps, window.conv_player
    last = maps.stage_count() - 1
    maps.ensure_visible(last)
    QApplication.processEvents()
    canvas = maps.canvas
    cell = canvas.mapFromScene(maps.unit_scene_rect(last, 0, 0, 0)).boundingRect()
    heights = {"map": ink_height(image_array(canvas.viewport().grab().toImage()), cell)}
    for name, grid in (("patch", player.row.patch_view), ("kernel", player.row.kernel_view)):
        pixels = image_array(grid.grab().toImage())
        heights[name] = ink_height(pixels, grid.cell_rect(0, 0).toAlignedRect())
        heights[f"{name} cell"] = round(grid.cell_size())
    label = player.row.sums.result_label
    heights["result"] = ink_height(image_array(label.grab().toImage()), label.rect(), inset=0)
    return heights


def test_at_150_percent_the_numbers_are_drawn_half_as_tall_again(qtbot, document, settings):
    window = open_window(qtbot, document, settings, 1920, 1080)
    window.docks["player"].raise_()
    wait_for_result(qtbot, document)
    assert window.conv_player.wait_until_drawn()
    normal = drawn_heights(qtbot, window)
    assert all(height >= 7 for height in normal.values()), normal
    for _ in range(3):
        qtbot.keyClick(window, Qt.Key.Key_Equal, CTRL_SHIFT)
    assert TEXT_ZOOM.factor == pytest.approx(1.5)
    larger = drawn_heights(qtbot, window)
    ratios = {name: larger[name] / normal[name] for name in normal}
    assert 1.35 <= ratios["map"] <= 1.65 and 1.35 <= ratios["result"] <= 1.65, (normal, larger)
    # the player's cells are as large as its dock allows: their numbers fill at least the same share
    for name in ("patch", "kernel"):
        assert ratios[name] / ratios[f"{name} cell"] >= 0.95, (normal, larger)


def test_the_lesson_banner_follows_the_text_size(qtbot, document, settings):
    window = open_window(qtbot, document, settings, 1366, 768)
    window.start_builtin_lesson()
    window.presentation.set_shown(False)  # the normal layout: the banner over the maps
    banner = window.lesson.banner
    number = banner.number  # "1 / 9": one line at any size

    def height() -> int:
        qtbot.wait(50)
        return ink_height(image_array(banner.grab().toImage()), number.geometry(), inset=0)

    normal = height()
    for _ in range(3):
        qtbot.keyClick(window, Qt.Key.Key_Equal, CTRL_SHIFT)
    assert 1.35 <= height() / normal <= 1.65


def test_plot_axes_follow_the_text_size(qtbot, document, settings):
    window = open_window(qtbot, document, settings, 1366, 768)
    axes = [window.probabilities.plot.getAxis("bottom"), window.training.curves.loss_plot.getAxis("left")]
    before = [axis.style["tickFont"].pixelSize() for axis in axes]
    larger = presentation_action(window, "&Larger text")
    for _ in range(3):
        larger.trigger()
    after = [axis.style["tickFont"].pixelSize() for axis in axes]
    assert [round(size * 1.5) for size in before] == after
