"""The depth of the input image: how many channels it has, what they are called, and conversions.

Qt-free. The lecture's convolution-layer slide gives the input "height, width, depth d (# channels)";
the app holds it as a float32 (d, H, W) array in [0, 1] with 1 <= d <= 4: one grey channel, the red,
green and blue of a colour picture, or d named channels. Every view names channels through
:func:`channel_names`, and every change of d converts the picture through :func:`with_channels`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

__all__ = [
    "LUMA",
    "MAX_CHANNELS",
    "channel_names",
    "depth_name",
    "grey_of",
    "per_channel",
    "picture_channel_names",
    "reads_picture",
    "with_channels",
]

MAX_CHANNELS = 4
LUMA = (0.299, 0.587, 0.114)
"""The weights of red, green and blue in a grey picture (ITU-R BT.601, as PNG/JPEG decoders use)."""


def channel_names(depth: int) -> tuple[str, ...]:
    """``("grey",)``, ``("red", "green", "blue")`` or ``("channel 1", ...)`` for ``depth`` 2 or 4."""
    if depth == 1:
        return ("grey",)
    if depth == 3:
        return ("red", "green", "blue")
    return tuple(f"channel {index + 1}" for index in range(depth))


def depth_name(depth: int) -> str:
    """How menus name an input of ``depth`` channels: "grey", "colour (RGB)", "2 channels"."""
    return {1: "grey", 3: "colour (RGB)"}.get(depth, f"{depth} channels")


def reads_picture(spec: Sequence[dict[str, Any]], layer: int) -> bool:
    """Whether layer ``layer`` of ``spec`` sees the input picture's own channels (no conv or dense before it)."""
    return all(entry["type"] not in ("conv", "dense") for entry in spec[:layer])


def picture_channel_names(spec: Sequence[dict[str, Any]], layer: int, depth: int) -> tuple[str, ...]:
    """The names of the ``depth`` input channels of ``layer`` when they are the picture's and more than
    one ("red", "green", "blue"); else () and views number the channels of a feature map."""
    return channel_names(depth) if depth > 1 and reads_picture(spec, layer) else ()


def grey_of(image: np.ndarray) -> np.ndarray:
    """(H, W) grey of a (d, H, W) picture: the luma of RGB, the mean of any other depth."""
    image = np.asarray(image, np.float32)
    if image.shape[0] == 3:
        return np.tensordot(np.asarray(LUMA, np.float32), image, axes=1).astype(np.float32)
    return image.mean(axis=0, dtype=np.float32)


def with_channels(image: np.ndarray, depth: int) -> np.ndarray:
    """``image`` (d, H, W) as ``depth`` channels, looking as alike as the two depths allow.

    Grey to anything copies the grey into every channel (a grey picture stays grey); anything to
    grey takes :func:`grey_of`; otherwise the channels that exist in both are kept and new ones are 0.
    """
    image = np.asarray(image, np.float32)
    if not 1 <= depth <= MAX_CHANNELS:
        raise ValueError(f"an input has 1 to {MAX_CHANNELS} channels, not {depth}")
    current = image.shape[0]
    if depth == current:
        return image.copy()
    if current == 1:
        return np.repeat(image, depth, axis=0)
    if depth == 1:
        return grey_of(image)[None]
    out = np.zeros((depth, *image.shape[1:]), np.float32)
    kept = min(depth, current)
    out[:kept] = image[:kept]
    return out


def per_channel(transform: Callable[[np.ndarray], np.ndarray], image: np.ndarray) -> np.ndarray:
    """``transform`` (an (H, W) -> (H', W') grid operation) applied to each channel of (d, H, W)."""
    return np.stack([transform(plane) for plane in np.asarray(image, np.float32)]).astype(np.float32)
