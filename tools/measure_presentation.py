"""Measure the presentation layout of every built-in scene: cell sizes and digit heights in pixels.

    python tools/measure_presentation.py 1024x768 1920x1080          # offscreen, rendered widgets
    DISPLAY=:1 python tools/measure_presentation.py --screen 1024x768  # a real screen, from screenshots

With ``--screen`` the window is shown full screen on a display of that size and each number is
measured in a screenshot of the screen, the way a camera in the hall would see it.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time

from PySide6.QtCore import QPoint, QRect, QSettings
from PySide6.QtWidgets import QApplication


def settle(app: QApplication, window, seconds: float = 0.3) -> None:
    document, view = window.document, window.presentation.view
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        app.processEvents()
        latest = document.latest
        if latest is not None and latest.version == document.session.version == view.shown_version:
            break
        time.sleep(0.01)
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.01)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="+", help="window sizes, e.g. 1024x768")
    parser.add_argument("--screen", action="store_true", help="full screen, measured from screenshots")
    args = parser.parse_args()
    if not args.screen:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    app = QApplication.instance() or QApplication(sys.argv[:1])
    from cnn_desktop.session import Session
    from cnn_desktop.ui.document import SessionDocument
    from cnn_desktop.ui.editors.grid_view import NumberGridView
    from cnn_desktop.ui.main_window import MainWindow
    from cnn_desktop.ui.presentation.measure import digit_heights

    folder = tempfile.mkdtemp(prefix="measure-presentation-")
    settings = QSettings(os.path.join(folder, "s.ini"), QSettings.Format.IniFormat)
    window = MainWindow(SessionDocument(Session()), settings=settings, autosave=None)
    window.show()
    print("size       scene  unit  key output digits (px): min / median")
    for text in args.sizes:
        width, height = (int(part) for part in text.lower().split("x"))
        window.start_builtin_lesson()
        if args.screen:
            if not window.isFullScreen():
                window.full_screen_action.trigger()
        else:
            window.resize(width, height)
        for index in range(len(window.lesson.scenes)):
            window.lesson.go_to(index)
            settle(app, window)
            view = window.presentation.view
            screen = window.screen().grabWindow(0) if args.screen else None
            heights = []
            for grid in view.key_grids():
                if not isinstance(grid, NumberGridView):
                    continue
                picture = None
                if screen is not None:
                    corner = grid.mapToGlobal(QPoint(0, 0))
                    picture = screen.copy(QRect(corner, grid.size())).toImage()
                heights += digit_heights(grid, picture)
            measured = f"{min(heights):3d} / {sorted(heights)[len(heights) // 2]:3d}" if heights else "(bars)"
            print(f"{text:10s} {index + 1:5d}  {view.unit:4d}  {measured}")
        window.lesson.stop()
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
