"""Leave the UI thread a core of its own: one BLAS thread and a short interpreter-lock turn.

Both settings are process-wide (OpenBLAS keeps one thread count for the whole process, and a
thread-local limit does not exist in its pthreads build), so the window sets them once at start-up
and the command line's training, which has no UI to keep responsive, keeps the defaults.

* **One BLAS thread.** The compute worker's products for one image are small, and OpenBLAS's
  helper threads keep spinning for a while after each product: on two cores they took the UI
  thread's core while it drew (64x64 pipeline, one run each at load average 2.4 on two cores: p95
  of edit-to-redraw 107 ms with two BLAS threads, 17 ms with one). The engine's training step
  splits large batches between its own threads instead, so training keeps its speed.
* **A 1 ms switch interval.** While the training or compute thread runs Python between NumPy
  calls it holds the interpreter lock; a UI thread that wants it back waits up to the switch
  interval (5 ms by default) every time it has let it go, several times per redraw (4 interleaved
  rounds against 5 ms: p95 10.7 against 11.9 ms idle, 24.2 against 29.2 ms while training).
"""

from __future__ import annotations

import sys

from threadpoolctl import threadpool_limits

BLAS_THREADS = 1
SWITCH_INTERVAL_S = 0.001


def share_cores_with_ui() -> None:
    """Apply both settings for the rest of the process (idempotent)."""
    threadpool_limits(limits=BLAS_THREADS, user_api="blas")
    sys.setswitchinterval(SWITCH_INTERVAL_S)
