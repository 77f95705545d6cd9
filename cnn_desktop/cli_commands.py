"""What the ``train``, ``eval`` and ``export-torch`` commands do, once their arguments are parsed (``cli.py``).

Each raises :class:`CliError` for a failure the user should read as one line; the command line
turns it into ``cnn-desktop: error: ...`` and the exit code. Normal output goes to stdout.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
from pathlib import Path
from typing import TextIO

import numpy as np

from .engine import MNIST_SPEC, ModelFileError, Network
from .terminal_progress import DownloadProgress, TrainProgress, duration, end_progress_line
from .training import TrainConfig, confusion_matrix, default_model_path, train

EXIT_FAILURE = 1
EXIT_INTERRUPTED = 130
DIGIT_SHAPE = (1, 28, 28)


class CliError(Exception):
    """A failure to report as one ``cnn-desktop: error: ...`` line (exit code ``code``)."""

    def __init__(self, message: str, code: int = EXIT_FAILURE) -> None:
        super().__init__(message)
        self.code = code


# --------------------------------------------------------------------------------------------
# data


def download_full_mnist(stream: TextIO) -> None:
    """Download the full MNIST into the cache, with a progress bar; Ctrl+C cancels cleanly."""
    from .data import download

    folder = download.default_folder()
    stream.write(f"Downloading the full MNIST (about 11 MB) to {folder}\n")
    stream.flush()
    cancel = threading.Event()
    outcome: list[BaseException] = []
    progress = DownloadProgress(stream, list(download.DEFAULT_CHECKSUMS))

    def work() -> None:
        try:
            download.download_mnist(folder, progress=progress, cancel=cancel)
        except BaseException as exc:  # handed to the main thread
            outcome.append(exc)

    worker = threading.Thread(target=work, name="mnist-download", daemon=True)
    worker.start()
    try:
        while worker.is_alive():
            worker.join(0.1)
    except KeyboardInterrupt:
        cancel.set()
        end_progress_line(stream)
        stream.write("Cancelling the download...\n")
        stream.flush()
        try:
            worker.join(10)
        except KeyboardInterrupt:
            pass
        raise CliError("download cancelled", EXIT_INTERRUPTED) from None
    end_progress_line(stream)
    if outcome:
        exc = outcome[0]
        if isinstance(exc, download.DownloadCancelled):
            raise CliError("download cancelled", EXIT_INTERRUPTED)
        if isinstance(exc, download.DownloadError):
            raise CliError(f"downloading MNIST failed: {exc}")
        if isinstance(exc, OSError):
            raise CliError(f"downloading MNIST failed: {exc}")
        raise exc


def load_data(source: str, limit: int | None, stream: TextIO):
    """The digits of ``--data`` (downloading the full MNIST first if needed), cut to ``limit``."""
    from .data import datasets, download

    if source.strip().lower() == "full" and not download.full_mnist_available():
        download_full_mnist(stream)
    elif source.strip().lower() not in ("bundled", "full") and not Path(source).expanduser().is_dir():
        raise CliError(f"--data: {source} is not a folder (expected bundled, full or a folder of MNIST files)")
    try:
        digits = datasets.load_digits(source)
    except (OSError, ValueError) as exc:
        raise CliError(f"--data: {exc}") from None
    if limit is None:
        return digits
    return datasets.Digits(
        digits.train_images[:limit],
        digits.train_labels[:limit],
        digits.test_images[:limit],
        digits.test_labels[:limit],
        f"{digits.name}, first {limit:,}",
    )


# --------------------------------------------------------------------------------------------
# train


def output_path(out: Path | None) -> Path:
    """The absolute path to save the model to, checked now so a long run cannot fail at the end."""
    path = (out if out is not None else default_model_path()).expanduser().absolute()
    if path.is_dir():
        raise CliError(f"--out: {path} is a folder; give a file name such as {path / 'model.npz'}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise CliError(f"--out: cannot create the folder {path.parent} ({exc.strerror or exc})") from None
    if not os.access(path.parent, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise CliError(f"--out: cannot write to {path} (permission denied)")
    return path


def train_command(args: argparse.Namespace) -> int:
    out = sys.stdout
    path = output_path(args.out)
    config = TrainConfig(
        epochs=args.epochs,
        batch_size=args.batch_size,
        lr=args.lr,
        optimiser=args.optimiser,
        augment=args.augment,
        seed=args.seed,
    )
    digits = load_data(args.data, args.limit, out)
    net = Network.from_spec(MNIST_SPEC, DIGIT_SHAPE, seed=args.seed)
    weights = sum(int(array.size) for array in net.params.values())
    optimiser = config.optimiser + (f" (momentum {config.momentum})" if config.optimiser == "sgd" else "")
    epochs = f"{config.epochs} epoch" + ("s" if config.epochs != 1 else "")
    counts = f"{digits.num_train:,} training / {digits.num_test:,} test digits"
    out.write(
        f"Data: {digits.name}" + ("" if f"{digits.num_train:,} train" in digits.name else f" ({counts})") + "\n"
        f"Training the default MNIST network ({weights:,} weights): {epochs}, batches of "
        f"{config.batch_size}, {optimiser}, learning rate {config.peak_lr:g} with cosine decay, "
        f"{'random shifts' if config.augment else 'no augmentation'}, seed {config.seed}\n"
    )
    out.flush()
    progress = TrainProgress(out)
    result = train(
        net,
        digits.train_images,
        digits.train_labels,
        digits.test_images,
        digits.test_labels,
        config,
        on_batch=progress.on_batch,
        on_epoch=progress.on_epoch,
    )
    end_progress_line(out)
    if result.diverged:
        raise CliError(f"{result.message}; no model saved")
    if not result.finished:
        raise CliError(f"training {result.status}: {result.message}; no model saved")
    net.save(path)
    if result.test_accuracy is not None:
        correct = int(round(result.test_accuracy * digits.num_test))
        out.write(
            f"Test accuracy: {result.test_accuracy * 100:.2f}% ({correct:,} / {digits.num_test:,} digits) "
            f"after {duration(result.elapsed)}\n"
        )
    out.write(f"Model saved to {path}\n")
    out.flush()
    return 0


# --------------------------------------------------------------------------------------------
# eval


def format_confusion(matrix: np.ndarray) -> str:
    """A text table of a confusion matrix: one row per true digit with its count and accuracy,
    one column per predicted digit; columns aligned."""
    matrix = np.asarray(matrix)
    classes = matrix.shape[0]
    width = max(4, len(str(int(matrix.max(initial=0)))) + 2)
    total_width = max(7, len(str(int(matrix.sum(axis=1).max(initial=0)))) + 2)
    label = "true \\ predicted"
    head = label.ljust(len(label))
    lines = [head + "".join(f"{c:>{width}}" for c in range(classes)) + f"{'total':>{total_width}}{'correct':>9}"]
    for row in range(classes):
        count = int(matrix[row].sum())
        share = f"{matrix[row, row] / count * 100:.1f}%" if count else "-"
        cells = "".join(f"{int(v):>{width}}" for v in matrix[row])
        lines.append(f"{row:>{len(label)}}" + cells + f"{count:>{total_width}}{share:>9}")
    return "\n".join(lines)


def eval_command(args: argparse.Namespace) -> int:
    out = sys.stdout
    path = (args.model if args.model is not None else default_model_path()).expanduser().absolute()
    if not path.exists():
        hint = " (train one first with: cnn-desktop train)" if args.model is None else ""
        raise CliError(f"--model: no model file at {path}{hint}")
    if path.is_dir():
        raise CliError(f"--model: {path} is a folder, not a model file")
    try:
        net = Network.load(path)
    except ModelFileError as exc:
        raise CliError(f"--model: {exc}") from None
    if net.input_shape != DIGIT_SHAPE or int(np.prod(net.output_shape)) != 10:
        raise CliError(
            f"--model: {path.name} takes {'x'.join(map(str, net.input_shape))} input and gives "
            f"{int(np.prod(net.output_shape))} outputs; evaluating digits needs 1x28x28 in and 10 out"
        )
    digits = load_data(args.data, args.limit, out)
    images, labels = (
        (digits.test_images, digits.test_labels) if args.split == "test" else (digits.train_images, digits.train_labels)
    )
    if len(labels) == 0:
        raise CliError(f"--data: the {args.split} part of {digits.name} holds no digits")
    matrix = confusion_matrix(net, images, labels)
    correct, total = int(np.trace(matrix)), int(matrix.sum())
    out.write(f"Model: {path}\nData: {digits.name}, {args.split} part ({total:,} digits)\n")
    out.write(f"Accuracy: {correct / total * 100:.2f}% ({correct:,} / {total:,} digits)\n\n")
    out.write("Confusion matrix (rows: true digit, columns: predicted digit)\n")
    out.write(format_confusion(matrix) + "\n")
    out.flush()
    return 0


def export_torch_command(args: argparse.Namespace) -> int:
    from .torch_export import export_torch

    model = args.model.expanduser()
    out_path = args.out if args.out is not None else model.with_suffix(".py")
    if not model.is_file():
        raise CliError(f"no model file at {model.absolute()}")
    if out_path.expanduser().resolve() == model.resolve():
        raise CliError("--out names the model file itself; choose a .py file")
    try:
        export_torch(model, out_path.expanduser())
    except ModelFileError as exc:
        raise CliError(str(exc)) from None
    sys.stdout.write(f"Wrote {out_path} (PyTorch module; run: python {out_path.name} {model.name})\n")
    return 0
