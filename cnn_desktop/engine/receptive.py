"""Which units depend on which: receptive fields down to the input, and influence upwards.

Stages number the tensors of a network: stage 0 is the input image, stage ``i + 1`` the output of
layer ``i``. A unit is (channel, y, x) of an image stage, or feature ``x`` of a flat stage.
Masks are boolean arrays shaped like the stage they belong to: (C, H, W) or (F,).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .layers import Conv2D, Dense, Flatten, MaxPool2D, Pool2D, scatter_windows, window_view
from .unit import Unit

if TYPE_CHECKING:
    from .network import Network

Box = tuple[int, int, int, int]


def _check_unit(net: Network, stage: int, y: int, x: int) -> None:
    if not 0 <= stage <= len(net.layers):
        raise IndexError(f"the network has stages 0 to {len(net.layers)}, not {stage}")
    shape = net.stage_shape(stage)
    rows, cols = (1, shape[0]) if len(shape) == 1 else shape[1:]
    if not (0 <= y < rows and 0 <= x < cols):
        raise IndexError(f"unit ({y}, {x}) is outside the {rows}x{cols} output of stage {stage}")


def receptive_box(net: Network, unit: Unit, in_stage: int = 0) -> Box:
    """(top, left, bottom, right) inclusive box of stage ``in_stage`` that ``unit`` reads.

    The box is not clipped: rows or columns outside the stage's extent are zero padding. A unit of
    a flat layer (after flatten) reads the whole image of the stage before the flatten.
    """
    _check_unit(net, unit.stage, unit.y, unit.x)
    top, left, bottom, right = unit.y, unit.x, unit.y, unit.x
    for index in range(unit.layer, in_stage - 1, -1):
        current = net.layers[index]
        in_shape = net.stage_shape(index)
        if isinstance(current, (Conv2D, Pool2D)):
            k, s = current.kernel if isinstance(current, Conv2D) else current.size, current.stride
            d = current.dilation if isinstance(current, Conv2D) else 1
            pad_top = current.padding.top if isinstance(current, Conv2D) else 0
            pad_left = current.padding.left if isinstance(current, Conv2D) else 0
            top, bottom = top * s - pad_top, bottom * s - pad_top + d * (k - 1)
            left, right = left * s - pad_left, right * s - pad_left + d * (k - 1)
        elif isinstance(current, (Flatten, Dense)):
            if len(in_shape) == 3:
                top, left, bottom, right = 0, 0, in_shape[1] - 1, in_shape[2] - 1
            else:
                top, left, bottom, right = 0, 0, 0, in_shape[0] - 1
    return top, left, bottom, right


def _unit_mask(net: Network, stage: int, channel: int | None, y: int, x: int) -> np.ndarray:
    _check_unit(net, stage, y, x)
    mask = np.zeros(net.stage_shape(stage), dtype=bool)
    if mask.ndim == 1:
        mask[x] = True
    elif channel is None:
        mask[:, y, x] = True
    elif not 0 <= channel < mask.shape[0]:  # a negative index would silently pick a channel from the end
        raise IndexError(f"channel {channel} is outside the {mask.shape[0]} channels of stage {stage}")
    else:
        mask[channel, y, x] = True
    return mask


def field_masks(net: Network, unit: Unit, activations: list[np.ndarray] | None = None) -> list[np.ndarray]:
    """The units of every stage 0..``unit.stage`` that ``unit`` depends on.

    Without ``activations`` this is the geometric field (every tap of every window). With the
    activations of one image (each (C, H, W) or (F,), input first, i.e. ``[image] + outputs``),
    a max pool passes the dependence only to its winners (every tied maximum), which answers the
    lecture's "what numbers were involved in computing this value?".
    """
    masks = [_unit_mask(net, unit.stage, unit.channel, unit.y, unit.x)]
    for index in range(unit.layer, -1, -1):
        current, out_mask = net.layers[index], masks[0]
        in_shape = net.stage_shape(index)
        if isinstance(current, Conv2D):
            p = current.padding
            reached = out_mask.any(axis=0)[None, None, :, :, None, None]
            k = current.kernel
            dwin = np.broadcast_to(reached, (1, 1, *out_mask.shape[1:], k, k)).astype(np.float32)
            padded = (in_shape[1] + p.top + p.bottom, in_shape[2] + p.left + p.right)
            hits = scatter_windows(dwin, padded, current.stride, current.dilation)[0, 0]
            hits = hits[p.top : p.top + in_shape[1], p.left : p.left + in_shape[2]] > 0
            in_mask = np.broadcast_to(hits, in_shape).copy()
        elif isinstance(current, Pool2D):
            k = current.size
            chosen = np.broadcast_to(out_mask[..., None], (*out_mask.shape, k * k))
            if isinstance(current, MaxPool2D) and activations is not None:
                win = current.windows(activations[index][None])[0]
                chosen = chosen & (win == win.max(axis=-1, keepdims=True))
            dwin = chosen.astype(np.float32).reshape(1, *out_mask.shape, k, k)
            in_mask = scatter_windows(dwin, in_shape[1:], current.stride)[0] > 0
        elif isinstance(current, Flatten):
            in_mask = out_mask.reshape(in_shape)
        elif isinstance(current, Dense):
            in_mask = np.full(in_shape, out_mask.any())
        else:
            in_mask = out_mask.copy()
        masks.insert(0, in_mask)
    return masks


def influence_masks(net: Network, unit: Unit, every_channel: bool = False) -> list[np.ndarray]:
    """The units of every stage from ``unit.stage`` on that ``unit`` influences, one mask per stage.

    ``every_channel`` starts from the unit's position in every channel (a pixel of a colour image).
    """
    masks = [_unit_mask(net, unit.stage, None if every_channel else unit.channel, unit.y, unit.x)]
    for current in net.layers[unit.stage :]:
        in_mask = masks[-1]
        if isinstance(current, Conv2D):
            hit = current.padding.apply(in_mask.any(axis=0)[None, None].astype(np.float32))
            reached = window_view(hit, current.kernel, current.stride, current.dilation).any(axis=(-1, -2))
            out_mask = np.broadcast_to(reached[0, 0] > 0, (current.out_channels, *reached.shape[2:])).copy()
        elif isinstance(current, Pool2D):
            out_mask = window_view(in_mask[None], current.size, current.stride).any(axis=(-1, -2))[0]
        elif isinstance(current, Flatten):
            out_mask = in_mask.reshape(-1)
        elif isinstance(current, Dense):
            out_mask = np.full(current.out_features, in_mask.any())
        else:
            out_mask = in_mask.copy()
        masks.append(out_mask)
    return masks
