"""Lesson decks (``.cnndeck``): an ordered zip of numbered sessions, each a whole ``.cnnd`` file.

Qt-free. Every session in a deck is written and read by :mod:`cnn_desktop.session_file`, under
the same rules (one byte budget for the whole deck, one-line messages naming the session).
"""

from __future__ import annotations

import io
import os
import re
import zipfile
from collections.abc import Sequence
from pathlib import Path

from . import __version__
from .session import Session
from .session_file import (
    _NOT_ZIP,
    DECK_JSON,
    FIRST_SCHEMA_VERSION,
    MAX_DECK_SESSIONS,
    MAX_UNPACKED_BYTES,
    SESSION_SUFFIX,
    SessionFileError,
    ViewOptions,
    _check_header,
    _is_int,
    _json_text,
    _member_info,
    _open_zip,
    _read_file,
    _read_json,
    _refusals,
    _session_bytes,
    _session_from_bytes,
    _write_file,
)
from .untrusted import ByteBudget, read_member, shown

DECK_SUFFIX = ".cnndeck"
DECK_FORMAT = "cnn-desktop deck"
_DECK_MEMBER = re.compile(r"^(\d{4})\.cnnd$")


def save_deck(path: str | os.PathLike, sessions: Sequence[tuple[Session, ViewOptions | None]]) -> None:
    """Write an ordered deck of ``(session, view_options)`` pairs to ``path`` (a ``.cnndeck`` file), atomically."""
    path = Path(path)
    sessions = list(sessions)
    if len(sessions) > MAX_DECK_SESSIONS:
        raise SessionFileError(f"{path.name}: a deck holds at most {MAX_DECK_SESSIONS} sessions, not {len(sessions)}")
    members = []
    for number, item in enumerate(sessions, start=1):
        try:
            session, view_options = item
        except (TypeError, ValueError):
            raise SessionFileError(f"{path.name}: deck entry {number} must be a (session, view_options) pair") from None
        member = _deck_member_name(number)
        members.append((member, _session_bytes(session, view_options, f"{path.name}, session {number} ({member})")))
    header = {
        "format": DECK_FORMAT,
        "schema_version": FIRST_SCHEMA_VERSION,
        "app_version": __version__,
        "sessions": len(members),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(_member_info(DECK_JSON), _json_text(header))
        for member, payload in members:
            # each member is already a compressed zip: store it as it is
            archive.writestr(zipfile.ZipInfo(member, date_time=(1980, 1, 1, 0, 0, 0)), payload, zipfile.ZIP_STORED)
    _write_file(path, buffer.getvalue(), private=False)


def load_deck(path: str | os.PathLike) -> list[tuple[Session, ViewOptions]]:
    """The ``(session, view_options)`` pairs of a deck written by :func:`save_deck`, in order."""
    path = Path(path)
    with _refusals(path.name):
        return _deck_from_file(path)


def _deck_from_file(path: Path) -> list[tuple[Session, ViewOptions]]:
    name = path.name
    budget = ByteBudget(name, MAX_UNPACKED_BYTES)
    archive = _open_zip(_read_file(path), name, budget, f"not a cnn-desktop deck {_NOT_ZIP}")
    header = _read_json(archive, DECK_JSON, name, budget)
    _check_header(header, DECK_FORMAT, name)
    count = header.get("sessions")
    if not _is_int(count) or not 0 <= count <= MAX_DECK_SESSIONS:
        raise SessionFileError(f"{name}: damaged deck description (session count {shown(count, 30)})")
    expected = {_deck_member_name(number) for number in range(1, count + 1)}
    stray = sorted(member for member in archive.namelist() if _DECK_MEMBER.match(member) and member not in expected)
    if stray:
        raise SessionFileError(f"{name}: holds {stray[0]}, but the deck lists only {count} sessions")
    result = []
    for number in range(1, count + 1):
        member = _deck_member_name(number)
        data = read_member(archive, member, name, budget)
        result.append(_session_from_bytes(data, f"{name}, session {number} ({member})", budget))
    return result


def _deck_member_name(number: int) -> str:
    return f"{number:04d}{SESSION_SUFFIX}"
