"""Ready-made kernels, written the way the lecture writes them (Qt-free NumPy).

A kernel preset is ``(scale, grid)``: the kernel is ``scale * grid`` (the box blur is 1/9 times a
3x3 grid of ones). The classic 3x3 kernels are fixed; identity, blurs, zero and random also come
in other sizes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from .input_channels import LUMA

__all__ = [
    "CHANNEL_KERNEL_PRESETS",
    "KERNEL_PRESETS",
    "KERNEL_PRESET_TIPS",
    "channel_kernel_preset",
    "fill_with_preset",
    "kernel_preset",
    "random_kernel",
]

_HORIZONTAL_EDGES = np.array([[-1, -1, -1], [2, 2, 2], [-1, -1, -1]], np.float32)
_SOBEL_X = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], np.float32)

KERNEL_PRESETS: dict[str, tuple[float, np.ndarray]] = {
    "Identity": (1.0, np.array([[0, 0, 0], [0, 1, 0], [0, 0, 0]], np.float32)),
    "Box blur": (1 / 9, np.ones((3, 3), np.float32)),
    "Gaussian blur": (1 / 16, np.array([[1, 2, 1], [2, 4, 2], [1, 2, 1]], np.float32)),
    "Sharpen": (1.0, np.array([[0, -1, 0], [-1, 5, -1], [0, -1, 0]], np.float32)),
    "Horizontal edges": (1.0, _HORIZONTAL_EDGES),
    "Vertical edges": (1.0, _HORIZONTAL_EDGES.T.copy()),
    "Sobel x": (1.0, _SOBEL_X),
    "Sobel y": (1.0, _SOBEL_X.T.copy()),
    "Laplacian": (1.0, np.array([[0, 1, 0], [1, -4, 1], [0, 1, 0]], np.float32)),
    "Emboss": (1.0, np.array([[-2, -1, 0], [-1, 1, 1], [0, 1, 2]], np.float32)),
    "Zero": (1.0, np.zeros((3, 3), np.float32)),
}
"""Preset name -> (scale, 3x3 grid); the kernel is ``scale * grid``."""

for _scale, _grid in KERNEL_PRESETS.values():
    _grid.setflags(write=False)

KERNEL_PRESET_TIPS: dict[str, str] = {
    "Identity": "Copies the input: the output is the input without its border",
    "Box blur": "1/9 x all ones: each output is the mean of its 3x3 window",
    "Gaussian blur": "1/16 x [1 2 1; 2 4 2; 1 2 1]: a softer blur that weights the centre most",
    "Sharpen": "Boosts the centre against its neighbours: edges get crisper",
    "Horizontal edges": "[-1 -1 -1; 2 2 2; -1 -1 -1]: responds to horizontal lines (the lecture's kernel)",
    "Vertical edges": "The transpose of the horizontal-edge kernel: responds to vertical lines",
    "Sobel x": "Brightness change from left to right (responds to vertical edges)",
    "Sobel y": "Brightness change from top to bottom (responds to horizontal edges)",
    "Laplacian": "Second derivative: responds to spots and outlines, zero on flat areas",
    "Emboss": "Lights the image from the top left, like a relief",
    "Zero": "All weights zero: the output is just the bias",
    "Random": "Random weights, rounded to one decimal",
}


CHANNEL_KERNEL_PRESETS: dict[str, str] = {
    "Red horizontal edges": "The horizontal-edge kernel on the red channel, 0 on green and blue: red lines only",
    "Green horizontal edges": "The horizontal-edge kernel on the green channel, 0 on red and blue: green lines only",
    "Blue horizontal edges": "The horizontal-edge kernel on the blue channel, 0 on red and green: blue lines only",
    "Colour to grey": "0.299 x red + 0.587 x green + 0.114 x blue at the centre: the picture's grey (luma)",
}
"""Presets for a whole kernel of depth 3 (red, green, blue input) -> tooltip: one slice per channel."""


def channel_kernel_preset(name: str, depth: int, k: int = 3) -> tuple[float, np.ndarray]:
    """Preset ``name`` of :data:`CHANNEL_KERNEL_PRESETS` as (scale, (depth, k, k) grids); ValueError if none.

    The colour presets need depth 3 (red, green, blue); "Colour to grey" is a 1x1 kernel's weights
    placed at the centre of an odd k x k one, so a 1x1 conv gives exactly the grey picture.
    """
    key = next((key for key in CHANNEL_KERNEL_PRESETS if key.lower() == name.strip().lower()), None)
    if key is None:
        raise ValueError(f"unknown channel preset {name!r} (expected one of {', '.join(CHANNEL_KERNEL_PRESETS)})")
    if depth != 3:
        raise ValueError(f"the {key} preset needs a colour input (red, green, blue), not {depth} channels")
    _check_kernel_size(k)
    grids = np.zeros((3, k, k), np.float32)
    if key == "Colour to grey":
        if k % 2 == 0:
            raise ValueError(f"the {key} preset needs an odd kernel size (a centre cell), not {k}x{k}")
        grids[:, k // 2, k // 2] = LUMA  # the very weights grey_of uses: the result is the grey picture
        return 1.0, grids
    if k != 3:
        raise ValueError(f"the {key} preset exists only as a 3x3 kernel, not {k}x{k}")
    grids[("Red", "Green", "Blue").index(key.split()[0])] = _HORIZONTAL_EDGES
    return 1.0, grids


def random_kernel(k: int, rng: np.random.Generator | None = None) -> np.ndarray:
    """A random k x k grid (He-scaled normal, std sqrt(2 / k^2)), rounded to one decimal."""
    _check_kernel_size(k)
    rng = rng if rng is not None else np.random.default_rng()
    values = rng.normal(0.0, math.sqrt(2.0 / (k * k)), (k, k))
    return (np.round(values, 1) + 0.0).astype(np.float32)


def kernel_preset(name: str, k: int = 3, rng: np.random.Generator | None = None) -> tuple[float, np.ndarray]:
    """Preset ``name`` as (scale, k x k grid); raises ValueError when it has no k x k form.

    Identity exists for every odd k, box blur, Gaussian blur (binomial weights), zero and random
    for every k; the other presets are 3x3 only.
    """
    _check_kernel_size(k)
    key = _preset_key(name)
    if key == "Random":
        return 1.0, random_kernel(k, rng)
    if k == 3:
        scale, grid = KERNEL_PRESETS[key]
        return scale, grid.copy()
    if key == "Identity":
        if k % 2 == 0:
            raise ValueError(f"the identity kernel needs an odd size (a centre cell), not {k}x{k}")
        grid = np.zeros((k, k), np.float32)
        grid[k // 2, k // 2] = 1
        return 1.0, grid
    if key == "Box blur":
        return 1.0 / (k * k), np.ones((k, k), np.float32)
    if key == "Gaussian blur":
        row = np.array([math.comb(k - 1, i) for i in range(k)], np.float32)
        grid = np.outer(row, row)
        return 1.0 / float(grid.sum()), grid
    if key == "Zero":
        return 1.0, np.zeros((k, k), np.float32)
    raise ValueError(f"the {key} preset exists only as a 3x3 kernel, not {k}x{k}")


def fill_with_preset(
    weights: np.ndarray,
    name: str,
    in_channel: int,
    targets: Sequence[int],
    current: int,
    rng: np.random.Generator | None = None,
) -> dict[int, float]:
    """Write preset ``name`` into the kernels (target, ``in_channel``) of ``weights`` (out, in, k, k).

    Returns the factor of each target's kernel. "Random" draws a new kernel for every target but
    ``current`` (which gets the first draw). Raises ValueError, writing nothing, when the preset
    has no k x k form.
    """
    k = weights.shape[2]
    scale, grid = kernel_preset(name, k, rng)
    kernels = {}
    for target in targets:
        if _preset_key(name) == "Random" and target != current:
            kernels[target] = kernel_preset(name, k, rng)
        else:
            kernels[target] = (scale, grid)
    for target, (factor, kernel) in kernels.items():
        weights[target, in_channel] = np.float32(factor) * kernel
    return {target: factor for target, (factor, _) in kernels.items()}


def _preset_key(name: str) -> str:
    wanted = name.strip().lower()
    for key in (*KERNEL_PRESETS, "Random"):
        if key.lower() == wanted:
            return key
    raise ValueError(f"unknown kernel preset {name!r} (expected one of {', '.join(KERNEL_PRESETS)}, Random)")


def _check_kernel_size(k: int) -> None:
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(f"a kernel size is a whole number from 1 up, got {k!r}")
