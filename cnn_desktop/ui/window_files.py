"""The window's files: sessions (.cnnd), decks of scenes (.cnndeck), network weights, pictures, the autosave.

A mixin of :class:`~cnn_desktop.ui.main_window.MainWindow`: the dialogs of the File and Lesson
menus, and the methods behind them that tests and the command line call with a path. A file that
cannot be read or written changes nothing and says why.
"""

from __future__ import annotations

import dataclasses
import os

from PySide6.QtWidgets import QFileDialog, QMessageBox

from ..deck_file import DECK_SUFFIX, load_deck, save_deck
from ..engine import ModelFileError, Network, TrainingRecord, weights_status
from ..lesson import scenes_from_deck
from ..session import Session, default_session, network_fit_problem
from ..session_file import SESSION_SUFFIX, SessionFileError, load_session, save_session
from ..state.view_options import ViewOptions, ViewOptionsError
from ..untrusted import message


class SessionFilesMixin:
    """Open and save what the window shows; expects the attributes :class:`MainWindow` sets up."""

    def _open_image(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open image", "", "Images (*.png *.jpg *.jpeg *.bmp)")
        if path:
            error = self.pixel_editor.import_image_file(path)
            if error:
                QMessageBox.warning(self, "Cannot open image", error)

    def _load_weights(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Load weights", "", "Network weights (*.npz)")
        if path:
            self.load_weights(path)

    def load_weights(self, path: str) -> str | None:
        """Adopt the network in ``path``; a bad file leaves everything as it was and says why.

        A weights file holds no training record: weights the current record knows (the bundled
        network's, say) keep it; others are taken as the file's trained weights, so that editing
        them afterwards shows as a change, and the untrained notice does not wrongly appear.
        """
        try:
            network = Network.load(path)
        except ModelFileError as exc:
            QMessageBox.warning(self, "Cannot load weights", str(exc))
            return str(exc)
        problem = network_fit_problem(network)
        if problem:
            error = message(os.path.basename(path), f"cannot be shown: {problem}")
            QMessageBox.warning(self, "Cannot load weights", error)
            return error
        record = self.document.session.training_record
        if not weights_status(network, record).trained:
            name = os.path.basename(path)
            record = TrainingRecord.of(network, f"Weights loaded from {name} (how they were trained is not recorded).")
        return self.document.set_network(network, "Load weights", record=record)

    def _save_weights(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Save weights", "model.npz", "Network weights (*.npz)")
        if path:
            try:
                self.document.session.network.save(path)
            except OSError as exc:
                QMessageBox.warning(self, "Cannot save weights", f"{path}: {exc.strerror or exc}")

    def open_session(self, path: str) -> str | None:
        """Open a ``.cnnd`` file; a damaged or hostile file changes nothing and says why."""
        name = os.path.basename(path)
        self.lesson.stop()  # a file opens as the user's work, not as a scene that ends with the lesson
        try:
            session, saved_options = load_session(path)
            options = ViewOptions.from_json(saved_options, session.network)
        except (SessionFileError, ViewOptionsError) as exc:
            message = str(exc) if isinstance(exc, SessionFileError) else f"{name}: {exc}"
            QMessageBox.warning(self, "Cannot open session", message)
            return message
        error = self.apply_session(session, options, f"Open {name}")
        if error is None:
            self.session_path = path
            self.setWindowTitle(f"{name} — cnn-desktop")
        return error

    def new_session(self) -> str | None:
        """File > New: the default network on the first test digit, as one undo step (Undo brings the work back)."""
        self.lesson.stop()
        error = self.apply_session(default_session(self.digits), None, "New session")
        if error is None:
            self.session_path = None
            self.setWindowTitle("cnn-desktop")
        return error

    def session_to_save(self) -> Session:
        """The open session with the training record the panel shows (what a file keeps)."""
        return dataclasses.replace(self.document.session, training=self.training.history())

    def save_session(self, path: str) -> str | None:
        try:
            save_session(path, self.session_to_save(), self.view_options())
        except SessionFileError as exc:
            QMessageBox.warning(self, "Cannot save session", str(exc))
            return str(exc)
        self.session_path = path
        self.document.undo_stack.setClean()
        self.setWindowTitle(f"{os.path.basename(path)} — cnn-desktop")
        self.statusBar().showMessage(f"Saved {path}", 4000)
        return None

    def autosave_now(self) -> None:
        """Called every minute: a copy in the user data folder that survives a crash."""
        if self.autosave is None:
            return
        kept = self.lesson.work_session()  # in a lesson: the user's work, never a scene
        session, options = kept if kept is not None else (self.session_to_save(), self.view_options())
        try:
            self.autosave.save(session, options)
        except SessionFileError as exc:
            self.statusBar().showMessage(f"Autosave failed: {exc}", 8000)

    def _open_session(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open session", "", f"cnn-desktop sessions (*{SESSION_SUFFIX})")
        if path:
            self.open_session(path)

    def _save_session(self) -> None:
        if self.session_path:
            self.save_session(self.session_path)
        else:
            self._save_session_as()

    def _save_session_as(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "Save session", "session.cnnd", f"cnn-desktop sessions (*{SESSION_SUFFIX})"
        )
        if path:
            self.save_session(path if path.endswith(SESSION_SUFFIX) else path + SESSION_SUFFIX)

    def _open_deck(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open lesson deck", "", f"Lesson decks (*{DECK_SUFFIX})")
        if path:
            self.open_deck(path)

    def open_deck(self, path: str) -> str | None:
        try:
            scenes = scenes_from_deck(path)
        except SessionFileError as exc:
            QMessageBox.warning(self, "Cannot open deck", str(exc))
            return str(exc)
        if not scenes:
            return "the deck has no scenes"
        self.lesson.start(scenes)
        return None

    def _add_to_deck(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self,
            "Add this scene to a deck",
            "lesson.cnndeck",
            f"Lesson decks (*{DECK_SUFFIX})",
            options=QFileDialog.Option.DontConfirmOverwrite,
        )
        if path:
            self.add_to_deck(path if path.endswith(DECK_SUFFIX) else path + DECK_SUFFIX)

    def add_to_deck(self, path: str) -> str | None:
        """Append the current session (with its view options) to the deck at ``path``."""
        try:
            entries = load_deck(path) if os.path.exists(path) else []
            save_deck(path, [*entries, (self.session_to_save(), self.view_options())])
        except SessionFileError as exc:
            QMessageBox.warning(self, "Cannot add to deck", str(exc))
            return str(exc)
        self.statusBar().showMessage(f"Added scene {len(entries) + 1} to {path}", 4000)
        return None
