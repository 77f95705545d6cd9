"""Start the desktop application: one window on the bundled digits, ready to edit."""

from __future__ import annotations

import sys

import numpy as np
from PySide6.QtWidgets import QApplication

from ..session import Session


def first_test_digit() -> np.ndarray:
    """The first bundled test digit (28, 28), or a blank grid when the data cannot be read."""
    try:
        from ..data.datasets import load_bundled

        return load_bundled().test_images[0].copy()
    except (ImportError, OSError, ValueError):
        return np.zeros((28, 28), np.float32)


def create_application(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv[:1])
    app.setOrganizationName("cnn-desktop")
    app.setApplicationName("cnn-desktop")
    app.setApplicationDisplayName("cnn-desktop")
    return app


def run_window() -> int:
    """Show the main window and run the event loop until it closes."""
    app = create_application()
    from .document import SessionDocument
    from .main_window import MainWindow

    document = SessionDocument(Session(image=first_test_digit()))
    window = MainWindow(document)
    window.show()
    return app.exec()
