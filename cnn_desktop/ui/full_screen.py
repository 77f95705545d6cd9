"""Full screen that also works without a window manager (a bare X server in a lecture hall).

Qt's full-screen flag is a request to the window manager; with none running, nothing resizes the
window. So the window is also given its screen's whole geometry, and its normal geometry back.
"""

from __future__ import annotations

from PySide6.QtCore import QRect
from PySide6.QtWidgets import QApplication, QWidget

NORMAL_GEOMETRY = "normalGeometryBeforeFullScreen"


def set_full_screen(window: QWidget, full: bool) -> None:
    """Fill the window's screen (``full``) or return to the geometry it had before."""
    if full == window.isFullScreen():
        return
    if full:
        window.setProperty(NORMAL_GEOMETRY, window.geometry())
        screen = window.screen() or QApplication.primaryScreen()
        window.setGeometry(screen.geometry())  # first: a later resize would clear the full-screen state
        window.showFullScreen()
        return
    window.showNormal()
    normal = window.property(NORMAL_GEOMETRY)
    if isinstance(normal, QRect) and normal.isValid():
        window.setGeometry(normal)
