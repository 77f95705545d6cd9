"""The digit sets of a running app, each loaded once and shared read-only.

The pixel editor's digit picker, the training panel's digit source and the trainer all ask one
:class:`DigitLibrary` for ``"bundled"``, ``"full"`` or a folder, so the full MNIST (about 220 MB
as float32) is read from disk once and held once. :meth:`DigitLibrary.first_test_digit` is the
start-up picture of the window and of the lesson's MNIST scene. Qt-free and thread-safe: a worker
thread may load a set while the UI thread asks for another.
"""

from __future__ import annotations

import threading

import numpy as np

from ..data import datasets
from ..data.datasets import Digits
from .digit_ref import DigitRef

BUNDLED = "bundled"
MAX_OTHER_SETS = 2
"""Sets besides the bundled one kept at once (the full MNIST and one folder, say); the oldest goes."""


class DigitLibrary:
    """Digit sets by source (``"bundled"``, ``"full"`` or a folder path), loaded at first use."""

    def __init__(self) -> None:
        self._sets: dict[str, Digits] = {}
        self._lock = threading.Lock()
        self._loading: dict[str, threading.Lock] = {}  # one per source, so a set is never read twice at once

    def loaded(self, source: str) -> Digits | None:
        """The set of ``source`` if it is loaded already (never loads)."""
        with self._lock:
            return self._sets.get(source)

    def get(self, source: str) -> Digits:
        """The set of ``source``, loading it first if needed (blocks: load the full MNIST in a worker).

        Raises :class:`~cnn_desktop.data.datasets.DatasetError`, ``IdxError`` (both ValueErrors) or
        OSError when the set cannot be read; a failed load is tried again next time.
        """
        with self._lock:
            digits = self._sets.get(source)
            if digits is not None:
                return digits
            loading = self._loading.setdefault(source, threading.Lock())
        with loading:
            with self._lock:
                digits = self._sets.get(source)
            if digits is None:
                digits = datasets.load_digits(source)
                self._keep(source, digits)
        return digits

    def _keep(self, source: str, digits: Digits) -> None:
        with self._lock:
            self._sets[source] = digits
            others = [key for key in self._sets if key != BUNDLED]
            for key in others[: max(0, len(others) - MAX_OTHER_SETS)]:
                del self._sets[key]

    def first_test_digit(self) -> tuple[np.ndarray, DigitRef] | None:
        """The first bundled test digit ((28, 28) float32 copy) and which it is; None if unreadable."""
        try:
            digits = self.get(BUNDLED)
            return np.array(digits.test_images[0], np.float32), DigitRef(BUNDLED, "test", 0, int(digits.test_labels[0]))
        except (OSError, ValueError, IndexError):  # DatasetError and IdxError are ValueErrors
            return None
