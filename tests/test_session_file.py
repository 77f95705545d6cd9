"""Saved sessions and decks: exact round trips, atomic saves, and every bad file refused without side effects."""

from __future__ import annotations

import copy
import io
import json
import os
import struct
import zipfile
from pathlib import Path

import numpy as np
import pytest

from cnn_desktop import fileio, session_file
from cnn_desktop.deck_file import load_deck, save_deck
from cnn_desktop.engine import MNIST_SPEC, Network, TrainingRecord, Unit, weights_status
from cnn_desktop.session import Session
from cnn_desktop.session_file import (
    FIRST_SCHEMA_VERSION,
    SessionFileError,
    check_view_options,
    load_session,
    save_session,
)
from tests.limited_child import run_limited

SMALL_SPEC = [
    {"type": "conv", "out_channels": 2, "kernel": 3, "padding": 1},
    {"type": "relu"},
    {"type": "maxpool", "size": 2},
    {"type": "flatten"},
    {"type": "dense", "out_features": 3},
]

VIEW_OPTIONS = {
    "colormap": "viridis",
    "scaling": "global",
    "zoom": 2.5,
    "player": {"position": 17, "playing": False, "speed": 0.1},
    "pinned": [1, 2, [3, "x"]],
    "note": None,
    "légende": "ünïcødé ✓",
    "big": 2**70,
    "negative zero": -0.0,
}


def randomised(net: Network, seed: int) -> Network:
    """``net`` with every parameter (biases too) set to random values, including awkward floats."""
    rng = np.random.default_rng(seed)
    for array in net.params.values():
        array[...] = rng.normal(0, 1, array.shape)
    first = next(iter(net.params.values()))
    first.flat[0] = np.float32(1e-40)  # a subnormal must survive bit for bit
    first.flat[1] = np.float32(-0.0)
    return net


def mnist_session() -> Session:
    rng = np.random.default_rng(1)
    net = randomised(Network.from_spec(MNIST_SPEC, (1, 28, 28), seed=0), 2)
    image = rng.random((28, 28), dtype=np.float32)
    image[0, 0], image[0, 1] = 0.0, 1.0
    return Session(image=image, network=net, selection=Unit(3, 5, 2, 4), caption="a seven,\nwith a second line")


def small_session() -> Session:
    rng = np.random.default_rng(3)
    net = randomised(Network.from_spec(SMALL_SPEC, (1, 7, 7), seed=0), 4)
    # stage 4 is the output of flatten, a vector of 2 * 3 * 3 features: the selected unit is feature 11
    return Session(image=rng.random((7, 7), dtype=np.float32), network=net, selection=Unit(4, 0, 0, 11))


def assert_same(a: Session, b: Session) -> None:
    assert a.image.dtype == b.image.dtype == np.float32
    assert a.image.shape == b.image.shape and a.image.tobytes() == b.image.tobytes()
    assert a.network.spec == b.network.spec
    assert a.network.input_shape == b.network.input_shape
    assert list(a.network.params) == list(b.network.params)
    for key, array in a.network.params.items():
        other = b.network.params[key]
        assert array.dtype == other.dtype and array.shape == other.shape
        assert array.tobytes() == other.tobytes(), key
    assert a.selection == b.selection
    assert a.caption == b.caption


def snapshot(session: Session) -> Session:
    return Session(
        image=session.image.copy(),
        network=session.network.copy(),
        selection=session.selection,
        caption=session.caption,
    )


def folder_state(folder: Path) -> dict[str, bytes]:
    return {entry.name: entry.read_bytes() for entry in sorted(folder.iterdir()) if entry.is_file()}


def assert_refused(path: Path, match: str, load=load_session) -> str:
    """``load(path)`` raises SessionFileError with a one-line message naming the file; nothing changes."""
    before = folder_state(path.parent)
    with pytest.raises(SessionFileError, match=match) as info:
        load(path)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(path.name)
    assert folder_state(path.parent) == before
    return message


# ----------------------------------------------------------------------------------------------- round trips
@pytest.mark.parametrize("make", [mnist_session, small_session], ids=["mnist", "small-7x7"])
def test_round_trip_is_exact(tmp_path: Path, make) -> None:
    session = make()
    before = snapshot(session)
    path = tmp_path / "lesson.cnnd"
    save_session(path, session, VIEW_OPTIONS)
    assert_same(session, before)  # saving changes nothing

    loaded, options = load_session(path)
    assert_same(loaded, session)
    assert options == VIEW_OPTIONS
    assert json.dumps(options) == json.dumps(VIEW_OPTIONS)  # same types and key order, not just equal
    assert (
        loaded.network.forward(loaded.image[None]).tobytes() == session.network.forward(session.image[None]).tobytes()
    )
    # the loaded session is independent of the saved one
    loaded.image[0, 0, 0] = 0.5
    assert session.image[0, 0, 0] == before.image[0, 0, 0]


def test_the_training_record_is_kept_and_old_files_open_without_one(tmp_path: Path) -> None:
    session = mnist_session()
    session.training_record = TrainingRecord.of(session.network, "Trained on 12 digits: 50.0% right.")
    path = tmp_path / "trained.cnnd"
    save_session(path, session)
    loaded, _ = load_session(path)
    assert loaded.training_record == session.training_record
    assert weights_status(loaded.network, loaded.training_record).trained

    old = tmp_path / "old.cnnd"
    old.write_bytes(with_header(lambda header: header.pop("training_record")))
    assert load_session(old)[0].training_record is None


def test_no_selection_no_options_empty_caption(tmp_path: Path) -> None:
    session = Session()
    path = tmp_path / "plain.cnnd"
    save_session(path, session)
    loaded, options = load_session(path)
    assert_same(loaded, session)
    assert options == {} and loaded.selection is None and loaded.caption == ""


def test_file_layout_is_documented_zip(tmp_path: Path) -> None:
    path = tmp_path / "lesson.cnnd"
    save_session(path, small_session(), {"zoom": 3})
    with zipfile.ZipFile(path) as archive:
        assert sorted(archive.namelist()) == ["arrays.npz", "session.json"]
        header = json.loads(archive.read("session.json"))
        with np.load(io.BytesIO(archive.read("arrays.npz")), allow_pickle=False) as npz:
            names = sorted(npz.files)
    assert header["schema_version"] == FIRST_SCHEMA_VERSION == 1  # a grey session opens in older versions
    assert header["format"] == "cnn-desktop session"
    assert header["image_shape"] == [7, 7]
    assert header["network"]["input_shape"] == [1, 7, 7]
    assert header["selection"] == {"stage": 4, "channel": 0, "y": 0, "x": 11}
    assert header["view_options"] == {"zoom": 3}
    assert names == ["image", "param/0.bias", "param/0.weight", "param/4.bias", "param/4.weight"]
    # saving the same session twice gives the same bytes (no time stamps inside)
    first = path.read_bytes()
    save_session(path, small_session(), {"zoom": 3})
    assert path.read_bytes() == first


# ----------------------------------------------------------------------------------------------- saving refused
@pytest.mark.parametrize(
    ("options", "match"),
    [
        ([1, 2], "must be a dict"),
        ({"zoom": (1, 2)}, r"tuple.*use a list"),
        ({"zoom": np.float32(2)}, r"float32, not a plain JSON value; convert it with \.item\(\)"),
        ({"zoom": np.float64(2)}, "float64, not a plain float"),
        ({"zoom": np.int64(2)}, "int64, not a plain JSON value"),
        ({"zoom": float("nan")}, "finite"),
        ({"zoom": [1, float("inf")]}, "finite"),
        ({1: "a"}, "keys must be text"),
        ({"set": {1, 2}}, "not a plain JSON value"),
        ({"deep": [[[[[[[[[[1]]]]]]]]]]}, "nested"),
    ],
)
def test_bad_view_options_are_refused_before_writing(tmp_path: Path, options, match: str) -> None:
    path = tmp_path / "lesson.cnnd"
    save_session(path, small_session(), {"old": True})
    before = folder_state(tmp_path)
    with pytest.raises(SessionFileError, match=match):
        save_session(path, small_session(), options)
    assert folder_state(tmp_path) == before
    with pytest.raises(SessionFileError, match=match):
        check_view_options(options)


def test_inconsistent_session_is_refused_before_writing(tmp_path: Path) -> None:
    path = tmp_path / "lesson.cnnd"
    broken = small_session()
    broken.image = np.zeros((8, 8), np.float32)  # no longer fits the network
    with pytest.raises(SessionFileError, match=r"lesson\.cnnd: the network expects input"):
        save_session(path, broken)
    nan_net = small_session()
    nan_net.network.params["0.weight"][0, 0, 0, 0] = np.nan
    with pytest.raises(SessionFileError, match="NaN"):
        save_session(path, nan_net)
    bad_selection = small_session()
    bad_selection.selection = (1, 0, 0, 0)  # type: ignore[assignment]
    with pytest.raises(SessionFileError, match="must be a Unit or None"):
        save_session(path, bad_selection)
    bad_selection.selection = Unit(1, 5, 0, 0)  # channel 5 of a 2-channel stage
    with pytest.raises(SessionFileError, match="names no unit"):
        save_session(path, bad_selection)
    with pytest.raises(SessionFileError, match="expected a Session"):
        save_session(path, "not a session")  # type: ignore[arg-type]
    assert list(tmp_path.iterdir()) == []


def test_unwritable_target_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(SessionFileError, match=r"lesson\.cnnd: cannot write the file"):
        save_session(tmp_path / "missing folder" / "lesson.cnnd", small_session())


# ----------------------------------------------------------------------------------------------- crash mid-save
def test_failure_midway_keeps_the_previous_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "lesson.cnnd"
    save_session(path, small_session(), {"version": "old"})
    before = folder_state(tmp_path)

    def half_then_disk_full(handle, payload: bytes) -> None:
        handle.write(payload[: len(payload) // 2])
        handle.flush()
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(fileio, "_write_payload", half_then_disk_full)
    with pytest.raises(SessionFileError, match=r"lesson\.cnnd: cannot write the file \(No space left on device\)"):
        save_session(path, mnist_session(), {"version": "new"})
    assert folder_state(tmp_path) == before  # old file intact, no temporary file left
    loaded, options = load_session(path)
    assert_same(loaded, small_session())
    assert options == {"version": "old"}


def test_interrupt_before_rename_keeps_the_previous_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "lesson.cnnd"
    save_session(path, small_session())
    before = folder_state(tmp_path)

    def interrupted(*args) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        save_session(path, mnist_session())
    monkeypatch.undo()
    assert folder_state(tmp_path) == before


def test_process_killed_midway_keeps_the_previous_file(tmp_path: Path) -> None:
    path = tmp_path / "lesson.cnnd"
    save_session(path, small_session(), {"version": "old"})
    old_bytes = path.read_bytes()
    script = (
        "import os, sys\n"
        "from cnn_desktop import fileio, session_file\n"
        "from cnn_desktop.session import Session\n"
        "def die(handle, payload):\n"
        "    handle.write(payload[: len(payload) // 3]); handle.flush(); os._exit(7)\n"
        "fileio._write_payload = die\n"
        "session_file.save_session(sys.argv[1], Session(), {'version': 'new'})\n"
    )
    result = run_limited(script, str(path))
    assert result.returncode == 7, result.stderr
    assert path.read_bytes() == old_bytes
    assert load_session(path)[1] == {"version": "old"}
    # the killed run could not clean up its temporary file, but it never gets in the way
    leftovers = [entry.name for entry in tmp_path.iterdir() if entry != path]
    assert len(leftovers) == 1 and leftovers[0].startswith(".lesson.cnnd.") and leftovers[0].endswith(".tmp")
    save_session(path, small_session(), {"version": "newer"})
    assert load_session(path)[1] == {"version": "newer"}


def test_replacing_keeps_the_file_permissions(tmp_path: Path) -> None:
    if os.name == "nt":
        pytest.skip("POSIX permissions")
    path = tmp_path / "lesson.cnnd"
    save_session(path, small_session())
    os.chmod(path, 0o640)
    save_session(path, small_session())
    assert path.stat().st_mode & 0o777 == 0o640
    save_session(tmp_path / "private.cnnd", small_session(), private=True)
    assert (tmp_path / "private.cnnd").stat().st_mode & 0o777 == 0o600


# ----------------------------------------------------------------------------------------------- bad files
def members_of(session: Session | None = None, options: dict | None = None) -> dict[str, bytes]:
    """The members of a valid session file."""
    buffer = io.BytesIO()
    buffer.write(session_file._session_bytes(session or small_session(), options or {"zoom": 2}, "x"))
    with zipfile.ZipFile(buffer) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def zip_bytes(members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def with_header(change) -> bytes:
    members = members_of()
    header = json.loads(members["session.json"])
    change(header)
    members["session.json"] = json.dumps(header).encode()
    return zip_bytes(members)


def npz_bytes(arrays: dict[str, np.ndarray], allow_pickle: bool = False) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for key, array in arrays.items():
            member = io.BytesIO()
            np.save(member, array, allow_pickle=allow_pickle)
            archive.writestr(f"{key}.npy", member.getvalue())
    return buffer.getvalue()


def with_arrays(change) -> bytes:
    members = members_of()
    with np.load(io.BytesIO(members["arrays.npz"]), allow_pickle=False) as npz:
        arrays = {key: npz[key] for key in npz.files}
    change(arrays)
    members["arrays.npz"] = npz_bytes(arrays)
    return zip_bytes(members)


def set_declared_size(data: bytes, member: str, size: int) -> bytes:
    """``data`` (a zip) with the central directory claiming ``size`` unpacked bytes for ``member``."""
    raw = bytearray(data)
    start = 0
    while True:
        start = raw.index(b"PK\x01\x02", start)
        name_length = struct.unpack_from("<H", raw, start + 28)[0]
        if raw[start + 46 : start + 46 + name_length].decode() == member:
            struct.pack_into("<I", raw, start + 24, size)
            return bytes(raw)
        start += 4


def valid_file_bytes() -> bytes:
    return zip_bytes(members_of())


def flipped_byte(data: bytes) -> bytes:
    raw = bytearray(data)
    offset = raw.index(b"PK\x01\x02") // 2  # inside the compressed members
    raw[offset] ^= 0xFF
    return bytes(raw)


def bad_json_member(text: bytes) -> bytes:
    members = members_of()
    members["session.json"] = text
    return zip_bytes(members)


def drop(member: str) -> bytes:
    members = members_of()
    del members[member]
    return zip_bytes(members)


def duplicated() -> bytes:
    members = members_of()
    buffer = io.BytesIO()
    with pytest.warns(UserWarning), zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
        archive.writestr("session.json", members["session.json"])
    return buffer.getvalue()


def set_item(key, value):
    def change(mapping):
        mapping[key] = value

    return change


def nan_image(arrays) -> None:
    arrays["image"] = arrays["image"].copy()
    arrays["image"][3, 3] = np.nan


def nan_param(arrays) -> None:
    arrays["param/4.weight"] = arrays["param/4.weight"].copy()
    arrays["param/4.weight"][0, 0] = np.inf


def overflowing_param(arrays) -> None:
    arrays["param/4.bias"] = np.full(3, 1e300)


def spec_change(change):
    def apply(header):
        change(header["network"]["spec"])

    return apply


BAD_FILES = {
    "empty": (lambda: b"", "not a cnn-desktop session"),
    "not a zip": (lambda: b"hello, I am a text file\n" * 10, "not a cnn-desktop session"),
    "truncated": (lambda: valid_file_bytes()[: len(valid_file_bytes()) // 2], "damaged or truncated"),
    "truncated end": (lambda: valid_file_bytes()[:-5], "damaged or truncated"),
    "flipped byte": (lambda: flipped_byte(valid_file_bytes()), "damaged"),
    "smaller than declared": (lambda: set_declared_size(valid_file_bytes(), "arrays.npz", 100), "damaged"),
    "session.json missing": (lambda: drop("session.json"), "session.json is missing"),
    "arrays.npz missing": (lambda: drop("arrays.npz"), "arrays.npz is missing"),
    "duplicate member": (duplicated, "appears twice"),
    "bzip2": (lambda: zip_bytes(members_of(), zipfile.ZIP_BZIP2), "unsupported compression"),
    "json damaged": (lambda: bad_json_member(b'{"schema_version": 1,'), r"session\.json is damaged"),
    "json not utf-8": (lambda: bad_json_member(b"\xff\xfe{}"), r"session\.json is damaged"),
    "json NaN": (lambda: with_header(set_item("view_options", {"zoom": float("nan")})), "NaN is not allowed"),
    "json list": (lambda: bad_json_member(b"[1, 2]"), "not a JSON object"),
    "newer schema": (lambda: with_header(set_item("schema_version", 3)), "made by a newer cnn-desktop"),
    "schema zero": (lambda: with_header(set_item("schema_version", 0)), "unknown schema version 0"),
    "schema text": (lambda: with_header(set_item("schema_version", "1")), "unknown schema version '1'"),
    "schema missing": (lambda: with_header(lambda h: h.pop("schema_version")), "unknown schema version None"),
    "other format": (lambda: with_header(set_item("format", "zip of photos")), "not a cnn-desktop session"),
    "caption not text": (lambda: with_header(set_item("caption", 7)), "damaged caption"),
    "view options list": (lambda: with_header(set_item("view_options", [1])), "damaged view options"),
    "view options deep": (lambda: with_header(set_item("view_options", {"a": [[[[[[[[[1]]]]]]]]]})), "nested"),
    "selection outside": (
        lambda: with_header(set_item("selection", {"stage": 9, "channel": 0, "y": 0, "x": 0})),
        "names no unit",
    ),
    "selection damaged": (lambda: with_header(set_item("selection", {"stage": 1})), "damaged selection"),
    "selection bool": (
        lambda: with_header(set_item("selection", {"stage": True, "channel": 0, "y": 0, "x": 0})),
        "damaged selection",
    ),
    "image shape text": (lambda: with_header(set_item("image_shape", "7x7")), "damaged image shape"),
    "training record damaged": (
        lambda: with_header(set_item("training_record", {"description": "trained"})),
        "damaged training record",
    ),
    "image shape wrong": (lambda: with_header(set_item("image_shape", [8, 7])), "does not fit the image"),
    "network missing": (lambda: with_header(lambda h: h.pop("network")), "missing or damaged network description"),
    "spec unknown layer": (
        lambda: with_header(spec_change(lambda s: s.append({"type": "lstm"}))),
        "unknown layer type",
    ),
    "spec unhashable": (lambda: with_header(spec_change(lambda s: s.append({"type": []}))), "unknown layer type"),
    "spec entry not a dict": (lambda: with_header(spec_change(lambda s: s.__setitem__(0, "conv"))), "expected a dict"),
    "spec too long": (
        lambda: with_header(spec_change(lambda s: s.extend([{"type": "relu"}] * 1000))),
        "1005 layers, at most 1000",
    ),
    "spec not a list": (lambda: with_header(lambda h: h["network"].update(spec="conv")), "damaged network description"),
    "spec impossible": (
        lambda: with_header(spec_change(lambda s: s.insert(0, {"type": "maxpool", "size": 8}))),
        "smaller than the 8x8 window",
    ),
    "image wrong shape": (lambda: with_arrays(set_item("image", np.zeros((6, 7), np.float32))), "image has shape"),
    "image missing": (lambda: with_arrays(lambda a: a.pop("image")), "the image is missing"),
    "image NaN": (lambda: with_arrays(nan_image), r"array 'image' holds NaN"),
    "image above 1": (lambda: with_arrays(set_item("image", np.full((7, 7), 2, np.float32))), "outside 0..1"),
    "image integers": (lambda: with_arrays(set_item("image", np.zeros((7, 7), np.int32))), "floating-point"),
    "param wrong shape": (
        lambda: with_arrays(set_item("param/0.weight", np.zeros((2, 1, 5, 5), np.float32))),
        r"parameter 0\.weight has shape",
    ),
    "param missing": (lambda: with_arrays(lambda a: a.pop("param/4.bias")), r"parameter 4\.bias is missing"),
    "param infinite": (lambda: with_arrays(nan_param), "holds NaN or infinite"),
    "param overflows float32": (lambda: with_arrays(overflowing_param), "out of the float32 range"),
    "unexpected array": (lambda: with_arrays(set_item("param/9.weight", np.zeros(2, np.float32))), "unexpected array"),
    "npz not a zip": (lambda: zip_bytes({**members_of(), "arrays.npz": b"garbage"}), "arrays.npz is damaged"),
    "npy damaged": (
        lambda: zip_bytes({**members_of(), "arrays.npz": zip_bytes({"image.npy": b"\x93NUMPY\x01\x00garbage"})}),
        "array 'image' is damaged",
    ),
    "npy short": (lambda: zip_bytes({**members_of(), "arrays.npz": short_npy()}), "does not match its shape"),
    "deck as session": (lambda: deck_bytes(), "is a deck of sessions, not a single session"),
}


def short_npy() -> bytes:
    member = io.BytesIO()
    np.save(member, np.zeros((7, 7), np.float32))
    return zip_bytes({"image.npy": member.getvalue()[:-8]})


def deck_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("deck.json", json.dumps({"format": "cnn-desktop deck", "schema_version": 1, "sessions": 0}))
    return buffer.getvalue()


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_bad_file_is_refused_with_a_clear_message(tmp_path: Path, case: str) -> None:
    build, match = BAD_FILES[case]
    path = tmp_path / "lesson.cnnd"
    path.write_bytes(build())
    assert_refused(path, match)


def test_newer_schema_message_says_what_to_do(tmp_path: Path) -> None:
    path = tmp_path / "future.cnnd"
    path.write_bytes(with_header(lambda h: h.update(schema_version=3, app_version="2.0.0")))
    message = assert_refused(path, "newer")
    assert message == (
        "future.cnnd: made by a newer cnn-desktop 2.0.0 (schema version 3; this version reads up to 2); "
        "update cnn-desktop to open it"
    )


def test_missing_file_and_folder(tmp_path: Path) -> None:
    with pytest.raises(SessionFileError, match=r"^nothing\.cnnd: no such file$"):
        load_session(tmp_path / "nothing.cnnd")
    (tmp_path / "folder.cnnd").mkdir()
    assert_refused(tmp_path / "folder.cnnd", "is a folder")


# ----------------------------------------------------------------------------------------------- hostile files
MARKER_NAME = "pwned.txt"


def _write_marker(path: str) -> str:
    Path(path).write_text("code ran while loading")
    return "trap"


class Trap:
    """An object whose unpickling writes a marker file: proof that code ran."""

    def __init__(self, marker: Path) -> None:
        self.marker = str(marker)

    def __reduce__(self):
        return (_write_marker, (self.marker,))


def pickled_npy(marker: Path) -> bytes:
    member = io.BytesIO()
    np.save(member, np.array([Trap(marker), 1], dtype=object), allow_pickle=True)
    return member.getvalue()


def test_the_trap_is_real(tmp_path: Path) -> None:
    marker = tmp_path / "proof.txt"
    np.load(io.BytesIO(pickled_npy(marker)), allow_pickle=True)
    assert marker.exists()


@pytest.mark.parametrize("key", ["image", "param/0.weight", "extra"])
def test_pickled_object_array_runs_nothing(tmp_path: Path, key: str) -> None:
    marker = tmp_path / MARKER_NAME
    members = members_of()
    with zipfile.ZipFile(io.BytesIO(members["arrays.npz"])) as archive:
        inner = {name: archive.read(name) for name in archive.namelist()}
    inner[f"{key}.npy"] = pickled_npy(marker)
    members["arrays.npz"] = zip_bytes(inner)
    path = tmp_path / "hostile.cnnd"
    path.write_bytes(zip_bytes(members))
    assert_refused(path, "holds Python objects")
    assert not marker.exists()


def test_zip_bomb_is_refused_before_unpacking(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(session_file, "MAX_UNPACKED_BYTES", 1 << 20)
    members = members_of()
    members["padding.bin"] = bytes(4 << 20)  # 4 MB of zeros, a few kB compressed
    path = tmp_path / "bomb.cnnd"
    path.write_bytes(zip_bytes(members))
    assert path.stat().st_size < 100_000
    assert_refused(path, "too large, it would unpack to more than 1 MB")

    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("image.npy", bytes(4 << 20))
    path.write_bytes(zip_bytes({**members_of(), "arrays.npz": inner.getvalue()}))
    assert_refused(path, "too large")

    path.write_bytes(os.urandom(2 << 20))
    assert_refused(path, r"too large \(2 MB; at most 1 MB\)")


def test_lying_size_is_refused_before_unpacking(tmp_path: Path) -> None:
    path = tmp_path / "liar.cnnd"
    path.write_bytes(set_declared_size(valid_file_bytes(), "arrays.npz", 300 << 20))
    assert_refused(path, "too large, it would unpack to more than 200 MB")


# ----------------------------------------------------------------------------------------------- decks
def test_deck_round_trip(tmp_path: Path) -> None:
    slides = [
        (mnist_session(), VIEW_OPTIONS),
        (small_session(), None),
        (Session(caption="blank"), {"colormap": "gray"}),
    ]
    path = tmp_path / "lecture.cnndeck"
    save_deck(path, slides)
    loaded = load_deck(path)
    assert len(loaded) == 3
    for (session, options), (again, again_options) in zip(slides, loaded, strict=True):
        assert_same(again, session)
        assert again_options == (options or {})
    with zipfile.ZipFile(path) as archive:
        assert archive.namelist() == ["deck.json", "0001.cnnd", "0002.cnnd", "0003.cnnd"]
        (tmp_path / "one.cnnd").write_bytes(archive.read("0002.cnnd"))
    assert_same(load_session(tmp_path / "one.cnnd")[0], small_session())  # each member is a session file


def test_empty_deck(tmp_path: Path) -> None:
    save_deck(tmp_path / "empty.cnndeck", [])
    assert load_deck(tmp_path / "empty.cnndeck") == []


def test_deck_with_a_bad_entry_is_not_written(tmp_path: Path) -> None:
    path = tmp_path / "lecture.cnndeck"
    save_deck(path, [(small_session(), {})])
    before = folder_state(tmp_path)
    with pytest.raises(SessionFileError, match=r"lecture\.cnndeck, session 2 \(0002\.cnnd\): .*tuple"):
        save_deck(path, [(small_session(), {}), (small_session(), {"zoom": (1, 2)})])
    with pytest.raises(SessionFileError, match="deck entry 1 must be a"):
        save_deck(path, [small_session()])  # type: ignore[list-item]
    assert folder_state(tmp_path) == before


def deck_members() -> dict[str, bytes]:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("deck.json", json.dumps({"format": "cnn-desktop deck", "schema_version": 1, "sessions": 2}))
        archive.writestr("0001.cnnd", valid_file_bytes())
        archive.writestr("0002.cnnd", valid_file_bytes())
    with zipfile.ZipFile(buffer) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def deck_with(change) -> bytes:
    members = deck_members()
    change(members)
    return zip_bytes(members)


def deck_header(**values):
    def change(members):
        header = json.loads(members["deck.json"])
        header.update(values)
        members["deck.json"] = json.dumps(header).encode()

    return change


BAD_DECKS = {
    "not a zip": (lambda: b"nope", "not a cnn-desktop deck"),
    "session as deck": (valid_file_bytes, "is a single session, not a deck"),
    "member missing": (lambda: deck_with(lambda m: m.pop("0002.cnnd")), r"0002\.cnnd is missing"),
    "stray member": (lambda: deck_with(lambda m: m.update({"0003.cnnd": b""})), r"holds 0003\.cnnd"),
    "count damaged": (lambda: deck_with(deck_header(sessions="2")), "session count '2'"),
    "newer schema": (lambda: deck_with(deck_header(schema_version=3)), "made by a newer cnn-desktop"),
    "session damaged": (
        lambda: deck_with(lambda m: m.update({"0002.cnnd": b"garbage"})),
        r"session 2 \(0002\.cnnd\): not a cnn-desktop session",
    ),
}


@pytest.mark.parametrize("case", list(BAD_DECKS))
def test_bad_deck_is_refused_with_a_clear_message(tmp_path: Path, case: str) -> None:
    build, match = BAD_DECKS[case]
    path = tmp_path / "lecture.cnndeck"
    path.write_bytes(build())
    assert_refused(path, match, load=load_deck)


def test_hostile_session_in_a_deck_runs_nothing(tmp_path: Path) -> None:
    marker = tmp_path / MARKER_NAME
    members = members_of()
    members["arrays.npz"] = zip_bytes({"image.npy": pickled_npy(marker)})
    path = tmp_path / "lecture.cnndeck"
    path.write_bytes(deck_with(lambda m: m.update({"0001.cnnd": zip_bytes(members)})))
    assert_refused(path, r"session 1 \(0001\.cnnd\): array 'image' holds Python objects", load=load_deck)
    assert not marker.exists()


def test_deck_shares_one_unpack_budget(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "lecture.cnndeck"
    save_deck(path, [(mnist_session(), {})] * 4)
    size = len(zipfile.ZipFile(path).read("0001.cnnd"))
    monkeypatch.setattr(session_file, "MAX_UNPACKED_BYTES", 3 * size)
    assert_refused(path, "too large", load=load_deck)


def test_loading_has_no_side_effects_on_the_saved_session(tmp_path: Path) -> None:
    session = mnist_session()
    kept = copy.deepcopy(session)
    path = tmp_path / "lesson.cnnd"
    save_session(path, session, VIEW_OPTIONS)
    first, _ = load_session(path)
    first.network.params["0.weight"][...] = 0
    second, _ = load_session(path)
    assert_same(second, kept)
    assert_same(session, kept)


def test_an_rgb_session_round_trips_exactly_as_schema_2(tmp_path: Path) -> None:
    from cnn_desktop.engine.input_depth import with_input_depth

    session = small_session()
    grey_weights = session.network.params["0.weight"].copy()
    session.network = with_input_depth(session.network, 3)
    session.image = np.random.default_rng(3).random((3, 7, 7), dtype=np.float32)
    path = tmp_path / "colour.cnnd"
    save_session(path, session, {})
    with zipfile.ZipFile(path) as archive:
        header = json.loads(archive.read("session.json"))
    assert header["schema_version"] == 2 and header["image_shape"] == [3, 7, 7]
    assert header["network"]["input_shape"] == [3, 7, 7]
    loaded, _ = load_session(path)
    assert_same(loaded, session)
    assert loaded.network.params["0.weight"][:, :1].tobytes() == grey_weights.tobytes()


def test_a_grey_session_written_before_colour_existed_still_opens() -> None:
    """``grey_session_schema1.cnnd``: scene 4 of the lesson (the edge map) as the app saved it before d channels."""
    loaded, options = load_session(Path(__file__).parent / "data" / "grey_session_schema1.cnnd")
    assert loaded.image.shape == (1, 7, 7) and loaded.network.input_shape == (1, 7, 7)
    assert loaded.selection == Unit(1, 0, 2, 3) and options == {"player_layer": 0}
    assert loaded.caption.startswith("Horizontal edges")


def test_more_than_four_channels_is_refused(tmp_path: Path) -> None:
    session = small_session()
    session.image = np.zeros((5, 7, 7), np.float32)
    with pytest.raises(SessionFileError, match="1 to 4 channels"):
        save_session(tmp_path / "deep.cnnd", session)
