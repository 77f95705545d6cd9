"""Receptive fields drawn in the window: captions, outlines, keyboard moves, live updates."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QSettings, Qt

from cnn_desktop.engine import Network, Unit
from cnn_desktop.ui.editors.grid_view import GridRect
from cnn_desktop.ui.main_window import MainWindow

from .conftest import wait_for_result

SLIDES = json.loads((Path(__file__).parents[1] / "data" / "slide_examples.json").read_text())
IMAGE = np.array(SLIDES["input_image"], np.float32)


@pytest.fixture
def window(qtbot, document, tmp_path):
    win = MainWindow(document, QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(win)
    win.resize(1400, 900)
    win.show()
    return win


def lecture_network() -> Network:
    net = Network([{"type": "conv", "out_channels": 1, "kernel": 3}, {"type": "relu"}, {"type": "maxpool"}], (1, 7, 7))
    net.params["0.weight"][0, 0] = np.array(SLIDES["examples"][3]["kernel"], np.float32)
    return net


def show(qtbot, window, network: Network, image: np.ndarray) -> None:
    document = window.document
    document.set_network(network, "Load network")
    document.edit_image(image, "Load image")
    wait_for_result(qtbot, document)
    qtbot.waitUntil(lambda: window.maps.shown_version == document.session.version)


def click_unit(qtbot, window, stage: int, channel: int, y: int, x: int) -> None:
    maps = window.maps
    maps.ensure_visible(stage, (channel, y, x))
    centre = maps.canvas.mapFromScene(maps.unit_scene_rect(stage, channel, y, x).center())
    qtbot.mouseClick(maps.canvas.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(centre.x(), centre.y()))
    wait_for_result(qtbot, window.document)


def field_box(window) -> tuple[int, int, int, int]:
    (rect,) = window.pixel_editor.field_rects()
    return rect.top, rect.left, rect.bottom, rect.right


def highlighted_cells(window, stage: int, channel: int = 0) -> np.ndarray:
    """Which units of one channel of ``stage`` the maps tint (alpha > 0 in the overlay)."""
    overlay = window.maps.overlay_image(stage)
    shape = window.document.session.network.stage_shape(stage)
    cells = np.zeros(shape[1:], bool)
    for y in range(shape[1]):
        for x in range(shape[2]):
            row, col = window.maps.mosaic_position(stage, channel, y, x)
            cells[y, x] = overlay is not None and overlay[row, col, 3] > 0
    return cells


def test_clicking_a_pooled_pixel_of_the_lecture_shows_its_sixteen_pixels(qtbot, window):
    show(qtbot, window, lecture_network(), IMAGE)
    click_unit(qtbot, window, 3, 0, 0, 1)
    assert window.document.session.selection == Unit(3, 0, 0, 1)
    text = window.caption_label.text()
    assert "layer 2 (maxpool 2x2) unit (0, 1) sees 16 input pixels (4x4), rows 0-3, cols 2-5" in text
    assert window.pixel_editor.field_rects() == [GridRect(0, 2, 3, 5, "#ffd600", 3.0)]
    expected_input = np.zeros((7, 7), bool)
    expected_input[0:4, 2:6] = True
    np.testing.assert_array_equal(highlighted_cells(window, 0), expected_input)
    # in the conv output, the pooled pixel's 2x2 window
    expected_conv = np.zeros((5, 5), bool)
    expected_conv[0:2, 2:4] = True
    np.testing.assert_array_equal(highlighted_cells(window, 1), expected_conv)


def test_arrow_keys_move_the_selection_and_escape_clears_it(qtbot, window):
    show(qtbot, window, lecture_network(), IMAGE)
    click_unit(qtbot, window, 1, 0, 2, 2)
    qtbot.keyClick(window.maps.canvas, Qt.Key.Key_Right)
    qtbot.keyClick(window.maps.canvas, Qt.Key.Key_Down)
    assert window.document.session.selection == Unit(1, 0, 3, 3)
    for _ in range(5):
        qtbot.keyClick(window.maps.canvas, Qt.Key.Key_Right)
    assert window.document.session.selection == Unit(1, 0, 3, 4)  # stays inside the 5x5 map
    wait_for_result(qtbot, window.document)
    assert "rows 3-5, cols 4-6" in window.caption_label.text()
    qtbot.keyClick(window.maps.canvas, Qt.Key.Key_Escape)
    wait_for_result(qtbot, window.document)
    assert window.document.session.selection is None
    assert window.pixel_editor.field_rects() == []
    assert window.maps.overlay_image(0) is None


def test_the_selection_survives_edits_and_follows_the_image(qtbot, window):
    show(qtbot, window, lecture_network(), IMAGE)
    click_unit(qtbot, window, 3, 0, 0, 0)
    assert "value came from 15 of them" in window.caption_label.text()
    edited = IMAGE.copy()
    edited[1, 2] = 0  # the conv output changes, and with it which positions win the pool
    window.document.edit_image(edited, "Edit")
    result = wait_for_result(qtbot, window.document)
    assert window.document.session.selection == Unit(3, 0, 0, 0)
    np.testing.assert_array_equal(result.field.contributors[0], lecture_network_field(edited))


def lecture_network_field(image: np.ndarray) -> np.ndarray:
    """The input pixels behind pooled pixel (0, 0): every window of the conv outputs that tie for the max."""
    net = lecture_network()
    conv = net.activations(image[None, None])[1][0, 0]  # after ReLU
    window = conv[0:2, 0:2]
    expected = np.zeros((1, 7, 7), bool)
    for y, x in zip(*np.nonzero(window == window.max()), strict=True):
        expected[0, y : y + 3, x : x + 3] = True
    return expected


def test_hovering_selects_only_behind_the_toggle(qtbot, window):
    show(qtbot, window, lecture_network(), IMAGE)
    window.maps.unit_hovered.emit(1, 0, 1, 1, 0.0)
    assert window.document.session.selection is None
    window.hover_action.setChecked(True)
    window.maps.unit_hovered.emit(1, 0, 1, 1, 0.0)
    assert window.document.session.selection == Unit(1, 0, 1, 1)


def test_changing_the_pipeline_under_a_selection_raises_nothing(qtbot, window):
    document = window.document
    click_unit(qtbot, window, 6, 3, 2, 2)  # layer 5 (maxpool), the default network
    spec = document.session.network.spec
    assert document.edit_spec(spec[:3]) is None  # layer 5 is gone
    result = wait_for_result(qtbot, document)
    assert document.session.selection is None and result.field is None
    assert "Click any unit" in window.caption_label.text()


@pytest.mark.parametrize("seed", range(3))
def test_the_highlighted_field_is_the_engines_field_and_the_gradient_support(qtbot, window, seed):
    rng = np.random.default_rng(seed)
    spec = [
        {"type": "conv", "out_channels": 2, "kernel": int(rng.choice([3, 5])), "padding": int(rng.integers(0, 2))},
        {"type": "avgpool", "size": 2},
        {"type": "conv", "out_channels": 2, "kernel": 3, "stride": int(rng.integers(1, 3))},
    ]
    net = Network.from_spec(spec, (1, 16, 16), seed=seed)
    image = rng.random((16, 16), dtype=np.float32)
    show(qtbot, window, net, image)
    out_shape = net.shapes[-1]
    y, x = int(rng.integers(0, out_shape[1])), int(rng.integers(0, out_shape[2]))
    click_unit(qtbot, window, 3, 1, y, x)
    top, left, bottom, right = net.receptive_field(Unit(3, 0, y, x))
    assert field_box(window) == (top, left, bottom, right)
    assert window.pixel_editor.grid.pad() == max(0, -top, -left, bottom - 15, right - 15)  # padding drawn outside
    gradient = net.input_gradient(image[None, None], Unit(3, 1, y, x))[0, 0]
    np.testing.assert_array_equal(highlighted_cells(window, 0), gradient != 0)


def test_clicking_units_shows_their_fields_without_running_the_network_again(qtbot, window):
    show(qtbot, window, lecture_network(), IMAGE)
    computer = window.document._worker.computer
    passes = computer.passes
    click_unit(qtbot, window, 3, 0, 0, 1)
    assert field_box(window) == (0, 2, 3, 5)
    click_unit(qtbot, window, 1, 0, 4, 4)  # a conv output: its 3x3 window
    assert field_box(window) == (4, 4, 6, 6)
    assert computer.passes == passes  # the maps did not change, so the network did not run


def test_the_legend_names_every_shade_the_input_map_is_drawn_in(qtbot, window):
    from cnn_desktop.ui.maps.receptive_overlay import LEGEND, LEGEND_ENTRIES, legend_shades

    from .glyphs import image_array

    # black and white pixels at random: fields cover both, and max-pools seldom tie (all would win)
    image = (np.random.default_rng(5).random((28, 28)) > 0.5).astype(np.float32)
    show(qtbot, window, Network.from_spec(window.document.session.network.spec, (1, 28, 28), seed=3), image)
    maps = window.maps
    drawn = set()
    for unit in (Unit(3, 0, 5, 5), Unit(3, 1, 5, 6), Unit(3, 2, 2, 6), Unit(5, 1, 2, 2)):
        window.document.select(unit)
        wait_for_result(qtbot, window.document)
        maps.ensure_visible(0)
        qtbot.wait(50)
        pixels = image_array(maps.canvas.viewport().grab().toImage())
        tinted = maps.overlay_image(0)[..., 3] > 0
        for row, col in zip(*np.nonzero(tinted), strict=True):
            cell = maps.unit_scene_rect(0, *maps.unit_at_mosaic(0, int(row), int(col)))
            centre = maps.canvas.mapFromScene(cell.center())
            drawn.add(tuple(int(v) for v in pixels[centre.y(), centre.x()]))
    named = [shade for colour, _name, outlined in LEGEND_ENTRIES for shade in legend_shades(colour, outlined)]
    for colour in drawn:  # every colour drawn is named...
        assert min(max(abs(a - b) for a, b in zip(colour, shade, strict=True)) for shade in named) <= 3, colour
    for colour, _name, _outlined in LEGEND_ENTRIES[:2]:  # ...and each tint is seen in both its shades
        for shade in legend_shades(colour, False):
            assert any(max(abs(a - b) for a, b in zip(seen, shade, strict=True)) <= 3 for seen in drawn), (shade, drawn)
            assert "#{:02x}{:02x}{:02x}".format(*shade) in LEGEND


def test_a_colour_pictures_field_is_drawn_on_the_picture_and_on_each_channel(qtbot, window):
    from cnn_desktop.lesson import SCENE_TITLES, builtin_scenes

    scene = builtin_scenes()[SCENE_TITLES.index("A colour picture (depth 3)")].session
    show(qtbot, window, scene.network, scene.image)
    click_unit(qtbot, window, 1, 0, 0, 2)  # the 6 in the middle of the red bar's line
    assert "sees 9 input pixels (3x3)" in window.caption_label.text()
    editor = window.pixel_editor
    outline = [GridRect(0, 2, 2, 4, "#ffd600", 3.0)]
    assert editor.field_rects() == outline
    assert len(editor.channel_grids.grids) == 3
    for grid in editor.channel_grids.grids:
        assert grid.overlays() == outline and grid.highlight()[0:3, 2:5].all() and grid.highlight().sum() == 9
    np.testing.assert_array_equal(highlighted_cells(window, 0, channel=2)[0:3, 2:5], np.ones((3, 3), bool))
