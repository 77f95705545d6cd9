"""Train the network on MNIST inside the app and watch it learn: curves, filters, predictions.

The training loop runs in a background thread (``workers.BackgroundTask`` running a
:class:`~cnn_desktop.training_job.TrainingJob`) on its own copy of the network. Its
callbacks only stash the newest progress and a copy of the weights; the task poller's 100 ms
QTimer takes them (so the UI updates at most ten times a second, whatever the batch rate) and this
panel hands the weights to ``document.adopt_trained_weights``: the feature maps, the kernel editor
and the class probabilities of the image being edited follow the training live.

While training runs, the document's weights are locked (pixel edits stay allowed); pausing
releases the lock so kernels can be edited, and resuming continues from the weights shown.

The parts live in their own modules: the digit source and download (``digit_source``,
``download_section``), the settings form (``training_settings``), the curves
(``learning_curves``) and the filters (``filter_mosaic``); this module runs the training.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QMessageBox,
    QWidget,
)

from ...data.datasets import Digits
from ...engine import TrainingRecord, weights_status
from ...state.digit_library import DigitLibrary
from ...state.digit_ref import DigitRef
from ...state.training_history import TrainingHistory
from ...training import TrainEvent, TrainResult
from ...training_job import TrainingJob
from ..colours import DEFAULT_DIVERGING, DIVERGING
from ..document import SessionDocument
from ..task_poller import TaskPoller
from ..workers import BackgroundTask
from .panel_layout import TrainingPanelLayout
from .run_controls import PROGRESS_STEPS, failure_box, show_message
from .run_texts import (
    READY,
    digits_note,
    ended_texts,
    mnist_problem,
    paused_text,
    progress_text,
    record_description,
    start_problem,
)
from .saved_history import confusion_fits, history_shown, show_history

__all__ = ["LOCK_REASON", "TrainingPanel"]

LOCK_REASON = "Training is running: pause or stop it to edit weights or layers"
SHUTDOWN_SECONDS = 1.0


class TrainingPanel(TrainingPanelLayout, QWidget):
    """Train the document's network on MNIST digits in the background and watch it learn.

    Public API: :meth:`start`, :meth:`pause`, :meth:`resume`, :meth:`stop`, :meth:`reset_weights`,
    :meth:`shutdown` (the main window calls it on close), :meth:`set_palette`,
    :meth:`message`, :attr:`state` (``idle``, ``loading``, ``running``, ``paused``, ``stopping``). The
    parts are public too: ``data_group`` (digit source and download), ``settings_group`` (the
    settings, ``config()``), ``curves``, ``first_filters`` and ``confusion`` (the matrix tab).
    """

    state_changed = Signal(str)
    progress_updated = Signal(object)  # TrainEvent, at most ten times a second
    training_finished = Signal(str)  # "finished", "stopped", "diverged" or "failed"
    confusion_ready = Signal()
    digit_loaded = Signal(int)  # index of the test digit now in the image editor

    def __init__(
        self, document: SessionDocument, digits: DigitLibrary | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.document = document
        self.digits = digits or DigitLibrary()  # the app's digit sets, shared with the image editor
        self.state = "idle"
        self.job: TrainingJob | None = None
        self.result: TrainResult | None = None
        self.last_event: TrainEvent | None = None  # the newest progress received from the trainer
        self.error_dialog: QMessageBox | None = None
        self.message_kind = "info"
        self._tasks = TaskPoller(self)
        self._run_source: str | None = None  # the key of the last run's digits, saved with the session
        self._shown_history: TrainingHistory | None = None  # a saved record whose matrix waits for its digits
        self._adopt = False  # True while trained weights should flow into the document
        self._stop_reason: str | None = None  # why the panel itself stopped the run
        self._run_sizes = (0, 0)  # (training digits, test digits) of the last run, for its record
        self._paused_weights: TrainingRecord | None = None  # fingerprints of the weights when paused

        self._build()
        self._connect()
        self.set_palette(DEFAULT_DIVERGING)
        self._update_controls()

    def _connect(self) -> None:
        self.data_group.download_ended.connect(self._say)
        self.data_group.load_failed.connect(self._digits_failed)
        self.start_button.clicked.connect(self.start)
        self.pause_button.clicked.connect(self.pause)
        self.resume_button.clicked.connect(self.resume)
        self.stop_button.clicked.connect(self.stop)
        self.reset_button.clicked.connect(self.reset_weights)
        self.confusion.ready.connect(self.confusion_ready)
        self.confusion.digit_loaded.connect(self._name_loaded_digit)
        self.confusion.digit_loaded.connect(self.digit_loaded)
        self.confusion.failed.connect(lambda message: self._say(message, "error"))
        self.document.params_changed.connect(self._refresh_filters)
        self.document.spec_changed.connect(self._refresh_filters)

    # ------------------------------------------------------------------ running
    def _name_loaded_digit(self, index: int) -> None:
        """A test digit loaded from the confusion matrix is that digit: the image editor names it."""
        digits = self.confusion.digits
        if digits is not None and self._run_source is not None:
            self.document.name_digit(DigitRef(self._run_source, "test", index, int(digits.test_labels[index])))

    def _digits_failed(self, message: str) -> None:
        if self.state == "loading":
            self._set_state("idle")
            self.progress.setFormat(READY)
        self._say(message, "error")

    def start(self) -> str | None:
        """Start training a copy of the document's network; returns why it cannot, or None."""
        if self.state != "idle" or self._tasks.closed:
            return None
        key = self.data_group.source_key()
        try:
            self.settings_group.config()
            setting_error = None
        except ValueError as exc:
            setting_error = str(exc)
        problem = start_problem(self.document.session.network, setting_error, key, self.data_group.full_available)
        if problem is not None:
            self._say(problem, "error")
            return problem
        self._set_state("loading")
        self.progress.setFormat("Loading the digits…")
        self._say("Loading the digits…" + digits_note(self.document.session.network), "info")
        self.data_group.load(key, self._begin_training)
        return None

    def _begin_training(self, digits: Digits) -> None:
        if self.state != "loading" or self._tasks.closed:
            return  # stopped while the digits were loading
        problem = mnist_problem(self.document.session.network)
        if problem is not None:  # the pipeline changed while loading
            self._set_state("idle")
            self._say(problem, "error")
            return
        limit = self.settings_group.digit_limit() or digits.num_train
        images, labels = digits.train_images[:limit], digits.train_labels[:limit]
        self._run_sizes, self._paused_weights = (len(images), digits.num_test), None
        config = self.settings_group.config()
        self.confusion.digits, self._run_source, self._shown_history = digits, self.data_group.source_key(), None
        self.result = self.last_event = None
        self._stop_reason = None
        test = (digits.test_images, digits.test_labels)
        job = TrainingJob(self.document.session.network, images, labels, *test, config, self.document.foreground)
        self.job = job
        self.curves.clear(config.epochs)
        self.document.set_weights_lock(LOCK_REASON)
        self._adopt = True
        self._tasks.launch("train", job.run_in_background, self._training_ended, self._pull_training)
        self._set_state("running")
        self.progress.setValue(0)
        self.progress.setFormat(f"Epoch 1 of {config.epochs} · starting…")
        self._say(
            f"Training on {len(images):,} digits, testing on {digits.num_test:,}. Weights and layers are locked "
            "while it runs; you can still draw in the image editor.",
            "info",
        )

    def pause(self) -> None:
        """Hold the trainer between two steps and unlock the weights for editing."""
        if self.state != "running" or self.job is None:
            return
        self.job.pause()
        self._adopt = False
        self._paused_weights = TrainingRecord.of(self.document.session.network, "paused")
        self.document.set_weights_lock(None)
        self._set_state("paused")
        if self.last_event is not None:
            event = self.last_event
            self.progress.setFormat(paused_text(event))
        self._say("Paused. You can edit kernels now; Resume continues from the weights shown.", "info")

    def resume(self) -> None:
        """Continue from the document's weights (your edits included), locking them again."""
        if self.state != "paused" or self.job is None:
            return
        network = self.document.session.network
        if not self.job.fits(network):
            self.job.stop()
            self._set_state("stopping")
            self._stop_reason = (
                "The layers or the grid changed while paused, so this run could not go on; "
                "press Start to train the new network."
            )
            self._say(self._stop_reason, "error")
            return
        stale = self.job.take()  # weights copied before the pause must not overwrite edits made since
        if stale.points:
            self.curves.add_points(stale.points)
        self.job.resume({name: array.copy() for name, array in network.params.items()})
        self.document.set_weights_lock(LOCK_REASON)
        self._adopt = True
        self._set_state("running")
        if self.last_event is not None:
            self.progress.setFormat(progress_text(self.last_event))
        self._say("Training again from the weights shown.", "info")

    def stop(self, *, adopt: bool = True) -> None:
        """End the run (the trained weights so far are kept) or cancel loading the digits.

        With ``adopt`` false the weights still to come are dropped (the network shown is no longer the trained one).
        """
        if not adopt:
            self._adopt = False
        if self.state == "loading":
            self._set_state("idle")
            self.progress.setFormat(READY)
            self._say("Start cancelled.", "info")
            return
        if self.state not in ("running", "paused") or self.job is None:
            return
        self.job.stop()
        self._set_state("stopping")
        self.progress.setFormat("Stopping…")

    def reset_weights(self) -> str | None:
        """Fresh random He weights for every layer (one undo step); refused while training runs."""
        if self.state not in ("idle", "paused"):
            self._say(LOCK_REASON, "error")
            return LOCK_REASON
        network = self.document.session.network
        seed = int(np.random.default_rng().integers(2**31))
        fresh = network.rebuilt(network.spec, seed=seed, origins=[None] * len(network.spec))
        error = self.document.set_network(fresh, "Reset to random weights", record=None)
        if error:
            self._say(error, "error")
        else:
            self._say("Every layer has fresh random weights (Undo brings the old ones back).", "info")
        return error

    def shutdown(self) -> None:
        """Stop training, downloads and loading; within about a second no worker is left running."""
        if self.job is not None:
            self.job.stop()
        self.data_group.download.stop()
        self._tasks.shutdown(SHUTDOWN_SECONDS)
        if self.document.weights_lock == LOCK_REASON:
            self.document.set_weights_lock(None)
        self.state = "idle"

    # ------------------------------------------------------------------ the running job
    def _pull_training(self) -> None:
        """Take what the trainer stashed since the last poll: curve points, weights, progress."""
        update = self.job.take()
        if update.points:
            self.curves.add_points(update.points)
        if update.params is not None and self._adopt:
            self.document.adopt_trained_weights(update.params)
        if update.event is not None:
            event = self.last_event = update.event
            self.progress.setValue(int(PROGRESS_STEPS * event.fraction_done))
            if self.state == "running":
                self.progress.setFormat(progress_text(event))
            elif self.state == "paused":
                self.progress.setFormat(paused_text(event))
            self.progress_updated.emit(event)

    def _training_ended(self, task: BackgroundTask) -> None:
        self._pull_training()  # the last points and the final weights
        self.curves.draw_pending()  # the run's last training points, without waiting for their turn
        self.document.set_weights_lock(None)
        adopted, self._adopt = self._adopt, False
        self._set_state("idle")
        if task.error is not None:
            self._report_failure(task)
            self.training_finished.emit("failed")
            return
        result: TrainResult = task.result
        self.result = result
        self._record_training(result, adopted)
        banner, kind, bar = ended_texts(result, self._stop_reason)
        self._say(banner, kind)
        if result.finished:
            self.progress.setValue(PROGRESS_STEPS)
        self.progress.setFormat(bar)
        self.training_finished.emit(result.status)
        self.confusion.recompute()

    def _record_training(self, result: TrainResult, adopted: bool) -> None:
        """The weights shown are the trained ones: record them, unless they diverged or were edited while paused."""
        network = self.document.session.network
        paused = self._paused_weights
        untouched = adopted or (paused is not None and weights_status(network, paused).trained)
        description = record_description(result, *self._run_sizes)
        if untouched and description is not None:
            self.document.set_training_record(TrainingRecord.of(network, description))

    def _report_failure(self, task: BackgroundTask) -> None:
        error = task.error
        text = f"Training failed: {type(error).__name__}: {error}"
        self._say(text + " The weights shown are the last good ones.", "error")
        self.progress.setFormat("Training failed")
        self.error_dialog = failure_box(self, text, task.error_details)
        self.error_dialog.open()

    # ------------------------------------------------------------------ saved with a session
    def history(self) -> TrainingHistory | None:
        """The curves, verdict and confusion matrix shown, to save with the session (None: none)."""
        running = self.state != "idle"
        return history_shown(self.curves, self.confusion.view, self.progress, self._run_source, running)

    def show_history(self, history: TrainingHistory | None) -> None:
        """Show a saved record (None: nothing trained yet); the matrix follows once its digits load."""
        if self.state != "idle":
            return
        self.confusion.digits, self._run_source, self._shown_history = None, None, history
        show_history(self.curves, self.confusion.view, self.progress, history)
        if history is not None and history.confusion is not None and history.digit_set:
            self._run_source = history.digit_set
            self.data_group.load(history.digit_set, lambda digits: self._show_saved_confusion(history, digits))
        self._update_controls()

    def _show_saved_confusion(self, history: TrainingHistory, digits: Digits) -> None:
        if history is not self._shown_history or self.state != "idle":
            return  # another session or a new run came meanwhile
        if not confusion_fits(history, digits):
            self._say("The saved confusion matrix does not fit these test digits; press Update to redo it.", "error")
            return
        self.confusion.digits = digits
        self.confusion.view.set_result(
            history.confusion, digits.test_labels, history.predictions, digits.test_images, digits.name
        )
        self._update_controls()
        self.confusion_ready.emit()

    # ------------------------------------------------------------------ views
    def _refresh_filters(self) -> None:
        self.first_filters.show_network(self.document.session.network)

    def set_palette(self, name: str) -> None:
        """Use the diverging palette ``name``: its ends colour the curves, the filters and the matrix."""
        palette = name if name in DIVERGING else DEFAULT_DIVERGING
        self.curves.set_palette(palette)
        self.first_filters.set_palette(palette)
        self.confusion.set_palette(palette)
        self._refresh_filters()

    # ------------------------------------------------------------------ state and messages
    def _set_state(self, state: str) -> None:
        if state != self.state:
            self.state = state
            self.state_changed.emit(state)
        self._update_controls()

    def _update_controls(self) -> None:
        state = self.state
        idle = state == "idle"
        self.start_button.setEnabled(idle)
        self.pause_button.setEnabled(state == "running")
        self.resume_button.setEnabled(state == "paused")
        self.stop_button.setEnabled(state in ("loading", "running", "paused"))
        self.reset_button.setEnabled(state in ("idle", "paused"))
        self.settings_group.setEnabled(idle)
        source = self.data_group
        for widget in (source.source_box, source.folder_button, self.settings_group.limit_spin):
            widget.setEnabled(idle)
        self.confusion.update_button.setEnabled(state in ("idle", "paused") and self.confusion.digits is not None)

    def _say(self, text: str, kind: str = "info") -> None:
        show_message(self.banner, text, kind)
        self.message_kind = kind

    def message(self) -> str:
        """The text of the banner: what happened last or why something could not be done."""
        return self.banner.text()
