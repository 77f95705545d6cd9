"""The "Two inputs" panel: the current image beside a shifted copy, stage by stage.

A table says per layer how much its output changed, raw and after undoing the shift where the
geometry allows; below it one channel of the chosen layer is shown for both inputs and their
difference. So a student sees the conv maps move with the input (no change once the shift is
undone) while the pooled maps and the class scores change less.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...compute import ForwardResult
from ...engine import Network
from ...insight import DEFAULT_SHIFT, StageChange, compare_activations, image_stages, shifted
from ..colours import DEFAULT_DIVERGING, symmetric_level
from ..document import SessionDocument
from ..workers import BackgroundTask
from .latest_task import LatestTask
from .pictures import diverging_rgba, pixmap_of

MAP_SIDE = 120
"""Pixels on screen for the longer side of each of the three maps."""


@dataclass(frozen=True)
class Comparison:
    """Both inputs' stages (``[image] + outputs``), the shift between them and the changes per stage."""

    network: Network
    shift: tuple[int, int]
    stages_a: list[np.ndarray]
    stages_b: list[np.ndarray]
    changes: list[StageChange]


def compare_shifted(request: tuple[Network, np.ndarray, tuple[int, int]]) -> Comparison:
    """The comparison of ``image`` with itself shifted by ``shift`` (runs in the background)."""
    network, image, shift = request
    stages_a, stages_b = image_stages(network, image), image_stages(network, shifted(image, shift))
    return Comparison(network, shift, stages_a, stages_b, compare_activations(network, stages_a, stages_b, shift))


def percent(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.1f}%"


def as_map(values: np.ndarray, channel: int) -> np.ndarray:
    """One channel (H, W) of an image stage, or a flat stage as a one-row strip."""
    return values[min(channel, values.shape[0] - 1)] if values.ndim == 3 else values[None]


class ComparePanel(QWidget):
    """Thin view over the newest :class:`Comparison`; computed only while the panel is shown."""

    def __init__(self, document: SessionDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.palette_name = DEFAULT_DIVERGING
        self.comparison: Comparison | None = None
        self.task = LatestTask("compare", compare_shifted, self._finished, self)

        self.down_box, self.right_box = QSpinBox(), QSpinBox()
        for box, value in ((self.down_box, DEFAULT_SHIFT[0]), (self.right_box, DEFAULT_SHIFT[1])):
            box.setRange(-4, 4)
            box.setValue(value)
        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels(["Layer", "Change", "After undoing the shift"])
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.setMinimumWidth(360)
        self.stage_box = QComboBox()
        self.stage_box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.channel_box = QSpinBox()
        self.map_labels = [QLabel() for _ in range(3)]
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.hidden_note = QLabel("The changes are hidden: predict which layers change most, then press R.")
        self.hidden_note.hide()

        controls = QHBoxLayout()
        controls.addWidget(QLabel("Second input: the image moved down"))
        controls.addWidget(self.down_box)
        controls.addWidget(QLabel("and right"))
        controls.addWidget(self.right_box)
        controls.addWidget(QLabel("pixels"))
        controls.addStretch(1)
        chooser = QHBoxLayout()
        for label, widget in (("Show", self.stage_box), ("Channel", self.channel_box)):
            chooser.addWidget(QLabel(label))
            chooser.addWidget(widget)
        chooser.addStretch(1)
        maps = QGridLayout()
        for column, (title, label) in enumerate(zip(("A: current", "B: moved", "B − A"), self.map_labels, strict=True)):
            maps.addWidget(QLabel(title), 0, column)
            maps.addWidget(label, 1, column)
        pictures = QVBoxLayout()
        pictures.addLayout(chooser)
        pictures.addLayout(maps)
        pictures.addStretch(1)
        body = QHBoxLayout()
        body.addWidget(self.table, 1)
        body.addLayout(pictures)
        layout = QVBoxLayout(self)
        layout.addLayout(controls)
        layout.addWidget(self.summary)
        layout.addWidget(self.hidden_note)
        layout.addLayout(body, 1)

        self.down_box.valueChanged.connect(self.request_latest)
        self.right_box.valueChanged.connect(self.request_latest)
        self.stage_box.currentIndexChanged.connect(self._stage_chosen)
        self.channel_box.valueChanged.connect(self.draw_maps)
        document.result_ready.connect(self.request)

    def set_numbers_hidden(self, hidden: bool) -> None:
        """Hide the changes until a lesson reveals them (predict before reveal)."""
        for widget in (self.table, self.summary, *self.map_labels):
            widget.setVisible(not hidden)
        self.hidden_note.setVisible(hidden)

    def shift(self) -> tuple[int, int]:
        return self.down_box.value(), self.right_box.value()

    # ----- requests
    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt's name)
        super().showEvent(event)
        self.request_latest()

    def request_latest(self) -> None:
        if self.document.latest is not None:
            self.request(self.document.latest)

    def request(self, result: ForwardResult) -> None:
        """Compare the newest image with its shifted copy, if anyone can see the answer."""
        if self.isVisible():
            self.task.submit((result.network, result.stages[0], self.shift()))

    def _finished(self, request: object, task: BackgroundTask) -> None:
        if task.error is not None:
            self.summary.setText(f"Could not compare: {task.error}")
            return
        self.show_comparison(task.result)

    # ----- drawing
    def show_comparison(self, comparison: Comparison) -> None:
        network_changed = self.comparison is None or self.comparison.network.spec != comparison.network.spec
        self.comparison = comparison
        net = comparison.network
        self.table.setRowCount(len(comparison.changes))
        for row, change in enumerate(comparison.changes):
            texts = (net.stage_name(change.stage), percent(change.raw_change), percent(change.aligned_change))
            for column, text in enumerate(texts):
                self.table.setItem(row, column, QTableWidgetItem(text))
        if network_changed:
            chosen = self.stage_box.currentData()
            self.stage_box.blockSignals(True)
            self.stage_box.clear()
            for stage in range(len(comparison.changes)):
                self.stage_box.addItem(net.stage_name(stage), stage)
            self.stage_box.setCurrentIndex(
                max(self.stage_box.findData(chosen), 1 if len(comparison.changes) > 1 else 0)
            )
            self.stage_box.blockSignals(False)
            self._stage_chosen()
        else:
            self.draw_maps()
        self.summary.setText(self.summary_text(comparison))

    def _stage_chosen(self) -> None:
        if self.comparison is not None and self.stage_box.currentData() is not None:
            stage = self.stage_box.currentData()
            shape = self.comparison.stages_a[stage].shape
            self.channel_box.setRange(0, shape[0] - 1 if len(shape) == 3 else 0)
        self.draw_maps()

    def draw_maps(self) -> None:
        comparison, stage = self.comparison, self.stage_box.currentData()
        if comparison is None or stage is None:
            return
        channel = self.channel_box.value()
        a = as_map(comparison.stages_a[stage], channel)
        b = as_map(comparison.stages_b[stage], channel)
        difference = b - a
        both = symmetric_level(np.concatenate([a.ravel(), b.ravel()]))
        scale = max(1, MAP_SIDE // max(a.shape))
        for label, values, limit in zip(
            self.map_labels, (a, b, difference), (both, both, symmetric_level(difference)), strict=True
        ):
            label.setPixmap(pixmap_of(diverging_rgba(values, limit, self.palette_name), scale))

    @staticmethod
    def summary_text(comparison: Comparison) -> str:
        """One sentence per claim, with this image's own numbers."""
        changes, net = comparison.changes, comparison.network
        dy, dx = comparison.shift
        moved = [c for c in changes[1:] if c.aligned_change is not None and c.aligned_change < 1e-6]
        parts = [f"B is the image moved {dy} down and {dx} right."]
        if moved:
            names = ", ".join(net.stage_name(c.stage) for c in moved)
            parts.append(f"Undoing the shift, these maps are unchanged (they moved with the input): {names}.")
        last = changes[-1]
        parts.append(f"The output ({net.stage_name(last.stage)}) changed by {percent(last.raw_change)}.")
        scores_a, scores_b = comparison.stages_a[-1], comparison.stages_b[-1]
        if scores_a.ndim == 1 and scores_a.size > 1:  # class scores, not a map
            parts.append(f"Top class: {int(np.argmax(scores_a))} for A, {int(np.argmax(scores_b))} for B.")
        return " ".join(parts)

    def shutdown(self) -> None:
        self.task.shutdown()
