"""Why the network decided: how much each input pixel moves one score.

A target is a :class:`~cnn_desktop.engine.Unit` (any number of any stage) or a class index (a
unit of the last stage). The saliency of a pixel is d(target)/d(pixel): the local sensitivity of
the score. Gradient x input weighs it by the pixel's own value, so background pixels (0) get none.
Both are computed in the dtype of the image, so a float64 image gives a float64 gradient (what
the finite-difference checks need) and the app's float32 image stays float32.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..engine import Network, Unit

Target = Unit | int


def class_unit(net: Network, label: int) -> Unit:
    """The unit of the last stage that holds the score of class ``label``."""
    stage = len(net.layers)
    shape = net.stage_shape(stage)
    count = int(np.prod(shape))
    if not 0 <= label < count:
        raise IndexError(f"class {label} is outside the {count} outputs of the network")
    if len(shape) == 1:
        return Unit(stage, 0, 0, label)
    channel, rest = divmod(label, shape[1] * shape[2])
    return Unit(stage, channel, *divmod(rest, shape[2]))


def target_unit(net: Network, target: Target) -> Unit:
    """``target`` as a unit: a class index becomes the last stage's unit for that class.

    A unit outside its stage raises IndexError (NumPy would quietly wrap a negative index).
    """
    if not isinstance(target, Unit):
        return class_unit(net, int(target))
    if not 0 <= target.stage <= len(net.layers):
        raise IndexError(f"the network has stages 0 to {len(net.layers)}, not {target.stage}")
    shape = net.stage_shape(target.stage)
    size = (1, 1, *shape) if len(shape) == 1 else shape
    if not all(0 <= value < limit for value, limit in zip((target.channel, target.y, target.x), size, strict=True)):
        raise IndexError(f"{target} is outside stage {target.stage} of shape {shape}")
    return target


def forward_to(net: Network, images: np.ndarray, stage: int) -> tuple[np.ndarray, list[object]]:
    """Stage ``stage`` of a batch (N, C, H, W), kept in the batch's dtype, and the layers' caches."""
    out, caches = images, []
    for layer in net.layers[:stage]:
        out, cache = layer.forward(out)
        caches.append(cache)
    return out, caches


def unit_values(out: np.ndarray, unit: Unit) -> np.ndarray:
    """The value of ``unit`` in each image of a stage batch: (N,)."""
    return out[:, unit.x] if out.ndim == 2 else out[:, unit.channel, unit.y, unit.x]


def unit_gradient(net: Network, image: np.ndarray, target: Target) -> tuple[float, np.ndarray]:
    """The target's value for ``image`` (C, H, W) and its gradient with respect to every pixel.

    Only the layers up to the target's stage run, forward then backward, once.
    """
    unit = target_unit(net, target)
    image = np.asarray(image)
    if image.shape != net.input_shape:
        raise ValueError(f"image must have shape {net.input_shape}, got {image.shape}")
    if image.dtype != np.float64:
        image = image.astype(np.float32)
    out, caches = forward_to(net, image[None], unit.stage)
    value = float(unit_values(out, unit)[0])
    seed = np.zeros_like(out)
    if out.ndim == 2:
        seed[0, unit.x] = 1
    else:
        seed[0, unit.channel, unit.y, unit.x] = 1
    for index in range(unit.stage - 1, -1, -1):
        seed, _ = net.layers[index].backward(seed, caches[index])
    return value, seed[0]


@dataclass(frozen=True)
class Saliency:
    """Gradient saliency of one target for one image; maps are (C, H, W) like the image."""

    unit: Unit
    score: float
    gradient: np.ndarray
    gradient_x_input: np.ndarray

    def limit(self, which: str = "gradient") -> float:
        """Largest absolute value of a map: the half-range of a symmetric (diverging) colour scale."""
        return float(np.abs(getattr(self, which)).max(initial=0.0))


def saliency(net: Network, image: np.ndarray, target: Target) -> Saliency:
    """Gradient and gradient x input of ``target`` for ``image`` (C, H, W)."""
    unit = target_unit(net, target)
    score, gradient = unit_gradient(net, image, unit)
    return Saliency(unit, score, gradient, gradient * np.asarray(image, gradient.dtype))
