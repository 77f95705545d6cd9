"""Export for slides: PNG at a scale, SVG, the convolution player as a GIF, and the Export menu."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ElementTree

import numpy as np
import pytest
from PIL import Image
from PySide6.QtCore import QSettings
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QDialog, QFileDialog, QInputDialog, QMessageBox

from cnn_desktop.lesson import builtin_scenes
from cnn_desktop.ui.export import (
    ExportError,
    export_picture,
    export_png,
    export_svg,
    grid_region,
    kernel_region,
    maps_region,
    maps_stage_region,
)
from cnn_desktop.ui.export_gif import export_player_gif
from cnn_desktop.ui.export_menu import GifOptionsDialog, build_export_menu
from cnn_desktop.ui.main_window import MainWindow

from .conftest import wait_for_result

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
EDGES = 3  # the built-in lesson's horizontal-edge scene: a 5x5 output, the player on layer 0


@pytest.fixture
def window(qtbot, document, tmp_path):
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    win = MainWindow(document, settings)
    qtbot.addWidget(win)
    win.resize(1280, 860)
    win.show()
    drawn(qtbot, win)
    return win


def drawn(qtbot, window: MainWindow) -> None:
    result = wait_for_result(qtbot, window.document)
    qtbot.waitUntil(lambda: window.maps.shown_version == result.version)


def show_scene(qtbot, window: MainWindow, index: int) -> None:
    window.apply_scene(builtin_scenes()[index])
    drawn(qtbot, window)


def read_png(path) -> QImage:
    data = path.read_bytes()
    assert data.startswith(PNG_MAGIC)
    image = QImage(str(path))
    assert not image.isNull()
    return image


def test_the_input_grid_exports_at_twice_its_size_with_its_pixels(qtbot, window, document, tmp_path):
    image = np.zeros((28, 28), np.float32)
    image[10:18, 10:18] = 1.0  # a white square in the middle of a black image
    document.edit_image(image, "Square")
    drawn(qtbot, window)
    region = grid_region(window.pixel_editor.grid)
    path = tmp_path / "input.png"

    size = export_png(region, path, scale=2.0)

    picture = read_png(path)
    assert (picture.width(), picture.height()) == (size.width(), size.height())
    assert (picture.width(), picture.height()) == (2 * region.rect.width(), 2 * region.rect.height())
    assert abs(picture.width() - picture.height()) <= 2  # just the square grid, not the space beside it
    centre = QColor(picture.pixel(picture.width() // 2 + 3, picture.height() // 2 + 3))
    corner_cell = QColor(picture.pixel(picture.width() // 10, picture.height() // 10))
    assert centre.lightness() > 230 and corner_cell.lightness() < 30


def test_one_layers_maps_export_cropped_to_that_layer(window, tmp_path):
    maps = window.maps
    whole = maps_region(maps).rect
    region = maps_stage_region(maps, 1)  # layer 0: 8 maps of 26x26 and a colour bar
    first_map = maps.unit_scene_rect(1, 0, 0, 0)

    assert region.rect.contains(first_map) and region.rect.height() < whole.height() / 3
    assert not region.rect.contains(maps.unit_scene_rect(0, 0, 0, 0))  # the input image is not in it

    size = export_png(region, tmp_path / "layer0.png", scale=2.0)
    picture = read_png(tmp_path / "layer0.png")
    assert (picture.width(), picture.height()) == (size.width(), size.height())
    assert picture.width() == math.ceil(region.rect.width() * 2 - 1e-6)
    assert picture.height() == math.ceil(region.rect.height() * 2 - 1e-6)


def test_the_last_layer_exports_even_when_scrolled_out_of_view(window, tmp_path):
    maps = window.maps
    last = maps.stage_count() - 1
    region = maps_stage_region(maps, last)
    assert region.rect.top() > maps.canvas.viewport().height()  # below the visible part of the maps

    export_png(region, tmp_path / "scores.png", scale=1.0)

    picture = read_png(tmp_path / "scores.png")
    colours = {picture.pixel(x, y) for x in range(0, picture.width(), 4) for y in range(0, picture.height(), 4)}
    assert len(colours) > 10  # title, cells and colour bar were drawn, not an empty background


def test_the_whole_window_exports_at_1x_and_2x(window, tmp_path):
    one = export_png(window, tmp_path / "window1.png", scale=1.0)
    two = export_picture(window, tmp_path / "window2.PNG", scale=2.0)

    assert (one.width(), one.height()) == (window.width(), window.height())
    picture = read_png(tmp_path / "window2.PNG")
    assert (picture.width(), picture.height()) == (2 * window.width(), 2 * window.height())
    assert (two.width(), two.height()) == (picture.width(), picture.height())
    assert round(picture.dotsPerMeterX() * 0.0254) == 192  # slide programs insert it at its on-screen size


@pytest.mark.parametrize("what", ["grid", "maps", "window"])
def test_svg_exports_are_svg_documents_of_the_on_screen_size(window, tmp_path, what):
    target = {
        "grid": grid_region(window.pixel_editor.grid),
        "maps": maps_stage_region(window.maps, 1),
        "window": window,
    }[what]
    path = tmp_path / f"{what}.svg"

    size = export_svg(target, path, scale=2.0)

    root = ElementTree.parse(path).getroot()
    assert root.tag.endswith("svg")
    box = [float(v) for v in root.attrib["viewBox"].split()]
    assert box[2] == pytest.approx(size.width() / 2, abs=1) and box[3] == pytest.approx(size.height() / 2, abs=1)
    assert "<desc>Exported from cnn-desktop</desc>" in path.read_text(encoding="utf-8")


def test_a_scaled_kernel_exports_with_its_factor(qtbot, window):
    show_scene(qtbot, window, EDGES)
    editor = window.kernel_editor
    assert kernel_region(editor) == grid_region(editor.grid)  # a factor of 1 is not written
    assert editor.apply_preset("Box blur") is None  # shown as 1/9 x a grid of ones
    qtbot.waitUntil(lambda: editor.scale() != 1.0)
    region = kernel_region(editor)
    grid = grid_region(editor.grid).rect.translated(editor.grid.mapTo(editor, editor.grid.rect().topLeft()))

    assert region.rect.contains(grid) and region.rect.width() > grid.width() * 1.3  # "1/9 x" is in it


def test_bad_names_and_folders_are_refused_without_leaving_files(window, tmp_path):
    with pytest.raises(ExportError, match=r"\.png or \.svg"):
        export_picture(window, tmp_path / "window.jpg")
    with pytest.raises(ExportError, match="missing"):
        export_png(window, tmp_path / "missing" / "window.png")
    with pytest.raises(ExportError, match="scale"):
        export_png(window, tmp_path / "window.png", scale=0)
    assert not [p.name for p in tmp_path.rglob("*") if p.suffix in (".png", ".jpg", ".tmp")]


def test_the_player_records_as_many_gif_frames_as_asked(qtbot, window, tmp_path):
    show_scene(qtbot, window, EDGES)
    player = window.conv_player
    start = player.position()
    assert player.cell_count() == 25
    path = tmp_path / "player.gif"
    seen = []

    written = export_player_gif(
        player, path, fps=5, max_frames=6, progress=lambda done, total: seen.append(done) or True
    )

    assert written == 6 and seen == [1, 2, 3, 4, 5, 6]
    with Image.open(path) as gif:
        assert gif.format == "GIF" and gif.n_frames == 6
        assert gif.size == (player.width(), player.height())
        assert gif.info["duration"] == 200 and gif.info["loop"] == 0
        first = np.asarray(gif.convert("RGB"))
        gif.seek(5)
        last = np.asarray(gif.convert("RGB"))
    assert not np.array_equal(first, last)  # the window moved on and the output filled in
    assert player.position() == start  # the player is back where it stood


def test_cancelling_the_gif_writes_nothing(qtbot, window, tmp_path):
    show_scene(qtbot, window, EDGES)
    path = tmp_path / "player.gif"

    written = export_player_gif(window.conv_player, path, max_frames=10, progress=lambda done, total: done < 3)

    assert written == 0 and not path.exists()


def test_a_player_without_a_playable_layer_is_refused(qtbot, window, tmp_path):
    window.conv_player.set_layer(1)  # the ReLU after the first conv: nothing slides
    with pytest.raises(ExportError, match="conv or pooling"):
        export_player_gif(window.conv_player, tmp_path / "player.gif")


def test_the_export_menu_writes_the_whole_window_at_the_chosen_scale(window, tmp_path, monkeypatch):
    target = tmp_path / "slide"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args, **kwargs: (str(target), "PNG image (*.png)"))
    monkeypatch.setattr(
        QInputDialog, "getItem", lambda parent, title, label, items, current, editable: (items[2], True)
    )
    menu = build_export_menu(window)
    actions = {action.text(): action for action in menu.actions() if action.text()}
    assert all(action.toolTip() for action in actions.values())

    actions["&Whole window…"].trigger()

    picture = read_png(tmp_path / "slide.png")  # the missing extension was added
    assert (picture.width(), picture.height()) == (4 * window.width(), 4 * window.height())
    assert "slide.png" in window.statusBar().currentMessage()


def test_the_menu_exports_the_layer_chosen_in_its_dialog(window, tmp_path, monkeypatch):
    chosen = []

    def choose(parent, title, label, items, current, editable):
        chosen.append(items)
        return (items[1] if title == "Export one layer's maps" else items[0], True)

    monkeypatch.setattr(QInputDialog, "getItem", choose)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args, **kwargs: (str(tmp_path / "maps.svg"), ""))
    warnings = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *args: warnings.append(args[2]))
    menu = build_export_menu(window)
    action = next(a for a in menu.actions() if a.text() == "&Feature maps of one layer…")

    action.trigger()

    assert not warnings
    assert chosen[0][:2] == ["input image", "layer 0 (conv 3x3)"]
    assert len(chosen) == 1  # an SVG needs no scale
    assert ElementTree.parse(tmp_path / "maps.svg").getroot().tag.endswith("svg")


def test_the_menu_records_the_player_gif_with_the_options_chosen(qtbot, window, tmp_path, monkeypatch):
    show_scene(qtbot, window, EDGES)

    def accept(dialog):
        assert dialog.frames.maximum() == 25  # at most one frame per output cell
        dialog.frames.setValue(4)
        dialog.fps.setValue(2.0)
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(GifOptionsDialog, "exec", accept)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args, **kwargs: (str(tmp_path / "slide"), ""))
    menu = build_export_menu(window)
    action = next(a for a in menu.actions() if "GIF" in a.text())

    action.trigger()

    with Image.open(tmp_path / "slide.gif") as gif:
        assert gif.n_frames == 4 and gif.info["duration"] == 500
    assert "4 frames" in window.statusBar().currentMessage()


def test_a_hidden_panel_is_not_exported_and_the_menu_says_why(window, tmp_path, monkeypatch):
    window.docks["probabilities"].hide()
    warnings = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *args: warnings.append(args[2]))
    asked = []
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *args, **kwargs: asked.append(args) or ("", ""))
    menu = build_export_menu(window)

    next(a for a in menu.actions() if a.text() == "Class &probabilities…").trigger()

    assert warnings and "hidden" in warnings[0] and not asked
