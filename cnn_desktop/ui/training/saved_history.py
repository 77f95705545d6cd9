"""Read the training record off the training views, and draw a saved one back onto them.

The record itself is the Qt-free :class:`~cnn_desktop.state.training_history.TrainingHistory`;
these two functions are the only place that knows which widget shows which part of it.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtWidgets import QProgressBar

from ...data.datasets import Digits
from ...state.training_history import CLASSES, TrainingHistory
from .confusion_view import ConfusionView
from .learning_curves import LearningCurvesView

READY = "Ready: press Start to train"
PROGRESS_STEPS = 1000  # the progress bar's range


def history_shown(
    curves: LearningCurvesView,
    confusion: ConfusionView,
    progress: QProgressBar,
    digit_set: str | None,
    running: bool = False,
) -> TrainingHistory | None:
    """What the views show of the last run, or None when nothing was trained (nothing to save).

    A run still ``running`` is saved as interrupted: reopened, it does not claim to be training.
    """
    points = curves.points()
    matrix = confusion.matrix
    if not points and matrix is None:
        return None
    predictions = None if matrix is None else np.asarray(confusion.predictions, np.int64)
    return TrainingHistory(
        epochs=max(1, int(curves.epochs)),
        points=tuple(points),
        status=(f"Saved during training: {progress.format()}" if running else progress.format())[:300],
        progress=progress.value() / PROGRESS_STEPS,
        digit_set=digit_set,
        confusion=None if matrix is None else np.asarray(matrix, np.int64),
        predictions=predictions,
    )


def show_history(
    curves: LearningCurvesView, confusion: ConfusionView, progress: QProgressBar, history: TrainingHistory | None
) -> None:
    """Draw ``history``'s curves and verdict (None: empty, "Ready"); the matrix waits for its digits."""
    confusion.clear()
    if history is None:
        curves.clear(curves.epochs)
        progress.setValue(0)
        progress.setFormat(READY)
        return
    curves.show_points(history.epochs, list(history.points))
    progress.setValue(round(history.progress * PROGRESS_STEPS))
    progress.setFormat(history.status or READY)


def confusion_fits(history: TrainingHistory, digits: Digits) -> bool:
    """True when ``digits``' test split is the one ``history``'s matrix counted (same labels)."""
    labels = np.asarray(digits.test_labels, np.int64)
    if history.confusion is None or len(labels) != len(history.predictions):
        return False
    counts = np.bincount(labels * CLASSES + history.predictions, minlength=CLASSES * CLASSES)
    return np.array_equal(counts.reshape(CLASSES, CLASSES), history.confusion)
