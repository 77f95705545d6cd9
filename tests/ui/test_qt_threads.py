"""The Qt binding survives what the app does all the time: queued signals from busy threads while
pyqtgraph paints and a model trains. PySide6 6.12.0 aborts the interpreter on this mix ("Fatal
Python error: bool_dealloc: deallocating True or False", or the same for None), exit code 134,
every run; hence the pin below 6.12 in pyproject.toml.

The work runs in a child process, so an abort fails this test instead of killing pytest.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_busy_cross_thread_signals_while_painting_and_training_do_not_abort():
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "OPENBLAS_NUM_THREADS": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "tests.ui.busy_threads", "2.0"],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, f"exit code {done.returncode}\n{done.stderr[-2000:]}"
    assert "Fatal Python error" not in done.stderr
    counts = json.loads(done.stdout.strip().splitlines()[-1])
    # every source of the mix really ran: paints, queued signals, compute results and training batches
    assert counts["paints"] >= 10 and counts["signals"] >= 1000
    assert counts["results"] >= 5 and counts["batches"] >= 5, counts
