"""Hand the results of background calls back to the UI thread, polled a few times a second.

A :class:`~cnn_desktop.ui.workers.BackgroundTask` only writes its own fields; a widget must
never be touched from its thread. :class:`TaskPoller` runs named tasks and, from a QTimer in the
UI thread, calls each one's ``on_tick`` while it runs (to show progress) and its ``on_done`` once
it has ended. The timer only runs while some task does.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer

from .workers import BackgroundTask

POLL_MS = 100  # the UI takes progress and results from the workers at most this often

TaskCallback = Callable[[BackgroundTask], None]


class TaskPoller(QObject):
    """Named background tasks (at most one per name) finished in the UI thread.

    After :meth:`shutdown` it launches nothing more, so a closing widget starts no new thread.
    """

    def __init__(self, parent: QObject | None = None, interval_ms: int = POLL_MS) -> None:
        super().__init__(parent)
        self.closed = False
        self._tasks: dict[str, tuple[BackgroundTask, TaskCallback, Callable[[], None] | None]] = {}
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.poll)

    def __contains__(self, key: str) -> bool:
        """True from :meth:`launch` until ``on_done`` has been called for ``key``."""
        return key in self._tasks

    def launch(
        self, key: str, function: Callable[[], object], on_done: TaskCallback, on_tick: Callable[[], None] | None = None
    ) -> None:
        """Run ``function`` in a thread named ``cnn-desktop <key>``; nothing after :meth:`shutdown`."""
        if self.closed:
            return
        task = BackgroundTask(function, f"cnn-desktop {key}")
        self._tasks[key] = (task, on_done, on_tick)
        task.start()
        if not self._timer.isActive():
            self._timer.start()

    def poll(self) -> None:
        """Show every task's progress, then finish the ones that ended (in launch order)."""
        for _, _, on_tick in list(self._tasks.values()):
            if on_tick is not None:
                on_tick()
        for key, (task, on_done, _) in list(self._tasks.items()):
            if task.done:
                del self._tasks[key]
                on_done(task)
        if not self._tasks:
            self._timer.stop()

    def shutdown(self, seconds: float) -> None:
        """Launch nothing more and wait up to ``seconds`` in all for the running calls to end.

        Stop each call through its own means first (a stop flag, a cancel event); a call that
        cannot be interrupted is left to its daemon thread, and its ``on_done`` never runs.
        """
        self.closed = True
        self._timer.stop()
        deadline = time.perf_counter() + seconds
        for task, _, _ in list(self._tasks.values()):
            task.join(deadline - time.perf_counter())
        self._tasks.clear()
