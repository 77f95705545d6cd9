"""The lecture's worked examples (tests/data/slide_examples.json), reproduced exactly through ``Network``."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from cnn_desktop.engine import ConvTrace, Network, PoolTrace, Unit, field_masks, receptive_box, trace_unit

SLIDES = json.loads((Path(__file__).parents[1] / "data" / "slide_examples.json").read_text())
IMAGE = np.array(SLIDES["input_image"], dtype=np.float32)
EXAMPLES = {example["name"]: example for example in SLIDES["examples"]}
EDGES = EXAMPLES["horizontal edges"]


def slide_network(example: dict, *after: dict) -> Network:
    """One 3x3 conv on the 1x7x7 slide image carrying the example's kernel (times its scale), then ``after``."""
    spec = [{"type": "conv", "out_channels": 1, "kernel": 3, "padding": example["padding"]}, *after]
    net = Network.from_spec(spec, input_shape=(1, 7, 7), seed=0)
    scale = float(Fraction(str(example["scale"])))
    net.params["0.weight"][...] = np.array(example["kernel"], dtype=np.float32)[None, None] * np.float32(scale)
    net.params["0.bias"][...] = 0
    return net


def run(net: Network) -> list[np.ndarray]:
    """Every layer's output for the slide image, batch and channel axes dropped."""
    return [out[0, 0] for out in net.activations(IMAGE[None, None])]


def test_the_examples_file_is_the_one_described() -> None:
    assert IMAGE.shape == (7, 7)
    names = {"identity kernel, no padding", "identity kernel, zero padding 1", "box blur", "horizontal edges"}
    assert set(EXAMPLES) == names


def test_identity_kernel_without_padding_shrinks_7x7_to_5x5() -> None:
    example = EXAMPLES["identity kernel, no padding"]
    (out,) = run(slide_network(example))
    assert out.shape == (5, 5)
    np.testing.assert_array_equal(out, example["output"])
    np.testing.assert_array_equal(out, IMAGE[1:-1, 1:-1])


def test_identity_kernel_with_padding_1_keeps_the_image() -> None:
    example = EXAMPLES["identity kernel, zero padding 1"]
    assert example["padding"] == 1
    (out,) = run(slide_network(example))
    assert out.shape == (7, 7)
    np.testing.assert_array_equal(out, example["output"])
    np.testing.assert_array_equal(out, IMAGE)


def test_box_blur_times_9_is_the_window_sum() -> None:
    example = EXAMPLES["box blur"]
    assert example["scale"] == "1/9"
    net = slide_network(example)
    np.testing.assert_array_equal(net.params["0.weight"], np.full((1, 1, 3, 3), np.float32(1 / 9)))
    (out,) = run(net)
    expected = np.array(example["output_times_9"], dtype=np.float32)
    # nine float32 products of 1/9 summed: within a few float32 ulps of the exact value
    np.testing.assert_allclose(out * 9, expected, rtol=0, atol=8 * np.finfo(np.float32).eps * expected.max())
    np.testing.assert_array_equal(np.rint(out * 9), expected)


def test_horizontal_edges_conv_relu_and_max_pool() -> None:
    net = slide_network(EDGES, {"type": "relu"}, {"type": "maxpool", "size": 2, "stride": 2})
    conv, relu, pooled = run(net)
    np.testing.assert_array_equal(conv, EDGES["output"])
    np.testing.assert_array_equal(relu, EDGES["after_relu"])
    np.testing.assert_array_equal(pooled, EDGES["after_max_pool_2x2_stride_2"])
    np.testing.assert_array_equal(pooled, [[1, 3], [1, 3]])


def test_one_pooled_pixel_reads_16_input_pixels_in_a_4x4_box() -> None:
    field = EDGES["receptive_field_of_one_pooled_pixel"]
    assert (field["input_pixels"], field["box"]) == (16, "4x4")
    net = slide_network(EDGES, {"type": "relu"}, {"type": "maxpool", "size": 2, "stride": 2})
    for y in range(2):
        for x in range(2):
            top, left, bottom, right = net.receptive_field(Unit(3, 0, y, x))
            assert (top, left) == (2 * y, 2 * x)
            assert (bottom - top + 1, right - left + 1) == (4, 4)
            input_mask = field_masks(net, Unit(3, 0, y, x))[0]
            assert input_mask.sum() == 16
            np.testing.assert_array_equal(np.argwhere(input_mask[0]).min(axis=0), (top, left))
            np.testing.assert_array_equal(np.argwhere(input_mask[0]).max(axis=0), (bottom, right))
    # "What numbers were involved in computing this 1?" -- for the top-left pooled 1 the geometric
    # field is the 4x4 box; its window [[0, 1], [1, 1]] holds three tied 1s, and with the activations
    # given the field is the union of their three 3x3 patches: the 4x4 box less its corner (0, 0)
    activations = [IMAGE[None]] + [out[0] for out in net.activations(IMAGE[None, None])]
    involved = field_masks(net, Unit(3, 0, 0, 0), activations)[0][0]
    expected = np.zeros((7, 7), bool)
    expected[:4, :4] = True
    expected[0, 0] = False
    np.testing.assert_array_equal(involved, expected)
    # backprop routes through one winner only, so the gradient lives inside that field
    gradient = net.input_gradient(IMAGE[None, None], Unit(3, 0, 0, 0))[0, 0]
    assert gradient.any() and not (gradient != 0)[~involved].any()


def test_pooling_again_sees_the_whole_input() -> None:
    """A second max pool over the 2x2 pooled map: one pixel whose field covers the whole 7x7 input.

    Built as conv 3x3 -> relu -> maxpool 2x2 stride 2 -> maxpool 2x2 (sized to the 2x2 map). Note the
    first 2x2/stride-2 pool reads conv rows/columns 0..3 only (the 5th is left over), so the field is
    the 6x6 box of input rows/columns 0..5; the 7th row and column of this image are zero padding of
    the drawing and cannot change any output. A global pool over the whole 5x5 conv map instead reaches
    all 7x7 pixels; both are checked.
    """
    net = slide_network(
        EDGES, {"type": "relu"}, {"type": "maxpool", "size": 2, "stride": 2}, {"type": "maxpool", "size": 2}
    )
    *_, pooled, top = run(net)
    assert top.shape == (1, 1) and top[0, 0] == pooled.max() == 3
    assert net.receptive_field(Unit(4, 0, 0, 0)) == (0, 0, 5, 5)
    assert field_masks(net, Unit(4, 0, 0, 0))[0].sum() == 36
    assert not IMAGE[6].any() and not IMAGE[:, 6].any()  # what the field misses is blank

    global_pool = slide_network(EDGES, {"type": "relu"}, {"type": "maxpool", "size": 5})
    assert global_pool.receptive_field(Unit(3, 0, 0, 0)) == (0, 0, 6, 6)
    assert field_masks(global_pool, Unit(3, 0, 0, 0))[0].all()
    assert receptive_box(global_pool, Unit(3, 0, 0, 0)) == (0, 0, 6, 6)


@pytest.mark.parametrize(("y", "x"), [(0, 2), (2, 3), (1, 0), (4, 4)])
def test_dot_product_trace_is_the_slide_arithmetic(y: int, x: int) -> None:
    """ "Take dot product!": the trace shows the 3x3 patch, the nine products and their sum."""
    net = slide_network(EDGES)
    trace = trace_unit(net, IMAGE[None], Unit(1, 0, y, x))
    assert isinstance(trace, ConvTrace)
    kernel = np.array(EDGES["kernel"], dtype=np.float32)
    patch = IMAGE[y : y + 3, x : x + 3]
    np.testing.assert_array_equal(trace.rows, np.arange(y, y + 3))
    np.testing.assert_array_equal(trace.cols, np.arange(x, x + 3))
    assert not trace.in_padding.any()
    np.testing.assert_array_equal(trace.patch[0], patch)
    np.testing.assert_array_equal(trace.kernel[0], kernel)
    np.testing.assert_array_equal(trace.products[0], patch * kernel)
    total = sum(float(patch[i, j]) * float(kernel[i, j]) for i in range(3) for j in range(3))
    assert trace.total == total == EDGES["output"][y][x]
    assert trace.channel_sums.tolist() == [total]
    assert trace.bias == 0 and trace.result == EDGES["output"][y][x]


def test_trace_of_the_3_at_the_top() -> None:
    """Unit (0, 2) of the edge map, spelled out: rows 0..2 of columns 2..4 against the edge kernel."""
    trace = trace_unit(slide_network(EDGES), IMAGE[None], Unit(1, 0, 0, 2))
    np.testing.assert_array_equal(trace.patch[0], [[0, 0, 0], [1, 1, 1], [1, 1, 1]])
    np.testing.assert_array_equal(trace.products[0], [[0, 0, 0], [2, 2, 2], [-1, -1, -1]])
    assert trace.total == 0 + 6 - 3 == trace.result == 3


def test_trace_with_padding_marks_the_zeros() -> None:
    net = slide_network(EXAMPLES["identity kernel, zero padding 1"])
    trace = trace_unit(net, IMAGE[None], Unit(1, 0, 0, 0))
    np.testing.assert_array_equal(trace.rows, [-1, 0, 1])
    np.testing.assert_array_equal(trace.in_padding, [[1, 1, 1], [1, 0, 0], [1, 0, 0]])
    assert trace.result == IMAGE[0, 0]


def test_pool_trace_of_the_top_left_1() -> None:
    net = slide_network(EDGES, {"type": "relu"}, {"type": "maxpool", "size": 2, "stride": 2})
    relu = net.activations(IMAGE[None, None])[1][0]
    trace = trace_unit(net, relu, Unit(3, 0, 0, 0))
    assert isinstance(trace, PoolTrace)
    np.testing.assert_array_equal(trace.window, [[0, 1], [1, 1]])
    np.testing.assert_array_equal(trace.winners, [[0, 1], [1, 1]])  # three tied maxima
    assert trace.result == 1


def test_traces_agree_with_the_layers_for_strided_dilated_padded_units() -> None:
    """Beyond the slide: every traced unit's taps, products and result match the layer's own output."""
    spec = [
        {"type": "conv", "out_channels": 3, "kernel": 3, "stride": 2, "padding": 2, "dilation": 2},
        {"type": "maxpool", "size": 3, "stride": 2},
        {"type": "conv", "out_channels": 2, "kernel": 2, "padding": "same"},
        {"type": "avgpool", "size": 2, "stride": 1},
    ]
    net = Network.from_spec(spec, input_shape=(2, 11, 10), seed=1)
    net.params["0.bias"][...] = [0.5, -0.25, 1.0]
    image = np.random.default_rng(3).standard_normal((2, 11, 10)).astype(np.float32)
    stages = [image] + [out[0] for out in net.activations(image[None])]
    for layer in range(len(spec)):
        layer_input, output = stages[layer], stages[layer + 1]
        _, height, width = layer_input.shape
        for channel, y, x in np.ndindex(*output.shape):
            trace = trace_unit(net, layer_input, Unit(layer + 1, channel, y, x))
            assert trace.result == pytest.approx(float(output[channel, y, x]), rel=1e-5, abs=1e-6)
            if isinstance(trace, PoolTrace):
                assert trace.kind == spec[layer]["type"]
                np.testing.assert_array_equal(trace.window, layer_input[channel][np.ix_(trace.rows, trace.cols)])
                continue
            entry = net.spec[layer]
            k, s, d = entry["kernel"], entry["stride"], entry["dilation"]
            top = y * s - net.layers[layer].padding.top
            left = x * s - net.layers[layer].padding.left
            np.testing.assert_array_equal(trace.rows, top + d * np.arange(k))
            np.testing.assert_array_equal(trace.cols, left + d * np.arange(k))
            for i, row in enumerate(trace.rows):
                for j, col in enumerate(trace.cols):
                    inside = 0 <= row < height and 0 <= col < width
                    assert trace.in_padding[i, j] == (not inside)
                    expected = layer_input[:, row, col] if inside else np.zeros(layer_input.shape[0])
                    np.testing.assert_array_equal(trace.patch[:, i, j], expected)
            np.testing.assert_array_equal(trace.products, trace.patch * net.params[f"{layer}.weight"][channel])
            assert trace.bias == float(net.params[f"{layer}.bias"][channel])
    with pytest.raises(IndexError):
        trace_unit(net, image, Unit(1, 3, 0, 0))
    with pytest.raises(ValueError, match="no dot product or window"):
        trace_unit(Network.from_spec([{"type": "relu"}], input_shape=(1, 3, 3)), image[:1, :3, :3], Unit(1, 0, 0, 0))
