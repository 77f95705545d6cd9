"""Which panels the presentation layout shows for each scene, and how large, without a display."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from cnn_desktop.lesson import builtin_scenes, scene_results
from cnn_desktop.state.presentation import number_units, panels_for
from cnn_desktop.state.presentation_fit import Box, fit_panels

SCENES = builtin_scenes()
SCREENS = [(1024, 700), (1280, 650), (1920, 1000)]

# (stage of the key output, its (channels, H, W)) per built-in scene, as the captions describe it
KEY_OUTPUTS = [
    (1, (1, 5, 5)),  # identity: 7x7 -> 5x5
    (1, (1, 7, 7)),  # zero padding keeps 7x7
    (1, (1, 5, 5)),  # the blur
    (1, (1, 5, 5)),  # the edge map
    (2, (3, 5, 5)),  # conv + ReLU stacked into 5x5x3
    (2, (1, 5, 5)),  # depth 3: the red lines after ReLU
    (3, (1, 2, 2)),  # the pooled 2x2
    (4, (1, 1, 1)),  # pooled again: one pixel
    (4, (1, 1, 1)),  # one pixel sees everything
]


def scene_panels(index: int):
    scene = SCENES[index]
    return panels_for(scene.session.network, scene.view_options, scene_results(scene).stages)


@pytest.mark.parametrize("index", range(9))
def test_each_lecture_scene_shows_input_kernel_and_the_output_its_caption_names(index):
    panels = scene_panels(index)
    stage, shape = KEY_OUTPUTS[index]
    assert [p.kind for p in panels[:2]] == ["map", "kernels"]
    assert panels[0].stage == 0 and panels[0].numbers
    key = [p for p in panels if p.key]
    assert len(key) == 1 and key[0] is panels[-1]
    assert key[0].stage == stage
    assert (key[0].grids, key[0].rows, key[0].cols) == shape
    assert "probabilities" not in [p.kind for p in panels]  # no dense layer: no empty chart


def test_the_pooling_scene_shows_the_relu_between_the_edge_map_and_the_pool():
    panels = scene_panels(6)
    assert [p.operator.replace("\n", " ") for p in panels] == ["", "*", "=", "ReLU \u2192", "max pool 2x2 \u2192"]
    assert [p.stage for p in panels if p.kind == "map"] == [0, 1, 2, 3]


def test_the_depth_scene_shows_the_three_channels_and_the_three_slices_of_its_kernel():
    picture, kernel = scene_panels(5)[:2]
    assert (picture.label, picture.grids) == ("input 3x7x7: red, green, blue", 3)
    assert (kernel.label, kernel.grids, kernel.rows) == ("kernel 3x3x3", 3, 3)


def test_padding_and_the_blur_factor_are_shown_as_the_slides_write_them():
    padded = scene_panels(1)[0]
    assert (padded.pad, padded.rows) == (1, 9)
    assert scene_panels(2)[1].operator == "* 1/9 \u00d7"


def test_the_digit_scene_shows_the_image_without_numbers_and_the_probabilities():
    panels = scene_panels(9)
    assert [p.kind for p in panels] == ["map", "kernels", "probabilities"]
    assert not panels[0].numbers and panels[0].rows == 28
    assert panels[-1].key


def test_long_numbers_get_larger_cells_than_short_ones():
    assert number_units(np.array([-4.0, 3.0])) == 1.0
    assert number_units(np.array([0.33, 1.0])) > 1.5


def overlaps(a: Box, b: Box) -> bool:
    return a.x < b.x + b.width and b.x < a.x + a.width and a.y < b.y + b.height and b.y < a.y + a.height


@pytest.mark.parametrize("index", range(10))
@pytest.mark.parametrize("screen", SCREENS)
def test_every_box_lies_inside_the_area_and_none_overlap(index, screen):
    panels = scene_panels(index)
    width, height = screen
    fitting = fit_panels(panels, width, height, label_height=30, operator_widths=[60] * len(panels))
    boxes = [box for p in fitting.placements for box in (p.label, *p.grids, *([p.operator] if p.operator else []))]
    for box in boxes:
        assert 0 <= box.x and box.x + box.width <= width and 0 <= box.y and box.y + box.height <= height
    grids = [box for p in fitting.placements for box in p.grids]
    assert not any(overlaps(a, b) for a, b in itertools.combinations(grids, 2))
    bigger = fit_panels(panels, width + 200, height + 200, label_height=30, operator_widths=[60] * len(panels))
    assert bigger.unit > fitting.unit


def test_a_second_row_is_taken_only_when_it_gives_larger_cells():
    panels = scene_panels(0)
    wide = fit_panels(panels, 1900, 500, label_height=30, operator_widths=[40] * 3)
    assert len(wide.rows) == 1
    tall = fit_panels(scene_panels(7), 700, 1000, label_height=30, operator_widths=[40] * 6)
    assert len(tall.rows) == 2
    one_row = fit_panels(scene_panels(7)[:1], 700, 1000, label_height=30, operator_widths=[0])
    assert one_row.rows == ((0,),)


def test_a_later_conv_layer_and_many_channels_fit_quickly():
    import time

    from cnn_desktop.engine import MNIST_SPEC, Network

    network = Network.from_spec(MNIST_SPEC, (1, 28, 28), seed=0)
    panels = panels_for(network, {"kernel_layer": 3})
    assert panels[0].stage == 3 and panels[1].grids == 16 and panels[-1].kind == "probabilities"
    wide = Network.from_spec(
        [{"type": "conv", "out_channels": 16, "kernel": 3}, {"type": "relu"}, {"type": "maxpool", "size": 2}],
        (1, 12, 12),
        seed=0,
    )
    panels = panels_for(wide)
    assert [p.grids for p in panels] == [1, 16, 16, 16]
    start = time.perf_counter()
    fitting = fit_panels(panels, 1024, 700, label_height=30, operator_widths=[0, 40, 40, 120])
    assert time.perf_counter() - start < 1.0
    assert fitting.unit > 0
