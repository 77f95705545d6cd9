"""Predict before reveal, in the window: covers over the results a lesson scene hides, and the key.

The scene's hidden results (:mod:`cnn_desktop.state.reveal`) are covered while the lesson shows
it; R reveals the next one. Covers sit on top of the views (a dark rectangle over a stage's maps,
a label over the probabilities), so the views themselves never learn about quizzes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QBrush, QColor, QKeySequence, QPen, QShortcut
from PySide6.QtWidgets import QGraphicsRectItem, QLabel, QWidget

from ...state.reveal import RevealState, stage_result

if TYPE_CHECKING:
    from .wiring import InsightViews

REVEAL_KEY = Qt.Key.Key_R
COVER_TEXT = "Hidden: predict it, then press R"
COVER_COLOUR = QColor(40, 44, 52)


class CoverLabel(QLabel):
    """An opaque label laid over a widget, following its size."""

    def __init__(self, target: QWidget) -> None:
        super().__init__(COVER_TEXT, target)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setStyleSheet("background: rgb(40, 44, 52); color: white; font-size: 16pt;")
        self.setWordWrap(True)
        self.hide()

    def cover(self, hidden: bool) -> None:
        self.setGeometry(self.parentWidget().rect())
        self.setVisible(hidden)
        self.raise_()


class RevealView(QObject):
    """Keeps the covers in step with the lesson's scene and the reveal key."""

    def __init__(self, window, views: InsightViews) -> None:
        super().__init__(window)
        self.window, self.views = window, views
        self.state = RevealState()
        self.map_covers: list[QGraphicsRectItem] = []
        self.probability_cover = CoverLabel(window.probabilities)
        self.shortcut = QShortcut(QKeySequence(REVEAL_KEY), window, context=Qt.ShortcutContext.WindowShortcut)
        self.shortcut.activated.connect(self.reveal_next)
        window.lesson.scene_changed.connect(self.scene_shown)
        window.lesson.banner.installEventFilter(self)  # the banner hides whenever the lesson ends
        window.document.result_ready.connect(self.redraw)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if watched is self.window.lesson.banner and event.type() == QEvent.Type.Hide:
            self.redraw()
        return False

    def scene_shown(self, index: int) -> None:
        scenes = self.window.lesson.scenes
        options = scenes[index].view_options if 0 <= index < len(scenes) else None
        self.state = RevealState.from_view_options(options)
        self.redraw()

    def reveal_next(self) -> None:
        if self.state.reveal_next() is not None:
            self.redraw()

    def hidden(self, name: str) -> bool:
        """True while the lesson runs a scene that still hides ``name``."""
        return self.window.lesson.active and self.state.is_hidden(name)

    def redraw(self) -> None:
        """Cover what is hidden now; uncover the rest (nothing is hidden outside lesson mode)."""
        self.probability_cover.cover(self.hidden("probabilities"))
        self.views.compare.set_numbers_hidden(self.hidden("changes"))
        if self.hidden("saliency"):
            self.views.saliency.overlay.hide()
        elif self.views.saliency.enabled_box.isChecked():
            self.views.saliency.overlay.show()
        self._cover_maps()

    def _cover_maps(self) -> None:
        for item in self.map_covers:
            if item.scene() is not None:
                item.scene().removeItem(item)
        self.map_covers = []
        maps = self.window.maps
        for stage in range(maps.stage_count()):
            if not self.hidden(stage_result(stage)):
                continue
            image = maps.image_item(stage)
            scene = image.scene()
            if scene is None:
                continue
            cover = QGraphicsRectItem(image.sceneBoundingRect())
            cover.setBrush(QBrush(COVER_COLOUR))
            cover.setPen(QPen(Qt.PenStyle.NoPen))
            cover.setZValue(1e6)
            cover.setToolTip(COVER_TEXT)
            scene.addItem(cover)
            self.map_covers.append(cover)
