"""The digit sets the app trains and tests on: bundled subset, full MNIST, or any MNIST folder.

Every loader returns a :class:`Digits` whose arrays are read-only, so one instance can be
shared by the UI and a training thread without copies or surprises.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..paths import resource_path
from . import download
from .idx import IMAGE_SIDE, load_images_labels

__all__ = [
    "BUNDLED_FILES",
    "FILE_STEMS",
    "DatasetError",
    "Digits",
    "load_bundled",
    "load_digits",
    "load_folder",
    "load_full",
]

#: Standard MNIST file names without ``.gz``, in the order train images, train labels,
#: test images, test labels.
FILE_STEMS: tuple[str, str, str, str] = (
    "train-images-idx3-ubyte",
    "train-labels-idx1-ubyte",
    "t10k-images-idx3-ubyte",
    "t10k-labels-idx1-ubyte",
)

#: The files of the bundled subset under ``resources/mnist/``.
BUNDLED_FILES: tuple[str, ...] = tuple(stem + ".gz" for stem in FILE_STEMS)


class DatasetError(ValueError):
    """A digit source cannot be loaded (missing folder or file, full MNIST not downloaded).

    Malformed files raise :class:`~cnn_desktop.data.idx.IdxError`, also a ``ValueError``.
    """


@dataclass(frozen=True, eq=False)
class Digits:
    """A train/test split of 28x28 digit images.

    Images are float32 ``(N, 28, 28)`` in [0, 1], 0 = background, 1 = ink; labels are int64
    ``(N,)`` in 0-9. ``name`` is a short human-readable description for the UI.
    The arrays are made read-only: copy them before changing them.
    """

    train_images: np.ndarray
    train_labels: np.ndarray
    test_images: np.ndarray
    test_labels: np.ndarray
    name: str

    def __post_init__(self) -> None:
        for images, labels, part in (
            (self.train_images, self.train_labels, "training"),
            (self.test_images, self.test_labels, "test"),
        ):
            if images.ndim != 3 or images.shape[1:] != (IMAGE_SIDE, IMAGE_SIDE):
                raise ValueError(f"{part} images must be (N, 28, 28), got {images.shape}")
            if labels.shape != (images.shape[0],):
                raise ValueError(f"{part} labels must be ({images.shape[0]},), got {labels.shape}")
        for array in (self.train_images, self.train_labels, self.test_images, self.test_labels):
            array.setflags(write=False)

    @property
    def num_train(self) -> int:
        """Number of training digits."""
        return int(self.train_images.shape[0])

    @property
    def num_test(self) -> int:
        """Number of test digits."""
        return int(self.test_images.shape[0])


def _bundled_file(name: str) -> Path:
    """Path of a bundled MNIST file (see :func:`cnn_desktop.paths.resource_path`)."""
    path = resource_path("mnist", name)
    if not path.is_file():
        raise DatasetError(f"the bundled MNIST file {name} is missing from this installation")
    return path


def _digits_from(paths: Sequence[Path], name: str) -> Digits:
    """Load train images/labels, test images/labels (in that order) into a read-only Digits.

    Each call reads the files; the app keeps one copy of every set it loaded in its
    :class:`~cnn_desktop.state.digit_library.DigitLibrary`.
    """
    train_images, train_labels = load_images_labels(paths[0], paths[1])
    test_images, test_labels = load_images_labels(paths[2], paths[3])
    return Digits(train_images, train_labels, test_images, test_labels, name)


def load_bundled() -> Digits:
    """The 5,000-digit MNIST subset shipped with the app: 4,000 training, 1,000 test.

    Loads in a fraction of a second and needs no network; see ``resources/mnist/README.md``.
    """
    paths = [_bundled_file(name) for name in BUNDLED_FILES]
    return _digits_from(paths, "MNIST subset (bundled, 4,000 train / 1,000 test)")


def _find_in_folder(folder: Path, stem: str) -> Path:
    """The file for ``stem`` in ``folder``: gzip or raw, standard or ``train-images.idx3-ubyte``
    naming (a common re-upload variant)."""
    dotted = stem.replace("-idx", ".idx")
    for candidate in (stem + ".gz", stem, dotted + ".gz", dotted):
        path = folder / candidate
        if path.is_file():
            return path
    raise DatasetError(f"the MNIST folder {folder} has no {stem} (nor {stem}.gz)")


def load_folder(path: str | os.PathLike[str]) -> Digits:
    """Load a folder holding the four standard MNIST IDX files, gzipped or not.

    Raises :class:`DatasetError` naming the folder and the missing file, or
    :class:`~cnn_desktop.data.idx.IdxError` naming a malformed file.
    """
    folder = Path(path).expanduser()
    if not folder.is_dir():
        raise DatasetError(f"{folder} is not a folder")
    paths = [_find_in_folder(folder, stem) for stem in FILE_STEMS]
    return _digits_from(paths, f"MNIST from {folder}")


def load_full(folder: str | os.PathLike[str] | None = None) -> Digits:
    """The full MNIST (60,000 training, 10,000 test) from the download cache folder.

    Raises :class:`DatasetError` if it has not been downloaded (and verified) yet.
    """
    folder = download.default_folder() if folder is None else Path(folder)
    if not download.full_mnist_available(folder):
        raise DatasetError(
            f"the full MNIST is not in {folder} yet: download it first "
            "(in the app, or with: python -m cnn_desktop.data.download)"
        )
    digits = load_folder(folder)
    return Digits(
        digits.train_images,
        digits.train_labels,
        digits.test_images,
        digits.test_labels,
        "MNIST (full, 60,000 train / 10,000 test)",
    )


def load_digits(source: str | os.PathLike[str]) -> Digits:
    """Load digits by source: ``"bundled"``, ``"full"`` (downloaded MNIST) or a folder path.

    The two keywords win over folders of the same name; pass ``"./full"`` for such a folder.
    """
    if isinstance(source, str):
        keyword = source.strip().lower()
        if keyword == "bundled":
            return load_bundled()
        if keyword == "full":
            return load_full()
    return load_folder(source)
