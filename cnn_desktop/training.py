"""Mini-batch training of a :class:`~cnn_desktop.engine.Network` on digit images: the one loop the
command line and the app's background trainer both run.

Qt-free and blocking. Progress is reported through two optional callbacks, ``on_batch`` and
``on_epoch``, each called in the training thread with a :class:`TrainEvent` (a small frozen,
picklable dataclass: safe to pass to a GUI thread or through a multiprocessing queue). Another
thread (or process) pauses, resumes and stops the loop through a :class:`TrainingControl`.

One run, step by step:

* every epoch visits the training images once, in a new random order (a seeded generator), in
  mini-batches of ``batch_size`` (the last one may be smaller);
* with ``augment`` each image of a batch is shifted by a random whole number of pixels, up to
  ``max_shift`` in each direction, the uncovered border filled with background (0);
* the learning rate follows ``schedule`` over all the steps of the run (see :func:`scheduled_lr`);
* the optimiser (SGD with momentum, or Adam) updates ``net.params`` in place;
* after every epoch the network is evaluated on the test images, in batches: the test loss and
  accuracy go into the epoch event (:func:`cnn_desktop.evaluation.loss_and_accuracy`).

Same network, data, config and seed: bit-for-bit the same weights at the end (pausing changes
nothing). A NaN or infinite loss or weight stops the run with status ``"diverged"`` and the
weights of the last finite step put back (see :class:`TrainResult`).

The settings live in ``training_config``, the events, result and control in ``training_progress``,
the evaluation in ``evaluation``; this module is the loop, and the one place to import them from.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from .engine import OPTIMISERS, Network
from .evaluation import _as_batch, _as_labels, confusion_matrix, evaluate, loss_and_accuracy, predict_classes
from .image_ops import shift_images
from .training_config import DEFAULT_LR, SCHEDULES, TrainConfig, scheduled_lr
from .training_progress import TrainEvent, TrainingControl, TrainResult

__all__ = [
    "DEFAULT_LR",
    "SCHEDULES",
    "TrainConfig",
    "TrainEvent",
    "TrainResult",
    "TrainingControl",
    "confusion_matrix",
    "default_model_path",
    "evaluate",
    "loss_and_accuracy",
    "predict_classes",
    "scheduled_lr",
    "shift_images",
    "train",
]

EventCallback = Callable[[TrainEvent], None]


def default_model_path() -> Path:
    """Where the command line saves a trained model unless told otherwise (and where ``eval``
    looks for one): ``<user data dir>/cnn-desktop/models/mnist-cnn.npz``, e.g.
    ``~/.local/share/cnn-desktop/models/mnist-cnn.npz`` on Linux. The folder may not exist yet."""
    import platformdirs

    return Path(platformdirs.user_data_dir("cnn-desktop")) / "models" / "mnist-cnn.npz"


def _random_shifts(rng: np.random.Generator, count: int, max_shift: int) -> np.ndarray:
    return rng.integers(-max_shift, max_shift + 1, size=(count, 2))


def _all_finite(params: dict[str, np.ndarray]) -> bool:
    return all(bool(np.isfinite(array).all()) for array in params.values())


def _make_optimiser(net: Network, config: TrainConfig):
    cls = OPTIMISERS[config.optimiser]
    if config.optimiser == "sgd":
        return cls(net.params, lr=config.peak_lr, momentum=config.momentum)
    return cls(net.params, lr=config.peak_lr)


class _Clock:
    """Seconds of training, not counting time spent paused."""

    def __init__(self) -> None:
        self.start = time.perf_counter()
        self.paused = 0.0

    def elapsed(self) -> float:
        return time.perf_counter() - self.start - self.paused

    def wait(self, control: TrainingControl | None) -> bool:
        if control is None:
            return True
        before = time.perf_counter()
        go_on = control.checkpoint()
        self.paused += time.perf_counter() - before
        return go_on


def train(
    net: Network,
    train_images: np.ndarray,
    train_labels: np.ndarray,
    test_images: np.ndarray | None = None,
    test_labels: np.ndarray | None = None,
    config: TrainConfig | None = None,
    *,
    on_batch: EventCallback | None = None,
    on_epoch: EventCallback | None = None,
    control: TrainingControl | None = None,
) -> TrainResult:
    """Train ``net`` in place; see the module docstring for what a run does.

    ``train_images`` / ``test_images`` are (N, 28, 28) or (N, 1, 28, 28) in [0, 1] (any shape the
    network takes), labels int class indices. Without test images no evaluation is done.
    ``on_batch`` and ``on_epoch`` run in the calling thread between steps; they may read the
    network (e.g. ``net.copy()`` for a live view) but should be quick. The loop calls
    ``control.checkpoint()`` (where it pauses) only before each training step, so a control may
    safely change the weights there; evaluation only checks ``control.stop_requested`` between
    its batches. Weights changed between steps (by a callback or the control) are checked for
    NaN and become the "last good" weights a divergence restores.

    Raises ValueError for inconsistent data; returns a :class:`TrainResult` otherwise (also when
    stopped or diverged: check ``result.status``). NumPy's overflow warnings are silenced during
    the run: non-finite values are detected and reported through the result instead.
    """
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        return _train(net, train_images, train_labels, test_images, test_labels, config, on_batch, on_epoch, control)


def _train(
    net: Network,
    train_images: np.ndarray,
    train_labels: np.ndarray,
    test_images: np.ndarray | None,
    test_labels: np.ndarray | None,
    config: TrainConfig | None,
    on_batch: EventCallback | None,
    on_epoch: EventCallback | None,
    control: TrainingControl | None,
) -> TrainResult:
    config = config or TrainConfig()
    x_train = _as_batch(net, train_images)
    y_train = _as_labels(train_labels, x_train.shape[0])
    if x_train.shape[0] == 0:
        raise ValueError("no training images")
    classes = int(np.prod(net.output_shape))
    if y_train.min() < 0 or y_train.max() >= classes:
        raise ValueError(f"training labels must be classes 0 to {classes - 1} (the network has {classes} outputs)")
    has_test = test_images is not None and test_labels is not None
    if has_test:
        x_test = _as_batch(net, test_images)
        y_test = _as_labels(test_labels, x_test.shape[0])
        has_test = x_test.shape[0] > 0

    rng = np.random.default_rng(config.seed)
    optimiser = _make_optimiser(net, config)
    count = x_train.shape[0]
    batches = math.ceil(count / config.batch_size)
    total_steps = config.epochs * batches
    clock = _Clock()
    history: list[TrainEvent] = []
    test_accuracy: float | None = None
    test_loss: float | None = None
    epoch_loss = epoch_acc = None
    steps_done = 0
    lr = scheduled_lr(config, 0, total_steps)

    def result(status: str, message: str) -> TrainResult:
        return TrainResult(
            status, message, len(history), steps_done, test_accuracy, epoch_acc, clock.elapsed(), history, test_loss
        )

    if not _all_finite(net.params):
        return result("diverged", "the network's weights hold NaN or infinite values before training started")
    good = {name: array.copy() for name, array in net.params.items()}

    def keep_good() -> None:
        for name, array in net.params.items():
            np.copyto(good[name], array)

    def diverged(epoch: int, batch: int, what: str, by_training: bool = True) -> TrainResult:
        for name, array in net.params.items():
            np.copyto(array, good[name])
        hint = f" (is the learning rate {lr:.3g} too high?)" if by_training else ""
        message = (
            f"training diverged at epoch {epoch}, batch {batch}: {what} became NaN or infinite{hint}; "
            "the last good weights were restored"
        )
        return result("diverged", message)

    def eta() -> float | None:
        if steps_done == 0:
            return None
        return clock.elapsed() / steps_done * (total_steps - steps_done)

    def event(kind: str, epoch: int, batch: int) -> TrainEvent:
        return TrainEvent(
            kind,
            epoch,
            config.epochs,
            batch,
            batches,
            epoch_loss,
            epoch_acc,
            test_accuracy,
            clock.elapsed(),
            eta(),
            lr,
            test_loss,
        )

    for epoch in range(1, config.epochs + 1):
        order = rng.permutation(count)
        loss_sum = 0.0
        correct = seen = 0
        for batch in range(1, batches + 1):
            if not clock.wait(control):
                return result("stopped", f"stopped by request during epoch {epoch}")
            # The weights may have been changed since the last step (by a callback, or by a
            # control at its checkpoint): check them and keep them as the last good ones.
            if not _all_finite(net.params):
                return diverged(epoch, batch, "a weight", by_training=False)
            keep_good()
            index = order[(batch - 1) * config.batch_size : batch * config.batch_size]
            x = x_train[index]
            if config.augment and config.max_shift > 0:
                x = shift_images(x, _random_shifts(rng, len(index), config.max_shift))
            labels = y_train[index]
            lr = scheduled_lr(config, steps_done, total_steps)
            optimiser.lr = lr

            loss, grads, logits = net.forward_backward(x, labels)
            if not math.isfinite(loss):
                return diverged(epoch, batch, "the loss")
            optimiser.step(grads)
            if not _all_finite(net.params):
                return diverged(epoch, batch, "a weight" if _all_finite(grads) else "a gradient")
            keep_good()
            steps_done += 1

            loss_sum += loss * len(index)
            correct += int(np.count_nonzero(logits.argmax(axis=1) == labels))
            seen += len(index)
            epoch_loss, epoch_acc = loss_sum / seen, correct / seen
            if on_batch is not None:
                on_batch(event("batch", epoch, batch))

        if has_test:
            stop_requested = None if control is None else lambda: control.stop_requested
            score = loss_and_accuracy(net, x_test, y_test, config.eval_batch_size, stop_requested)
            if score is None:
                return result("stopped", f"stopped by request while testing after epoch {epoch}")
            test_loss, test_accuracy = score.loss, score.accuracy
        done = event("epoch", epoch, batches)
        history.append(done)
        if on_epoch is not None:
            on_epoch(done)

    return result("finished", f"finished {config.epochs} epochs")
