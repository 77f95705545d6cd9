"""One training run on its own copy of the network, driven from the UI thread (Qt-free).

:class:`TrainingJob` wraps :func:`cnn_desktop.training.train`: :meth:`TrainingJob.run` is called in
a worker thread (see ``workers.BackgroundTask``), and its callbacks only *stash* what the UI needs
under a lock: new curve points (cheap floats) and the newest copy of the weights, copied at most
every ``WEIGHTS_INTERVAL`` seconds. The UI calls :meth:`TrainingJob.take` from a timer about ten
times a second and gets everything new since the last call, so however fast the batches come,
the UI does a bounded amount of work and never sees the trainer's own arrays.

Pause / resume / stop go through a :class:`~cnn_desktop.training.TrainingControl`; resuming may
hand over new weights (the user's edits made while paused), which the trainer copies into its
network at its next checkpoint, i.e. between two steps, never in the middle of one.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass, field

import numpy as np

from .engine import Network
from .state.foreground import Foreground, lower_this_thread
from .training import TrainConfig, TrainEvent, TrainingControl, TrainResult, loss_and_accuracy, train

#: Seconds between two weight copies handed to the UI (the UI polls every 0.1 s). Each copy the UI
#: takes costs a forward pass and a redraw of every view; an edit that lands during one waits for
#: it, so four a second instead of ten took the while-training p95 of edit-to-redraw from 25 to 19 ms.
WEIGHTS_INTERVAL = 0.25

#: Train-curve points per epoch at most (more batches are thinned out; the curve is smoothed anyway).
POINTS_PER_EPOCH = 100


@dataclass(frozen=True)
class CurvePoint:
    """One point of a learning curve.

    ``split`` is ``"train"`` (smoothed over the last batches) or ``"test"`` (the whole test split,
    once before training and after every epoch); ``epoch`` is the x position in epochs done
    (fractional for train points); ``loss`` is the mean cross-entropy, ``accuracy`` 0 to 1.
    """

    split: str
    epoch: float
    loss: float
    accuracy: float


@dataclass
class TrainingUpdate:
    """What happened since the last :meth:`TrainingJob.take`: new points, newest event and weights.

    ``params`` is None when no new weights were copied since the last take; otherwise a dict of
    fresh arrays the receiver owns.
    """

    points: list[CurvePoint] = field(default_factory=list)
    event: TrainEvent | None = None
    params: dict[str, np.ndarray] | None = None


class ResumableControl(TrainingControl):
    """A training control whose :meth:`resume` may carry weights to continue from.

    The weights are written into the trainer's network by the training thread itself at its next
    checkpoint (between two steps), so no step ever sees half-old, half-new weights.
    """

    def __init__(self, network: Network) -> None:
        super().__init__()
        self._network = network
        self._lock = threading.Lock()
        self._pending: dict[str, np.ndarray] | None = None

    def resume_with(self, params: dict[str, np.ndarray] | None) -> None:
        """Resume; with ``params`` (same names and shapes as the network's) continue from them."""
        with self._lock:
            self._pending = params
        self.resume()

    def checkpoint(self) -> bool:
        go_on = super().checkpoint()
        with self._lock:
            pending, self._pending = self._pending, None
        if pending is not None and go_on:
            for name, array in self._network.params.items():
                if name in pending and pending[name].shape == array.shape:
                    np.copyto(array, pending[name])
        return go_on


class TrainingJob:
    """A training run on a private copy of ``network``; the UI only ever receives copies.

    ``train_images`` (N, 28, 28) float32 and ``train_labels`` (N,) int; the same for the test split
    (read-only arrays are fine: they are never written). Call :meth:`run` in a worker thread.
    Between two steps the run waits while ``foreground`` is busy (an edit's redraw on its way).
    """

    def __init__(
        self,
        network: Network,
        train_images: np.ndarray,
        train_labels: np.ndarray,
        test_images: np.ndarray,
        test_labels: np.ndarray,
        config: TrainConfig,
        foreground: Foreground | None = None,
    ) -> None:
        self.network = network.copy()  # the trainer's own: nobody else touches it while it runs
        self.spec = [dict(entry) for entry in network.spec]
        self.input_shape = network.input_shape
        self.config = config
        self.control = ResumableControl(self.network)
        self.foreground = foreground or Foreground()
        self._data = (train_images, train_labels, test_images, test_labels)
        self._lock = threading.Lock()
        self._points: list[CurvePoint] = []
        self._event: TrainEvent | None = None
        self._params: dict[str, np.ndarray] | None = None
        self._last_copy = -math.inf
        # per-batch values recovered from the epoch's running means, then smoothed
        self._sums = (0.0, 0.0, 0)  # loss sum, correct count, images seen this epoch
        self._smooth: tuple[float, float] | None = None
        batches = max(1, math.ceil(len(train_images) / config.batch_size))
        window = min(50, max(1, batches // 10))
        self._alpha = 2.0 / (window + 1)
        self._stride = max(1, batches // POINTS_PER_EPOCH)

    # ----- UI thread
    def take(self) -> TrainingUpdate:
        """Everything new since the last call (cheap: swaps a few references under the lock)."""
        with self._lock:
            update = TrainingUpdate(self._points, self._event, self._params)
            self._points, self._params = [], None
        return update

    def pause(self) -> None:
        self.control.pause()

    def resume(self, params: dict[str, np.ndarray] | None = None) -> None:
        """Go on; with ``params`` (copies the job may keep) continue from those weights."""
        self.control.resume_with(params)

    def stop(self) -> None:
        self.control.stop()

    def fits(self, network: Network) -> bool:
        """True when ``network`` has the same pipeline and input as the one being trained."""
        return network.input_shape == self.input_shape and network.spec == self.spec

    # ----- worker thread
    def run_in_background(self) -> TrainResult:
        """:meth:`run` in a thread of its own that keeps a lower priority than the UI thread's, for good.

        Under load, it took the while-training p95 of edit-to-redraw from 20 to 10 ms (4 interleaved rounds).
        """
        lower_this_thread()
        return self.run()

    def run(self) -> TrainResult:
        """Train (blocking); returns how the run ended. The final weights are left for :meth:`take`."""
        train_images, train_labels, test_images, test_labels = self._data
        batch, control = self.config.eval_batch_size, self.control
        with np.errstate(all="ignore"):
            start = loss_and_accuracy(self.network, test_images, test_labels, batch, lambda: control.stop_requested)
        if start is not None:
            self._add_point(CurvePoint("test", 0.0, start.loss, start.accuracy))
        try:
            return train(
                self.network,
                train_images,
                train_labels,
                test_images,
                test_labels,
                self.config,
                on_batch=self._on_batch,
                on_epoch=self._on_epoch,
                control=self.control,
            )
        finally:
            self._copy_params()

    def _add_point(self, point: CurvePoint) -> None:
        with self._lock:
            self._points.append(point)

    def _copy_params(self) -> None:
        params = {name: array.copy() for name, array in self.network.params.items()}
        with self._lock:
            self._params = params
        self._last_copy = time.perf_counter()

    def _on_batch(self, event: TrainEvent) -> None:
        count = len(self._data[0])
        if event.batch == 1:
            self._sums = (0.0, 0.0, 0)
        loss_sum, correct_sum, seen_before = self._sums
        seen = min(event.batch * self.config.batch_size, count)
        size = max(1, seen - seen_before)
        batch_loss = (event.loss * seen - loss_sum) / size
        batch_accuracy = (event.train_accuracy * seen - correct_sum) / size
        self._sums = (event.loss * seen, event.train_accuracy * seen, seen)
        if self._smooth is None:
            self._smooth = (batch_loss, batch_accuracy)
        else:
            a = self._alpha
            self._smooth = (
                a * batch_loss + (1 - a) * self._smooth[0],
                a * batch_accuracy + (1 - a) * self._smooth[1],
            )
        point = None
        if event.step % self._stride == 0 or event.batch == event.batches_per_epoch:
            x = event.step / event.batches_per_epoch
            point = CurvePoint("train", x, self._smooth[0], min(1.0, max(0.0, self._smooth[1])))
        with self._lock:
            self._event = event
            if point is not None:
                self._points.append(point)
        if time.perf_counter() - self._last_copy >= WEIGHTS_INTERVAL:
            self._copy_params()
        self.foreground.step_aside()

    def _on_epoch(self, event: TrainEvent) -> None:
        """The test point of the epoch: the loss and accuracy train() measured for the event."""
        with self._lock:
            self._event = event
            if event.test_loss is not None and event.test_accuracy is not None:
                self._points.append(CurvePoint("test", float(event.epoch), event.test_loss, event.test_accuracy))
        self._copy_params()
