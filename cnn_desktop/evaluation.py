"""How well a network classifies a set of images: predictions, accuracy, loss, confusion (Qt-free).

One pass over the images does it all: :func:`loss_and_accuracy` is the test-set evaluation that
:func:`cnn_desktop.training.train` runs after every epoch and the training job runs once before
training; :func:`evaluate` and :func:`confusion_matrix` answer the command line and the app.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

from .engine import Network, softmax_cross_entropy


def _as_batch(net: Network, images: np.ndarray) -> np.ndarray:
    """``images`` (N, H, W) or (N, C, H, W) as float32 (N, *net.input_shape), a view if possible.

    Grey (N, H, W) digits given to a network of d > 1 input channels are the grey in every channel.
    """
    images = np.asarray(images, dtype=np.float32)
    if images.ndim == 3:
        images = images[:, None]
        if images.shape[2:] == net.input_shape[1:]:
            images = np.broadcast_to(images, (len(images), *net.input_shape))
    if images.ndim != 4 or images.shape[1:] != net.input_shape:
        want = "x".join(map(str, net.input_shape))
        raise ValueError(f"images of shape {images.shape[1:]} do not fit the network's {want} input")
    return images


def _as_labels(labels: np.ndarray, count: int) -> np.ndarray:
    labels = np.asarray(labels)
    if labels.shape != (count,):
        raise ValueError(f"expected {count} labels, got an array of shape {labels.shape}")
    return labels.astype(np.int64, copy=False)


@dataclass(frozen=True)
class Score:
    """How a network did on a set of images: mean cross-entropy ``loss`` and ``accuracy`` (0 to 1)."""

    loss: float
    accuracy: float


def _batched_logits(
    net: Network, x: np.ndarray, batch_size: int, should_stop: Callable[[], bool] | None = None
) -> Iterator[tuple[slice, np.ndarray]]:
    """(rows, logits (n, classes)) of ``x`` batch by batch; stops early when ``should_stop()`` says so."""
    for start in range(0, x.shape[0], batch_size):
        if should_stop is not None and should_stop():
            return
        logits = net.forward(x[start : start + batch_size])
        yield slice(start, start + batch_size), logits.reshape(logits.shape[0], -1)


def predict_classes(net: Network, images: np.ndarray, batch_size: int = 500) -> np.ndarray:
    """The predicted class (int64) of every image, computed in batches of ``batch_size``."""
    x = _as_batch(net, images)
    out = np.empty(x.shape[0], dtype=np.int64)
    for rows, logits in _batched_logits(net, x, batch_size):
        out[rows] = logits.argmax(axis=1)
    return out


def loss_and_accuracy(
    net: Network,
    images: np.ndarray,
    labels: np.ndarray,
    batch_size: int = 500,
    should_stop: Callable[[], bool] | None = None,
) -> Score | None:
    """Mean cross-entropy and accuracy of ``net`` on ``images`` in one pass of batches.

    ``should_stop`` is asked before each batch (a stop request from another thread); returns None
    when it said yes, or when there are no images.
    """
    x = _as_batch(net, images)
    labels = _as_labels(labels, x.shape[0])
    if x.shape[0] == 0:
        return None
    total_loss = 0.0
    correct = done = 0
    for rows, logits in _batched_logits(net, x, batch_size, should_stop):
        truth = labels[rows]
        mean_loss, _ = softmax_cross_entropy(logits.astype(np.float64), truth)
        total_loss += mean_loss * len(truth)
        correct += int(np.count_nonzero(logits.argmax(axis=1) == truth))
        done += len(truth)
    if done < x.shape[0]:
        return None
    return Score(total_loss / done, correct / done)


def evaluate(net: Network, images: np.ndarray, labels: np.ndarray, batch_size: int = 500) -> float:
    """Fraction (0 to 1) of ``images`` whose predicted class is their label; 0.0 for no images."""
    score = loss_and_accuracy(net, images, labels, batch_size)
    return 0.0 if score is None else score.accuracy


def confusion_matrix(
    net: Network, images: np.ndarray, labels: np.ndarray, num_classes: int = 10, batch_size: int = 500
) -> np.ndarray:
    """(num_classes, num_classes) int64 counts: row = true label, column = predicted class."""
    x = _as_batch(net, images)
    labels = _as_labels(labels, x.shape[0])
    predicted = predict_classes(net, x, batch_size)
    if labels.size and (labels.min() < 0 or labels.max() >= num_classes or predicted.max() >= num_classes):
        raise ValueError(f"labels and predictions must be classes 0 to {num_classes - 1}")
    return confusion_counts(labels, predicted, num_classes)


def confusion_counts(labels: np.ndarray, predicted: np.ndarray, num_classes: int = 10) -> np.ndarray:
    """(num_classes, num_classes) int64 counts of (true label, predicted class) pairs, both in range."""
    counts = np.bincount(labels * num_classes + predicted, minlength=num_classes * num_classes)
    return counts.reshape(num_classes, num_classes).astype(np.int64)
