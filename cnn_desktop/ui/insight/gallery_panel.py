"""The "What it learned" panel: for one channel, the digit patches that make it fire most.

The galleries of every channel are computed at once in the background (progress, cancel) and
kept per network: changing the weights or the layers makes them stale, switching channels does
not recompute. Clicking a patch loads its digit into the editor with the winning unit selected.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import numpy as np
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QIcon, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ...data.datasets import load_digits
from ...engine import Network
from ...insight import DEFAULT_COUNT, Gallery, compute_galleries, gallery_stages
from ..colours import DEFAULT_DIVERGING
from ..document import SessionDocument
from ..task_poller import TaskPoller
from ..workers import BackgroundTask
from .pictures import grey_pixmap, kernel_pixmap

MAX_COUNT = 25
SOURCES = {"bundled": "Bundled digits (5,000)", "full": "Full MNIST (70,000, once downloaded)"}
TASK = "galleries"


@dataclass
class GalleryJob:
    """One computation of every gallery; the worker writes ``done``/``total``, the UI reads them."""

    network: Network
    source: str
    count: int
    cancel: threading.Event = field(default_factory=threading.Event)
    done: int = 0
    total: int = 0

    def run(self) -> tuple[np.ndarray, dict[int, list[Gallery]]] | None:
        """(digits (N, 28, 28), galleries per stage), or None when cancelled."""
        digits = load_digits(self.source)
        images = np.concatenate([digits.train_images, digits.test_images])
        self.total = len(images)

        def progress(done: int, total: int) -> None:
            self.done, self.total = done, total

        galleries = compute_galleries(self.network, images, self.count, progress=progress, cancelled=self.cancel.is_set)
        return None if galleries is None else (images, galleries)


class GalleryPanel(QWidget):
    """Thin view over the computed galleries; the document stays the one owner of the state."""

    def __init__(self, document: SessionDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.poller = TaskPoller(self)
        self.palette_name = DEFAULT_DIVERGING
        self.job: GalleryJob | None = None
        self.cache: dict[tuple[str, int], tuple[Network, np.ndarray, dict[int, list[Gallery]]]] = {}

        self.layer_box = QComboBox()
        self.channel_box = QSpinBox()
        self.count_box = QSpinBox()
        self.count_box.setRange(1, MAX_COUNT)
        self.count_box.setValue(DEFAULT_COUNT)
        self.source_box = QComboBox()
        for key, text in SOURCES.items():
            self.source_box.addItem(text, key)
        self.compute_button = QPushButton("Find top patches")
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setEnabled(False)
        self.progress = QProgressBar()
        self.progress.setTextVisible(True)
        self.status = QLabel("Find the digit patches that make each channel fire most.")
        self.status.setWordWrap(True)
        self.filter_label = QLabel()
        self.filter_caption = QLabel()
        self.patch_buttons = [self._patch_button(index) for index in range(MAX_COUNT)]

        controls = QHBoxLayout()
        for label, widget in (("Layer", self.layer_box), ("Channel", self.channel_box), ("Patches", self.count_box)):
            controls.addWidget(QLabel(label))
            controls.addWidget(widget)
        controls.addStretch(1)
        run_row = QHBoxLayout()
        for widget in (self.source_box, self.compute_button, self.progress, self.cancel_button):
            run_row.addWidget(widget)
        filter_row = QHBoxLayout()
        filter_row.addWidget(self.filter_caption)
        filter_row.addWidget(self.filter_label)
        filter_row.addStretch(1)
        self.grid = QGridLayout()
        for index, button in enumerate(self.patch_buttons):
            self.grid.addWidget(button, index // 5, index % 5)
        layout = QVBoxLayout(self)
        for row in (controls, run_row, filter_row):
            layout.addLayout(row)
        layout.addLayout(self.grid)
        layout.addWidget(self.status)
        layout.addStretch(1)

        self.compute_button.clicked.connect(self.compute)
        self.cancel_button.clicked.connect(self.cancel)
        self.layer_box.currentIndexChanged.connect(self._layer_chosen)
        self.channel_box.valueChanged.connect(self.show_gallery)
        self.count_box.valueChanged.connect(self.show_gallery)
        self.source_box.currentIndexChanged.connect(self.show_gallery)
        self.shown_network: Network | None = None
        document.result_ready.connect(self._result_arrived)
        self._network_changed()

    # ----- state
    def network(self) -> Network | None:
        """The frozen network the newest result was computed with (safe to read in a thread)."""
        latest = self.document.latest
        return None if latest is None else latest.network

    def stage(self) -> int | None:
        return self.layer_box.currentData()

    def key(self) -> tuple[str, int]:
        return self.source_box.currentData(), self.count_box.value()

    def current(self) -> tuple[np.ndarray, dict[int, list[Gallery]]] | None:
        """The galleries for the current network, digits and count, if computed."""
        entry = self.cache.get(self.key())
        network = self.network()
        if entry is None or network is None or entry[0] is not network:
            return None
        return entry[1], entry[2]

    # ----- intent
    def compute(self) -> None:
        """Compute every gallery of the current network in the background (one job at a time)."""
        network = self.network()
        if network is None or TASK in self.poller:
            return
        if network.input_shape != (1, 28, 28):
            self.status.setText("Galleries need a network that reads 28x28 digits.")
            return
        self.job = GalleryJob(network, *self.key())
        self.compute_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.progress.setValue(0)
        self.status.setText("Running every digit through the network…")
        self.poller.launch(TASK, self.job.run, self._finished, self._tick)

    def cancel(self) -> None:
        if self.job is not None:
            self.job.cancel.set()

    def load_patch(self, index: int) -> None:
        """Put the patch's digit into the editor and select the unit that fired."""
        current, stage = self.current(), self.stage()
        if current is None or stage is None:
            return
        images, galleries = current
        patches = galleries[stage][self.channel_box.value()].patches
        if index >= len(patches):
            return
        patch = patches[index]
        self.document.edit_image(np.array(images[patch.image_index], np.float32), f"Load digit {patch.image_index}")
        self.document.select(patch.unit)

    # ----- results
    def _tick(self) -> None:
        job = self.job
        if job is not None and job.total:
            self.progress.setValue(int(100 * job.done / job.total))

    def _finished(self, task: BackgroundTask) -> None:
        job, self.job = self.job, None
        self.compute_button.setEnabled(True)
        self.cancel_button.setEnabled(False)
        if task.error is not None:
            self.status.setText(f"Could not compute the galleries: {task.error}")
            return
        if task.result is None or job is None:
            self.status.setText("Cancelled.")
            return
        images, galleries = task.result
        self.cache[(job.source, job.count)] = (job.network, images, galleries)
        self.progress.setValue(100)
        self.show_gallery()

    def _result_arrived(self) -> None:
        """Redraw only when the network changed (new weights or layers), not on every painted pixel."""
        network = self.network()
        if network is not self.shown_network:
            self.shown_network = network
            self._network_changed()

    def _network_changed(self) -> None:
        network = self.network() or self.document.session.network
        chosen = self.stage()
        self.layer_box.blockSignals(True)
        self.layer_box.clear()
        for stage in gallery_stages(network):
            self.layer_box.addItem(network.stage_name(stage), stage)
        found = self.layer_box.findData(chosen)
        self.layer_box.setCurrentIndex(max(found, 0))
        self.layer_box.blockSignals(False)
        self._layer_chosen()

    def _layer_chosen(self) -> None:
        network, stage = self.network() or self.document.session.network, self.stage()
        if stage is not None and stage <= len(network.layers):
            self.channel_box.setRange(0, network.stage_shape(stage)[0] - 1)
        self.show_gallery()

    def show_gallery(self) -> None:
        """Draw the chosen channel's patches and filter from the cache (nothing is computed here)."""
        current, stage = self.current(), self.stage()
        galleries = None if current is None or stage is None else current[1].get(stage)
        channel = self.channel_box.value()
        if galleries is None or channel >= len(galleries):
            for button in self.patch_buttons:
                button.hide()
            self.filter_label.clear()
            self.filter_caption.setText("")
            if self.job is None:
                self.status.setText("Press “Find top patches” to search the digits for this network.")
            return
        gallery = galleries[channel]
        for index, button in enumerate(self.patch_buttons):
            if index < len(gallery.patches):
                patch = gallery.patches[index]
                button.setIcon(QIcon(grey_pixmap(patch.crop[0], max(4, 48 // patch.crop.shape[-1]))))
                button.setText(f"{patch.activation:.2f}")
                box = "x".join(str(v) for v in (patch.box[2] - patch.box[0] + 1, patch.box[3] - patch.box[1] + 1))
                button.setToolTip(f"digit {patch.image_index}, unit ({patch.unit.y}, {patch.unit.x}), {box} field")
                button.show()
            else:
                button.hide()
        if gallery.weights is not None:
            self.filter_caption.setText("Filter weights:")
            self.filter_label.setPixmap(kernel_pixmap(gallery.weights, 16, self.palette_name))
        else:
            self.filter_caption.setText("A pooling layer has no weights: it keeps the largest value of each window.")
            self.filter_label.clear()
        self.status.setText(
            f"The {len(gallery.patches)} digits whose strongest response in channel {channel} is highest, "
            "each cropped to the unit's receptive field. Click one to load it."
        )

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt's name)
        """Opening the panel starts the search, if this network has no galleries yet."""
        super().showEvent(event)
        if self.current() is None and self.job is None:
            self.compute()

    def _patch_button(self, index: int) -> QToolButton:
        button = QToolButton()
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextUnderIcon)
        button.setIconSize(QSize(48, 48))
        button.clicked.connect(lambda _checked=False, index=index: self.load_patch(index))
        button.hide()
        return button

    def shutdown(self) -> None:
        """Stop the running search, if any, and start nothing more."""
        self.cancel()
        self.poller.shutdown(1.0)
