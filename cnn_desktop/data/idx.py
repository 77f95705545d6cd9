"""Read and write the IDX files MNIST is distributed in, gzipped or not.

IDX layout (all integers big-endian):

* 4-byte magic number: two zero bytes, a data-type code, the number of dimensions;
* one unsigned 32-bit size per dimension;
* the values, row-major, big-endian.

MNIST uses type code 0x08 (unsigned byte): images are 3-D ``(N, 28, 28)`` (magic 0x00000803),
labels are 1-D ``(N,)`` (magic 0x00000801). The other IDX types are accepted too.

A file is treated as gzip when it starts with the gzip magic bytes ``1f 8b``, whatever its name,
because downloaded and hand-made copies often disagree with their extension.

Every problem with a file's contents raises :class:`IdxError` (a ``ValueError``) whose message
starts with the file name and says what is wrong, so the UI can show it as is.
"""

from __future__ import annotations

import gzip
import os
import struct
import sys
from pathlib import Path

import numpy as np

from ..fileio import atomic_write_bytes
from ..untrusted import UntrustedFileError, gunzip_bounded, message, printable, read_regular_file, reason_of

__all__ = [
    "IMAGE_SIDE",
    "IdxError",
    "load_images_labels",
    "read_idx",
    "write_idx",
]

#: Side of an MNIST image, in pixels.
IMAGE_SIDE = 28

_GZIP_MAGIC = b"\x1f\x8b"

MAX_IDX_BYTES = 100 * 1024 * 1024
"""Largest IDX file read, before and after gunzip: twice the full MNIST training images (47 MB)."""

# IDX type code -> big-endian NumPy dtype, and back.
_CODE_TO_DTYPE: dict[int, np.dtype] = {
    0x08: np.dtype(">u1"),
    0x09: np.dtype(">i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
_KIND_SIZE_TO_CODE: dict[tuple[str, int], int] = {(dt.kind, dt.itemsize): code for code, dt in _CODE_TO_DTYPE.items()}


class IdxError(ValueError):
    """A file is not a valid IDX file, or not the IDX file that was expected.

    ``path`` is the offending file; the message starts with its name.
    """

    def __init__(self, path: str | os.PathLike[str], problem: str) -> None:
        self.path = Path(path)
        self.problem = printable(problem, 140)
        super().__init__(message(self.path.name, self.problem))


def _read_data(path: Path) -> bytes | bytearray:
    """The IDX bytes of ``path``, gunzipped if they start with the gzip magic bytes, all within limits."""
    try:
        raw = read_regular_file(path, MAX_IDX_BYTES)
        if not raw.startswith(_GZIP_MAGIC):
            return raw
        return gunzip_bounded(raw, path.name, MAX_IDX_BYTES)
    except UntrustedFileError as exc:
        raise IdxError(path, str(exc).split(": ", 1)[-1]) from None
    except MemoryError:
        raise IdxError(path, "too large to read into memory") from None


def _payload_noun(ndim: int) -> str:
    """What the values are called in error messages: pixels for images, labels for labels."""
    return {1: "labels", 3: "pixels"}.get(ndim, "data")


def read_idx(path: str | os.PathLike[str]) -> np.ndarray:
    """Read an IDX file (gzip or raw, detected from the content) into a native-endian array.

    Returns a new, writable array whose shape is the file's dimensions and whose dtype is the
    native-endian version of the file's type (``uint8`` for MNIST). Raises :class:`IdxError` if
    the header is malformed, the payload is not exactly as long as the dimensions say, or the
    file cannot be read (missing, not a regular file, over :data:`MAX_IDX_BYTES` raw or inflated).
    """
    path = Path(path)
    data = _read_data(path)

    if len(data) < 4:
        raise IdxError(path, f"too short for an IDX header: {len(data)} bytes")
    zero, code, ndim = struct.unpack(">HBB", data[:4])
    if zero != 0:
        raise IdxError(path, f"not an IDX file: bad magic number 0x{data[:4].hex()} (must start with 0000)")
    if code not in _CODE_TO_DTYPE:
        raise IdxError(path, f"unknown IDX data type code 0x{code:02x}")
    if ndim == 0:
        raise IdxError(path, "IDX header declares zero dimensions")

    header_len = 4 + 4 * ndim
    if len(data) < header_len:
        raise IdxError(
            path,
            f"truncated header: {ndim} dimensions need {header_len} bytes, found {len(data)}",
        )
    dims = struct.unpack(f">{ndim}I", data[4:header_len])
    dtype = _CODE_TO_DTYPE[code]
    expected = dtype.itemsize
    extent = dtype.itemsize  # as if no dimension were 0: NumPy refuses shapes beyond its range
    for d in dims:
        expected *= d  # Python ints: no overflow however large the (junk) sizes are
        extent *= max(d, 1)
    if extent > sys.maxsize:
        raise IdxError(path, f"dimensions {printable('x'.join(map(str, dims)), 60)} are impossibly large")
    found = len(data) - header_len
    noun = _payload_noun(ndim)
    if found < expected:
        raise IdxError(path, f"truncated: expected {expected} bytes of {noun}, found {found}")
    if found > expected:
        raise IdxError(
            path,
            f"{found - expected} unexpected bytes after the {expected} bytes of {noun}",
        )

    try:
        values = np.frombuffer(data, dtype=dtype, offset=header_len).reshape(dims)
    except ValueError as exc:  # any shape NumPy rejects despite the checks above
        raise IdxError(path, f"cannot hold dimensions {printable(dims, 60)}: {reason_of(exc)}") from None
    try:
        return values.astype(dtype.newbyteorder("="))  # copies: native order and writable
    except MemoryError:
        raise IdxError(path, "too large to hold in memory") from None


def write_idx(path: str | os.PathLike[str], array: np.ndarray, compress: bool) -> None:
    """Write ``array`` as an IDX file, gzipped if ``compress``, atomically.

    The dtype must be one IDX can hold: uint8, int8, int16, int32, float32 or float64. With
    ``compress`` the gzip stream has no name and a zero timestamp, so the same array always
    gives the same bytes.
    """
    array = np.asarray(array)
    code = _KIND_SIZE_TO_CODE.get((array.dtype.kind, array.dtype.itemsize))
    if code is None:
        raise ValueError(f"IDX cannot store dtype {array.dtype}")
    if not 1 <= array.ndim <= 255:
        raise ValueError(f"IDX needs 1 to 255 dimensions, got {array.ndim}")
    if any(d > 0xFFFFFFFF for d in array.shape):
        raise ValueError(f"IDX dimensions must fit in 32 bits, got {array.shape}")

    header = struct.pack(f">HBB{array.ndim}I", 0, code, array.ndim, *array.shape)
    body = np.ascontiguousarray(array, dtype=_CODE_TO_DTYPE[code]).tobytes()
    data = header + body
    if compress:
        data = gzip.compress(data, compresslevel=9, mtime=0)
    atomic_write_bytes(path, data)


def load_images_labels(
    images_path: str | os.PathLike[str], labels_path: str | os.PathLike[str]
) -> tuple[np.ndarray, np.ndarray]:
    """Load one MNIST image file and its label file, checked and ready for the network.

    Returns ``(images, labels)``: images float32 ``(N, 28, 28)`` in [0, 1] with 0 = background
    and 1 = ink (MNIST's raw bytes already use 0 = background, 255 = ink, so they are divided
    by 255), labels int64 ``(N,)`` in 0-9. Raises :class:`IdxError` if either file is not a
    uint8 IDX file of the right shape, the counts differ, or a label is outside 0-9.
    """
    images_path, labels_path = Path(images_path), Path(labels_path)
    raw_images = read_idx(images_path)
    raw_labels = read_idx(labels_path)

    if raw_images.dtype != np.uint8 or raw_images.ndim != 3:
        raise IdxError(
            images_path,
            f"expected uint8 images with 3 dimensions (magic 0x00000803), "
            f"got {raw_images.dtype} with {raw_images.ndim} dimensions",
        )
    if raw_images.shape[1:] != (IMAGE_SIDE, IMAGE_SIDE):
        raise IdxError(
            images_path,
            f"expected {IMAGE_SIDE}x{IMAGE_SIDE} images, got {raw_images.shape[1]}x{raw_images.shape[2]}",
        )
    if raw_labels.dtype != np.uint8 or raw_labels.ndim != 1:
        raise IdxError(
            labels_path,
            f"expected uint8 labels with 1 dimension (magic 0x00000801), "
            f"got {raw_labels.dtype} with {raw_labels.ndim} dimensions",
        )
    if raw_labels.shape[0] != raw_images.shape[0]:
        raise IdxError(
            labels_path,
            f"holds {raw_labels.shape[0]} labels but {images_path.name} holds {raw_images.shape[0]} images",
        )
    if raw_labels.size and int(raw_labels.max()) > 9:
        bad = int(np.flatnonzero(raw_labels > 9)[0])
        raise IdxError(labels_path, f"label {int(raw_labels[bad])} at index {bad} is outside 0-9")

    images = np.divide(raw_images, 255, dtype=np.float32)
    labels = raw_labels.astype(np.int64)
    return images, labels
