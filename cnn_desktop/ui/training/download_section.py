"""Download the full MNIST from inside the app: a Download button, then progress, speed and Cancel.

:func:`cnn_desktop.data.download.download_mnist` runs in a background task and reports into a
:class:`DownloadMeter`; the task poller shows the newest figures about ten times a second.
What to say about it goes out as signals, so the section does not know where it is shown.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QProgressBar, QPushButton, QWidget

from ...data import download as mnist_download
from ..task_poller import TaskPoller
from ..workers import BackgroundTask

MNIST_MB = 11.6  # the four gzip files of the full MNIST, for the Download button


class DownloadMeter:
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


class DownloadSection(QWidget):
    """The Download button, or while downloading a progress bar (size, MB/s) and Cancel."""

    download_started = Signal()
    status_changed = Signal(str)  # what the download does now ("Downloading t10k-images… (3 of 4)")
    download_ended = Signal(bool, str, str)  # downloaded and verified?, what to tell, "success"/"info"/"error"

    def __init__(self, poller: TaskPoller, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._poller = poller
        self._cancel: threading.Event | None = None
        self._meter: DownloadMeter | None = None
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
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.download_button)
        layout.addWidget(self.download_bar, 1)
        layout.addWidget(self.cancel_button)
        self.download_button.clicked.connect(self.start)
        self.cancel_button.clicked.connect(self.cancel)

    @property
    def downloading(self) -> bool:
        return "download" in self._poller

    def show_controls(self) -> None:
        """The bar and Cancel while downloading, else the Download button."""
        downloading = self.downloading
        self.download_bar.setVisible(downloading)
        self.cancel_button.setVisible(downloading)
        self.download_button.setVisible(not downloading)

    def start(self) -> None:
        """Download the full MNIST in the background (not twice at once, nor once the app closes)."""
        if self.downloading or self._poller.closed:
            return
        self._cancel = cancel = threading.Event()
        self._meter = meter = DownloadMeter()
        self.download_bar.setValue(0)
        self.download_bar.setFormat("Connecting…")

        def fetch() -> Path:
            return mnist_download.download_mnist(progress=meter.report, cancel=cancel)

        self._poller.launch("download", fetch, self._ended, self._show_progress)
        self.download_started.emit()

    def cancel(self) -> None:
        """Ask the download to stop; ``download_ended`` follows once it has."""
        if self._cancel is not None:
            self._cancel.set()
            self.status_changed.emit("Cancelling the download…")

    def stop(self) -> None:
        """Cancel without a word: the app is closing."""
        if self._cancel is not None:
            self._cancel.set()

    def _show_progress(self) -> None:
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
        self.status_changed.emit(f"Downloading {name}{number}…")

    def _ended(self, task: BackgroundTask) -> None:
        self._cancel, self._meter = None, None
        error = task.error
        if error is None:
            self.download_ended.emit(True, f"The full MNIST is downloaded and checked ({task.result}).", "success")
        elif isinstance(error, mnist_download.DownloadCancelled):
            self.download_ended.emit(False, "Download cancelled: nothing half-downloaded was kept.", "info")
        elif isinstance(error, (mnist_download.DownloadError, OSError)):
            self.download_ended.emit(False, f"The download failed: {error}", "error")
        else:
            self.download_ended.emit(False, f"The download failed: {type(error).__name__}: {error}", "error")
