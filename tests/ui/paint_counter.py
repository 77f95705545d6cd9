"""Counts the paint events a widget receives, so tests can prove a repaint happened or was skipped."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication, QWidget


class PaintCounter(QObject):
    """``count`` paint events (or events of ``kind``) of ``widget`` since creation or the last :meth:`settle`."""

    def __init__(self, widget: QWidget, kind: QEvent.Type = QEvent.Type.Paint) -> None:
        super().__init__(widget)
        self.count = 0
        self._kind = kind
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if event.type() == self._kind:
            self.count += 1
        return False

    def settle(self) -> int:
        """Deliver the pending repaints, then start counting from zero; returns the count before."""
        flush()
        counted, self.count = self.count, 0
        return counted


def flush() -> None:
    """Deliver the posted events, repaints included (twice: a paint may post more)."""
    for _ in range(2):
        QApplication.processEvents()
        QApplication.sendPostedEvents()
