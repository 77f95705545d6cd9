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
from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QFont, QResizeEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QBoxLayout,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ...data.datasets import Digits
from ...engine import Network
from ...state.digit_library import DigitLibrary
from ...state.training_history import TrainingHistory
from ...training import TrainConfig, TrainEvent, TrainResult, predict_classes
from ...training_job import TrainingJob
from ..document import SessionDocument
from ..palettes import DEFAULT_DIVERGING, DIVERGING
from ..task_poller import TaskPoller
from ..workers import BackgroundTask
from .confusion_view import ConfusionView
from .digit_source import DigitSourcePanel
from .filter_mosaic import FirstFiltersView, filter_mosaic
from .learning_curves import LearningCurvesView
from .saved_history import confusion_fits, history_shown, show_history
from .training_settings import TrainingSettingsPanel

__all__ = [
    "LOCK_REASON",
    "TrainingPanel",
    "count_text",
    "filter_mosaic",  # kept importable from here, where it used to live
    "format_duration",
    "mnist_problem",
    "progress_text",
]

LOCK_REASON = "Training is running: pause or stop it to edit weights or layers"
SHUTDOWN_SECONDS = 1.0
WIDE_RATIO = 1.8  # wider than this times the height: lay the panel out in columns
WIDE_CONTROLS_WIDTH = 470
QWIDGETSIZE_MAX = (1 << 24) - 1  # Qt's "no maximum"
MNIST_SIDE = 28
CLASSES = 10

BANNER_STYLES = {
    "info": "background: #dde8f5; color: #102a43; border: 1px solid #8aa9cc;",
    "success": "background: #dcefdc; color: #123d12; border: 1px solid #7fb77f;",
    "error": "background: #ffd7d7; color: #8a0000; border: 1px solid #a00000; font-weight: bold;",
}


def format_duration(seconds: float) -> str:
    """``75.4`` -> ``"1:15"``; hours as ``"1:02:03"``."""
    seconds = max(0, int(round(seconds)))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def count_text(number: int, noun: str) -> str:
    """``1 epoch``, ``3 epochs``, ``1,250 steps``."""
    return f"{number:,} {noun}{'' if number == 1 else 's'}"


def progress_text(event: TrainEvent) -> str:
    """``Epoch 2 of 20 · batch 37 of 125 · about 0:42 left``."""
    text = f"Epoch {event.epoch} of {event.epochs} · batch {event.batch} of {event.batches_per_epoch}"
    if event.eta is not None:
        text += f" · about {format_duration(event.eta)} left"
    return text


def mnist_problem(network: Network) -> str | None:
    """Why ``network`` cannot be trained on MNIST digits, or None when it can."""
    _, height, width = network.input_shape
    if (height, width) != (MNIST_SIDE, MNIST_SIDE) or network.input_shape[0] != 1:
        return (
            f"Training uses 28x28 MNIST digits, but the image grid is {height}x{width}: resize the grid to 28x28 first."
        )
    out = network.output_shape
    if len(out) != 1 or out[0] != CLASSES:
        shape = "x".join(map(str, out))
        return (
            f"Training needs a pipeline that ends in {CLASSES} class scores (flatten, then dense with "
            f"{CLASSES} outputs); this one ends in {shape}."
        )
    return None


class TrainingPanel(QWidget):
    """Train the document's network on MNIST digits in the background and watch it learn.

    Public API: :meth:`start`, :meth:`pause`, :meth:`resume`, :meth:`stop`, :meth:`reset_weights`,
    :meth:`shutdown` (the main window calls it on close), :meth:`config`, :meth:`set_source`,
    :meth:`start_download` / :meth:`cancel_download`, :meth:`load_test_digit`, :meth:`set_palette`,
    :meth:`message`, :attr:`state` (``idle``, ``loading``, ``running``, ``paused``, ``stopping``).
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
        self._run_digits: Digits | None = None  # the last run's digits: the confusion matrix uses their test split
        self._run_source: str | None = None  # the key of those digits, saved with the session
        self._shown_history: TrainingHistory | None = None  # a saved record whose matrix waits for its digits
        self._adopt = False  # True while trained weights should flow into the document
        self._stop_reason: str | None = None  # why the panel itself stopped the run

        self._build()
        self._connect()
        self.set_palette(DEFAULT_DIVERGING)
        self._update_controls()

    # ------------------------------------------------------------------ construction
    def _build(self) -> None:
        self.data_group = DigitSourcePanel(self._tasks, self.digits)
        self.settings_group = TrainingSettingsPanel()
        self._build_run()
        self._build_views()
        # the controls keep the names the panel has always had (tests and benchmarks reach them)
        source, download, settings = self.data_group, self.data_group.download, self.settings_group
        self.source_box = source.source_box
        self.folder_button = source.folder_button
        self.data_label = source.data_label
        self.download_button = download.download_button
        self.download_bar = download.download_bar
        self.cancel_button = download.cancel_button
        self.epochs_spin = settings.epochs_spin
        self.batch_spin = settings.batch_spin
        self.lr_spin = settings.lr_spin
        self.optimiser_box = settings.optimiser_box
        self.limit_spin = settings.limit_spin
        self.augment_box = settings.augment_box
        self.train_loss_curve = self.curves.train_loss_curve
        self.filters = self.first_filters.mosaic

        self.controls = QWidget()
        controls = QVBoxLayout(self.controls)
        controls.setContentsMargins(0, 0, 0, 0)
        controls.addWidget(self.data_group)
        controls.addWidget(self.settings_group)
        controls.addLayout(self._run_row)
        controls.addWidget(self.progress)
        controls.addWidget(self.banner)
        controls.addStretch(1)
        self._outer = QBoxLayout(QBoxLayout.Direction.TopToBottom, self)
        self._outer.setContentsMargins(4, 4, 4, 4)
        self._outer.addWidget(self.controls)
        self._outer.addWidget(self.tabs, 1)

    def _build_run(self) -> None:
        self.start_button = QPushButton("&Start")
        self.start_button.setToolTip("Train the current network (a copy of it) on the chosen digits")
        self.pause_button = QPushButton("&Pause")
        self.pause_button.setToolTip("Hold training; the weights unlock so you can edit kernels meanwhile")
        self.resume_button = QPushButton("&Resume")
        self.resume_button.setToolTip("Continue training from the weights shown now, your edits included")
        self.stop_button = QPushButton("S&top")
        self.stop_button.setToolTip("End training; the confusion matrix of the test digits follows")
        self.reset_button = QPushButton("Reset &weights")
        self.reset_button.setToolTip("Give every layer fresh random (He) weights: one undo step")
        for button in (self.start_button, self.pause_button, self.resume_button, self.stop_button):
            font = QFont(button.font())
            font.setBold(True)
            button.setFont(font)
        self._run_row = QHBoxLayout()
        for button in (self.start_button, self.pause_button, self.resume_button, self.stop_button):
            self._run_row.addWidget(button)
        self._run_row.addStretch(1)
        self._run_row.addWidget(self.reset_button)

        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setValue(0)
        self.progress.setTextVisible(True)
        self.progress.setFormat("Ready: press Start to train")
        self.progress.setToolTip("Epoch and batch of the running training, and the time it still needs")
        self.progress.setMinimumHeight(26)
        self.banner = QLabel("")
        self.banner.setWordWrap(True)
        self.banner.setMargin(6)
        self.banner.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.banner.setToolTip("What the training panel did last, or why it could not")
        self.banner.hide()

    def _build_views(self) -> None:
        self.curves = LearningCurvesView()
        self.first_filters = FirstFiltersView()
        learning = QWidget()
        learning_layout = self._learning_layout = QBoxLayout(QBoxLayout.Direction.TopToBottom, learning)
        learning_layout.setContentsMargins(2, 2, 2, 2)
        learning_layout.addWidget(self.curves, 3)
        learning_layout.addWidget(self.first_filters, 2)

        self.confusion = ConfusionView()
        self.confusion_button = QPushButton("&Update for the current weights")
        self.confusion_button.setToolTip(
            "Classify the test digits again with the weights shown now (e.g. after editing kernels)"
        )
        confusion_page = QWidget()
        confusion_layout = QVBoxLayout(confusion_page)
        confusion_layout.setContentsMargins(0, 0, 0, 0)
        confusion_layout.addWidget(self.confusion, 1)
        confusion_layout.addWidget(self.confusion_button, 0, Qt.AlignmentFlag.AlignRight)

        self.tabs = QTabWidget()
        self.tabs.addTab(learning, "Learning &curves")
        self.tabs.addTab(confusion_page, "Co&nfusion matrix")
        self.tabs.setTabToolTip(0, "Loss and accuracy curves and the first layer's filters, live")
        self.tabs.setTabToolTip(1, "Which test digits the trained network mixes up; click a cell, then a digit")

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt's name)
        self._choose_direction()
        super().resizeEvent(event)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt's name)
        room = self._room()
        if room is not self:
            room.installEventFilter(self)
        self._choose_direction()
        super().showEvent(event)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if watched is self._room() and event.type() == QEvent.Type.Resize:
            self._choose_direction()
        return False

    def _room(self) -> QWidget:
        """The space on offer: the viewport of the scroll area around this panel, if any."""
        widget = self.parentWidget()
        while widget is not None and not isinstance(widget, QAbstractScrollArea):
            widget = widget.parentWidget()
        return widget.viewport() if widget is not None else self

    def _choose_direction(self) -> None:
        """In a wide, low dock (under the maps) the controls, curves and filters sit side by side."""
        room = self._room()
        wide = room.width() > WIDE_RATIO * room.height()
        direction = QBoxLayout.Direction.LeftToRight if wide else QBoxLayout.Direction.TopToBottom
        if self._outer.direction() != direction:
            self._outer.setDirection(direction)
            self._learning_layout.setDirection(direction)
            self.curves.set_direction(direction)
            self.confusion.set_direction(direction)
            self.controls.setMaximumWidth(WIDE_CONTROLS_WIDTH if wide else QWIDGETSIZE_MAX)

    def _connect(self) -> None:
        self.data_group.download_ended.connect(self._say)
        self.data_group.load_failed.connect(self._digits_failed)
        self.start_button.clicked.connect(self.start)
        self.pause_button.clicked.connect(self.pause)
        self.resume_button.clicked.connect(self.resume)
        self.stop_button.clicked.connect(self.stop)
        self.reset_button.clicked.connect(self.reset_weights)
        self.confusion.digit_chosen.connect(self.load_test_digit)
        self.confusion_button.clicked.connect(self.update_confusion)
        self.document.params_changed.connect(self._refresh_filters)
        self.document.spec_changed.connect(self._refresh_filters)

    # ------------------------------------------------------------------ digits and settings
    def config(self) -> TrainConfig:
        """The training settings the controls show (raises ValueError for an impossible one)."""
        return self.settings_group.config()

    def source_key(self) -> str | None:
        """``"bundled"``, ``"full"`` or the chosen folder (None: folder mode with no folder yet)."""
        return self.data_group.source_key()

    def set_source(self, source: str) -> None:
        """Choose the digits: ``"bundled"``, ``"full"`` or a folder path (no dialog)."""
        self.data_group.set_source(source)

    def choose_folder(self) -> None:
        self.data_group.choose_folder()

    def start_download(self) -> None:
        """Download the full MNIST in the background (progress, speed and Cancel in the panel)."""
        self.data_group.download.start()

    def cancel_download(self) -> None:
        self.data_group.download.cancel()

    def _digits_failed(self, message: str) -> None:
        if self.state == "loading":
            self._set_state("idle")
            self.progress.setFormat("Ready: press Start to train")
        self._say(message, "error")

    # ------------------------------------------------------------------ running
    def start(self) -> str | None:
        """Start training a copy of the document's network; returns why it cannot, or None."""
        if self.state != "idle" or self._tasks.closed:
            return None
        problem = mnist_problem(self.document.session.network)
        if problem is None:
            try:
                self.config()
            except ValueError as exc:
                problem = f"Impossible setting: {exc}"
        key = self.source_key()
        if problem is None and key is None:
            problem = "Choose a folder with the MNIST files first (or pick the bundled digits)."
        if problem is None and key == "full" and self.data_group.full_available is False:
            problem = "The full MNIST is not downloaded yet: press Download first (or pick the bundled digits)."
        if problem is not None:
            self._say(problem, "error")
            return problem
        self._set_state("loading")
        self.progress.setFormat("Loading the digits…")
        self._say("Loading the digits…", "info")
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
        config = self.config()
        self._run_digits, self._run_source, self._shown_history = digits, self.source_key(), None
        self.result = self.last_event = None
        self._stop_reason = None
        job = TrainingJob(self.document.session.network, images, labels, digits.test_images, digits.test_labels, config)
        self.job = job
        self.curves.clear(config.epochs)
        self.document.set_weights_lock(LOCK_REASON)
        self._adopt = True
        self._tasks.launch("train", job.run, self._training_ended, self._pull_training)
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
        self.document.set_weights_lock(None)
        self._set_state("paused")
        if self.last_event is not None:
            event = self.last_event
            self.progress.setFormat(f"Paused at epoch {event.epoch} of {event.epochs}, batch {event.batch}")
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

    def stop(self) -> None:
        """End the run (the trained weights so far are kept) or cancel loading the digits."""
        if self.state == "loading":
            self._set_state("idle")
            self.progress.setFormat("Ready: press Start to train")
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
        error = self.document.set_network(fresh, "Reset weights")
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
            self.progress.setValue(int(1000 * event.fraction_done))
            if self.state == "running":
                self.progress.setFormat(progress_text(event))
            elif self.state == "paused":
                self.progress.setFormat(f"Paused at epoch {event.epoch} of {event.epochs}, batch {event.batch}")
            self.progress_updated.emit(event)

    def _training_ended(self, task: BackgroundTask) -> None:
        self._pull_training()  # the last points and the final weights
        self.document.set_weights_lock(None)
        self._adopt = False
        self._set_state("idle")
        if task.error is not None:
            self._report_failure(task)
            self.training_finished.emit("failed")
            return
        result: TrainResult = task.result
        self.result = result
        accuracy = "" if result.test_accuracy is None else f": test accuracy {100 * result.test_accuracy:.1f}%"
        took = format_duration(result.elapsed)
        if result.diverged:
            self._say(f"{result.message[:1].upper()}{result.message[1:]}.", "error")
            self.progress.setFormat("Diverged: the last good weights were restored")
        elif result.finished:
            self._say(f"Finished {count_text(result.epochs_done, 'epoch')} in {took}{accuracy}.", "success")
            self.progress.setValue(1000)
            self.progress.setFormat(f"Finished{accuracy}")
        else:
            epochs, steps = count_text(result.epochs_done, "epoch"), count_text(result.steps_done, "step")
            stopped = f"Stopped after {epochs} ({steps}){accuracy}."
            if self._stop_reason:
                self._say(f"{self._stop_reason} {stopped}", "error")
            else:
                self._say(stopped, "info")
            self.progress.setFormat(f"Stopped{accuracy}")
        self.training_finished.emit(result.status)
        self.update_confusion()

    def _report_failure(self, task: BackgroundTask) -> None:
        error = task.error
        text = f"Training failed: {type(error).__name__}: {error}"
        self._say(text + " The weights shown are the last good ones.", "error")
        self.progress.setFormat("Training failed")
        box = QMessageBox(QMessageBox.Icon.Critical, "Training failed", text, QMessageBox.StandardButton.Ok, self)
        box.setInformativeText("The app keeps running; the weights shown are the last ones received.")
        box.setDetailedText(task.error_details)
        box.setWindowModality(Qt.WindowModality.WindowModal)
        self.error_dialog = box
        box.open()

    # ------------------------------------------------------------------ confusion matrix
    def update_confusion(self) -> None:
        """Compute the confusion matrix of the document's weights on the test digits (in the background)."""
        digits = self._run_digits
        network = self.document.session.network
        if digits is None or "confusion" in self._tasks:
            return
        problem = mnist_problem(network)
        if problem is not None:
            self._say(f"No confusion matrix: {problem}", "error")
            return
        net = network.copy()

        def compute() -> tuple[np.ndarray, np.ndarray]:
            with np.errstate(all="ignore"):  # huge (diverged) weights: overflowing scores still have an argmax
                predictions = predict_classes(net, digits.test_images)
            counts = np.bincount(digits.test_labels * CLASSES + predictions, minlength=CLASSES * CLASSES)
            return counts.reshape(CLASSES, CLASSES), predictions

        def computed(task: BackgroundTask) -> None:
            if task.error is not None:
                self._say(f"Cannot compute the confusion matrix: {task.error}", "error")
                return
            matrix, predictions = task.result
            self.confusion.set_result(matrix, digits.test_labels, predictions, digits.test_images, digits.name)
            self.confusion_ready.emit()

        self._tasks.launch("confusion", compute, computed)

    def load_test_digit(self, index: int) -> None:
        """Put test digit ``index`` into the image editor (one undo step) to edit and re-run it."""
        try:
            image, true, predicted = self.confusion.digit(index)
        except (LookupError, IndexError):
            return
        verdict = "" if true == predicted else f", taken for a {predicted}"
        self.document.edit_image(image, f"Load test digit #{index} (a {true}{verdict})")
        self.digit_loaded.emit(int(index))

    # ------------------------------------------------------------------ saved with a session
    def history(self) -> TrainingHistory | None:
        """The curves, verdict and confusion matrix shown, to save with the session (None: none)."""
        running = self.state != "idle"
        return history_shown(self.curves, self.confusion, self.progress, self._run_source, running)

    def show_history(self, history: TrainingHistory | None) -> None:
        """Show a saved record (None: nothing trained yet); the matrix follows once its digits load."""
        if self.state != "idle":
            return
        self._run_digits, self._run_source, self._shown_history = None, None, history
        show_history(self.curves, self.confusion, self.progress, history)
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
        self._run_digits = digits
        self.confusion.set_result(
            history.confusion, digits.test_labels, history.predictions, digits.test_images, digits.name
        )
        self._update_controls()
        self.confusion_ready.emit()

    # ------------------------------------------------------------------ views
    def curve_data(self, split: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(epochs, losses, accuracies in %) of the ``"train"`` or ``"test"`` curves as drawn."""
        return self.curves.curve_data(split)

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
        for widget in (self.source_box, self.folder_button, self.limit_spin):
            widget.setEnabled(idle)
        self.confusion_button.setEnabled(state in ("idle", "paused") and self._run_digits is not None)

    def _say(self, text: str, kind: str = "info") -> None:
        self.banner.setStyleSheet(f"QLabel {{ {BANNER_STYLES[kind]} border-radius: 4px; }}")
        self.banner.setText(text)
        self.banner.setVisible(bool(text))
        self.message_kind = kind

    def message(self) -> str:
        """The text of the banner: what happened last or why something could not be done."""
        return self.banner.text()
