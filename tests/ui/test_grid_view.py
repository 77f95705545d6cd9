"""NumberGridView: square numbered cells, padding, overlays, and the mouse/keyboard signals."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QColor, QImage, QWheelEvent
from PySide6.QtWidgets import QApplication, QLineEdit

from cnn_desktop.image_presets import LECTURE_IMAGE
from cnn_desktop.ui import colours
from cnn_desktop.ui.editors.grid_view import MARGIN, GridRect, NumberGridView

from .conftest import show_widget
from .paint_counter import PaintCounter


@pytest.fixture
def view(qtbot):
    grid = NumberGridView(colours.greyscale(), (0.0, 1.0), editable=True)
    grid.set_array(LECTURE_IMAGE)
    return show_widget(qtbot, grid, 420, 380)


def centre(view: NumberGridView, row: int, col: int) -> QPoint:
    return view.cell_rect(row, col).center().toPoint()


def pixel(image: QImage, point: QPoint) -> tuple[int, int, int]:
    colour = image.pixelColor(point)
    return colour.red(), colour.green(), colour.blue()


def bright_pixels(image: QImage, view: NumberGridView, row: int, col: int) -> int:
    """Near-white pixels inside a (black) cell: the strokes of its number."""
    rect = view.cell_rect(row, col).adjusted(3, 3, -3, -3).toRect()
    return sum(
        image.pixelColor(x, y).lightness() > 200
        for x in range(rect.left(), rect.right())
        for y in range(rect.top(), rect.bottom())
    )


def wheel(view: NumberGridView, point: QPoint, delta: int, modifiers=Qt.KeyboardModifier.NoModifier) -> None:
    event = QWheelEvent(
        QPointF(point),
        QPointF(view.mapToGlobal(point)),
        QPoint(0, 0),
        QPoint(0, delta),
        Qt.MouseButton.NoButton,
        modifiers,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(view, event)


def test_cells_are_square_centred_and_coloured_by_the_colour_map(view):
    cell = view.cell_size()
    assert cell == view.cell_rect(0, 0).width() == view.cell_rect(0, 0).height() == (380 - 2 * MARGIN) // 7
    left_gap = view.cell_rect(0, 0).left()
    right_gap = view.width() - view.cell_rect(0, 6).right()
    assert abs(left_gap - right_gap) <= 1, "the grid is centred"
    image = view.grab().toImage()
    corner = view.cell_rect(0, 0).topLeft().toPoint() + QPoint(4, 4)
    ink = view.cell_rect(2, 1).topLeft().toPoint() + QPoint(4, 4)
    assert pixel(image, corner) == (0, 0, 0)
    assert pixel(image, ink) == (255, 255, 255)
    assert view.cell_at(QPointF(centre(view, 3, 4))) == (3, 4)
    assert view.cell_at(QPointF(2, 2)) is None


def test_numbers_are_written_when_cells_are_large_and_grow_with_font_scale(view):
    large = bright_pixels(view.grab().toImage(), view, 0, 0)
    assert large > 10, "a '0' in white on the black cell"
    view.font_scale = 1.5
    assert view.font_scale == 1.5
    assert bright_pixels(view.grab().toImage(), view, 0, 0) > large
    view.resize(140, 140)  # 20 px cells: colours only
    assert view.cell_size() < 22
    assert bright_pixels(view.grab().toImage(), view, 0, 0) == 0


def test_text_colour_contrasts_with_the_cell(view):
    image = view.grab().toImage()
    rect = view.cell_rect(2, 1).adjusted(3, 3, -3, -3).toRect()  # white cell showing "1"
    row = rect.center().y()
    dark = sum(image.pixelColor(x, row).lightness() < 60 for x in range(rect.left(), rect.right()))
    assert dark > 0, "black digits on a white cell"


def test_padding_cells_are_drawn_hatched_around_the_array(view):
    plain = view.grab().toImage()
    view.set_pad(1)
    padded = view.grab().toImage()
    assert view.cell_size() == (380 - 2 * MARGIN) // 9  # 9 cells now share the height
    assert view.cell_rect(-1, -1).right() < view.cell_rect(0, 0).left() + 1
    rect = view.cell_rect(-1, 3).toRect()
    colours = {pixel(padded, QPoint(x, rect.center().y())) for x in range(rect.left() + 2, rect.right() - 2)}
    assert len(colours) > 1, "the padding cell is hatched, not a flat zero-coloured cell"
    assert view.cell_at(QPointF(view.cell_rect(-1, 3).center())) is None
    assert view.cell_at(QPointF(view.cell_rect(-1, 3).center()), include_padding=True) == (-1, 3)
    assert plain != padded


def test_overlays_and_highlight_mark_cells(view):
    view.set_pad(1)
    view.set_overlays([GridRect(-1, -1, 1, 1, "#00ff00", 4.0)])
    mask = np.zeros((7, 7), bool)
    mask[3, 3] = True
    view.set_highlight(mask, QColor(255, 0, 0, 255))
    image = view.grab().toImage()
    outline = view.cell_rect(-1, -1).topLeft().toPoint() + QPoint(1, 10)
    assert pixel(image, outline) == (0, 255, 0)
    inside = view.cell_rect(3, 3).topLeft().toPoint() + QPoint(3, 3)
    assert pixel(image, inside) == (255, 0, 0)
    view.set_overlays([])
    view.set_highlight(None)
    image = view.grab().toImage()
    assert pixel(image, outline) != (0, 255, 0) and pixel(image, inside) == (255, 255, 255)


def test_mouse_hover_click_drag_and_release_signals(qtbot, view):
    hovered, clicked, dragged, released = [], [], [], []
    view.cell_hovered.connect(lambda r, c: hovered.append((r, c)))
    view.cell_clicked.connect(lambda r, c, b: clicked.append((r, c, b)))
    view.cell_dragged.connect(lambda r, c, b: dragged.append((r, c, b)))
    view.mouse_released.connect(released.append)
    qtbot.mouseMove(view, centre(view, 1, 2))
    assert hovered[-1] == (1, 2)
    qtbot.mousePress(view, Qt.MouseButton.LeftButton, pos=centre(view, 1, 2))
    assert clicked == [(1, 2, Qt.MouseButton.LeftButton)]
    assert view.current_cell() == (1, 2)
    qtbot.mouseMove(view, centre(view, 1, 2) + QPoint(5, 5))  # same cell: no new drag signal
    qtbot.mouseMove(view, centre(view, 4, 5))
    qtbot.mouseMove(view, centre(view, 6, 6))
    assert [(r, c) for r, c, _ in dragged] == [(4, 5), (6, 6)]
    assert dragged[0][2] & Qt.MouseButton.LeftButton
    qtbot.mouseRelease(view, Qt.MouseButton.LeftButton, pos=centre(view, 6, 6))
    assert released == [Qt.MouseButton.LeftButton]
    qtbot.mouseMove(view, QPoint(1, 1))
    assert hovered[-1] == (-1, -1)


def test_wheel_steps_accumulate_and_carry_modifiers(view):
    steps = []
    view.cell_wheeled.connect(lambda r, c, s: steps.append((r, c, s, view.event_modifiers())))
    wheel(view, centre(view, 2, 3), 120)
    wheel(view, centre(view, 2, 3), 60)  # half a notch of a smooth wheel: nothing yet
    wheel(view, centre(view, 2, 3), 60)
    wheel(view, centre(view, 2, 3), -240, Qt.KeyboardModifier.ShiftModifier)
    assert [s[:3] for s in steps] == [(2, 3, 1), (2, 3, 1), (2, 3, -2)]
    assert steps[-1][3] & Qt.KeyboardModifier.ShiftModifier
    wheel(view, QPoint(1, 1), 120)
    assert len(steps) == 3


def test_arrow_keys_move_the_current_cell_within_the_array(qtbot, view):
    view.setFocus()
    moved = []
    view.current_cell_changed.connect(lambda r, c: moved.append((r, c)))
    for key in (Qt.Key.Key_Down, Qt.Key.Key_Down, Qt.Key.Key_Right, Qt.Key.Key_Up):
        qtbot.keyClick(view, key)
    assert view.current_cell() == (1, 1)
    for _ in range(10):
        qtbot.keyClick(view, Qt.Key.Key_Left)
    assert view.current_cell() == (1, 0)
    assert moved[-1] == (1, 0)


def test_typing_a_number_and_enter_emits_it_for_the_current_cell(qtbot, view):
    view.setFocus()
    entered = []
    view.value_entered.connect(lambda r, c, v: entered.append((r, c, v)))
    qtbot.keyClick(view, Qt.Key.Key_Right)
    qtbot.keyClicks(view, "-1/4")
    assert view.is_editing()
    qtbot.keyClick(view, Qt.Key.Key_Return)
    assert entered == [(0, 1, -0.25)]
    assert not view.is_editing()


def test_escape_cancels_and_bad_text_is_reported(qtbot, view):
    view.setFocus()
    entered, rejected = [], []
    view.value_entered.connect(lambda r, c, v: entered.append(v))
    view.entry_rejected.connect(rejected.append)
    qtbot.keyClicks(view, "7")
    qtbot.keyClick(view, Qt.Key.Key_Escape)
    assert not view.is_editing() and entered == []
    qtbot.keyClick(view, Qt.Key.Key_Return)  # Enter opens the editor with the cell's value
    assert view.is_editing()
    editor = view.findChild(QLineEdit)
    editor.setText("abc")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    assert rejected and "not a number" in rejected[0]
    assert view.is_editing(), "bad text keeps the editor open for a fix"
    editor.setText("0.5")
    qtbot.keyClick(editor, Qt.Key.Key_Tab)  # Tab commits and moves right
    assert entered == [0.5] and view.current_cell() == (0, 1)


def test_a_read_only_grid_ignores_typing(qtbot, view):
    view.set_editable(False)
    view.setFocus()
    qtbot.keyClicks(view, "5")
    qtbot.keyClick(view, Qt.Key.Key_Return)
    assert not view.is_editing()


def test_diverging_levels_put_zero_at_mid_grey(qtbot):
    grid = NumberGridView(colours.diverging(), (-2.0, 2.0))
    grid.set_array(np.array([[-2.0, 0.0, 2.0]]))
    grid.resize(300, 100)
    qtbot.addWidget(grid)
    image = grid.grab().toImage()
    corner = [grid.cell_rect(0, c).topLeft().toPoint() + QPoint(3, 3) for c in range(3)]
    low, mid, high = colours.DIVERGING[colours.DEFAULT_DIVERGING]
    assert [pixel(image, p) for p in corner] == [low, mid, high]


def test_a_grid_repaints_once_for_several_changes_and_not_at_all_for_the_same_picture(view):
    counter = PaintCounter(view)
    counter.settle()
    values = view.array().copy()
    view.set_array(values)
    view.set_array(values.copy(), view.levels())
    view.set_overlays(view.overlays())
    view.set_highlight(None)
    view.set_pad(view.pad())
    view.set_colormap(colours.greyscale())
    assert counter.settle() == 0
    values[2, 3] = 1.0 - values[2, 3]
    view.set_array(values)
    view.set_overlays([GridRect(0, 0, 1, 1)])
    view.set_highlight(values > 0.5)
    assert counter.settle() == 1


def test_cells_are_drawn_anew_only_when_what_they_show_changes(qtbot, view):
    counter = PaintCounter(view)
    counter.settle()
    drawn = view.cells_drawn
    qtbot.mouseMove(view, centre(view, 1, 1))
    view.set_overlays([GridRect(1, 1, 2, 2)])
    view.set_current_cell(3, 3)
    assert counter.settle() >= 1
    assert view.cells_drawn == drawn  # hover, outlines and the cursor are drawn over the cached cells
    values = view.array().copy()
    values[0, 0] = 0.5
    view.set_array(values)
    counter.settle()
    assert view.cells_drawn == drawn + 1
    view.resize(view.width() + 20, view.height())
    counter.settle()
    assert view.cells_drawn == drawn + 2


def test_a_cached_grid_still_shows_a_changed_value(view):
    values = view.array().copy()
    values[1, 1] = 1.0 - values[1, 1]
    view.grab()
    view.set_array(values)
    image = view.grab().toImage()
    expected = 255 if values[1, 1] == 1.0 else 0
    corner = view.cell_rect(1, 1).topLeft().toPoint() + QPoint(3, 3)
    assert pixel(image, corner) == (expected, expected, expected)


def test_an_export_at_twice_the_size_draws_the_numbers_anew_not_the_screen_pixels_enlarged(view):
    from cnn_desktop.ui.export import render_image

    view.grab()  # the cells are cached for the screen
    picture = render_image(view, 2.0).convertToFormat(QImage.Format.Format_RGB32)
    pixels = np.frombuffer(picture.constBits(), np.uint32).reshape(picture.height(), -1)[:, : picture.width()]
    rows, cols = (pixels.shape[0] // 2) * 2, (pixels.shape[1] // 2) * 2
    blocks = pixels[:rows, :cols].reshape(rows // 2, 2, cols // 2, 2)
    uneven = (blocks != blocks[:, :1, :, :1]).any(axis=(1, 3))
    assert uneven.sum() > 100  # text edges drawn at 2x; an enlarged 1x picture has only even 2x2 blocks
