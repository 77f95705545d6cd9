"""Ready-made input images: the lecture's 7x7 shape, bars, a diagonal, a checkerboard (Qt-free).

Image presets are float32 (H, W) grids in [0, 1] (0 background, 1 ink) at any grid size.
"""

from __future__ import annotations

import numpy as np

from .image_ops import grid_shape, resample

__all__ = ["IMAGE_PRESETS", "LECTURE_IMAGE", "image_preset"]

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


def image_preset(name: str, size: int | tuple[int, int]) -> np.ndarray:
    """Image preset ``name`` as a float32 (H, W) grid; ``size`` is N (square) or (H, W).

    Shapes are drawn as on a 7x7 grid scaled up: the bars and the checker squares are about a
    seventh of the grid wide, so a 7x7 grid shows one-pixel strokes.
    """
    height, width = grid_shape(size)
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
