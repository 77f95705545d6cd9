"""Reading files that may be damaged or hostile: the one standard every loader of the app follows.

Qt-free. A file may arrive by e-mail, so nothing in it is trusted:

* only regular files are read, opened without blocking (a named pipe or a device never hangs the
  app), and their size is checked before a byte is read;
* a zip archive's central directory is sized from its end record before it is parsed; then its
  member count, names (no duplicates, no folders, no control characters), compression and declared
  sizes are checked before anything is inflated, and inflation is charged to a byte budget;
* gzip data is inflated in a stream that stops at an output cap;
* ``.npy`` members are read from checked headers only (never a pickle) and numbers are checked in
  the type they will be used in (finite as float32);
* every failure raises :class:`UntrustedFileError` with one short line naming the file and the
  reason; values from the file are shortened and stripped of control characters by :func:`printable`.

Loaders turn :class:`UntrustedFileError` into their own error type with ``str(exc)``.
"""

from __future__ import annotations

import io
import math
import os
import stat
import struct
import unicodedata
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

MAX_MESSAGE_CHARS = 200
"""Longest error message a loader produces (the file name and the value quoted are shortened)."""

MAX_ZIP_MEMBERS = 2000
MAX_ZIP_DIRECTORY_BYTES = 1024 * 1024
"""A central directory larger than this is refused before it is parsed (it would list >20,000 members)."""

_READ_CHUNK = 1 << 20
_EOCD = b"PK\x05\x06"
_EOCD64_LOCATOR = b"PK\x06\x07"
_EOCD64 = b"PK\x06\x06"


class UntrustedFileError(ValueError):
    """A file that is refused; the one-line message names the file and the reason."""


# ----------------------------------------------------------------------------------------------- messages
def printable(value: Any, limit: int = 60) -> str:
    """``value`` as text fit for a one-line message: control characters dropped, at most ``limit`` chars."""
    text = value if isinstance(value, str) else _safe_repr(value)
    if len(text) > 4 * limit:
        text = text[: 4 * limit]
    text = "".join(" " if unicodedata.category(char)[0] in "CZ" and char != " " else char for char in text)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def shown(value: Any, limit: int = 60) -> str:
    """``value`` as its repr (text in quotes), made :func:`printable`: how a value from a file is quoted."""
    return printable(_safe_repr(value), limit)


def _safe_repr(value: Any) -> str:
    if isinstance(value, str):
        return repr(value[:1000])
    if isinstance(value, (list, tuple, dict)) and len(value) > 20:
        return f"a {type(value).__name__} of {len(value)} items"
    try:
        return repr(value)[:1000]
    except (RecursionError, ValueError, MemoryError):  # a deeply nested value, a huge int
        return f"a {type(value).__name__}"


def message(name: str, reason: str) -> str:
    """``name: reason`` on one line of at most :data:`MAX_MESSAGE_CHARS` characters."""
    head = printable(name, 60)
    return printable(f"{head}: {reason}", MAX_MESSAGE_CHARS)


def reason_of(exc: BaseException) -> str:
    """The text of an exception, shortened to a clause (its type name when it has no text)."""
    try:
        text = str(exc)
    except Exception:  # noqa: BLE001 - a message that cannot be shown is no message
        text = ""
    return printable(text, 80) if text.strip() else type(exc).__name__


# ----------------------------------------------------------------------------------------------- files
def read_regular_file(path: str | os.PathLike, limit: int) -> bytes:
    """The bytes of ``path``, a regular file of at most ``limit`` bytes, opened without blocking."""
    path = Path(path)
    name = path.name or str(path)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except FileNotFoundError:
        raise UntrustedFileError(message(name, "no such file")) from None
    except IsADirectoryError:
        raise UntrustedFileError(message(name, "is a folder, not a file")) from None
    except (OSError, ValueError) as exc:
        raise UntrustedFileError(message(name, f"cannot open the file ({_os_reason(exc)})")) from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise UntrustedFileError(message(name, "is a folder, not a file"))
        if not stat.S_ISREG(info.st_mode):
            raise UntrustedFileError(message(name, "is not a regular file (a pipe, socket or device); refused"))
        if info.st_size > limit:
            sizes = f"{_size_text(info.st_size)}; at most {_size_text(limit)}"
            raise UntrustedFileError(message(name, f"too large ({sizes})"))
        chunks, total = [], 0
        while total <= limit:
            chunk = os.read(fd, min(_READ_CHUNK, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
    except OSError as exc:
        raise UntrustedFileError(message(name, f"cannot read the file ({_os_reason(exc)})")) from None
    finally:
        os.close(fd)
    if total > limit:
        raise UntrustedFileError(message(name, f"too large (more than {_size_text(limit)})"))
    return b"".join(chunks)


def _os_reason(exc: BaseException) -> str:
    return printable(getattr(exc, "strerror", None) or reason_of(exc), 60)


def _size_text(size: int) -> str:
    return f"{size // 2**20} MB" if size >= 2**20 else f"{size // 1024} KB" if size >= 1024 else f"{size} bytes"


# ----------------------------------------------------------------------------------------------- gzip
def gunzip_bounded(data: bytes, name: str, limit: int) -> bytearray:
    """The inflated content of gzip ``data`` (one or more members), refused once it passes ``limit`` bytes."""
    out, rest = bytearray(), data
    try:
        while rest:
            inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
            pending = rest
            while not inflater.eof:
                chunk = inflater.decompress(pending, min(_READ_CHUNK, limit + 1 - len(out)))
                pending = inflater.unconsumed_tail
                out += chunk
                if len(out) > limit:
                    raise UntrustedFileError(message(name, f"inflates to more than {_size_text(limit)}; refused"))
                if not chunk and not pending:
                    raise UntrustedFileError(message(name, "corrupt or truncated gzip data (ends too early)"))
            rest = inflater.unused_data
            if rest and not rest.startswith(b"\x1f\x8b"):
                if rest.strip(b"\x00"):
                    raise UntrustedFileError(message(name, "corrupt gzip data (junk after the end)"))
                break
    except zlib.error as exc:
        raise UntrustedFileError(message(name, f"corrupt or truncated gzip data ({reason_of(exc)})")) from None
    except MemoryError:
        raise UntrustedFileError(message(name, "too large to inflate in memory")) from None
    return out


# ----------------------------------------------------------------------------------------------- zip
class ByteBudget:
    """Bytes a file may still unpack to; every member is charged before it is inflated."""

    def __init__(self, name: str, limit: int) -> None:
        self.name, self.limit, self.left = name, limit, limit

    def check(self, size: int) -> None:
        """Raise unless ``size`` more bytes fit (without charging them)."""
        if size > self.left:
            raise UntrustedFileError(
                message(self.name, f"too large, it would unpack to more than {_size_text(self.limit)} (hostile file?)")
            )

    def charge(self, size: int) -> None:
        self.check(size)
        self.left -= size


def open_zip(
    data: bytes, name: str, budget: ByteBudget, unreadable: str, max_members: int = MAX_ZIP_MEMBERS
) -> zipfile.ZipFile:
    """The zip archive in ``data`` after checking its directory: size, member count, names, compression."""
    directory_size = _directory_size(data)
    if directory_size is None:
        raise UntrustedFileError(message(name, unreadable))
    if directory_size > MAX_ZIP_DIRECTORY_BYTES:
        raise UntrustedFileError(message(name, "the archive directory is too large (damaged or hostile)"))
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, RuntimeError, struct.error):
        raise UntrustedFileError(message(name, unreadable)) from None
    except MemoryError:
        raise UntrustedFileError(message(name, "the archive directory is too large")) from None
    if len(infos) > max_members:
        raise UntrustedFileError(message(name, f"the archive has {len(infos)} members, at most {max_members}"))
    seen: set[str] = set()
    total = 0
    for info in infos:
        member = info.filename
        if member in seen:
            raise UntrustedFileError(message(name, f"damaged archive (member {printable(member, 40)} appears twice)"))
        seen.add(member)
        if not member or member.startswith(("/", "\\")) or "\\" in member or ".." in member.split("/"):
            raise UntrustedFileError(message(name, f"member {printable(member, 40)!r} has an unsafe name"))
        if any(unicodedata.category(char)[0] == "C" for char in member):
            raise UntrustedFileError(message(name, f"member {printable(member, 40)!r} has control characters"))
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise UntrustedFileError(message(name, f"member {printable(member, 40)} uses an unsupported compression"))
        if info.flag_bits & 0x1:
            raise UntrustedFileError(message(name, f"member {printable(member, 40)} is encrypted"))
        total += info.file_size
    budget.check(total)
    return archive


def read_member(archive: zipfile.ZipFile, member: str, name: str, budget: ByteBudget) -> bytes:
    """The bytes of ``member``, charged to ``budget`` by its declared size before it is inflated.

    :mod:`zipfile` never inflates past the declared size and checks the CRC at the end, so the
    bytes read are bounded by what was charged.
    """
    try:
        info = archive.getinfo(member)
    except KeyError:
        raise UntrustedFileError(message(name, f"{printable(member, 40)} is missing")) from None
    budget.charge(info.file_size)
    try:
        with archive.open(info) as handle:
            data = handle.read(info.file_size + 1)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, RuntimeError, zlib.error, struct.error) as exc:
        raise UntrustedFileError(message(name, f"{printable(member, 40)} is damaged ({reason_of(exc)})")) from None
    except MemoryError:
        raise UntrustedFileError(message(name, f"{printable(member, 40)} is too large to unpack")) from None
    if len(data) != info.file_size:
        raise UntrustedFileError(message(name, f"{printable(member, 40)} is damaged (wrong size)"))
    return data


def _directory_size(data: bytes) -> int | None:
    """Bytes of the central directory the end record declares (zip64 too), or None if there is none."""
    tail_start = max(0, len(data) - 22 - 0xFFFF)
    at = data.rfind(_EOCD, tail_start)
    if at < 0 or len(data) - at < 22:
        return None
    size = struct.unpack_from("<I", data, at + 12)[0]
    locator = at - 20
    if locator >= 0 and data[locator : locator + 4] == _EOCD64_LOCATOR:
        record = struct.unpack_from("<Q", data, locator + 8)[0]
        if record + 56 > len(data) or data[record : record + 4] != _EOCD64:
            return None
        size = max(size, struct.unpack_from("<Q", data, record + 40)[0])
    return size


# ----------------------------------------------------------------------------------------------- npy
def read_npy(raw: bytes, where: str, allow_text: bool = False) -> np.ndarray:
    """The array in ``.npy`` bytes: float arrays (or a text scalar if ``allow_text``), never a pickle.

    The header is checked before the data is touched; ``where`` names the array in messages. The
    array returned is a read-only view of ``raw`` (copy it, e.g. with :func:`finite_float32`).
    """
    buffer = io.BytesIO(raw)
    try:
        major, _ = np.lib.format.read_magic(buffer)
        if major == 1:
            shape, fortran_order, dtype = np.lib.format.read_array_header_1_0(buffer)
        elif major in (2, 3):
            shape, fortran_order, dtype = np.lib.format.read_array_header_2_0(buffer)
        else:
            raise ValueError(f"unknown .npy version {major}")
    except (ValueError, EOFError, SyntaxError, TypeError, OverflowError, RecursionError, MemoryError) as exc:
        raise UntrustedFileError(f"{where} is damaged ({reason_of(exc)})") from None
    except Exception as exc:  # noqa: BLE001 - the header parser also raises tokenize.TokenError
        raise UntrustedFileError(f"{where} is damaged (unreadable header: {type(exc).__name__})") from None
    if dtype.hasobject:
        raise UntrustedFileError(f"{where} holds Python objects (a pickle); refused, nothing was run")
    text = allow_text and dtype.kind == "U" and shape == ()
    if not text and (dtype.kind != "f" or dtype.itemsize not in (2, 4, 8)):
        raise UntrustedFileError(f"{where} has type {printable(str(dtype), 20)}, expected floating-point numbers")
    count = math.prod(shape)
    if len(raw) - buffer.tell() != count * dtype.itemsize:
        raise UntrustedFileError(f"{where} is damaged (its data does not match its shape)")
    try:  # a read-only view of ``raw``: no second copy of a large array
        flat = np.frombuffer(raw, dtype=dtype, count=count, offset=buffer.tell())
        return flat.reshape(shape, order="F" if fortran_order else "C")
    except (ValueError, MemoryError) as exc:
        raise UntrustedFileError(f"{where} is damaged ({reason_of(exc)})") from None


def read_npz(
    data: bytes,
    name: str,
    budget: ByteBudget,
    text_keys: tuple[str, ...] = (),
    unreadable: str = "not a NumPy .npz archive (or a damaged or truncated one)",
    wanted: Callable[[str], bool] | None = None,
) -> dict[str, np.ndarray]:
    """The arrays of an ``.npz`` archive (float arrays, plus text scalars named in ``text_keys``).

    Arrays whose key ``wanted`` refuses are skipped unread; by default every array is read.
    """
    archive = open_zip(data, name, budget, unreadable)
    arrays: dict[str, np.ndarray] = {}
    for info in archive.infolist():
        member = info.filename
        if not member.endswith(".npy"):
            raise UntrustedFileError(message(name, f"unexpected member {printable(member, 40)!r}"))
        key = member[: -len(".npy")]
        if wanted is not None and not wanted(key):
            continue
        where = message(name, f"array {printable(key, 40)!r}")
        arrays[key] = read_npy(read_member(archive, member, name, budget), where, allow_text=key in text_keys)
    return arrays


def finite_float32(array: np.ndarray, where: str) -> np.ndarray:
    """``array`` as float32, refused (naming ``where``) if any value is NaN or infinite once converted."""
    with np.errstate(over="ignore", invalid="ignore"):
        converted = np.asarray(array).astype(np.float32)
    if not np.isfinite(converted).all():
        raise UntrustedFileError(f"{where} holds NaN or infinite values (or values out of the float32 range)")
    return converted


def whole_number(value: Any, low: int, high: int) -> bool:
    """True if ``value`` is an int (not a bool or a float) with ``low <= value <= high``."""
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_)) and low <= value <= high


# ----------------------------------------------------------------------------------------------- images
MAX_IMAGE_FILE_BYTES = 20 * 1024 * 1024
MAX_IMAGE_PIXELS = 25_000_000
"""Largest picture decoded for import (about 5000x5000): checked from its header before decoding."""

_RASTER_MAGIC = {"png": b"\x89PNG\r\n\x1a\n", "jpeg": b"\xff\xd8\xff", "bmp": b"BM"}
_RASTER_SUFFIXES = {".png": "png", ".jpg": "jpeg", ".jpeg": "jpeg", ".bmp": "bmp"}
RASTER_NAMES = "PNG, JPEG or BMP"


def raster_format(data: bytes, name: str) -> str:
    """``"png"``, ``"jpeg"`` or ``"bmp"``: the format the bytes are, which the file's name must agree with.

    Only these raster formats are imported: none of them can refer to other files (an SVG can).
    """
    found = next((kind for kind, magic in _RASTER_MAGIC.items() if data.startswith(magic)), None)
    if found is None:
        raise UntrustedFileError(message(name, f"not a {RASTER_NAMES} picture (judged by its content)"))
    suffix = Path(name).suffix.lower()
    named = _RASTER_SUFFIXES.get(suffix)
    if named != found:
        called = f"is named {printable(suffix, 10)}" if suffix else "has no extension"
        raise UntrustedFileError(message(name, f"holds a {found.upper()} picture but {called}; refused"))
    return found
