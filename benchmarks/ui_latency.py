"""Edit-to-redraw latency of the real main window, driven offscreen like a user would (not a test).

For each of ``--edits`` single-pixel edits, a real mouse press and release on a cell of the pixel
editor; the clock runs until the feature maps and the class probabilities have shown the result
of that edit (forward pass in the worker thread included) and the maps' canvas has repainted.
Prints p50/p95 in milliseconds for the default MNIST network on a 28x28 digit. Target: p95 <= 16 ms.

Run: ``python benchmarks/ui_latency.py [--edits 300] [--size 1500x920] [--scaling layer]``
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
from PySide6.QtCore import QEvent, QEventLoop, QObject, QPoint, QSettings, Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402


class PaintCounter(QObject):
    """Counts paint events of a widget, so each edit is timed up to one real repaint."""

    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if event.type() == QEvent.Type.Paint:
            self.count += 1
        return False


def wait_until(condition, timeout_ms: int = 5000) -> None:
    """Run the event loop until ``condition()`` holds (checked after every batch of events)."""
    deadline = time.perf_counter() + timeout_ms / 1000
    loop = QEventLoop()
    while not condition():
        if time.perf_counter() > deadline:
            raise TimeoutError("the window did not show the edit in time")
        loop.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents, 5)


def build_window(size: tuple[int, int], scaling: str):
    from cnn_desktop.session import Session
    from cnn_desktop.ui.app import create_application, first_test_digit
    from cnn_desktop.ui.document import SessionDocument
    from cnn_desktop.ui.main_window import MainWindow

    app = create_application()
    settings = QSettings(str(Path(tempfile.mkdtemp()) / "bench.ini"), QSettings.Format.IniFormat)
    window = MainWindow(SessionDocument(Session(image=first_test_digit())), settings)
    window.resize(*size)
    window.show()
    window.set_scaling(scaling)
    return app, window


def measure_edits(window, edits: int, seed: int = 0) -> np.ndarray:
    """Milliseconds from a real click on a pixel to the maps and probabilities showing it."""
    document, grid = window.document, window.pixel_editor.grid
    canvas = window.maps.canvas.viewport()
    paints = PaintCounter()
    canvas.installEventFilter(paints)
    wait_until(lambda: window.maps.shown_version == document.session.version)
    rng = np.random.default_rng(seed)
    timings = []
    for _ in range(edits):
        row, col = (int(v) for v in rng.integers(4, 24, 2))
        centre = grid.cell_rect(row, col).center()
        point = QPoint(int(centre.x()), int(centre.y()))
        button = Qt.MouseButton.LeftButton if document.session.image[row, col] < 0.5 else Qt.MouseButton.RightButton
        start = time.perf_counter()
        QTest.mousePress(grid, button, Qt.KeyboardModifier.NoModifier, point)
        QTest.mouseRelease(grid, button, Qt.KeyboardModifier.NoModifier, point)
        version = document.session.version
        paints.count = 0
        wait_until(lambda v=version: window.maps.shown_version == v and document.latest.version == v)
        if paints.count == 0:
            canvas.repaint()  # Qt had not yet painted: count the paint itself, synchronously
        timings.append((time.perf_counter() - start) * 1000)
    return np.array(timings)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=300)
    parser.add_argument("--size", default="1500x920", help="window size WxH")
    parser.add_argument("--scaling", default="layer", choices=("layer", "channel", "global"))
    args = parser.parse_args()
    width, height = (int(v) for v in args.size.lower().split("x"))

    app, window = build_window((width, height), args.scaling)
    timings = measure_edits(window, args.edits)
    window.close()
    app.processEvents()
    p50, p95 = np.percentile(timings, [50, 95])
    print(
        f"edit-to-redraw, main window {width}x{height}, default MNIST network, {args.edits} pixel clicks: "
        f"p50 {p50:.2f} ms, p95 {p95:.2f} ms, max {timings.max():.2f} ms (target p95 <= 16 ms)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
