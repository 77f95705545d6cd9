"""Train the network on MNIST inside the app and watch it learn: curves, filters, predictions.

The training loop runs in a background thread (``workers.BackgroundTask`` running a
:class:`~cnn_desktop.ui.training_worker.TrainingJob`) on its own copy of the network. Its
callbacks only stash the newest progress and a copy of the weights; a 100 ms QTimer here takes
them (so the UI updates at most ten times a second, whatever the batch rate) and hands the
weights to ``document.adopt_trained_weights``: the feature maps, the kernel editor and the class
probabilities of the image being edited follow the training live.

While training runs, the document's weights are locked (pixel edits stay allowed); pausing
releases the lock so kernels can be edited, and resuming continues from the weights shown.
"""

from __future__ import annotations

import math
import threading
import time
from pathlib import Path

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QResizeEvent, QValidator
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFileDialog,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ..data import download as mnist_download
from ..data.datasets import Digits, load_digits
from ..engine import Network
from ..training import DEFAULT_LR, TrainConfig, TrainEvent, TrainResult, predict_classes
from .confusion_view import ConfusionView, palette_ends
from .document import SessionDocument
from .palettes import DEFAULT_DIVERGING, DIVERGING, diverging, symmetric_level
from .training_worker import CurvePoint, TrainingJob
from .workers import BackgroundTask

LOCK_REASON = "Training is running: pause or stop it to edit weights or layers"
POLL_MS = 100  # the UI takes progress and weights from the trainer at most this often
SHUTDOWN_SECONDS = 1.0
PLOT_BACKGROUND = (28, 30, 34)
TEXT_COLOUR = (238, 238, 238)
MNIST_SIDE = 28
CLASSES = 10
SOURCES = (
    ("bundled", "Bundled subset (4,000 train / 1,000 test)"),
    ("full", "Full MNIST (60,000 train / 10,000 test)"),
    ("folder", "MNIST files in a folder…"),
)
MNIST_MB = 11.6  # the four gzip files of the full MNIST, for the Download button

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


def filter_mosaic(weights: np.ndarray, columns: int = 8) -> np.ndarray:
    """Kernels ``weights`` (out, in, k, k) tiled row by row with a 1-pixel NaN gap (drawn transparent)."""
    out_channels, in_channels, kh, kw = weights.shape
    tiles = weights.reshape(out_channels * in_channels, kh, kw)
    count = len(tiles)
    columns = max(1, min(columns, count))
    rows = math.ceil(count / columns)
    mosaic = np.full((rows * (kh + 1) - 1, columns * (kw + 1) - 1), np.nan, dtype=np.float32)
    for index, tile in enumerate(tiles):
        row, col = divmod(index, columns)
        mosaic[row * (kh + 1) : row * (kh + 1) + kh, col * (kw + 1) : col * (kw + 1) + kw] = tile
    return mosaic


def first_conv(network: Network) -> int | None:
    return next((i for i, entry in enumerate(network.spec) if entry["type"] == "conv"), None)


class LearningRateSpin(QDoubleSpinBox):
    """A learning-rate box that shows ``0.05`` (not ``0.050000``) and steps by doubling / halving."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setDecimals(8)
        self.setRange(1e-6, 1e6)
        self.setKeyboardTracking(False)

    def textFromValue(self, value: float) -> str:  # noqa: N802 (Qt's name)
        return f"{value:.4g}"

    def valueFromText(self, text: str) -> float:  # noqa: N802 (Qt's name)
        try:
            return float(text.replace(",", "."))
        except ValueError:
            return self.value()

    def validate(self, text: str, position: int) -> object:
        """Accept plain and scientific notation (``0.05``, ``5e-2``, ``1e6``) while it is typed."""
        candidate = text.strip().replace(",", ".").lower()
        try:
            value = float(candidate)
        except ValueError:
            partial = candidate in ("", ".") or candidate.endswith(("e", "e-", "e+"))
            state = QValidator.State.Intermediate if partial else QValidator.State.Invalid
            return state, text, position
        inside = self.minimum() <= value <= self.maximum()
        return (QValidator.State.Acceptable if inside else QValidator.State.Intermediate), text, position

    def stepBy(self, steps: int) -> None:  # noqa: N802 (Qt's name)
        self.setValue(self.value() * 2.0**steps)


class _DownloadMeter:
    """Thread-safe download progress: the worker reports, the UI reads about ten times a second."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.started = time.perf_counter()
        self.done = 0
        self.total: int | None = None
        self.name = ""
        self._finished_bytes = 0  # bytes of files (or attempts) already completed

    def report(self, done: int, total: int | None, name: str) -> None:
        with self._lock:
            if name != self.name or done < self.done:
                self._finished_bytes += self.done
            self.done, self.total, self.name = done, total, name

    def read(self) -> tuple[int, int | None, str, float]:
        """(bytes of this file, its size or None, file name, overall speed in bytes/s)."""
        with self._lock:
            elapsed = max(1e-3, time.perf_counter() - self.started)
            return self.done, self.total, self.name, (self._finished_bytes + self.done) / elapsed


class FilterMosaicView(pg.GraphicsLayoutWidget):
    """The kernels of one conv layer as a small mosaic, diverging colours, zero at mid-grey."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, border=None)
        self.setBackground(PLOT_BACKGROUND)
        self.ci.layout.setContentsMargins(2, 2, 2, 2)
        self.box = self.addViewBox(lockAspect=True, enableMouse=False, enableMenu=False)
        self.box.invertY(True)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.box.addItem(self.image)
        self.levels = (-1.0, 1.0)
        self.weights: np.ndarray | None = None
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setFixedHeight(100)

    def set_palette(self, name: str) -> None:
        self.image.setColorMap(diverging(name))

    def show_weights(self, weights: np.ndarray | None) -> None:
        """Draw ``weights`` (out, in, k, k), or clear the view when None."""
        self.weights = weights
        if weights is None:
            self.image.clear()
            return
        mosaic = filter_mosaic(weights, self._columns(weights.shape))
        level = symmetric_level(weights)
        self.levels = (-level, level)
        resized = self.image.image is None or self.image.image.shape != mosaic.shape
        self.image.setImage(mosaic, autoLevels=False, levels=self.levels)
        if resized:
            self.box.autoRange(padding=0.02)

    def _columns(self, shape: tuple[int, ...]) -> int:
        """Tiles per row that make the kernels largest in this view's shape."""
        count = shape[0] * shape[1]
        width, height = max(1, self.width() - 4), max(1, self.height() - 4)

        def tile(columns: int) -> float:
            rows = math.ceil(count / columns)
            return min(width / (columns * (shape[3] + 1)), height / (rows * (shape[2] + 1)))

        return max(range(1, min(count, 64) + 1), key=tile)

    def resizeEvent(self, event: QResizeEvent | None) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        weights = getattr(self, "weights", None)  # pyqtgraph calls this during construction
        if weights is not None:
            self.image.clear()
            self.show_weights(weights)


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

    def __init__(self, document: SessionDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.state = "idle"
        self.job: TrainingJob | None = None
        self.result: TrainResult | None = None
        self.last_event: TrainEvent | None = None  # the newest progress received from the trainer
        self.error_dialog: QMessageBox | None = None
        self._tasks: dict[str, tuple[BackgroundTask, object]] = {}
        self._digits: dict[str, Digits] = {}  # loaded digit sets by source key
        self._waiting: dict[str, list] = {}  # source key -> what to do once its digits are loaded
        self._run_digits: Digits | None = None
        self._adopt = False  # True while trained weights should flow into the document
        self._stop_reason: str | None = None  # why the panel itself stopped the run
        self._folder: str | None = None
        self._full_available: bool | None = None
        self._cancel_download: threading.Event | None = None
        self._meter: _DownloadMeter | None = None
        self._curves: dict[str, list[list[float]]] = {"train": [[], [], []], "test": [[], [], []]}
        self._palette = DEFAULT_DIVERGING
        self._closed = False

        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self._poll)

        self._build()
        self._connect()
        self.set_palette(DEFAULT_DIVERGING)
        self._refresh_filters()
        self._update_controls()

    # ------------------------------------------------------------------ construction
    def _build(self) -> None:
        self._build_data()
        self._build_settings()
        self._build_run()
        self._build_views()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.data_group)
        layout.addWidget(self.settings_group)
        layout.addLayout(self._run_row)
        layout.addWidget(self.progress)
        layout.addWidget(self.banner)
        layout.addWidget(self.tabs, 1)

    def _build_data(self) -> None:
        self.data_group = QGroupBox("Digits")
        self.source_box = QComboBox()
        for key, text in SOURCES:
            self.source_box.addItem(text, key)
        self.source_box.setToolTip(
            "Which handwritten digits to train on: the bundled subset (no download), the full MNIST\n"
            f"(download it once, about {MNIST_MB:.0f} MB) or the four MNIST files in a folder of your own"
        )
        self.folder_button = QPushButton("Choose &folder…")
        self.folder_button.setToolTip("Pick a folder holding the four MNIST IDX files (gzipped or not)")
        self.download_button = QPushButton(f"&Download ({MNIST_MB:.0f} MB)")
        self.download_button.setToolTip(
            "Download the full MNIST (60,000 + 10,000 digits) once into the cache folder; "
            "every file is checked before it is used"
        )
        self.download_bar = QProgressBar()
        self.download_bar.setRange(0, 1000)
        self.download_bar.setTextVisible(True)
        self.download_bar.setToolTip("Progress of the file being downloaded")
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Stop the download; nothing half-downloaded is kept")
        self.data_label = QLabel("")
        self.data_label.setWordWrap(True)

        source_row = QHBoxLayout()
        source_row.addWidget(self.source_box, 1)
        source_row.addWidget(self.folder_button)
        self.download_row = QWidget()
        download_layout = QHBoxLayout(self.download_row)
        download_layout.setContentsMargins(0, 0, 0, 0)
        download_layout.addWidget(self.download_button)
        download_layout.addWidget(self.download_bar, 1)
        download_layout.addWidget(self.cancel_button)
        layout = QVBoxLayout(self.data_group)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(source_row)
        layout.addWidget(self.download_row)
        layout.addWidget(self.data_label)

    def _build_settings(self) -> None:
        defaults = TrainConfig()
        self.settings_group = QGroupBox("Settings")
        self.epochs_spin = QSpinBox()
        self.epochs_spin.setRange(1, 1000)
        self.epochs_spin.setValue(defaults.epochs)
        self.epochs_spin.setToolTip(f"Passes over all training digits (default {defaults.epochs})")
        self.batch_spin = QSpinBox()
        self.batch_spin.setRange(1, 4096)
        self.batch_spin.setValue(defaults.batch_size)
        self.batch_spin.setToolTip(f"Digits per weight update (default {defaults.batch_size})")
        self.optimiser_box = QComboBox()
        self.optimiser_box.addItem("SGD + momentum", "sgd")
        self.optimiser_box.addItem("Adam", "adam")
        self.optimiser_box.setCurrentIndex(self.optimiser_box.findData(defaults.optimiser))
        self.optimiser_box.setToolTip(
            f"How the gradients change the weights: SGD with momentum {defaults.momentum:g} (default) or Adam"
        )
        self.lr_spin = LearningRateSpin()
        self.lr_spin.setValue(defaults.peak_lr)
        self.lr_spin.setToolTip(
            "Peak learning rate: how big each update step is (warm-up, then cosine decay).\n"
            f"Defaults: {DEFAULT_LR['sgd']:g} for SGD, {DEFAULT_LR['adam']:g} for Adam. "
            "Arrow keys halve / double it; too large a rate makes training diverge."
        )
        self.limit_spin = QSpinBox()
        self.limit_spin.setRange(0, 60000)
        self.limit_spin.setSingleStep(500)
        self.limit_spin.setSpecialValueText("all digits")
        self.limit_spin.setSuffix(" digits")
        self.limit_spin.setToolTip(
            "Train on only the first N training digits (0: all of them). Fewer digits train faster,\n"
            "e.g. a quick demo on the full MNIST; the test split is always used whole."
        )
        self.augment_box = QCheckBox(f"S&hift digits (±{defaults.max_shift} px)")
        self.augment_box.setChecked(defaults.augment)
        self.augment_box.setToolTip(
            "Data augmentation: each training digit is moved by a random whole number of pixels,\n"
            "so the network learns shapes rather than positions (test digits are never shifted)"
        )
        grid = QGridLayout(self.settings_group)
        grid.setContentsMargins(6, 6, 6, 6)
        for row, col, text, widget in (
            (0, 0, "&Epochs:", self.epochs_spin),
            (0, 2, "&Batch size:", self.batch_spin),
            (1, 0, "&Learning rate:", self.lr_spin),
            (1, 2, "&Optimiser:", self.optimiser_box),
            (2, 0, "Tra&in on:", self.limit_spin),
        ):
            label = QLabel(text)
            label.setBuddy(widget)
            grid.addWidget(label, row, col)
            grid.addWidget(widget, row, col + 1)
        grid.addWidget(self.augment_box, 2, 2, 1, 2)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)

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
        axis_font = QFont()
        axis_font.setPixelSize(13)
        self.loss_plot = pg.PlotWidget(background=PLOT_BACKGROUND)
        self.accuracy_plot = pg.PlotWidget(background=PLOT_BACKGROUND)
        self.loss_plot.setToolTip("Cross-entropy loss: training digits (smoothed) and test digits (after each epoch)")
        self.accuracy_plot.setToolTip(
            "Share of digits classified correctly: training (smoothed) and test; dashed line = chance (10%)"
        )
        for plot, label in ((self.loss_plot, "loss"), (self.accuracy_plot, "accuracy %")):
            plot.setMenuEnabled(False)
            plot.hideButtons()
            plot.setMouseEnabled(x=False, y=False)
            plot.showGrid(x=True, y=True, alpha=0.2)
            plot.getPlotItem().layout.setContentsMargins(2, 4, 10, 2)
            for name, text in (("left", label), ("bottom", "epoch")):
                axis = plot.getAxis(name)
                axis.setTickFont(axis_font)
                axis.setTextPen(pg.mkPen(TEXT_COLOUR))
                axis.setLabel(text, color=f"rgb{TEXT_COLOUR}", **{"font-size": "13px"})
            # the loss falls and the accuracy rises: each legend sits where its curves are not
            corner = (-6, 6) if plot is self.loss_plot else (-6, -6)
            plot.addLegend(offset=corner, labelTextColor=TEXT_COLOUR, labelTextSize="11pt")
            plot.setMinimumHeight(100)
        self.loss_plot.setYRange(0, 2.5)
        self.accuracy_plot.setYRange(0, 100, padding=0.02)
        self.accuracy_plot.addItem(
            pg.InfiniteLine(pos=100 / CLASSES, angle=0, pen=pg.mkPen((170, 170, 170), width=1, style=Qt.DashLine))
        )
        self.train_loss_curve = self.loss_plot.plot([], [], name="train")
        self.test_loss_curve = self.loss_plot.plot([], [], name="test", symbol="o", symbolSize=7)
        self.train_accuracy_curve = self.accuracy_plot.plot([], [], name="train")
        self.test_accuracy_curve = self.accuracy_plot.plot([], [], name="test", symbol="o", symbolSize=7)

        self.filters_label = QLabel("")
        self.filters_label.setWordWrap(True)
        self.filters = FilterMosaicView()
        self.filters.setToolTip(
            "The first conv layer's kernels as they learn: mid-grey is 0, the two ends of the\n"
            "colour map are negative and positive weights (scaled to the largest one)"
        )

        learning = QWidget()
        learning_layout = QVBoxLayout(learning)
        learning_layout.setContentsMargins(2, 2, 2, 2)
        learning_layout.addWidget(self.loss_plot, 1)
        learning_layout.addWidget(self.accuracy_plot, 1)
        learning_layout.addWidget(self.filters_label)
        learning_layout.addWidget(self.filters)

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

    def _connect(self) -> None:
        self.source_box.activated.connect(lambda _: self._source_chosen())
        self.folder_button.clicked.connect(self.choose_folder)
        self.download_button.clicked.connect(self.start_download)
        self.cancel_button.clicked.connect(self.cancel_download)
        self.optimiser_box.currentIndexChanged.connect(lambda _: self._optimiser_changed())
        self.start_button.clicked.connect(self.start)
        self.pause_button.clicked.connect(self.pause)
        self.resume_button.clicked.connect(self.resume)
        self.stop_button.clicked.connect(self.stop)
        self.reset_button.clicked.connect(self.reset_weights)
        self.confusion.digit_chosen.connect(self.load_test_digit)
        self.confusion_button.clicked.connect(self.update_confusion)
        self.document.params_changed.connect(self._refresh_filters)
        self.document.spec_changed.connect(self._refresh_filters)
        self._previous_optimiser = self.optimiser_box.currentData()
        self._show_source()

    # ------------------------------------------------------------------ settings
    def config(self) -> TrainConfig:
        """The training settings the controls show (raises ValueError for an impossible one)."""
        return TrainConfig(
            epochs=self.epochs_spin.value(),
            batch_size=self.batch_spin.value(),
            lr=float(self.lr_spin.value()),
            optimiser=self.optimiser_box.currentData(),
            augment=self.augment_box.isChecked(),
        )

    def _optimiser_changed(self) -> None:
        """Switching optimiser also switches an untouched default learning rate to the new default."""
        old, new = self._previous_optimiser, self.optimiser_box.currentData()
        if math.isclose(self.lr_spin.value(), DEFAULT_LR[old], rel_tol=1e-6):
            self.lr_spin.setValue(DEFAULT_LR[new])
        self._previous_optimiser = new

    def source_key(self) -> str | None:
        """``"bundled"``, ``"full"`` or the chosen folder (None: folder mode with no folder yet)."""
        key = self.source_box.currentData()
        return self._folder if key == "folder" else key

    def set_source(self, source: str) -> None:
        """Choose the digits: ``"bundled"``, ``"full"`` or a folder path (no dialog)."""
        if source in ("bundled", "full"):
            self.source_box.setCurrentIndex(self.source_box.findData(source))
        else:
            self._folder = str(source)
            self.source_box.setCurrentIndex(self.source_box.findData("folder"))
            self._load_digits(self._folder, None)
        self._show_source()

    def _source_chosen(self) -> None:
        if self.source_box.currentData() == "folder" and self._folder is None:
            self.choose_folder()
        self._show_source()

    def choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Folder with the MNIST files", self._folder or str(Path.home()))
        if folder:
            self.set_source(folder)
        else:
            self._show_source()

    def _show_source(self) -> None:
        key = self.source_box.currentData()
        self.folder_button.setVisible(key == "folder")
        downloading = "download" in self._tasks
        if key == "full" and self._full_available is None and "check" not in self._tasks:
            self.data_label.setText("Checking the downloaded MNIST files…")
            self._launch("check", lambda: mnist_download.full_mnist_available(), self._check_ended)
        show_download = downloading or (key == "full" and self._full_available is False)
        self.download_row.setVisible(show_download)
        self.download_bar.setVisible(downloading)
        self.cancel_button.setVisible(downloading)
        self.download_button.setVisible(not downloading)
        if downloading:
            return
        if key == "bundled":
            self.data_label.setText("Shipped with the app: no download needed.")
        elif key == "full":
            if self._full_available:
                self.data_label.setText(f"Downloaded in {mnist_download.default_folder()}.")
            elif self._full_available is False:
                self.data_label.setText(f"Not downloaded yet: press Download (about {MNIST_MB:.0f} MB, once).")
        elif self._folder is None:
            self.data_label.setText("Choose a folder holding the four MNIST files.")
        elif self._folder in self._digits:
            digits = self._digits[self._folder]
            self.data_label.setText(f"{self._folder}: {digits.num_train:,} training, {digits.num_test:,} test digits.")
        else:
            self.data_label.setText(f"{self._folder}")

    def _check_ended(self, task: BackgroundTask) -> None:
        self._full_available = bool(task.result) if task.error is None else False
        self._show_source()

    # ------------------------------------------------------------------ download
    def start_download(self) -> None:
        """Download the full MNIST in the background (progress, speed and Cancel in the panel)."""
        if "download" in self._tasks or self._closed:
            return
        self._cancel_download = cancel = threading.Event()
        self._meter = meter = _DownloadMeter()
        self.download_bar.setValue(0)
        self.download_bar.setFormat("Connecting…")

        def fetch() -> Path:
            return mnist_download.download_mnist(progress=meter.report, cancel=cancel)

        self._launch("download", fetch, self._download_ended)
        self._show_source()
        self.data_label.setText("Downloading the full MNIST…")

    def cancel_download(self) -> None:
        if self._cancel_download is not None:
            self._cancel_download.set()
            self.data_label.setText("Cancelling the download…")

    def _show_download_progress(self) -> None:
        if self._meter is None:
            return
        done, total, name, speed = self._meter.read()
        if not name:
            return
        names = list(mnist_download.DEFAULT_CHECKSUMS)
        number = f" ({names.index(name) + 1} of {len(names)})" if name in names else ""
        size = f"{done / 1e6:.1f} of {total / 1e6:.1f} MB" if total else f"{done / 1e6:.1f} MB"
        self.download_bar.setValue(int(1000 * done / total) if total else 0)
        self.download_bar.setFormat(f"{size} · {speed / 1e6:.1f} MB/s")
        self.data_label.setText(f"Downloading {name}{number}…")

    def _download_ended(self, task: BackgroundTask) -> None:
        self._cancel_download, self._meter = None, None
        error = task.error
        if error is None:
            self._full_available = True
            self._say(f"The full MNIST is downloaded and checked ({task.result}).", "success")
        elif isinstance(error, mnist_download.DownloadCancelled):
            self._say("Download cancelled: nothing half-downloaded was kept.", "info")
        elif isinstance(error, (mnist_download.DownloadError, OSError)):
            self._say(f"The download failed: {error}", "error")
        else:
            self._say(f"The download failed: {type(error).__name__}: {error}", "error")
        self._show_source()

    # ------------------------------------------------------------------ running
    def start(self) -> str | None:
        """Start training a copy of the document's network; returns why it cannot, or None."""
        if self.state != "idle" or self._closed:
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
        if problem is None and key == "full" and self._full_available is False:
            problem = "The full MNIST is not downloaded yet: press Download first (or pick the bundled digits)."
        if problem is not None:
            self._say(problem, "error")
            return problem
        self._set_state("loading")
        self.progress.setFormat("Loading the digits…")
        self._say("Loading the digits…", "info")
        self._load_digits(key, self._begin_training)
        return None

    def _load_digits(self, key: str, then) -> None:
        """Have ``self._digits[key]`` loaded (in the background unless cached), then call ``then``."""
        if key in self._digits:
            if then is not None:
                then(self._digits[key])
            return
        waiting = self._waiting.setdefault(key, [])
        if then is not None:
            waiting.append(then)
        if f"load {key}" in self._tasks:
            return  # already loading: ``then`` runs when it is done

        def loaded(task: BackgroundTask) -> None:
            callbacks = self._waiting.pop(key, [])
            if task.error is not None:
                message = f"Cannot load the digits: {task.error}"
                if key == self._folder:
                    self.data_label.setText(message)
                if self.state == "loading":
                    self._set_state("idle")
                    self.progress.setFormat("Ready: press Start to train")
                self._say(message, "error")
                return
            self._digits[key] = task.result
            self._show_source()
            for callback in callbacks:
                callback(task.result)

        self._launch(f"load {key}", lambda: load_digits(key), loaded)

    def _begin_training(self, digits: Digits) -> None:
        if self.state != "loading" or self._closed:
            return  # stopped while the digits were loading
        problem = mnist_problem(self.document.session.network)
        if problem is not None:  # the pipeline changed while loading
            self._set_state("idle")
            self._say(problem, "error")
            return
        limit = self.limit_spin.value() or digits.num_train
        images, labels = digits.train_images[:limit], digits.train_labels[:limit]
        config = self.config()
        self._run_digits = digits
        self.result = self.last_event = None
        self._stop_reason = None
        job = TrainingJob(self.document.session.network, images, labels, digits.test_images, digits.test_labels, config)
        self.job = job
        self._clear_curves(config.epochs)
        self.document.set_weights_lock(LOCK_REASON)
        self._adopt = True
        self._launch("train", job.run, self._training_ended)
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
            self._add_points(stale.points)
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
        self._closed = True
        self._timer.stop()
        if self.job is not None:
            self.job.stop()
        if self._cancel_download is not None:
            self._cancel_download.set()
        deadline = time.perf_counter() + SHUTDOWN_SECONDS
        for task, _ in list(self._tasks.values()):
            task.join(deadline - time.perf_counter())
        self._tasks.clear()
        if self.document.weights_lock == LOCK_REASON:
            self.document.set_weights_lock(None)
        self.state = "idle"

    # ------------------------------------------------------------------ background work
    def _launch(self, key: str, function, on_done) -> None:
        if self._closed:
            return
        task = BackgroundTask(function, f"cnn-desktop {key}")
        self._tasks[key] = (task, on_done)
        task.start()
        if not self._timer.isActive():
            self._timer.start()

    def _poll(self) -> None:
        """Every 100 ms: take what the workers stashed, and finish the tasks that ended."""
        if self.job is not None and "train" in self._tasks:
            self._pull_training()
        if "download" in self._tasks:
            self._show_download_progress()
        for key, (task, on_done) in list(self._tasks.items()):
            if task.done:
                del self._tasks[key]
                on_done(task)
        if not self._tasks:
            self._timer.stop()

    def _pull_training(self) -> None:
        update = self.job.take()
        if update.points:
            self._add_points(update.points)
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

        self._launch("confusion", compute, computed)

    def load_test_digit(self, index: int) -> None:
        """Put test digit ``index`` into the image editor (one undo step) to edit and re-run it."""
        try:
            image, true, predicted = self.confusion.digit(index)
        except (LookupError, IndexError):
            return
        verdict = "" if true == predicted else f", taken for a {predicted}"
        self.document.edit_image(image, f"Load test digit #{index} (a {true}{verdict})")
        self.digit_loaded.emit(int(index))

    # ------------------------------------------------------------------ views
    def _clear_curves(self, epochs: int) -> None:
        self._curves = {"train": [[], [], []], "test": [[], [], []]}
        for curve in (self.train_loss_curve, self.test_loss_curve, self.train_accuracy_curve, self.test_accuracy_curve):
            curve.setData([], [])
        for plot in (self.loss_plot, self.accuracy_plot):
            plot.setXRange(0, epochs, padding=0.02)
        self.loss_plot.setYRange(0, 2.5)

    def _add_points(self, points: list[CurvePoint]) -> None:
        for point in points:
            xs, losses, accuracies = self._curves[point.split]
            xs.append(point.epoch)
            losses.append(point.loss)
            accuracies.append(100.0 * point.accuracy)
        for split, loss_curve, accuracy_curve in (
            ("train", self.train_loss_curve, self.train_accuracy_curve),
            ("test", self.test_loss_curve, self.test_accuracy_curve),
        ):
            xs, losses, accuracies = self._curves[split]
            loss_curve.setData(xs, losses)
            accuracy_curve.setData(xs, accuracies)
        finite = [v for split in ("train", "test") for v in self._curves[split][1] if math.isfinite(v)]
        if finite:
            self.loss_plot.setYRange(0, max(0.5, min(5.0, max(finite) * 1.05)), padding=0)

    def curve_data(self, split: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(epochs, losses, accuracies in %) of the ``"train"`` or ``"test"`` curves as drawn."""
        xs, losses, accuracies = self._curves[split]
        return np.array(xs), np.array(losses), np.array(accuracies)

    def _refresh_filters(self) -> None:
        network = self.document.session.network
        index = first_conv(network)
        if index is None:
            self.filters.show_weights(None)
            self.filters_label.setText("The pipeline has no conv layer, so there are no filters to watch.")
            return
        weights = network.params[f"{index}.weight"]
        out_channels, in_channels, kh, kw = weights.shape
        self.filters.show_weights(weights)
        low, high = palette_ends(self._palette)
        self.filters_label.setText(
            f"Filters of layer {index} (conv {kh}x{kw}, {out_channels * in_channels} kernels): "
            f"grey = 0, {low} negative, {high} positive"
        )

    def set_palette(self, name: str) -> None:
        """Use the diverging palette ``name``: its ends colour the curves, the filters and the matrix."""
        self._palette = name if name in DIVERGING else DEFAULT_DIVERGING
        low, _, high = DIVERGING[self._palette]
        self.train_loss_curve.setPen(pg.mkPen(QColor(*low), width=2))
        self.train_accuracy_curve.setPen(pg.mkPen(QColor(*low), width=2))
        for curve in (self.test_loss_curve, self.test_accuracy_curve):
            curve.setPen(pg.mkPen(QColor(*high), width=2))
            curve.setSymbolBrush(QColor(*high))
            curve.setSymbolPen(None)
        self.filters.set_palette(self._palette)
        self.confusion.set_palette(self._palette)
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
