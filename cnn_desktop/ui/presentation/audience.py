"""The audience's window: only the presentation layout, full screen on the projector.

A second top-level window over the same :class:`SessionDocument` as the main window, so every
edit and every scene shows on both. It holds no state of its own: the presenter view tells it
the headline and the scene's view options.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent, QGuiApplication, QScreen
from PySide6.QtWidgets import QVBoxLayout, QWidget

from ..document import SessionDocument
from ..full_screen import set_full_screen
from .pointer_overlay import PointerOverlay
from .presentation_view import PresentationView


class AudienceView(QWidget):
    """A window that is nothing but a :class:`PresentationView` and the lecturer's pointer over it."""

    closed = Signal()

    def __init__(self, document: SessionDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("cnn-desktop — audience")
        self.setAttribute(Qt.WidgetAttribute.WA_QuitOnClose, False)  # closing the main window quits
        self.view = PresentationView(document, self)
        self.pointer = PointerOverlay(self.view)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)

    def show_on(self, screen: QScreen | None) -> None:
        """Fill ``screen`` (the projector); on the lecturer's own screen when forced with one screen."""
        screen = screen or QGuiApplication.primaryScreen()
        if self.isFullScreen():
            set_full_screen(self, False)
        self.setScreen(screen)
        self.setGeometry(screen.availableGeometry())
        self.show()
        set_full_screen(self, True)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt's name)
        self.closed.emit()
        super().closeEvent(event)
