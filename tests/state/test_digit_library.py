"""DigitLibrary: every digit set read once, shared read-only, and the one first test digit."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from cnn_desktop.data import datasets
from cnn_desktop.state.digit_library import MAX_OTHER_SETS, DigitLibrary
from cnn_desktop.state.digit_ref import DigitRef


@pytest.fixture
def counted_loads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record every set read from disk; "bundled" is real, any other source a copy of it."""
    loads: list[str] = []
    real = datasets.load_digits
    bundled = real("bundled")

    def load(source):
        loads.append(source)
        return bundled if source == "bundled" else datasets.Digits(*(bundled.__dict__[k] for k in KEYS), str(source))

    monkeypatch.setattr(datasets, "load_digits", load)
    return loads


KEYS = ("train_images", "train_labels", "test_images", "test_labels")


def test_a_set_is_read_once_and_shared_read_only(counted_loads: list[str]) -> None:
    library = DigitLibrary()
    assert library.loaded("bundled") is None
    first = library.get("bundled")
    assert library.get("bundled") is first and library.loaded("bundled") is first
    assert counted_loads == ["bundled"]
    with pytest.raises(ValueError):
        first.test_images[0, 0, 0] = 1  # read-only: nobody can change what others see


def test_two_threads_asking_at_once_read_the_set_once(counted_loads: list[str]) -> None:
    library = DigitLibrary()
    results = []
    threads = [threading.Thread(target=lambda: results.append(library.get("full"))) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert counted_loads == ["full"] and all(result is results[0] for result in results)


def test_the_oldest_other_set_goes_but_the_bundled_one_stays(counted_loads: list[str]) -> None:
    library = DigitLibrary()
    library.get("bundled")
    folders = [f"/digits/{n}" for n in range(MAX_OTHER_SETS + 1)]
    for folder in folders:
        library.get(folder)
    assert library.loaded("bundled") is not None
    assert library.loaded(folders[0]) is None and library.loaded(folders[-1]) is not None


def test_the_first_test_digit_names_itself() -> None:
    image, digit = DigitLibrary().first_test_digit()
    bundled = datasets.load_bundled()
    np.testing.assert_array_equal(image, bundled.test_images[0])
    assert digit == DigitRef("bundled", "test", 0, int(bundled.test_labels[0]))
    image[0, 0] = 1  # a copy: the caller may edit it


def test_no_first_digit_when_the_bundled_set_is_unreadable(monkeypatch: pytest.MonkeyPatch) -> None:
    def unreadable():
        raise datasets.DatasetError("the bundled MNIST file is missing")

    monkeypatch.setattr(datasets, "load_bundled", unreadable)
    library = DigitLibrary()
    assert library.first_test_digit() is None
    with pytest.raises(datasets.DatasetError):
        library.get("bundled")
