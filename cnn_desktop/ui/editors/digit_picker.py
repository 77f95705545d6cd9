"""Which MNIST digit to put on the grid: the set (bundled or full), its part, the index, and the label.

Digits come from the app's :class:`~cnn_desktop.state.digit_library.DigitLibrary`: the bundled subset
loads at once (it is small); the full MNIST, once downloaded in the training panel, is about
220 MB as float32, so it loads in a background task, once. The "Full MNIST" choice appears only
while it is on disk. Loading a digit is one ``edit_image`` undo step; the session then knows which
digit the image is (``session.digit``), which is what the label shows.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QGridLayout, QHBoxLayout, QLabel, QSpinBox, QToolButton, QWidget

from ...data import download as mnist_download
from ...data.datasets import Digits
from ...image_ops import resample
from ...state.digit_library import DigitLibrary
from ...state.digit_ref import DigitRef
from ..document import SessionDocument
from ..task_poller import TaskPoller
from ..workers import BackgroundTask

SPLITS = {"test": "Test set", "train": "Training set"}
SPLIT_SHORT = {"test": "Test", "train": "Train"}
DIGIT_SOURCES = {"bundled": "Bundled", "full": "Full MNIST"}  # "full" only while it is downloaded


class DigitSourceBox(QComboBox):
    """A combo box that says when it is about to open, so its choices can be checked first."""

    about_to_open = Signal()

    def showPopup(self) -> None:  # noqa: N802 (Qt's name)
        self.about_to_open.emit()
        super().showPopup()


class DigitPicker(QWidget):
    """The two rows under the image: the MNIST set and part, then the digit's index, Load, Next and label.

    ``said(text, error)`` carries what the picker has to tell (shown under the grid by the editor).
    """

    said = Signal(str, bool)

    def __init__(
        self,
        document: SessionDocument,
        digits: DigitLibrary,
        tasks: TaskPoller,
        buttons: tuple[QToolButton, QToolButton],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.document = document
        self.digits = digits
        self._tasks = tasks
        self._bundled_error: str | None = None  # why the bundled digits cannot be loaded (not retried)
        self._pending_digit: tuple[str, int] | None = None  # (split, index) to show once the full MNIST is loaded
        self._message = ""
        self._described: DigitRef | None = None  # the digit the last message of ours describes
        self._edited: DigitRef | None = None  # the digit the image was before strokes or pixel edits
        self._editing = False  # the image changes now keep the picture (see note_edit)
        self._last_index = 0  # the index the boxes named last, for Load and Next once they name none
        self.digit_source = DigitSourceBox()
        self.digit_source.addItem(DIGIT_SOURCES["bundled"], "bundled")
        self.digit_source.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)  # room for "Full MNIST"
        self.digit_source.setToolTip(
            "Which MNIST digits: the bundled subset (4,000 train / 1,000 test), or the full MNIST\n"
            "(60,000 / 10,000), offered once it is downloaded (Training panel, Digits: Full MNIST)"
        )
        self.digit_split = QComboBox()
        for key, text in SPLIT_SHORT.items():
            self.digit_split.addItem(text, key)
        self.digit_split.setToolTip("Which part of the MNIST set to take digits from")
        self.digit_index = QSpinBox()
        self.digit_index.setRange(-1, 999)
        self.digit_index.setSpecialValueText("# –")  # -1: the image is no digit of the set
        self.digit_index.setKeyboardTracking(False)
        self.digit_index.setPrefix("# ")
        self.digit_index.setToolTip("Index of the digit in the set; changing it loads that digit")
        self.digit_label = QLabel("label –")
        self.digit_label.setToolTip("The true class of the digit last loaded")

        # two lines, which set and which digit of it, so that the editor stays as narrow as before
        digit_set = QHBoxLayout()
        digit_set.addWidget(self.digit_source)
        digit_set.addWidget(self.digit_split)
        digit_set.addStretch(1)
        digit = QHBoxLayout()
        digit.addWidget(self.digit_index)
        for button in buttons:
            digit.addWidget(button)
        digit.addWidget(self.digit_label, 1)
        layout = QGridLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel("MNIST"), 0, 0)
        layout.addLayout(digit_set, 0, 1)
        layout.addWidget(QLabel("Digit"), 1, 0)
        layout.addLayout(digit, 1, 1)

        self.digit_index.valueChanged.connect(self._index_chosen)
        document.digit_named.connect(self.show_digit)
        self.digit_split.currentIndexChanged.connect(lambda _: self._update_digit_range())
        self.digit_source.currentIndexChanged.connect(lambda _: self._source_chosen())
        self.digit_source.about_to_open.connect(self.refresh_digit_sources)

    def _say(self, text: str, error: bool = False) -> None:
        self._message = text
        self.said.emit(text, error)

    def load_chosen(self) -> str | None:
        """Load the digit the boxes name (while they name none, the one loaded last: back after drawing)."""
        index = self.digit_index.value()
        return self.load_digit(self._split(), index if index >= 0 else self._last_index, self._source())

    def _index_chosen(self, index: int) -> None:
        if index >= 0:
            self.load_digit(self._split(), index, self._source())

    def note_edit(self, *_args) -> None:
        """The changes until :meth:`end_edit` keep the picture (a stroke, one pixel, a shift, an inversion)."""
        self._editing = True

    def end_edit(self, *_args) -> None:
        self._editing = False

    def show_digit(self, replaced: bool = False) -> None:
        """Name what the image is: a digit (label, set, part, index), an edited digit, or nothing.

        A message of ours about another digit is replaced or withdrawn, so that no caption names a
        digit that is not on the grid. ``replaced``: the image came from elsewhere (a session, a
        lesson scene), so it is no edit of the digit shown before.
        """
        digit = self.document.session.digit
        if digit is not None:
            self._edited = digit
            self.digit_label.setText(f"label {digit.label}")
            if digit.source in DIGIT_SOURCES:
                self._show_digit_choice(digit.source, digit.split, digit.index)
            else:
                self._show_no_index()  # a digit of a folder: not one the boxes can name
            if digit != self._described:
                self._described = digit
                self._say(digit_caption(digit, self.document.session.grid_shape))
            return
        if replaced or not self._editing:
            self._edited = None
        self.digit_label.setText("label –" if self._edited is None else f"label – (edited {self._edited.label})")
        self._show_no_index()
        if self._described is not None:
            self._described = None
            self._say("")

    def _show_no_index(self) -> None:
        self.digit_index.blockSignals(True)
        self.digit_index.setValue(-1)
        self.digit_index.blockSignals(False)

    def _show_digit_choice(self, source: str, split: str, index: int) -> None:
        """Set the source, split and index boxes without loading anything."""
        self._select_source(source)
        self.digit_split.blockSignals(True)
        self.digit_split.setCurrentIndex(self.digit_split.findData(split))
        self.digit_split.blockSignals(False)
        self._update_digit_range()  # first, or a larger index than the old split holds would be clamped
        self.digit_index.blockSignals(True)
        self.digit_index.setValue(index)
        self.digit_index.blockSignals(False)
        self._last_index = index

    def _split(self) -> str:
        return self.digit_split.currentData()

    def _source(self) -> str:
        return self.digit_source.currentData()

    def refresh_digit_sources(self) -> None:
        """Offer "Full MNIST" exactly while it is downloaded (or already loaded here)."""
        loaded = self.digits.loaded("full") is not None or "load full" in self._tasks
        available = loaded or mnist_download.full_mnist_available()
        index = self.digit_source.findData("full")
        if available and index < 0:
            self.digit_source.addItem(DIGIT_SOURCES["full"], "full")
        elif not available and index >= 0:
            self.digit_source.removeItem(index)  # back on "Bundled" if it was chosen

    def _select_source(self, source: str) -> None:
        if self.digit_source.findData(source) < 0:
            self.digit_source.addItem(DIGIT_SOURCES[source], source)
        self.digit_source.blockSignals(True)
        self.digit_source.setCurrentIndex(self.digit_source.findData(source))
        self.digit_source.blockSignals(False)

    def _source_chosen(self) -> None:
        """A new source: its digit range (bundled loads now, the full MNIST starts loading)."""
        if self._source() != "full":
            self._pending_digit = None
        if self._digit_set(self._source()) is not None:
            self._update_digit_range()

    def _digit_set(self, source: str) -> Digits | None:
        """The digits of ``source`` if they are loaded; None while the full MNIST loads or on failure.

        The bundled subset loads here and now (a fraction of a second); the full MNIST loads in a
        background task, after which :meth:`_full_loaded` shows the digit asked for meanwhile.
        """
        digits = self.digits.loaded(source)
        if digits is not None:
            return digits
        if source == "full":
            self._say("Loading full MNIST…")
            if "load full" not in self._tasks:
                self._tasks.launch("load full", lambda: self.digits.get("full"), self._full_loaded)
            return None
        if self._bundled_error is None:
            try:
                self.digits.get("bundled")
            except (OSError, ValueError) as exc:
                self._bundled_error = f"The MNIST digits cannot be loaded: {exc}"
        if self._bundled_error is not None:
            self._say(self._bundled_error, error=True)
        return self.digits.loaded("bundled")

    def _full_loaded(self, task: BackgroundTask) -> None:
        pending, self._pending_digit = self._pending_digit, None
        if task.error is not None:
            self._say(f"The full MNIST cannot be loaded: {task.error}", error=True)
            self.refresh_digit_sources()
            if self._source() == "full":
                self._select_source("bundled")
                self._source_chosen()
            return
        digits = task.result
        if self._source() == "full":
            self._update_digit_range()
        if pending is not None:
            self.load_digit(*pending, source="full")
        else:
            self._say(f"Full MNIST loaded: {digits.num_train:,} training and {digits.num_test:,} test digits.")

    def _update_digit_range(self) -> None:
        digits = self.digits.loaded(self._source())
        if digits is None:
            return
        images = digits.test_images if self._split() == "test" else digits.train_images
        self.digit_index.blockSignals(True)
        self.digit_index.setMaximum(max(0, len(images) - 1))
        self.digit_index.blockSignals(False)

    def load_digit(self, split: str = "test", index: int = 0, source: str = "bundled") -> str | None:
        """Put digit ``index`` of the ``split`` ("test"/"train") set of ``source`` on the grid.

        ``source`` is "bundled" (the subset shipped with the app) or "full" (the downloaded MNIST).
        Returns an error message, or None: done, or for a full MNIST not loaded yet, started in
        the background (the digit appears once it is loaded; a later request replaces this one).
        """
        if split not in SPLITS:
            message = f"Choose digits from {' or '.join(repr(key) for key in SPLITS)}, not {split!r}."
            self._say(message, error=True)
            return message
        if source not in DIGIT_SOURCES:
            message = f"Choose the digits of {' or '.join(repr(key) for key in DIGIT_SOURCES)}, not {source!r}."
            self._say(message, error=True)
            return message
        waiting = source == "full" and self.digits.loaded(source) is None
        self._pending_digit = (split, index) if waiting else None  # the newest request wins
        if waiting:
            self._select_source("full")
            self._digit_set("full")
            return None
        digits = self._digit_set(source)
        if digits is None:
            return self._message
        images, labels = (
            (digits.test_images, digits.test_labels) if split == "test" else (digits.train_images, digits.train_labels)
        )
        if not 0 <= index < len(images):
            message = f"The {SPLITS[split].lower()} has digits 0 to {len(images) - 1}, not {index}."
            self._say(message, error=True)
            return message
        self._show_digit_choice(source, split, index)
        shape = self.document.session.grid_shape
        image = resample(np.asarray(images[index], np.float32), shape)
        label = int(labels[index])
        name = "MNIST" if source == "bundled" else "Full MNIST"
        self.document.edit_image(np.clip(image, 0.0, 1.0), f"{name} {split} digit #{index} (label {label})")
        self.document.name_digit(DigitRef(source, split, index, label))  # shown and said by show_digit
        return None

    def next_digit(self) -> None:
        digits = self._digit_set(self._source())
        if digits is not None:
            count = digits.num_test if self._split() == "test" else digits.num_train
            current = self.digit_index.value() if self.digit_index.value() >= 0 else self._last_index
            self.load_digit(self._split(), (current + 1) % count, self._source())


def digit_caption(digit: DigitRef, shape: tuple[int, ...]) -> str:
    """``MNIST test digit #607: a handwritten 7.``, saying when it was scaled to another grid."""
    name = {"bundled": "MNIST", "full": "Full MNIST"}.get(digit.source, "Digit set")
    note = "" if tuple(shape) == (28, 28) else f", scaled from 28x28 to {shape[0]}x{shape[1]}"
    return f"{name} {digit.split} digit #{digit.index}: a handwritten {digit.label}{note}."
