"""The presenter view: the audience screen shows the clean presentation, the laptop keeps the controls.

When a lesson starts with a second screen attached (or when forced with ``--presenter`` /
``--audience-screen N``), an :class:`AudienceView` fills the other screen, and the main window
keeps its panels with a note above the maps: this scene, the next scene's title and caption, and
a clock. Both windows follow the one document, so Page Down in either turns both.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt, QTime, QTimer
from PySide6.QtGui import QAction, QFont, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QApplication, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from ...state.presenter import audience_screen, clock_text, next_scene_note
from ..colours import DEFAULT_DIVERGING
from .audience import AudienceView

if TYPE_CHECKING:
    from ..main_window import MainWindow

SHORTCUT = "F7"


class PresenterNotes(QWidget):
    """What only the lecturer sees: the scene now, the next one, and the time."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("presenterNotes")
        self.now = QLabel()
        self.next_title = QLabel()
        self.next_caption = QLabel()
        self.next_caption.setWordWrap(True)
        self.clock = QLabel()
        self.clock.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        bold = QFont(QApplication.font())
        bold.setPointSizeF(bold.pointSizeF() * 1.3)
        bold.setBold(True)
        for label in (self.next_title, self.clock):
            label.setFont(bold)
        text = QVBoxLayout()
        text.addWidget(self.now)
        text.addWidget(self.next_title)
        text.addWidget(self.next_caption)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.addLayout(text, 1)
        layout.addWidget(self.clock)
        self.setStyleSheet("#presenterNotes { background: #fff4d6; } QLabel { color: #222; }")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)


class PresenterMode(QObject):
    """Owns the audience window, the notes and the checkable View > Presenter view action (F7)."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.forced = False
        self.requested_screen: int | None = None
        self.lesson_started: float | None = None
        self.audience = AudienceView(window.document)
        self.audience.closed.connect(lambda: self.action.setChecked(False))
        self.notes = PresenterNotes()
        self.notes.hide()
        window.centralWidget().layout().insertWidget(1, self.notes)  # under the lesson banner
        self.action = QAction("Presenter &view (second screen)", window)
        self.action.setCheckable(True)
        self.action.setShortcut(QKeySequence(SHORTCUT))
        tip = f"The presentation on the second screen, the controls and what comes next on this one ({SHORTCUT})"
        self.action.setToolTip(tip)
        self.action.setStatusTip(tip)
        self.action.toggled.connect(self.set_on)
        self._clock = QTimer(self)
        self._clock.setInterval(1000)
        self._clock.timeout.connect(self._show_clock)
        window.lesson.scene_changed.connect(self.show_scene)
        window.lesson.active_changed.connect(self._lesson_active)
        window.installEventFilter(self)
        app = QGuiApplication.instance()
        app.screenAdded.connect(self._screens_changed)
        app.screenRemoved.connect(self._screens_changed)

    def is_on(self) -> bool:
        return self.audience.isVisible()

    def force(self, screen: int | None = None) -> None:
        """``--presenter`` / ``--audience-screen N``: on now and in every lesson, even with one screen."""
        self.forced, self.requested_screen = True, screen
        self._turn(True)

    def _turn(self, on: bool) -> None:
        """Through the action, so its check mark and the windows always agree."""
        if self.action.isChecked() != on:
            self.action.setChecked(on)  # calls set_on
        else:
            self.set_on(on)

    def set_on(self, on: bool) -> None:
        """Open the audience window on the other screen and the notes here, or close both."""
        window = self.window
        index = self._screen_index() if on else None
        if on and index is None:
            window.statusBar().showMessage("No second screen: attach a projector, or start with --presenter", 8000)
            on = False
        if on:
            if window.presentation.is_shown():
                window.presentation.set_shown(False)  # the controls stay on the lecturer's screen
            self.audience.view.set_palette(getattr(window, "maps_palette", DEFAULT_DIVERGING))
            self.audience.show_on(QGuiApplication.screens()[index])
            if self.audience not in window.lesson.key_windows:
                window.lesson.key_windows.append(self.audience)
            self.show_scene(window.lesson.index)
            self.notes.show()
            self._clock.start()
            self._show_clock()
        else:
            self._clock.stop()
            self.notes.hide()
            if self.audience.isVisible():
                self.audience.hide()
        if self.action.isChecked() != on:
            self.action.setChecked(on)

    def show_scene(self, index: int) -> None:
        """The audience sees scene ``index``'s headline and kernels; the notes say what comes next."""
        lesson = self.window.lesson
        view = self.audience.view
        if 0 <= index < len(lesson.scenes):
            scene = lesson.scenes[index]
            banner = lesson.banner
            view.set_headline(scene.title, banner.caption.text())
            view.set_options(scene.view_options)
            self.notes.now.setText(f"Now {index + 1} / {len(lesson.scenes)}: {scene.title}")
            titles = [s.title for s in lesson.scenes]
            note = next_scene_note(titles, [s.caption for s in lesson.scenes], index)
            self.notes.next_title.setText(f"Next {note.number}: {note.title}" if note.number else note.title)
            self.notes.next_caption.setText(note.caption)
        else:
            editor = self.window.kernel_editor
            view.set_headline(self.window.document.session.caption or "cnn-desktop", "")
            view.set_options({"kernel_layer": editor.layer(), "kernel_factor": f"{editor.scale():.10g}"})
            self.notes.now.setText("No lesson running: the audience sees what you edit")
            self.notes.next_title.setText("Lesson > Start the built-in lesson (Ctrl+Shift+L)")
            self.notes.next_caption.setText("")

    def _lesson_active(self, active: bool) -> None:
        self.lesson_started = time.monotonic() if active else None
        if active and (self.forced or len(QGuiApplication.screens()) > 1):
            self._turn(True)
        elif not active and not self.forced:
            self._turn(False)
        else:
            self.show_scene(self.window.lesson.index)
        self._show_clock()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if watched is self.window and event.type() == QEvent.Type.Close:
            self.audience.close()  # the audience window never outlives the lecturer's
        return False

    def _screens_changed(self, *_args) -> None:
        """A projector plugged in or out: follow it (a forced presenter view stays)."""
        if self.forced:
            return
        if self.is_on():
            self.set_on(self._screen_index() is not None)
        elif self.window.lesson.active and len(QGuiApplication.screens()) > 1:
            self._turn(True)

    def _screen_index(self) -> int | None:
        screens = QGuiApplication.screens()
        own = self.window.screen()
        window_screen = screens.index(own) if own in screens else 0
        return audience_screen(len(screens), window_screen, self.requested_screen, self.forced)

    def _show_clock(self) -> None:
        now = QTime.currentTime()
        elapsed = None if self.lesson_started is None else time.monotonic() - self.lesson_started
        self.notes.clock.setText(clock_text(now.hour(), now.minute(), elapsed))
