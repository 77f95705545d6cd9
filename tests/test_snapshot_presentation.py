"""``cnn-desktop snapshot --presentation``: a lesson scene as a projector shows it, at a chosen size."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtGui import QImage

from cnn_desktop.ui.presentation.measure import image_array
from cnn_desktop.ui.snapshot import main, parse_request

TOP_RED = np.array([214, 47, 39])  # the diverging palette's positive end: the pooled 3s


@pytest.fixture(autouse=True)
def application(qapp):
    return qapp


def red_pixels(path) -> int:
    pixels = image_array(QImage(str(path))).astype(int)
    return int((np.abs(pixels - TOP_RED).sum(axis=2) < 30).sum())


def test_the_presentation_snapshot_shows_large_cells_at_the_projector_size(tmp_path, capsys):
    layout, panels = tmp_path / "presentation.png", tmp_path / "panels.png"
    assert main(["--scene", "7", "--presentation", "--size", "1024x768", "--out", str(layout)]) == 0
    assert main(["--scene", "7", "--size", "1024x768", "--out", str(panels)]) == 0
    image = QImage(str(layout))
    assert (image.width(), image.height()) == (1024, 768)
    # the 3s of the edge map, the ReLU and the pooled 2x2 fill far more of the picture
    assert red_pixels(layout) > 3 * red_pixels(panels)
    assert "wrote" in capsys.readouterr().out


def test_presentation_is_a_choice_of_the_command_line():
    assert parse_request(["--scene", "2", "--presentation", "--out", "a.png"]).presentation
    assert not parse_request(["--scene", "2", "--out", "a.png"]).presentation
