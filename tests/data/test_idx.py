"""IDX reading and writing: round trips, and every kind of bad file raising a clear IdxError."""

from __future__ import annotations

import gzip
import struct
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from cnn_desktop.data.idx import IdxError, load_images_labels, read_idx, write_idx


def _raw_idx(code: int, dims: tuple[int, ...], payload: bytes) -> bytes:
    return struct.pack(f">HBB{len(dims)}I", 0, code, len(dims), *dims) + payload


def _digits(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8)
    labels = rng.integers(0, 10, size=n, dtype=np.uint8)
    return images, labels


@pytest.mark.parametrize("compress", [True, False])
def test_round_trip_mnist_arrays(tmp_path: Path, compress: bool) -> None:
    images, labels = _digits(7)
    write_idx(tmp_path / "img", images, compress=compress)
    write_idx(tmp_path / "lab", labels, compress=compress)
    assert ((tmp_path / "img").read_bytes()[:2] == b"\x1f\x8b") is compress

    back = read_idx(tmp_path / "img")
    assert back.dtype == np.uint8 and back.shape == (7, 28, 28)
    np.testing.assert_array_equal(back, images)
    np.testing.assert_array_equal(read_idx(tmp_path / "lab"), labels)
    assert back.flags.writeable

    x, y = load_images_labels(tmp_path / "img", tmp_path / "lab")
    assert x.dtype == np.float32 and x.shape == (7, 28, 28)
    assert y.dtype == np.int64 and y.shape == (7,)
    np.testing.assert_allclose(x, images / 255.0, rtol=1e-6)
    np.testing.assert_array_equal(y, labels)


def test_header_is_standard_mnist(tmp_path: Path) -> None:
    images, labels = _digits(3)
    write_idx(tmp_path / "img", images, compress=False)
    write_idx(tmp_path / "lab", labels, compress=False)
    assert (tmp_path / "img").read_bytes()[:16] == struct.pack(">IIII", 0x803, 3, 28, 28)
    assert (tmp_path / "lab").read_bytes()[:8] == struct.pack(">II", 0x801, 3)


def test_pixel_scale_background_zero_ink_one(tmp_path: Path) -> None:
    images = np.zeros((1, 28, 28), dtype=np.uint8)
    images[0, 10:18, 14] = 255
    write_idx(tmp_path / "img", images, compress=True)
    write_idx(tmp_path / "lab", np.array([1], dtype=np.uint8), compress=True)
    x, _ = load_images_labels(tmp_path / "img", tmp_path / "lab")
    assert x[0, 0, 0] == 0.0 and x[0, 12, 14] == 1.0


@pytest.mark.parametrize("dtype", ["i1", "i2", "i4", "f4", "f8"])
def test_round_trip_other_idx_types(tmp_path: Path, dtype: str) -> None:
    array = (np.arange(24).reshape(2, 3, 4) - 5).astype(dtype)
    write_idx(tmp_path / "a", array, compress=False)
    back = read_idx(tmp_path / "a")
    assert back.dtype == np.dtype(dtype) and back.dtype.isnative
    np.testing.assert_array_equal(back, array)


def test_gzip_detected_from_content_not_name(tmp_path: Path) -> None:
    _, labels = _digits(5)
    write_idx(tmp_path / "looks-raw", labels, compress=True)
    write_idx(tmp_path / "looks.gz", labels, compress=False)
    np.testing.assert_array_equal(read_idx(tmp_path / "looks-raw"), labels)
    np.testing.assert_array_equal(read_idx(tmp_path / "looks.gz"), labels)


def test_gzip_output_is_deterministic(tmp_path: Path) -> None:
    images, _ = _digits(4)
    write_idx(tmp_path / "a.gz", images, compress=True)
    write_idx(tmp_path / "b.gz", images, compress=True)
    assert (tmp_path / "a.gz").read_bytes() == (tmp_path / "b.gz").read_bytes()


def test_write_is_atomic_and_leaves_no_temp_file(tmp_path: Path) -> None:
    target = tmp_path / "a"
    target.write_bytes(b"old")
    with pytest.raises(ValueError, match="cannot store"):
        write_idx(target, np.zeros(3, dtype=np.uint64), compress=False)
    assert target.read_bytes() == b"old"
    write_idx(target, np.zeros(3, dtype=np.uint8), compress=False)
    assert [p.name for p in tmp_path.iterdir()] == ["a"]


def test_bad_magic(tmp_path: Path) -> None:
    path = tmp_path / "train-images-idx3-ubyte"
    path.write_bytes(b"\x12\x34\x08\x01" + b"\x00" * 20)
    with pytest.raises(IdxError, match=r"^train-images-idx3-ubyte: not an IDX file: bad magic"):
        read_idx(path)


def test_unknown_type_code(tmp_path: Path) -> None:
    path = tmp_path / "x"
    path.write_bytes(_raw_idx(0x07, (2,), b"\x00\x00"))
    with pytest.raises(IdxError, match="unknown IDX data type code 0x07"):
        read_idx(path)


def test_truncated_payload_message(tmp_path: Path) -> None:
    path = tmp_path / "train-images-idx3-ubyte.gz"
    path.write_bytes(gzip.compress(_raw_idx(0x08, (60000, 28, 28), b"\x00" * 1000)))
    with pytest.raises(IdxError) as info:
        read_idx(path)
    assert str(info.value) == ("train-images-idx3-ubyte.gz: truncated: expected 47040000 bytes of pixels, found 1000")
    assert info.value.path == path


def test_truncated_header_and_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "x"
    path.write_bytes(b"\x00\x00\x08\x03\x00\x00\x00\x01")
    with pytest.raises(IdxError, match="truncated header"):
        read_idx(path)
    path.write_bytes(b"")
    with pytest.raises(IdxError, match="too short"):
        read_idx(path)


def test_impossibly_large_dimensions(tmp_path: Path) -> None:
    path = tmp_path / "x"
    # A zero dimension makes the payload empty, yet the shape is beyond what NumPy can hold.
    path.write_bytes(_raw_idx(0x08, (0, 2**21, 2**21, 2**21), b""))
    with pytest.raises(IdxError, match="impossibly large"):
        read_idx(path)


def test_trailing_bytes(tmp_path: Path) -> None:
    path = tmp_path / "lab"
    path.write_bytes(_raw_idx(0x08, (3,), b"\x01\x02\x03\x04"))
    with pytest.raises(IdxError, match="1 unexpected bytes after the 3 bytes of labels"):
        read_idx(path)


def test_truncated_gzip_stream(tmp_path: Path) -> None:
    images, _ = _digits(20)
    write_idx(tmp_path / "img.gz", images, compress=True)
    data = (tmp_path / "img.gz").read_bytes()
    (tmp_path / "img.gz").write_bytes(data[: len(data) // 2])
    with pytest.raises(IdxError, match="^img.gz: corrupt or truncated gzip"):
        read_idx(tmp_path / "img.gz")


@pytest.mark.parametrize(
    ("array", "problem"),
    [
        (np.zeros((3, 28), dtype=np.uint8), "3 dimensions"),
        (np.zeros((3, 27, 28), dtype=np.uint8), "expected 28x28 images, got 27x28"),
        (np.zeros((3, 28, 28), dtype=np.float32), "expected uint8 images"),
    ],
)
def test_wrong_image_dimensions_or_type(tmp_path: Path, array: np.ndarray, problem: str) -> None:
    write_idx(tmp_path / "img", array, compress=False)
    write_idx(tmp_path / "lab", np.zeros(3, dtype=np.uint8), compress=False)
    with pytest.raises(IdxError, match=f"^img: .*{problem}"):
        load_images_labels(tmp_path / "img", tmp_path / "lab")


def test_labels_must_be_1d_uint8(tmp_path: Path) -> None:
    images, _ = _digits(3)
    write_idx(tmp_path / "img", images, compress=False)
    write_idx(tmp_path / "lab", np.zeros((3, 1), dtype=np.uint8), compress=False)
    with pytest.raises(IdxError, match="^lab: expected uint8 labels with 1 dimension"):
        load_images_labels(tmp_path / "img", tmp_path / "lab")
    # Swapped files: images given as labels.
    with pytest.raises(IdxError, match="^lab: expected uint8 images"):
        load_images_labels(tmp_path / "lab", tmp_path / "img")


def test_count_mismatch(tmp_path: Path) -> None:
    images, labels = _digits(5)
    write_idx(tmp_path / "img", images, compress=True)
    write_idx(tmp_path / "lab", labels[:4], compress=True)
    with pytest.raises(IdxError, match="^lab: holds 4 labels but img holds 5 images"):
        load_images_labels(tmp_path / "img", tmp_path / "lab")


def test_labels_out_of_range(tmp_path: Path) -> None:
    images, labels = _digits(5)
    labels[3] = 10
    write_idx(tmp_path / "img", images, compress=False)
    write_idx(tmp_path / "lab", labels, compress=False)
    with pytest.raises(IdxError, match="label 10 at index 3 is outside 0-9"):
        load_images_labels(tmp_path / "img", tmp_path / "lab")


def test_empty_sets_are_valid(tmp_path: Path) -> None:
    write_idx(tmp_path / "img", np.zeros((0, 28, 28), dtype=np.uint8), compress=True)
    write_idx(tmp_path / "lab", np.zeros(0, dtype=np.uint8), compress=True)
    x, y = load_images_labels(tmp_path / "img", tmp_path / "lab")
    assert x.shape == (0, 28, 28) and y.shape == (0,)


_junk = st.one_of(
    st.binary(max_size=64),
    # Plausible headers followed by junk, gzipped or not, to reach the deeper checks.
    st.builds(
        lambda code, dims, tail: _raw_idx(code, tuple(dims), tail),
        st.sampled_from([0x08, 0x09, 0x0B, 0x0C, 0x0D, 0x0E, 0x00, 0xFF]),
        st.lists(st.integers(0, 2**32 - 1) | st.integers(0, 4), max_size=4),
        st.binary(max_size=64),
    ),
).flatmap(lambda b: st.sampled_from([b, gzip.compress(b, mtime=0)]))
_junk = st.one_of(_junk, _junk.map(lambda b: b[: len(b) // 2]))


@settings(
    max_examples=150,
    deadline=None,
    database=None,  # write no .hypothesis folder into the checkout
    suppress_health_check=[HealthCheck.too_slow],
)
@given(data=_junk)
@example(data=_raw_idx(0x08, (0, 2**21, 2**21, 2**21), b""))
def test_junk_bytes_raise_only_idx_error(tmp_path_factory: pytest.TempPathFactory, data: bytes) -> None:
    path = tmp_path_factory.mktemp("junk") / "junk.idx"
    path.write_bytes(data)
    try:
        array = read_idx(path)
    except IdxError:
        return
    assert isinstance(array, np.ndarray)
    labels = path.with_name("labels")
    write_idx(labels, np.zeros(array.shape[0], np.uint8), compress=False)
    for images_file, labels_file in ((path, labels), (labels, path), (path, path)):
        try:
            load_images_labels(images_file, labels_file)
        except IdxError:
            pass
