"""What the training panel says: why a run cannot start and how it ended (no window needed)."""

from __future__ import annotations

from cnn_desktop.engine import MNIST_SPEC, Network
from cnn_desktop.training import TrainResult
from cnn_desktop.ui.training.run_texts import ended_texts, format_duration, start_problem


def result(status: str, accuracy: float | None = 0.9812) -> TrainResult:
    return TrainResult(status, "training diverged at epoch 2, batch 3", 2, 250, accuracy, 0.9, 75.4)


def test_why_a_run_cannot_start():
    mnist = Network.from_spec(MNIST_SPEC, (1, 28, 28))
    assert start_problem(mnist, None, "bundled", None) is None
    assert "28x28" in start_problem(Network.from_spec(MNIST_SPEC[:2], (1, 14, 14)), None, "bundled", None)
    assert start_problem(mnist, "lr must be positive", "bundled", None) == "Impossible setting: lr must be positive"
    assert "Choose a folder" in start_problem(mnist, None, None, None)
    assert "not downloaded" in start_problem(mnist, None, "full", False)
    assert start_problem(mnist, None, "full", None) is None  # not known yet: loading will tell


def test_how_a_run_ended():
    assert format_duration(75.4) == "1:15" and format_duration(3723) == "1:02:03"
    assert ended_texts(result("finished"), None) == (
        "Finished 2 epochs in 1:15: test accuracy 98.1%.",
        "success",
        "Finished: test accuracy 98.1%",
    )
    assert ended_texts(result("stopped", None), None) == ("Stopped after 2 epochs (250 steps).", "info", "Stopped")
    banner, kind, _ = ended_texts(result("stopped"), "The layers changed.")
    assert banner.startswith("The layers changed. Stopped after") and kind == "error"
    banner, kind, bar = ended_texts(result("diverged"), None)
    assert banner == "Training diverged at epoch 2, batch 3." and kind == "error" and bar.startswith("Diverged")
