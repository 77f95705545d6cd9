"""The lecture's "depth d (# channels)" slide as data: a 7x7 colour picture and a 3x3x3 kernel (Qt-free).

The picture has three shapes of three colours: a red horizontal bar, a green horizontal bar of the
same shape, and a blue vertical bar. The kernel's red slice is the lecture's horizontal-edge kernel
``[-1 -1 -1; 2 2 2; -1 -1 -1]`` and its green and blue slices are zero, so its output map lights
up along the red bar only: a kernel of depth d sums one 3x3 product per channel, and here only the
red one can be non-zero. A grey kernel would light up on the green bar as well.
"""

from __future__ import annotations

import numpy as np

from .kernel_presets import channel_kernel_preset

__all__ = ["COLOUR_PICTURE", "RED_EDGES_KERNEL", "colour_picture"]


def colour_picture() -> np.ndarray:
    """The 7x7 picture as float32 (3, 7, 7): red, green and blue channels in [0, 1]."""
    picture = np.zeros((3, 7, 7), np.float32)
    picture[0, 1, 1:6] = 1  # red: a horizontal bar in row 1
    picture[1, 5, 1:6] = 1  # green: the same bar in row 5
    picture[2, 2:5, 3] = 1  # blue: a vertical bar in column 3, rows 2-4
    return picture


COLOUR_PICTURE = colour_picture()
COLOUR_PICTURE.setflags(write=False)

RED_EDGES_KERNEL = channel_kernel_preset("Red horizontal edges", 3, 3)[1]
"""(3, 3, 3) float32: the horizontal-edge kernel on red, zero on green and blue."""
RED_EDGES_KERNEL.setflags(write=False)
