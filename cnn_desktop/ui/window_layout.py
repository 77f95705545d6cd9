"""How the main window is laid out: the central maps, scrolling docks, and the first-run dock sizes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget, QFrame, QLabel, QScrollArea, QVBoxLayout, QWidget

if TYPE_CHECKING:
    from .main_window import MainWindow

COMPACT_WIDTH = 1300  # below this window width the first-run layout puts editors in tabs
SCROLLBAR_ROOM = 24


def central_widget(caption: QLabel, maps: QWidget) -> QWidget:
    """The maps under the caption of the selected unit (the lesson banner goes on top)."""
    central = QWidget()
    layout = QVBoxLayout(central)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(2)
    layout.addWidget(caption)
    layout.addWidget(maps, 1)
    return central


def make_dock(window: QWidget, key: str, title: str, widget: QWidget, scroll: bool = True) -> QDockWidget:
    """A dock for ``widget``; tall panels scroll instead of forcing a window larger than a laptop."""
    dock = QDockWidget(title, window)
    dock.setObjectName(f"dock_{key}")
    if scroll:
        area_widget = QScrollArea()
        area_widget.setWidgetResizable(True)
        area_widget.setFrameShape(QFrame.Shape.NoFrame)
        area_widget.setWidget(MinimumHeightHolder(widget))
        dock.setWidget(area_widget)
    else:
        dock.setWidget(widget)
    return dock


def default_dock_sizes(window: MainWindow) -> None:
    """The first-run layout: the maps get the middle, editors and layers the sides.

    On a small screen (a 1024x768 projector) the editors share one column as tabs, so neither
    is squeezed below the size its controls need; of the layers and the class probabilities the
    probabilities are in front, since the window opens on the trained network reading a digit.
    """
    width = window.width()
    if width < COMPACT_WIDTH:
        window.tabifyDockWidget(window.docks["image"], window.docks["kernels"])
        window.tabifyDockWidget(window.docks["pipeline"], window.docks["probabilities"])
        window.docks["image"].raise_()
        window.docks["probabilities"].raise_()
    left = max(int(width * 0.27), window.pixel_editor.minimumSizeHint().width() + SCROLLBAR_ROOM)
    right = max(int(width * 0.24), window.pipeline.minimumSizeHint().width() + SCROLLBAR_ROOM)
    window.resizeDocks([window.docks["image"], window.docks["pipeline"]], [left, right], Qt.Horizontal)
    window.resizeDocks([window.docks["pipeline"], window.docks["probabilities"]], [3, 2], Qt.Vertical)
    window.resizeDocks([window.docks["player"]], [int(window.height() * 0.42)], Qt.Vertical)


class MinimumHeightHolder(QWidget):
    """Holds a panel in a scroll area, which then sizes it by its minimum height.

    Without it, a word-wrapped label anywhere in the panel makes the scroll area size the panel
    by its preferred height for the width, so a low dock scrolls although everything would fit.
    """

    def __init__(self, panel: QWidget) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(_NoHeightForWidth(panel))


class _NoHeightForWidth(QWidget):
    def __init__(self, panel: QWidget) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(panel)

    def hasHeightForWidth(self) -> bool:  # noqa: N802 (Qt's name)
        return False
