"""The computation one edit costs, this checkout against another, without the event loop (not a test).

Drives the real ``SessionDocument`` with its compute worker called synchronously (no thread), so
each measured step is exactly the work one edit causes: the document's snapshot of the session on
the UI thread plus the worker's computation of the result. Three kinds of edit on the default MNIST
network and a 28x28 digit, microseconds per edit:

* ``paint``: one pixel painted, nothing selected;
* ``paint_sel``: one pixel painted while a unit is selected and the player traces another;
* ``select``: the selection moves to another unit (a click, or hover), the image unchanged.

Every checkout runs in its own processes, interleaved over several rounds (``interleave.py``).
Make the other checkout with e.g. ``git archive <commit> cnn_desktop resources | tar -x -C DIR``.

Run: ``python benchmarks/compute_per_edit.py --before DIR [--rounds 5] [--edits 400]``
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent))

from interleave import REPOSITORY, first_test_digit, load_average, print_summary, run_interleaved, use_checkout  # noqa: E402

use_checkout(sys.argv)


class InlineThread:
    """Stands in for the worker thread: the worker lives on this thread, so a submit computes at once."""

    def __init__(self, worker, name: str, parent=None) -> None:
        self.worker = worker

    def start(self) -> None:
        pass

    def stop(self, timeout_ms: int = 2000) -> bool:
        return True


def median_us(step, count: int) -> float:
    timings = []
    for index in range(count):
        start = time.perf_counter()
        step(index)
        timings.append(time.perf_counter() - start)
    return statistics.median(timings) * 1e6


def child(edits: int) -> dict[str, float]:
    import numpy as np
    from PySide6.QtGui import QGuiApplication

    from cnn_desktop.engine import Unit
    from cnn_desktop.session import Session
    from cnn_desktop.ui import document as document_module

    app = QGuiApplication.instance() or QGuiApplication([])
    document_module.WorkerThread = InlineThread
    document = document_module.SessionDocument(Session(image=first_test_digit()))
    results = []
    document.result_ready.connect(results.append)
    rng = np.random.default_rng(0)
    cells = rng.integers(4, 24, (edits, 2))

    def paint(index: int) -> None:
        row, col = cells[index]
        value = np.float32(1.0 - document.session.image[row, col])
        document.paint(np.array([row]), np.array([col]), np.array([value]))

    def select(index: int) -> None:
        document.select(Unit(6, index % 16, (index // 16) % 5, index % 5))

    figures = {}
    for _ in range(2):  # the first round warms caches and the allocator; the second is kept
        figures["paint"] = median_us(paint, edits)
    document.select(Unit(6, 3, 2, 2))
    document.trace(Unit(1, 4, 13, 13))
    figures["paint_sel"] = median_us(paint, edits)
    figures["select"] = median_us(select, edits)
    if not results or results[-1].version != document.session.version:
        raise RuntimeError("the worker did not compute the edits")
    del app
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", type=Path, help="the other checkout (a folder holding cnn_desktop/)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--edits", type=int, default=400)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--source", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.edits)))
        return 0
    checkouts = {"after": REPOSITORY} if args.before is None else {"before": args.before, "after": REPOSITORY}
    print(f"compute per edit, default MNIST network, 28x28 digit, {args.edits} edits x {args.rounds} rounds")
    print(f"load average before: {load_average()}")
    figures = run_interleaved(Path(__file__).resolve(), checkouts, ["--edits", str(args.edits)], args.rounds)
    print("median per edit over rounds (lowest - highest round):")
    medians = print_summary(figures, "us")
    if "before" in medians:
        ratios = ", ".join(f"{key} {medians['before'][key] / medians['after'][key]:.1f}x" for key in medians["after"])
        print(f"before / after: {ratios}")
    print(f"load average after: {load_average()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
