"""Hostile and damaged files against every loader of the app, each batch in a memory-capped child.

Each case must be refused with one short line naming the file (or, where harmless, read), in
under 2 s, with the child's peak memory under 500 MB and no other exception escaping.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import struct
import zipfile
from pathlib import Path

import numpy as np
import pytest

from cnn_desktop.engine import MNIST_SPEC, Network
from cnn_desktop.session import Session
from cnn_desktop.session_file import save_session
from tests.limited_child import run_limited

MAX_SECONDS = 2.0
MAX_PEAK_MB = 500
MAX_MESSAGE = 200

CHILD = """
import json, resource, sys, time
from pathlib import Path

def load_weights(path):
    from cnn_desktop.engine import Network
    return Network.load(path)

def show_weights(path):
    from cnn_desktop.session import network_fit_problem
    problem = network_fit_problem(load_weights(path))
    if problem:
        raise ValueError(Path(path).name + ": " + problem)

def load_session(path):
    from cnn_desktop.session_file import load_session
    return load_session(path)

def load_deck(path):
    from cnn_desktop.deck_file import load_deck
    return load_deck(path)

def read_idx(path):
    from cnn_desktop.data.idx import read_idx
    return read_idx(path)

def read_picture(path):
    from cnn_desktop.untrusted import MAX_IMAGE_FILE_BYTES, raster_format, read_regular_file
    return raster_format(read_regular_file(path, MAX_IMAGE_FILE_BYTES), Path(path).name)

def restore_autosave(folder):
    from cnn_desktop.autosave import AutosaveStore
    return AutosaveStore(folder).restore()

ERRORS = {}
def expected_errors():
    from cnn_desktop.engine import ModelFileError
    from cnn_desktop.session_file import SessionFileError
    from cnn_desktop.data.idx import IdxError
    from cnn_desktop.untrusted import UntrustedFileError
    return (ModelFileError, SessionFileError, IdxError, UntrustedFileError, ValueError)

import cnn_desktop.session_file, cnn_desktop.deck_file, cnn_desktop.data.idx  # imports are not part of a case's time
refusals = expected_errors()
report = []
for loader, path in json.loads(Path(sys.argv[1]).read_text()):
    start = time.perf_counter()
    try:
        globals()[loader](path)
        outcome, text = "read", ""
    except refusals as exc:
        outcome, text = "refused", str(exc)
    except BaseException as exc:
        outcome, text = "escaped " + type(exc).__name__, str(exc)[:300]
    report.append({"case": Path(path).name, "outcome": outcome, "message": text,
                   "seconds": time.perf_counter() - start})
def own_peak_mb():
    # VmHWM is this process's own peak; ru_maxrss also counts the parent it was started from
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
peak = own_peak_mb()
print(json.dumps({"peak_mb": peak, "cases": report}))
"""


def run_cases(tmp_path: Path, cases: list[tuple[str, Path]]) -> dict[str, dict]:
    """Run every ``(loader, path)`` in one memory-capped child; the report of each case by file name."""
    listing = tmp_path / "cases.json"
    listing.write_text(json.dumps([[loader, str(path)] for loader, path in cases]))
    result = run_limited(CHILD, str(listing), timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    report = result.json()
    if os.environ.get("HOSTILE_REPORT"):
        print(json.dumps(report, indent=1))
    assert report["peak_mb"] < MAX_PEAK_MB, report
    return {case["case"]: case for case in report["cases"]}


def assert_refused(report: dict[str, dict], case: str, reason: str) -> None:
    entry = report[case]
    assert entry["outcome"] == "refused", entry
    text = entry["message"]
    assert "\n" not in text and len(text) <= MAX_MESSAGE, text
    assert reason in text, text
    assert entry["seconds"] < MAX_SECONDS, entry


# ----------------------------------------------------------------------------------------------- crafting
def zip_bytes(members: list[tuple[str, bytes]], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, payload in members:
            archive.writestr(name, payload)
    return buffer.getvalue()


def zeros_member_zip(name: str, size: int) -> bytes:
    """A zip holding one member of ``size`` zero bytes, deflated to almost nothing (a zip bomb)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        with archive.open(name, "w", force_zip64=True) as member:
            block = bytes(1 << 20)
            for _ in range(size >> 20):
                member.write(block)
    return buffer.getvalue()


def many_members_zip(count: int, name: bytes = b"a.npy") -> bytes:
    """A zip whose central directory lists ``count`` entries (all pointing at one empty member)."""
    local = struct.pack("<4s5H3I2H", b"PK\x03\x04", 20, 0, 0, 0, 0, 0, 0, 0, len(name), 0) + name
    entry = struct.pack("<4s6H3I5H2I", b"PK\x01\x02", 20, 20, 0, 0, 0, 0, 0, 0, 0, len(name), 0, 0, 0, 0, 0, 0)
    directory = (entry + name) * count
    end = struct.pack(
        "<4s4H2IH", b"PK\x05\x06", 0, 0, min(count, 0xFFFF), min(count, 0xFFFF), len(directory), len(local), 0
    )
    return local + directory + end


def npy_bytes(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    return buffer.getvalue()


def weights_members(spec: list, input_shape: list, params: dict[str, np.ndarray] | None = None) -> list:
    header = json.dumps({"format": 1, "spec": spec, "input_shape": input_shape})
    members = [("spec.npy", npy_bytes(np.array(header)))]
    members += [(f"param/{key}.npy", npy_bytes(value)) for key, value in (params or {}).items()]
    return members


def mnist_weights(**overrides: np.ndarray) -> list:
    net = Network.from_spec(MNIST_SPEC, seed=0)
    params = {key: value for key, value in net.params.items()}
    params.update(overrides)
    return weights_members(net.spec, list(net.input_shape), params)


def padded_convs_spec(layers: int) -> list:
    """Few weights, huge maps: each 1x1 conv with padding 16 grows the map by 32 pixels a side."""
    return [{"type": "conv", "out_channels": 8, "kernel": 1, "padding": 16} for _ in range(layers)]


def write(folder: Path, name: str, payload: bytes) -> Path:
    path = folder / name
    path.write_bytes(payload)
    return path


def fifo(folder: Path, name: str) -> Path:
    path = folder / name
    os.mkfifo(path)
    return path


UNTERMINATED_NPY = (
    b"\x93NUMPY\x01\x00\x40\x00{'descr': '<f4', 'fortran_order': False, 'shape': (3,  " + b"(" * 20 + b"\n"
)


# ----------------------------------------------------------------------------------------------- weights
@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX named pipes")
@pytest.mark.filterwarnings("ignore:Duplicate name")
def test_hostile_weights_files_are_refused(tmp_path: Path) -> None:
    deep = "[" * 100_000 + "]" * 100_000
    # fine on its own 8x8 grid, but 21 million values of maps once the grid is made 64x64
    relu_tower = [{"type": "conv", "out_channels": 64, "kernel": 1}] + [{"type": "relu"}] * 80
    tower_params = {"0.weight": np.zeros((64, 1, 1, 1), np.float32), "0.bias": np.zeros(64, np.float32)}
    cases = {
        "bomb.npz": zeros_member_zip("param/0.weight.npy", 110 << 20),
        "members.npz": many_members_zip(40_000),
        "counted.npz": many_members_zip(3000),
        "twice.npz": zip_bytes([*mnist_weights(), ("param/0.bias.npy", npy_bytes(np.zeros(8, np.float32)))]),
        "deep.npz": zip_bytes([("spec.npy", npy_bytes(np.array(deep)))]),
        "infinite.npz": zip_bytes(
            [("spec.npy", npy_bytes(np.array('{"format": 1, "spec": [], "input_shape": [1, Infinity, 28]}')))]
        ),
        "fraction.npz": zip_bytes(weights_members([], [1, 28.9, 28])),
        "huge.npz": zip_bytes(mnist_weights(**{"0.weight": np.full((8, 1, 3, 3), 1e300)})),
        "text.npz": b"just some text\n" * 100,
        "maps.npz": zip_bytes(weights_members(padded_convs_spec(100), [1, 64, 64])),
        "header.npz": zip_bytes([*mnist_weights()[:-1], ("param/7.bias.npy", UNTERMINATED_NPY)]),
        "tiny.npz": zip_bytes(weights_members([], [1, 2, 2])),
        "vast.npz": zip_bytes(weights_members([], [1, 4096, 4096])),
        "five_channels.npz": zip_bytes(weights_members([], [5, 28, 28])),
        "grow.npz": zip_bytes(weights_members(relu_tower, [1, 8, 8], tower_params)),
    }
    paths = {name: write(tmp_path, name, payload) for name, payload in cases.items()}
    paths["pipe.npz"] = fifo(tmp_path, "pipe.npz")
    paths["zero.npz"] = Path("/dev/zero")
    show = {"tiny.npz", "vast.npz", "five_channels.npz", "grow.npz"}
    report = run_cases(tmp_path, [("show_weights" if name in show else "load_weights", p) for name, p in paths.items()])
    assert_refused(report, "bomb.npz", "unpack to more than 100 MB")
    assert_refused(report, "members.npz", "archive directory is too large")
    assert_refused(report, "counted.npz", "3000 members, at most")
    assert_refused(report, "twice.npz", "appears twice")
    assert_refused(report, "deep.npz", "damaged network description")
    assert_refused(report, "infinite.npz", "input shape must be three whole numbers")
    assert_refused(report, "fraction.npz", "input shape must be three whole numbers")
    assert_refused(report, "huge.npz", "out of the float32 range")
    assert_refused(report, "text.npz", "not a readable weights file")
    assert_refused(report, "maps.npz", "feature maps would hold over 20,000,000 values")
    assert_refused(report, "header.npz", "is damaged")
    assert_refused(report, "pipe.npz", "not a regular file")
    assert_refused(report, "zero", "not a regular file")
    assert_refused(report, "tiny.npz", "2x2 input")
    assert_refused(report, "vast.npz", "4096x4096 input")
    assert_refused(report, "five_channels.npz", "5-channel input")
    assert_refused(report, "grow.npz", "on a 64x64 image its feature maps")


# ----------------------------------------------------------------------------------------------- sessions
def session_members(folder: Path, header_change=None, arrays: bytes | None = None) -> list[tuple[str, bytes]]:
    """The members of a valid session file, its description changed by ``header_change``."""
    path = folder / "scratch.cnnd"
    save_session(path, Session())
    with zipfile.ZipFile(path) as archive:
        header = json.loads(archive.read("session.json"))
        npz = archive.read("arrays.npz")
    path.unlink()
    if header_change is not None:
        header_change(header)
    return [("session.json", json.dumps(header).encode()), ("arrays.npz", npz if arrays is None else arrays)]


def maps_session(folder: Path) -> list[tuple[str, bytes]]:
    """A 28 KB-class session whose few weights ask for gigabytes of feature maps."""
    spec = padded_convs_spec(100)
    params = {"image": np.zeros((64, 64), np.float32)}
    for index in range(100):
        params[f"param/{index}.weight"] = np.zeros((8, 1 if index == 0 else 8, 1, 1), np.float32)
        params[f"param/{index}.bias"] = np.zeros(8, np.float32)
    npz = io.BytesIO()
    np.savez(npz, **params)

    def change(header: dict) -> None:
        header["image_shape"] = [64, 64]
        header["network"] = {"spec": spec, "input_shape": [1, 64, 64]}

    return session_members(folder, change, npz.getvalue())


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX named pipes")
def test_hostile_sessions_and_decks_are_refused(tmp_path: Path) -> None:
    good = session_members(tmp_path)
    deep_caption = good[0][1].replace(b'"caption": ""', b'"caption": ' + b"[" * 100_000 + b"]" * 100_000)
    npz_with_bad_header = zip_bytes([("image.npy", UNTERMINATED_NPY)])
    cases = {
        "header.cnnd": zip_bytes([good[0], ("arrays.npz", npz_with_bad_header)]),
        "format.cnnd": zip_bytes(session_members(tmp_path, lambda h: h.update(format="x" * 3_000_000))),
        "newline.cnnd": zip_bytes([*good, ("evil\nname", b"")]),
        "members.cnnd": many_members_zip(60_000),
        "zoom.cnnd": zip_bytes(session_members(tmp_path, lambda h: h.update(view_options={"zoom": 10**400}))),
        "player.cnnd": zip_bytes(session_members(tmp_path, lambda h: h.update(view_options={"player_layer": "x"}))),
        "maps.cnnd": zip_bytes(maps_session(tmp_path)),
        "bomb.cnnd": zeros_member_zip("session.json", 210 << 20),
        "deep.cnnd": zip_bytes([("session.json", deep_caption), good[1]]),
        "traversal.cnnd": zip_bytes([*good, ("../../outside.txt", b"x")]),
        "bomb.cnndeck": zeros_member_zip("deck.json", 210 << 20),
    }
    deck_header = json.dumps({"format": "cnn-desktop deck", "schema_version": 1, "app_version": "0", "sessions": 1})
    cases["nested.cnndeck"] = zip_bytes([("deck.json", deck_header.encode()), ("0001.cnnd", cases["zoom.cnnd"])])
    paths = {name: write(tmp_path, name, payload) for name, payload in cases.items()}
    paths["pipe.cnnd"] = fifo(tmp_path, "pipe.cnnd")
    autosave = tmp_path / "autosave"
    autosave.mkdir()
    write(autosave, "autosave.cnnd", cases["maps.cnnd"])
    loaders = [("load_deck" if name.endswith("deck") else "load_session", path) for name, path in paths.items()]
    report = run_cases(tmp_path, [*loaders, ("restore_autosave", autosave)])
    assert_refused(report, "header.cnnd", "is damaged")
    assert_refused(report, "format.cnnd", "not a cnn-desktop session")
    assert_refused(report, "newline.cnnd", "control characters")
    assert_refused(report, "members.cnnd", "archive directory is too large")
    assert_refused(report, "zoom.cnnd", "view option 'zoom' must be a number")
    assert_refused(report, "player.cnnd", "view option 'player_layer'")
    assert_refused(report, "maps.cnnd", "feature maps would hold over")
    assert_refused(report, "bomb.cnnd", "unpack to more than 200 MB")
    assert_refused(report, "deep.cnnd", "session.json is damaged")
    assert_refused(report, "traversal.cnnd", "unsafe name")
    assert_refused(report, "bomb.cnndeck", "unpack to more than 200 MB")
    assert_refused(report, "nested.cnndeck", "session 1 (0001.cnnd): view option 'zoom'")
    assert_refused(report, "pipe.cnnd", "not a regular file")
    assert_refused(report, "autosave", "could not be restored and was discarded")
    assert not (tmp_path / "outside.txt").exists() and not (tmp_path.parent / "outside.txt").exists()
    assert not (autosave / "autosave.cnnd").exists()


# ----------------------------------------------------------------------------------------------- IDX, pictures
@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX named pipes")
def test_hostile_idx_files_and_pictures_are_refused(tmp_path: Path) -> None:
    bomb = io.BytesIO()
    with gzip.GzipFile(fileobj=bomb, mode="wb", compresslevel=1, mtime=0) as stream:
        block = bytes(1 << 20)
        for _ in range(110):
            stream.write(block)
    dims = struct.pack(">HBB", 0, 8, 255) + struct.pack(">255I", *([0xFFFFFFFF] * 255))
    svg = (
        b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="8" height="8">'
        b'<image href="file:///etc/hosts" width="8" height="8"/></svg>'
    )
    png = b"\x89PNG\r\n\x1a\n" + bytes(40)
    cases = {
        "bomb-idx3-ubyte.gz": bomb.getvalue(),
        "dims-idx3-ubyte": dims,
        "cut-idx3-ubyte.gz": gzip.compress(dims)[:20],
        "svg.png": svg,
        "png.jpg": png,
        "noname": png,
    }
    paths = {name: write(tmp_path, name, payload) for name, payload in cases.items()}
    paths["pipe-idx1-ubyte"] = fifo(tmp_path, "pipe-idx1-ubyte")
    paths["pipe.png"] = fifo(tmp_path, "pipe.png")
    picture = ("svg.png", "png.jpg", "noname", "pipe.png")
    report = run_cases(tmp_path, [("read_picture" if n in picture else "read_idx", p) for n, p in paths.items()])
    assert_refused(report, "bomb-idx3-ubyte.gz", "inflates to more than 100 MB")
    assert_refused(report, "dims-idx3-ubyte", "impossibly large")
    assert_refused(report, "cut-idx3-ubyte.gz", "truncated gzip data")
    assert_refused(report, "pipe-idx1-ubyte", "not a regular file")
    assert_refused(report, "svg.png", "not a PNG, JPEG or BMP picture")
    assert_refused(report, "png.jpg", "holds a PNG picture but is named .jpg")
    assert_refused(report, "noname", "has no extension")
    assert_refused(report, "pipe.png", "not a regular file")


def test_overflowed_values_are_written_not_raised() -> None:
    """Finite float32 weights can still overflow in a forward pass; the cells then read inf or nan."""
    from cnn_desktop.number_text import format_value

    assert [format_value(v) for v in (np.float32("inf"), -np.inf, np.nan, 3e38, 2.5)] == [
        "inf",
        "-inf",
        "nan",
        "3e+38",
        "2.5",
    ]
