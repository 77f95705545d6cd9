"""Loss and accuracy against epochs, for the training digits and the test digits, drawn live.

The trainer sends :class:`~cnn_desktop.training_job.CurvePoint` s: smoothed training figures
many times an epoch, test figures before training and after each epoch. The plot items are made
once and only get new data, so redrawing ten times a second stays cheap.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QBoxLayout, QWidget

from ...training_job import CurvePoint
from ..colours import CANVAS_BACKGROUND, DIVERGING
from ..plot_axes import letter_axes

TEXT_COLOUR = (238, 238, 238)
AXIS_PX = 13  # at text zoom 1
CHANCE_PERCENT = 10.0  # accuracy of guessing one of ten classes


class LearningCurvesView(QWidget):
    """Two plots, loss above accuracy (%), each with a train curve and a test curve (dots)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._points: dict[str, list[list[float]]] = {}  # split -> [epochs, losses, accuracies in %]
        self._curve_points: list[CurvePoint] = []  # every point drawn, as the trainer sent it
        self.epochs = 1  # the x axis spans 0 to this many epochs
        self.loss_plot = pg.PlotWidget(background=CANVAS_BACKGROUND)
        self.accuracy_plot = pg.PlotWidget(background=CANVAS_BACKGROUND)
        self.loss_plot.setToolTip("Cross-entropy loss: training digits (smoothed) and test digits (after each epoch)")
        self.accuracy_plot.setToolTip(
            "Share of digits classified correctly: training (smoothed) and test; dashed line = chance (10%)"
        )
        for plot, label in ((self.loss_plot, "loss"), (self.accuracy_plot, "accuracy %")):
            plot.setMenuEnabled(False)
            plot.hideButtons()
            plot.setMouseEnabled(x=False, y=False)
            plot.showGrid(x=True, y=True, alpha=0.2)
            plot.getPlotItem().layout.setContentsMargins(2, 4, 10, 2)
            letter_axes(plot, {"left": label, "bottom": "epoch"}, AXIS_PX, TEXT_COLOUR)
            # the loss falls and the accuracy rises: each legend sits where its curves are not
            corner = (-6, 6) if plot is self.loss_plot else (-6, -6)
            plot.addLegend(offset=corner, labelTextColor=TEXT_COLOUR, labelTextSize="11pt")
            plot.setMinimumHeight(100)
        self.loss_plot.setYRange(0, 2.5)
        self.accuracy_plot.setYRange(0, 100, padding=0.02)
        self.accuracy_plot.addItem(
            pg.InfiniteLine(pos=CHANCE_PERCENT, angle=0, pen=pg.mkPen((170, 170, 170), width=1, style=Qt.DashLine))
        )
        self.train_loss_curve = self.loss_plot.plot([], [], name="train")
        self.test_loss_curve = self.loss_plot.plot([], [], name="test", symbol="o", symbolSize=7)
        self.train_accuracy_curve = self.accuracy_plot.plot([], [], name="train")
        self.test_accuracy_curve = self.accuracy_plot.plot([], [], name="test", symbol="o", symbolSize=7)
        self._forget_points()

        self._layout = QBoxLayout(QBoxLayout.Direction.TopToBottom, self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.addWidget(self.loss_plot, 1)
        self._layout.addWidget(self.accuracy_plot, 1)

    def follow_text_zoom(self) -> None:
        for plot, label in ((self.loss_plot, "loss"), (self.accuracy_plot, "accuracy %")):
            letter_axes(plot, {"left": label, "bottom": "epoch"}, AXIS_PX, TEXT_COLOUR)

    def set_direction(self, direction: QBoxLayout.Direction) -> None:
        """Stack the two plots (a tall panel) or put them side by side (a wide, low one)."""
        self._layout.setDirection(direction)

    def _forget_points(self) -> None:
        self._points = {"train": [[], [], []], "test": [[], [], []]}
        self._curve_points = []

    def clear(self, epochs: int) -> None:
        """Empty both plots for a new run of ``epochs`` epochs (the x axis spans them all)."""
        self._forget_points()
        self.epochs = epochs
        for curve in (self.train_loss_curve, self.test_loss_curve, self.train_accuracy_curve, self.test_accuracy_curve):
            curve.setData([], [])
        for plot in (self.loss_plot, self.accuracy_plot):
            plot.setXRange(0, epochs, padding=0.02)
        self.loss_plot.setYRange(0, 2.5)

    def add_points(self, points: list[CurvePoint]) -> None:
        """Append the trainer's newest points; the loss axis grows to the largest finite loss (at most 5)."""
        self._curve_points.extend(points)
        for point in points:
            xs, losses, accuracies = self._points[point.split]
            xs.append(point.epoch)
            losses.append(point.loss)
            accuracies.append(100.0 * point.accuracy)
        for split, loss_curve, accuracy_curve in (
            ("train", self.train_loss_curve, self.train_accuracy_curve),
            ("test", self.test_loss_curve, self.test_accuracy_curve),
        ):
            xs, losses, accuracies = self._points[split]
            loss_curve.setData(xs, losses)
            accuracy_curve.setData(xs, accuracies)
        finite = [v for split in ("train", "test") for v in self._points[split][1] if math.isfinite(v)]
        if finite:
            self.loss_plot.setYRange(0, max(0.5, min(5.0, max(finite) * 1.05)), padding=0)

    def points(self) -> list[CurvePoint]:
        """Every point drawn since the last :meth:`clear`, in the order it came."""
        return list(self._curve_points)

    def show_points(self, epochs: int, points: list[CurvePoint]) -> None:
        """Draw a saved run: ``points`` on axes spanning ``epochs`` epochs."""
        self.clear(epochs)
        self.add_points(points)

    def curve_data(self, split: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(epochs, losses, accuracies in %) of the ``"train"`` or ``"test"`` curves as drawn."""
        xs, losses, accuracies = self._points[split]
        return np.array(xs), np.array(losses), np.array(accuracies)

    def set_palette(self, name: str) -> None:
        """Train curves in the low end of diverging palette ``name``, test curves in its high end."""
        low, _, high = DIVERGING[name]
        self.train_loss_curve.setPen(pg.mkPen(QColor(*low), width=2))
        self.train_accuracy_curve.setPen(pg.mkPen(QColor(*low), width=2))
        for curve in (self.test_loss_curve, self.test_accuracy_curve):
            curve.setPen(pg.mkPen(QColor(*high), width=2))
            curve.setSymbolBrush(QColor(*high))
            curve.setSymbolPen(None)
