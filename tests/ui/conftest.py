"""Fixtures for the Qt tests: a live document with its compute thread, stopped after each test."""

from __future__ import annotations

import pytest

from cnn_desktop.ui.document import SessionDocument


@pytest.fixture
def document(qtbot):
    """A fresh session document (default MNIST network, blank 28x28 image) with a first result."""
    doc = SessionDocument()
    with qtbot.waitSignal(doc.result_ready, timeout=5000):
        pass
    yield doc
    doc.shutdown()


def wait_for_result(qtbot, document: SessionDocument, timeout: int = 5000):
    """Block until the worker has computed the document's newest state; returns that result."""
    qtbot.waitUntil(
        lambda: document.latest is not None and document.latest.version == document.session.version, timeout=timeout
    )
    return document.latest


def show_widget(qtbot, widget, width: int, height: int):
    """``widget`` at ``width`` x ``height``, shown and exposed, closed after the test; returns it."""
    qtbot.addWidget(widget)
    widget.resize(width, height)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


@pytest.fixture(autouse=True)
def normal_text_zoom(qapp):
    """Each test starts and ends at the normal text size (the zoom and the font are application-wide)."""
    from PySide6.QtGui import QFont
    from PySide6.QtWidgets import QApplication

    from cnn_desktop.ui.fonts import TEXT_ZOOM

    TEXT_ZOOM.set(1.0)
    font = QFont(QApplication.font())
    yield
    TEXT_ZOOM.set(1.0)
    QApplication.setFont(font)


def make_window(qtbot, document: SessionDocument, tmp_path, size: tuple[int, int] = (1400, 900)):
    """A shown main window on ``document`` with its own settings file and autosave folder."""
    from PySide6.QtCore import QSettings

    from cnn_desktop.autosave import AutosaveStore
    from cnn_desktop.ui.main_window import MainWindow

    settings = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    win = MainWindow(document, settings, AutosaveStore(tmp_path / "auto"))
    qtbot.addWidget(win)
    win.resize(*size)
    win.show()
    win.activateWindow()
    qtbot.waitExposed(win)
    return win
