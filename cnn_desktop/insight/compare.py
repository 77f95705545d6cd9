"""Two inputs side by side: how much every stage changes, and whether it merely moved.

The lecture's closing claims are that convolution is shift-equivariant (shift the input, the maps
shift with it) and that pooling buys rough invariance (the pooled and dense outputs change less).
For a second image that is the first one shifted by (dy, dx) pixels, each image stage is compared
twice: as it is (``raw_change``), and after undoing the shift (``aligned_change``) where the
geometry allows it: the shift must be a whole number of the stage's pixels (a multiple of the
product of the strides before it), and only units whose receptive field lies inside the image in
both inputs are compared, so nothing the shift pushed out or pulled in takes part.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..engine import Conv2D, Network, Unit, receptive_box
from ..engine.layers import Pool2D
from ..image_ops import shift_images

DEFAULT_SHIFT = (0, 1)
"""The second input by default: the same image moved one pixel to the right."""


@dataclass(frozen=True)
class StageChange:
    """How one stage differs between input A and input B.

    ``difference`` is B - A, shaped like the stage. Changes are relative: the norm of the
    difference over the norm of A (0 when both are zero). ``moved_by`` is the shift in the stage's
    own pixels and ``aligned_change`` the change after undoing it; both None where undoing a shift
    is impossible (a flat stage, a shift that is not a whole number of the stage's pixels, or no
    unit whose field stays inside the image).
    """

    stage: int
    difference: np.ndarray
    raw_change: float
    moved_by: tuple[int, int] | None
    aligned_change: float | None
    aligned_units: int


def relative_change(a: np.ndarray, b: np.ndarray) -> float:
    """||b - a|| / ||a||, in float64; 0 for two zero arrays, inf when only A is zero."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    diff, base = float(np.linalg.norm(b - a)), float(np.linalg.norm(a))
    if base == 0.0:
        return 0.0 if diff == 0.0 else float("inf")
    return diff / base


def stage_stride(net: Network, stage: int) -> int:
    """Input pixels per pixel of ``stage``: the product of the strides of the layers before it."""
    stride = 1
    for layer in net.layers[:stage]:
        if isinstance(layer, (Conv2D, Pool2D)):
            stride *= layer.stride
    return stride


def _inside_rows(net: Network, stage: int, length: int, along: str, shift: int, limit: int) -> np.ndarray:
    """Which rows (or columns) of ``stage`` read only pixels inside the image, before and after the shift."""
    keep = np.zeros(length, bool)
    for index in range(length):
        unit = Unit(stage, 0, index, 0) if along == "y" else Unit(stage, 0, 0, index)
        top, left, bottom, right = receptive_box(net, unit)
        first, last = (top, bottom) if along == "y" else (left, right)
        keep[index] = first >= 0 and last < limit and first + shift >= 0 and last + shift < limit
    return keep


def _aligned(net: Network, stage: int, a: np.ndarray, b: np.ndarray, shift: tuple[int, int]):
    """(moved_by, aligned change, units compared) for an image stage, or (None, None, 0)."""
    stride = stage_stride(net, stage)
    dy, dx = shift
    if dy % stride or dx % stride:
        return None, None, 0
    my, mx = dy // stride, dx // stride
    _, h, w = a.shape
    _, in_h, in_w = net.input_shape
    rows = np.flatnonzero(_inside_rows(net, stage, h, "y", dy, in_h))
    cols = np.flatnonzero(_inside_rows(net, stage, w, "x", dx, in_w))
    rows = rows[(rows + my >= 0) & (rows + my < h)]
    cols = cols[(cols + mx >= 0) & (cols + mx < w)]
    if len(rows) == 0 or len(cols) == 0:
        return (my, mx), None, 0
    before = a[:, rows[:, None], cols[None, :]]
    after = b[:, rows[:, None] + my, cols[None, :] + mx]
    return (my, mx), relative_change(before, after), int(before.size)


def compare_activations(
    net: Network, stages_a: list[np.ndarray], stages_b: list[np.ndarray], shift: tuple[int, int] | None = None
) -> list[StageChange]:
    """One :class:`StageChange` per stage, input first; ``stages_*`` are ``[image] + outputs`` of one image.

    ``shift`` says that B is A's input moved down ``dy`` and right ``dx`` pixels (zeros entering).
    """
    if len(stages_a) != len(stages_b) or len(stages_a) != len(net.layers) + 1:
        raise ValueError(f"need {len(net.layers) + 1} stages for both inputs, got {len(stages_a)} and {len(stages_b)}")
    changes = []
    for stage, (a, b) in enumerate(zip(stages_a, stages_b, strict=True)):
        a, b = np.asarray(a), np.asarray(b)
        moved_by, aligned, units = None, None, 0
        if shift is not None and a.ndim == 3:
            moved_by, aligned, units = _aligned(net, stage, a, b, shift)
        difference = b.astype(np.float32) - a.astype(np.float32)
        changes.append(StageChange(stage, difference, relative_change(a, b), moved_by, aligned, units))
    return changes


def shifted(image: np.ndarray, shift: tuple[int, int] = DEFAULT_SHIFT) -> np.ndarray:
    """``image`` (C, H, W) moved ``shift = (down, right)`` pixels, zeros entering (the background)."""
    image = np.asarray(image, np.float32)
    return shift_images(image[None], np.array([shift]))[0]


def image_stages(net: Network, image: np.ndarray) -> list[np.ndarray]:
    """``[image] + every layer's output`` for one image (C, H, W), batch axis dropped."""
    image = np.asarray(image, np.float32)
    return [image] + [out[0] for out in net.activations(image[None])]


def compare_images(
    net: Network, image_a: np.ndarray, image_b: np.ndarray, shift: tuple[int, int] | None = None
) -> list[StageChange]:
    """:func:`compare_activations` of two images (C, H, W) through ``net``."""
    return compare_activations(net, image_stages(net, image_a), image_stages(net, image_b), shift)
