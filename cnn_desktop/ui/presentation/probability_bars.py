"""The class probabilities drawn large for a hall: one bar per class, the predicted class named."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QPainter, QPaintEvent
from PySide6.QtWidgets import QWidget

from ..fonts import pixel_font

BAR_COLOUR = QColor(110, 140, 180)
TOP_COLOUR = QColor(230, 159, 0)  # orange: stands out for colour-blind viewers too


class ProbabilityBarsView(QWidget):
    """Bars of (n,) probabilities in [0, 1]; text sizes follow the widget's height."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.probabilities: np.ndarray | None = None
        self.top_class: int | None = None
        self.headline = "no class probabilities"
        self.top_percent = ""
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)

    def set_probabilities(self, probabilities: np.ndarray | None) -> None:
        """Show ``probabilities`` (n,), or a note when the network gives none (or none finite)."""
        values = None if probabilities is None else np.asarray(probabilities, np.float64).ravel()
        if values is None or not values.size or not np.all(np.isfinite(values)):
            self.probabilities, self.top_class = None, None
            self.headline = "no class probabilities"
        else:
            self.probabilities = np.clip(values, 0.0, 1.0)
            self.top_class = int(np.argmax(values))
            self.top_percent = f"{100 * values[self.top_class]:.0f}%"
            self.headline = f"predicted: {self.top_class}"
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt's name)
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        text_colour = self.palette().windowText().color()
        line = max(12.0, self.height() * 0.11)
        painter.setFont(pixel_font(line * 0.8, bold=True))
        painter.setPen(TOP_COLOUR if self.top_class is not None else text_colour)
        painter.drawText(QRectF(0, 0, self.width(), line * 1.2), Qt.AlignmentFlag.AlignCenter, self.headline)
        if self.probabilities is None:
            painter.end()
            return
        count = len(self.probabilities)
        slot = self.width() / count
        label_top = self.height() - line
        bar_top = line * 2.4  # room for the headline and the top class's percentage
        span = max(1.0, label_top - bar_top - 4)
        painter.setFont(pixel_font(line * 0.7))
        for index, value in enumerate(self.probabilities):
            colour = TOP_COLOUR if index == self.top_class else BAR_COLOUR
            height = max(1.0, float(value) * span)
            bar = QRectF(index * slot + slot * 0.15, label_top - 2 - height, slot * 0.7, height)
            painter.fillRect(bar, colour)
            painter.setPen(colour if index == self.top_class else text_colour)
            painter.drawText(QRectF(index * slot, label_top, slot, line), Qt.AlignmentFlag.AlignCenter, str(index))
            if index == self.top_class:
                painter.drawText(self.percent_rect(bar, line), Qt.AlignmentFlag.AlignCenter, self.top_percent)
        painter.end()

    def percent_rect(self, bar: QRectF, line: float) -> QRectF:
        """Where the top class's percentage goes: above its bar, kept whole inside the widget."""
        width = QFontMetricsF(pixel_font(line * 0.7)).horizontalAdvance(self.top_percent) + line * 0.2
        left = min(max(0.0, bar.center().x() - width / 2), self.width() - width)
        return QRectF(left, bar.top() - line, width, line)
