"""Work the user is waiting for, and background loops that step aside while it runs (Qt-free).

On two cores, training keeps one core busy; when an edit comes in, the compute worker's forward
pass and the UI thread's redraw then share the other core (and the interpreter lock) with
whatever else runs. The document marks the edit as foreground work until its result is shown,
and the training loop waits between two steps while it is marked: the edit gets the machine for
the few milliseconds it needs, and training loses only those milliseconds.
"""

from __future__ import annotations

import threading

LONGEST_WAIT_S = 0.05
"""A background loop never waits longer than this per step, even if an end is never marked."""


class Foreground:
    """A flag set by the UI thread while an edit's result is on its way; read by background loops."""

    def __init__(self, longest_wait_s: float = LONGEST_WAIT_S) -> None:
        self.longest_wait_s = longest_wait_s
        self._idle = threading.Event()
        self._idle.set()

    def begin(self) -> None:
        """Foreground work started (an edit was handed to the compute worker)."""
        self._idle.clear()

    def end(self) -> None:
        """The foreground work is done (its result was shown, or failed)."""
        self._idle.set()

    @property
    def busy(self) -> bool:
        return not self._idle.is_set()

    def step_aside(self) -> bool:
        """Called by a background loop between steps: wait while foreground work runs (bounded).

        Returns True when it had to wait.
        """
        if self._idle.is_set():
            return False
        self._idle.wait(self.longest_wait_s)
        return True
