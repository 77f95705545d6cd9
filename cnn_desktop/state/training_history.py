"""What a training run leaves to see: its learning curves, how it ended, and its confusion matrix.

Qt-free and saved with a session, so a reopened trained session shows the curves, the verdict
("Finished: test accuracy 92.4%") and the matrix it had instead of "Ready: press Start to train".
:meth:`TrainingHistory.from_json` is the one check of a saved history: anything malformed raises
:class:`TrainingHistoryError` with one line before anything is shown.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..training_job import CurvePoint

CLASSES = 10
SPLITS = ("train", "test")
MAX_POINTS = 200_000
MAX_EPOCHS = 10_000
MAX_STATUS_CHARS = 300
MAX_TEST_DIGITS = 100_000


class TrainingHistoryError(ValueError):
    """A saved training history that cannot be shown; the message is one line."""


@dataclass(frozen=True)
class TrainingHistory:
    """The record of the last training run of a session's network."""

    epochs: int
    """Epochs the run was set to: the curves' x axis spans 0 to ``epochs``."""
    points: tuple[CurvePoint, ...] = ()
    """Every learning-curve point drawn, train and test, in the order they came."""
    status: str = ""
    """The verdict shown in the progress bar, e.g. ``"Finished: test accuracy 92.4%"``."""
    progress: float = 0.0
    """How far the run got, 0 to 1 (the progress bar)."""
    digit_set: str | None = None
    """Which digits the run used (``"bundled"``, ``"full"`` or a folder): the matrix counts their test split."""
    confusion: np.ndarray | None = None
    """(10, 10) int64 counts of test digits, rows the true class, columns the predicted one."""
    predictions: np.ndarray | None = None
    """(N,) int64 predicted class of every test digit, so that a cell can list its digits again."""

    def __post_init__(self) -> None:
        self.check()

    def check(self) -> None:
        """Raise :class:`TrainingHistoryError` unless every field holds a value of its kind."""
        if not (_is_int(self.epochs) and 1 <= self.epochs <= MAX_EPOCHS):
            raise TrainingHistoryError(f"the epoch count must be 1 to {MAX_EPOCHS}, not {self.epochs!r}")
        if len(self.points) > MAX_POINTS:
            raise TrainingHistoryError(f"at most {MAX_POINTS} curve points, not {len(self.points)}")
        for point in self.points:
            if not isinstance(point, CurvePoint) or point.split not in SPLITS:
                raise TrainingHistoryError(f"a curve point must be a train or test CurvePoint, not {point!r}")
        if not isinstance(self.status, str) or len(self.status) > MAX_STATUS_CHARS:
            raise TrainingHistoryError(f"the status must be text of at most {MAX_STATUS_CHARS} characters")
        if not (_is_number(self.progress) and 0 <= self.progress <= 1):
            raise TrainingHistoryError(f"the progress must be 0 to 1, not {self.progress!r}")
        if self.digit_set is not None and not (isinstance(self.digit_set, str) and self.digit_set):
            raise TrainingHistoryError(f"the digit set must be a name or null, not {self.digit_set!r}")
        if (self.confusion is None) != (self.predictions is None):
            raise TrainingHistoryError("a confusion matrix needs its predictions, and predictions their matrix")
        if self.confusion is None:
            return
        matrix, predictions = self.confusion, self.predictions
        if matrix.shape != (CLASSES, CLASSES) or matrix.dtype.kind != "i" or (matrix < 0).any():
            raise TrainingHistoryError(f"the confusion matrix must be {CLASSES}x{CLASSES} counts")
        if predictions.ndim != 1 or predictions.dtype.kind != "i" or len(predictions) > MAX_TEST_DIGITS:
            raise TrainingHistoryError("the predictions must be a list of classes")
        if len(predictions) and not (0 <= predictions.min() and predictions.max() < CLASSES):
            raise TrainingHistoryError(f"every prediction must be a class 0 to {CLASSES - 1}")
        if int(matrix.sum()) != len(predictions) or not np.array_equal(
            matrix.sum(axis=0), np.bincount(predictions, minlength=CLASSES)
        ):
            raise TrainingHistoryError("the confusion matrix does not match the predictions")

    def split_points(self, split: str) -> list[CurvePoint]:
        """The points of the ``"train"`` or ``"test"`` curve, in order."""
        return [point for point in self.points if point.split == split]

    # ----- saving
    def to_json(self) -> dict[str, Any]:
        """A plain JSON object (non-finite losses become null) that :meth:`from_json` reads back."""
        return {
            "epochs": self.epochs,
            "points": [[p.split, p.epoch, _finite_or_none(p.loss), _finite_or_none(p.accuracy)] for p in self.points],
            "status": self.status,
            "progress": self.progress,
            "digit_set": self.digit_set,
            "confusion": None if self.confusion is None else self.confusion.tolist(),
            "predictions": None if self.predictions is None else self.predictions.tolist(),
        }

    @classmethod
    def from_json(cls, raw: Any) -> TrainingHistory:
        """The history saved by :meth:`to_json`; :class:`TrainingHistoryError` for anything malformed."""
        if not isinstance(raw, Mapping):
            raise TrainingHistoryError(f"the training history must be a JSON object, not {type(raw).__name__}")
        points = raw.get("points", [])
        if not isinstance(points, list):
            raise TrainingHistoryError("the curve points must be a list")
        confusion, predictions = raw.get("confusion"), raw.get("predictions")
        return cls(
            epochs=raw.get("epochs"),
            points=tuple(_point(item) for item in points),
            status=raw.get("status", ""),
            progress=raw.get("progress", 0.0),
            digit_set=raw.get("digit_set"),
            confusion=None if confusion is None else _int_array(confusion, 2, "confusion matrix"),
            predictions=None if predictions is None else _int_array(predictions, 1, "predictions"),
        )


def _point(item: Any) -> CurvePoint:
    if not (isinstance(item, list) and len(item) == 4 and item[0] in SPLITS):
        raise TrainingHistoryError(f"a curve point must be [split, epoch, loss, accuracy], not {item!r}")
    split, epoch, loss, accuracy = item
    if not (_is_number(epoch) and math.isfinite(epoch) and epoch >= 0):
        raise TrainingHistoryError(f"a curve point's epoch must be a number from 0, not {epoch!r}")
    for value in (loss, accuracy):
        if value is not None and not _is_number(value):
            raise TrainingHistoryError(f"a curve point's loss and accuracy must be numbers or null, not {value!r}")
    nan = float("nan")
    return CurvePoint(
        split, float(epoch), nan if loss is None else float(loss), nan if accuracy is None else float(accuracy)
    )


def _int_array(value: Any, ndim: int, what: str) -> np.ndarray:
    """``value`` (nested lists of plain ints) as an int64 array of ``ndim`` dimensions."""
    rows = value if ndim == 2 and isinstance(value, list) else [value]
    if not all(isinstance(row, list) and all(_is_int(v) for v in row) for row in rows):
        raise TrainingHistoryError(f"the {what} must hold whole numbers only")
    try:
        array = np.array(value, dtype=np.int64)
    except (ValueError, OverflowError):
        raise TrainingHistoryError(f"the {what} is damaged") from None
    if array.ndim != ndim:
        raise TrainingHistoryError(f"the {what} has the wrong shape {array.shape}")
    return array


def _finite_or_none(value: float) -> float | None:
    return float(value) if math.isfinite(value) else None


def _is_int(value: Any) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)
