"""The built-in lesson replays the lecture: every scene reproduces the slides' numbers exactly, in order."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from cnn_desktop import lesson
from cnn_desktop.data import datasets
from cnn_desktop.deck_file import load_deck, save_deck
from cnn_desktop.engine import MNIST_SPEC, Network, Unit, weights_status
from cnn_desktop.lesson import (
    DEFAULT_VIEW_OPTIONS,
    SCENE_TITLES,
    Scene,
    builtin_scenes,
    caption_title,
    save_builtin_deck,
    scene_results,
    scenes_from_deck,
    view_options_for,
)
from cnn_desktop.session import Session
from cnn_desktop.session_file import check_view_options
from cnn_desktop.state.view_options import ViewOptionsError

SLIDES = json.loads((Path(__file__).parent / "data" / "slide_examples.json").read_text())
IMAGE = np.array(SLIDES["input_image"], dtype=np.float32)
EXAMPLES = {example["name"]: example for example in SLIDES["examples"]}
EDGES = EXAMPLES["horizontal edges"]

LECTURE_ORDER = [
    "Identity kernel, no padding",
    "Identity kernel, zero padding 1",
    "Box blur",
    "Horizontal edges",
    "Convolution layer",
    "A colour picture (depth 3)",
    "Max pooling",
    "Pooling again",
    "One pixel sees everything",
    "Before training",
    "After training",
]
IDENTITY, PADDING, BLUR, EDGE, CONV_LAYER, DEPTH, MAX_POOL, POOL_AGAIN, WHOLE_IMAGE, BEFORE, AFTER = range(11)


@pytest.fixture(scope="module")
def scenes() -> list[Scene]:
    return builtin_scenes()


@pytest.fixture(scope="module")
def results(scenes: list[Scene]) -> list:
    return [scene_results(scene) for scene in scenes]


def only_map(stage: np.ndarray) -> np.ndarray:
    """The single channel of a (1, H, W) stage."""
    assert stage.ndim == 3 and stage.shape[0] == 1
    return stage[0]


def mask_box(mask: np.ndarray) -> tuple[int, int, int, int]:
    """(top, left, bottom, right) of the True cells of a 2-D mask."""
    rows, cols = np.nonzero(mask)
    return int(rows.min()), int(cols.min()), int(rows.max()), int(cols.max())


# ----------------------------------------------------------------------------------------------- order
def test_scenes_follow_the_lecture_in_order(scenes: list[Scene]) -> None:
    assert [scene.title for scene in scenes] == LECTURE_ORDER == list(SCENE_TITLES)
    for scene in scenes:
        assert scene.caption.startswith(scene.title + ": ")
        assert "\n" not in scene.caption and len(scene.caption) > len(scene.title) + 20
        assert scene.session.caption == scene.caption
        assert caption_title(scene.caption) == scene.title


def test_the_lecture_scenes_use_the_slide_image(scenes: list[Scene]) -> None:
    for scene in scenes[:DEPTH] + scenes[DEPTH + 1 : BEFORE]:
        assert scene.session.image.dtype == np.float32
        np.testing.assert_array_equal(scene.session.image, IMAGE[None])
        assert scene.session.network.input_shape == (1, 7, 7)
        for name, array in scene.session.network.params.items():
            assert array.dtype == np.float32
            if name.endswith(".bias"):
                assert not array.any(), f"{scene.title}: {name} is not zero"


def test_each_call_gives_fresh_sessions(scenes: list[Scene]) -> None:
    again = builtin_scenes()
    again[IDENTITY].session.image[0, 3, 3] = 0.5
    again[IDENTITY].session.network.params["0.weight"][...] = 7
    again[IDENTITY].session.caption = "changed"
    np.testing.assert_array_equal(scenes[IDENTITY].session.image, IMAGE[None])
    third = builtin_scenes()[IDENTITY]
    np.testing.assert_array_equal(third.session.image, IMAGE[None])
    assert third.session.network.params["0.weight"].max() == 1
    assert third.view_options.player_position == 0


# ----------------------------------------------------------------------------------------------- the numbers
def test_identity_kernel_without_padding(scenes: list[Scene], results: list) -> None:
    example = EXAMPLES["identity kernel, no padding"]
    net = scenes[IDENTITY].session.network
    assert net.spec[0]["padding"] == 0 and len(net.layers) == 1
    np.testing.assert_array_equal(net.params["0.weight"][0, 0], example["kernel"])
    out = only_map(results[IDENTITY].stages[1])
    assert out.shape == (5, 5)
    np.testing.assert_array_equal(out, example["output"])
    assert "7x7 \u2192 5x5" in scenes[IDENTITY].caption
    options = scenes[IDENTITY].view_options
    assert (options.player_layer, options.player_position, options.player_channel) == (0, 0, 0)
    assert scenes[IDENTITY].session.selection == Unit(1, 0, 0, 0)


def test_identity_kernel_with_zero_padding_1(scenes: list[Scene], results: list) -> None:
    example = EXAMPLES["identity kernel, zero padding 1"]
    net = scenes[PADDING].session.network
    assert net.spec[0]["padding"] == 1
    np.testing.assert_array_equal(net.params["0.weight"][0, 0], example["kernel"])
    out = only_map(results[PADDING].stages[1])
    assert out.shape == (7, 7)
    np.testing.assert_array_equal(out, example["output"])
    np.testing.assert_array_equal(out, IMAGE)
    assert "zero padding" in results[PADDING].field.caption


def test_box_blur_is_one_ninth_and_nine_times_it_is_the_slide(scenes: list[Scene], results: list) -> None:
    example = EXAMPLES["box blur"]
    weight = scenes[BLUR].session.network.params["0.weight"]
    assert weight.dtype == np.float32
    np.testing.assert_array_equal(weight, np.full((1, 1, 3, 3), np.float32(1 / 9)))
    out = only_map(results[BLUR].stages[1])
    expected = np.array(example["output_times_9"], dtype=np.float32)
    # nine float32 products of 1/9 summed: equal to the slide up to float32 rounding
    np.testing.assert_allclose(out * 9, expected, rtol=0, atol=8 * np.finfo(np.float32).eps * expected.max())
    np.testing.assert_array_equal(np.rint(out * 9), expected)
    selected = scenes[BLUR].session.selection
    assert expected[selected.y, selected.x] == 9


def test_horizontal_edges_give_the_slide_output(scenes: list[Scene], results: list) -> None:
    np.testing.assert_array_equal(scenes[EDGE].session.network.params["0.weight"][0, 0], EDGES["kernel"])
    out = only_map(results[EDGE].stages[1])
    np.testing.assert_array_equal(out, EDGES["output"])
    assert {-2.0, -4.0} <= set(out.ravel().tolist())
    selected = scenes[EDGE].session.selection
    assert out[selected.y, selected.x] == -4


def test_conv_layer_stacks_three_kernels_after_relu(scenes: list[Scene], results: list) -> None:
    net = scenes[CONV_LAYER].session.network
    assert [entry["type"] for entry in net.spec] == ["conv", "relu"]
    weight = net.params["0.weight"]
    assert weight.shape == (3, 1, 3, 3)
    edges = np.array(EDGES["kernel"], np.float32)
    np.testing.assert_array_equal(weight[0, 0], edges)
    np.testing.assert_array_equal(weight[1, 0], edges.T)
    np.testing.assert_array_equal(weight[2, 0], np.full((3, 3), np.float32(1 / 9)))
    conv, relu = results[CONV_LAYER].stages[1:]
    assert relu.shape == (3, IMAGE.shape[0] - 2, IMAGE.shape[1] - 2) == (3, 5, 5)
    assert (relu >= 0).all()
    np.testing.assert_array_equal(conv[0], EDGES["output"])
    np.testing.assert_array_equal(relu[0], EDGES["after_relu"])
    np.testing.assert_array_equal(relu, np.maximum(conv, 0))
    for a in range(3):
        for b in range(a + 1, 3):
            assert not np.array_equal(relu[a], relu[b]), f"maps {a} and {b} are the same"
    assert "three" in scenes[CONV_LAYER].caption


def test_max_pooling_gives_1_3_1_3_and_the_selected_1_sees_16_pixels(scenes: list[Scene], results: list) -> None:
    example_field = EDGES["receptive_field_of_one_pooled_pixel"]
    net = scenes[MAX_POOL].session.network
    assert [entry["type"] for entry in net.spec] == ["conv", "relu", "maxpool"]
    assert (net.spec[2]["size"], net.spec[2]["stride"]) == (2, 2)
    result = results[MAX_POOL]
    conv, relu, pooled = (only_map(stage) for stage in result.stages[1:])
    np.testing.assert_array_equal(conv, EDGES["output"])
    np.testing.assert_array_equal(relu, EDGES["after_relu"])
    np.testing.assert_array_equal(pooled, EDGES["after_max_pool_2x2_stride_2"])
    np.testing.assert_array_equal(pooled, [[1, 3], [1, 3]])

    selection = scenes[MAX_POOL].session.selection
    assert selection.stage == 3 == len(net.layers)  # the max pool's output
    assert pooled[selection.y, selection.x] == 1
    seen = result.field.field[0][0]
    assert int(seen.sum()) == example_field["input_pixels"] == 16
    top, left, bottom, right = mask_box(seen)
    assert f"{bottom - top + 1}x{right - left + 1}" == example_field["box"] == "4x4"
    assert result.field.boxes[0] == (top, left, bottom, right)
    assert "16 input pixels" in result.field.caption
    options = scenes[MAX_POOL].view_options
    assert (options.player_layer, options.player_position) == (2, 0)


def test_pooling_again_as_on_the_slides_pools_the_lecture_map_to_one_pixel(scenes: list[Scene], results: list) -> None:
    result = results[POOL_AGAIN]
    np.testing.assert_array_equal(only_map(result.stages[3]), EDGES["after_max_pool_2x2_stride_2"])
    assert result.stages[4].shape == (1, 1, 1) and result.stages[4][0, 0, 0] == 3
    # Honest geometry: a 2x2 pool over the 5x5 map never reads its last row and column.
    seen = result.field.field[0][0]
    assert int(seen.sum()) == 36 and seen[:6, :6].all()
    assert result.field.boxes[0] == (0, 0, 5, 5)
    assert "36 of the 49" in scenes[POOL_AGAIN].caption


def test_overlapping_pools_give_one_pixel_that_sees_all_49_pixels(scenes: list[Scene], results: list) -> None:
    net = scenes[WHOLE_IMAGE].session.network
    assert [entry["type"] for entry in net.spec] == ["conv", "relu", "maxpool", "maxpool"]
    result = results[WHOLE_IMAGE]
    np.testing.assert_array_equal(only_map(result.stages[1]), EDGES["output"])
    np.testing.assert_array_equal(only_map(result.stages[2]), EDGES["after_relu"])
    assert result.stages[3].shape == (1, 2, 2)
    assert result.stages[-1].shape == (1, 1, 1)
    assert result.stages[-1][0, 0, 0] == np.max(EDGES["after_relu"])

    selection = scenes[WHOLE_IMAGE].session.selection
    assert selection == Unit(len(net.layers), 0, 0, 0)
    seen = result.field.field[0]
    assert seen.shape == (1, 7, 7) and seen.all() and int(seen.sum()) == 49
    assert result.field.boxes[0] == (0, 0, 6, 6)
    assert "49" in scenes[WHOLE_IMAGE].caption and "whole 7x7" in scenes[WHOLE_IMAGE].caption


def test_before_training_random_weights_misread_the_first_test_digit(scenes: list[Scene], results: list) -> None:
    scene = scenes[BEFORE]
    net = scene.session.network
    reference = Network.from_spec(MNIST_SPEC, (1, 28, 28), seed=0)
    assert net.spec == reference.spec and net.input_shape == (1, 28, 28)
    for name, array in reference.params.items():
        np.testing.assert_array_equal(net.params[name], array)
    digits = datasets.load_bundled()
    label = int(digits.test_labels[0])
    np.testing.assert_array_equal(scene.session.image, digits.test_images[0][None])
    assert scene.session.training_record is None
    probabilities = results[BEFORE].probabilities
    assert abs(float(probabilities.sum()) - 1) < 1e-5 and (probabilities >= 0).all()
    top = int(np.argmax(probabilities))
    assert top != label and probabilities.max() < 0.5  # a wrong guess, and not a sure one
    assert f"handwritten {label} as" in scene.caption
    assert f"{top} ({100 * probabilities[top]:.1f}%)" in scene.caption  # the caption quotes the app's numbers
    assert scene.view_options.player_layer is None and scene.view_options.kernel_layer == 0


def test_after_training_the_same_digit_is_read_right_and_sure(scenes: list[Scene], results: list) -> None:
    before, after = scenes[BEFORE], scenes[AFTER]
    np.testing.assert_array_equal(after.session.image, before.session.image)
    assert after.session.digit == before.session.digit and after.session.digit is not None
    assert after.session.network.spec == before.session.network.spec
    assert weights_status(after.session.network, after.session.training_record).kind == "trained"
    label = after.session.digit.label
    probabilities = results[AFTER].probabilities
    assert int(np.argmax(probabilities)) == label and probabilities[label] > 0.9
    assert probabilities[label] > 2 * results[BEFORE].probabilities.max()
    assert f"reads the {label} as a {label} ({100 * probabilities[label]:.1f}%)" in after.caption
    assert "draw" in after.caption


def test_the_digit_scenes_without_bundled_data_show_a_blank_grid(monkeypatch: pytest.MonkeyPatch) -> None:
    def unreadable() -> datasets.Digits:
        raise datasets.DatasetError("the bundled MNIST file t10k-images-idx3-ubyte.gz is missing")

    monkeypatch.setattr(datasets, "load_bundled", unreadable)
    scenes = builtin_scenes()
    assert [scene.title for scene in scenes] == LECTURE_ORDER
    for scene in scenes[BEFORE:]:
        assert scene.session.image.shape == (1, 28, 28) and not scene.session.image.any()
        assert "blank 28x28 grid" in scene.caption or "blank grid" in scene.caption
        assert scene_results(scene).probabilities.shape == (10,)


# ----------------------------------------------------------------------------------------------- selections, options
def test_every_selection_and_view_option_fits_its_network(scenes: list[Scene], results: list) -> None:
    for index, (scene, result) in enumerate(zip(scenes, results, strict=True)):
        session, options = scene.session, scene.view_options
        if index < BEFORE:
            assert session.selection is not None, scene.title
        assert session.valid_selection(session.selection) == session.selection, scene.title
        if session.selection is not None:
            assert result.field is not None and result.field.selection == session.selection
        assert options.scaling == "layer" and not options.extra
        assert check_view_options(options.to_json()) == options.to_json()
        assert view_options_for(session.network, options.to_json()) == options, scene.title
        if options.player_layer is not None:
            channels, height, width = session.network.shapes[options.player_layer]
            assert 0 <= options.player_position < height * width
            assert 0 <= options.player_channel < channels


def test_view_options_for_fills_in_and_repairs() -> None:
    net = builtin_scenes()[MAX_POOL].session.network
    assert view_options_for(net) == replace(DEFAULT_VIEW_OPTIONS, kernel_layer=0)
    repaired = view_options_for(
        net,
        {"player_layer": 1, "player_position": 9, "player_channel": 2, "kernel_layer": 2, "zoom": 2},
    )
    assert repaired == replace(DEFAULT_VIEW_OPTIONS, kernel_layer=0, zoom=2)  # a ReLU has no window to play
    kept = view_options_for(net, {"player_layer": 2, "player_position": 3, "scaling": "channel", "mine": 1})
    assert (kept.player_layer, kept.player_position, kept.scaling, kept.extra) == (2, 3, "channel", {"mine": 1})
    assert view_options_for(net, {"player_layer": 2, "player_position": 4}).player_position is None
    assert view_options_for(net, {"kernel_layer": None}).kernel_layer is None


@pytest.mark.parametrize(
    ("options", "match"),
    [
        ({"scaling": 3}, "'scaling' must be one of"),
        ({"zoom": "big"}, "'zoom' must be a number from 0.01 to 100"),
        ({"kernel_factor": "1/0"}, "kernel_factor"),
        ({"player_layer": -1}, "player_layer"),
        ({"player_channel": True}, "player_channel"),
    ],
)
def test_view_options_of_the_wrong_kind_are_refused_with_one_line(options: dict, match: str) -> None:
    net = builtin_scenes()[MAX_POOL].session.network
    with pytest.raises(ViewOptionsError, match=match) as error:
        view_options_for(net, options)
    assert "\n" not in str(error.value)


def test_caption_title_takes_the_first_clause() -> None:
    assert caption_title("Box blur: each output is the mean") == "Box blur"
    assert caption_title("Edges; then pooling") == "Edges"
    assert caption_title("Padding \u2014 keeps the size") == "Padding"
    assert caption_title("Weights of 0.5 each. Then more") == "Weights of 0.5 each"
    assert caption_title("  ") == ""
    long = caption_title("word " * 40)
    assert len(long) <= lesson.MAX_TITLE_CHARS and long.endswith("\u2026")


# ----------------------------------------------------------------------------------------------- decks
def test_builtin_deck_round_trip_gives_identical_numbers(tmp_path: Path, scenes: list[Scene], results: list) -> None:
    path = tmp_path / "lecture.cnndeck"
    save_builtin_deck(path)
    assert len(load_deck(path)) == len(scenes)
    loaded = scenes_from_deck(path)
    assert [scene.title for scene in loaded] == LECTURE_ORDER
    for original, result, copy in zip(scenes, results, loaded, strict=True):
        assert copy.caption == copy.session.caption == original.caption
        assert copy.view_options == original.view_options
        assert copy.session.training_record == original.session.training_record
        assert copy.session.selection == original.session.selection
        assert copy.session.network.spec == original.session.network.spec
        np.testing.assert_array_equal(copy.session.image, original.session.image)
        assert copy.session.image.dtype == np.float32
        for name, array in original.session.network.params.items():
            np.testing.assert_array_equal(copy.session.network.params[name], array)
            assert copy.session.network.params[name].dtype == array.dtype
        again = scene_results(copy)
        assert len(again.stages) == len(result.stages)
        for before, after in zip(result.stages, again.stages, strict=True):
            np.testing.assert_array_equal(after, before)
        if result.probabilities is None:
            assert again.probabilities is None
        else:
            np.testing.assert_array_equal(again.probabilities, result.probabilities)
        if result.field is not None:
            assert again.field.caption == result.field.caption
            for stage, mask in result.field.field.items():
                np.testing.assert_array_equal(again.field.field[stage], mask)


def test_a_lecturers_own_deck_gets_titles_and_default_options(tmp_path: Path) -> None:
    net = Network.from_spec([{"type": "conv", "out_channels": 2, "kernel": 3}, {"type": "relu"}], (1, 7, 7))
    mine = [
        (Session(IMAGE.copy(), net, Unit(1, 1, 2, 2), "My blur: see how it smooths"), {"zoom": 3}),
        (Session(IMAGE.copy(), net.copy(), None, ""), None),
    ]
    path = tmp_path / "mine.cnndeck"
    save_deck(path, mine)
    first, second = scenes_from_deck(path)
    assert (first.title, second.title) == ("My blur", "Scene 2")
    assert first.view_options == replace(DEFAULT_VIEW_OPTIONS, kernel_layer=0, zoom=3)
    assert second.view_options == replace(DEFAULT_VIEW_OPTIONS, kernel_layer=0)
    assert first.session.selection == Unit(1, 1, 2, 2)
    np.testing.assert_array_equal(first.session.network.params["0.weight"], net.params["0.weight"])
