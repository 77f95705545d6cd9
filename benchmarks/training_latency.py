"""Is the UI still responsive while the network trains in the background? (not a test)

Drives the real :class:`TrainingPanel` offscreen on the bundled digits, next to the views a
lecturer watches (feature maps, class probabilities and the kernel editor, which redraw whenever
trained weights arrive), and measures twice: first with no training, then while training runs.

* UI event latency: a precise QTimer asks to fire every 10 ms; how much later than that each tick
  comes is the time the UI thread could not react (p50 / p95 / max in ms).
* Edit-to-redraw latency: every 100 ms one pixel is painted through ``document.paint``; the time
  until ``result_ready`` for that state (or a newer one) has been delivered to the views and to
  this script (forward pass in the compute thread and the views' redraw included).

Target while training: p95 <= 50 ms for both. Also prints the training speed (steps per second)
reached meanwhile, so the cost of a responsive UI on training is visible.

Run: ``python benchmarks/training_latency.py [--seconds 6] [--panel-only] [--batch-size 32]``
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402
from PySide6.QtCore import QElapsedTimer, QEventLoop, Qt, QTimer  # noqa: E402


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def wait(milliseconds: int) -> None:
    loop = QEventLoop()
    QTimer.singleShot(milliseconds, loop.quit)
    loop.exec()


class Probe:
    """Measures timer lateness and edit-to-redraw latency for ``seconds`` of a running event loop."""

    def __init__(self, document) -> None:
        self.document = document
        self.clock = QElapsedTimer()
        self.lateness: list[float] = []
        self.redraws: list[float] = []
        self._last_tick: float | None = None
        self._pending: tuple[int, float] | None = None  # (version painted, when)
        self._value = 1.0
        document.result_ready.connect(self._result_delivered)  # after the views' own slots

    def now(self) -> float:
        return self.clock.nsecsElapsed() / 1e6

    def run(self, seconds: float) -> None:
        self.lateness, self.redraws = [], []
        self.clock.start()
        self._last_tick = None
        ticker = QTimer()
        ticker.setTimerType(Qt.TimerType.PreciseTimer)
        ticker.setInterval(10)
        ticker.timeout.connect(self._tick)
        editor = QTimer()
        editor.setInterval(100)
        editor.timeout.connect(self._edit)
        ticker.start()
        editor.start()
        wait(int(seconds * 1000))
        ticker.stop()
        editor.stop()
        wait(300)  # let the last edit arrive

    def _tick(self) -> None:
        now = self.now()
        if self._last_tick is not None:
            self.lateness.append(max(0.0, now - self._last_tick - 10.0))
        self._last_tick = now

    def _edit(self) -> None:
        if self._pending is not None:
            return  # the previous edit has not reached the screen yet: counted when it does
        self._value = 1.0 - self._value
        self.document.begin_stroke()
        self.document.paint(np.array([14]), np.array([14]), np.array([self._value], np.float32))
        self.document.end_stroke("benchmark pixel")
        self._pending = (self.document.session.version, self.now())

    def _result_delivered(self, result) -> None:
        if self._pending is not None and result.version >= self._pending[0]:
            self.redraws.append(self.now() - self._pending[1])
            self._pending = None

    def report(self, title: str) -> str:
        late, redraw = self.lateness, self.redraws
        return (
            f"{title:<18} UI event latency p50 {statistics.median(late):6.1f} ms  p95 {percentile(late, 0.95):6.1f} ms"
            f"  max {max(late):6.1f} ms ({len(late)} ticks) | edit-to-redraw p50 {statistics.median(redraw):6.1f} ms"
            f"  p95 {percentile(redraw, 0.95):6.1f} ms  max {max(redraw):6.1f} ms ({len(redraw)} edits)"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=6.0, help="length of each measurement")
    parser.add_argument("--panel-only", action="store_true", help="no feature maps / probabilities / kernel views")
    parser.add_argument("--batch-size", type=int, default=32)
    args = parser.parse_args()

    from cnn_desktop.session import Session
    from cnn_desktop.state.digit_library import DigitLibrary
    from cnn_desktop.ui.app import create_application
    from cnn_desktop.ui.document import SessionDocument

    app = create_application()  # as the app starts: its thread settings included
    from cnn_desktop.ui.training.training_panel import TrainingPanel

    document = SessionDocument(Session(image=DigitLibrary().first_test_digit()[0]))
    panel = TrainingPanel(document)
    panel.resize(450, 800)
    panel.show()
    views = [panel]
    if not args.panel_only:
        from cnn_desktop.ui.editors.kernel_editor import KernelEditor
        from cnn_desktop.ui.maps.feature_maps import FeatureMapsView
        from cnn_desktop.ui.maps.probabilities import ProbabilityView

        for view, size in (
            (FeatureMapsView(document), (700, 600)),
            (ProbabilityView(document), (350, 300)),
            (KernelEditor(document), (420, 520)),
        ):
            view.resize(*size)
            view.show()
            views.append(view)
    wait(500)
    probe = Probe(document)
    probe.run(1.0)  # warm-up: first paints, caches
    probe.run(args.seconds)
    idle = probe.report("idle")

    panel.settings_group.epochs_spin.setValue(1000)  # longer than the measurement: stopped below
    panel.settings_group.batch_spin.setValue(args.batch_size)
    panel.start()
    started = time.perf_counter()
    while panel.state != "running" and time.perf_counter() - started < 10:
        wait(20)
    wait(1000)  # past the first evaluation
    steps_before = _steps(panel)
    measured_from = time.perf_counter()
    probe.run(args.seconds)
    steps = _steps(panel) - steps_before
    speed = steps / (time.perf_counter() - measured_from)
    training = probe.report("while training")
    panel.stop()
    shutdown_from = time.perf_counter()
    panel.shutdown()
    shutdown_ms = 1000 * (time.perf_counter() - shutdown_from)
    document.shutdown()

    print(f"views: {', '.join(type(v).__name__ for v in views)}; batch size {args.batch_size}; {args.seconds:g} s each")
    print(idle)
    print(training)
    print(f"training speed while measured: {speed:.0f} steps/s; shutdown took {shutdown_ms:.0f} ms")
    del app
    return 0


def _steps(panel) -> int:
    return panel.last_event.step if panel.last_event is not None else 0


if __name__ == "__main__":
    raise SystemExit(main())
