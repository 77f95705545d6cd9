"""Which digits to train on (bundled subset, full MNIST, a folder), and that digit set loaded.

The "Digits" group of the training panel. The full MNIST may not be on disk yet: the group checks
in the background, offers the download when it is missing, and says where the files are. Digit
sets load in the background once into the app's :class:`~cnn_desktop.state.digit_library.DigitLibrary`,
so a second run (or a digit the image editor loaded) starts at once.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QFileDialog, QGroupBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from ...data import download as mnist_download
from ...data.datasets import Digits
from ...state.digit_library import DigitLibrary
from ..task_poller import TaskPoller
from ..workers import BackgroundTask
from .download_section import MNIST_MB, DownloadSection

SOURCES = (
    ("bundled", "Bundled subset (4,000 train / 1,000 test)"),
    ("full", "Full MNIST (60,000 train / 10,000 test)"),
    ("folder", "MNIST files in a folder…"),
)

DigitsCallback = Callable[[Digits], None]


class DigitSourcePanel(QGroupBox):
    """The source choice, the folder button, the download section and a line about the digits."""

    download_ended = Signal(str, str)  # what to tell about the download, "success" / "info" / "error"
    load_failed = Signal(str)  # why the digits of a source could not be loaded

    def __init__(self, poller: TaskPoller, digits: DigitLibrary | None = None, parent: QWidget | None = None) -> None:
        super().__init__("Digits", parent)
        self._poller = poller
        self.digits = digits or DigitLibrary()
        self._folder: str | None = None
        self._full_available: bool | None = None  # None until the background check has answered
        self._waiting: dict[str, list[DigitsCallback]] = {}  # source key -> what to do once it is loaded

        self.source_box = QComboBox()
        for key, text in SOURCES:
            self.source_box.addItem(text, key)
        self.source_box.setToolTip(
            "Which handwritten digits to train on: the bundled subset (no download), the full MNIST\n"
            f"(download it once, about {MNIST_MB:.0f} MB) or the four MNIST files in a folder of your own"
        )
        self.folder_button = QPushButton("Choose &folder…")
        self.folder_button.setToolTip("Pick a folder holding the four MNIST IDX files (gzipped or not)")
        self.download = DownloadSection(poller)
        self.data_label = QLabel("")
        self.data_label.setWordWrap(True)

        source_row = QHBoxLayout()
        source_row.addWidget(self.source_box, 1)
        source_row.addWidget(self.folder_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addLayout(source_row)
        layout.addWidget(self.download)
        layout.addWidget(self.data_label)

        self.source_box.activated.connect(lambda _: self._source_chosen())
        self.folder_button.clicked.connect(self.choose_folder)
        self.download.download_started.connect(self._download_started)
        self.download.status_changed.connect(self.data_label.setText)
        self.download.download_ended.connect(self._download_ended)
        self._show_source()

    @property
    def full_available(self) -> bool | None:
        """Whether the full MNIST is downloaded and verified; None while that is not known yet."""
        return self._full_available

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
            self.load(self._folder, None)
        self._show_source()

    def choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Folder with the MNIST files", self._folder or str(Path.home()))
        if folder:
            self.set_source(folder)
        else:
            self._show_source()

    def load(self, key: str, then: DigitsCallback | None) -> None:
        """Have the digits of ``key`` loaded (in the background unless cached), then call ``then``."""
        loaded = self.digits.loaded(key)
        if loaded is not None:
            if then is not None:
                then(loaded)
            return
        waiting = self._waiting.setdefault(key, [])
        if then is not None:
            waiting.append(then)
        if f"load {key}" in self._poller:
            return  # already loading: ``then`` runs when it is done

        def loaded(task: BackgroundTask) -> None:
            callbacks = self._waiting.pop(key, [])
            if task.error is not None:
                message = f"Cannot load the digits: {task.error}"
                if key == self._folder:
                    self.data_label.setText(message)
                self.load_failed.emit(message)
                return
            self._show_source()
            for callback in callbacks:
                callback(task.result)

        self._poller.launch(f"load {key}", lambda: self.digits.get(key), loaded)

    def _source_chosen(self) -> None:
        if self.source_box.currentData() == "folder" and self._folder is None:
            self.choose_folder()
        self._show_source()

    def _show_source(self) -> None:
        key = self.source_box.currentData()
        self.folder_button.setVisible(key == "folder")
        downloading = self.download.downloading
        if key == "full" and self._full_available is None and "check" not in self._poller:
            self.data_label.setText("Checking the downloaded MNIST files…")
            self._poller.launch("check", lambda: mnist_download.full_mnist_available(), self._check_ended)
        self.download.setVisible(downloading or (key == "full" and self._full_available is False))
        self.download.show_controls()
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
        elif self.digits.loaded(self._folder) is not None:
            digits = self.digits.loaded(self._folder)
            self.data_label.setText(f"{self._folder}: {digits.num_train:,} training, {digits.num_test:,} test digits.")
        else:
            self.data_label.setText(f"{self._folder}")

    def _check_ended(self, task: BackgroundTask) -> None:
        self._full_available = bool(task.result) if task.error is None else False
        self._show_source()

    def _download_started(self) -> None:
        self._show_source()
        self.data_label.setText("Downloading the full MNIST…")

    def _download_ended(self, downloaded: bool, text: str, kind: str) -> None:
        if downloaded:
            self._full_available = True
        self.download_ended.emit(text, kind)
        self._show_source()
