"""Edit-to-redraw latency of the real main window, driven offscreen like a user would (not a test).

For each of ``--edits`` single-pixel edits (after ``--warmup`` more that are not counted), a real
mouse press and release on a cell of the pixel editor; the clock runs until the maps' canvas has
finished the first repaint after the feature maps and the class probabilities took the result of
that edit (forward pass in the worker thread included). The script waits in an event loop that a
paint of the canvas ends (no polling), so the figure is the app's, not the waiting's. Prints p50/p95
in milliseconds for each case:

* ``default``: the default MNIST network on a 28x28 digit;
* ``rgb``: the default layer sizes on a 28x28 colour (3-channel) digit, painted in colour on the picture;
* ``big``: conv 32 5x5, relu, conv 64 3x3, relu, maxpool 2, flatten, dense 10 on a 64x64 grid;
* ``training``: the default network while the training panel trains it on the bundled digits
  (training takes 28x28 digits only, so there is no ``big`` case while training).

Target: p95 <= 16 ms in every case. Each case runs in its own process.

With ``--before DIR`` it compares this checkout with another, each in its own processes,
interleaved over ``--rounds`` rounds (``interleave.py``), and prints medians with the spread.

Run: ``python benchmarks/ui_latency.py [--cases default,rgb,big,training] [--edits 300] [--size 1500x920]``
or ``python benchmarks/ui_latency.py --before DIR [--rounds 5] [--edits 150]``
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent))

from interleave import REPOSITORY, first_test_digit, load_average, print_summary, run_interleaved, use_checkout  # noqa: E402

use_checkout(sys.argv)

import numpy as np  # noqa: E402
from PySide6.QtCore import QEvent, QEventLoop, QObject, QPoint, QSettings, Qt, QTimer  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402

FALLBACK_MS = 50  # no repaint this long after the result was shown: force one (counted and reported)
CASES = ("default", "rgb", "big", "training")
BIG_SPEC = [
    {"type": "conv", "out_channels": 32, "kernel": 5},
    {"type": "relu"},
    {"type": "conv", "out_channels": 64, "kernel": 3},
    {"type": "relu"},
    {"type": "maxpool", "size": 2},
    {"type": "flatten"},
    {"type": "dense", "out_features": 10},
]


class RedrawWaiter(QObject):
    """Ends an event loop when the canvas has repainted after the maps showed a given version (or newer)."""

    def __init__(self, window, canvas) -> None:
        super().__init__()
        self.window, self.canvas = window, canvas
        self.loop = QEventLoop()
        self.version = -1
        self.painted = False
        self.forced = 0
        self._fallback = QTimer(singleShot=True, interval=FALLBACK_MS)
        self._fallback.timeout.connect(self._force_paint)
        canvas.installEventFilter(self)
        window.document.result_ready.connect(self._result_arrived)  # after the views' own slots

    def shown(self) -> bool:
        latest = self.window.document.latest
        # ">=": while training, trained weights make newer states that include the edit
        return self.window.maps.shown_version >= self.version and latest is not None and latest.version >= self.version

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if event.type() == QEvent.Type.Paint and self.shown():
            self.painted = True
            QTimer.singleShot(0, self.loop.quit)  # after this paint has been handled
        return False

    def _result_arrived(self, result) -> None:
        if self.shown():
            self._fallback.start()

    def _force_paint(self) -> None:
        if self.shown() and not self.painted:
            self.forced += 1
            self.canvas.repaint()

    def wait(self, version: int, timeout_ms: int = 5000) -> None:
        self.version, self.painted = version, False
        timeout = QTimer(singleShot=True, interval=timeout_ms)
        timeout.timeout.connect(self.loop.quit)
        timeout.start()
        if not (self.painted and self.shown()):
            if self.shown():  # the result came before this wait began: its paint may have passed too
                self._fallback.start()
            self.loop.exec()
        self._fallback.stop()
        if not timeout.isActive():
            raise TimeoutError("the window did not show the edit in time")
        timeout.stop()


def wait(milliseconds: int) -> None:
    loop = QEventLoop()
    QTimer.singleShot(milliseconds, loop.quit)
    loop.exec()


def first_session(case: str):
    """The session a case starts from: the first test digit, in orange for ``rgb``, stretched to 64x64 for ``big``."""
    from cnn_desktop.engine import MNIST_SPEC, Network
    from cnn_desktop.session import Session

    digit = first_test_digit()
    if case == "rgb":
        orange = np.stack([digit, 0.5 * digit, np.zeros_like(digit)]).astype(np.float32)
        return Session(image=orange, network=Network.from_spec(MNIST_SPEC, (3, 28, 28), seed=0))
    if case != "big":
        return Session(image=digit)
    rows = (np.arange(64) * digit.shape[0]) // 64
    image = np.ascontiguousarray(digit[rows][:, rows])
    return Session(image=image, network=Network.from_spec(BIG_SPEC, (1, 64, 64), seed=0))


def build_window(size: tuple[int, int], scaling: str, case: str = "default"):
    from cnn_desktop.ui.app import create_application
    from cnn_desktop.ui.document import SessionDocument
    from cnn_desktop.ui.main_window import MainWindow

    app = create_application()
    settings = QSettings(str(Path(tempfile.mkdtemp()) / "bench.ini"), QSettings.Format.IniFormat)
    window = MainWindow(SessionDocument(first_session(case)), settings)
    window.resize(*size)
    window.show()
    window.set_scaling(scaling)
    return app, window


def measure_edits(window, edits: int, seed: int = 0, warmup: int = 0) -> tuple[np.ndarray, int]:
    """Milliseconds from a real click on a pixel to the canvas repainted with it; and forced repaints.

    The first ``warmup`` edits are made the same way but not counted (first paints, caches, the
    window's own start-up work in the background).
    """
    document, grid = window.document, window.pixel_editor.grid
    waiter = RedrawWaiter(window, window.maps.canvas.viewport())
    wait(300)  # the window may change the session once more after it is shown (e.g. a selection)
    waiter.wait(document.session.version)
    rng = np.random.default_rng(seed)
    side = document.session.image.shape[-1]
    timings = []
    for _ in range(warmup + edits):
        row, col = (int(v) for v in rng.integers(side // 7, side - side // 7, 2))
        centre = grid.cell_rect(row, col).center()
        point = QPoint(int(centre.x()), int(centre.y()))
        ink = document.session.image[..., row, col].max()  # (H, W) grids before colour came, (d, H, W) since
        button = Qt.MouseButton.LeftButton if ink < 0.5 else Qt.MouseButton.RightButton
        start = time.perf_counter()
        QTest.mousePress(grid, button, Qt.KeyboardModifier.NoModifier, point)
        QTest.mouseRelease(grid, button, Qt.KeyboardModifier.NoModifier, point)
        waiter.wait(document.session.version)
        timings.append((time.perf_counter() - start) * 1000)
    return np.array(timings[warmup:]), waiter.forced


def start_training(window) -> None:
    """Start the training panel on the bundled digits (a run longer than the measurement)."""
    panel = window.training
    panel.settings_group.epochs_spin.setValue(1000)
    if panel.start() is not None:
        raise RuntimeError("training did not start")
    started = time.perf_counter()
    while panel.state != "running" and time.perf_counter() - started < 20:
        wait(20)
    if panel.state != "running":
        raise RuntimeError("training did not start in time")
    wait(1000)  # past the first evaluation


def child(size: tuple[int, int], scaling: str, edits: int, case: str, warmup: int) -> dict[str, float]:
    app, window = build_window(size, scaling, case)
    if case == "training":
        start_training(window)
    timings, forced = measure_edits(window, edits, warmup=warmup)
    if case == "training":
        window.training.stop()
        window.training.shutdown()
    window.close()
    app.processEvents()
    p50, p95 = np.percentile(timings, [50, 95])
    return {"p50": float(p50), "p95": float(p95), "max": float(timings.max()), "forced": forced}


CASE_TITLES = {
    "default": "default MNIST network, 28x28",
    "rgb": "default layer sizes, 28x28 RGB",
    "big": "conv 32 5x5 / conv 64 3x3 / pool / dense, 64x64",
    "training": "default MNIST network, 28x28, while training",
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", default=",".join(CASES), help=f"comma-separated, of {', '.join(CASES)}")
    parser.add_argument("--edits", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=20, help="edits made first and not counted")
    parser.add_argument("--size", default="1500x920", help="window size WxH")
    parser.add_argument("--scaling", default="layer", choices=("layer", "channel", "global"))
    parser.add_argument("--before", type=Path, help="compare with this checkout (a folder holding cnn_desktop/)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--source", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    width, height = (int(v) for v in args.size.lower().split("x"))
    cases = [case for case in args.cases.split(",") if case]
    if any(case not in CASES for case in cases):
        parser.error(f"cases are {', '.join(CASES)}")
    if args.child:
        print(json.dumps(child((width, height), args.scaling, args.edits, cases[0], args.warmup)))
        return 0
    print(
        f"edit-to-redraw, main window {width}x{height}, {args.edits} pixel clicks after {args.warmup} not counted; "
        "target p95 <= 16 ms"
    )
    for case in cases:
        what = CASE_TITLES[case]
        if args.before is None:
            command = [sys.executable, str(Path(__file__).resolve()), "--child", "--cases", case]
            command += ["--edits", str(args.edits), "--warmup", str(args.warmup), "--size", args.size]
            command += ["--scaling", args.scaling]
            output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
            figures = json.loads(output.strip().splitlines()[-1])
            print(
                f"{what}: p50 {figures['p50']:.2f} ms, p95 {figures['p95']:.2f} ms, max {figures['max']:.2f} ms "
                f"({figures['forced']} repaints forced; load average {load_average()})"
            )
            continue
        print(f"{what}, {args.rounds} rounds; load average before: {load_average()}")
        child_args = ["--cases", case, "--edits", str(args.edits), "--warmup", str(args.warmup)]
        child_args += ["--size", args.size, "--scaling", args.scaling]
        checkouts = {"before": args.before, "after": REPOSITORY}
        figures = run_interleaved(Path(__file__).resolve(), checkouts, child_args, args.rounds)
        print("median over rounds (lowest - highest round), ms except 'forced' (repaints the script forced):")
        print_summary(figures, "")
        print(f"load average after: {load_average()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
