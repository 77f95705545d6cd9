"""The user's work kept aside while a lesson runs, and given back exactly when it ends.

A lesson replaces the image, the network and the view options scene by scene; none of that may
reach the user's own document, its undo history, its file name, the autosave or the pipeline
remembered for the next start. So a lesson starts by copying the work here and giving the
document a fresh undo history, and ending it (or quitting) puts everything back.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtGui import QUndoStack

from ..session import Session
from ..state.view_options import WINDOWED_LAYERS, ViewOptions

if TYPE_CHECKING:
    from .main_window import MainWindow


@dataclass
class WorkAside:
    """Everything of the user's document a lesson would otherwise overwrite."""

    session: Session
    """A deep copy: image, network with its weights, selection, digit, caption, training record."""
    options: ViewOptions
    undo_stack: QUndoStack
    session_path: str | None
    title: str


def set_work_aside(window: MainWindow) -> WorkAside:
    """Copy the window's work and give its document an empty undo history for the lesson."""
    session = window.session_to_save()
    options = window.view_options()
    if options.player_layer is None:  # a lesson at start-up: the player has not placed itself yet
        windowed = [i for i, layer in enumerate(session.network.spec) if layer["type"] in WINDOWED_LAYERS]
        options = dataclasses.replace(options, player_layer=windowed[0] if windowed else None, player_position=0)
    work = WorkAside(
        session=dataclasses.replace(session, image=session.image.copy(), network=session.network.copy()),
        options=options.fitted(session.network),
        undo_stack=window.document.undo_stack,
        session_path=window.session_path,
        title=window.windowTitle(),
    )
    window.document.use_undo_stack(QUndoStack(window.document))
    window.session_path = None  # Ctrl+S in a lesson asks for a name: it never overwrites the user's file
    window.setWindowTitle("Lesson — cnn-desktop")
    return work


def bring_work_back(window: MainWindow, work: WorkAside) -> None:
    """Show the work as it was before the lesson, with its own undo history; the lesson's is dropped."""
    lesson_stack = window.document.use_undo_stack(work.undo_stack)
    if lesson_stack is not None and lesson_stack is not work.undo_stack:
        window.document.undo_group.removeStack(lesson_stack)
        lesson_stack.deleteLater()
    window.apply_session(work.session, work.options, "", undoable=False)
    window.session_path = work.session_path
    window.setWindowTitle(work.title)
