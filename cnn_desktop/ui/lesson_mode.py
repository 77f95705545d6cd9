"""Lesson mode: step through a deck of scenes with the keys a presenter's clicker sends.

A lesson runs on its own document: the user's work is set aside when it starts and comes back,
as it was, when it ends (see ``lesson_aside.py``).

A scene sets the image, the network, the selected unit, the view options and a caption; the
banner shows "scene 3 / 9", its title and caption in large type. The scenes themselves are data
(``cnn_desktop/lesson.py``); this module only moves between them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QFont, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..lesson import Scene
from ..session import Session
from .lesson_aside import WorkAside, bring_work_back, set_work_aside

if TYPE_CHECKING:
    from .main_window import MainWindow

NEXT_KEYS = {Qt.Key.Key_PageDown, Qt.Key.Key_Space, Qt.Key.Key_Right, Qt.Key.Key_Down}
PREVIOUS_KEYS = {Qt.Key.Key_PageUp, Qt.Key.Key_Backspace, Qt.Key.Key_Left, Qt.Key.Key_Up}
CLICKER_KEYS = {Qt.Key.Key_PageDown, Qt.Key.Key_PageUp}  # never needed by an editor: always turn the page


class LessonBanner(QWidget):
    """The scene number, title and caption above the maps, with previous/next buttons."""

    previous_requested = Signal()
    next_requested = Signal()
    close_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("lessonBanner")
        self.number = QLabel()
        self.title = QLabel()
        self.caption = QLabel()
        self.caption.setWordWrap(True)
        self.apply_fonts()
        back = QPushButton("◀")
        back.setToolTip("Previous scene (Page Up, Left, Backspace)")
        back.clicked.connect(self.previous_requested)
        forward = QPushButton("▶")
        forward.setToolTip("Next scene (Page Down, Space, Right)")
        forward.clicked.connect(self.next_requested)
        leave = QPushButton("✕")
        leave.setToolTip("Leave lesson mode; the current scene stays open for editing")
        leave.clicked.connect(self.close_requested)
        top = QHBoxLayout()
        top.addWidget(self.number)
        self.title.setWordWrap(True)
        self.title.setMinimumWidth(120)
        top.addWidget(self.title, 1)
        top.addWidget(back)
        top.addWidget(forward)
        top.addWidget(leave)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.addLayout(top)
        layout.addWidget(self.caption)
        self.setStyleSheet("#lessonBanner { background: #20242b; } QLabel { color: #f2f2f2; }")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)

    def apply_fonts(self) -> None:
        """Title and caption larger than the application font, following its presentation zoom."""
        base = QApplication.font()
        title = QFont(base)
        title.setPointSizeF(base.pointSizeF() * 1.6)
        title.setBold(True)
        self.title.setFont(title)
        self.number.setFont(title)
        caption = QFont(base)
        caption.setPointSizeF(base.pointSizeF() * 1.25)
        self.caption.setFont(caption)

    def follow_text_zoom(self) -> None:
        """Called by the presentation zoom (the application font change alone does not reach here)."""
        self.apply_fonts()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt's name)
        if event.type() == QEvent.Type.ApplicationFontChange:
            self.apply_fonts()
        super().changeEvent(event)

    def show_scene(self, index: int, count: int, scene: Scene) -> None:
        self.number.setText(f"{index + 1} / {count}")
        self.title.setText(scene.title)
        rest = scene.caption[len(scene.title) :].lstrip(":;.— ") if scene.caption.startswith(scene.title) else ""
        self.caption.setText(rest or scene.caption)


class LessonController(QObject):
    """Moves a window through a deck of scenes; catches the clicker's keys while active."""

    scene_changed = Signal(int)
    active_changed = Signal(bool)  # a lesson started (True) or ended (False)

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.scenes: list[Scene] = []
        self.index = -1
        self.work: WorkAside | None = None  # the user's document while a lesson runs
        self.key_windows: list[QWidget] = []  # other windows whose page keys turn the page (the audience's)
        self.banner = LessonBanner()
        self.banner.hide()
        self.banner.previous_requested.connect(self.previous)
        self.banner.next_requested.connect(self.next)
        self.banner.close_requested.connect(self.stop)

    @property
    def active(self) -> bool:
        return bool(self.scenes)

    def start(self, scenes: list[Scene], index: int = 0) -> None:
        """Enter lesson mode on ``scenes`` (at least one), showing scene ``index``."""
        if not scenes:
            return
        if not self.active:
            if self.window.training.state != "idle":
                self.window.statusBar().showMessage("Stop the training before starting a lesson", 8000)
                return
            self.work = set_work_aside(self.window)
            QApplication.instance().installEventFilter(self)
        self.scenes = scenes
        self.banner.show()
        self.active_changed.emit(True)
        self.go_to(index)

    def stop(self) -> None:
        """Leave lesson mode and give the user's work back as it was before the lesson."""
        if not self.active:
            return
        QApplication.instance().removeEventFilter(self)
        self.scenes, self.index = [], -1
        self.banner.hide()
        work, self.work = self.work, None
        self.window.training.stop(adopt=False)  # a run on a scene's network must not land in the work
        if work is not None:
            bring_work_back(self.window, work)
        self.active_changed.emit(False)

    def work_session(self) -> tuple[Session, object] | None:
        """The user's session and view options while a lesson runs (what to autosave), else None."""
        return None if self.work is None else (self.work.session, self.work.options)

    def go_to(self, index: int) -> None:
        if not self.scenes:
            return
        index = max(0, min(index, len(self.scenes) - 1))
        self.index = index
        scene = self.scenes[index]
        self.window.apply_scene(scene)
        self.banner.show_scene(index, len(self.scenes), scene)
        self.scene_changed.emit(index)

    def next(self) -> None:
        self.go_to(self.index + 1)

    def previous(self) -> None:
        self.go_to(self.index - 1)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if event.type() != QEvent.Type.KeyPress or not self.active or not isinstance(event, QKeyEvent):
            return False
        key = Qt.Key(event.key())
        if key not in NEXT_KEYS | PREVIOUS_KEYS or event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
            return False
        if key not in CLICKER_KEYS and self._focus_wants_keys():
            return False
        active = QApplication.activeWindow()
        if self.window.isActiveWindow() or active is None or active in self.key_windows:
            self.next() if key in NEXT_KEYS else self.previous()
            return True
        return False

    def _focus_wants_keys(self) -> bool:
        """True when the keyboard focus is in something that uses arrows/space itself."""
        focus = QApplication.focusWidget()
        if focus is None:
            return False
        if isinstance(focus, (QLineEdit, QAbstractSpinBox, QComboBox)):
            return True
        wants = (self.window.maps, self.window.pixel_editor, self.window.kernel_editor, self.window.conv_player)
        return any(widget.isAncestorOf(focus) or widget is focus for widget in wants)
