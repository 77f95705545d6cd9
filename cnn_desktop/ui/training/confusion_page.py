"""The confusion matrix tab: the document's weights classify the last run's test digits.

The matrix is computed in the background (on a copy of the network) after every run and on
demand (the Update button, e.g. after editing kernels); clicking a cell and then a digit puts
that digit into the image editor.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QBoxLayout, QPushButton, QVBoxLayout, QWidget

from ...data.datasets import Digits
from ...evaluation import confusion_counts, predict_classes
from ..document import SessionDocument
from ..task_poller import TaskPoller
from ..workers import BackgroundTask
from .confusion_view import ConfusionView
from .run_texts import CLASSES, mnist_problem


class ConfusionPage(QWidget):
    """``view`` (the matrix and the digits of a cell) above the ``update_button``."""

    ready = Signal()  # a new matrix is shown
    digit_loaded = Signal(int)  # index of the test digit now in the image editor
    failed = Signal(str)  # why no matrix could be computed

    def __init__(self, document: SessionDocument, tasks: TaskPoller, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.digits: Digits | None = None  # the last run's digits: the matrix uses their test split
        self._tasks = tasks
        self.view = ConfusionView()
        self.update_button = QPushButton("&Update for the current weights")
        self.update_button.setToolTip(
            "Classify the test digits again with the weights shown now (e.g. after editing kernels)"
        )
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.update_button, 0, Qt.AlignmentFlag.AlignRight)
        self.view.digit_chosen.connect(self.load_test_digit)
        self.update_button.clicked.connect(self.recompute)

    def set_direction(self, direction: QBoxLayout.Direction) -> None:
        self.view.set_direction(direction)

    def set_palette(self, name: str) -> None:
        self.view.set_palette(name)

    def recompute(self) -> None:
        """Compute the matrix of the document's weights on the test digits (in the background)."""
        digits = self.digits
        network = self.document.session.network
        if digits is None or "confusion" in self._tasks:
            return
        problem = mnist_problem(network)
        if problem is not None:
            self.failed.emit(f"No confusion matrix: {problem}")
            return
        net = network.copy()

        def compute() -> tuple[np.ndarray, np.ndarray]:
            with np.errstate(all="ignore"):  # huge (diverged) weights: overflowing scores still have an argmax
                predictions = predict_classes(net, digits.test_images)
            return confusion_counts(digits.test_labels, predictions, CLASSES), predictions

        def computed(task: BackgroundTask) -> None:
            if task.error is not None:
                self.failed.emit(f"Cannot compute the confusion matrix: {task.error}")
                return
            matrix, predictions = task.result
            self.view.set_result(matrix, digits.test_labels, predictions, digits.test_images, digits.name)
            self.ready.emit()

        self._tasks.launch("confusion", compute, computed)

    def load_test_digit(self, index: int) -> None:
        """Put test digit ``index`` into the image editor (one undo step) to edit and re-run it."""
        try:
            image, true, predicted = self.view.digit(index)
        except (LookupError, IndexError):
            return
        verdict = "" if true == predicted else f", taken for a {predicted}"
        self.document.edit_image(image, f"Load test digit #{index} (a {true}{verdict})")
        self.digit_loaded.emit(int(index))
