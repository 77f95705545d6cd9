"""Command line: the window (default), and the ``train`` and ``eval`` subcommands."""

from __future__ import annotations

import argparse
import sys

from . import __version__


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cnn-desktop",
        description="See a convolutional neural network work. With no command, opens the window.",
        epilog="commands: 'cnn-desktop train' trains the MNIST network in the terminal, "
        "'cnn-desktop eval' tests a saved one, 'cnn-desktop export-torch' writes one as a PyTorch "
        "module, 'cnn-desktop snapshot' renders the window to a PNG with no display "
        "(see 'cnn-desktop COMMAND --help').",
    )
    parser.add_argument("--version", action="version", version=f"cnn-desktop {__version__}")
    parser.add_argument("--lesson", action="store_true", help="open the built-in lesson, scene by scene")
    parser.add_argument(
        "--full-screen", action="store_true", help="fill the screen (F11 toggles), also without a window manager"
    )
    parser.add_argument(
        "--presenter",
        action="store_true",
        help="presenter view: the presentation on a second window (even with one screen), the controls here",
    )
    parser.add_argument(
        "--audience-screen",
        type=int,
        metavar="N",
        help="put the audience's window on screen N (0 is the first); implies --presenter",
    )
    parser.add_argument("session", nargs="?", help="a saved session (.cnnd) to open")
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] in ("train", "eval", "export-torch"):
        from .cli import main as cli_main

        return cli_main(argv)
    if argv and argv[0] == "snapshot":
        from .ui.snapshot import main as snapshot_main

        return snapshot_main(argv[1:])
    args = build_parser().parse_args(argv)
    from .ui.app import run_window

    presenter = args.presenter or args.audience_screen is not None
    return run_window(
        lesson=args.lesson,
        session_path=args.session,
        full_screen=args.full_screen,
        presenter=presenter,
        audience_screen=args.audience_screen,
    )


if __name__ == "__main__":
    sys.exit(main())
