"""The live feature maps: mosaics equal the engine's maps, colours, scaling, pointer, numbers, highlights."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QGraphicsItem

from cnn_desktop.engine import Network, Unit
from cnn_desktop.number_text import format_value
from cnn_desktop.ui.maps.feature_maps import FeatureMapsView, MosaicGrid

from .conftest import show_widget, wait_for_result

SLIDES = json.loads((Path(__file__).parents[1] / "data" / "slide_examples.json").read_text())


def digit_like() -> np.ndarray:
    """A 28x28 image with a stroke, so every layer has positive and negative values."""
    image = np.zeros((28, 28), np.float32)
    image[5:23, 12:16] = 1.0
    image[5:9, 8:20] = 0.6
    return image


def engine_stages(document) -> list[np.ndarray]:
    session = document.session
    return [session.image[0][None]] + [out[0] for out in session.network.activations(session.image[0][None, None])]


@pytest.fixture
def view(qtbot, document):
    return show_widget(qtbot, FeatureMapsView(document), 700, 600)


def show_image(qtbot, document, view, image: np.ndarray) -> list[np.ndarray]:
    document.edit_image(image, "Test image")
    result = wait_for_result(qtbot, document)
    assert view.shown_version == result.version
    return engine_stages(document)


def viewport_point(view: FeatureMapsView, stage: int, channel: int, y: int, x: int) -> QPoint:
    """Where unit (stage, channel, y, x) is on the canvas viewport, scrolled into view first."""
    view.ensure_visible(stage, (channel, y, x))
    QApplication.processEvents()
    return view.canvas.mapFromScene(view.unit_scene_rect(stage, channel, y, x).center())


def canvas_colour(view: FeatureMapsView, stage: int, channel: int, y: int, x: int) -> tuple[int, int, int]:
    view.canvas.viewport().repaint()
    centre = view.unit_scene_rect(stage, channel, y, x).center()
    colour = view.canvas.grab().toImage().pixelColor(view.canvas.mapFromScene(centre))
    return colour.red(), colour.green(), colour.blue()


def test_layer_mosaic_holds_the_engines_maps_tiled_with_empty_gaps(qtbot, document, view):
    stages = show_image(qtbot, document, view, digit_like())
    mosaic = view.image_item(1).image
    grid = view.grid(1)
    assert mosaic.shape == grid.shape
    for channel in (0, 3, 5, 7):
        row, col = view.mosaic_position(1, channel, 0, 0)
        np.testing.assert_array_equal(mosaic[row : row + 26, col : col + 26], stages[1][channel])
    row, col = view.mosaic_position(1, 0, 0, 25)
    assert np.isnan(mosaic[row, col + 1])  # the gap between channel 0 and channel 1
    flat = view.image_item(7).image.ravel()
    np.testing.assert_array_equal(flat[: stages[7].size], stages[7])  # the flatten strip, in order


def test_unit_positions_and_their_inverse_agree():
    grid = MosaicGrid.for_shape((10, 4, 3), columns=4)
    assert grid.shape == (3 * 5 - 1, 4 * 4 - 1)
    for channel, y, x in [(0, 0, 0), (5, 3, 2), (9, 1, 1)]:
        assert grid.unit_at(*grid.position(channel, y, x)) == (channel, y, x)
    assert grid.unit_at(4, 0) is None  # gap row
    assert grid.unit_at(10, 8) is None  # after the last channel
    strip = MosaicGrid.for_shape((25,), columns=10)
    assert strip.position(0, 0, 23) == (2, 3)
    assert strip.unit_at(2, 3) == (0, 0, 23) and strip.unit_at(2, 6) is None


def test_zero_is_drawn_mid_grey_and_signs_in_opposite_colours(qtbot, document, view):
    assert canvas_colour(view, 1, 0, 10, 10) == (128, 128, 128)  # blank image: conv output is 0
    stages = show_image(qtbot, document, view, digit_like())
    low, high = view.levels(1)
    assert low == -high
    channel = 0
    values = stages[1][channel]
    pos_y, pos_x = np.unravel_index(np.argmax(values), values.shape)
    neg_y, neg_x = np.unravel_index(np.argmin(values), values.shape)
    assert values[pos_y, pos_x] > 0 > values[neg_y, neg_x]
    positive = canvas_colour(view, 1, channel, pos_y, pos_x)
    negative = canvas_colour(view, 1, channel, neg_y, neg_x)
    assert positive[0] > positive[2] and negative[2] > negative[0]  # red above zero, blue below
    view.set_palette("High contrast (cyan-grey-yellow)")
    yellow = canvas_colour(view, 1, channel, pos_y, pos_x)
    assert yellow[0] > 150 and yellow[1] > 150 and yellow[2] < 100


def test_scaling_modes_set_the_levels_and_the_colour_bar_labels(qtbot, document, view):
    stages = show_image(qtbot, document, view, digit_like())
    peaks = [float(np.abs(values).max()) for values in stages]
    assert view.levels(0) == (0.0, 1.0)  # the input always shows 0 black .. 1 white
    for stage in (1, 4, 8):
        assert view.levels(stage) == pytest.approx((-peaks[stage], peaks[stage]))
    assert view.colour_bar_labels(1) == (f"{peaks[1]:.3g}", "0", f"{-peaks[1]:.3g}")

    view.set_scaling("global")
    top = max(peaks[1:])
    for stage in (1, 4, 8):
        assert view.levels(stage) == pytest.approx((-top, top))
    assert view.levels(0) == (0.0, 1.0)

    view.set_scaling("channel")
    assert view.levels(1) == (-1.0, 1.0)
    assert view.colour_bar_labels(1) == ("+1 × max", "0", "-1 × max")
    row, col = view.mosaic_position(1, 2, 0, 0)
    channel = stages[1][2]
    shown = view.image_item(1).image[row : row + 26, col : col + 26]
    np.testing.assert_allclose(shown, channel / np.abs(channel).max(), rtol=1e-6)
    with pytest.raises(ValueError, match="scaling"):
        view.set_scaling("sideways")


def test_hovering_a_unit_reports_it_with_its_value(qtbot, document, view):
    stages = show_image(qtbot, document, view, digit_like())
    point = viewport_point(view, 1, 5, 4, 7)
    with qtbot.waitSignal(view.unit_hovered, timeout=2000) as blocker:
        QTest.mouseMove(view.canvas.viewport(), point)
    stage, channel, y, x, value = blocker.args
    assert (stage, channel, y, x) == (1, 5, 4, 7)
    assert value == pytest.approx(float(stages[1][5, 4, 7]))
    assert view.hover_text(*blocker.args) == f"layer 0 (conv 3x3) channel 5 (row 4, col 7) = {value:.4f}"


def test_hovering_a_dense_unit_after_scrolling_down(qtbot, document, view):
    stages = show_image(qtbot, document, view, digit_like())
    point = viewport_point(view, 8, 0, 0, 6)
    assert view.canvas.verticalScrollBar().value() > 0  # the dense layer is below the first screen
    with qtbot.waitSignal(view.unit_hovered, timeout=2000) as blocker:
        QTest.mouseMove(view.canvas.viewport(), point)
    assert blocker.args[:4] == [8, 0, 0, 6]
    assert blocker.args[4] == pytest.approx(float(stages[8][6]))
    assert view.hover_text(*blocker.args).startswith("layer 7 (dense 10) unit 6 = ")


def test_clicking_a_unit_emits_it_and_the_selection_is_outlined(qtbot, document, view):
    point = viewport_point(view, 2, 3, 10, 12)
    with qtbot.waitSignal(view.unit_clicked, timeout=2000) as blocker:
        QTest.mouseClick(view.canvas.viewport(), Qt.MouseButton.LeftButton, pos=point)
    assert blocker.args == [2, 3, 10, 12]
    document.select(Unit(*blocker.args))
    assert view.selection_rect() == view.unit_scene_rect(2, 3, 10, 12)
    document.select(None)
    assert view.selection_rect() is None


def test_mouse_wheel_scrolls_and_ctrl_wheel_zooms(qtbot, view):
    bar = view.canvas.verticalScrollBar()
    assert bar.maximum() > 0 and bar.value() == 0
    viewport = view.canvas.viewport()
    centre = QPointF(viewport.mapFromGlobal(view.mapToGlobal(QPoint(300, 300))))

    def wheel(modifiers: Qt.KeyboardModifier) -> None:
        event = QWheelEvent(
            centre,
            QPointF(view.mapToGlobal(QPoint(300, 300))),
            QPoint(),
            QPoint(0, -120),
            Qt.MouseButton.NoButton,
            modifiers,
            Qt.ScrollPhase.NoScrollPhase,
            False,
        )
        QApplication.sendEvent(viewport, event)

    wheel(Qt.KeyboardModifier.NoModifier)
    assert bar.value() > 0
    height = view.canvas.content_height
    wheel(Qt.KeyboardModifier.ControlModifier)  # wheel down with Ctrl: zoom out
    assert view.zoom < 1.0 and view.canvas.content_height < height


def test_keyboard_scrolls_the_maps(qtbot, view):
    bar = view.canvas.verticalScrollBar()
    view.canvas.setFocus()
    QTest.keyClick(view.canvas, Qt.Key.Key_PageDown)
    assert bar.value() > 0
    QTest.keyClick(view.canvas, Qt.Key.Key_End)
    assert bar.value() == bar.maximum()
    QTest.keyClick(view.canvas, Qt.Key.Key_Home)
    assert bar.value() == 0
    QTest.keyClick(view, Qt.Key.Key_Plus, Qt.KeyboardModifier.ControlModifier)
    assert view.zoom > 1.0


def test_a_new_pipeline_rebuilds_the_maps_with_the_new_shapes(qtbot, document, view):
    spec = [
        {"type": "conv", "out_channels": 4, "kernel": 5},
        {"type": "relu"},
        {"type": "maxpool", "size": 2},
        {"type": "flatten"},
        {"type": "dense", "out_features": 3},
    ]
    assert document.edit_spec(spec, "Smaller net") is None
    result = wait_for_result(qtbot, document)
    assert view.stage_count() == 6
    assert view.grid(1).channels == 4 and view.grid(1).height == 24
    assert view.stage_caption(1)[0] == "layer 0 (conv 5x5)"
    assert view.stage_caption(1)[1].startswith("4 × 24 × 24")
    assert view.stage_caption(5)[1].startswith("3 values")
    images = [item for item in view.canvas.scene().items() if isinstance(item, pg.ImageItem)]
    assert len(images) == 2 * 6  # each stage's mosaic and overlay; the old pipeline's items are gone
    row, col = view.mosaic_position(1, 3, 0, 0)
    np.testing.assert_array_equal(view.image_item(1).image[row : row + 24, col : col + 24], result.stages[1][3])
    assert view.image_item(5).image.ravel()[:3].tolist() == result.stages[5].tolist()
    assert view.hover_text(1, 3, 0, 0, 0.5) == "layer 0 (conv 5x5) channel 3 (row 0, col 0) = 0.5000"
    document.undo_stack.undo()
    wait_for_result(qtbot, document)
    assert view.stage_count() == 9


def test_small_maps_show_their_numbers_as_on_the_slides(qtbot, document, view):
    example = next(e for e in SLIDES["examples"] if e["name"] == "horizontal edges")
    network = Network.from_spec([{"type": "conv", "out_channels": 1, "kernel": 3}], (1, 7, 7))
    network.params["0.weight"][...] = np.array(example["kernel"], np.float32)
    document.set_network(network, "Slide example")
    document.edit_image(np.array(SLIDES["input_image"], np.float32), "Slide image")
    wait_for_result(qtbot, document)
    cells = view.number_cells(1)
    assert [text for _, text in cells] == [format_value(v) for v in np.ravel(example["output"])]
    assert cells[7][0] == view.unit_scene_rect(1, 0, 1, 2)  # unit order: row by row
    assert [text for _, text in view.number_cells(0)] == [str(v) for v in np.ravel(SLIDES["input_image"])]
    view.canvas.viewport().repaint()
    picture = view.canvas.grab().toImage()
    cell = view.canvas.mapFromScene(view.unit_scene_rect(0, 0, 2, 2)).boundingRect()  # a white "1" cell
    dark = [
        (x, y)
        for x in range(cell.left() + 3, cell.right() - 3)
        for y in range(cell.top() + 3, cell.bottom() - 3)
        if picture.pixelColor(x, y).lightness() < 80
    ]
    assert dark  # the number is really painted, in black on the white cell
    numbers_item = next(i for i in view.canvas.items() if type(i).__name__ == "CellNumbersItem" and i.cells())
    assert numbers_item.flags() & QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption  # one item draws all


def test_numbers_appear_only_when_zoomed_enough_to_read(qtbot, document, view):
    stages = show_image(qtbot, document, view, digit_like())
    assert view.number_cells(0) == []  # 28x28: too big a map for numbers
    assert view.number_cells(6) == []  # 16 maps of 5x5: cells too small at this width
    view.set_zoom(2.0)
    texts = [text for _, text in view.number_cells(6)]
    assert texts == [format_value(v) for v in stages[6].ravel()]
    single = np.zeros((28, 28), np.float32)
    single[14, 14] = 1.0
    stages = show_image(qtbot, document, view, single)
    assert [text for _, text in view.number_cells(6)] == [format_value(v) for v in stages[6].ravel()]


def test_masks_and_boxes_highlight_the_matching_cells(qtbot, document, view):
    mask = np.zeros((8, 26, 26), bool)
    mask[2, 3:6, 4:8] = True
    view.set_stage_masks({1: mask}, (0, 200, 0))
    overlay = view.overlay_image(1)
    row, col = view.mosaic_position(1, 2, 3, 4)
    assert overlay[row, col].tolist() == [0, 200, 0, 120]
    assert overlay[..., 3].astype(bool).sum() == mask.sum()  # nothing else tinted
    view.set_highlights({2: [(1, (0, 0, 2, 3), (255, 0, 0))]})
    (box,) = view.boxes(2)
    assert box == view.unit_scene_rect(2, 1, 0, 0).united(view.unit_scene_rect(2, 1, 2, 3))
    assert view.overlay_image(1) is not None  # another key's highlights stay
    view.clear_highlights()
    assert view.overlay_image(1) is None and view.boxes(2) == []
    with pytest.raises(ValueError, match="shape"):
        view.set_stage_masks({1: np.zeros((8, 5, 5), bool)}, (0, 200, 0))


def count_calls(monkeypatch, obj, name: str) -> list[int]:
    """Counts calls of ``obj.name`` (still calling it); the list holds one number."""
    calls = [0]
    original = getattr(obj, name)

    def counted(*args, **kwargs):
        calls[0] += 1
        return original(*args, **kwargs)

    monkeypatch.setattr(obj, name, counted)
    return calls


def test_a_result_for_a_new_selection_only_leaves_the_maps_images_alone(qtbot, monkeypatch, document, view):
    show_image(qtbot, document, view, digit_like())
    set_image = count_calls(monkeypatch, view.image_item(1), "setImage")
    drawn = view.maps_drawn
    document.select(Unit(1, 2, 3, 4))
    result = wait_for_result(qtbot, document)
    assert view.shown_version == result.version and result.field is not None
    assert set_image[0] == 0 and view.maps_drawn == drawn
    assert view.selection_rect() == view.unit_scene_rect(1, 2, 3, 4)
    image = digit_like()
    image[10, 10] = 0.5
    show_image(qtbot, document, view, image)
    assert set_image[0] == 1 and view.maps_drawn == drawn + 1


def test_the_same_highlights_again_are_not_drawn_again(monkeypatch, view):
    mask = np.zeros((8, 26, 26), bool)
    mask[2, 3:6, 4:8] = True
    view.set_stage_masks({1: mask}, (0, 200, 0))
    set_overlay = count_calls(monkeypatch, view._groups[1].overlay, "setImage")
    set_boxes = count_calls(monkeypatch, view._groups[2].boxes, "set_boxes")
    view.set_stage_masks({1: mask.copy()}, (0, 200, 0))
    view.clear_highlights("boxes")
    assert set_overlay[0] == 0 and set_boxes[0] == 0
    mask[2, 10, 10] = True
    view.set_stage_masks({1: mask}, (0, 200, 0))
    assert set_overlay[0] == 1
    assert view.overlay_image(1)[view.mosaic_position(1, 2, 10, 10)].tolist() == [0, 200, 0, 120]


def test_a_rendered_mosaic_is_premultiplied_and_its_gaps_stay_transparent(qtbot, document, view):
    show_image(qtbot, document, view, digit_like())
    item = view.image_item(1)
    item.render()
    assert item.qimage.format() == item.qimage.Format.Format_ARGB32_Premultiplied
    gap = np.argwhere(np.isnan(item.image))[0]
    assert item.qimage.pixelColor(int(gap[1]), int(gap[0])).alpha() == 0
    row, col = view.mosaic_position(1, 0, 0, 0)
    assert item.qimage.pixelColor(col, row).alpha() == 255


def test_a_narrow_view_ends_its_hint_with_an_ellipsis_instead_of_cutting_it(qtbot, document):
    from cnn_desktop.ui.maps.map_toolbar import ElidedLabel

    from .conftest import show_widget

    view = show_widget(qtbot, FeatureMapsView(document), 260, 400)
    (hint,) = view.findChildren(ElidedLabel)
    shown = hint.shown_text()
    assert shown.endswith("…") and hint.fontMetrics().horizontalAdvance(shown) <= hint.width()
    view.resize(1400, 400)
    qtbot.waitUntil(lambda: hint.shown_text() == hint.text())


def test_a_colour_pictures_channels_are_drawn_in_their_colours_and_named_under_their_maps(qtbot, document, view):
    from cnn_desktop.ui.colours import CHANNEL_COLOURS

    image = np.zeros((3, 7, 7), np.float32)
    image[0, 1, 1] = image[1, 2, 2] = image[2, 3, 3] = 1.0
    image[2, 4, 4] = 0.5
    net = Network.from_spec([{"type": "conv", "out_channels": 1, "kernel": 3}], (3, 7, 7), seed=0)
    assert document.set_state(image, net, None, "Colour") is None
    wait_for_result(qtbot, document)
    qtbot.waitUntil(lambda: view.shown_version == document.session.version)
    red, green, blue = (CHANNEL_COLOURS[name] for name in ("red", "green", "blue"))
    assert canvas_colour(view, 0, 0, 1, 1) == red
    assert canvas_colour(view, 0, 1, 2, 2) == green
    assert canvas_colour(view, 0, 2, 3, 3) == blue
    half = canvas_colour(view, 0, 2, 4, 4)
    assert all(abs(a - b / 2) <= 2 for a, b in zip(half, blue, strict=True)), half
    for channel in range(3):
        assert canvas_colour(view, 0, channel, 0, 6) == (0, 0, 0)
    group = view._groups[0]
    names = [(item.text(), item.sceneBoundingRect()) for item in group.name_items]
    assert [name for name, _ in names] == ["red", "green", "blue"]
    for channel, (_, rect) in enumerate(names):  # under its own map, centred on it
        first, last = view.unit_scene_rect(0, channel, 6, 0), view.unit_scene_rect(0, channel, 6, 6)
        assert rect.top() >= last.bottom() and abs(rect.center().x() - (first.left() + last.right()) / 2) <= 1
    # a receptive field's tint lies over the coloured cells it covers, and only those
    field = np.zeros((3, 7, 7), bool)
    field[:, 0:2, 0:2] = True
    view.set_stage_masks({0: field}, (255, 214, 0))
    assert canvas_colour(view, 0, 0, 1, 1) != red and canvas_colour(view, 0, 2, 1, 1) != (0, 0, 0)
    assert canvas_colour(view, 0, 1, 2, 2) == green and canvas_colour(view, 0, 0, 5, 5) == (0, 0, 0)


def test_a_narrow_view_stacks_a_colour_pictures_maps_with_room_for_their_names(qtbot, document):
    from cnn_desktop.ui.fonts import text_font
    from cnn_desktop.ui.maps.map_stage import CHANNEL_NAME_PX

    view = show_widget(qtbot, FeatureMapsView(document), 300, 600)
    net = Network.from_spec([{"type": "conv", "out_channels": 1, "kernel": 3}], (3, 7, 7), seed=0)
    assert document.set_state(np.zeros((3, 7, 7), np.float32), net, None, "Colour") is None
    wait_for_result(qtbot, document)
    qtbot.waitUntil(lambda: view.shown_version == document.session.version)
    group = view._groups[0]
    assert group.grid.columns == 1 and group.grid.rows == 3  # one map under another
    for channel, item in enumerate(group.name_items):
        rect = item.sceneBoundingRect()
        assert item.font().pixelSize() == text_font(CHANNEL_NAME_PX).pixelSize()
        assert rect.top() >= view.unit_scene_rect(0, channel, 6, 0).bottom()
        if channel < 2:  # above the next map, not on it
            assert rect.bottom() <= view.unit_scene_rect(0, channel + 1, 0, 0).top()
