"""Preparing a drawing like MNIST: hand-made images whose answers are known without the code."""

import numpy as np
import pytest

from cnn_desktop.data.datasets import load_bundled
from cnn_desktop.digits import mnist_centre, prepare_like_mnist


def centre_of_mass(image: np.ndarray) -> tuple[float, float]:
    rows, cols = np.indices(image.shape)
    mass = image.sum()
    return float((rows * image).sum() / mass), float((cols * image).sum() / mass)


def ink_box(image: np.ndarray, level: float = 0.0) -> tuple[int, int, int, int]:
    rows = np.flatnonzero((image > level).any(axis=1))
    cols = np.flatnonzero((image > level).any(axis=0))
    return int(rows[0]), int(cols[0]), int(rows[-1]), int(cols[-1])


def test_square_in_a_corner_is_scaled_to_20_pixels_and_centred_at_14_14():
    image = np.zeros((28, 28), np.float32)
    image[:5, :5] = 1.0
    prepared = prepare_like_mnist(image)
    assert prepared.shape == (28, 28) and prepared.dtype == np.float32
    row, col = centre_of_mass(prepared)
    assert abs(row - 14) < 0.5 and abs(col - 14) < 0.5
    assert row == pytest.approx(14, abs=1e-3) and col == pytest.approx(14, abs=1e-3)
    # 20x20 of full ink: the mass of a 20-pixel square, its middle full, its edges half a pixel off
    assert prepared.sum() == pytest.approx(400, abs=1e-3)
    assert prepared[5:24, 5:24].min() == pytest.approx(1.0)
    assert ink_box(prepared) == (4, 4, 24, 24)
    assert prepared[4, 10] == pytest.approx(0.5, abs=1e-3) and prepared[24, 10] == pytest.approx(0.5, abs=1e-3)


def test_aspect_ratio_is_kept():
    image = np.zeros((28, 28), np.float32)
    image[3:13, 20:25] = 1.0  # 10 tall, 5 wide
    prepared = prepare_like_mnist(image)
    full = prepared > 0.999
    top, left, bottom, right = ink_box(full.astype(np.float32))
    # scaled by 2: 20 tall and 10 wide, less the half-covered edge pixels of the sub-pixel shift
    assert bottom - top + 1 in (19, 20) and right - left + 1 in (9, 10)
    assert prepared.sum() == pytest.approx(200, abs=1e-3)
    assert centre_of_mass(prepared) == pytest.approx((14, 14), abs=1e-3)


def test_large_drawing_is_shrunk_with_anti_aliasing():
    image = np.zeros((28, 28), np.float32)
    image[0:28, 10:12] = 1.0  # a bar 28 tall, 2 wide: shrunk by 20/28
    prepared = prepare_like_mnist(image)
    assert prepared.sum() == pytest.approx(2 * 28 * (20 / 28) ** 2, abs=1e-3)
    partial = (prepared > 0.01) & (prepared < 0.99)
    assert partial.any()  # grey edges, not a hard 0/1 copy


def test_output_of_another_size_fits_the_same_fraction():
    image = np.zeros((16, 16), np.float32)
    image[2:6, 9:11] = 1.0  # 4 tall, 2 wide
    prepared = prepare_like_mnist(image, out_shape=(56, 56))
    assert prepared.shape == (56, 56)
    assert prepared.sum() == pytest.approx(40 * 20, abs=1e-2)  # 40 = 20/28 of 56 tall, 20 wide
    assert centre_of_mass(prepared) == pytest.approx((mnist_centre(56), mnist_centre(56)), abs=1e-3)
    assert mnist_centre(56) == 28


def test_grey_values_are_kept_where_the_ink_is_uniform():
    image = np.zeros((28, 28), np.float32)
    image[10:15, 10:15] = 0.4
    prepared = prepare_like_mnist(image)
    assert prepared.max() == pytest.approx(0.4, abs=1e-6)


def test_mnist_digits_barely_change():
    digits = load_bundled()
    images = digits.test_images[:50]
    prepared = np.stack([prepare_like_mnist(image) for image in images])
    # MNIST digits are already prepared (to the nearest pixel), so the mean change is small
    assert np.abs(prepared - images).mean() < 0.04
    assert np.abs(prepared.sum(axis=(1, 2)) / images.sum(axis=(1, 2)) - 1).max() < 0.1


@pytest.mark.parametrize(
    ("image", "message"),
    [
        (np.zeros((28, 28)), "empty"),
        (np.full((28, 28), np.nan), "NaN"),
        (np.pad(np.array([[np.inf]]), 3), "NaN or infinite"),
        (np.ones((2, 28, 28)), "2-D"),
        (np.zeros((0, 5)), "2-D"),
        (np.full((5, 5), 255.0), "divide 0-255 images by 255"),
        (np.full((5, 5), -0.5), "from 0"),
        ("a digit", "numbers"),
    ],
)
def test_bad_images_are_refused_with_a_clear_message(image, message):
    with pytest.raises(ValueError, match=message):
        prepare_like_mnist(image)


def test_nan_next_to_ink_is_refused():
    image = np.zeros((28, 28))
    image[5:10, 5:10] = 1
    image[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        prepare_like_mnist(image)


@pytest.mark.parametrize("shape", [(1, 28), (28,), "big", (5000, 5000)])
def test_bad_output_shapes_are_refused(shape):
    with pytest.raises(ValueError, match="output"):
        prepare_like_mnist(np.ones((4, 4)), out_shape=shape)
