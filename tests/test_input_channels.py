"""Converting a picture between depths: grey stays grey, colour becomes its luma."""

from __future__ import annotations

import numpy as np
import pytest

from cnn_desktop.input_channels import LUMA, channel_names, grey_of, with_channels
from cnn_desktop.session import check_image


def test_grey_to_rgb_copies_the_grey_and_rgb_to_grey_takes_the_luma():
    grey = np.random.default_rng(1).random((1, 6, 6), dtype=np.float32)
    rgb = with_channels(grey, 3)
    assert rgb.shape == (3, 6, 6) and all(np.array_equal(plane, grey[0]) for plane in rgb)
    np.testing.assert_allclose(with_channels(rgb, 1), grey, rtol=1e-6)
    red = np.zeros((3, 5, 5), np.float32)
    red[0] = 1
    np.testing.assert_allclose(grey_of(red), LUMA[0])
    assert with_channels(red, 4)[:3].tobytes() == red.tobytes() and not with_channels(red, 4)[3].any()


def test_channel_names_and_bad_depths():
    assert channel_names(1) == ("grey",) and channel_names(3) == ("red", "green", "blue")
    assert channel_names(2) == ("channel 1", "channel 2")
    with pytest.raises(ValueError, match="1 to 4 channels"):
        with_channels(np.zeros((1, 5, 5)), 5)
    with pytest.raises(ValueError, match="1 to 4 channels"):
        check_image(np.zeros((5, 7, 7)))
    with pytest.raises(ValueError, match="NaN"):
        check_image(np.full((3, 7, 7), np.nan))
    assert check_image(np.zeros((7, 7))).shape == (1, 7, 7)
