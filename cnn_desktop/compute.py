"""One computation of everything the views draw: the forward pass and the selected unit's field.

Qt-free; the compute worker (``ui/workers.py``) runs a :class:`Computer` off the UI thread on a
snapshot of the session, so the views only ever draw finished, consistent results. The network
runs once per change of the image or the network; a new selection or traced unit is answered from
the stages already computed for them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .engine import ConvTrace, Network, PoolTrace, Unit, trace_unit
from .engine.layers import Conv2D, Pool2D
from .engine.losses import softmax
from .levels import symmetric_level
from .receptive_fields import FieldAnalysis, FieldGeometry, analyse_selection, field_geometry


@dataclass(frozen=True)
class ForwardResult:
    """Everything the views draw for one state of the session.

    ``stages[0]`` is the input (C, H, W); ``stages[i + 1]`` the output of layer ``i`` for one image,
    (C, H, W) or (F,). ``probabilities`` is the softmax of a dense output, else None. ``field``
    describes the selected unit, if any; ``trace`` the arithmetic of the unit the convolution player
    shows (a conv or pool output), if any. ``inputs_version`` names the image and network the stages
    belong to: two results with the same one share the very same stage arrays (only the selection or
    the traced unit differ), so a view may skip redrawing maps. ``levels[i]`` is
    ``symmetric_level(stages[i])``, found here in the worker so the views need not scan the maps.
    """

    version: int
    network: Network
    stages: list[np.ndarray]
    probabilities: np.ndarray | None = None
    field: FieldAnalysis | None = None
    trace: ConvTrace | PoolTrace | None = None
    inputs_version: int | None = None
    levels: tuple[float, ...] = ()


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


def run_network(image: np.ndarray, network: Network) -> tuple[list[np.ndarray], np.ndarray | None]:
    """Every stage of ``network`` for ``image`` (d, H, W) or grey (H, W), and the class probabilities of a dense output.

    One pass: the probabilities are the softmax of the last stage, not a second run of the network.
    The arrays are read-only: results for a new selection share them.
    """
    image = np.asarray(image, np.float32)
    batch = image[None] if image.ndim == 3 else image[None, None]  # a grey (H, W) grid is one channel
    with np.errstate(over="ignore", invalid="ignore"):  # typed-in huge weights show as inf, not warnings
        outputs = network.activations(batch)
        probabilities = None
        if network.spec and network.spec[-1]["type"] == "dense":
            probabilities = softmax(outputs[-1].reshape(1, -1))[0]
    stages = [batch[0]] + [out[0] for out in outputs]
    for array in (*stages, *([] if probabilities is None else [probabilities])):
        array.flags.writeable = False  # shared by every result of this image and network
    return stages, probabilities


def describe(
    version: int,
    network: Network,
    stages: list[np.ndarray],
    probabilities: np.ndarray | None,
    selection: Unit | None = None,
    traced: Unit | None = None,
    inputs_version: int | None = None,
    geometry: FieldGeometry | None = None,
    levels: tuple[float, ...] | None = None,
) -> ForwardResult:
    """The result for computed ``stages``: the selection's field and the traced unit's arithmetic.

    ``geometry`` is the selection's :func:`field_geometry`, when known from an earlier result;
    ``levels`` the stages' :func:`stage_levels`, when already found for these stages.
    """
    field = analyse_selection(network, stages, selection, geometry) if selection is not None else None
    trace = trace_unit(network, stages[traced.layer], traced) if traceable(network, traced) else None
    levels = stage_levels(stages) if levels is None else levels
    return ForwardResult(version, network, stages, probabilities, field, trace, inputs_version, levels)


def stage_levels(stages: list[np.ndarray]) -> tuple[float, ...]:
    """The :func:`symmetric_level` of every stage (1 ms on the UI thread per edit of a 64x64 pipeline)."""
    return tuple(symmetric_level(stage) for stage in stages)


def forward_pass(
    version: int,
    image: np.ndarray,
    network: Network,
    selection: Unit | None = None,
    traced: Unit | None = None,
) -> ForwardResult:
    """Run ``network`` on ``image`` (d, H, W), analyse ``selection`` and trace ``traced``, for the views."""
    stages, probabilities = run_network(image, network)
    return describe(version, network, stages, probabilities, selection, traced)


class Computer:
    """Computes results, keeping the stages of the last image and network it ran.

    ``inputs_version`` identifies an image and a network: a request with the same one as the last
    (a new selection, hover, a traced unit) reuses the last stages instead of running the network.
    The caller promises that the arrays behind one ``inputs_version`` never change. The image-free
    part of the selection's field is kept while the network object stays the same, so painting
    with a unit selected redoes only what the new pixels change.
    """

    def __init__(self) -> None:
        self._inputs_version: int | None = None
        self._network: Network | None = None
        self._stages: list[np.ndarray] = []
        self._probabilities: np.ndarray | None = None
        self._levels: tuple[float, ...] = ()
        self._geometry: FieldGeometry | None = None
        self.passes = 0  # forward passes run, for tests and benchmarks

    def compute(
        self,
        version: int,
        inputs_version: int,
        image: np.ndarray,
        network: Network,
        selection: Unit | None = None,
        traced: Unit | None = None,
    ) -> ForwardResult:
        """The result for this state; runs the network only when ``inputs_version`` is new."""
        if network is not self._network:
            self._geometry = None
        if inputs_version != self._inputs_version or network is not self._network:
            self._inputs_version, self._network = None, None  # a failing pass leaves no stale stages
            self._stages, self._probabilities = run_network(image, network)
            self._levels = stage_levels(self._stages)
            self._inputs_version, self._network = inputs_version, network
            self.passes += 1
        if selection is not None and (self._geometry is None or self._geometry.selection != selection):
            self._geometry = field_geometry(network, selection)
        stages, probabilities, levels = self._stages, self._probabilities, self._levels
        return describe(
            version, network, stages, probabilities, selection, traced, inputs_version, self._geometry, levels
        )
