"""Typing a number into a cell of a number grid: a small line edit opened over the current cell.

Enter commits, Tab commits and moves to the next cell, Escape cancels, and clicking elsewhere
closes it. Text that is not a number keeps it open, outlined red, with the reason in its tooltip.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QFocusEvent, QFont, QKeyEvent
from PySide6.QtWidgets import QLineEdit

from ...number_text import format_value, parse_number

if TYPE_CHECKING:
    from .grid_view import NumberGridView

TYPING_STARTERS = frozenset("0123456789-+.,/\u2212")
"""Characters that, typed on an editable grid, open the editor with themselves as the text."""

REJECTED_STYLE = "QLineEdit { border: 2px solid #d62f27; }"


class CellEditor(QObject):
    """The inline editor of one :class:`NumberGridView`; it reports through the view's signals."""

    def __init__(self, view: NumberGridView) -> None:
        super().__init__(view)
        self._view = view
        self.line = QLineEdit(view)
        self.line.hide()
        self.line.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.line.setToolTip("Type a number (0.5, -2, 1/9) and press Enter; Escape cancels")
        self.line.installEventFilter(self)
        self.cell: tuple[int, int] | None = None

    def start(self, text: str | None = None) -> None:
        """Open over the view's current cell, with ``text`` or the cell's value selected."""
        view = self._view
        row, col = view.current_cell()
        array = view.array()
        if not view.is_editable() or not (0 <= row < array.shape[0] and 0 <= col < array.shape[1]):
            return
        self.cell = (row, col)
        rect = view.cell_rect(row, col)
        side = max(rect.height(), 34.0)
        width = max(rect.width(), 84.0)
        left = min(max(rect.center().x() - width / 2, 0), max(view.width() - width, 0))
        top = min(max(rect.center().y() - side / 2, 0), max(view.height() - side, 0))
        self.line.setGeometry(int(left), int(top), int(width), int(side))
        font = QFont(view.font())
        font.setPixelSize(int(max(14, min(side * 0.5, 40))))
        self.line.setFont(font)
        self.line.setStyleSheet("")
        if text is None:
            self.line.setText(format_value(array[row, col]))
            self.line.selectAll()
        else:
            self.line.setText(text)
        self.line.show()
        self.line.setFocus()
        view.update()

    def cancel(self) -> None:
        """Close without changing anything."""
        if self.cell is None:
            return
        self.cell = None
        refocus = self.line.hasFocus()
        self.line.hide()
        if refocus:
            self._view.setFocus()
        self._view.update()

    def commit(self) -> bool:
        """Read the text: a number is emitted as the view's ``value_entered``; bad text keeps it open."""
        if self.cell is None:
            return False
        try:
            value = parse_number(self.line.text())
        except ValueError as exc:
            self.line.setStyleSheet(REJECTED_STYLE)
            self.line.setToolTip(str(exc))
            self._view.entry_rejected.emit(str(exc))
            return False
        row, col = self.cell
        self.cancel()
        self._view.value_entered.emit(row, col, value)
        return True

    def handle_key(self, event: QKeyEvent) -> bool:
        """Enter commits, Tab commits and moves on, Escape cancels; True when the key was one of them."""
        key = event.key()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.commit()
            return True
        if key == Qt.Key.Key_Escape:
            self.cancel()
            return True
        if key in (Qt.Key.Key_Tab, Qt.Key.Key_Backtab):
            if self.commit():
                self._step_current(1 if key == Qt.Key.Key_Tab else -1)
            return True
        return False

    def type_key(self, event: QKeyEvent) -> None:
        """A key sent to the view while the editor is open belongs to the editor."""
        if not self.handle_key(event):
            QLineEdit.keyPressEvent(self.line, event)

    def _step_current(self, step: int) -> None:
        height, width = self._view.array().shape
        row, col = self._view.current_cell()
        flat = (row * width + col + step) % (height * width)
        self._view.set_current_cell(flat // width, flat % width)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if watched is self.line:
            if event.type() == QEvent.Type.KeyPress and self.handle_key(event):
                return True
            if event.type() == QEvent.Type.FocusOut and self.cell is not None:
                reason = event.reason() if isinstance(event, QFocusEvent) else None
                if reason != Qt.FocusReason.PopupFocusReason:
                    self.cancel()
        return super().eventFilter(watched, event)
