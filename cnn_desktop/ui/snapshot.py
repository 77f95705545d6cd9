"""``cnn-desktop snapshot``: the main window rendered to a PNG with no display (README pictures, slides, CI).

The window is built exactly as the app builds it (the first bundled test digit, the default
network) but with settings in a temporary folder, so the user's own settings are neither read nor
written, and with no autosave. A scene of the built-in lesson (or of a deck) or a saved session is
applied; once the compute worker's result for that state has been drawn, the window is grabbed
and written atomically. Unless the caller chose a Qt platform, Qt renders offscreen onto a
virtual 8K screen, so any ``--size`` fits and the first-run panel layout is computed for it.

Errors end with one line ``cnn-desktop: error: ...``: exit code 2 for a bad command line, 1 for a
file that cannot be read or written or a state that cannot be shown.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

PROG = "cnn-desktop snapshot"
DEFAULT_SIZE = (1600, 1000)
MIN_SIZE = (400, 300)
MAX_SIZE = (7680, 4320)
MAX_SCALE = 8.0
RESULT_TIMEOUT_S = 60.0
SETTLE_ROUNDS = 10
"""Event-loop rounds after the result is drawn, for layouts and queued repaints to settle."""

OFFSCREEN_NOTES = ("does not support propagateSizeHints",)
"""Warnings of Qt's offscreen platform that say nothing about the picture."""

VIRTUAL_SCREEN = {"name": "snapshot", "x": 0, "y": 0, "width": 7680, "height": 4320, "logicalDpi": 96, "dpr": 1}


class SnapshotError(Exception):
    """A snapshot that cannot be taken; ``code`` is the exit status (2: the command line, 1: the rest)."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class SnapshotRequest:
    """What to show and where to write it; ``scene`` is 1-based, of ``deck`` or of the built-in lesson."""

    out: Path
    session: Path | None = None
    scene: int | None = None
    deck: Path | None = None
    size: tuple[int, int] = DEFAULT_SIZE
    scale: float = 1.0
    presentation: bool = False


# ----------------------------------------------------------------------------------------------- command line
class _Parser(argparse.ArgumentParser):
    """argparse that reports a bad command line as one ``cnn-desktop: error:`` line (exit code 2)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise SnapshotError(f"{message} (see 'cnn-desktop snapshot --help')", 2)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=PROG,
        description="Render the main window to a PNG without a display: a lesson scene or a saved session, "
        "once its feature maps are drawn. Your own settings are neither read nor changed.",
        epilog="examples: cnn-desktop snapshot --out main.png;  "
        "cnn-desktop snapshot --scene 7 --out pooling.png --size 1920x1080 --scale 2;  "
        "cnn-desktop snapshot --scene 3 --presentation --size 1024x768 --out blur.png",
    )
    show = parser.add_argument_group("what to show (default: the first test digit, as the app opens)")
    show.add_argument("--session", metavar="FILE", type=Path, help="a saved session (.cnnd) to show")
    show.add_argument(
        "--scene", metavar="N", type=int, help="scene N (1-based) of the built-in lesson, or of --lesson-deck"
    )
    show.add_argument(
        "--lesson-deck", metavar="FILE", type=Path, help="a lesson deck (.cnndeck) to take --scene from (default: 1)"
    )
    show.add_argument(
        "--presentation",
        action="store_true",
        help="the presentation layout (as a lesson shows it on a projector) instead of the editing panels",
    )
    parser.add_argument("--out", metavar="FILE.png", type=Path, required=True, help="the PNG to write")
    parser.add_argument(
        "--size",
        metavar="WxH",
        default=f"{DEFAULT_SIZE[0]}x{DEFAULT_SIZE[1]}",
        help=f"window size in pixels (default {DEFAULT_SIZE[0]}x{DEFAULT_SIZE[1]})",
    )
    parser.add_argument(
        "--scale", metavar="S", type=float, default=1.0, help="pixels per window pixel: 2 for sharp slides (default 1)"
    )
    return parser


def parse_size(text: str) -> tuple[int, int]:
    """``"1600x1000"`` as (1600, 1000); raises SnapshotError (code 2) for anything else or out of range."""
    match = re.fullmatch(r"\s*(\d{1,5})\s*[x×X]\s*(\d{1,5})\s*", text)
    if not match:
        raise SnapshotError(f"--size must look like 1600x1000, not {text!r}", 2)
    width, height = int(match.group(1)), int(match.group(2))
    if not (MIN_SIZE[0] <= width <= MAX_SIZE[0] and MIN_SIZE[1] <= height <= MAX_SIZE[1]):
        raise SnapshotError(
            f"--size {width}x{height} is out of range: from {MIN_SIZE[0]}x{MIN_SIZE[1]} to {MAX_SIZE[0]}x{MAX_SIZE[1]}",
            2,
        )
    return width, height


def parse_request(argv: list[str]) -> SnapshotRequest:
    """The request for ``argv`` (the arguments after ``snapshot``), checked; SnapshotError code 2 if wrong."""
    args = build_parser().parse_args(argv)
    if args.session is not None and (args.scene is not None or args.lesson_deck is not None):
        raise SnapshotError("--session cannot be combined with --scene or --lesson-deck: choose one", 2)
    scene = args.scene
    if scene is None and args.lesson_deck is not None:
        scene = 1
    if scene is not None and scene < 1:
        raise SnapshotError(f"--scene counts from 1, not {scene}", 2)
    if args.out.suffix.lower() != ".png":
        raise SnapshotError(f"--out must name a .png file, not {str(args.out)!r}", 2)
    if not (0 < args.scale <= MAX_SCALE):  # also refuses NaN
        raise SnapshotError(f"--scale must be above 0 and at most {MAX_SCALE:g}, not {args.scale:g}", 2)
    return SnapshotRequest(
        out=args.out,
        session=args.session,
        scene=scene,
        deck=args.lesson_deck,
        size=parse_size(args.size),
        scale=float(args.scale),
        presentation=args.presentation,
    )


def main(argv: list[str] | None = None) -> int:
    """Run ``cnn-desktop snapshot``; returns the exit status (0, 1 or 2), never raises for bad input."""
    argv = sys.argv[1:] if argv is None else list(argv)
    try:
        request = parse_request(argv)
    except SnapshotError as exc:
        return _fail(exc)
    except SystemExit as exc:  # --help
        return int(exc.code or 0)
    try:
        with tempfile.TemporaryDirectory(prefix="cnn-desktop-snapshot-") as folder:
            _ensure_application(folder)
            with _quiet_offscreen_warnings():
                size = take_snapshot(request, folder)
    except SnapshotError as exc:
        return _fail(exc)
    print(f"cnn-desktop: wrote {request.out} ({size[0]} x {size[1]} px)")
    return 0


@contextlib.contextmanager
def _quiet_offscreen_warnings() -> Iterator[None]:
    """Drop the offscreen platform's notes about window features it lacks; other messages pass."""
    from PySide6.QtCore import QtMsgType, qInstallMessageHandler

    def handler(kind: QtMsgType, _context, message: str) -> None:
        if kind == QtMsgType.QtWarningMsg and any(note in message for note in OFFSCREEN_NOTES):
            return
        print(message, file=sys.stderr)

    previous = qInstallMessageHandler(handler)
    try:
        yield
    finally:
        qInstallMessageHandler(previous)


def _fail(exc: SnapshotError) -> int:
    print(f"cnn-desktop: error: {exc}", file=sys.stderr)
    return exc.code


# ----------------------------------------------------------------------------------------------- the snapshot
def _ensure_application(folder: str) -> None:
    """A QApplication, offscreen on a large virtual screen unless the caller chose a platform."""
    from PySide6.QtWidgets import QApplication

    if QApplication.instance() is not None:
        return
    chosen = os.environ.get("QT_QPA_PLATFORM")
    if not chosen:
        config = os.path.join(folder, "screen.json")
        with open(config, "w", encoding="utf-8") as handle:
            json.dump({"screens": [VIRTUAL_SCREEN]}, handle)
        os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={config}"
    try:
        from .app import create_application

        create_application()
    finally:
        if not chosen:
            # the platform is set up: later Qt applications of this process choose their own
            del os.environ["QT_QPA_PLATFORM"]


def take_snapshot(request: SnapshotRequest, folder: str) -> tuple[int, int]:
    """Build the window, show what ``request`` asks for, and write the PNG; returns its size in pixels.

    ``folder`` is an empty temporary folder for the window's settings. Needs a QApplication.
    Raises SnapshotError (code 1) for files that cannot be read or written and states that cannot be shown.
    """
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QWidget

    from ..lesson import builtin_scenes, scenes_from_deck
    from ..session import default_session
    from ..session_file import SessionFileError, load_session
    from .document import SessionDocument
    from .export import ExportError, export_png
    from .main_window import MainWindow

    out_folder = request.out.resolve().parent
    if not out_folder.is_dir():
        raise SnapshotError(f"{request.out}: the folder {out_folder} does not exist")
    try:
        if request.session is not None:
            session, options = load_session(request.session)
            scenes = []
        elif request.scene is not None:
            scenes = scenes_from_deck(request.deck) if request.deck is not None else builtin_scenes()
            if request.scene > len(scenes):
                where = request.deck.name if request.deck is not None else "the built-in lesson"
                raise SnapshotError(f"--scene {request.scene}: {where} has {len(scenes)} scenes")
    except SessionFileError as exc:
        raise SnapshotError(str(exc)) from None

    settings = QSettings(os.path.join(folder, "settings.ini"), QSettings.Format.IniFormat)
    # the window restores this geometry before laying out its panels, so they fit the requested size
    sizer = QWidget()
    sizer.resize(*request.size)
    settings.setValue("window/geometry", sizer.saveGeometry())
    sizer.deleteLater()
    window = MainWindow(SessionDocument(default_session()), settings=settings, autosave=None)
    window.show_first_digit()
    try:
        window.resize(*request.size)
        window.show()
        if request.session is not None:
            error = window.apply_session(session, options, f"Open {request.session.name}")
            if error:
                raise SnapshotError(f"{request.session.name}: cannot be shown: {error}")
        elif request.scene is not None:
            window.lesson.start(scenes, request.scene - 1)
        window.presentation.set_shown(request.presentation)
        _wait_until_drawn(window)
        width, height = window.width(), window.height()
        if (width, height) != request.size:
            print(
                f"cnn-desktop: warning: the window cannot be {request.size[0]}x{request.size[1]}; "
                f"it needs at least {width}x{height}, the size of the picture",
                file=sys.stderr,
            )
        try:
            written = export_png(window, request.out, request.scale)
        except ExportError as exc:
            raise SnapshotError(str(exc)) from None
        return written.width(), written.height()
    finally:
        window.close()  # stops the lesson and the compute thread; settings go to the temporary folder
        window.deleteLater()
        _process_events()


def _wait_until_drawn(window) -> None:
    """Run the event loop until the newest state's result is computed and drawn, then let it settle."""
    document = window.document
    failures: list[str] = []
    document.compute_failed.connect(failures.append)
    deadline = time.monotonic() + RESULT_TIMEOUT_S
    while True:
        latest = document.latest
        if latest is not None and latest.version == document.session.version:
            shown = window.presentation.view if window.presentation.is_shown() else window.maps
            if shown.shown_version == latest.version:
                break
        if failures:
            raise SnapshotError(f"the network cannot be computed: {failures[-1]}")
        if time.monotonic() > deadline:
            raise SnapshotError(f"no result after {RESULT_TIMEOUT_S:g} s: the network is too slow to compute")
        _process_events()
        time.sleep(0.005)
    for _ in range(SETTLE_ROUNDS):
        _process_events()


def _process_events() -> None:
    from PySide6.QtCore import QCoreApplication, QEvent, QEventLoop

    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
