"""The ``train`` and ``eval`` subcommands of the ``cnn-desktop`` command line.

``cnn_desktop.__main__`` plugs them into its own parser with :func:`add_train_parser` and
:func:`add_eval_parser` (each sets ``handler`` in the parsed namespace to :func:`run_train` /
:func:`run_eval`, which return the exit code). :func:`main` is a stand-alone entry point that knows
only these two subcommands (used by the tests).

Exit codes: 0 success, 1 failure (unreadable data or model file, download failed, training
diverged), 2 bad usage, 130 interrupted with Ctrl+C. Every error is one line on stderr,
``cnn-desktop: error: ...``; normal output goes to stdout.
"""

from __future__ import annotations

import argparse
import math
import os
import shutil
import sys
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NoReturn, TextIO

import numpy as np

from .engine import MNIST_SPEC, OPTIMISERS, ModelFileError, Network
from .training import DEFAULT_LR, TrainConfig, TrainEvent, confusion_matrix, default_model_path, train

__all__ = [
    "PROG",
    "CliError",
    "OneLineErrorParser",
    "add_eval_parser",
    "add_train_parser",
    "build_parser",
    "format_confusion",
    "main",
    "run_eval",
    "run_train",
]

PROG = "cnn-desktop"
EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130
DIGIT_SHAPE = (1, 28, 28)


class CliError(Exception):
    """A failure to report as one ``cnn-desktop: error: ...`` line (exit code ``code``)."""

    def __init__(self, message: str, code: int = EXIT_FAILURE) -> None:
        super().__init__(message)
        self.code = code


def _one_line(text: str) -> str:
    """``text`` with its lines joined, so an error message never spans several lines."""
    parts = [line.strip() for line in str(text).splitlines() if line.strip()]
    joined = ""
    for part in parts:
        joined += part if not joined else (" " if joined.endswith(":") else "; ") + part
    return joined or "unknown error"


def _print_error(message: str) -> None:
    sys.stderr.write(f"{PROG}: error: {_one_line(message)}\n")
    sys.stderr.flush()


def _one_line_error(parser: argparse.ArgumentParser, message: str) -> NoReturn:
    _print_error(f"{message} (see: {parser.prog} --help)")
    raise SystemExit(EXIT_USAGE)


class OneLineErrorParser(argparse.ArgumentParser):
    """An ``ArgumentParser`` whose usage errors are one line, ``cnn-desktop: error: ...``, exit 2."""

    def error(self, message: str) -> NoReturn:
        _one_line_error(self, message)


# --------------------------------------------------------------------------------------------
# argument types


def _whole_number(minimum: int):
    """An argparse type: a whole number of at least ``minimum``, with a one-line reason otherwise."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}, got {value}")
        return value

    return parse


_positive_int = _whole_number(1)
_seed = _whole_number(0)


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not math.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"must be a positive number, got {text!r}")
    return value


def _add_data_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--data",
        default="bundled",
        metavar="bundled|full|DIR",
        help="digits to use: 'bundled' (5,000 MNIST digits shipped with the app, the default), "
        "'full' (all 70,000 MNIST digits, downloaded once to the user cache folder) "
        "or a folder holding the four MNIST IDX files",
    )
    # Hidden: use only the first N training and N test digits (quick runs and tests).
    parser.add_argument("--limit", type=_positive_int, default=None, help=argparse.SUPPRESS)


def _patch_errors(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Make ``parser``'s usage errors one line even if the caller's parser class is plain."""
    if not isinstance(parser, OneLineErrorParser):
        parser.error = lambda message: _one_line_error(parser, message)  # type: ignore[method-assign]
    return parser


def add_train_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add the ``train`` subcommand to ``subparsers``; returns its parser."""
    defaults = TrainConfig()
    parser = subparsers.add_parser(
        "train",
        help="train the default MNIST network from the command line",
        description="Train the app's default MNIST network (two 3x3 conv layers, max pooling, one dense "
        "layer) and save its weights. With the defaults it reaches about 98%% test accuracy on the "
        "bundled digits in well under a minute.",
    )
    _add_data_options(parser)
    parser.add_argument(
        "--epochs",
        type=_positive_int,
        default=defaults.epochs,
        help=f"passes over the data (default {defaults.epochs})",
    )
    parser.add_argument(
        "--batch-size",
        type=_positive_int,
        default=defaults.batch_size,
        metavar="B",
        help=f"digits per step (default {defaults.batch_size})",
    )
    parser.add_argument(
        "--lr",
        type=_positive_float,
        default=None,
        help="peak learning rate, reached after a short warm-up and decayed along a cosine to 2%% of it "
        f"by the end (default {DEFAULT_LR['sgd']} for sgd, {DEFAULT_LR['adam']} for adam)",
    )
    parser.add_argument(
        "--optimiser",
        "--optimizer",
        dest="optimiser",
        choices=sorted(OPTIMISERS),
        default=defaults.optimiser,
        help=f"sgd (with momentum {defaults.momentum}) or adam (default {defaults.optimiser})",
    )
    parser.add_argument(
        "--seed", type=_seed, default=0, help="seed of the initial weights, shuffling and shifts (default 0)"
    )
    parser.add_argument(
        "--no-augment",
        dest="augment",
        action="store_false",
        help=f"do not shift the training digits randomly by up to {defaults.max_shift} pixels",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        metavar="FILE",
        help=f"where to save the trained model (default {default_model_path()})",
    )
    parser.set_defaults(handler=run_train)
    return _patch_errors(parser)


def add_eval_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add the ``eval`` subcommand to ``subparsers``; returns its parser."""
    parser = subparsers.add_parser(
        "eval",
        help="test a saved model: accuracy and confusion matrix",
        description="Evaluate a saved model on the test digits: accuracy and a confusion matrix "
        "(one row per true digit, one column per predicted digit).",
    )
    parser.add_argument(
        "--model",
        type=Path,
        default=None,
        metavar="FILE",
        help=f"model file written by 'train' or the app (default {default_model_path()})",
    )
    _add_data_options(parser)
    parser.add_argument(
        "--split",
        choices=("test", "train"),
        default="test",
        help="which part of the data to evaluate on (default test)",
    )
    parser.set_defaults(handler=run_eval)
    return _patch_errors(parser)


def build_parser() -> argparse.ArgumentParser:
    """A parser with just the ``train`` and ``eval`` subcommands."""
    parser = OneLineErrorParser(prog=PROG, description="Train and evaluate the cnn-desktop MNIST network.")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    subparsers.required = True
    add_train_parser(subparsers)
    add_eval_parser(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Parse ``argv`` (default ``sys.argv[1:]``) and run ``train`` or ``eval``; the exit code."""
    try:
        args = build_parser().parse_args(argv)
    except SystemExit as exc:  # --help (0) or a usage error (2, already reported)
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    return args.handler(args)


def _guarded(body: Callable[[argparse.Namespace], int], args: argparse.Namespace, interrupted: str) -> int:
    """Run ``body``; every expected failure becomes one error line and an exit code."""
    try:
        return body(args)
    except CliError as exc:
        _print_error(str(exc))
        return exc.code
    except KeyboardInterrupt:
        _end_progress_line()
        _print_error(interrupted)
        return EXIT_INTERRUPTED
    except (OSError, ValueError, MemoryError) as exc:
        _end_progress_line()
        _print_error(str(exc) or type(exc).__name__)
        return EXIT_FAILURE


def run_train(args: argparse.Namespace) -> int:
    """The ``train`` subcommand; returns the exit code."""
    return _guarded(_train, args, "interrupted (Ctrl+C); no model saved")


def run_eval(args: argparse.Namespace) -> int:
    """The ``eval`` subcommand; returns the exit code."""
    return _guarded(_eval, args, "interrupted (Ctrl+C)")


# --------------------------------------------------------------------------------------------
# terminal output


_line_open = False  # a progress line is drawn and not yet ended with a newline


def _is_tty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _terminal_width() -> int:
    """Usable columns of the terminal (one less than its width, so the cursor never wraps)."""
    return max(20, shutil.get_terminal_size((100, 24)).columns - 1)


def _draw(text: str, stream: TextIO | None = None) -> None:
    """Draw ``text`` over the current terminal line (clipped to the terminal's width)."""
    global _line_open
    stream = stream or sys.stdout
    width = _terminal_width()
    stream.write("\r" + text[:width].ljust(width))
    stream.flush()
    _line_open = True


def _end_progress_line(stream: TextIO | None = None) -> None:
    global _line_open
    if _line_open:
        stream = stream or sys.stdout
        stream.write("\n")
        stream.flush()
        _line_open = False


def _duration(seconds: float | None) -> str:
    if seconds is None or not math.isfinite(seconds):
        return "?"
    seconds = int(round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def _bar(fraction: float, width: int = 20) -> str:
    filled = int(round(max(0.0, min(1.0, fraction)) * width))
    return "[" + "=" * filled + " " * (width - filled) + "]"


class _TrainProgress:
    """Live progress of a training run: on a terminal one line per epoch, redrawn in place while
    the epoch runs; otherwise one line printed at the end of each epoch."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.tty = _is_tty(stream)
        self.last_draw = 0.0

    def _text(self, event: TrainEvent, final: bool) -> str:
        """The progress line; on a terminal it is fitted to the width by shrinking the bar, then
        dropping the learning rate and the bar."""
        digits = len(str(event.batches_per_epoch))
        epoch = f"epoch {event.epoch:>{len(str(event.epochs))}}/{event.epochs}"
        count = f"{event.batch:>{digits}}/{event.batches_per_epoch}"
        stats = [f"loss {event.loss:.4f}", f"acc {event.train_accuracy * 100:5.1f}%"]
        if event.test_accuracy is not None and (final or self.tty):
            stats.append(f"test {event.test_accuracy * 100:5.1f}%")
        lr = f"lr {event.lr:.4f}"
        timing = []
        if final:
            timing.append(f"{_duration(event.elapsed)} elapsed")
        if not (final and event.epoch == event.epochs):
            timing.append(f"ETA {_duration(event.eta)}")
        if not self.tty:
            return "  ".join([epoch, *stats, lr, *timing])
        room = _terminal_width()
        for with_lr in (True, False):
            text = "  ".join([epoch, count, *stats, *([lr] if with_lr else []), *timing])
            bar_width = min(20, room - len(text) - 3)
            if bar_width >= 5:
                fraction = event.batch / event.batches_per_epoch
                return "  ".join([epoch, f"{_bar(fraction, bar_width)} {count}", *text.split("  ")[2:]])
            if len(text) <= room:
                return text
        return text

    def on_batch(self, event: TrainEvent) -> None:
        now = time.monotonic()
        if self.tty and (now - self.last_draw >= 0.1 or event.batch == event.batches_per_epoch):
            self.last_draw = now
            _draw(self._text(event, final=False), self.stream)

    def on_epoch(self, event: TrainEvent) -> None:
        global _line_open
        text = self._text(event, final=True)
        if self.tty:
            _draw(text, self.stream)
            _end_progress_line(self.stream)
        else:
            self.stream.write(text + "\n")
            self.stream.flush()
            _line_open = False


class _DownloadProgress:
    """Progress of the MNIST download: a live bar with MB and MB/s on a terminal, otherwise one
    line per file. Called from the download thread."""

    def __init__(self, stream: TextIO, names: Sequence[str]) -> None:
        self.stream = stream
        self.tty = _is_tty(stream)
        self.names = list(names)
        self.current: str | None = None
        self.started = time.monotonic()
        self.last_draw = 0.0
        self.lock = threading.Lock()

    def __call__(self, done: int, total: int | None, name: str) -> None:
        with self.lock:
            now = time.monotonic()
            if name != self.current or done == 0:
                self.current, self.started = name, now
            number = f"{self.names.index(name) + 1}/{len(self.names)}" if name in self.names else "?"
            complete = total is not None and done >= total
            if complete and now - self.started < 1e-3:  # a file already there and verified
                text = f"{name} ({number}): already downloaded"
            else:
                speed = done / 1e6 / max(now - self.started, 1e-6)
                size = f"{done / 1e6:5.1f} / {total / 1e6:.1f} MB" if total else f"{done / 1e6:5.1f} MB"
                bar = _bar(done / total) + " " if total else ""
                verb = "downloaded" if complete else "downloading"
                text = f"{verb} {name} ({number}) {bar}{size}  {speed:.1f} MB/s"
            if self.tty:
                if complete or now - self.last_draw >= 0.1:
                    self.last_draw = now
                    _draw(text, self.stream)
                    if complete:
                        _end_progress_line(self.stream)
            elif complete:
                self.stream.write(text + "\n")
                self.stream.flush()


# --------------------------------------------------------------------------------------------
# data


def _download_full_mnist(stream: TextIO) -> None:
    """Download the full MNIST into the cache, with a progress bar; Ctrl+C cancels cleanly."""
    from .data import download

    folder = download.default_folder()
    stream.write(f"Downloading the full MNIST (about 11 MB) to {folder}\n")
    stream.flush()
    cancel = threading.Event()
    outcome: list[BaseException] = []
    progress = _DownloadProgress(stream, list(download.DEFAULT_CHECKSUMS))

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
        _end_progress_line(stream)
        stream.write("Cancelling the download...\n")
        stream.flush()
        try:
            worker.join(10)
        except KeyboardInterrupt:
            pass
        raise CliError("download cancelled", EXIT_INTERRUPTED) from None
    _end_progress_line(stream)
    if outcome:
        exc = outcome[0]
        if isinstance(exc, download.DownloadCancelled):
            raise CliError("download cancelled", EXIT_INTERRUPTED)
        if isinstance(exc, download.DownloadError):
            raise CliError(f"downloading MNIST failed: {exc}")
        if isinstance(exc, OSError):
            raise CliError(f"downloading MNIST failed: {exc}")
        raise exc


def _load(source: str, limit: int | None, stream: TextIO):
    """The digits of ``--data`` (downloading the full MNIST first if needed), cut to ``limit``."""
    from .data import datasets, download

    if source.strip().lower() == "full" and not download.full_mnist_available():
        _download_full_mnist(stream)
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


def _output_path(out: Path | None) -> Path:
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


def _train(args: argparse.Namespace) -> int:
    out = sys.stdout
    path = _output_path(args.out)
    config = TrainConfig(
        epochs=args.epochs,
        batch_size=args.batch_size,
        lr=args.lr,
        optimiser=args.optimiser,
        augment=args.augment,
        seed=args.seed,
    )
    digits = _load(args.data, args.limit, out)
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
    progress = _TrainProgress(out)
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
    _end_progress_line(out)
    if result.diverged:
        raise CliError(f"{result.message}; no model saved")
    if not result.finished:
        raise CliError(f"training {result.status}: {result.message}; no model saved")
    net.save(path)
    if result.test_accuracy is not None:
        correct = int(round(result.test_accuracy * digits.num_test))
        out.write(
            f"Test accuracy: {result.test_accuracy * 100:.2f}% ({correct:,} / {digits.num_test:,} digits) "
            f"after {_duration(result.elapsed)}\n"
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


def _eval(args: argparse.Namespace) -> int:
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
    digits = _load(args.data, args.limit, out)
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
