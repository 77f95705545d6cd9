"""Puts the insight views into a main window: their docks and View menu actions.

Kept apart from the window's own module so the window only makes one call.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDockWidget, QMainWindow, QMenu, QScrollArea

from ...lesson_quiz import quiz_scenes, shift_quiz_scene, shift_scene
from ..document import SessionDocument
from ..editors.pixel_editor import PixelEditor
from .compare_panel import ComparePanel
from .gallery_panel import GalleryPanel
from .reveal_view import RevealView
from .saliency_panel import SaliencyPanel


@dataclass
class InsightViews:
    """What :func:`install_insight` added, for the window (and tests) to reach."""

    galleries: GalleryPanel
    saliency: SaliencyPanel
    gallery_dock: QDockWidget
    saliency_dock: QDockWidget
    gallery_action: QAction
    saliency_action: QAction
    compare: ComparePanel
    compare_dock: QDockWidget
    reveal: RevealView | None = None

    def shutdown(self) -> None:
        self.galleries.shutdown()
        self.saliency.shutdown()
        self.compare.shutdown()


def _dock(window: QMainWindow, key: str, title: str, panel) -> QDockWidget:
    scroll = QScrollArea()
    scroll.setWidget(panel)
    scroll.setWidgetResizable(True)
    dock = QDockWidget(title, window)
    dock.setObjectName(f"dock_{key}")
    dock.setWidget(scroll)
    bottom = Qt.DockWidgetArea.BottomDockWidgetArea
    neighbours = [d for d in window.findChildren(QDockWidget) if d is not dock and window.dockWidgetArea(d) == bottom]
    window.addDockWidget(bottom, dock)
    if neighbours:  # a tab next to the wide bottom panels (player, training), not a sliver at the side
        window.tabifyDockWidget(neighbours[-1], dock)
    dock.hide()
    dock.toggleViewAction().triggered.connect(lambda shown: dock.raise_() if shown else None)
    return dock


def _bring_up(dock: QDockWidget) -> None:
    dock.show()
    dock.raise_()


def named_menu(window: QMainWindow, name: str) -> QMenu:
    """The window's menu called ``name`` (made if it has none)."""
    for action in window.menuBar().actions():
        if action.menu() is not None and action.text().replace("&", "") == name:
            return action.menu()
    return window.menuBar().addMenu(f"&{name}")


def install_insight(window: QMainWindow, document: SessionDocument, pixel_editor: PixelEditor) -> InsightViews:
    """Add the "What it learned", "Why it decided" and "Two inputs" docks, hidden, with View menu toggles."""
    galleries = GalleryPanel(document)
    saliency = SaliencyPanel(document, pixel_editor.grid)
    gallery_dock = _dock(window, "galleries", "What it learned", galleries)
    saliency_dock = _dock(window, "saliency", "Why it decided", saliency)
    menu = named_menu(window, "View")
    menu.addSeparator()
    gallery_action = gallery_dock.toggleViewAction()
    gallery_action.setText("What it &learned (top patches)")
    menu.addAction(gallery_action)
    saliency_action = QAction("&Why it decided (saliency over the image)", window)
    saliency_action.setCheckable(True)
    saliency_action.toggled.connect(saliency.set_shown)
    saliency_action.triggered.connect(lambda shown: _bring_up(saliency_dock) if shown else None)
    saliency.enabled_box.toggled.connect(saliency_action.setChecked)
    menu.addAction(saliency_action)
    panel_action = saliency_dock.toggleViewAction()
    panel_action.setText("Why it decided: &settings and legend")
    menu.addAction(panel_action)
    compare = ComparePanel(document)
    compare_dock = _dock(window, "compare", "Two inputs", compare)
    compare_action = compare_dock.toggleViewAction()
    compare_action.setText("&Two inputs: the image beside a shifted copy")
    menu.addAction(compare_action)
    views = InsightViews(
        galleries, saliency, gallery_dock, saliency_dock, gallery_action, saliency_action, compare, compare_dock
    )
    views.reveal = RevealView(window, views)
    lesson_menu = named_menu(window, "Lesson")
    lesson_menu.addSeparator()
    quiz = lesson_menu.addAction("&Quiz: predict before reveal (R reveals)")
    quiz.triggered.connect(lambda: window.lesson.start([*quiz_scenes(), shift_quiz_scene()]))
    shift = lesson_menu.addAction("&Shift the digit: equivariance and pooling")
    shift.triggered.connect(lambda: _start_shift_scene(window, compare_dock))
    return views


def _start_shift_scene(window: QMainWindow, compare_dock: QDockWidget) -> None:
    window.lesson.start([shift_scene()])
    _bring_up(compare_dock)
