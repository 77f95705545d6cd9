"""The class probabilities drawn large for a hall: one bar per class, the predicted class named.

Under the headline, in amber, the same weights notice as the probabilities panel (untrained,
changed since training, training running), so a hall is never shown random weights' guesses as
a reading.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QPainter, QPaintEvent
from PySide6.QtWidgets import QWidget

from ..fonts import pixel_font
from ..maps.probabilities import NOTICE_COLOUR as NOTICE_RGB

BAR_COLOUR = QColor(110, 140, 180)
TOP_COLOUR = QColor(230, 159, 0)  # orange: stands out for colour-blind viewers too
NOTICE_ON_DARK = QColor(*NOTICE_RGB)  # the probabilities panel's amber
NOTICE_ON_LIGHT = QColor(166, 94, 0)  # darker amber: 5:1 contrast on white


class ProbabilityBarsView(QWidget):
    """Bars of (n,) probabilities in [0, 1]; text sizes follow the widget's height."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.probabilities: np.ndarray | None = None
        self.top_class: int | None = None
        self.headline = "no class probabilities"
        self.top_percent = ""
        self.notice = ""  # the weights notice, "" for trained weights
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

    def set_notice(self, text: str) -> None:
        """Show ``text`` under the headline (the document's ``weights_notice``), or nothing for ""."""
        if text != self.notice:
            self.notice = text
            self.update()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt's name)
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        text_colour = self.palette().windowText().color()
        line = max(12.0, self.height() * 0.11)
        painter.setFont(pixel_font(line * 0.8, bold=True))
        painter.setPen(TOP_COLOUR if self.top_class is not None else text_colour)
        painter.drawText(QRectF(0, 0, self.width(), line * 1.2), Qt.AlignmentFlag.AlignCenter, self.headline)
        notice_height = 0.0
        if self.notice:
            painter.setFont(pixel_font(line * 0.5, bold=True))
            dark = self.palette().window().color().lightness() < 128
            painter.setPen(NOTICE_ON_DARK if dark else NOTICE_ON_LIGHT)
            notice_height = line * 1.5  # two lines of the notice's font
            flags = Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap
            painter.drawText(QRectF(0, line * 1.2, self.width(), notice_height), flags, self.notice)
        if self.probabilities is None:
            painter.end()
            return
        count = len(self.probabilities)
        slot = self.width() / count
        label_top = self.height() - line
        bar_top = line * 2.4 + notice_height  # room for the headline, the notice and the top class's percentage
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
