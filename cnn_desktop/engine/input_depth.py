"""A network for an input of another depth d, keeping every weight that still has a place.

The lecture's first conv layer holds k kernels of 3x3xd: changing d (grey to colour and back)
gives each kernel input channels or takes some away. The channels both depths share keep their
weights bit for bit; new ones get He weights, as a new layer would.
"""

from __future__ import annotations

from .layers import Conv2D, Dense
from .network import Network

__all__ = ["first_weighted_layer", "with_input_depth"]


def first_weighted_layer(net: Network) -> int | None:
    """Index of the first conv or dense layer (the one that reads the input's channels), if any."""
    return next((i for i, layer in enumerate(net.layers) if isinstance(layer, (Conv2D, Dense))), None)


def with_input_depth(net: Network, depth: int, seed: int = 0) -> Network:
    """``net`` rebuilt for a (``depth``, H, W) input; the first conv layer's shared channels (and its bias) kept.

    Every later layer keeps its weights (its input shape does not change with d). A dense layer
    reading the input directly (through flatten) cannot keep its weights and gets new ones.
    """
    _, height, width = net.input_shape
    twin = net.rebuilt(net.spec, (depth, height, width), seed)
    first = first_weighted_layer(net)
    if first is not None and isinstance(net.layers[first], Conv2D):
        old, new = net.layers[first].params["weight"], twin.layers[first].params["weight"]
        kept = min(old.shape[1], new.shape[1])
        new[:, :kept] = old[:, :kept]
    return twin
