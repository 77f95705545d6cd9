"""Turns the main window into the presentation layout and back (View > Presentation layout, F6).

While it is on, the docks, the maps, the lesson banner and the status bar step aside and the
:class:`PresentationView` fills the window; turning it off brings back exactly the docks that were
showing. A lesson turns it on when it starts; the lecturer can still turn it off to edit, and
the view keeps following the document either way.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QWidget

from ..colours import DEFAULT_DIVERGING
from .presentation_view import PresentationView

if TYPE_CHECKING:
    from ..main_window import MainWindow

SHORTCUT = "F6"


class PresentationSwitch(QObject):
    """Owns the presentation view and the checkable action that shows it in ``window``."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.view = PresentationView(window.document)
        self.view.hide()
        window.centralWidget().layout().addWidget(self.view, 1)
        self.action = QAction("Presentation &layout", window)
        self.action.setCheckable(True)
        self.action.setShortcut(QKeySequence(SHORTCUT))
        tip = f"Only the scene's input, kernel and output, as large as the screen allows ({SHORTCUT})"
        self.action.setToolTip(tip)
        self.action.setStatusTip(tip)
        self.action.toggled.connect(self.set_shown)
        self._hidden: list[QWidget] = []
        window.lesson.scene_changed.connect(self.show_scene)
        window.lesson.active_changed.connect(self.action.setChecked)
        window.installEventFilter(self)

    def is_shown(self) -> bool:
        return self.view.isVisibleTo(self.window)

    def set_shown(self, shown: bool) -> None:
        """Show the presentation layout in place of the normal panels, or give them back."""
        if shown == self.is_shown():
            return
        window = self.window
        if shown:
            if not window.lesson.active:
                self._show_window_state()
            candidates = [*window.docks.values(), window.maps, window.caption_label, window.lesson.banner]
            self._hidden = [widget for widget in candidates if widget.isVisibleTo(window)]
            self._hidden += [window.statusBar()] if window.statusBar().isVisibleTo(window) else []
            for widget in self._hidden:
                widget.hide()
            self.view.set_palette(getattr(window, "maps_palette", DEFAULT_DIVERGING))
            self.view.show()
        else:
            self.view.hide()
            for widget in self._hidden:
                widget.show()
            self._hidden = []
        if self.action.isChecked() != shown:
            self.action.setChecked(shown)

    def show_scene(self, index: int) -> None:
        """A lesson moved to scene ``index``: its title, caption and kernel options."""
        lesson = self.window.lesson
        if not 0 <= index < len(lesson.scenes):
            return
        scene = lesson.scenes[index]
        rest = scene.caption[len(scene.title) :].lstrip(":;.\u2014 ") if scene.caption.startswith(scene.title) else ""
        self.view.set_headline(f"{index + 1} / {len(lesson.scenes)}   {scene.title}", rest or scene.caption)
        self.view.set_options(scene.view_options)

    def _show_window_state(self) -> None:
        """Outside a lesson: the session's caption and the kernel editor's layer and factor."""
        editor = self.window.kernel_editor
        caption = self.window.document.session.caption
        self.view.set_headline(caption or "cnn-desktop", "")
        self.view.set_options({"kernel_layer": editor.layer(), "kernel_factor": f"{editor.scale():.10g}"})

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if watched is self.window and event.type() == QEvent.Type.Close:
            self.set_shown(False)  # the window saves its dock layout as the lecturer arranged it
        return False
