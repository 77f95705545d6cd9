"""Why the network decided, tested by hiding: cover part of the image and watch the score.

Unlike a gradient, occlusion measures a real change of the score, not a local slope: a square of
``fill`` (0 = background, 0.5 = grey) is centred on each pixel in turn and the drop of the target
is written at that centre. Positive = covering there lowers the score (the evidence is there),
negative = covering there raises it. Squares are clipped at the image border.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..engine import Network
from .saliency import Target, forward_to, target_unit, unit_values

DEFAULT_SIZE = 5
"""Side of the square, in pixels: about a pen stroke's width on a 28x28 digit."""

BATCH = 128
"""Occluded images per forward pass: bounds memory (a 28x28 digit has up to 784 of them)."""


def square_masks(shape: tuple[int, int], centres: np.ndarray, size: int) -> np.ndarray:
    """(N, H, W) booleans: the pixels of a ``size`` square centred on each of ``centres`` (N, 2)."""
    h, w = shape
    first = centres - (size - 1) // 2
    rows = (np.arange(h)[None] >= first[:, :1]) & (np.arange(h)[None] < first[:, :1] + size)
    cols = (np.arange(w)[None] >= first[:, 1:]) & (np.arange(w)[None] < first[:, 1:] + size)
    return rows[:, :, None] & cols[:, None, :]


def occluded_images(image: np.ndarray, covered: np.ndarray, fill: float) -> np.ndarray:
    """Copies (N, C, H, W) of ``image`` (C, H, W), each with its ``covered[i]`` (H, W) pixels set to ``fill``."""
    batch = np.repeat(image[None], len(covered), axis=0)
    batch[np.broadcast_to(covered[:, None], batch.shape)] = fill
    return batch


def occlusion_map(
    net: Network,
    image: np.ndarray,
    target: Target,
    size: int = DEFAULT_SIZE,
    fill: float = 0.0,
    cancelled: Callable[[], bool] | None = None,
) -> np.ndarray | None:
    """Score drop (H, W) for a square centred on each pixel of ``image`` (C, H, W); None if cancelled.

    Only the layers up to the target's stage run. A square the target cannot see gives a drop of 0
    (up to float32 rounding of the batched passes).
    """
    if size < 1:
        raise ValueError(f"the occluding square needs a side of at least 1 pixel, got {size}")
    unit = target_unit(net, target)
    image = np.asarray(image, np.float32)
    if image.shape != net.input_shape:
        raise ValueError(f"image must have shape {net.input_shape}, got {image.shape}")
    _, h, w = image.shape
    centres = np.stack(np.meshgrid(np.arange(h), np.arange(w), indexing="ij"), axis=-1).reshape(-1, 2)
    covered = square_masks((h, w), centres, size)
    # a square over pixels that already hold ``fill`` leaves the image as it is: its drop is exactly 0
    changes = (covered & (image != np.float32(fill)).any(axis=0)[None]).any(axis=(1, 2))
    base_out, _ = forward_to(net, image[None], unit.stage)
    base = float(unit_values(base_out, unit)[0])
    drops = np.zeros(len(centres), np.float32)
    todo = np.flatnonzero(changes)
    for start in range(0, len(todo), BATCH):
        if cancelled is not None and cancelled():
            return None
        chunk = todo[start : start + BATCH]
        out, _ = forward_to(net, occluded_images(image, covered[chunk], fill), unit.stage)
        drops[chunk] = base - unit_values(out, unit)
    return drops.reshape(h, w)
