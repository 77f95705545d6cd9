"""What a filter looks for: the digit patches that make one channel fire most.

For a channel of a conv or pool output, every digit is run through the network once; each digit
offers its single strongest position in that channel (so nine patches show nine digits, not nine
neighbouring positions of one stroke), and the ``k`` strongest digits win. Each patch is the part
of its digit inside the winning unit's receptive field, the same box the app draws on the editor.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from ..engine import Conv2D, Network, Unit, receptive_box
from ..engine.layers import Pool2D

Box = tuple[int, int, int, int]

DEFAULT_COUNT = 9
BATCH = 1000
"""Digits per forward pass: the default network's maps of 1,000 digits take about 30 MB."""


@dataclass(frozen=True)
class Patch:
    """One digit's strongest response in a channel, and the pixels that produced it.

    ``box`` is the unclipped (top, left, bottom, right) receptive box on the digit; ``crop`` is the
    digit inside it as (C, rows, cols), zeros where the box reaches past the digit (padding).
    """

    image_index: int
    unit: Unit
    activation: float
    box: Box
    crop: np.ndarray


@dataclass(frozen=True)
class Gallery:
    """The top patches of one channel, strongest first, and the filter that made the channel.

    ``weights`` is the conv kernel (in_channels, k, k) when the stage is a conv output, else None.
    """

    stage: int
    channel: int
    patches: tuple[Patch, ...]
    weights: np.ndarray | None


def gallery_stages(net: Network) -> list[int]:
    """The stages a gallery is offered for: the outputs of conv and pool layers."""
    return [index + 1 for index, layer in enumerate(net.layers) if isinstance(layer, (Conv2D, Pool2D))]


def crop_box(image: np.ndarray, box: Box) -> np.ndarray:
    """``image`` (C, H, W) inside the inclusive ``box``, zeros where the box leaves the image."""
    top, left, bottom, right = box
    _, h, w = image.shape
    crop = np.zeros((image.shape[0], bottom - top + 1, right - left + 1), image.dtype)
    y0, x0, y1, x1 = max(top, 0), max(left, 0), min(bottom, h - 1), min(right, w - 1)
    if y0 <= y1 and x0 <= x1:
        crop[:, y0 - top : y1 - top + 1, x0 - left : x1 - left + 1] = image[:, y0 : y1 + 1, x0 : x1 + 1]
    return crop


def _best_per_digit(
    net: Network,
    images: np.ndarray,
    stages: Sequence[int],
    progress: Callable[[int, int], None] | None,
    cancelled: Callable[[], bool] | None,
) -> dict[int, tuple[np.ndarray, np.ndarray]] | None:
    """Per stage: each digit's strongest value (N, C) in every channel and its flat position (N, C)."""
    count, last = len(images), max(stages)
    best = {
        stage: (
            np.empty((count, net.stage_shape(stage)[0]), np.float32),
            np.empty((count, net.stage_shape(stage)[0]), np.int64),
        )
        for stage in stages
    }
    for start in range(0, count, BATCH):
        if cancelled is not None and cancelled():
            return None
        out = np.asarray(images[start : start + BATCH], np.float32)
        for index, layer in enumerate(net.layers[:last]):
            out, _ = layer.forward(out)
            if index + 1 in best:
                flat = out.reshape(out.shape[0], out.shape[1], -1)
                where = flat.argmax(axis=-1)
                values, positions = best[index + 1]
                positions[start : start + len(out)] = where
                values[start : start + len(out)] = np.take_along_axis(flat, where[..., None], axis=-1)[..., 0]
        if progress is not None:
            progress(min(start + BATCH, count), count)
    return best


def compute_galleries(
    net: Network,
    images: np.ndarray,
    count: int = DEFAULT_COUNT,
    stages: Sequence[int] | None = None,
    progress: Callable[[int, int], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
) -> dict[int, list[Gallery]] | None:
    """Galleries of every channel of ``stages`` (default: :func:`gallery_stages`) over ``images``.

    ``images`` is (N, C, H, W) or, for one-channel digits, (N, H, W) float32 in [0, 1].
    ``progress(done, total)`` is called after each batch of digits; when ``cancelled()`` turns
    True the work stops and None is returned. Returns {stage: [gallery of channel 0, 1, ...]}.
    """
    images = np.asarray(images)
    if images.ndim == 3:
        images = images[:, None]
    if images.shape[1:] != net.input_shape:
        raise ValueError(f"images must be (N, {', '.join(map(str, net.input_shape))}), got {images.shape}")
    stages = list(stages) if stages is not None else gallery_stages(net)
    for stage in stages:
        if not 1 <= stage <= len(net.layers) or len(net.stage_shape(stage)) != 3:
            raise ValueError(f"stage {stage} is not an image stage of the network")
    if not stages or len(images) == 0:
        return {stage: [] for stage in stages}
    best = _best_per_digit(net, images, stages, progress, cancelled)
    if best is None:
        return None
    result: dict[int, list[Gallery]] = {}
    for stage in stages:
        values, positions = best[stage]
        layer = net.layers[stage - 1]
        width = net.stage_shape(stage)[2]
        take = min(count, len(images))
        galleries = []
        for channel in range(values.shape[1]):
            column = values[:, channel]
            chosen = np.argpartition(-column, take - 1)[:take]
            chosen = chosen[np.lexsort((chosen, -column[chosen]))]  # strongest first, ties by index
            patches = []
            for image_index in chosen:
                y, x = divmod(int(positions[image_index, channel]), width)
                unit = Unit(stage, channel, y, x)
                box = receptive_box(net, unit)
                crop = crop_box(images[image_index], box)
                patches.append(Patch(int(image_index), unit, float(column[image_index]), box, crop))
            weights = layer.params["weight"][channel].copy() if isinstance(layer, Conv2D) else None
            galleries.append(Gallery(stage, channel, tuple(patches), weights))
        result[stage] = galleries
    return result
