"""Saved sessions (``.cnnd``) and decks of sessions (``.cnndeck``): Qt-free, atomic, never unpickled.

A session file is a zip holding two members:

``session.json``
    ``{"format": "cnn-desktop session", "schema_version": 1, "app_version": "0.1.0",
    "caption": ..., "image_shape": [H, W] or [d, H, W], "selection": null | {"stage", "channel", "y", "x"},
    "view_options": {...}, "network": {"spec": [...], "input_shape": [d, H, W]},
    "digit": null | {"source", "split", "index", "label"}, "training": null | {"epochs", "points",
    "status", "progress", "digit_set", "confusion", "predictions"}, "training_record": null |
    {"description", "spec", "input_shape", "fingerprints"}}``
    (``digit``, ``training`` and ``training_record`` may be missing: files written before they existed
    open without them; see :mod:`cnn_desktop.state.digit_ref`, :mod:`cnn_desktop.state.training_history`
    and :class:`~cnn_desktop.engine.TrainingRecord`.)
``arrays.npz``
    NumPy arrays: ``image`` float32, (H, W) for a grey picture or (d, H, W) for d = 2 to 4 channels
    (schema version 2; grey sessions are still written as version 1), and ``param/<name>`` for every network parameter
    (``param/0.weight``...), exactly as the network holds them.

A deck file is a zip holding ``deck.json`` (``{"format": "cnn-desktop deck", "schema_version": 1,
"app_version": ..., "sessions": N}``) and the members ``0001.cnnd`` ... ``000N.cnnd``, each a
complete session file as above, in the deck's order (unzip one and open it as a session).

Files are written atomically: the whole file is built in memory, written to a temporary file in
the target's folder, flushed to disk and moved over the target, so a crash midway leaves the
previous file untouched. Reading checks everything before building anything: a file that is
damaged, truncated, too large once unpacked, from a newer schema, or that holds pickled objects
raises :class:`SessionFileError` with one line naming the file and what is wrong. Nothing is ever
unpickled (``allow_pickle=False``, and object arrays are refused from their header).
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import json
import os
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from . import __version__
from .engine import TrainingRecord, Unit
from .engine.network import FILE_FORMAT as NETWORK_FILE_FORMAT
from .engine.network import ModelFileError, Network
from .fileio import atomic_write_bytes
from .plain_json import plain_json_problem
from .session import Session, check_image, network_fit_problem
from .state.digit_ref import DigitRef
from .state.training_history import TrainingHistory
from .state.view_options import ViewOptions as ViewOptionsModel
from .state.view_options import ViewOptionsError
from .untrusted import (
    MAX_MESSAGE_CHARS,
    ByteBudget,
    UntrustedFileError,
    finite_float32,
    message,
    open_zip,
    printable,
    read_member,
    read_npz,
    read_regular_file,
    shown,
)

SCHEMA_VERSION = 2
"""Newest version of the session and deck formats: files up to this version are read."""
FIRST_SCHEMA_VERSION = 1
"""The version written for grey sessions and for decks, whose format version 2 left unchanged, so
that older cnn-desktops still open them; version 2 added images of several channels."""

SESSION_SUFFIX = ".cnnd"
SESSION_FORMAT = "cnn-desktop session"

MAX_UNPACKED_BYTES = 200 * 1024 * 1024
"""Most bytes a file may unpack to (all members and nested members together): stops zip bombs."""

MAX_JSON_BYTES = 4 * 1024 * 1024
MAX_CAPTION_CHARS = 100_000
MAX_LAYERS = 1000
MAX_VIEW_OPTION_DEPTH = 8
MAX_RECORD_DESCRIPTION_CHARS = 2000

SESSION_JSON = "session.json"
DECK_JSON = "deck.json"  # its presence tells a deck from a single session
MAX_DECK_SESSIONS = 1000  # also bounds the members any archive may list
ARRAYS_NPZ = "arrays.npz"

_SELECTION_KEYS = ("stage", "channel", "y", "x")
_NOT_ZIP = "(not a zip archive, or a damaged or truncated one)"

ViewOptions = dict[str, Any]


T = TypeVar("T")


class SessionFileError(ValueError):
    """A session or deck file that cannot be read or written; the one-line message names the file."""


# ----------------------------------------------------------------------------------------------- public API
def save_session(
    path: str | os.PathLike,
    session: Session,
    view_options: ViewOptions | ViewOptionsModel | None = None,
    *,
    private: bool = False,
) -> None:
    """Write ``session`` and the caller's ``view_options`` to ``path`` (a ``.cnnd`` file), atomically.

    ``view_options`` is a :class:`~cnn_desktop.state.view_options.ViewOptions` (saved as its
    ``to_json()``) or any JSON object of plain values (str keys; None, bool, int, finite float, str,
    and lists / dicts of those); the JSON object comes back from :func:`load_session` exactly.
    ``private`` makes the file readable by its owner only (the autosave uses it). Raises
    :class:`SessionFileError` for a session or view options that cannot be saved, or a file that
    cannot be written; the previous file at ``path``, if any, is then left as it was.
    """
    path = Path(path)
    payload = _session_bytes(session, view_options, path.name)
    _write_file(path, payload, private)


def load_session(path: str | os.PathLike) -> tuple[Session, ViewOptions]:
    """The session and view options saved in ``path`` by :func:`save_session`.

    Raises :class:`SessionFileError` (naming the file and the problem) for anything but a sound
    file of a schema version up to :data:`SCHEMA_VERSION`. Reading has no side effects.
    """
    path = Path(path)
    with _refusals(path.name):
        data = _read_file(path)
        return _session_from_bytes(data, path.name, ByteBudget(path.name, MAX_UNPACKED_BYTES))


def check_view_options(options: Any, name: str = "cannot save") -> ViewOptions:
    """``options`` if it is a JSON object of plain values that round-trips exactly, else a SessionFileError.

    ``None`` stands for no options and gives ``{}``. The dict returned is the one passed in.
    """
    if options is None:
        return {}
    if not isinstance(options, dict):
        raise SessionFileError(f"{name}: view options must be a dict, not {type(options).__name__}")
    _check_plain(options, "view options", name)
    _check_known_options(options, name)
    return options


def _check_known_options(options: ViewOptions, name: str) -> None:
    """The options the window applies, checked by the one view-options model before anything changes."""
    try:
        ViewOptionsModel.from_json(options)
    except ViewOptionsError as exc:
        raise SessionFileError(message(name, str(exc))) from None


# ----------------------------------------------------------------------------------------------- writing
def _session_bytes(session: Session, view_options: ViewOptions | None, name: str) -> bytes:
    """The complete ``.cnnd`` file for ``session``, after checking that it can be read back."""
    if not isinstance(session, Session):
        raise SessionFileError(f"{name}: expected a Session, got {type(session).__name__}")
    if isinstance(view_options, ViewOptionsModel):
        view_options = view_options.to_json()
    view_options = check_view_options(view_options, name)
    try:
        image = check_image(session.image)
    except ValueError as exc:
        raise SessionFileError(f"{name}: cannot save the image: {exc}") from None
    if not np.array_equal(image, np.reshape(session.image, image.shape)):
        raise SessionFileError(f"{name}: cannot save the image: values outside 0..1")
    network = session.network
    if network.input_shape != image.shape:
        raise SessionFileError(
            f"{name}: the network expects input {network.input_shape}, but the image is {image.shape}"
        )
    if not isinstance(session.caption, str) or len(session.caption) > MAX_CAPTION_CHARS:
        raise SessionFileError(f"{name}: the caption must be text of at most {MAX_CAPTION_CHARS} characters")
    selection = session.selection
    if selection is not None and not isinstance(selection, Unit):
        raise SessionFileError(f"{name}: the selection must be a Unit or None, not {type(selection).__name__}")
    if selection is not None and session.valid_selection(selection) != selection:
        raise SessionFileError(f"{name}: the selection {selection} names no unit of the network")
    for key, array in network.params.items():
        if not np.isfinite(array).all():
            raise SessionFileError(f"{name}: parameter {key} holds NaN or infinite values")
    if session.digit is not None and not isinstance(session.digit, DigitRef):
        raise SessionFileError(f"{name}: the digit must be a DigitRef or None, not {type(session.digit).__name__}")
    if session.training is not None and not isinstance(session.training, TrainingHistory):
        raise SessionFileError(f"{name}: the training history must be a TrainingHistory or None")
    record = session.training_record
    if record is not None and not isinstance(record, TrainingRecord):
        raise SessionFileError(f"{name}: the training record must be a TrainingRecord or None")

    header = {
        "format": SESSION_FORMAT,
        "schema_version": FIRST_SCHEMA_VERSION if image.shape[0] == 1 else SCHEMA_VERSION,
        "app_version": __version__,
        "caption": session.caption,
        "image_shape": list(image.shape[1:] if image.shape[0] == 1 else image.shape),
        "selection": None if selection is None else {key: int(getattr(selection, key)) for key in _SELECTION_KEYS},
        "view_options": view_options,
        "network": {"spec": network.spec, "input_shape": list(network.input_shape)},
        "digit": None if session.digit is None else session.digit.to_json(),
        "training": None if session.training is None else session.training.to_json(),
        "training_record": None if record is None else record.as_dict(),
    }
    try:
        header_text = _json_text(header)
    except (TypeError, ValueError) as exc:
        raise SessionFileError(f"{name}: cannot describe the session as JSON ({_one_line(exc)})") from None
    params = {f"param/{key}": np.ascontiguousarray(value) for key, value in network.params.items()}
    arrays = {"image": image[0] if image.shape[0] == 1 else image, **params}
    npz = io.BytesIO()
    np.savez(npz, **arrays)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(_member_info(SESSION_JSON), header_text)
        archive.writestr(_member_info(ARRAYS_NPZ), npz.getvalue())
    return buffer.getvalue()


def _member_info(member: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(member, date_time=(1980, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


def _json_text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, allow_nan=False, indent=1)


def _write_file(path: Path, payload: bytes, private: bool) -> None:
    try:
        atomic_write_bytes(path, payload, private=private)
    except OSError as exc:
        raise SessionFileError(f"{path.name}: cannot write the file ({exc.strerror or _one_line(exc)})") from exc


# ----------------------------------------------------------------------------------------------- reading
@contextlib.contextmanager
def _refusals(name: str) -> Iterator[None]:
    """Every way reading can fail, as one short :class:`SessionFileError` naming the file."""
    try:
        yield
    except SessionFileError as exc:
        raise SessionFileError(printable(str(exc), MAX_MESSAGE_CHARS)) from None
    except UntrustedFileError as exc:
        raise SessionFileError(str(exc)) from None
    except (RecursionError, OverflowError, MemoryError) as exc:
        reason = f"too deeply nested or too large to read ({type(exc).__name__})"
        raise SessionFileError(message(name, reason)) from None


def _read_file(path: Path) -> bytes:
    return read_regular_file(path, MAX_UNPACKED_BYTES)


def _open_zip(data: bytes, name: str, budget: ByteBudget, unreadable: str) -> zipfile.ZipFile:
    return open_zip(data, name, budget, unreadable, max_members=MAX_DECK_SESSIONS + 1)


def _read_json(archive: zipfile.ZipFile, member: str, name: str, budget: ByteBudget) -> dict[str, Any]:
    try:
        size = archive.getinfo(member).file_size
    except KeyError:
        members = set(archive.namelist())
        if member == SESSION_JSON and DECK_JSON in members:
            raise SessionFileError(f"{name}: is a deck of sessions, not a single session") from None
        if member == DECK_JSON and SESSION_JSON in members:
            raise SessionFileError(f"{name}: is a single session, not a deck") from None
        raise SessionFileError(f"{name}: {member} is missing (not a cnn-desktop file?)") from None
    if size > MAX_JSON_BYTES:
        raise SessionFileError(f"{name}: {member} is too large ({size} bytes)")
    data = read_member(archive, member, name, budget)
    try:
        value = json.loads(data.decode("utf-8"), parse_constant=_refuse_constant)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise SessionFileError(f"{name}: {member} is damaged ({_one_line(exc)})") from None
    if not isinstance(value, dict):
        raise SessionFileError(f"{name}: {member} is damaged (not a JSON object)")
    return value


def _refuse_constant(constant: str) -> Any:
    raise ValueError(f"{constant} is not allowed")


def _check_header(header: dict[str, Any], expected_format: str, name: str) -> None:
    """The format name and schema version of a session or deck description."""
    version = header.get("schema_version")
    if header.get("format") != expected_format:
        kind = "session" if expected_format == SESSION_FORMAT else "deck"
        raise SessionFileError(f"{name}: not a cnn-desktop {kind} (format {shown(header.get('format'), 40)})")
    if not _is_int(version) or version < 1:
        raise SessionFileError(f"{name}: unknown schema version {shown(version, 30)}")
    if version > SCHEMA_VERSION:
        made_by = header.get("app_version")
        by = f" {made_by}" if isinstance(made_by, str) and len(made_by) < 40 else ""
        raise SessionFileError(
            f"{name}: made by a newer cnn-desktop{by} (schema version {version}; this version reads up to "
            f"{SCHEMA_VERSION}); update cnn-desktop to open it"
        )


def _session_from_bytes(data: bytes, name: str, budget: ByteBudget) -> tuple[Session, ViewOptions]:
    archive = _open_zip(data, name, budget, f"not a cnn-desktop session {_NOT_ZIP}")
    header = _read_json(archive, SESSION_JSON, name, budget)
    _check_header(header, SESSION_FORMAT, name)
    caption = header.get("caption")
    if not isinstance(caption, str) or len(caption) > MAX_CAPTION_CHARS:
        raise SessionFileError(f"{name}: damaged caption")
    view_options = header.get("view_options")
    if not isinstance(view_options, dict):
        raise SessionFileError(f"{name}: damaged view options (not a JSON object)")
    check_view_options(view_options, name)
    image_shape = header.get("image_shape")
    if not (isinstance(image_shape, list) and len(image_shape) in (2, 3) and all(_is_int(v) for v in image_shape)):
        raise SessionFileError(f"{name}: damaged image shape {shown(image_shape, 40)}")
    input_depth = [1] if len(image_shape) == 2 else []
    description = header.get("network")
    if not isinstance(description, dict) or not isinstance(description.get("spec"), list):
        raise SessionFileError(f"{name}: missing or damaged network description")
    if len(description["spec"]) > MAX_LAYERS:
        raise SessionFileError(f"{name}: the network has {len(description['spec'])} layers, at most {MAX_LAYERS}")
    input_shape = description.get("input_shape")
    if input_shape != [*input_depth, *image_shape]:
        raise SessionFileError(f"{name}: the network input {shown(input_shape, 40)} does not fit the image")
    selection = _parse_selection(header.get("selection"), name)
    digit = _parse_part(header.get("digit"), DigitRef.from_json, "digit", name)
    training = _parse_part(header.get("training"), TrainingHistory.from_json, "training history", name)
    record = _parse_record(header.get("training_record"), name)

    arrays = _read_npz(read_member(archive, ARRAYS_NPZ, name, budget), name, budget)
    image = arrays.pop("image", None)
    if image is None:
        raise SessionFileError(f"{name}: the image is missing")
    if image.shape != tuple(image_shape):
        raise SessionFileError(f"{name}: the image has shape {image.shape}, expected {tuple(image_shape)}")
    if not np.isfinite(image).all():
        raise SessionFileError(f"{name}: the image holds NaN or infinite values")
    if image.size and (image.min() < 0 or image.max() > 1):
        raise SessionFileError(f"{name}: the image holds values outside 0..1")
    try:
        image = check_image(image)
    except ValueError as exc:
        raise SessionFileError(f"{name}: {exc}") from None

    network = _network_from(description, arrays, name)
    problem = network_fit_problem(network)
    if problem:
        raise SessionFileError(message(name, problem))
    session = Session(image=image, network=network, selection=None, caption=caption, digit=digit, training=training)
    session.training_record = record
    if selection is not None and session.valid_selection(selection) != selection:
        raise SessionFileError(f"{name}: the selection {selection} names no unit of the network")
    session.selection = selection
    return session, view_options


def _parse_selection(raw: Any, name: str) -> Unit | None:
    if raw is None:
        return None
    if not isinstance(raw, dict) or set(raw) != set(_SELECTION_KEYS) or not all(_is_int(v) for v in raw.values()):
        raise SessionFileError(f"{name}: damaged selection {shown(raw, 60)}")
    return Unit(**{key: raw[key] for key in _SELECTION_KEYS})


def _parse_part(raw: Any, read: Callable[[Any], T], what: str, name: str) -> T | None:
    """A saved part of the session read by ``read`` (None when the file has none); damage refuses the file."""
    if raw is None:
        return None
    try:
        return read(raw)
    except ValueError as exc:  # DigitRefError, TrainingHistoryError
        raise SessionFileError(message(name, f"damaged {what} ({exc})")) from None


def _parse_record(raw: Any, name: str) -> TrainingRecord | None:
    """The fingerprints of the trained weights; a damaged record refuses the file (it would mislabel them)."""
    if raw is None:
        return None
    try:
        record = TrainingRecord.from_dict(raw)
    except ValueError as exc:
        raise SessionFileError(f"{name}: {exc}") from None
    if len(record.description) > MAX_RECORD_DESCRIPTION_CHARS or len(record.fingerprints) > 2 * MAX_LAYERS:
        raise SessionFileError(f"{name}: damaged training record (too long)")
    return dataclasses.replace(record, description=printable(record.description, MAX_RECORD_DESCRIPTION_CHARS))


def _network_from(description: dict[str, Any], arrays: dict[str, np.ndarray], name: str) -> Network:
    """The network of a session, checking its spec and every parameter (by :meth:`Network.from_arrays`)."""
    params = {}
    for key, array in arrays.items():
        if not key.startswith("param/"):
            raise SessionFileError(f"{name}: unexpected array {printable(key, 40)!r}")
        params[key] = array
    header = {"format": NETWORK_FILE_FORMAT, "spec": description["spec"], "input_shape": description["input_shape"]}
    try:
        network = Network.from_arrays({"spec": np.array(json.dumps(header)), **params}, name)
    except ModelFileError as exc:
        raise SessionFileError(_one_line(exc)) from None
    except (TypeError, KeyError, AttributeError, ValueError) as exc:
        raise SessionFileError(f"{name}: damaged network description ({_one_line(exc)})") from None
    except MemoryError:
        raise SessionFileError(f"{name}: the network described is too large to build") from None
    unexpected = sorted(set(params) - {f"param/{key}" for key in network.params})
    if unexpected:
        raise SessionFileError(f"{name}: unexpected array {printable(unexpected[0], 40)!r} (no such parameter)")
    return network


def _read_npz(data: bytes, name: str, budget: ByteBudget) -> dict[str, np.ndarray]:
    """The arrays of ``arrays.npz``: every header is checked (float arrays only) before its data is read."""
    arrays = read_npz(data, name, budget, unreadable=f"{ARRAYS_NPZ} is damaged {_NOT_ZIP}")
    for key, array in arrays.items():
        arrays[key] = finite_float32(array, message(name, f"array {printable(key, 40)!r}"))
    return arrays


# ----------------------------------------------------------------------------------------------- helpers
def _check_plain(value: Any, where: str, name: str) -> None:
    """Raise unless ``value`` is made of plain JSON values that come back from a round trip unchanged."""
    problem = plain_json_problem(value, where, MAX_VIEW_OPTION_DEPTH, MAX_CAPTION_CHARS)
    if problem:
        raise SessionFileError(message(name, problem))


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text[:300] if text else type(exc).__name__
