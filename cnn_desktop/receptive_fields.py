"""What a selected unit sees and what it influences, worked out for one image.

Qt-free; the compute worker runs :func:`analyse_selection` next to the forward pass, so views only
draw the boxes and masks it returns. Stage 0 is the input, stage ``i + 1`` the output of layer ``i``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .engine import Network, Unit, field_masks, influence_masks, receptive_box

Box = tuple[int, int, int, int]


@dataclass(frozen=True)
class FieldAnalysis:
    """The receptive field of ``selection`` in every earlier stage, and its influence on later ones.

    ``boxes[s]`` is the unclipped (top, left, bottom, right) window in image stage ``s`` (None for
    flat stages); ``field[s]`` the geometric field as a mask shaped like stage ``s``; ``contributors[s]``
    the units that actually produced the value for this image (a max pool passes only its winners);
    ``influence[s]`` for stages after the selection, the units it feeds.
    """

    selection: Unit
    boxes: dict[int, Box | None]
    field: dict[int, np.ndarray]
    contributors: dict[int, np.ndarray]
    influence: dict[int, np.ndarray]
    caption: str


@dataclass(frozen=True)
class FieldGeometry:
    """The parts of a :class:`FieldAnalysis` that depend on the network and the unit, not the image.

    A pixel edit keeps them, so the compute worker keeps them too and only redoes ``contributors``.
    """

    selection: Unit
    boxes: dict[int, Box | None]
    field: dict[int, np.ndarray]
    influence: dict[int, np.ndarray]


def field_geometry(network: Network, selection: Unit) -> FieldGeometry:
    """Boxes, geometric field and influence of ``selection`` in ``network``."""
    s = selection
    influence = dict(enumerate(influence_masks(network, s), start=s.stage))
    if s.stage == 0:
        unit = np.zeros(network.input_shape, bool)
        unit[s.channel, s.y, s.x] = True
        return FieldGeometry(s, {0: (s.y, s.x, s.y, s.x)}, {0: unit}, influence)
    boxes: dict[int, Box | None] = {}
    for stage in range(s.stage + 1):
        flat = len(network.stage_shape(stage)) == 1
        boxes[stage] = None if flat else receptive_box(network, s, in_stage=stage)
    return FieldGeometry(s, boxes, dict(enumerate(field_masks(network, s))), influence)


def analyse_selection(
    network: Network, stages: list[np.ndarray], selection: Unit, geometry: FieldGeometry | None = None
) -> FieldAnalysis:
    """Boxes, masks and a one-line caption for ``selection``, given one image's ``stages``.

    ``geometry``, if given, is ``field_geometry(network, selection)`` computed earlier.
    """
    s = selection
    if geometry is None or geometry.selection != s:
        geometry = field_geometry(network, s)
    if s.stage == 0:
        caption = f"input pixel ({s.y}, {s.x}) = {float(stages[0][s.channel, s.y, s.x]):.4g}; " + _influence_text(
            network, geometry.influence
        )
        return FieldAnalysis(s, geometry.boxes, geometry.field, geometry.field, geometry.influence, caption)
    contributors = dict(enumerate(field_masks(network, s, activations=stages)))
    caption = field_caption(network, selection, geometry.field, contributors)
    return FieldAnalysis(s, geometry.boxes, geometry.field, contributors, geometry.influence, caption)


def field_caption(
    network: Network, selection: Unit, field: dict[int, np.ndarray], contributors: dict[int, np.ndarray]
) -> str:
    """E.g. ``layer 2 (maxpool 2x2) unit (0, 1) sees 16 input pixels (4x4), rows 0-3, cols 2-5``."""
    s = selection
    unit = f"channel {s.channel} unit ({s.y}, {s.x})" if network.stage_shape(s.stage)[0] > 1 else f"unit ({s.y}, {s.x})"
    if len(network.stage_shape(s.stage)) == 1:
        unit = f"unit {s.x}"
    seen = int(field[0].any(axis=0).sum())
    top, left, bottom, right = receptive_box(network, s)
    size = f"{bottom - top + 1}x{right - left + 1}"
    extent = f"({size})" if seen == (bottom - top + 1) * (right - left + 1) else f"in a {size} window"
    text = (
        f"{network.stage_name(s.stage)} {unit} sees {seen} input pixels {extent}, "
        f"rows {_span(top, bottom)}, cols {_span(left, right)}"
    )
    _, height, width = network.input_shape
    area = (bottom - top + 1) * (right - left + 1)
    padding_cells = area - _clipped_area(top, left, bottom, right, height, width)
    if padding_cells:
        text += f"; {padding_cells} cells of its window are zero padding"
    used = int(contributors[0].any(axis=0).sum())
    if used != seen:
        text += f"; for this image the value came from {used} of them, through the max-pool winners"
    return text


def _span(first: int, last: int) -> str:
    return f"{first}-{last}" if first >= 0 else f"{first} to {last}"


def _clipped_area(top: int, left: int, bottom: int, right: int, height: int, width: int) -> int:
    rows = max(0, min(bottom, height - 1) - max(top, 0) + 1)
    cols = max(0, min(right, width - 1) - max(left, 0) + 1)
    return rows * cols


def _influence_text(network: Network, influence: dict[int, np.ndarray]) -> str:
    last = max(influence)
    if last == 0:
        return "no layers after it"
    count = int(influence[last].sum())
    return f"it influences {count} units of {network.stage_name(last)}"
