"""The pointer over the feature maps: hover reads a unit, a click selects it, the wheel scrolls or zooms.

:class:`MapsPointer` filters the canvas viewport's mouse, wheel and tooltip events and reports
through the view's ``unit_hovered`` and ``unit_clicked`` signals; it outlines the hovered unit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QPointF, Qt
from PySide6.QtWidgets import QApplication, QGraphicsRectItem, QToolTip

if TYPE_CHECKING:
    from .feature_maps import FeatureMapsView, Unit

ZOOM_STEP = 1.25


class MapsPointer(QObject):
    """Pointer events of ``view``'s canvas; ``hover_item`` outlines the unit under the mouse."""

    def __init__(self, view: FeatureMapsView, hover_item: QGraphicsRectItem) -> None:
        super().__init__(view)
        self._view = view
        self._hover_item = hover_item
        self.hovered: Unit | None = None
        view.canvas.viewport().installEventFilter(self)

    def forget(self) -> None:
        """Nothing is hovered any more (the layout changed under the mouse, or it left)."""
        self.hovered = None
        self._hover_item.setVisible(False)

    def _hover_at(self, point: QPointF) -> None:
        view = self._view
        unit = view.unit_at_scene(point)
        if unit == self.hovered:
            return
        self.hovered = unit
        if unit is None:
            self._hover_item.setVisible(False)
            return
        self._hover_item.setRect(view.unit_scene_rect(*unit))
        self._hover_item.setVisible(True)
        view.unit_hovered.emit(*unit, view.value(*unit))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        view = self._view
        canvas = view.canvas
        if watched is not canvas.viewport():
            return super().eventFilter(watched, event)
        kind = event.type()
        if kind == QEvent.Type.MouseMove:
            self._hover_at(canvas.mapToScene(event.position().toPoint()))
            return False
        if kind == QEvent.Type.MouseButtonPress:
            canvas.setFocus(Qt.FocusReason.MouseFocusReason)
            if event.button() == Qt.MouseButton.LeftButton:
                unit = view.unit_at_scene(canvas.mapToScene(event.position().toPoint()))
                if unit is not None:
                    view.unit_clicked.emit(*unit)
            return True
        if kind in (QEvent.Type.MouseButtonRelease, QEvent.Type.MouseButtonDblClick):
            return True
        if kind == QEvent.Type.Leave:
            self.forget()
            return False
        if kind == QEvent.Type.Wheel:
            if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
                steps = event.angleDelta().y() / 120
                if steps:
                    view.set_zoom(view.zoom * ZOOM_STEP**steps)
            else:
                QApplication.sendEvent(canvas.verticalScrollBar(), event)
            return True
        if kind == QEvent.Type.ToolTip:
            unit = view.unit_at_scene(canvas.mapToScene(event.pos()))
            if unit is None:
                QToolTip.hideText()
            else:
                text = view.hover_text(*unit, view.value(*unit)) + "\nClick to select this unit"
                QToolTip.showText(event.globalPos(), text, canvas)
            return True
        return False
