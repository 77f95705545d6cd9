"""Newest request wins: at most one background call running and at most one waiting.

Views that recompute on every edit (saliency, the two-input comparison) hand each request here;
a request that arrives while a call runs replaces the one waiting, so painting never queues work.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject

from ..task_poller import TaskPoller
from ..workers import BackgroundTask


class LatestTask(QObject):
    """Runs ``work(request)`` in the background for the newest request; ``on_done(request, task)`` after."""

    def __init__(
        self,
        name: str,
        work: Callable[[object], object],
        on_done: Callable[[object, BackgroundTask], None],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.name, self.work, self.on_done = name, work, on_done
        self.poller = TaskPoller(self)
        self.pending: object | None = None
        self.running: object | None = None

    def submit(self, request: object) -> None:
        self.pending = request
        self._launch()

    @property
    def busy(self) -> bool:
        return self.running is not None or self.pending is not None

    def _launch(self) -> None:
        if self.name in self.poller or self.pending is None:
            return
        self.running, self.pending = self.pending, None
        request = self.running
        self.poller.launch(self.name, lambda: self.work(request), self._finished)

    def _finished(self, task: BackgroundTask) -> None:
        request, self.running = self.running, None
        self.on_done(request, task)
        self._launch()

    def shutdown(self) -> None:
        self.pending = None
        self.poller.shutdown(1.0)
