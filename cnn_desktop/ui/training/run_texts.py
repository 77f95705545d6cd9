"""What the training panel says about a run: durations, progress, why it cannot start, how it ended.

Plain functions from numbers, events and results to text, so the wording is tested without a window.
"""

from __future__ import annotations

from ...engine import Network
from ...input_channels import channel_names
from ...training import TrainEvent, TrainResult

MNIST_SIDE = 28
CLASSES = 10
READY = "Ready: press Start to train"


def format_duration(seconds: float) -> str:
    """``75.4`` -> ``"1:15"``; hours as ``"1:02:03"``."""
    seconds = max(0, int(round(seconds)))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def count_text(number: int, noun: str) -> str:
    """``1 epoch``, ``3 epochs``, ``1,250 steps``."""
    return f"{number:,} {noun}{'' if number == 1 else 's'}"


def progress_text(event: TrainEvent) -> str:
    """``Epoch 2 of 20 · batch 37 of 125 · about 0:42 left``."""
    text = f"Epoch {event.epoch} of {event.epochs} · batch {event.batch} of {event.batches_per_epoch}"
    if event.eta is not None:
        text += f" · about {format_duration(event.eta)} left"
    return text


def paused_text(event: TrainEvent) -> str:
    """``Paused at epoch 2 of 20, batch 37``."""
    return f"Paused at epoch {event.epoch} of {event.epochs}, batch {event.batch}"


def mnist_problem(network: Network) -> str | None:
    """Why ``network`` cannot be trained on MNIST digits, or None when it can."""
    _, height, width = network.input_shape
    if (height, width) != (MNIST_SIDE, MNIST_SIDE):
        return (
            f"Training uses 28x28 MNIST digits, but the image grid is {height}x{width}: resize the grid to 28x28 first."
        )
    out = network.output_shape
    if len(out) != 1 or out[0] != CLASSES:
        shape = "x".join(map(str, out))
        return (
            f"Training needs a pipeline that ends in {CLASSES} class scores (flatten, then dense with "
            f"{CLASSES} outputs); this one ends in {shape}."
        )
    return None


def digits_note(network: Network) -> str:
    """For a pipeline of d > 1 input channels: how the grey digits are given to it ("" for grey)."""
    depth = network.input_shape[0]
    if depth == 1:
        return ""
    names = channel_names(depth)
    return f" MNIST digits are grey: each is copied into {', '.join(names[:-1])} and {names[-1]}."


def start_problem(
    network: Network, setting_error: str | None, source: str | None, full_available: bool | None
) -> str | None:
    """Why a run cannot start, or None: the network, an impossible setting, no folder, no download.

    ``source`` is the digit source key (None: folder mode without a folder); ``full_available`` is
    False when the full MNIST is known not to be on disk.
    """
    problem = mnist_problem(network)
    if problem is None and setting_error is not None:
        problem = f"Impossible setting: {setting_error}"
    if problem is None and source is None:
        problem = "Choose a folder with the MNIST files first (or pick the bundled digits)."
    if problem is None and source == "full" and full_available is False:
        problem = "The full MNIST is not downloaded yet: press Download first (or pick the bundled digits)."
    return problem


def ended_texts(result: TrainResult, stop_reason: str | None) -> tuple[str, str, str]:
    """(banner text, banner kind, progress bar text) once a run has ended.

    ``stop_reason`` is why the panel itself stopped the run (None when the user did).
    """
    accuracy = "" if result.test_accuracy is None else f": test accuracy {100 * result.test_accuracy:.1f}%"
    if result.diverged:
        return (
            f"{result.message[:1].upper()}{result.message[1:]}.",
            "error",
            "Diverged: the last good weights were restored",
        )
    if result.finished:
        took = format_duration(result.elapsed)
        return (
            f"Finished {count_text(result.epochs_done, 'epoch')} in {took}{accuracy}.",
            "success",
            f"Finished{accuracy}",
        )
    epochs, steps = count_text(result.epochs_done, "epoch"), count_text(result.steps_done, "step")
    stopped = f"Stopped after {epochs} ({steps}){accuracy}."
    if stop_reason:
        return f"{stop_reason} {stopped}", "error", f"Stopped{accuracy}"
    return stopped, "info", f"Stopped{accuracy}"


def record_description(result: TrainResult, train_digits: int, test_digits: int) -> str | None:
    """The sentence kept with weights trained in the app (None: a diverged run trained nothing worth keeping)."""
    if result.diverged:
        return None
    how = (
        f"{count_text(result.epochs_done, 'epoch')}"
        if result.finished
        else f"stopped after {result.steps_done:,} steps"
    )
    score = (
        ""
        if result.test_accuracy is None
        else f": {100 * result.test_accuracy:.1f}% of {test_digits:,} test digits right"
    )
    return f"Trained in the app on {train_digits:,} digits ({how}){score}."
