"""Writing files so that a crash mid-write never damages what was there before.

This is the one writer of the whole app: sessions, networks, IDX files and exported pictures all go
through :func:`atomic_write_bytes`.
"""

from __future__ import annotations

import io
import os
import secrets
from pathlib import Path

_WRITE_CHUNK = 1 << 20
_OPEN_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0)
_NAME_ATTEMPTS = 100


def atomic_write_bytes(path: str | os.PathLike[str], payload: bytes, private: bool = False) -> None:
    """Write ``payload`` to ``path`` so that a crash at any moment leaves the old file or the new one.

    The bytes go to a temporary file next to ``path``, are flushed to disk, and the temporary file
    is renamed over ``path`` (atomic on POSIX and Windows); on any failure it is removed and ``path``
    is untouched. The new file keeps the permissions of the one it replaces, or gets those of any new
    file (``0o666`` less the umask, applied by the system, so the process umask is never changed);
    ``private`` makes it readable by its owner only. Raises ``OSError`` when it cannot be written.
    """
    path = Path(path)
    folder = path.parent
    keep_mode = None if private else _existing_mode(path)
    # owner-only until the content is complete and the final permissions are set
    fresh_mode = 0o600 if private or keep_mode is not None else 0o666
    fd, tmp = _create_temporary(path, fresh_mode)
    try:
        with os.fdopen(fd, "wb") as handle:
            _write_payload(handle, payload)
            handle.flush()
            os.fsync(handle.fileno())
        if keep_mode is not None:
            os.chmod(tmp, keep_mode)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_folder(folder)


def _create_temporary(path: Path, mode: int) -> tuple[int, Path]:
    """A new, exclusively created ``.<name>.<random>.tmp`` beside ``path``, opened for writing."""
    for _ in range(_NAME_ATTEMPTS):
        tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
        try:
            return os.open(tmp, _OPEN_FLAGS, mode), tmp
        except FileExistsError:
            continue
    raise FileExistsError(f"no free temporary name beside {path}")


def _write_payload(handle: io.BufferedWriter, payload: bytes) -> None:
    view = memoryview(payload)
    for start in range(0, len(view), _WRITE_CHUNK):
        handle.write(view[start : start + _WRITE_CHUNK])


def _existing_mode(path: Path) -> int | None:
    """The permission bits of the file that will be replaced; None for a new file (or on Windows)."""
    if os.name == "nt":
        return None
    try:
        return path.stat().st_mode & 0o777
    except OSError:
        return None


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
