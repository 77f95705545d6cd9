"""The only module that starts threads: workers that keep the engine off the UI thread."""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable

import numpy as np
from PySide6.QtCore import QObject, QThread, Signal, Slot

from ..compute import Computer
from ..engine import Network, Unit


class ComputeWorker(QObject):
    """Runs forward passes in its own thread; edits that arrive meanwhile are coalesced.

    ``submit`` only stores the newest request and wakes the thread, so however fast the user
    paints, the worker computes the latest state once it is free and skips the ones in between.
    A request whose ``inputs_version`` is that of the last pass (only the selection or the traced
    unit changed) is answered from the stages it keeps, without running the network.
    """

    result_ready = Signal(object)  # ForwardResult
    failed = Signal(int, str)  # version, message
    _wake = Signal()

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self._latest: tuple | None = None
        self.computer = Computer()  # used by the worker thread only
        self._wake.connect(self._compute)

    def submit(
        self,
        version: int,
        inputs_version: int,
        image: np.ndarray,
        network: Network,
        selection: Unit | None,
        traced: Unit | None = None,
    ) -> None:
        """Queue a snapshot; the caller never writes into ``image`` or ``network`` again.

        ``inputs_version`` changes whenever ``image`` or ``network`` holds something new.
        """
        with self._lock:
            self._latest = (version, inputs_version, image, network, selection, traced)
        self._wake.emit()

    @Slot()
    def _compute(self) -> None:
        with self._lock:
            request, self._latest = self._latest, None
        if request is None:
            return
        try:
            result = self.computer.compute(*request)
        except Exception as exc:  # a worker never dies silently: the view shows the reason
            self.failed.emit(request[0], f"{type(exc).__name__}: {exc}")
            return
        self.result_ready.emit(result)


class WorkerThread(QThread):
    """A QThread that hosts one worker object and stops cleanly with the application."""

    def __init__(self, worker: QObject, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.worker = worker
        worker.moveToThread(self)
        self.finished.connect(worker.deleteLater)

    def stop(self, timeout_ms: int = 2000) -> bool:
        """Ask the event loop to end and wait for it; True when the thread is gone."""
        self.quit()
        return self.wait(timeout_ms)


class BackgroundTask:
    """One blocking call (training, a download, loading digits, a confusion matrix) in a daemon thread.

    Nothing crosses threads but this object's fields, written by the thread just before it ends: the
    UI polls :attr:`done` from a QTimer, then reads :attr:`result` or :attr:`error`. Polling keeps a
    busy thread from flooding the UI with queued signals, and a daemon thread never keeps the app
    alive if its call cannot be interrupted (stop the call through its own means first, then
    :meth:`join`).
    """

    def __init__(self, function: Callable[[], object], name: str) -> None:
        self._function = function
        self.name = name
        self.result: object = None
        self.error: BaseException | None = None
        self.error_details = ""  # the traceback text, for a dialog's "Show details"
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _run(self) -> None:
        try:
            self.result = self._function()
        except BaseException as exc:  # reported to the UI, never lost in a dying thread
            self.error = exc
            self.error_details = traceback.format_exc()

    @property
    def done(self) -> bool:
        """True once the call has returned or raised."""
        return self._thread.ident is not None and not self._thread.is_alive()

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    def join(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds for the call to end; True when the thread is gone."""
        if self._thread.ident is not None:
            self._thread.join(max(0.0, timeout))
        return not self._thread.is_alive()
