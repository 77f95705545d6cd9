"""Networks and images the insight tests share: the lecture's slide image and edge kernel."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import numpy as np

from cnn_desktop.engine import Network, pretrained

SLIDES = json.loads((Path(__file__).parents[1] / "data" / "slide_examples.json").read_text())
SLIDE_IMAGE = np.array(SLIDES["input_image"], dtype=np.float32)[None]
"""The lecture's 7x7 image as (1, 7, 7)."""

HORIZONTAL_EDGES = np.array([[-1, -1, -1], [2, 2, 2], [-1, -1, -1]], np.float32)
"""The lecture's horizontal-edge kernel."""


def one_filter_network(kernel: np.ndarray, input_shape=(1, 28, 28), *after: dict) -> Network:
    """One 3x3 conv carrying ``kernel`` (bias 0), then the layers ``after``."""
    spec = [{"type": "conv", "out_channels": 1, "kernel": 3}, *after]
    net = Network.from_spec(spec, input_shape)
    net.params["0.weight"][...] = kernel[None, None]
    net.params["0.bias"][...] = 0
    return net


@cache
def trained() -> Network:
    """The bundled trained network, read once; tests must not change it."""
    return pretrained()


def float64_copy(net: Network) -> Network:
    """``net`` with float64 parameters, for finite-difference checks."""
    twin = net.copy()
    for layer in twin.layers:
        for name in layer.params:
            layer.params[name] = np.ascontiguousarray(layer.params[name], dtype=np.float64)
    return twin
