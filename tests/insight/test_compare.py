"""Two inputs compared stage by stage: convolution moves with a shift, pooling and dense change less."""

from __future__ import annotations

import numpy as np
import pytest

from cnn_desktop.data.datasets import load_digits
from cnn_desktop.insight import compare_images, image_stages, shifted
from cnn_desktop.insight.compare import relative_change, stage_stride
from tests.insight.shared import HORIZONTAL_EDGES, SLIDE_IMAGE, one_filter_network, trained


@pytest.mark.parametrize("shift", [(0, 1), (1, 0), (-1, 1)])
def test_a_one_pixel_shift_of_the_slide_image_shifts_the_conv_output_by_one_pixel(shift) -> None:
    net = one_filter_network(HORIZONTAL_EDGES, (1, 7, 7))
    moved = shifted(SLIDE_IMAGE, shift)
    before, after = image_stages(net, SLIDE_IMAGE)[1][0], image_stages(net, moved)[1][0]
    dy, dx = shift
    # away from the border: rows/columns whose 3x3 window stays inside the image in both inputs
    rows = slice(max(0, -dy), 5 - max(0, dy))
    cols = slice(max(0, -dx), 5 - max(0, dx))
    inside = before[rows, cols]
    np.testing.assert_array_equal(after[rows.start + dy : rows.stop + dy, cols.start + dx : cols.stop + dx], inside)
    assert not np.array_equal(after, before)
    change = compare_images(net, SLIDE_IMAGE, moved, shift)[1]
    assert change.moved_by == shift
    assert change.aligned_change == 0.0
    assert change.raw_change > 0.5
    assert change.aligned_units == inside.size


def test_a_shift_that_is_not_a_whole_pooled_pixel_cannot_be_undone() -> None:
    net = one_filter_network(HORIZONTAL_EDGES, (1, 7, 7), {"type": "maxpool", "size": 2})
    assert stage_stride(net, 2) == 2
    one = compare_images(net, SLIDE_IMAGE, shifted(SLIDE_IMAGE, (0, 1)), (0, 1))
    assert one[2].moved_by is None and one[2].aligned_change is None
    image = np.zeros((1, 7, 7), np.float32)
    image[0, 2:4, 1:3] = 1
    two = compare_images(net, image, shifted(image, (0, 2)), (0, 2))
    assert two[2].moved_by == (0, 1)
    assert two[2].aligned_change == 0.0
    np.testing.assert_array_equal(
        two[2].difference, image_stages(net, shifted(image, (0, 2)))[2] - image_stages(net, image)[2]
    )


def test_without_a_shift_only_the_raw_change_is_measured() -> None:
    net = trained()
    image = load_digits("bundled").test_images[0][None]
    changes = compare_images(net, image, image * 0.5)
    assert [change.stage for change in changes] == list(range(9))
    assert all(change.moved_by is None and change.aligned_change is None for change in changes)
    assert changes[0].raw_change == pytest.approx(0.5)
    assert relative_change(np.zeros(3), np.zeros(3)) == 0.0
    with pytest.raises(ValueError, match="need 9 stages"):
        from cnn_desktop.insight import compare_activations

        compare_activations(net, image_stages(net, image)[:-1], image_stages(net, image)[:-1])


def test_on_trained_digits_conv_maps_move_while_pooling_and_the_scores_change_less() -> None:
    net = trained()
    images = load_digits("bundled").test_images[:40, None]
    raw = np.zeros(9)
    for image in images:
        changes = compare_images(net, image, shifted(image), (0, 1))
        assert changes[1].aligned_change == pytest.approx(0.0, abs=1e-6)  # the first conv only moved
        assert changes[4].aligned_change is None  # after a 2x2 pool a 1-pixel shift is half a pixel
        raw += [change.raw_change for change in changes]
    raw /= len(images)
    assert raw[3] < raw[2]  # the first max pool changes less than the map it pools
    assert raw[6] < raw[5]  # and so does the second
    assert raw[8] < raw[1:8].min() and raw[8] < 0.5 * raw[0]  # the class scores change least of all
