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
* after every epoch the network is evaluated on the test images, in batches.

Same network, data, config and seed: bit-for-bit the same weights at the end (pausing changes
nothing). A NaN or infinite loss or weight stops the run with status ``"diverged"`` and the
weights of the last finite step put back (see :class:`TrainResult`).
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .engine import OPTIMISERS, Network

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
    "predict_classes",
    "scheduled_lr",
    "shift_images",
    "train",
]

#: Learning rate used when :attr:`TrainConfig.lr` is None, per optimiser.
DEFAULT_LR: dict[str, float] = {"sgd": 0.05, "adam": 0.004}

#: Learning-rate schedules :func:`scheduled_lr` knows.
SCHEDULES: tuple[str, ...] = ("cosine", "step", "constant")

EventCallback = Callable[["TrainEvent"], None]


def default_model_path() -> Path:
    """Where the command line saves a trained model unless told otherwise (and where ``eval``
    looks for one): ``<user data dir>/cnn-desktop/models/mnist-cnn.npz``, e.g.
    ``~/.local/share/cnn-desktop/models/mnist-cnn.npz`` on Linux. The folder may not exist yet."""
    import platformdirs

    return Path(platformdirs.user_data_dir("cnn-desktop")) / "models" / "mnist-cnn.npz"


# --------------------------------------------------------------------------------------------
# configuration


@dataclass(frozen=True)
class TrainConfig:
    """Everything that decides a training run.

    The defaults (20 epochs of SGD with momentum 0.9, batches of 32, peak rate 0.05 with a short
    warm-up and cosine decay, shifts of up to 2 pixels) train ``MNIST_SPEC`` to 97.7-98.8% test
    accuracy on the bundled digits (4,000 train / 1,000 test; seeds 0-6) in about 10 seconds on
    two cores.

    * ``epochs``: passes over the training images.
    * ``batch_size``: images per gradient step.
    * ``lr``: peak learning rate; None takes :data:`DEFAULT_LR` for the optimiser.
    * ``optimiser``: ``"adam"`` or ``"sgd"`` (heavy-ball momentum ``momentum``).
    * ``schedule``: ``"cosine"`` (default), ``"step"`` or ``"constant"``; see :func:`scheduled_lr`.
    * ``warmup_steps``: steps over which the rate ramps up linearly from near 0 at the start.
    * ``final_lr_fraction``: the cosine schedule ends at ``lr * final_lr_fraction``.
    * ``augment`` / ``max_shift``: random shifts of each training image by up to ``max_shift``
      pixels in x and y (test images are never shifted).
    * ``seed``: seeds the shuffling and the shifts (the network's initial weights come from
      ``Network.from_spec(..., seed)``, chosen by the caller).
    * ``eval_batch_size``: images per forward pass when evaluating.
    """

    epochs: int = 20
    batch_size: int = 32
    lr: float | None = None
    optimiser: str = "sgd"
    momentum: float = 0.9
    schedule: str = "cosine"
    warmup_steps: int = 50
    final_lr_fraction: float = 0.02
    augment: bool = True
    max_shift: int = 2
    seed: int = 0
    eval_batch_size: int = 500

    def __post_init__(self) -> None:
        def whole(name: str, low: int) -> None:
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
                raise ValueError(f"{name} must be a whole number of at least {low}, got {value!r}")

        whole("epochs", 1)
        whole("batch_size", 1)
        whole("warmup_steps", 0)
        whole("max_shift", 0)
        whole("seed", 0)
        whole("eval_batch_size", 1)
        if self.optimiser not in OPTIMISERS:
            raise ValueError(f"optimiser must be one of {', '.join(sorted(OPTIMISERS))}, got {self.optimiser!r}")
        if self.schedule not in SCHEDULES:
            raise ValueError(f"schedule must be one of {', '.join(SCHEDULES)}, got {self.schedule!r}")
        if self.lr is not None and not (isinstance(self.lr, (int, float)) and math.isfinite(self.lr) and self.lr > 0):
            raise ValueError(f"lr must be a positive number, got {self.lr!r}")
        if not 0 <= self.momentum < 1:
            raise ValueError(f"momentum must be from 0 up to (not including) 1, got {self.momentum!r}")
        if not 0 <= self.final_lr_fraction <= 1:
            raise ValueError(f"final_lr_fraction must be from 0 to 1, got {self.final_lr_fraction!r}")

    @property
    def peak_lr(self) -> float:
        """The learning rate the schedule starts from (after warm-up)."""
        return float(self.lr) if self.lr is not None else DEFAULT_LR[self.optimiser]

    def with_changes(self, **changes: object) -> TrainConfig:
        """A copy with some settings changed (and checked again)."""
        return replace(self, **changes)

    def as_dict(self) -> dict[str, object]:
        """The settings as a plain dict (e.g. to show or store next to a model)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


def scheduled_lr(config: TrainConfig, step: int, total_steps: int) -> float:
    """Learning rate of step ``step`` (0-based) of a run of ``total_steps`` steps.

    * ``"cosine"``: half a cosine from ``peak_lr`` down to ``peak_lr * final_lr_fraction`` at the
      last step. Smooth, no extra settings, and the small final rate settles the weights.
    * ``"step"``: ``peak_lr`` for the first half of the run, a tenth of it until three quarters,
      a hundredth after that.
    * ``"constant"``: ``peak_lr`` throughout.

    In every schedule the first ``warmup_steps`` steps (at most a tenth of the run) ramp linearly
    up to the schedule's value, which keeps the first large, random gradients from doing damage.
    """
    peak = config.peak_lr
    total = max(1, total_steps)
    progress = min(max(step, 0), total - 1) / max(1, total - 1)
    if config.schedule == "cosine":
        low = peak * config.final_lr_fraction
        lr = low + (peak - low) * 0.5 * (1.0 + math.cos(math.pi * progress))
    elif config.schedule == "step":
        lr = peak * (1.0 if progress < 0.5 else 0.1 if progress < 0.75 else 0.01)
    else:
        lr = peak
    warmup = min(config.warmup_steps, total // 10)
    if step < warmup:
        lr *= (step + 1) / (warmup + 1)
    return lr


# --------------------------------------------------------------------------------------------
# events, control and result


@dataclass(frozen=True)
class TrainEvent:
    """Progress of a run, sent after every batch (``kind="batch"``) and epoch (``kind="epoch"``).

    ``epoch`` and ``batch`` count from 1. ``loss`` and ``train_accuracy`` are running means over
    the batches of the current epoch so far (at an epoch event: over the whole epoch, on the
    possibly shifted images). ``test_accuracy`` is the latest test accuracy, None before the
    first evaluation or without test images. ``elapsed`` (seconds, pauses excluded) and ``eta``
    (estimated seconds left, None until it can be guessed) are wall-clock times. ``lr`` is the
    learning rate of the latest step.
    """

    kind: str
    epoch: int
    epochs: int
    batch: int
    batches_per_epoch: int
    loss: float
    train_accuracy: float
    test_accuracy: float | None
    elapsed: float
    eta: float | None
    lr: float

    @property
    def step(self) -> int:
        """Steps done since the start of the run."""
        return (self.epoch - 1) * self.batches_per_epoch + self.batch

    @property
    def total_steps(self) -> int:
        return self.epochs * self.batches_per_epoch

    @property
    def fraction_done(self) -> float:
        """0 to 1: how much of the run is done."""
        return self.step / max(1, self.total_steps)


class TrainingControl:
    """Pause, resume and stop a running :func:`train` from another thread.

    Built on two events, so a paused loop sleeps (no spinning) until resumed or stopped. Pass
    ``event_factory=multiprocessing.get_context(...).Event`` to control a run in another process
    (hand the control to the process when starting it). Stop wins over pause: :meth:`stop` also
    wakes a paused loop, which then ends with status ``"stopped"``.
    """

    def __init__(self, event_factory: Callable[[], threading.Event] = threading.Event) -> None:
        self._running = event_factory()
        self._stopping = event_factory()
        self._running.set()

    def pause(self) -> None:
        self._running.clear()

    def resume(self) -> None:
        self._running.set()

    def stop(self) -> None:
        self._stopping.set()
        self._running.set()

    @property
    def paused(self) -> bool:
        return not self._running.is_set() and not self._stopping.is_set()

    @property
    def stop_requested(self) -> bool:
        return self._stopping.is_set()

    def checkpoint(self) -> bool:
        """Called by the loop between batches: blocks while paused; False when asked to stop."""
        if not self._running.is_set():
            self._running.wait()
        return not self._stopping.is_set()


@dataclass
class TrainResult:
    """How a run ended.

    ``status`` is ``"finished"`` (all epochs done), ``"stopped"`` (through the control; the
    weights are those of the last step taken) or ``"diverged"`` (a NaN or infinite loss or
    weight appeared: the weights of the last step whose weights were all finite are back in the
    network, and ``message`` says where it happened and what to try). ``history`` holds one
    epoch event per completed epoch.
    """

    status: str
    message: str
    epochs_done: int
    steps_done: int
    test_accuracy: float | None
    train_accuracy: float | None
    elapsed: float
    history: list[TrainEvent] = field(default_factory=list)

    @property
    def finished(self) -> bool:
        return self.status == "finished"

    @property
    def diverged(self) -> bool:
        return self.status == "diverged"


# --------------------------------------------------------------------------------------------
# data helpers


def _as_batch(net: Network, images: np.ndarray) -> np.ndarray:
    """``images`` (N, H, W) or (N, C, H, W) as float32 (N, *net.input_shape), a view if possible."""
    images = np.asarray(images, dtype=np.float32)
    if images.ndim == 3:
        images = images[:, None]
    if images.ndim != 4 or images.shape[1:] != net.input_shape:
        want = "x".join(map(str, net.input_shape))
        raise ValueError(f"images of shape {images.shape[1:]} do not fit the network's {want} input")
    return images


def _as_labels(labels: np.ndarray, count: int) -> np.ndarray:
    labels = np.asarray(labels)
    if labels.shape != (count,):
        raise ValueError(f"expected {count} labels, got an array of shape {labels.shape}")
    return labels.astype(np.int64, copy=False)


def shift_images(images: np.ndarray, shifts: np.ndarray) -> np.ndarray:
    """Each image of ``images`` (N, C, H, W) moved by its own ``shifts[i] = (dy, dx)`` pixels.

    Positive ``dy`` moves the content down, positive ``dx`` right; pixels moved in from outside
    are 0 (background). Vectorised: one padded copy and one gather, no loop over images.
    """
    images = np.asarray(images)
    shifts = np.asarray(shifts, dtype=np.int64).reshape(-1, 2)
    n, _, h, w = images.shape
    if shifts.shape[0] != n:
        raise ValueError(f"need one (dy, dx) shift per image: {n} images, {shifts.shape[0]} shifts")
    if n == 0:
        return images.copy()
    reach = int(np.abs(shifts).max())
    if reach == 0:
        return images.copy()
    padded = np.pad(images, ((0, 0), (0, 0), (reach, reach), (reach, reach)))
    # windows[i, c, oy, ox] is the h x w crop starting at (oy, ox) of the padded image: content
    # shifted by (reach - oy, reach - ox).
    windows = sliding_window_view(padded, (h, w), axis=(2, 3))
    rows = np.arange(n)
    crops = windows[rows, :, reach - shifts[:, 0], reach - shifts[:, 1]]
    return np.ascontiguousarray(crops)


def _random_shifts(rng: np.random.Generator, count: int, max_shift: int) -> np.ndarray:
    return rng.integers(-max_shift, max_shift + 1, size=(count, 2))


# --------------------------------------------------------------------------------------------
# evaluation


def predict_classes(net: Network, images: np.ndarray, batch_size: int = 500) -> np.ndarray:
    """The predicted class (int64) of every image, computed in batches of ``batch_size``."""
    x = _as_batch(net, images)
    out = np.empty(x.shape[0], dtype=np.int64)
    for start in range(0, x.shape[0], batch_size):
        logits = net.forward(x[start : start + batch_size])
        out[start : start + batch_size] = logits.reshape(logits.shape[0], -1).argmax(axis=1)
    return out


def evaluate(net: Network, images: np.ndarray, labels: np.ndarray, batch_size: int = 500) -> float:
    """Fraction (0 to 1) of ``images`` whose predicted class is their label; 0.0 for no images."""
    x = _as_batch(net, images)
    labels = _as_labels(labels, x.shape[0])
    if x.shape[0] == 0:
        return 0.0
    return float(np.mean(predict_classes(net, x, batch_size) == labels))


def confusion_matrix(
    net: Network, images: np.ndarray, labels: np.ndarray, num_classes: int = 10, batch_size: int = 500
) -> np.ndarray:
    """(num_classes, num_classes) int64 counts: row = true label, column = predicted class."""
    x = _as_batch(net, images)
    labels = _as_labels(labels, x.shape[0])
    predicted = predict_classes(net, x, batch_size)
    if labels.size and (labels.min() < 0 or labels.max() >= num_classes or predicted.max() >= num_classes):
        raise ValueError(f"labels and predictions must be classes 0 to {num_classes - 1}")
    counts = np.bincount(labels * num_classes + predicted, minlength=num_classes * num_classes)
    return counts.reshape(num_classes, num_classes).astype(np.int64)


# --------------------------------------------------------------------------------------------
# training


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
    epoch_loss = epoch_acc = None
    steps_done = 0
    lr = scheduled_lr(config, 0, total_steps)

    def result(status: str, message: str) -> TrainResult:
        return TrainResult(
            status, message, len(history), steps_done, test_accuracy, epoch_acc, clock.elapsed(), history
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
            kind, epoch, config.epochs, batch, batches, epoch_loss, epoch_acc, test_accuracy, clock.elapsed(), eta(), lr
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
            accuracy = _evaluate_interruptible(net, x_test, y_test, config.eval_batch_size, control)
            if accuracy is None:
                return result("stopped", f"stopped by request while testing after epoch {epoch}")
            test_accuracy = accuracy
        done = event("epoch", epoch, batches)
        history.append(done)
        if on_epoch is not None:
            on_epoch(done)

    return result("finished", f"finished {config.epochs} epochs")


def _evaluate_interruptible(
    net: Network, x: np.ndarray, labels: np.ndarray, batch_size: int, control: TrainingControl | None
) -> float | None:
    """Test accuracy, computed in batches with a stop check between them; None if stopped."""
    correct = 0
    for start in range(0, x.shape[0], batch_size):
        if control is not None and control.stop_requested:
            return None
        logits = net.forward(x[start : start + batch_size])
        predicted = logits.reshape(logits.shape[0], -1).argmax(axis=1)
        correct += int(np.count_nonzero(predicted == labels[start : start + batch_size]))
    return correct / x.shape[0]
