"""How long a single-pixel edit takes to reach the screen in the feature maps (not a test).

Drives the real :class:`FeatureMapsView` offscreen over the default network on a 28x28 digit: for
each of 300 single-pixel edits it measures from ``document.paint`` to the view having processed
``result_ready`` (forward pass in the worker thread included) and repainted synchronously, then
prints the median and 95th percentile in milliseconds. The target is p95 <= 16 ms (one frame).

Run: ``python benchmarks/feature_maps_redraw.py [--edits 300] [--width 700] [--height 600] [--profile]``
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
from PySide6.QtCore import QEvent, QEventLoop, QObject, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=300)
    parser.add_argument("--width", type=int, default=700)
    parser.add_argument("--height", type=int, default=600)
    parser.add_argument("--scroll", type=float, default=0.0, help="scroll position 0..1 of the maps")
    parser.add_argument("--zoom", type=float, default=1.0)
    parser.add_argument("--scaling", default="layer", choices=("layer", "channel", "global"))
    parser.add_argument("--profile", action="store_true", help="print a cProfile of the UI thread")
    args = parser.parse_args()

    app = QApplication.instance() or QApplication([])
    from cnn_desktop.session import Session
    from cnn_desktop.ui.app import first_test_digit
    from cnn_desktop.ui.document import SessionDocument
    from cnn_desktop.ui.feature_maps import FeatureMapsView

    document = SessionDocument(Session(image=first_test_digit()))
    view = FeatureMapsView(document)
    view.resize(args.width, args.height)
    view.show()
    view.set_zoom(args.zoom)
    view.set_scaling(args.scaling)
    wait_for(document, view, document.session.version)
    bar = view.canvas.verticalScrollBar()
    bar.setValue(round(args.scroll * bar.maximum()))
    app.processEvents()

    paints = PaintCounter()
    view.canvas.viewport().installEventFilter(paints)
    rng = np.random.default_rng(0)
    timings = []
    forced = 0
    profiler = None
    if args.profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    document.begin_stroke()
    for _ in range(args.edits):
        row, col = rng.integers(0, 28, 2)
        start = time.perf_counter()
        document.paint(np.array([row]), np.array([col]), np.array([rng.random()], np.float32))
        paints.count = 0
        wait_for(document, view, document.session.version)
        if paints.count == 0:  # not painted yet within the event loop: force the repaint now
            view.canvas.viewport().repaint()
            forced += 1
        timings.append((time.perf_counter() - start) * 1000)
    document.end_stroke()
    if profiler is not None:
        profiler.disable()
        import pstats

        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
    document.shutdown()

    timings_ms = np.array(timings)
    p50, p95 = np.percentile(timings_ms, [50, 95])
    print(
        f"feature maps redraw, {args.edits} single-pixel edits, {args.width}x{args.height}, zoom {args.zoom}, "
        f"scaling {args.scaling}: p50 {p50:.2f} ms, p95 {p95:.2f} ms, max {timings_ms.max():.2f} ms "
        f"({args.edits - forced} repainted by the event loop, {forced} by a forced repaint)"
    )
    return 0 if p95 <= 16 else 1


class PaintCounter(QObject):
    """Counts the paint events of the maps' canvas, so each edit is timed up to one real repaint."""

    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if event.type() == QEvent.Type.Paint:
            self.count += 1
        return False


def wait_for(document, view, version: int, timeout_ms: int = 5000) -> None:
    """Run the event loop until ``view`` has shown the result of ``version``."""
    if view.shown_version == version:
        return
    loop = QEventLoop()

    def check(result) -> None:
        if result.version == version:
            loop.quit()

    document.result_ready.connect(check)  # connected after the view's slot, so it runs after it
    QTimer.singleShot(timeout_ms, loop.quit)
    loop.exec()
    document.result_ready.disconnect(check)
    if view.shown_version != version:
        raise RuntimeError(f"no result for version {version} within {timeout_ms} ms")


if __name__ == "__main__":
    sys.exit(main())
