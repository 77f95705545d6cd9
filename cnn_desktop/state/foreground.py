"""Work the user is waiting for, and background loops that step aside while it runs (Qt-free).

On two cores, training keeps one core busy; when an edit comes in, the compute worker's forward
pass and the UI thread's redraw then share the other core (and the interpreter lock) with
whatever else runs. The document marks the edit as foreground work until its result is shown,
and the training loop waits between two steps while it is marked: the edit gets the machine for
the few milliseconds it needs, and training loses only those milliseconds.

Between edits, the background thread also runs at a lower scheduling priority
(:func:`lower_this_thread`), so that whenever the cores are short the UI thread runs first.
"""

from __future__ import annotations

import os
import sys
import threading

LONGEST_WAIT_S = 0.05
"""A background loop never waits longer than this per step, even if an end is never marked."""

BACKGROUND_NICE = 10
"""Scheduling niceness of a background thread (0 is normal, 19 the lowest priority)."""


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


def lower_this_thread() -> bool:
    """Give the calling thread the niceness :data:`BACKGROUND_NICE` (never a higher priority than it has).

    Only on Linux, where niceness belongs to each thread; elsewhere it would apply to the whole
    process, UI thread included, so nothing is done. Returns True when the priority was lowered.
    A thread's priority cannot be raised again without privileges: call it in a thread that only
    does background work until it ends.
    """
    if not sys.platform.startswith("linux"):
        return False
    thread = threading.get_native_id()
    try:
        niceness = max(os.getpriority(os.PRIO_PROCESS, thread), BACKGROUND_NICE)
        os.setpriority(os.PRIO_PROCESS, thread, niceness)
    except OSError:  # not allowed here (a sandbox): the thread keeps its priority
        return False
    return True
