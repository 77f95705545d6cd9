"""Which panels the presentation layout shows for a scene (Qt-free).

A lecture slide reads ``input * kernel = output``, then ``ReLU ->``, ``max pool ->``, with a number
in every cell. :func:`panels_for` decides, from a network and a scene's view options, which panels
make that row: the input stage, the kernel(s) of the scene's conv layer, and each later stage up to
the first one that is no longer an activation or a pooling, or the class probabilities of a network
that ends in a dense layer. How large they are drawn is :mod:`.presentation_fit`'s job.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..engine import Network
from ..input_channels import MAX_CHANNELS, channel_names, reads_picture
from ..number_text import format_value
from .kernel_factors import parse_factor
from .view_options import ViewOptions

__all__ = ["PanelSpec", "kernel_factor", "kernel_slices", "number_units", "panels_for"]

NUMBERED_CELLS = 12 * 12
"""A map with more cells than this (a 28x28 digit) is drawn as an image, without numbers."""


IMAGE_UNITS = 10.0
"""Side, in cell units, of an image drawn without numbers: it should not dwarf the numbered grids."""


NARROW = {".": 0.5, "-": 0.6}
"""Widths of the narrow characters of a cell's number, in digit widths."""


MAX_NUMBER_UNITS = 2.5


SMALL_MAP_ZOOM = 1.5
"""Extra size of a map of at most 2x2 cells (a pooled result): it is what the slide is about."""


@dataclass(frozen=True)
class PanelSpec:
    """One panel of the row: a stage's map(s), a layer's kernels, or the class probabilities.

    ``grids`` grids of ``rows`` x ``cols`` cells each (padding included); ``units`` is a cell's side
    in layout units (1 for numbered grids, smaller for a large image). ``operator`` is written
    before the panel (``"*"``, ``"="``, ``"ReLU \u2192"``); ``key`` marks the output the caption is about.
    """

    kind: str  # "map", "kernels" or "probabilities"
    label: str
    operator: str
    stage: int | None = None
    layer: int | None = None
    grids: int = 1
    rows: int = 1
    cols: int = 1
    pad: int = 0
    numbers: bool = True
    units: float = 1.0
    key: bool = False

    def cell_px(self, unit: int) -> int:
        """Side of one cell in pixels when a layout unit is ``unit`` pixels."""
        return max(1, math.floor(unit * self.units))


def kernel_factor(text: str) -> float:
    """The scene's kernel factor (``"1/9"``) as a number; 1 for anything unusable."""
    try:
        return parse_factor(str(text))
    except ValueError:
        return 1.0


def panels_for(
    network: Network, options: ViewOptions | dict[str, Any] | None = None, stages: list[np.ndarray] | None = None
) -> list[PanelSpec]:
    """The panels of the slide for ``network`` shown with a scene's view ``options``.

    The kernels are those of ``options["kernel_layer"]`` (default: the first conv layer); the
    maps that follow are the outputs of that layer and of each activation or pooling after it,
    until a layer that is not one of those. A network ending in a dense layer shows its class
    probabilities instead of those maps. A conv layer with several kernels followed by a ReLU
    shows only the ReLU's map (one stacked feature map, as the slide does).

    With the result's ``stages`` (stage 0 = input (C, H, W), ...), a grid whose numbers are long
    (``0.33``) gets larger cells than one of short numbers (``-4``), so both read at one size.
    """
    options = options.to_json() if isinstance(options, ViewOptions) else (options or {})
    spec = network.spec
    convs = [index for index, entry in enumerate(spec) if entry["type"] == "conv"]
    layer = options.get("kernel_layer", convs[0] if convs else None)
    if layer not in convs:
        layer = convs[0] if convs else None
    first = 0 if layer is None else layer
    pad = int(spec[layer].get("padding", 0)) if layer is not None else 0
    panels = [_map_panel(network, stages, first, "input" if first == 0 else "map", "", pad=pad)]
    if layer is not None:
        out_channels, in_channels, size, _ = network.params[f"{layer}.weight"].shape
        factor = str(options.get("kernel_factor", "1"))
        operator = "*" if kernel_factor(factor) == 1 else f"* {factor} \u00d7"
        label = "kernel" if out_channels == 1 else f"{out_channels} kernels"
        weights = kernel_slices(network, layer) / kernel_factor(factor)
        if len(weights) > out_channels:
            label += f" {size}x{size}x{in_channels}"
        numbered = panels[0].numbers  # beside a digit drawn as an image, kernels are small colour patches
        panels.append(
            PanelSpec(
                "kernels",
                label,
                operator,
                layer=layer,
                grids=len(weights),
                rows=size,
                cols=size,
                numbers=numbered,
                units=number_units(weights) if numbered else 1.0,
            )
        )
    if spec and spec[-1]["type"] == "dense":
        panels.append(PanelSpec("probabilities", "class probabilities", "\u2192 CNN \u2192", layer=len(spec) - 1))
        return _mark_key(panels)
    index = first
    while index < len(spec):
        entry = spec[index]
        if index > first and entry["type"] not in ("relu", "maxpool", "avgpool"):
            break
        follows_relu = index + 1 < len(spec) and spec[index + 1]["type"] == "relu"
        if entry["type"] == "conv" and follows_relu and network.shapes[index][0] > 1:
            panels.append(_map_panel(network, stages, index + 2, "ReLU feature map", "="))
            index += 2
            continue
        operator = "=" if entry["type"] == "conv" else _operator(entry)
        name = "output" if entry["type"] == "conv" else ""
        panels.append(_map_panel(network, stages, index + 1, name, operator))
        index += 1
    return _mark_key(panels)


def _operator(entry: dict[str, Any]) -> str:
    kind = entry["type"]
    if kind == "relu":
        return "ReLU \u2192"
    if kind in ("maxpool", "avgpool"):
        size = int(entry.get("size", 2))
        stride = int(entry.get("stride", size))
        name = "max pool" if kind == "maxpool" else "avg pool"
        step = "" if stride == size else f" /{stride}"
        return f"{name}\n{size}x{size}{step} \u2192"
    return "\u2192"


def number_units(values: np.ndarray) -> float:
    """Cell side, in layout units, that writes the widest of ``values`` as large as a 2-digit number.

    Widths count in digits (a point or minus sign is narrower); 1 for numbers of up to 2 digits.
    """
    texts = {format_value(value) for value in np.asarray(values, np.float64).ravel()[:4096]}
    widest = max((sum(NARROW.get(char, 1.0) for char in text) for text in texts), default=1.0)
    return float(min(MAX_NUMBER_UNITS, max(1.0, widest / 1.9)))


def kernel_slices(network: Network, layer: int) -> np.ndarray:
    """(grids, k, k) kernels a panel shows for conv ``layer``: every slice of each kernel when it
    reads the input picture (3x3xd, d <= 4: kernel o's slices are grids o*d ... o*d + d - 1),
    else each kernel's first slice."""
    weights = network.params[f"{layer}.weight"]
    if reads_picture(network.spec, layer) and 1 < weights.shape[1] <= MAX_CHANNELS:
        return weights.reshape(-1, *weights.shape[2:])
    return weights[:, 0]


def _map_panel(
    network: Network, stages: list[np.ndarray] | None, stage: int, name: str, operator: str, pad: int = 0
) -> PanelSpec:
    channels, height, width = network.stage_shape(stage)
    numbered = height * width <= NUMBERED_CELLS
    units = IMAGE_UNITS / max(height + 2 * pad, width + 2 * pad)
    if numbered:
        units = number_units(stages[stage]) if stages is not None and stage < len(stages) else 1.0
        units *= SMALL_MAP_ZOOM if max(height, width) <= 2 else 1.0
    shape = f"{height}x{width}" if channels == 1 else f"{channels}x{height}x{width}"  # d x H x W, as everywhere
    if stage == 0 and channels > 1 and numbered:
        shape += f": {', '.join(channel_names(channels))}"
    return PanelSpec(
        "map",
        f"{name} {shape}".strip(),
        operator,
        stage=stage,
        grids=channels if numbered else 1,
        rows=height + 2 * pad,
        cols=width + 2 * pad,
        pad=pad,
        numbers=numbered,
        units=units,
    )


def _mark_key(panels: list[PanelSpec]) -> list[PanelSpec]:
    last = panels[-1]
    return [*panels[:-1], PanelSpec(**{**last.__dict__, "key": True})]
