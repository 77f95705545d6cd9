"""Start the desktop application: one window on the bundled digits, ready to edit."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QApplication, QMessageBox

from ..autosave import AutosaveError, AutosaveStore
from ..session import default_session
from .cores import share_cores_with_ui


def create_application(argv: list[str] | None = None) -> QApplication:
    share_cores_with_ui()
    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv[:1])
    app.setOrganizationName("cnn-desktop")
    app.setApplicationName("cnn-desktop")
    app.setApplicationDisplayName("cnn-desktop")
    return app


def offer_restore(window, store: AutosaveStore) -> None:
    """After a crash, offer the autosaved session; a damaged one is discarded with a message."""
    if store.pending_restore() is None:
        return
    answer = QMessageBox.question(
        window,
        "Restore your work?",
        "cnn-desktop did not close normally last time. Restore the session it saved automatically?",
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.Yes,
    )
    if answer != QMessageBox.StandardButton.Yes:
        store.discard()
        return
    try:
        session, options = store.restore()
    except AutosaveError as exc:
        QMessageBox.warning(window, "Cannot restore", str(exc))
        return
    window.apply_session(session, options, "Restore autosaved session")


def run_window(
    lesson: bool = False,
    session_path: str | None = None,
    full_screen: bool = False,
    presenter: bool = False,
    audience_screen: int | None = None,
) -> int:
    """Show the main window and run the event loop until it closes."""
    app = create_application()
    from .document import SessionDocument
    from .main_window import MainWindow

    store = AutosaveStore()
    window = MainWindow(SessionDocument(default_session()), autosave=store)
    window.show()
    if full_screen:
        window.full_screen_action.trigger()
    window.show_first_digit()
    offer_restore(window, store)
    if session_path:
        window.open_session(session_path)
    if presenter:
        window.presenter.force(audience_screen)
    if lesson:
        window.start_builtin_lesson()
    return app.exec()
