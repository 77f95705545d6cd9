"""Predict before reveal, in the window: covers over the results a lesson scene hides, and the key.

The scene's hidden results (:mod:`cnn_desktop.state.reveal`) are covered while the lesson shows
it; R reveals the next one. Covers sit on top of the views (a dark rectangle over a stage's maps,
a label over the probabilities, over the convolution player while it plays a hidden stage, and
over the same panels of the presentation layout), so the views themselves never learn about
quizzes.
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
    """An opaque label laid over a widget, following its size; made once per widget."""

    def __init__(self, target: QWidget) -> None:
        super().__init__(COVER_TEXT, target)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setStyleSheet("background: rgb(40, 44, 52); color: white;")
        self.setWordWrap(True)
        target.installEventFilter(self)
        self.hide()

    @classmethod
    def over(cls, target: QWidget) -> CoverLabel:
        """The cover of ``target``, made the first time it is asked for."""
        existing = target.findChild(cls, options=Qt.FindChildOption.FindDirectChildrenOnly)
        return existing if existing is not None else cls(target)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if watched is self.parentWidget() and event.type() == QEvent.Type.Resize:
            self.setGeometry(self.parentWidget().rect())
        return False

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
        self.probability_cover = CoverLabel.over(window.probabilities)
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
        # the comparison shows every stage of the scene: it gives nothing away while anything is hidden
        self.views.compare.set_numbers_hidden(self.window.lesson.active and bool(self.state.remaining))
        if self.hidden("saliency"):
            self.views.saliency.overlay.hide()
        elif self.views.saliency.enabled_box.isChecked():
            self.views.saliency.overlay.show()
        self._cover_maps()
        self._cover_player()
        self._cover_presentation()

    def _cover_player(self) -> None:
        """The player computes its layer's outputs cell by cell: covered while that stage is hidden."""
        player = self.window.conv_player
        unit = player.state.unit()
        hidden = unit is not None and self.hidden(stage_result(unit.stage))
        if hidden or player.findChild(CoverLabel) is not None:
            CoverLabel.over(player).cover(hidden)

    def player_covered(self) -> bool:
        cover = self.window.conv_player.findChild(CoverLabel)
        return cover is not None and not cover.isHidden()

    def _cover_presentation(self) -> None:
        """The presentation layout (a lesson's own) draws the results again: cover its panels too."""
        switch = getattr(self.window, "presentation", None)
        if switch is None:
            return
        view = switch.view
        for panel, widgets in zip(view.panels, view.panel_widgets, strict=False):
            name = "probabilities" if panel.kind == "probabilities" else None
            if panel.kind == "map" and panel.stage is not None:
                name = stage_result(panel.stage)
            for widget in widgets:
                if name is not None and (self.hidden(name) or widget.findChild(CoverLabel) is not None):
                    CoverLabel.over(widget).cover(self.hidden(name))

    def presentation_covers(self) -> list[CoverLabel]:
        """The covers now shown over the presentation layout's panels."""
        switch = getattr(self.window, "presentation", None)
        widgets = [] if switch is None else [w for ws in switch.view.panel_widgets for w in ws]
        covers = [w.findChild(CoverLabel) for w in widgets]
        return [cover for cover in covers if cover is not None and not cover.isHidden()]

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
