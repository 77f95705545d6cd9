"""One computation of everything the views draw: the forward pass and the selected unit's field.

Qt-free; the compute worker (``ui/workers.py``) calls :func:`forward_pass` off the UI thread on a
snapshot of the session, so the views only ever draw finished, consistent results.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .engine import ConvTrace, Network, PoolTrace, Unit, trace_unit
from .engine.layers import Conv2D, Pool2D
from .receptive_fields import FieldAnalysis, analyse_selection


@dataclass(frozen=True)
class ForwardResult:
    """Everything the views draw for one state of the session.

    ``stages[0]`` is the input (C, H, W); ``stages[i + 1]`` the output of layer ``i`` for one image,
    (C, H, W) or (F,). ``probabilities`` is the softmax of a dense output, else None. ``field``
    describes the selected unit, if any; ``trace`` the arithmetic of the unit the convolution player
    shows (a conv or pool output), if any.
    """

    version: int
    network: Network
    stages: list[np.ndarray]
    probabilities: np.ndarray | None = None
    field: FieldAnalysis | None = None
    trace: ConvTrace | PoolTrace | None = None


def traceable(network: Network, unit: Unit | None) -> bool:
    """True when ``unit`` is an output of a conv or pool layer of ``network`` (one the player can show).

    A unit asked for under an older pipeline may lie outside the new maps: it has no trace.
    """
    if unit is None or not 1 <= unit.stage <= len(network.layers):
        return False
    if not isinstance(network.layers[unit.layer], (Conv2D, Pool2D)):
        return False
    channels, height, width = network.shapes[unit.layer]
    return 0 <= unit.channel < channels and 0 <= unit.y < height and 0 <= unit.x < width


def forward_pass(
    version: int,
    image: np.ndarray,
    network: Network,
    selection: Unit | None = None,
    traced: Unit | None = None,
) -> ForwardResult:
    """Run ``network`` on ``image`` (H, W), analyse ``selection`` and trace ``traced``, for the views."""
    batch = image[None, None].astype(np.float32)
    with np.errstate(over="ignore", invalid="ignore"):  # typed-in huge weights show as inf, not warnings
        outputs = network.activations(batch)
        probabilities = None
        if network.spec and network.spec[-1]["type"] == "dense":
            probabilities = network.predict(batch)[0]
    stages = [batch[0]] + [out[0] for out in outputs]
    field = analyse_selection(network, stages, selection) if selection is not None else None
    trace = trace_unit(network, stages[traced.layer], traced) if traceable(network, traced) else None
    return ForwardResult(version, network, stages, probabilities, field, trace)
