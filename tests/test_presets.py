"""Kernel and image presets match the lecture; the grid transforms move, crop and scale pixels exactly."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cnn_desktop.engine import Network
from cnn_desktop.image_ops import crop_or_pad, invert_image, resample, shift_image
from cnn_desktop.image_presets import IMAGE_PRESETS, LECTURE_IMAGE, image_preset
from cnn_desktop.kernel_presets import (
    KERNEL_PRESET_TIPS,
    KERNEL_PRESETS,
    fill_with_preset,
    kernel_preset,
    random_kernel,
)
from cnn_desktop.number_text import parse_number, scale_text

SLIDES = json.loads((Path(__file__).parent / "data" / "slide_examples.json").read_text())
EXAMPLES = {example["name"]: example for example in SLIDES["examples"]}


def convolve_slide_image(scale: float, grid: np.ndarray) -> np.ndarray:
    """The lecture image through one 3x3 conv carrying ``scale * grid`` (no padding)."""
    net = Network.from_spec([{"type": "conv", "out_channels": 1, "kernel": 3}], (1, 7, 7))
    net.params["0.weight"][0, 0] = scale * grid
    return net.activations(LECTURE_IMAGE[None, None])[0][0, 0]


def test_the_lecture_image_is_the_slides_input_image() -> None:
    np.testing.assert_array_equal(LECTURE_IMAGE, np.array(SLIDES["input_image"], np.float32))
    np.testing.assert_array_equal(image_preset("Lecture 7x7 shape", 7), LECTURE_IMAGE)


@pytest.mark.parametrize(
    ("preset", "example"),
    [("Identity", "identity kernel, no padding"), ("Box blur", "box blur"), ("Horizontal edges", "horizontal edges")],
)
def test_kernel_presets_are_written_as_the_slides_write_them(preset: str, example: str) -> None:
    scale, grid = KERNEL_PRESETS[preset]
    slide = EXAMPLES[example]
    np.testing.assert_array_equal(grid, np.array(slide["kernel"], np.float32))
    assert scale == pytest.approx(float(Fraction(str(slide["scale"]))))
    assert scale_text(scale) == str(slide["scale"])


def test_the_presets_reproduce_the_slide_outputs() -> None:
    np.testing.assert_allclose(
        convolve_slide_image(*KERNEL_PRESETS["Horizontal edges"]), EXAMPLES["horizontal edges"]["output"]
    )
    box = convolve_slide_image(*KERNEL_PRESETS["Box blur"])
    np.testing.assert_allclose(box * 9, EXAMPLES["box blur"]["output_times_9"], atol=1e-5)


def test_every_named_kernel_is_3x3_with_the_textbook_weights() -> None:
    assert set(KERNEL_PRESETS) <= set(KERNEL_PRESET_TIPS)
    for scale, grid in KERNEL_PRESETS.values():
        assert grid.shape == (3, 3) and scale > 0
    gaussian_scale, gaussian = KERNEL_PRESETS["Gaussian blur"]
    assert gaussian_scale == 1 / 16 and (gaussian_scale * gaussian).sum() == pytest.approx(1)
    np.testing.assert_array_equal(KERNEL_PRESETS["Vertical edges"][1], KERNEL_PRESETS["Horizontal edges"][1].T)
    np.testing.assert_array_equal(KERNEL_PRESETS["Sobel y"][1], KERNEL_PRESETS["Sobel x"][1].T)
    np.testing.assert_array_equal(KERNEL_PRESETS["Sobel x"][1][1], [-2, 0, 2])
    for name in ("Laplacian", "Sobel x", "Horizontal edges", "Vertical edges"):
        assert KERNEL_PRESETS[name][1].sum() == 0, f"{name} must ignore flat areas"
    assert KERNEL_PRESETS["Sharpen"][1].sum() == 1
    with pytest.raises(ValueError):
        KERNEL_PRESETS["Identity"][1][0, 0] = 5  # shared presets are read-only


def test_kernel_preset_gives_copies_and_other_sizes_where_they_make_sense() -> None:
    scale, grid = kernel_preset("box blur", 3)
    grid[0, 0] = 7
    assert KERNEL_PRESETS["Box blur"][1][0, 0] == 1
    scale, grid = kernel_preset("Identity", 5)
    assert scale == 1 and grid[2, 2] == 1 and grid.sum() == 1
    scale, grid = kernel_preset("Box blur", 4)
    assert scale == pytest.approx(1 / 16) and (grid == 1).all()
    scale, grid = kernel_preset("Gaussian blur", 5)
    np.testing.assert_array_equal(grid[0], [1, 4, 6, 4, 1])
    assert (scale * grid).sum() == pytest.approx(1) and scale_text(scale) == "1/256"
    assert kernel_preset("Zero", 7)[1].shape == (7, 7)
    assert kernel_preset("Random", 5, np.random.default_rng(1))[1].shape == (5, 5)


@pytest.mark.parametrize(("name", "k", "words"), [("Sobel x", 5, "only as a 3x3"), ("Identity", 4, "odd size")])
def test_a_preset_without_a_k_by_k_form_says_so(name: str, k: int, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        kernel_preset(name, k)


def test_unknown_presets_and_sizes_are_refused_with_the_choices() -> None:
    with pytest.raises(ValueError, match="Box blur"):
        kernel_preset("blurry", 3)
    with pytest.raises(ValueError, match="kernel size"):
        kernel_preset("Zero", 0)
    with pytest.raises(ValueError, match="Checkerboard"):
        image_preset("circle", 7)


def test_random_kernels_are_reproducible_and_readable() -> None:
    first = random_kernel(3, np.random.default_rng(7))
    np.testing.assert_array_equal(first, random_kernel(3, np.random.default_rng(7)))
    np.testing.assert_allclose(first, np.round(first, 1))
    assert first.dtype == np.float32 and np.abs(first).max() > 0


@pytest.mark.parametrize("size", [5, 7, 28, 64, (9, 20)])
def test_image_presets_fit_any_grid(size) -> None:
    shape = (size, size) if isinstance(size, int) else size
    for name in IMAGE_PRESETS:
        image = image_preset(name, size)
        assert image.shape == shape and image.dtype == np.float32
        assert image.min() >= 0 and image.max() <= 1
        if name != "Blank":
            assert 0 < image.mean() < 0.7, name
    assert not image_preset("Blank", size).any()


def test_image_presets_draw_the_named_shapes() -> None:
    vertical = image_preset("Vertical bar", 7)
    assert vertical[:, 3].sum() == 5 and vertical.sum() == 5
    np.testing.assert_array_equal(image_preset("Horizontal bar", 7), vertical.T)
    np.testing.assert_array_equal(image_preset("Diagonal", 7), np.eye(7))
    checker = image_preset("Checkerboard", 28)
    assert checker[0, 0] == 0 and checker[0, 4] == 1 and checker[4, 4] == 0
    np.testing.assert_array_equal(image_preset("Lecture 7x7 shape", 28)[::4, ::4], LECTURE_IMAGE)


def test_resample_keeps_whole_factor_blocks_and_averages_when_shrinking() -> None:
    big = resample(LECTURE_IMAGE, (28, 28))
    np.testing.assert_array_equal(big, np.kron(LECTURE_IMAGE, np.ones((4, 4))))
    np.testing.assert_allclose(resample(big, (7, 7)), LECTURE_IMAGE)
    half = resample(np.kron(np.eye(2), np.ones((2, 2))), (2, 2))
    np.testing.assert_array_equal(half, np.eye(2))
    assert resample(np.full((5, 5), 0.3), (13, 8)) == pytest.approx(np.full((13, 8), 0.3))


@given(st.integers(1, 12), st.integers(1, 12), st.integers(1, 20), st.integers(1, 20), st.booleans())
def test_resample_gives_the_asked_shape_and_stays_in_range(h: int, w: int, new_h: int, new_w: int, smooth: bool):
    image = np.random.default_rng(h * 31 + w).random((h, w), dtype=np.float32)
    out = resample(image, (new_h, new_w), smooth=smooth)
    assert out.shape == (new_h, new_w) and out.dtype == np.float32
    assert out.min() >= image.min() - 1e-6 and out.max() <= image.max() + 1e-6


def test_crop_or_pad_centres_the_content() -> None:
    padded = crop_or_pad(LECTURE_IMAGE, (11, 9))
    assert padded.shape == (11, 9)
    np.testing.assert_array_equal(padded[2:9, 1:8], LECTURE_IMAGE)
    assert padded.sum() == LECTURE_IMAGE.sum()
    np.testing.assert_array_equal(crop_or_pad(LECTURE_IMAGE, (5, 5)), LECTURE_IMAGE[1:6, 1:6])


@given(st.integers(-8, 8), st.integers(-8, 8))
def test_shift_moves_every_pixel_and_lets_zeros_in(down: int, right: int) -> None:
    image = np.arange(1, 50, dtype=np.float32).reshape(7, 7)
    moved = shift_image(image, down, right)
    for r in range(7):
        for c in range(7):
            source = (r - down, c - right)
            expected = image[source] if 0 <= source[0] < 7 and 0 <= source[1] < 7 else 0
            assert moved[r, c] == expected


def test_invert_swaps_ink_and_background() -> None:
    np.testing.assert_array_equal(invert_image(LECTURE_IMAGE), 1 - LECTURE_IMAGE)
    assert invert_image(np.array([[0.25]]))[0, 0] == 0.75


@pytest.mark.parametrize(
    ("value", "text"), [(1 / 9, "1/9"), (1 / 16, "1/16"), (1.0, "1"), (-2.0, "-2"), (0.3, "0.3"), (0.4173, "0.4173")]
)
def test_scale_text_writes_factors_like_the_slides(value: float, text: str) -> None:
    assert scale_text(value) == text
    assert parse_number(text) == pytest.approx(value)


@pytest.mark.parametrize(
    ("text", "value"), [("0.5", 0.5), (" -2 ", -2.0), (",25", 0.25), ("1/9", 1 / 9), ("\u22121", -1)]
)
def test_parse_number_reads_what_people_type(text: str, value: float) -> None:
    assert parse_number(text) == pytest.approx(value)


@pytest.mark.parametrize(
    ("text", "words"), [("", "type a number"), ("abc", "not a number"), ("1/0", "divides by zero")]
)
def test_parse_number_explains_bad_text(text: str, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        parse_number(text)


def test_a_preset_fills_one_input_of_every_chosen_filter():
    weights = np.zeros((3, 2, 3, 3), np.float32)
    factors = fill_with_preset(weights, "box blur", 1, range(3), 0)
    assert factors == {0: pytest.approx(1 / 9), 1: pytest.approx(1 / 9), 2: pytest.approx(1 / 9)}
    np.testing.assert_allclose(weights[:, 1], np.full((3, 3, 3), 1 / 9, np.float32))
    assert not weights[:, 0].any()  # the other input channel is untouched
    fill_with_preset(weights, "Random", 0, range(3), 1, np.random.default_rng(5))
    first_draw = kernel_preset("Random", 3, np.random.default_rng(5))[1]
    np.testing.assert_array_equal(weights[1, 0], first_draw)  # the current filter gets the first draw
    assert not np.array_equal(weights[0, 0], weights[2, 0])
    with pytest.raises(ValueError):
        fill_with_preset(np.zeros((1, 1, 5, 5), np.float32), "Sobel x", 0, [0], 0)
