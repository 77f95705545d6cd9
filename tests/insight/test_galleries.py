"""Galleries: the patches that make a channel fire most, checked by a known filter and by brute force."""

from __future__ import annotations

import numpy as np
import pytest

from cnn_desktop.data.datasets import load_digits
from cnn_desktop.engine import receptive_box
from cnn_desktop.insight import compute_galleries, crop_box, gallery_stages
from tests.insight.shared import HORIZONTAL_EDGES, one_filter_network, trained


def bundled_images() -> np.ndarray:
    digits = load_digits("bundled")
    return np.concatenate([digits.train_images, digits.test_images])


def horizontal_bar(crop: np.ndarray) -> float:
    """How much brighter the middle row of a 3x3 crop is than the rows above and below it."""
    return float(crop[0, 1].mean() - (crop[0, 0].mean() + crop[0, 2].mean()) / 2)


def top_crops(kernel: np.ndarray) -> list[np.ndarray]:
    galleries = compute_galleries(one_filter_network(kernel), bundled_images(), count=9)
    assert galleries is not None and list(galleries) == [1]
    return [patch.crop for patch in galleries[1][0].patches]


def test_the_lectures_horizontal_edge_filter_finds_horizontal_edges() -> None:
    crops = top_crops(HORIZONTAL_EDGES)
    assert len(crops) == 9
    assert all(crop.shape == (1, 3, 3) for crop in crops)
    assert min(horizontal_bar(crop) for crop in crops) > 0.6


def test_the_edge_check_fails_for_a_vertical_edge_filter() -> None:
    crops = top_crops(HORIZONTAL_EDGES.T.copy())
    assert max(horizontal_bar(crop) for crop in crops) < 0.3


def test_top_patches_are_the_strongest_digit_responses_found_by_brute_force() -> None:
    net, images = trained(), bundled_images()[:300]
    galleries = compute_galleries(net, images, count=5)
    assert galleries is not None and sorted(galleries) == gallery_stages(net) == [1, 3, 4, 6]
    for stage in (1, 4, 6):
        maps = net.activations(images[:, None])[stage - 1]
        strongest = maps.reshape(len(images), maps.shape[1], -1).max(axis=-1)
        for channel, gallery in enumerate(galleries[stage]):
            order = np.sort(strongest[:, channel])[::-1][:5]
            np.testing.assert_allclose([p.activation for p in gallery.patches], order, rtol=1e-5)
            for patch in gallery.patches:
                unit = patch.unit
                assert (unit.stage, unit.channel) == (stage, channel)
                assert maps[patch.image_index, channel, unit.y, unit.x] == pytest.approx(patch.activation, rel=1e-5)
                assert patch.box == receptive_box(net, unit)
                np.testing.assert_array_equal(patch.crop, crop_box(images[patch.image_index][None], patch.box))
    assert galleries[1][0].weights.shape == (1, 3, 3)
    np.testing.assert_array_equal(galleries[4][7].weights, net.params["3.weight"][7])
    assert galleries[3][0].weights is None


def test_a_crop_reaching_past_the_image_is_zero_there() -> None:
    image = np.arange(1, 17, dtype=np.float32).reshape(1, 4, 4)
    crop = crop_box(image, (-1, 2, 1, 4))
    np.testing.assert_array_equal(crop[0], [[0, 0, 0], [3, 4, 0], [7, 8, 0]])


def test_progress_is_reported_and_cancel_stops_the_work() -> None:
    images = bundled_images()[:2500]
    seen: list[tuple[int, int]] = []
    assert compute_galleries(trained(), images, progress=lambda done, total: seen.append((done, total))) is not None
    assert seen == [(1000, 2500), (2000, 2500), (2500, 2500)]
    assert compute_galleries(trained(), images, cancelled=lambda: True) is None
    with pytest.raises(ValueError, match="not an image stage"):
        compute_galleries(trained(), images, stages=[7])
