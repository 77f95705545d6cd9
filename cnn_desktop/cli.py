"""The ``train``, ``eval`` and ``export-torch`` subcommands of the ``cnn-desktop`` command line: their arguments.

``cnn_desktop.__main__`` plugs them into its own parser with :func:`add_train_parser` and
:func:`add_eval_parser` (each sets ``handler`` in the parsed namespace to :func:`run_train` /
:func:`run_eval`, which return the exit code). :func:`main` is a stand-alone entry point that knows
only these subcommands (used by the tests).

Exit codes: 0 success, 1 failure (unreadable data or model file, download failed, training
diverged), 2 bad usage, 130 interrupted with Ctrl+C. Every error is one line on stderr,
``cnn-desktop: error: ...``; normal output goes to stdout. What the commands do is in
``cli_commands.py``, their progress lines in ``terminal_progress.py``.
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NoReturn

from .cli_commands import (
    EXIT_FAILURE,
    EXIT_INTERRUPTED,
    CliError,
    eval_command,
    export_torch_command,
    format_confusion,
    train_command,
)
from .engine import OPTIMISERS
from .terminal_progress import end_progress_line
from .training import DEFAULT_LR, TrainConfig, default_model_path

__all__ = [
    "PROG",
    "CliError",
    "OneLineErrorParser",
    "add_eval_parser",
    "add_export_torch_parser",
    "add_train_parser",
    "build_parser",
    "format_confusion",
    "main",
    "run_eval",
    "run_export_torch",
    "run_train",
]

PROG = "cnn-desktop"
EXIT_USAGE = 2


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


def add_export_torch_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add the ``export-torch`` subcommand to ``subparsers``; returns its parser."""
    parser = subparsers.add_parser(
        "export-torch",
        help="write a saved model as a small PyTorch module",
        description="Write a readable PyTorch module (.py) that rebuilds a saved model's layers and "
        "loads its weights from the .npz file. PyTorch is needed only to run the written file.",
    )
    parser.add_argument("model", type=Path, metavar="MODEL.npz", help="model file written by 'train' or the app")
    parser.add_argument(
        "--out", type=Path, default=None, metavar="FILE.py", help="where to write the module (default MODEL.py)"
    )
    parser.set_defaults(handler=run_export_torch)
    return _patch_errors(parser)


def build_parser() -> argparse.ArgumentParser:
    """A parser with the ``train``, ``eval`` and ``export-torch`` subcommands."""
    parser = OneLineErrorParser(prog=PROG, description="Train and evaluate the cnn-desktop MNIST network.")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    subparsers.required = True
    add_train_parser(subparsers)
    add_eval_parser(subparsers)
    add_export_torch_parser(subparsers)
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
        end_progress_line()
        _print_error(interrupted)
        return EXIT_INTERRUPTED
    except (OSError, ValueError, MemoryError) as exc:
        end_progress_line()
        _print_error(str(exc) or type(exc).__name__)
        return EXIT_FAILURE


def run_train(args: argparse.Namespace) -> int:
    """The ``train`` subcommand; returns the exit code."""
    return _guarded(train_command, args, "interrupted (Ctrl+C); no model saved")


def run_eval(args: argparse.Namespace) -> int:
    """The ``eval`` subcommand; returns the exit code."""
    return _guarded(eval_command, args, "interrupted (Ctrl+C)")


def run_export_torch(args: argparse.Namespace) -> int:
    """The ``export-torch`` subcommand; returns the exit code."""
    return _guarded(export_torch_command, args, "interrupted (Ctrl+C)")
