"""The class probabilities of the current image: a live bar chart with the winner written large.

Only a pipeline that ends in a dense layer has class scores; for any other the view says so
instead of showing an empty chart. The bar item is created once and updated with ``setOpts``.

Probabilities from random or hand-edited weights look just as confident as trained ones, so a
line above the chart says so whenever the weights are not the trained ones.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QLabel, QStackedLayout, QVBoxLayout, QWidget

from ...compute import ForwardResult
from ..colours import CANVAS_BACKGROUND
from ..document import SessionDocument
from ..fonts import keep_font
from ..plot_axes import letter_axes

BAR_COLOUR = (110, 140, 180)
TOP_COLOUR = (230, 159, 0)  # orange: stands out for colour-blind viewers too
TEXT_COLOUR = (238, 238, 238)
AXIS_PX = 15  # at text zoom 1
NOTICE_COLOUR = (255, 214, 102)  # light amber on the dark canvas: a warning, not an error
NO_DENSE_HINT = (
    "The pipeline does not end in a dense layer: no class probabilities.\n\n"
    "Add a flatten layer and a dense layer at the end to get one score per class."
)
NOT_FINITE_HINT = (
    "The class scores are not finite numbers (the values overflowed), so there are no probabilities to show."
)


def headline_text(probabilities: np.ndarray) -> str:
    """``7: 93.1%``: the most likely class and its probability."""
    top = int(np.argmax(probabilities))
    return f"{top}: {100 * float(probabilities[top]):.1f}%"


class ProbabilityView(QWidget):
    """Softmax probabilities of the classes (0..n-1) for the current image, top class highlighted."""

    def __init__(self, document: SessionDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.probabilities: np.ndarray | None = None
        self.top_class: int | None = None

        self.headline = QLabel("–")
        keep_font(self.headline, 40, bold=True)
        self.headline.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.headline.setStyleSheet(f"color: rgb{TOP_COLOUR}; background: rgb{CANVAS_BACKGROUND}; padding: 4px;")
        self.headline.setToolTip("The most likely class and the network's probability for it")

        self.weights_notice = QLabel()
        self.weights_notice.setWordWrap(True)
        keep_font(self.weights_notice, 13, bold=True)
        self.weights_notice.setStyleSheet(
            f"color: rgb{NOTICE_COLOUR}; background: rgb{CANVAS_BACKGROUND}; padding: 4px 6px;"
        )
        self.weights_notice.setToolTip(
            "Only trained weights read digits: random or edited weights give probabilities that look just as sure"
        )
        self.weights_notice.hide()

        self.plot = pg.PlotWidget(background=CANVAS_BACKGROUND)
        self.plot.setToolTip("Softmax probability of each class for the current image; the most likely one is orange")
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.setMinimumHeight(120)  # the bars stay readable when the notice takes two lines
        self.plot.setMenuEnabled(False)
        self.plot.hideButtons()
        self.plot.getPlotItem().layout.setContentsMargins(4, 8, 14, 4)
        self.plot.setYRange(-0.045, 1.045, padding=0)
        self.plot.showGrid(y=True, alpha=0.25)
        self.follow_text_zoom()
        self.plot.getAxis("left").setTicks([[(v, f"{v:g}") for v in (0, 0.25, 0.5, 0.75, 1)]])
        self.bars = pg.BarGraphItem(x=np.arange(10), height=np.zeros(10), width=0.7, brush=BAR_COLOUR, pen=None)
        self.plot.addItem(self.bars)
        self._classes = 0
        self.class_ticks: list[tuple[int, str]] = []  # the labelled classes on the x axis
        self._set_class_count(10)

        chart = QWidget()
        chart_layout = QVBoxLayout(chart)
        chart_layout.setContentsMargins(0, 0, 0, 0)
        chart_layout.setSpacing(0)
        chart_layout.addWidget(self.weights_notice)
        chart_layout.addWidget(self.headline)
        chart_layout.addWidget(self.plot, 1)

        self.hint = QLabel(NO_DENSE_HINT)
        self.hint.setWordWrap(True)
        self.hint.setAlignment(Qt.AlignmentFlag.AlignCenter)
        keep_font(self.hint, 16)
        self.hint.setToolTip("Class probabilities need a pipeline whose last layer is dense")
        self.hint.setMargin(12)

        self._stack = QStackedLayout(self)
        self._stack.addWidget(chart)
        self._stack.addWidget(self.hint)

        document.result_ready.connect(self.show_result)
        document.weights_notice_changed.connect(self.show_weights_status)
        self.show_weights_status()
        if document.latest is not None:
            self.show_result(document.latest)

    def follow_text_zoom(self) -> None:
        letter_axes(self.plot, {"left": "probability", "bottom": "class"}, AXIS_PX, TEXT_COLOUR)

    def show_weights_status(self) -> None:
        """Say plainly when the weights are untrained or changed since training; nothing when trained."""
        text = self.document.weights_notice()
        self.weights_notice.setText(text)
        self.weights_notice.setVisible(bool(text))

    def weights_notice_text(self) -> str:
        """The notice above the chart, or "" when none is shown (the weights are the trained ones)."""
        return self.weights_notice.text() if not self.weights_notice.isHidden() else ""

    @property
    def showing_hint(self) -> bool:
        """True when the hint, not the chart, is shown."""
        return self._stack.currentWidget() is self.hint

    def show_result(self, result: ForwardResult) -> None:
        """Update the bars and the headline from ``result`` (or show why there is nothing to show)."""
        probabilities = result.probabilities
        if probabilities is None or not np.isfinite(probabilities).all():
            self.probabilities, self.top_class = None, None
            self.hint.setText(NO_DENSE_HINT if probabilities is None else NOT_FINITE_HINT)
            self._stack.setCurrentWidget(self.hint)
            return
        probabilities = np.asarray(probabilities, dtype=np.float64).ravel()
        self._set_class_count(len(probabilities))
        top = int(np.argmax(probabilities))
        brushes = [BAR_COLOUR] * len(probabilities)
        brushes[top] = TOP_COLOUR
        self.bars.setOpts(height=probabilities, brushes=[pg.mkBrush(colour) for colour in brushes])
        self.headline.setText(headline_text(probabilities))
        self.probabilities, self.top_class = probabilities, top
        self._stack.setCurrentIndex(0)

    def bar_colour(self, index: int) -> QColor:
        """The fill colour of class ``index``'s bar."""
        return self.bars.opts["brushes"][index].color()

    def _set_class_count(self, count: int) -> None:
        if count == self._classes:
            return
        self._classes = count
        positions = np.arange(count)
        brushes = [pg.mkBrush(BAR_COLOUR)] * count
        self.bars.setOpts(x=positions, height=np.zeros(count), width=0.7, brushes=brushes)
        step = 1 if count <= 20 else int(np.ceil(count / 20))
        self.class_ticks = [(i, str(i)) for i in range(0, count, step)]
        self.plot.getAxis("bottom").setTicks([self.class_ticks])
        self.plot.setXRange(-0.6, count - 0.4, padding=0)
