"""Receptive boxes and field/influence masks checked against what backprop actually touches.

The ground truth is the support of d(unit)/d(input) from ``Network.input_gradient``: with random
nonzero weights and no ReLU, an input pixel has a nonzero gradient exactly when some path of taps
joins it to the unit. ReLU and max pooling can only cut paths, so on such networks the support is
compared with the activation-aware field (max pool) or only required to lie inside the field.
"""

from __future__ import annotations

import numpy as np
import pytest

from cnn_desktop.engine import (
    MNIST_SPEC,
    MaxPool2D,
    Network,
    SpecError,
    Unit,
    field_masks,
    influence_masks,
    receptive_box,
)

INPUT = (2, 14, 13)


def random_network(seed: int, kinds: tuple[str, ...], depth: int = 4, dense: bool = False, shape=INPUT) -> Network:
    """A random valid network of ``depth`` layers drawn from ``kinds`` (retrying impossible specs)."""
    rng = np.random.default_rng(seed)
    for _ in range(200):
        spec = []
        for _ in range(depth):
            kind = str(rng.choice(kinds))
            if kind == "conv":
                stride = int(rng.integers(1, 4))
                paddings = [0, 1, 2] + (["same"] if stride == 1 else [])
                spec.append(
                    {
                        "type": "conv",
                        "out_channels": int(rng.integers(1, 4)),
                        "kernel": int(rng.integers(1, 6)),
                        "stride": stride,
                        "padding": paddings[rng.integers(len(paddings))],
                        "dilation": int(rng.integers(1, 3)),
                    }
                )
            elif kind in ("maxpool", "avgpool"):
                spec.append({"type": kind, "size": int(rng.integers(2, 4)), "stride": int(rng.integers(1, 4))})
            else:
                spec.append({"type": kind})
        if dense:
            spec += [{"type": "flatten"}, {"type": "dense", "out_features": 3}]
        try:
            return Network.from_spec(spec, input_shape=shape, seed=seed)
        except SpecError:
            continue
    raise AssertionError("no valid random network found")


def units(net: Network, layer: int, rng: np.random.Generator, count: int = 6) -> list[tuple[int, int, int]]:
    """(channel, y, x) of the four corners of ``layer``'s output plus ``count`` random units."""
    shape = net.shapes[layer]
    if len(shape) == 1:
        return [(0, 0, int(f)) for f in range(shape[0])]
    c, h, w = shape
    picked = {(0, 0, 0), (c - 1, h - 1, w - 1), (0, 0, w - 1), (c - 1, h - 1, 0)}
    picked |= {(int(rng.integers(c)), int(rng.integers(h)), int(rng.integers(w))) for _ in range(count)}
    return sorted(picked)


def support(mask: np.ndarray) -> tuple[int, int, int, int] | None:
    """(top, left, bottom, right) of the True pixels of a (C, H, W) mask, or None when empty."""
    rows, cols = np.nonzero(mask.any(axis=0))
    if len(rows) == 0:
        return None
    return int(rows.min()), int(cols.min()), int(rows.max()), int(cols.max())


def assert_box_matches_support(box, found, height: int, width: int) -> None:
    """``found`` (the support's bounding box) is ``box`` clipped to the image.

    A side of the box inside the image is hit exactly; a side in the padding is clipped, and there a
    dilated or strided field may start a little inside the image edge (its taps skip pixels), so it
    only has to lie within the box.
    """
    top, left, bottom, right = box
    inside = top <= height - 1 and bottom >= 0 and left <= width - 1 and right >= 0
    if not inside:
        assert found is None, f"box {box} is all padding, yet the gradient reaches {found}"
        return
    if found is None:  # every tap of the field lands in padding (padding wider than the kernel)
        return
    f_top, f_left, f_bottom, f_right = found
    assert max(top, 0) <= f_top and f_bottom <= min(bottom, height - 1), (box, found)
    assert max(left, 0) <= f_left and f_right <= min(right, width - 1), (box, found)
    if top >= 0:
        assert f_top == top, (box, found)
    if left >= 0:
        assert f_left == left, (box, found)
    if bottom <= height - 1:
        assert f_bottom == bottom, (box, found)
    if right <= width - 1:
        assert f_right == right, (box, found)


def gradient_support(net: Network, x: np.ndarray, layer: int, unit: tuple[int, int, int]) -> np.ndarray:
    channel, y, x_pos = unit
    return net.input_gradient(x, Unit(layer + 1, channel, y, x_pos))[0] != 0


@pytest.mark.parametrize("seed", range(8))
def test_box_and_field_equal_the_gradient_support_on_linear_networks(seed: int) -> None:
    net = random_network(seed, ("conv", "conv", "avgpool"), depth=3 + seed % 3, dense=seed % 2 == 1)
    rng = np.random.default_rng(100 + seed)
    x = rng.standard_normal((1, *INPUT)).astype(np.float32)
    _, height, width = INPUT
    exact = 0
    for layer in range(len(net.layers)):
        if net.spec[layer]["type"] == "flatten":
            continue
        for unit in units(net, layer, rng):
            grad = gradient_support(net, x, layer, unit)
            box = net.receptive_field(Unit(layer + 1, 0, unit[1], unit[2]))
            assert_box_matches_support(box, support(grad), height, width)
            exact += box == support(grad)
            masks = field_masks(net, Unit(layer + 1, *unit))
            np.testing.assert_array_equal(masks[0], grad, err_msg=f"{net!r} layer {layer} unit {unit}")
            # the box in an intermediate stage bounds that stage's field mask the same way
            for stage in range(1, layer + 1):
                stage_shape = net.stage_shape(stage)
                if len(stage_shape) == 3:
                    stage_box = receptive_box(net, Unit(layer + 1, 0, unit[1], unit[2]), in_stage=stage)
                    assert_box_matches_support(stage_box, support(masks[stage]), *stage_shape[1:])
    assert exact > 0  # some fields lie wholly inside the image, where the box is exact


def test_box_is_exact_without_padding() -> None:
    """With no padding every box lies inside the image and equals the gradient's bounding box."""
    spec = [
        {"type": "conv", "out_channels": 2, "kernel": 3, "stride": 2, "dilation": 2},
        {"type": "avgpool", "size": 3, "stride": 2},
        {"type": "conv", "out_channels": 2, "kernel": 2},
    ]
    net = Network.from_spec(spec, input_shape=(1, 23, 21), seed=5)
    x = np.random.default_rng(5).standard_normal((1, 1, 23, 21)).astype(np.float32)
    for layer in range(3):
        c, h, w = net.shapes[layer]
        for y in range(h):
            for x_pos in range(w):
                box = net.receptive_field(Unit(layer + 1, 0, y, x_pos))
                assert box == support(gradient_support(net, x, layer, (c - 1, y, x_pos))), (layer, y, x_pos)
    # conv 3x3 dilated 2 (span 5), stride 2 -> avgpool 3 stride 2 -> conv 2: 2 * 2 * 1 + ... by hand
    assert net.receptive_field(Unit(1, 0, 1, 2)) == (2, 4, 6, 8)
    assert net.receptive_field(Unit(2, 0, 1, 0)) == (4, 0, 12, 8)
    assert net.receptive_field(Unit(3, 0, 1, 1)) == (4, 4, 16, 16)


@pytest.mark.parametrize("seed", range(8))
def test_field_with_activations_equals_gradient_support_through_max_pools(seed: int) -> None:
    rng = np.random.default_rng(200 + seed)
    for attempt in range(50):
        net = random_network(1000 * seed + attempt, ("conv", "maxpool", "avgpool", "maxpool"), depth=4)
        if not any(isinstance(layer, MaxPool2D) for layer in net.layers):
            continue
        x = rng.standard_normal((1, *INPUT)).astype(np.float32)
        activations = [x[0]] + [out[0] for out in net.activations(x)]
        tie_free = all(
            (win == win.max(axis=-1, keepdims=True)).sum(axis=-1).max() == 1
            for layer, stage_in in zip(net.layers, activations, strict=False)  # layer i reads stage i
            if isinstance(layer, MaxPool2D)
            for win in [layer.windows(stage_in[None])]
        )
        if tie_free:
            break
    else:
        raise AssertionError("no tie-free max pool network found")
    _, height, width = INPUT
    for layer in range(len(net.layers)):
        for unit in units(net, layer, rng):
            grad = gradient_support(net, x, layer, unit)
            masks = field_masks(net, Unit(layer + 1, *unit), activations=activations)
            np.testing.assert_array_equal(masks[0], grad, err_msg=f"{net!r} layer {layer} unit {unit}")
            geometric = field_masks(net, Unit(layer + 1, *unit))[0]
            assert not (masks[0] & ~geometric).any()  # winners only ever shrink the field
            top, left, bottom, right = net.receptive_field(Unit(layer + 1, 0, unit[1], unit[2]))
            found = support(grad)
            if found is not None:
                assert top <= found[0] and left <= found[1] and found[2] <= bottom and found[3] <= right


@pytest.mark.parametrize("seed", range(4))
def test_relu_networks_gradient_stays_inside_the_field(seed: int) -> None:
    net = random_network(seed, ("conv", "relu", "maxpool", "avgpool", "relu"), depth=5, dense=seed % 2 == 0)
    rng = np.random.default_rng(300 + seed)
    x = rng.standard_normal((1, *INPUT)).astype(np.float32)
    activations = [x[0]] + [out[0] for out in net.activations(x)]
    for layer in range(len(net.layers)):
        for unit in units(net, layer, rng, count=3):
            grad = gradient_support(net, x, layer, unit)
            aware = field_masks(net, Unit(layer + 1, *unit), activations=activations)[0]
            geometric = field_masks(net, Unit(layer + 1, *unit))[0]
            assert not (grad & ~aware).any() and not (aware & ~geometric).any()


@pytest.mark.parametrize("seed", range(5))
def test_influence_is_the_transpose_of_the_field(seed: int) -> None:
    """Unit u of stage s is in the influence of unit p of stage s0 exactly when p is in the field of u."""
    shape = (2, 7, 6)
    net = random_network(
        seed, ("conv", "conv", "relu", "maxpool", "avgpool"), depth=4, dense=seed % 2 == 1, shape=shape
    )
    stages = len(net.layers) + 1
    for start in (0, 1):
        start_shape = net.stage_shape(start)
        if len(start_shape) != 3:
            continue
        # fields[s][u] = field of unit u (flat index) of stage s, restricted to stage ``start``
        fields = {}
        for stage in range(start + 1, stages):
            out_shape = net.stage_shape(stage)
            flat = [np.zeros(out_shape, bool)]
            rows = []
            for index in range(flat[0].size):
                unit = np.unravel_index(index, out_shape)
                channel, y, x = (0, 0, unit[0]) if len(out_shape) == 1 else unit
                rows.append(field_masks(net, Unit(stage, int(channel), int(y), int(x)))[start].ravel())
            fields[stage] = np.array(rows)
        c, h, w = start_shape
        for pixel in range(c * h * w):
            channel, y, x = np.unravel_index(pixel, start_shape)
            influence = influence_masks(net, Unit(start, int(channel), int(y), int(x)))
            assert len(influence) == stages - start
            assert influence[0].sum() == 1 and influence[0][channel, y, x]
            for stage in range(start + 1, stages):
                np.testing.assert_array_equal(
                    influence[stage - start].ravel(), fields[stage][:, pixel], err_msg=f"{net!r} stage {stage}"
                )
        # channel=None: a pixel of every channel at once is the union over channels
        union = influence_masks(net, Unit(start, 0, h - 1, w // 2), every_channel=True)
        each = [influence_masks(net, Unit(start, ch, h - 1, w // 2)) for ch in range(c)]
        for stage_mask, *per_channel in zip(union, *each, strict=True):
            np.testing.assert_array_equal(stage_mask, np.logical_or.reduce(per_channel))


def test_mnist_boxes_by_hand() -> None:
    net = Network.from_spec(MNIST_SPEC, seed=0)
    # conv3 -> pool2 -> conv3 -> pool2: one unit of the last pool reads a 10x10 box, stride 8
    assert net.receptive_field(Unit(1, 0, 0, 0)) == (0, 0, 2, 2)
    assert net.receptive_field(Unit(3, 0, 3, 5)) == (6, 10, 9, 13)
    assert net.receptive_field(Unit(6, 0, 0, 0)) == (0, 0, 9, 9)
    assert net.receptive_field(Unit(6, 0, 4, 4)) == (16, 16, 25, 25)
    # a class score reads every pixel the last pool reads: the 2x2 max pool of the 11x11 map drops its
    # last row and column, so input rows and columns 26 and 27 never reach the output
    assert net.receptive_field(Unit(8, 0, 0, 9)) == (0, 0, 25, 25)
    assert net.receptive_field(Unit(7, 0, 0, 399)) == (0, 0, 25, 25)
    x = np.random.default_rng(0).random((1, 1, 28, 28)).astype(np.float32)
    grad = net.input_gradient(x, Unit(8, 0, 0, 9))[0, 0]
    assert not grad[26:].any() and not grad[:, 26:].any() and grad[:26, :26].any()
    assert field_masks(net, Unit(8, 0, 0, 9))[0].sum() == 26 * 26
    assert receptive_box(net, Unit(6, 0, 4, 4), in_stage=3) == (8, 8, 11, 11)


def test_padding_makes_the_box_reach_outside_the_image() -> None:
    spec = [{"type": "conv", "out_channels": 1, "kernel": 3, "padding": 2}]
    net = Network.from_spec(spec, input_shape=(1, 6, 6), seed=0)
    assert net.shapes[0] == (1, 8, 8)
    assert net.receptive_field(Unit(1, 0, 0, 0)) == (-2, -2, 0, 0)
    assert net.receptive_field(Unit(1, 0, 7, 7)) == (5, 5, 7, 7)
    assert field_masks(net, Unit(1, 0, 0, 0))[0].sum() == 1  # of the 3x3 taps only (0, 0) is in the image
    # 'same' with an even kernel: one pixel of padding top/left, two bottom/right
    net = Network.from_spec(
        [{"type": "conv", "out_channels": 1, "kernel": 4, "padding": "same"}], input_shape=(1, 6, 6), seed=0
    )
    assert net.receptive_field(Unit(1, 0, 0, 0)) == (-1, -1, 2, 2)
    assert net.receptive_field(Unit(1, 0, 5, 5)) == (4, 4, 7, 7)
    # a kernel-1 conv with padding 2 has border units that read nothing but padding
    net = Network.from_spec(
        [{"type": "conv", "out_channels": 1, "kernel": 1, "padding": 2}], input_shape=(1, 4, 4), seed=0
    )
    assert net.receptive_field(Unit(1, 0, 0, 0)) == (-2, -2, -2, -2)
    assert not field_masks(net, Unit(1, 0, 0, 0))[0].any()
    assert not influence_masks(net, Unit(0, 0, 0, 0))[1][0, :2].any()


def test_out_of_range_units_are_refused() -> None:
    net = Network.from_spec(MNIST_SPEC, seed=0)
    for layer, y, x in [(8, 0, 0), (-2, 0, 0), (0, 26, 0), (0, 0, 26), (0, -1, 0), (0, 0, -1), (7, 0, 10), (7, 1, 0)]:
        with pytest.raises(IndexError):
            net.receptive_field(Unit(layer + 1, 0, y, x))
    with pytest.raises(IndexError):
        receptive_box(net, Unit(6, 0, 5, 0))
    with pytest.raises(IndexError):
        field_masks(net, Unit(1, 0, 26, 0))
    with pytest.raises(IndexError):
        field_masks(net, Unit(4, 16, 0, 0))  # layer 3 has channels 0..15
    with pytest.raises(IndexError):
        field_masks(net, Unit(4, -1, 0, 0))
    with pytest.raises(IndexError):
        field_masks(net, Unit(10, 0, 0, 0))
    with pytest.raises(IndexError):
        influence_masks(net, Unit(0, 0, 28, 0))
    with pytest.raises(IndexError):
        influence_masks(net, Unit(0, 1, 0, 0))  # the input has one channel
    with pytest.raises(IndexError):
        influence_masks(net, Unit(9, 0, 0, 0))
    with pytest.raises(IndexError):
        influence_masks(net, Unit(-1, 0, 0, 0))
