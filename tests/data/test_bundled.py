"""The bundled MNIST subset, and loading digit sets by source name or folder."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from cnn_desktop.data import datasets, download
from cnn_desktop.data.datasets import (
    DatasetError,
    Digits,
    load_bundled,
    load_digits,
    load_folder,
    load_full,
)
from cnn_desktop.data.idx import IdxError, write_idx


@pytest.fixture(scope="module")
def bundled() -> Digits:
    return load_bundled()


def test_split_sizes_and_per_class_counts(bundled: Digits) -> None:
    assert bundled.train_images.shape == (4000, 28, 28)
    assert bundled.test_images.shape == (1000, 28, 28)
    assert bundled.num_train == 4000 and bundled.num_test == 1000
    assert np.bincount(bundled.train_labels, minlength=10).tolist() == [400] * 10
    assert np.bincount(bundled.test_labels, minlength=10).tolist() == [100] * 10


def test_dtypes_and_range(bundled: Digits) -> None:
    for images in (bundled.train_images, bundled.test_images):
        assert images.dtype == np.float32
        assert images.min() == 0.0 and images.max() == 1.0
    for labels in (bundled.train_labels, bundled.test_labels):
        assert labels.dtype == np.int64
        assert labels.min() == 0 and labels.max() == 9


def test_ink_is_one_background_is_zero(bundled: Digits) -> None:
    images = bundled.train_images
    # MNIST digits are centred: the border is background (0), the centre holds ink (near 1).
    border = np.concatenate([images[:, 0], images[:, -1], images[:, :, 0], images[:, :, -1]])
    assert border.mean() < 0.01
    assert images[:, 10:18, 10:18].mean() > 0.3
    assert 0.08 < images.mean() < 0.2  # mostly background; MNIST's mean is about 0.13
    assert (images.max(axis=(1, 2)) == 1.0).mean() > 0.8  # most digits have full-ink pixels


def test_shuffled_not_sorted_by_class(bundled: Digits) -> None:
    for labels in (bundled.train_labels, bundled.test_labels):
        assert (np.diff(labels) != 0).mean() > 0.5


def test_train_and_test_disjoint(bundled: Digits) -> None:
    train = {image.tobytes() for image in bundled.train_images}
    test = {image.tobytes() for image in bundled.test_images}
    assert len(train) == 4000 and len(test) == 1000
    assert not train & test


def test_arrays_are_read_only(bundled: Digits) -> None:
    with pytest.raises(ValueError):
        bundled.train_images[0, 0, 0] = 1.0
    with pytest.raises(ValueError):
        bundled.test_labels[0] = 3


def test_load_digits_bundled_keyword() -> None:
    digits = load_digits("bundled")
    assert digits.num_train == 4000 and "bundled" in digits.name


def _write_folder(folder: Path, compress: bool, n_train: int = 6, n_test: int = 4) -> None:
    rng = np.random.default_rng(1)
    folder.mkdir(parents=True, exist_ok=True)
    suffix = ".gz" if compress else ""
    for prefix, n in (("train", n_train), ("t10k", n_test)):
        images = rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8)
        labels = rng.integers(0, 10, size=n, dtype=np.uint8)
        write_idx(folder / f"{prefix}-images-idx3-ubyte{suffix}", images, compress)
        write_idx(folder / f"{prefix}-labels-idx1-ubyte{suffix}", labels, compress)


@pytest.mark.parametrize("compress", [True, False])
def test_load_folder(tmp_path: Path, compress: bool) -> None:
    _write_folder(tmp_path, compress)
    for digits in (load_folder(tmp_path), load_digits(str(tmp_path))):
        assert digits.train_images.shape == (6, 28, 28)
        assert digits.test_labels.shape == (4,)
        assert str(tmp_path) in digits.name


def test_load_folder_missing_file_names_folder_and_file(tmp_path: Path) -> None:
    _write_folder(tmp_path, compress=True)
    (tmp_path / "t10k-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(DatasetError) as info:
        load_folder(tmp_path)
    assert str(tmp_path) in str(info.value)
    assert "t10k-labels-idx1-ubyte" in str(info.value)


def test_load_folder_not_a_folder(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="not a folder"):
        load_folder(tmp_path / "nowhere")


def test_load_folder_bad_file(tmp_path: Path) -> None:
    _write_folder(tmp_path, compress=False)
    (tmp_path / "train-images-idx3-ubyte").write_bytes(b"\x00\x00\x08\x03junk")
    with pytest.raises(IdxError, match="^train-images-idx3-ubyte: "):
        load_folder(tmp_path)


def test_full_not_downloaded_says_download_first(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(download, "default_folder", lambda: tmp_path / "cache")
    with pytest.raises(DatasetError, match="download it first"):
        load_digits("full")
    with pytest.raises(DatasetError, match="download it first"):
        load_full()


def test_full_loads_from_verified_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _write_folder(tmp_path, compress=True)
    monkeypatch.setattr(download, "full_mnist_available", lambda folder: True)
    digits = load_full(tmp_path)
    assert digits.num_train == 6 and "full" in digits.name


def test_digits_validates_shapes() -> None:
    images = np.zeros((2, 28, 28), np.float32)
    with pytest.raises(ValueError, match="labels"):
        Digits(images, np.zeros(3, np.int64), images, np.zeros(2, np.int64), "x")
    with pytest.raises(ValueError, match="images"):
        Digits(images[:, :5], np.zeros(2, np.int64), images, np.zeros(2, np.int64), "x")


def test_bundled_files_listed() -> None:
    assert datasets.BUNDLED_FILES[0] == "train-images-idx3-ubyte.gz"


def test_loaded_digits_are_read_only_so_one_copy_can_be_shared():
    from cnn_desktop.data.datasets import load_bundled

    digits = load_bundled()  # the app shares one copy through its DigitLibrary (tests/state)
    assert not any(array.flags.writeable for array in (digits.train_images, digits.test_labels))
