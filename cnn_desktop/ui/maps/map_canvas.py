"""The scrolling canvas the feature maps are drawn on: one scene unit is one screen pixel."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtWidgets import QGraphicsView, QWidget

from ..colours import CANVAS_BACKGROUND


class MapsCanvas(pg.GraphicsView):
    """pyqtgraph's GraphicsView in screen-pixel units that scrolls vertically through the stages.

    The scene is as wide as the viewport and as tall as the content; the view keeps its viewport
    (and so every repaint) the size of the window, however tall the pipeline is.
    """

    resized = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        self._content_height = 0.0
        super().__init__(parent, background=CANVAS_BACKGROUND)
        self.setCacheMode(QGraphicsView.CacheModeFlag.CacheNone)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.setTransformationAnchor(QGraphicsView.ViewportAnchor.NoAnchor)
        self.setResizeAnchor(QGraphicsView.ViewportAnchor.NoAnchor)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)

    @property
    def content_height(self) -> float:
        return self._content_height

    def set_content_height(self, height: float) -> None:
        """The total height of the stages (scene px); the scroll range follows."""
        self._content_height = float(height)
        self._update_scene_rect()

    def _update_scene_rect(self) -> None:
        viewport = self.viewport().size()
        self.range = QRectF(0, 0, viewport.width(), max(self._content_height, viewport.height()))
        self.setSceneRect(self.range)

    def updateMatrix(self, propagate: bool = True) -> None:  # noqa: N802 (pyqtgraph's name)
        """Identity transform: one scene unit is one screen pixel (pyqtgraph would fit a range)."""
        self.resetTransform()
        self._update_scene_rect()

    def keyPressEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        """Arrows, Page Up/Down, Home and End scroll (pyqtgraph would hand them all to the scene)."""
        bar = self.verticalScrollBar()
        if event.key() == Qt.Key.Key_Home:
            bar.setValue(bar.minimum())
        elif event.key() == Qt.Key.Key_End:
            bar.setValue(bar.maximum())
        else:
            QGraphicsView.keyPressEvent(self, event)

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        if event is not None:
            QGraphicsView.resizeEvent(self, event)
        self._update_scene_rect()
        self.resized.emit()
