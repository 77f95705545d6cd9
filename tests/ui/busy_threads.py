"""A child process for ``test_qt_threads.py``: busy cross-thread signals while pyqtgraph paints and a model trains.

Run as ``python -m tests.ui.busy_threads SECONDS``. For SECONDS it keeps three things going at once:
a pyqtgraph image and curve repainted every few milliseconds on the UI thread; a thread emitting
queued signals that carry None, True and arrays as fast as it can, plus the session document's own
compute worker answering a stream of pixel edits; and a training run in a Python thread whose batch
callback emits a signal too. Prints one JSON line of what was delivered and exits 0. A Qt binding
that miscounts references of None/True on queued signals aborts here ("deallocating None").
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402
import pyqtgraph as pg  # noqa: E402
from PySide6.QtCore import QObject, QThread, QTimer, Signal  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from cnn_desktop.data.datasets import load_digits  # noqa: E402
from cnn_desktop.engine import MNIST_SPEC, Network  # noqa: E402
from cnn_desktop.training import TrainConfig, TrainingControl, train  # noqa: E402
from cnn_desktop.ui.document import SessionDocument  # noqa: E402


class Emitter(QObject):
    """Emits from whatever thread runs :meth:`flood`; the receiver lives on the UI thread."""

    carried = Signal(object, object)

    def __init__(self) -> None:
        super().__init__()
        self.running = True

    def flood(self) -> None:
        payloads = (None, True, False, np.zeros(3, np.float32))
        index = 0
        while self.running:
            self.carried.emit(payloads[index % 4], None)
            index += 1
            if index % 200 == 0:
                time.sleep(0.001)  # let the UI thread drain the queue now and then


def main(seconds: float) -> int:
    app = QApplication.instance() or QApplication([])
    counts = {"paints": 0, "signals": 0, "results": 0, "batches": 0}

    view = pg.GraphicsLayoutWidget()
    view.resize(400, 300)
    image = pg.ImageItem()
    plot = view.addPlot()
    curve = plot.plot()
    view.addViewBox().addItem(image)
    view.show()
    rng = np.random.default_rng(0)

    def repaint() -> None:
        image.setImage(rng.random((28, 28), dtype=np.float32), autoLevels=False, levels=(0, 1))
        curve.setData(rng.random(50))
        view.viewport().repaint()  # paints the items now, on the UI thread
        counts["paints"] += 1

    emitter, thread = Emitter(), QThread()
    emitter.moveToThread(thread)
    emitter.carried.connect(lambda *_: counts.__setitem__("signals", counts["signals"] + 1))
    thread.started.connect(emitter.flood)

    document = SessionDocument()
    document.result_ready.connect(lambda _: counts.__setitem__("results", counts["results"] + 1))

    def edit() -> None:
        row, col = rng.integers(0, 28, 2)
        document.paint(np.array([row]), np.array([col]), np.array([rng.random()], np.float32))

    class Batches(QObject):
        seen = Signal(object, bool)

    batches = Batches()
    batches.seen.connect(lambda *_: counts.__setitem__("batches", counts["batches"] + 1))
    digits = load_digits("bundled")
    control = TrainingControl()
    network = Network.from_spec(MNIST_SPEC, (1, 28, 28), seed=0)
    config = TrainConfig(epochs=1000, batch_size=16, augment=False)
    trainer = threading.Thread(
        target=train,
        args=(network, digits.train_images[:512], digits.train_labels[:512], None, None, config),
        kwargs={"on_batch": lambda event: batches.seen.emit(None, True), "control": control},
        daemon=True,
    )

    timers = [QTimer(interval=4), QTimer(interval=2)]
    timers[0].timeout.connect(repaint)
    timers[1].timeout.connect(edit)
    for timer in timers:
        timer.start()
    thread.start()
    trainer.start()
    QTimer.singleShot(int(seconds * 1000), app.quit)
    app.exec()

    for timer in timers:
        timer.stop()
    emitter.running = False
    control.stop()
    thread.quit()
    thread.wait(5000)
    trainer.join(10)
    document.shutdown()
    app.processEvents()
    print(json.dumps(counts), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(float(sys.argv[1]) if len(sys.argv) > 1 else 2.0))
