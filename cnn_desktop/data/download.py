"""Download the full MNIST (60,000 training + 10,000 test digits) into the user cache folder.

The four gzip IDX files are fetched from public mirrors tried in order; each file is streamed to
a temporary name in the target folder, checked against its published MD5, and only then renamed
to its final name. So a file under a final name is always complete and verified, whatever
happens (network failure, corrupt mirror, cancellation, crash).

This module is Qt-free and blocking: the UI runs :func:`download_mnist` in a worker thread and
passes a ``progress`` callback and a ``cancel`` event.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import BinaryIO

import platformdirs

from ..untrusted import printable
from .connection_watchdog import CancelToken, ConnectionWatchdog, is_cancelled

__all__ = [
    "DEFAULT_CHECKSUMS",
    "DEFAULT_MIRRORS",
    "DEFAULT_SIZES",
    "DownloadCancelled",
    "DownloadError",
    "ProgressCallback",
    "default_folder",
    "download_mnist",
    "file_is_verified",
    "full_mnist_available",
]

#: Base URLs of well-known public MNIST mirrors, tried in this order; https only. A mirror passed
#: by the caller may be plain http: every file must still match its published MD5 before it gets
#: its final name (a fixed published hash cannot be matched by a forged file: MD5's known weakness
#: is collisions between two files an attacker makes, not matching a given hash), and the byte cap
#: below bounds what a hostile server can make the app store or read.
DEFAULT_MIRRORS: tuple[str, ...] = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
)

#: File name -> published MD5 (the checksums torchvision uses). Also defines which files exist.
DEFAULT_CHECKSUMS: Mapping[str, str] = {
    "train-images-idx3-ubyte.gz": "f68b3c2dcbeaaa9fbdd348bbdeb94873",
    "train-labels-idx1-ubyte.gz": "d53e105ee54ea40749a09fcbcd1e9432",
    "t10k-images-idx3-ubyte.gz": "9fb629c4189551a2d022fa330f9573f3",
    "t10k-labels-idx1-ubyte.gz": "ec29112dd5afa0611ce80d1b7f02629c",
}

#: File name -> published size in bytes; a server may send at most this plus :data:`SIZE_MARGIN`.
DEFAULT_SIZES: Mapping[str, int] = {
    "train-images-idx3-ubyte.gz": 9_912_422,
    "train-labels-idx1-ubyte.gz": 28_881,
    "t10k-images-idx3-ubyte.gz": 1_648_877,
    "t10k-labels-idx1-ubyte.gz": 4_542,
}
SIZE_MARGIN = 64 * 1024
MAX_UNLISTED_BYTES = 64 * 1024 * 1024
"""Byte cap for a file whose size is not in :data:`DEFAULT_SIZES` (a caller's own checksums)."""
MIN_BYTES_PER_SECOND = 8 * 1024
"""An attempt slower than this on average (after its first ``timeout`` seconds) is given up."""

_TEMP_SUFFIX = ".part"
_USER_AGENT = "cnn-desktop (MNIST downloader; Python urllib)"

#: ``progress(done_bytes, total_bytes, file_name)``; ``total_bytes`` is None when unknown.
ProgressCallback = Callable[[int, int | None, str], None]


class DownloadError(RuntimeError):
    """Every mirror failed for a file; the message lists what each mirror said."""


class DownloadCancelled(Exception):
    """The download was cancelled through the ``cancel`` token; nothing partial is left."""


class _AttemptFailed(Exception):
    """One mirror failed for one file (internal; collected into DownloadError)."""


def default_folder() -> Path:
    """The folder the full MNIST is downloaded to: ``<user cache dir>/cnn-desktop/mnist``."""
    return Path(platformdirs.user_cache_dir("cnn-desktop")) / "mnist"


def _md5_of_file(path: Path, chunk_size: int = 1 << 20) -> str:
    digest = hashlib.md5(usedforsecurity=False)
    with path.open("rb") as f:
        while chunk := f.read(chunk_size):
            digest.update(chunk)
    return digest.hexdigest()


def file_is_verified(path: str | os.PathLike[str], md5: str) -> bool:
    """True if ``path`` is a regular file whose MD5 is ``md5`` (hex, any case)."""
    path = Path(path)
    try:
        too_large = path.stat().st_size > _byte_cap(path.name)  # not worth hashing a huge stray file
        return path.is_file() and not too_large and _md5_of_file(path) == md5.lower()
    except OSError:
        return False


def full_mnist_available(
    folder: str | os.PathLike[str] | None = None,
    checksums: Mapping[str, str] = DEFAULT_CHECKSUMS,
) -> bool:
    """True if every file of ``checksums`` is in ``folder`` (default: the cache) and verified.

    Hashes about 11 MB for the real MNIST: a few tens of milliseconds.
    """
    folder = default_folder() if folder is None else Path(folder)
    return all(file_is_verified(folder / name, md5) for name, md5 in checksums.items())


def _check_cancel(cancel: CancelToken | None) -> None:
    if is_cancelled(cancel):
        raise DownloadCancelled("MNIST download cancelled")


def _remove_stale_temp_files(folder: Path, names: Iterable[str]) -> None:
    """Delete temporary files a previous interrupted run (e.g. a crash) left behind."""
    for name in names:
        for stale in folder.glob(f".{name}.*{_TEMP_SUFFIX}"):
            try:
                stale.unlink()
            except OSError:
                pass


def _byte_cap(name: str) -> int:
    """Most bytes accepted for ``name``: its published size plus a margin."""
    size = DEFAULT_SIZES.get(name)
    return MAX_UNLISTED_BYTES if size is None else size + SIZE_MARGIN


def _fetch_one(
    url: str,
    target: Path,
    md5: str,
    *,
    timeout: float,
    chunk_size: int,
    progress: ProgressCallback | None,
    cancel: CancelToken | None,
) -> None:
    """Stream ``url`` to a temp file next to ``target``, verify, rename. Cleans up on failure.

    Raises _AttemptFailed (with a short reason) for anything the next mirror might fix,
    DownloadCancelled when cancelled (within a fraction of a second, even mid-read).
    """
    name = target.name
    cap = _byte_cap(name)
    deadline = time.monotonic() + timeout + cap / MIN_BYTES_PER_SECOND
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{name}.", suffix=_TEMP_SUFFIX)
    tmp_path = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out, ConnectionWatchdog(cancel, deadline) as watchdog:
            _stream(url, out, md5, cap, watchdog, timeout=timeout, chunk_size=chunk_size, progress=progress)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp_path, target)
    finally:
        # After a successful os.replace the temp name is gone; otherwise remove the partial file.
        try:
            tmp_path.unlink()
        except OSError:
            pass


def _stream(
    url: str,
    out: BinaryIO,
    md5: str,
    cap: int,
    watchdog: ConnectionWatchdog,
    *,
    timeout: float,
    chunk_size: int,
    progress: ProgressCallback | None,
) -> None:
    """Copy the body of ``url`` into ``out``: at most ``cap`` bytes, and it must match ``md5``."""
    name, cancel = url.rsplit("/", 1)[-1], watchdog.cancel

    def failed(reason: str) -> _AttemptFailed:
        _check_cancel(cancel)  # a cut made by a cancel is a cancel, not a failure
        if watchdog.too_slow:
            reason = f"too slow (under {MIN_BYTES_PER_SECOND // 1024} KB/s on average); gave up"
        return _AttemptFailed(reason)

    digest = hashlib.md5(usedforsecurity=False)
    done = 0
    request = urllib.request.Request(url, headers={"User-Agent": _USER_AGENT})
    try:
        response = watchdog.opener().open(request, timeout=timeout)
    except urllib.error.HTTPError as exc:
        raise failed(f"HTTP {exc.code} {printable(exc.reason, 60)}") from None
    except urllib.error.URLError as exc:
        raise failed(f"cannot connect ({printable(str(exc.reason), 80)})") from None
    except (OSError, http.client.HTTPException, ValueError) as exc:
        raise failed(f"{type(exc).__name__}: {printable(str(exc), 80)}") from None
    with response:
        length_header = response.headers.get("Content-Length")
        total: int | None = None
        if length_header is not None and length_header.strip().isdigit() and len(length_header) < 20:
            total = int(length_header)
            if total > cap:
                raise failed(f"the server announces {total:,} bytes, more than the {cap:,} expected")
        if progress is not None:
            progress(0, total, name)
        while True:
            _check_cancel(cancel)
            try:
                chunk = response.read(chunk_size)
            except (OSError, http.client.HTTPException, ValueError) as exc:
                reason = printable(f"{type(exc).__name__}: {exc}", 80)
                raise failed(f"connection failed after {done} bytes ({reason})") from None
            if not chunk:
                break
            done += len(chunk)
            if done > cap:
                raise failed(f"the server sent more than the {cap:,} bytes expected")
            out.write(chunk)
            digest.update(chunk)
            if progress is not None:
                progress(done, total, name)
    _check_cancel(cancel)
    if watchdog.too_slow:
        raise failed("too slow")
    if total is not None and done != total:
        raise _AttemptFailed(f"truncated: got {done} of {total} bytes")
    got = digest.hexdigest()
    if got != md5.lower():
        raise _AttemptFailed(f"checksum mismatch: MD5 {got}, expected {md5.lower()}")


def download_mnist(
    folder: str | os.PathLike[str] | None = None,
    *,
    mirrors: Iterable[str] = DEFAULT_MIRRORS,
    checksums: Mapping[str, str] = DEFAULT_CHECKSUMS,
    progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
    timeout: float = 30.0,
    chunk_size: int = 64 * 1024,
) -> Path:
    """Download and verify every file of ``checksums`` into ``folder``; return the folder.

    ``folder`` defaults to :func:`default_folder`. For each file, the ``mirrors`` (base URLs,
    the file name is appended) are tried in order, moving to the next one on an HTTP or
    connection error, a timeout (``timeout`` seconds per socket operation), a short body or
    an MD5 mismatch. Files already present and verified are skipped.

    ``progress(done_bytes, total_bytes, file_name)`` is called with 0 when a file's transfer
    starts, then after each chunk; ``total_bytes`` comes from Content-Length (None if absent).
    Counts restart from 0 for each file and for each new mirror attempt. A skipped file
    reports ``(size, size, name)`` once.

    ``cancel`` is an object with ``is_set()`` (e.g. ``threading.Event``) or a no-argument
    callable returning True to cancel; it is watched every 0.1 s, even while a read waits on a
    slow server, and raises :class:`DownloadCancelled`. Each file may be at most its published
    size (:data:`DEFAULT_SIZES`) plus :data:`SIZE_MARGIN` bytes, and an attempt slower than
    :data:`MIN_BYTES_PER_SECOND` on average is given up. Raises :class:`DownloadError` when all mirrors fail for a file
    (files verified before that one are kept); a local disk problem raises ``OSError``. In
    every case, no partial or unverified file is left under a final name, and no temporary
    file is left behind.
    """
    folder = default_folder() if folder is None else Path(folder)
    if isinstance(mirrors, str):
        mirrors = [mirrors]
    bases = [m if m.endswith("/") else m + "/" for m in mirrors]
    if not bases:
        raise ValueError("no mirrors given")
    folder.mkdir(parents=True, exist_ok=True)
    _remove_stale_temp_files(folder, checksums)

    for name, md5 in checksums.items():
        _check_cancel(cancel)
        target = folder / name
        if file_is_verified(target, md5):
            if progress is not None:
                size = target.stat().st_size
                progress(size, size, name)
            continue
        failures: list[str] = []
        for base in bases:
            _check_cancel(cancel)
            url = base + name
            try:
                _fetch_one(
                    url,
                    target,
                    md5,
                    timeout=timeout,
                    chunk_size=chunk_size,
                    progress=progress,
                    cancel=cancel,
                )
                break
            except _AttemptFailed as exc:
                failures.append(f"  {url}: {exc}")
        else:
            raise DownloadError(f"could not download {name} from any mirror:\n" + "\n".join(failures))
    return folder


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python -m cnn_desktop.data.download [FOLDER]``."""
    args = sys.argv[1:] if argv is None else argv
    folder = Path(args[0]) if args else default_folder()

    def show(done: int, total: int | None, name: str) -> None:
        of = f" / {total:,}" if total else ""
        print(f"\r{name}: {done:,}{of} bytes", end="", file=sys.stderr, flush=True)

    try:
        download_mnist(folder, progress=show)
    except (DownloadError, OSError) as exc:
        print(f"\n{exc}", file=sys.stderr)
        return 1
    print(f"\nFull MNIST ready in {folder}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
