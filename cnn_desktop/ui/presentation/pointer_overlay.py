"""Draws the lecturer's pointer over a presentation view (state in ``state/pointer.py``).

Hold L (or the middle button) for a large spot under the mouse; drag with the left button to
ring cells, which fade after a few seconds. The key works from any window of the app, so a
lecturer typing on the laptop can point on the projector's window where the mouse is.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QEvent, QObject, QPointF, Qt, QTimer
from PySide6.QtGui import QColor, QCursor, QKeyEvent, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QAbstractSpinBox, QApplication, QComboBox, QLineEdit, QWidget

from ...state.pointer import Mark, PointerMarks

POINTER_KEY = Qt.Key.Key_L
SPOT_COLOUR = QColor(255, 30, 60)  # a saturated red with white and black rings: visible on any map colour
RING_COLOUR = QColor(255, 0, 200)  # magenta: not in the app's map palettes
FRAME_MS = 33


class PointerOverlay(QWidget):
    """A transparent layer over ``view`` (its parent) that paints the spot and the rings."""

    def __init__(self, view: QWidget) -> None:
        super().__init__(view)
        self.marks = PointerMarks()
        self.key_held = False
        self.middle_held = False
        self._last_mouse: QPointF | None = None
        self.setAttribute(Qt.WidgetAttribute.WA_NoSystemBackground, True)
        self.setMouseTracking(True)
        self.setGeometry(view.rect())
        self._fade = QTimer(self)
        self._fade.setInterval(FRAME_MS)
        self._fade.timeout.connect(self._next_frame)
        view.installEventFilter(self)
        if view.isVisible():
            QApplication.instance().installEventFilter(self)
        self.raise_()

    # ----- what is drawn
    def spot_radius(self) -> float:
        return max(18.0, min(self.width(), self.height()) * 0.03)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt's name)
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        now = time.monotonic()
        for mark in self.marks.marks:
            self._draw_ring(painter, mark, self.marks.opacity(mark, now))
        if self.marks.dragging is not None:
            self._draw_ring(painter, self.marks.ring_for(*self.marks.dragging), 1.0)
        if self.marks.spot is not None:
            centre, radius = QPointF(*self.marks.spot), self.spot_radius()
            painter.setPen(QPen(QColor("black"), 3))
            painter.setBrush(QColor("white"))
            painter.drawEllipse(centre, radius + 4, radius + 4)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(SPOT_COLOUR)
            painter.drawEllipse(centre, radius, radius)
        painter.end()

    @staticmethod
    def _draw_ring(painter: QPainter, mark: Mark, opacity: float) -> None:
        painter.setOpacity(opacity)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        centre = QPointF(mark.centre_x, mark.centre_y)
        painter.setPen(QPen(QColor("black"), 10))
        painter.drawEllipse(centre, mark.radius_x, mark.radius_y)
        painter.setPen(QPen(RING_COLOUR, 6))
        painter.drawEllipse(centre, mark.radius_x, mark.radius_y)
        painter.setOpacity(1.0)

    def _next_frame(self) -> None:
        if not self.marks.prune(time.monotonic()):
            self._fade.stop()
        self.update()

    def _show_spot(self, position: QPointF | None) -> None:
        self.marks.spot = None if position is None else (position.x(), position.y())
        self.update()

    # ----- gestures
    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt's name)
        if event.button() == Qt.MouseButton.MiddleButton:
            self.middle_held = True
            self._show_spot(event.position())
        elif event.button() == Qt.MouseButton.LeftButton:
            self.marks.begin_ring(event.position().x(), event.position().y())
            self.update()
        else:
            event.ignore()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt's name)
        self._last_mouse = event.position()
        if self.middle_held or self.key_held:
            self._show_spot(event.position())
        if self.marks.dragging is not None:
            self.marks.drag_ring(event.position().x(), event.position().y())
            self.update()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt's name)
        if event.button() == Qt.MouseButton.MiddleButton:
            self.middle_held = False
            if not self.key_held:
                self._show_spot(None)
        elif event.button() == Qt.MouseButton.LeftButton and self.marks.dragging is not None:
            self.marks.drag_ring(event.position().x(), event.position().y())
            self.marks.end_ring(time.monotonic())
            self._fade.start()
            self.update()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        kind = event.type()
        if watched is self.parent() and kind == QEvent.Type.Resize:
            self.setGeometry(self.parentWidget().rect())
        elif watched is self.parent() and kind == QEvent.Type.ChildAdded and event.child() is not self:
            self.raise_()  # new grids are stacked on top: stay above them
        elif watched is self.parent() and kind in (QEvent.Type.Show, QEvent.Type.Hide):
            # the key is heard app-wide only while this view is on screen: a hidden view's
            # filter would still see every event of the application
            app = QApplication.instance()
            app.removeEventFilter(self)
            if kind == QEvent.Type.Show:
                app.installEventFilter(self)
        elif kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease) and isinstance(event, QKeyEvent):
            self._pointer_key(event)
        return False

    def _pointer_key(self, event: QKeyEvent) -> None:
        """Hold L anywhere in the app: the spot shows where the mouse is over this view."""
        if event.key() != POINTER_KEY or event.isAutoRepeat() or not self.isVisible() or _typing():
            return
        if event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
            return  # Ctrl+L and the like are shortcuts
        if event.type() == QEvent.Type.KeyPress:
            self.key_held = True
            inside = self.mapFromGlobal(QCursor.pos())
            position = QPointF(inside) if self.rect().contains(inside) else self._last_mouse
            if position is not None and self.rect().contains(position.toPoint()):
                self._show_spot(position)
        else:
            self.key_held = False
            if not self.middle_held:
                self._show_spot(None)


def _typing() -> bool:
    """True when the focus is in a text or number field, where L is a letter."""
    return isinstance(QApplication.focusWidget(), (QLineEdit, QAbstractSpinBox, QComboBox))
