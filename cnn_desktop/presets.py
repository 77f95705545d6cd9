"""Ready-made kernels and input images, and the small grid transforms the pixel editor offers.

Qt-free NumPy. A kernel preset is ``(scale, grid)``: the kernel is ``scale * grid``, written the
way the lecture writes it (the box blur is 1/9 times a 3x3 grid of ones). Image presets are
float32 (H, W) grids in [0, 1] (0 background, 1 ink) at any grid size.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np

__all__ = [
    "IMAGE_PRESETS",
    "KERNEL_PRESETS",
    "KERNEL_PRESET_TIPS",
    "LECTURE_IMAGE",
    "crop_or_pad",
    "image_preset",
    "invert_image",
    "kernel_preset",
    "parse_number",
    "random_kernel",
    "resample",
    "scale_text",
    "shift_image",
]

# ----- kernels
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


def _preset_key(name: str) -> str:
    wanted = name.strip().lower()
    for key in (*KERNEL_PRESETS, "Random"):
        if key.lower() == wanted:
            return key
    raise ValueError(f"unknown kernel preset {name!r} (expected one of {', '.join(KERNEL_PRESETS)}, Random)")


def _check_kernel_size(k: int) -> None:
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(f"a kernel size is a whole number from 1 up, got {k!r}")


def scale_text(scale: float) -> str:
    """A scale factor as the lecture writes it: ``1/9``, ``1/16``, ``2``, ``0.3``."""
    scale = float(scale)
    if not math.isfinite(scale):
        return str(scale)
    fraction = Fraction(scale).limit_denominator(256)
    if fraction == 0 or abs(float(fraction) - scale) > 1e-6 * abs(scale):
        return f"{scale:.4g}"
    if fraction.denominator == 1:
        return str(fraction.numerator)
    decimal = f"{scale:.4f}".rstrip("0")
    if abs(fraction.numerator) != 1 and abs(float(decimal) - scale) < 1e-9:
        return decimal  # 0.3 rather than 3/10
    if abs(fraction.numerator) <= 16:
        return f"{fraction.numerator}/{fraction.denominator}"
    return f"{scale:.4g}"


def parse_number(text: str) -> float:
    """A number as a person types it: ``0.5``, ``-2``, ``,5`` (decimal comma) or ``1/9``.

    Raises ValueError with a readable message. NaN and infinity parse; callers that cannot take
    them say so themselves.
    """
    cleaned = text.strip().replace(",", ".").replace("\u2212", "-")
    if not cleaned:
        raise ValueError("type a number, e.g. 0.5, -2 or 1/9")
    top, slash, bottom = cleaned.partition("/")
    try:
        numerator, denominator = float(top), float(bottom) if slash else 1.0
    except ValueError:
        raise ValueError(f"{text.strip()!r} is not a number (type e.g. 0.5, -2 or 1/9)") from None
    if denominator == 0:
        raise ValueError(f"{text.strip()!r} divides by zero")
    return numerator / denominator


# ----- images
LECTURE_IMAGE = np.array(
    [
        [0, 0, 0, 0, 0, 0, 0],
        [0, 0, 1, 1, 1, 0, 0],
        [0, 1, 1, 1, 1, 1, 0],
        [0, 1, 1, 1, 0, 0, 0],
        [0, 1, 1, 1, 1, 1, 0],
        [0, 0, 1, 1, 1, 0, 0],
        [0, 0, 0, 0, 0, 0, 0],
    ],
    np.float32,
)
"""The lecture's 7x7 input image (slide_examples.json ``input_image``)."""
LECTURE_IMAGE.setflags(write=False)

IMAGE_PRESETS: dict[str, str] = {
    "Lecture 7x7 shape": "The 7x7 shape of the lecture slides (scaled up to the grid)",
    "Blank": "All pixels 0 (background)",
    "Vertical bar": "A vertical stroke in the middle",
    "Horizontal bar": "A horizontal stroke in the middle",
    "Diagonal": "A stroke from the top left to the bottom right",
    "Checkerboard": "Alternating squares of ink and background",
}
"""Image preset name -> tooltip."""


def _shape_of(size: int | tuple[int, int]) -> tuple[int, int]:
    height, width = (size, size) if isinstance(size, (int, np.integer)) else size
    if height < 1 or width < 1:
        raise ValueError(f"a grid needs at least one row and column, got {height}x{width}")
    return int(height), int(width)


def image_preset(name: str, size: int | tuple[int, int]) -> np.ndarray:
    """Image preset ``name`` as a float32 (H, W) grid; ``size`` is N (square) or (H, W).

    Shapes are drawn as on a 7x7 grid scaled up: the bars and the checker squares are about a
    seventh of the grid wide, so a 7x7 grid shows one-pixel strokes.
    """
    height, width = _shape_of(size)
    key = next((key for key in IMAGE_PRESETS if key.lower() == name.strip().lower()), None)
    if key is None:
        raise ValueError(f"unknown image preset {name!r} (expected one of {', '.join(IMAGE_PRESETS)})")
    image = np.zeros((height, width), np.float32)
    if key == "Lecture 7x7 shape":
        return resample(LECTURE_IMAGE, (height, width), smooth=False)
    rows, cols = np.arange(height)[:, None], np.arange(width)[None, :]
    if key == "Vertical bar":
        thick, margin = _stroke(width), height // 7
        left = (width - thick) // 2
        image[margin : height - margin, left : left + thick] = 1
    elif key == "Horizontal bar":
        thick, margin = _stroke(height), width // 7
        top = (height - thick) // 2
        image[top : top + thick, margin : width - margin] = 1
    elif key == "Diagonal":
        # distance of each pixel centre from the line through the corners, in pixels
        distance = np.abs((rows + 0.5) * width / height - (cols + 0.5))
        image[distance < _stroke(min(height, width)) / 2] = 1
    elif key == "Checkerboard":
        block = max(1, round(min(height, width) / 7))
        image[((rows // block) + (cols // block)) % 2 == 1] = 1
    return image


def _stroke(extent: int) -> int:
    return max(1, round(extent / 7))


# ----- grid transforms
def _overlap_weights(n_out: int, n_in: int) -> np.ndarray:
    """(n_out, n_in) matrix: how much of input cell j lies under output cell i, rows sum to 1."""
    edges_out = np.arange(n_out + 1) * (n_in / n_out)
    low = np.maximum(edges_out[:-1, None], np.arange(n_in)[None, :])
    high = np.minimum(edges_out[1:, None], np.arange(1, n_in + 1)[None, :])
    weights = np.clip(high - low, 0.0, None)
    return weights / weights.sum(axis=1, keepdims=True)


def resample(image: np.ndarray, shape: tuple[int, int], smooth: bool = True) -> np.ndarray:
    """``image`` (H, W) resized to ``shape``: area averaging (``smooth``) or nearest pixel.

    Area averaging keeps thin strokes visible when shrinking and copies pixels exactly when
    growing by a whole factor (7x7 -> 28x28 gives 4x4 blocks).
    """
    image = np.asarray(image, np.float32)
    height, width = _shape_of(shape)
    if image.shape == (height, width):
        return image.copy()
    if not smooth:
        rows = np.minimum((np.arange(height) + 0.5) * image.shape[0] / height, image.shape[0] - 1).astype(int)
        cols = np.minimum((np.arange(width) + 0.5) * image.shape[1] / width, image.shape[1] - 1).astype(int)
        return image[rows[:, None], cols[None, :]].copy()
    along_rows = _overlap_weights(height, image.shape[0]).astype(np.float32)
    along_cols = _overlap_weights(width, image.shape[1]).astype(np.float32)
    return (along_rows @ image @ along_cols.T).astype(np.float32)


def crop_or_pad(image: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """``image`` centred in a grid of ``shape``: cut at the edges or surrounded by zeros."""
    image = np.asarray(image, np.float32)
    height, width = _shape_of(shape)
    out = np.zeros((height, width), np.float32)
    src_top, dst_top = max(0, (image.shape[0] - height) // 2), max(0, (height - image.shape[0]) // 2)
    src_left, dst_left = max(0, (image.shape[1] - width) // 2), max(0, (width - image.shape[1]) // 2)
    rows, cols = min(height, image.shape[0]), min(width, image.shape[1])
    out[dst_top : dst_top + rows, dst_left : dst_left + cols] = image[
        src_top : src_top + rows, src_left : src_left + cols
    ]
    return out


def shift_image(image: np.ndarray, down: int, right: int) -> np.ndarray:
    """``image`` moved ``down`` rows and ``right`` columns (negative: up/left); zeros enter."""
    image = np.asarray(image, np.float32)
    out = np.zeros_like(image)
    height, width = image.shape
    if abs(down) >= height or abs(right) >= width:
        return out
    out[max(0, down) : height + min(0, down), max(0, right) : width + min(0, right)] = image[
        max(0, -down) : height + min(0, -down), max(0, -right) : width + min(0, -right)
    ]
    return out


def invert_image(image: np.ndarray) -> np.ndarray:
    """1 - v for every pixel: ink becomes background and back."""
    return (1.0 - np.asarray(image, np.float32)).astype(np.float32)
