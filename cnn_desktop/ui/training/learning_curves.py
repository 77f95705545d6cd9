"""Loss and accuracy against epochs, for the training digits and the test digits, drawn live.

The trainer sends :class:`~cnn_desktop.training_job.CurvePoint` s: smoothed training figures
many times an epoch, test figures before training and after each epoch. The plot items are made
once and only get new data. New training points are drawn at most twice a second: each redraw of
the two plots costs the UI thread several milliseconds, which an edit made meanwhile would wait for
(edit-to-redraw p95 while training: 20 ms when the curves followed every 100 ms poll).
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QBoxLayout, QWidget

from ...training_job import CurvePoint
from ..colours import CANVAS_BACKGROUND, DIVERGING
from ..plot_axes import letter_axes

TEXT_COLOUR = (238, 238, 238)
AXIS_PX = 13  # at text zoom 1
CHANCE_PERCENT = 10.0  # accuracy of guessing one of ten classes
TRAIN_POINTS_MS = 500  # new training points wait at most this long to be drawn


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
        self._loss_top = 2.5  # the loss axis's top as set last
        self.accuracy_plot.setYRange(0, 100, padding=0.02)
        self.accuracy_plot.addItem(
            pg.InfiniteLine(pos=CHANCE_PERCENT, angle=0, pen=pg.mkPen((170, 170, 170), width=1, style=Qt.DashLine))
        )
        self.train_loss_curve = self.loss_plot.plot([], [], name="train")
        self.test_loss_curve = self.loss_plot.plot([], [], name="test", symbol="o", symbolSize=7)
        self.train_accuracy_curve = self.accuracy_plot.plot([], [], name="train")
        self.test_accuracy_curve = self.accuracy_plot.plot([], [], name="test", symbol="o", symbolSize=7)
        self._undrawn: set[str] = set()  # splits with points not drawn yet
        self._draw_timer = QTimer(self)
        self._draw_timer.setSingleShot(True)
        self._draw_timer.setInterval(TRAIN_POINTS_MS)
        self._draw_timer.timeout.connect(self.draw_pending)
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
        self._undrawn.clear()
        self._draw_timer.stop()

    def clear(self, epochs: int) -> None:
        """Empty both plots for a new run of ``epochs`` epochs (the x axis spans them all)."""
        self._forget_points()
        self.epochs = epochs
        for curve in (self.train_loss_curve, self.test_loss_curve, self.train_accuracy_curve, self.test_accuracy_curve):
            curve.setData([], [])
        for plot in (self.loss_plot, self.accuracy_plot):
            plot.setXRange(0, epochs, padding=0.02)
        self.loss_plot.setYRange(0, 2.5)
        self._loss_top = 2.5

    def add_points(self, points: list[CurvePoint]) -> None:
        """Append the trainer's newest points: test points (once an epoch) drawn at once, training
        points within :data:`TRAIN_POINTS_MS`."""
        self._curve_points.extend(points)
        for point in points:
            xs, losses, accuracies = self._points[point.split]
            xs.append(point.epoch)
            losses.append(point.loss)
            accuracies.append(100.0 * point.accuracy)
            self._undrawn.add(point.split)
        if "test" in self._undrawn:
            self.draw_pending()
        elif self._undrawn and not self._draw_timer.isActive():
            self._draw_timer.start()

    def draw_pending(self) -> None:
        """Draw every point not drawn yet; the loss axis grows to the largest finite loss (at most 5)."""
        self._draw_timer.stop()
        for split, loss_curve, accuracy_curve in (
            ("train", self.train_loss_curve, self.train_accuracy_curve),
            ("test", self.test_loss_curve, self.test_accuracy_curve),
        ):
            if split in self._undrawn:
                xs, losses, accuracies = self._points[split]
                loss_curve.setData(xs, losses)
                accuracy_curve.setData(xs, accuracies)
        self._undrawn.clear()
        finite = [v for split in ("train", "test") for v in self._points[split][1] if math.isfinite(v)]
        if finite:
            top = max(0.5, min(5.0, max(finite) * 1.05))
            if top != self._loss_top:
                self._loss_top = top
                self.loss_plot.setYRange(0, top, padding=0)

    def points(self) -> list[CurvePoint]:
        """Every point drawn since the last :meth:`clear`, in the order it came."""
        return list(self._curve_points)

    def show_points(self, epochs: int, points: list[CurvePoint]) -> None:
        """Draw a saved run: ``points`` on axes spanning ``epochs`` epochs."""
        self.clear(epochs)
        self.add_points(points)
        self.draw_pending()

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
