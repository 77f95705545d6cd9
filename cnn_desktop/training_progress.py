"""What a running :func:`cnn_desktop.training.train` reports and how it is steered (Qt-free).

:class:`TrainEvent` is sent after every batch and epoch, :class:`TrainResult` says how the run ended,
and :class:`TrainingControl` pauses, resumes and stops it from another thread or process. Events are
small frozen, picklable dataclasses: safe to pass to a GUI thread or through a multiprocessing queue.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class TrainEvent:
    """Progress of a run, sent after every batch (``kind="batch"``) and epoch (``kind="epoch"``).

    ``epoch`` and ``batch`` count from 1. ``loss`` and ``train_accuracy`` are running means over
    the batches of the current epoch so far (at an epoch event: over the whole epoch, on the
    possibly shifted images). ``test_accuracy`` and ``test_loss`` (mean cross-entropy) are the
    latest evaluation on the test images, None before the first one or without test images.
    ``elapsed`` (seconds, pauses excluded) and ``eta`` (estimated seconds left, None until it can
    be guessed) are wall-clock times. ``lr`` is the learning rate of the latest step.
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
    test_loss: float | None = None

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
    epoch event per completed epoch; ``test_loss`` and ``test_accuracy`` are the last evaluation's.
    """

    status: str
    message: str
    epochs_done: int
    steps_done: int
    test_accuracy: float | None
    train_accuracy: float | None
    elapsed: float
    history: list[TrainEvent] = field(default_factory=list)
    test_loss: float | None = None

    @property
    def finished(self) -> bool:
        return self.status == "finished"

    @property
    def diverged(self) -> bool:
        return self.status == "diverged"
