"""The window's menus: File, Edit, View, Training, Lesson and Help, with their shortcuts and tips.

Each action only calls a slot of the window (or of a panel); nothing is computed here.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QActionGroup, QKeySequence

from .colours import DIVERGING
from .export_menu import build_export_menu
from .insight.wiring import install_insight
from .presentation.presenter import PresenterMode
from .presentation.switch import PresentationSwitch

if TYPE_CHECKING:
    from .main_window import MainWindow

SCALINGS = {"layer": "Scale each layer", "channel": "Scale each channel", "global": "One scale for all layers"}


def build_menus(window: MainWindow) -> None:
    """Fill ``window``'s menu bar; the actions tests and other code use become attributes of ``window``."""
    menus = window.menuBar()
    file_menu = menus.addMenu("&File")
    window.new_session_action = _action(
        window,
        "&New session",
        window.new_session,
        QKeySequence.New,
        "Start again from the trained MNIST network and a test digit (Undo brings your work back)",
    )
    file_menu.addAction(window.new_session_action)
    window.open_image_action = _action(
        window,
        "&Open image…",
        window._open_image,
        QKeySequence.Open,
        "Import a PNG, JPEG or BMP image into the pixel grid",
    )
    window.open_session_action = _action(
        window,
        "Open &session…",
        window._open_session,
        "Ctrl+Shift+O",
        "Open a saved session (.cnnd): image, layers, weights",
    )
    file_menu.addAction(window.open_session_action)
    window.save_session_action = _action(
        window, "&Save session", window._save_session, QKeySequence.Save, "Save everything on screen to a .cnnd file"
    )
    file_menu.addAction(window.save_session_action)
    file_menu.addAction(
        _action(
            window, "Save session &as…", window._save_session_as, "Ctrl+Shift+S", "Save the session under a new name"
        )
    )
    file_menu.addSeparator()
    file_menu.addAction(window.open_image_action)
    file_menu.addAction(
        _action(
            window,
            "&Load weights…",
            window._load_weights,
            "Ctrl+L",
            "Load a network (pipeline and weights) saved as .npz",
        )
    )
    file_menu.addAction(
        _action(
            window,
            "Save &weights…",
            window._save_weights,
            "Ctrl+Alt+S",
            "Save the pipeline and its weights to a .npz file",
        )
    )
    file_menu.addSeparator()
    window.export_menu = file_menu.addMenu(build_export_menu(window))
    file_menu.addSeparator()
    file_menu.addAction(_action(window, "&Quit", window.close, QKeySequence.Quit, "Close cnn-desktop"))

    edit_menu = menus.addMenu("&Edit")
    stack = window.document.undo_group  # follows the lesson's history while one runs
    undo = _action(
        window, "&Undo", lambda: window._report(window.document.undo()), QKeySequence.Undo, "Undo the last edit"
    )
    redo = _action(
        window, "&Redo", lambda: window._report(window.document.redo()), "Ctrl+Shift+Z", "Redo the undone edit"
    )
    redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
    window.undo_action, window.redo_action = undo, redo
    stack.canUndoChanged.connect(undo.setEnabled)
    stack.canRedoChanged.connect(redo.setEnabled)
    stack.undoTextChanged.connect(window._name_undo)
    stack.redoTextChanged.connect(window._name_redo)
    undo.setEnabled(stack.canUndo())
    redo.setEnabled(stack.canRedo())
    edit_menu.addActions([undo, redo])
    image_actions = [a for key, a in window.pixel_editor.actions_by_name.items() if key != "import_image"]
    edit_menu.addSeparator()
    edit_menu.addActions(image_actions)

    view_menu = menus.addMenu("&View")
    for dock in window.docks.values():
        view_menu.addAction(dock.toggleViewAction())
    view_menu.addSeparator()
    window.hover_action = view_menu.addAction("Select units on &hover")
    window.hover_action.setCheckable(True)
    window.hover_action.setToolTip("Show the receptive field of whatever unit the mouse is over, without clicking")
    window.hover_action.toggled.connect(window.overlay.set_hover_selects)
    clear = view_menu.addAction("&Clear selection")
    clear.setToolTip("Hide the receptive field (Esc in the maps)")
    clear.triggered.connect(window.overlay.clear_selection)
    view_menu.addSeparator()
    palette_menu = view_menu.addMenu("&Colours")
    window.palette_group = QActionGroup(window)
    for name in DIVERGING:
        action = palette_menu.addAction(name)
        action.setCheckable(True)
        action.setData(name)
        window.palette_group.addAction(action)
    window.palette_group.triggered.connect(lambda action: window.set_palette(action.data()))
    scaling_menu = view_menu.addMenu("&Scaling of the maps")
    window.scaling_group = QActionGroup(window)
    for key, text in SCALINGS.items():
        action = scaling_menu.addAction(text)
        action.setCheckable(True)
        action.setData(key)
        window.scaling_group.addAction(action)
    window.scaling_group.triggered.connect(lambda action: window.set_scaling(action.data()))

    view_menu.addSeparator()
    presentation = view_menu.addMenu("&Presentation")
    for text, step, keys, tip in (
        ("&Larger text", 1, "Ctrl+Shift+=", "Make text, numbers and controls larger, for the back of the hall"),
        ("&Smaller text", -1, "Ctrl+Shift+-", "Make text, numbers and controls smaller"),
        ("&Normal size", 0, "Ctrl+Shift+0", "Back to the normal size"),
    ):
        # bind the step with partial: a lambda default would receive triggered's ``checked`` (False = 0)
        presentation.addAction(_action(window, text, functools.partial(window.step_zoom, step), keys, tip))
    presentation.addSeparator()
    window.theme_group = QActionGroup(window)
    for theme, text in (("light", "&Light theme"), ("dark", "&Dark theme")):
        action = presentation.addAction(text)
        action.setCheckable(True)
        action.setData(theme)
        action.setToolTip("Dark suits a dim lecture hall; light suits a bright room")
        window.theme_group.addAction(action)
    window.theme_group.triggered.connect(lambda action: window.set_theme(action.data()))
    window.full_screen_action = _action(
        window, "&Full screen", window.toggle_full_screen, "F11", "Fill the screen (F11 or F5); again to leave"
    )
    window.full_screen_action.setShortcuts([QKeySequence("F11"), QKeySequence("F5")])
    window.full_screen_action.setCheckable(True)
    view_menu.addAction(window.full_screen_action)
    window.presentation = PresentationSwitch(window)
    view_menu.addAction(window.presentation.action)
    window.presenter = PresenterMode(window)
    view_menu.addAction(window.presenter.action)

    training_menu = menus.addMenu("&Training")
    window.reset_weights_action = _action(
        window,
        "&Reset to random weights",
        window.reset_weights,
        None,
        "Give every layer fresh random weights, as before any training (one undo step)",
    )
    training_menu.addAction(window.reset_weights_action)

    lesson_menu = menus.addMenu("&Lesson")
    lesson_menu.addAction(
        _action(
            window,
            "&Start the built-in lesson",
            window.start_builtin_lesson,
            "Ctrl+Shift+L",
            "Replay the lecture scene by scene: Page Down / Space next, Page Up back",
        )
    )
    lesson_menu.addAction(
        _action(window, "&Open a lesson deck…", window._open_deck, None, "Step through your own deck of saved scenes")
    )
    lesson_menu.addAction(
        _action(
            window,
            "&Add this scene to a deck…",
            window._add_to_deck,
            None,
            "Append what is on screen to a deck file (.cnndeck), creating it if needed",
        )
    )
    lesson_menu.addAction(_action(window, "&End the lesson", window.lesson.stop, None, "Leave lesson mode"))

    help_menu = menus.addMenu("&Help")
    help_menu.addAction(_action(window, "&About cnn-desktop", window._about, None, "Version and data attribution"))
    window.insight = install_insight(window, window.document, window.pixel_editor)


def _action(window: MainWindow, text: str, slot: Callable, shortcut, tip: str) -> QAction:
    action = QAction(text, window)
    if shortcut is not None:
        action.setShortcut(QKeySequence(shortcut))
    action.setToolTip(tip)
    action.setStatusTip(tip)
    action.triggered.connect(slot)
    return action
