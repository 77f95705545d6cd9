"""Turns the main window into the presentation layout and back (View > Presentation layout, F6).

While it is on, the docks, the maps and the status bar step aside and the
:class:`PresentationView` fills the window under the lesson banner, whose title and caption grow
with the screen; turning it off brings back exactly the docks that were showing. A lesson turns
it on when it starts; the lecturer can still turn it off to edit, and the view keeps following
the document either way.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QAction, QFont, QKeySequence
from PySide6.QtWidgets import QWidget

from ..colours import DEFAULT_DIVERGING
from ..fonts import pixel_font
from .pointer_overlay import PointerOverlay
from .presentation_view import PresentationView, headline_pixels

if TYPE_CHECKING:
    from ..main_window import MainWindow

SHORTCUT = "F6"


class PresentationSwitch(QObject):
    """Owns the presentation view and the checkable action that shows it in ``window``."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.view = PresentationView(window.document)
        self.pointer = PointerOverlay(self.view)  # hold L or the middle button; drag to ring cells
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
        self._banner_fonts: list[QFont] | None = None
        window.lesson.scene_changed.connect(self.show_scene)
        window.lesson.active_changed.connect(self._lesson_active)
        window.installEventFilter(self)

    def is_shown(self) -> bool:
        return self.view.isVisibleTo(self.window)

    def set_shown(self, shown: bool) -> None:
        """Show the presentation layout in place of the normal panels, or give them back."""
        if shown == self.is_shown():
            return
        window = self.window
        if shown:
            candidates = [*window.docks.values(), window.maps, window.caption_label, window.statusBar()]
            self._hidden = [widget for widget in candidates if widget.isVisibleTo(window)]
            for widget in self._hidden:
                widget.hide()
            self.view.set_palette(getattr(window, "maps_palette", DEFAULT_DIVERGING))
            self._show_headline()
            self.view.show()
        else:
            self.view.hide()
            for widget in self._hidden:
                widget.show()
            self._hidden = []
            self._restore_banner()
        if self.action.isChecked() != shown:
            self.action.setChecked(shown)

    def show_scene(self, index: int) -> None:
        """A lesson moved to scene ``index``: its kernel options (the banner shows its words)."""
        lesson = self.window.lesson
        if 0 <= index < len(lesson.scenes):
            self.view.set_options(lesson.scenes[index].view_options)

    def _lesson_active(self, active: bool) -> None:
        self.set_shown(active)
        if self.is_shown():
            self._show_headline()

    def _show_headline(self) -> None:
        """In a lesson the banner is the headline, enlarged; otherwise the session's caption."""
        if self.window.lesson.active:
            self.view.set_headline("", "")
            self._enlarge_banner()
            return
        self._restore_banner()
        editor = self.window.kernel_editor
        self.view.set_headline(self.window.document.session.caption or "cnn-desktop", "")
        self.view.set_options({"kernel_layer": editor.layer(), "kernel_factor": f"{editor.scale():.10g}"})

    def follow_text_zoom(self) -> None:
        """The presentation layout sizes its banner to the screen, whatever the text zoom."""
        if self.is_shown() and self.window.lesson.active:
            self._enlarge_banner()

    def _enlarge_banner(self) -> None:
        banner = self.window.lesson.banner
        labels = (banner.number, banner.title, banner.caption)
        if self._banner_fonts is None:
            self._banner_fonts = [label.font() for label in labels]
        title_px, caption_px = headline_pixels(self.window.height())
        banner.number.setFont(pixel_font(title_px, bold=True))
        banner.title.setFont(pixel_font(title_px, bold=True))
        banner.caption.setFont(pixel_font(caption_px))

    def _restore_banner(self) -> None:
        if self._banner_fonts is None:
            return
        banner = self.window.lesson.banner
        for label, font in zip((banner.number, banner.title, banner.caption), self._banner_fonts, strict=True):
            label.setFont(font)
        self._banner_fonts = None
        banner.apply_fonts()  # at the text size chosen meanwhile

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if watched is self.window:
            if event.type() == QEvent.Type.Close:
                self.set_shown(False)  # the window saves its dock layout as the lecturer arranged it
            elif event.type() == QEvent.Type.Resize and self.is_shown() and self.window.lesson.active:
                self._enlarge_banner()
        return False
