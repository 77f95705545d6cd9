"""A drawing turned into the kind of image MNIST's digits are, so a network trained on MNIST can read it.

MNIST did two things to every digit (LeCun, Cortes and Burges, "The MNIST database"): the ink's
bounding box was scaled, keeping its aspect ratio, to fit a 20x20 box, with anti-aliasing; then
the result was placed in a 28x28 image so that the centre of mass of its ink lies at the centre.
A digit drawn small or off-centre with the mouse is far from what the network saw in training;
after the same preparation it is close to it.
"""

from __future__ import annotations

import numpy as np

__all__ = ["INK_BOX_FRACTION", "mnist_centre", "prepare_like_mnist"]

#: The ink box MNIST fitted every digit into, as a fraction of the image side: 20 of 28 pixels.
INK_BOX_FRACTION = 20 / 28

_CENTRING_ROUNDS = 6  # each round resamples once; the centre of mass is within 1e-3 px after two or three


def mnist_centre(side: int) -> float:
    """Where MNIST put the centre of mass along a side of ``side`` pixels, in pixel indices.

    Pixel ``k`` is centred at coordinate ``k``. For 28 pixels MNIST's digits have their mass at
    14, not at the geometric centre 13.5: on the 5,000 bundled digits the mean is (13.99, 14.00)
    with a spread of 0.29, the spread of a uniform +-0.5 (MNIST moved digits by whole pixels, so
    each landed within half a pixel of 14). The centre is therefore ``side / 2``, the same half
    pixel below and right of the middle on every grid, and this function places it exactly there.
    """
    return side / 2


def prepare_like_mnist(image: np.ndarray, out_shape: tuple[int, int] | None = None) -> np.ndarray:
    """``image`` (H, W) in [0, 1], 1 = ink, prepared as MNIST prepared its digits.

    * Crop to the ink: the smallest box holding every pixel above 0.
    * Scale that box, keeping its aspect ratio, so its longer side fills 20/28 of the output
      (20 of 28 pixels; on a 56x56 output, 40 pixels). Each output pixel is the mean of the
      drawing over its area, the drawing read as uniform squares of ink: anti-aliased, and a pixel
      fully inside a stroke keeps the stroke's value.
    * Place it in an image of ``out_shape`` (default: the input's own shape) so that the ink's
      centre of mass is at :func:`mnist_centre` of each side, e.g. (14, 14) on 28x28, to a
      thousandth of a pixel (a sub-pixel offset of the same resampling, not a second blur). Ink
      that would land outside the output is cut off, as it was in MNIST.

    Returns float32 (out_H, out_W) in [0, 1]. Raises ValueError, with a message a user can read,
    for an empty image, NaN or infinite values, values outside 0-1 or a shape that is not 2-D.
    """
    pixels = _checked_image(image)
    out_h, out_w = _checked_out_shape(out_shape, pixels.shape)
    rows = np.flatnonzero(pixels.any(axis=1))
    cols = np.flatnonzero(pixels.any(axis=0))
    crop = pixels[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
    box_h, box_w = crop.shape
    scale = min(INK_BOX_FRACTION * out_h / box_h, INK_BOX_FRACTION * out_w / box_w)
    # Start with the box centred, then move it until the centre of mass sits where it belongs.
    offset_y = (out_h - scale * box_h) / 2
    offset_x = (out_w - scale * box_w) / 2
    target_y, target_x = mnist_centre(out_h), mnist_centre(out_w)
    for _ in range(_CENTRING_ROUNDS):
        rows_matrix = _area_resampling(box_h, out_h, scale, offset_y)
        cols_matrix = _area_resampling(box_w, out_w, scale, offset_x)
        placed = rows_matrix @ crop @ cols_matrix.T
        mass = placed.sum()
        if mass <= 0:  # everything was pushed outside: cannot happen for ink that fits 20/28 of the side
            break
        error_y = target_y - (placed.sum(axis=1) @ np.arange(out_h)) / mass
        error_x = target_x - (placed.sum(axis=0) @ np.arange(out_w)) / mass
        if max(abs(error_y), abs(error_x)) < 1e-4:
            break
        offset_y += error_y
        offset_x += error_x
    return np.clip(placed, 0.0, 1.0).astype(np.float32)


def _area_resampling(length_in: int, length_out: int, scale: float, offset: float) -> np.ndarray:
    """(length_out, length_in) weights of area averaging along one axis.

    Input pixel ``i`` covers ``[i, i + 1)``; it lands on ``[offset + scale * i, offset + scale * (i + 1))``
    of the output axis, whose pixel ``o`` covers ``[o, o + 1)``. A weight is the length of the
    overlap: the mean of the mapped input over output pixel ``o``.
    """
    starts = offset + scale * np.arange(length_in)
    ends = starts + scale
    out_starts = np.arange(length_out, dtype=np.float64)[:, None]
    overlap = np.minimum(out_starts + 1, ends[None, :]) - np.maximum(out_starts, starts[None, :])
    return np.clip(overlap, 0.0, None)


def _checked_image(image: np.ndarray) -> np.ndarray:
    """The image as float64 (H, W), or a ValueError saying what is wrong with it."""
    try:
        pixels = np.asarray(image, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError("the image must be a grid of numbers from 0 (background) to 1 (ink)") from None
    if pixels.ndim != 2 or 0 in pixels.shape:
        raise ValueError(f"the image must be a 2-D grid of pixels, got an array of shape {pixels.shape}")
    if not np.isfinite(pixels).all():
        raise ValueError("the image holds NaN or infinite values; every pixel must be a number from 0 to 1")
    if pixels.min() < 0 or pixels.max() > 1:
        raise ValueError(
            f"pixel values must be from 0 (background) to 1 (ink), got {pixels.min():g} to {pixels.max():g}"
            + (" (divide 0-255 images by 255)" if pixels.max() > 1 else "")
        )
    if not pixels.any():
        raise ValueError("the image is empty: draw a digit first")
    return pixels


def _checked_out_shape(out_shape: tuple[int, int] | None, default: tuple[int, ...]) -> tuple[int, int]:
    if out_shape is None:
        return int(default[0]), int(default[1])
    try:
        out_h, out_w = (int(v) for v in out_shape)
    except (TypeError, ValueError):
        raise ValueError(f"the output shape must be (height, width), got {out_shape!r}") from None
    if out_h < 2 or out_w < 2 or max(out_h, out_w) > 4096:
        raise ValueError(f"the output must be from 2x2 to 4096x4096 pixels, got {out_h}x{out_w}")
    return out_h, out_w
