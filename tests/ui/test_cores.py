"""The window leaves the UI thread a core: one BLAS thread and a short interpreter-lock turn."""

from __future__ import annotations

import sys

from threadpoolctl import threadpool_info

from cnn_desktop.ui.app import create_application
from cnn_desktop.ui.cores import SWITCH_INTERVAL_S


def test_starting_the_application_limits_blas_and_the_switch_interval(qapp):
    create_application()
    blas = [pool for pool in threadpool_info() if pool["user_api"] == "blas"]
    assert blas and all(pool["num_threads"] == 1 for pool in blas)
    assert sys.getswitchinterval() == SWITCH_INTERVAL_S
