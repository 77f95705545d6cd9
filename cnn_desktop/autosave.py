"""Autosave and crash recovery: the latest state of the open session, kept in the user's data folder.

Qt-free. The GUI calls :meth:`AutosaveStore.save` every minute and :meth:`AutosaveStore.mark_clean_exit`
on a normal quit; at start-up, :meth:`AutosaveStore.pending_restore` tells whether the previous run
ended without a clean exit (a crash, a kill, a power cut) and left an autosave to offer back.

The folder holds at most ``autosave.cnnd`` (an ordinary session file, written atomically and
readable by its owner only) and ``clean-exit`` (a marker: the autosave beside it is stale). Saving
removes the marker *before* writing, so a crash at any moment leaves either the previous autosave or
the new one pending. A clean exit writes the marker, then deletes the autosave.

All instances of the app share one store: a second instance started while the first runs sees the
first one's autosave as pending (keep the app single-instance, e.g. with a lock file, to avoid that).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from .session import Session
from .session_file import SessionFileError, load_session, save_session
from .untrusted import MAX_MESSAGE_CHARS, printable

AUTOSAVE_NAME = "autosave.cnnd"
CLEAN_EXIT_NAME = "clean-exit"


class AutosaveError(SessionFileError):
    """An autosave that could not be written or restored; the one-line message says what happened."""


def default_folder() -> Path:
    """``<user data folder>/cnn-desktop/autosave`` of this platform (created on the first save)."""
    import platformdirs

    return Path(platformdirs.user_data_dir("cnn-desktop")) / "autosave"


class AutosaveStore:
    """The autosave of one user: at most one session, the latest saved."""

    def __init__(self, folder: str | os.PathLike | None = None) -> None:
        self.folder = Path(folder) if folder is not None else default_folder()

    @property
    def path(self) -> Path:
        """Where the autosave lives (whether or not it exists)."""
        return self.folder / AUTOSAVE_NAME

    @property
    def marker(self) -> Path:
        return self.folder / CLEAN_EXIT_NAME

    def save(self, session: Session, view_options: dict[str, Any] | None = None) -> Path:
        """Replace the autosave with ``session`` (atomically); raises :class:`AutosaveError` if it cannot.

        The previous autosave stays intact when saving fails, so a failed save loses nothing.
        """
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            self.marker.unlink(missing_ok=True)
        except OSError as exc:
            raise AutosaveError(f"cannot autosave to {self.folder}: {exc.strerror or exc}") from None
        try:
            save_session(self.path, session, view_options, private=True)
        except SessionFileError as exc:
            raise AutosaveError(f"autosave failed: {exc}") from None
        self._remove_leftovers()
        return self.path

    def mark_clean_exit(self) -> None:
        """Record a normal quit: nothing will be pending at the next start. Never raises."""
        try:
            if not self.folder.is_dir():
                return
        except OSError:
            return
        try:
            self.marker.touch()
        except OSError:
            pass  # deleting the autosave below is enough on its own
        try:
            self.path.unlink(missing_ok=True)
        except OSError:
            pass  # the marker written above already says the autosave is stale
        self._remove_leftovers()

    def pending_restore(self) -> Path | None:
        """The autosave a crashed run left behind (present, and no clean exit since), or None."""
        try:
            if self.path.is_file() and not self.marker.exists():
                return self.path
        except OSError:
            pass
        return None

    def restore(self) -> tuple[Session, dict[str, Any]]:
        """The session and view options of the pending autosave.

        An autosave that cannot be read is discarded, and :class:`AutosaveError` says so in one
        line (show it to the user and start with a fresh session). The autosave is kept after a
        successful restore, so a second crash before the next save still loses nothing.
        """
        path = self.pending_restore()
        if path is None:
            raise AutosaveError("there is no autosaved session to restore")
        try:
            return load_session(path)
        except SessionFileError as exc:
            self.discard()
            reason = f"the autosaved session could not be restored and was discarded: {exc}"
            raise AutosaveError(printable(reason, MAX_MESSAGE_CHARS)) from None

    def discard(self) -> None:
        """Forget the autosave (the user declined to restore it, or it was unreadable). Never raises."""
        try:
            self.path.unlink(missing_ok=True)
        except OSError:
            try:  # it cannot be deleted: at least never offer it again
                self.marker.touch()
            except OSError:
                pass
            return
        try:
            self.marker.unlink(missing_ok=True)
        except OSError:
            pass
        self._remove_leftovers()

    def _remove_leftovers(self) -> None:
        """Delete temporary files that a run killed in the middle of writing left behind."""
        try:
            leftovers = list(self.folder.glob(f".{AUTOSAVE_NAME}.*.tmp"))
        except OSError:
            return
        for leftover in leftovers:
            try:
                leftover.unlink(missing_ok=True)
            except OSError:
                pass
