"""Lay a panel out in columns when the room it gets is wide and low (a dock under the maps)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QAbstractScrollArea, QBoxLayout, QWidget

WIDE_RATIO = 1.8  # wider than this times the height: lay the panel out in columns


class DirectionFollower(QObject):
    """Calls ``apply(direction)`` with left-to-right when ``panel``'s room is wide, else top-to-bottom.

    The room is the viewport of the scroll area around the panel, if any, else the panel itself;
    the direction is chosen again whenever either is shown or resized, and applied when it changes.
    Columns are taken only when the room is also as wide as the panel needs in columns: otherwise a
    low dock of a small screen would cut the right-hand column off.
    """

    def __init__(
        self, panel: QWidget, current: QBoxLayout.Direction, apply: Callable[[QBoxLayout.Direction], None]
    ) -> None:
        super().__init__(panel)
        self._panel = panel
        self._apply = apply
        self._direction = current
        self._columns_min: int | None = None  # the panel's minimum width in columns, once measured
        panel.installEventFilter(self)

    def room(self) -> QWidget:
        """The space on offer: the viewport of the scroll area around the panel, if any."""
        widget = self._panel.parentWidget()
        while widget is not None and not isinstance(widget, QAbstractScrollArea):
            widget = widget.parentWidget()
        return widget.viewport() if widget is not None else self._panel

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        kind = event.type()
        if watched is self._panel and kind in (QEvent.Type.FontChange, QEvent.Type.ApplicationFontChange):
            self._columns_min = None  # larger text, wider columns
        if watched is self._panel and kind == QEvent.Type.Show:
            room = self.room()
            if room is not self._panel:
                room.installEventFilter(self)
        if kind in (QEvent.Type.Show, QEvent.Type.Resize) and watched in (self._panel, self.room()):
            self.follow()
        return False

    def follow(self) -> None:
        room = self.room()
        wide = room.width() > WIDE_RATIO * room.height() and room.width() >= self._columns_width()
        self._set(QBoxLayout.Direction.LeftToRight if wide else QBoxLayout.Direction.TopToBottom)

    def _set(self, direction: QBoxLayout.Direction) -> None:
        if direction != self._direction:
            self._direction = direction
            self._apply(direction)

    def _columns_width(self) -> int:
        """The panel's minimum width laid out in columns (measured by laying it out so, once)."""
        if self._columns_min is None:
            previous = self._direction
            self._set(QBoxLayout.Direction.LeftToRight)
            self._columns_min = self._panel.minimumSizeHint().width()
            self._set(previous)
        return self._columns_min
