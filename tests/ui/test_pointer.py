"""The lecturer's pointer over the presentation: a spot while L or the middle button is held, rings that fade."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QApplication

from cnn_desktop.ui.presentation.pointer_overlay import RING_COLOUR, SPOT_COLOUR

from .conftest import make_window, wait_for_result


@pytest.fixture
def window(qtbot, document, tmp_path):
    win = make_window(qtbot, document, tmp_path, (1280, 720))
    win.start_builtin_lesson()  # the presentation layout
    wait_for_result(qtbot, document)
    qtbot.waitUntil(lambda: win.presentation.view.shown_version == document.session.version)
    yield win
    win.presenter.audience.close()


def colour_at(widget, point: QPoint) -> QColor:
    QApplication.processEvents()
    return widget.grab().toImage().pixelColor(point)


def test_holding_l_shows_a_spot_where_the_mouse_is(qtbot, window):
    view, pointer = window.presentation.view, window.presentation.pointer
    grid = view.key_grids()[0]
    where = grid.mapTo(view, grid.rect().center())
    qtbot.mouseMove(pointer, where)
    assert colour_at(view, where) != SPOT_COLOUR
    qtbot.keyPress(window, Qt.Key.Key_L)
    assert pointer.marks.spot == (where.x(), where.y())
    assert colour_at(view, where) == SPOT_COLOUR  # drawn over the output grid
    qtbot.mouseMove(pointer, where + QPoint(-60, 10))
    assert pointer.marks.spot == (where.x() - 60, where.y() + 10)
    qtbot.keyRelease(window, Qt.Key.Key_L)
    assert pointer.marks.spot is None and colour_at(view, where) != SPOT_COLOUR


def test_l_with_a_modifier_is_not_the_pointer(qtbot, window):
    pointer = window.presentation.pointer
    qtbot.mouseMove(pointer, QPoint(200, 200))
    qtbot.keyPress(window, Qt.Key.Key_L, Qt.KeyboardModifier.ShiftModifier)
    assert pointer.marks.spot is None


def test_the_middle_button_shows_the_spot_while_held(qtbot, window):
    view, pointer = window.presentation.view, window.presentation.pointer
    where = QPoint(view.width() // 2, view.height() // 2)
    qtbot.mousePress(pointer, Qt.MouseButton.MiddleButton, pos=where)
    assert colour_at(view, where) == SPOT_COLOUR
    qtbot.mouseRelease(pointer, Qt.MouseButton.MiddleButton, pos=where)
    assert pointer.marks.spot is None


def test_a_dragged_ring_circles_cells_and_fades_away(qtbot, window):
    view, pointer = window.presentation.view, window.presentation.pointer
    pointer.marks.hold_seconds, pointer.marks.fade_seconds = 0.3, 0.3
    grid = view.key_grids()[0]
    top_left = grid.mapTo(view, grid.cell_rect(0, 0).center().toPoint())
    bottom_right = grid.mapTo(view, grid.cell_rect(1, 1).center().toPoint())
    qtbot.mousePress(pointer, Qt.MouseButton.LeftButton, pos=top_left)
    qtbot.mouseMove(pointer, bottom_right)
    qtbot.mouseRelease(pointer, Qt.MouseButton.LeftButton, pos=bottom_right)
    [mark] = pointer.marks.marks
    on_ring = QPoint(round(mark.centre_x + mark.radius_x), round(mark.centre_y))
    assert colour_at(view, on_ring) == RING_COLOUR
    qtbot.waitUntil(lambda: not pointer.marks.marks, timeout=3000)
    assert colour_at(view, on_ring) != RING_COLOUR


def test_the_audience_window_has_the_pointer_too(qtbot, window):
    window.presenter.force()
    audience = window.presenter.audience
    qtbot.waitExposed(audience)
    where = QPoint(audience.width() // 3, audience.height() // 2)
    qtbot.mousePress(audience.pointer, Qt.MouseButton.MiddleButton, pos=where)
    assert colour_at(audience, where) == SPOT_COLOUR
    qtbot.mouseRelease(audience.pointer, Qt.MouseButton.MiddleButton, pos=where)
