"""Writing files so that a crash mid-write never damages what was there before."""

from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path

_WRITE_CHUNK = 1 << 20


def atomic_write_bytes(path: str | os.PathLike[str], payload: bytes, private: bool = False) -> None:
    """Write ``payload`` to ``path`` so that a crash at any moment leaves the old file or the new one.

    The bytes go to a temporary file next to ``path``, are flushed to disk, and the temporary file
    is renamed over ``path`` (atomic on POSIX and Windows); on any failure it is removed and ``path``
    is untouched. The new file keeps the permissions of the one it replaces; ``private`` makes it
    readable by its owner only.
    """
    path = Path(path)
    folder = path.parent
    mode = None if private else _mode_for(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as handle:
            _write_payload(handle, payload)
            handle.flush()
            os.fsync(handle.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _fsync_folder(folder)


def _write_payload(handle: io.BufferedWriter, payload: bytes) -> None:
    view = memoryview(payload)
    for start in range(0, len(view), _WRITE_CHUNK):
        handle.write(view[start : start + _WRITE_CHUNK])


def _mode_for(path: Path) -> int | None:
    """Permissions for the new file: those of the file it replaces, else the usual ones for a new file."""
    if os.name == "nt":
        return None
    try:
        return path.stat().st_mode & 0o777
    except OSError:
        return 0o666 & ~_UMASK


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable (POSIX); harmless to skip where folders cannot be opened."""
    if os.name == "nt":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _read_umask() -> int:
    if os.name == "nt":
        return 0
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


_UMASK = _read_umask()
