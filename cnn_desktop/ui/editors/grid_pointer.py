"""The mouse over a number grid: hover, click, drag across cells and wheel steps, as cell signals.

:class:`GridPointer` filters its grid's mouse and wheel events and emits the grid's
``cell_hovered``, ``cell_clicked``, ``cell_dragged``, ``mouse_released`` and ``cell_wheeled``
signals in array coordinates; clicks outside the cells, and wheel turns nobody listens to, go on
to the widgets around the grid (a scroll area scrolls).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import SIGNAL, QEvent, QObject, Qt
from PySide6.QtGui import QMouseEvent, QWheelEvent

if TYPE_CHECKING:
    from .grid_view import NumberGridView

Cell = tuple[int, int]
WHEEL_STEP_ANGLE = 120  # eighths of a degree in one wheel step


class GridPointer(QObject):
    """What the mouse does over ``view``: the hovered cell, the drag, the wheel and their modifiers."""

    def __init__(self, view: NumberGridView) -> None:
        super().__init__(view)
        self._view = view
        self.hovered: Cell | None = None
        self.modifiers = Qt.KeyboardModifier.NoModifier  # of the event whose signal is being emitted
        self._drag_cell: Cell | None = None
        self._wheel_rest = 0
        view.installEventFilter(self)

    def set_hovered(self, cell: Cell | None) -> None:
        if cell == self.hovered:
            return
        self.hovered = cell
        self._view.cell_hovered.emit(*(cell if cell is not None else (-1, -1)))
        self._view.update()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if watched is not self._view:
            return False
        kind = event.type()
        if kind in (QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonDblClick):
            return self._press(event)
        if kind == QEvent.Type.MouseMove:
            self._move(event)
            return True
        if kind == QEvent.Type.MouseButtonRelease:
            if self._drag_cell is not None:
                self._drag_cell = None
                self.modifiers = event.modifiers()
                self._view.mouse_released.emit(event.button())
            return True
        if kind == QEvent.Type.Leave:
            self.set_hovered(None)
        if kind == QEvent.Type.Wheel:
            return self._wheel(event)
        return False

    def _press(self, event: QMouseEvent) -> bool:
        view = self._view
        view.cancel_edit()
        cell = view.cell_at(event.position())
        if cell is None:
            return False  # not on a cell: the widget (and its parents) may have it
        self.modifiers = event.modifiers()
        view.set_current_cell(*cell)
        self._drag_cell = cell
        view.cell_clicked.emit(cell[0], cell[1], event.button())
        return True

    def _move(self, event: QMouseEvent) -> None:
        cell = self._view.cell_at(event.position())
        self.set_hovered(cell)
        dragging = self._drag_cell is not None and event.buttons() != Qt.MouseButton.NoButton
        if dragging and cell is not None and cell != self._drag_cell:
            self.modifiers = event.modifiers()
            self._drag_cell = cell
            self._view.cell_dragged.emit(cell[0], cell[1], event.buttons())

    def _wheel(self, event: QWheelEvent) -> bool:
        view = self._view
        cell = view.cell_at(event.position())
        if cell is None or not view.receivers(SIGNAL("cell_wheeled(int,int,int)")):
            return False  # nobody edits by wheel here: let a scroll area around the grid scroll
        delta = event.angleDelta()
        # Shift turns the vertical wheel into a horizontal one on some platforms
        self._wheel_rest += delta.y() if delta.y() != 0 else delta.x()
        steps = int(self._wheel_rest / WHEEL_STEP_ANGLE)
        self._wheel_rest -= steps * WHEEL_STEP_ANGLE
        if steps:
            self.modifiers = event.modifiers()
            view.set_current_cell(*cell)
            view.cell_wheeled.emit(cell[0], cell[1], steps)
        return True
