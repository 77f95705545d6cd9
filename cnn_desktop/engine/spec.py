"""The JSON-serialisable description of a network, checked and turned into layers.

A spec is a list of dicts such as ``{"type": "conv", "out_channels": 8, "kernel": 3}``. Omitted
keys take their defaults; an impossible spec raises :class:`SpecError` naming the layer and why,
e.g. ``layer 3 (conv 5x5): input is only 3x3 after layer 2 (maxpool 2x2), smaller than the 5x5 kernel``.
"""

from __future__ import annotations

import math
from typing import Any

from ..untrusted import shown, whole_number
from .layers import (
    AvgPool2D,
    Conv2D,
    Dense,
    Flatten,
    Layer,
    MaxPool2D,
    Padding,
    ReLU,
    Shape,
    output_size,
)

LayerSpec = dict[str, Any]

DEFAULTS: dict[str, LayerSpec] = {
    "conv": {"out_channels": 8, "kernel": 3, "stride": 1, "padding": 0, "dilation": 1},
    "relu": {},
    "maxpool": {"size": 2, "stride": None},
    "avgpool": {"size": 2, "stride": None},
    "flatten": {},
    "dense": {"out_features": 10},
}
LAYER_TYPES = tuple(DEFAULTS)
MAX_KERNEL = 7
MAX_CHANNELS = 512
MAX_FEATURES = 4096
MAX_LAYERS = 100
MAX_PARAMS = 20_000_000  # 80 MB of float32 weights: far beyond any teaching network
MAX_FEATURE_VALUES = 20_000_000
"""Most values all feature maps of one image may hold together (80 MB of float32): a spec with few
weights can still ask for huge maps (e.g. a hundred padded 1x1 convs), so both are capped."""

MNIST_SPEC: list[LayerSpec] = [
    {"type": "conv", "out_channels": 8, "kernel": 3, "stride": 1, "padding": 0, "dilation": 1},
    {"type": "relu"},
    {"type": "maxpool", "size": 2, "stride": 2},
    {"type": "conv", "out_channels": 16, "kernel": 3},
    {"type": "relu"},
    {"type": "maxpool", "size": 2},
    {"type": "flatten"},
    {"type": "dense", "out_features": 10},
]
"""The default MNIST network of the app: 1x28x28 in, 10 class scores out."""


class SpecError(ValueError):
    """An impossible network description; the message names the layer and the reason.

    ``layer`` is the index of the offending layer (None when the whole spec or input is wrong).
    """

    def __init__(self, message: str, layer: int | None = None) -> None:
        super().__init__(message)
        self.layer = layer


def layer_label(entry: LayerSpec) -> str:
    """Short name of a (normalised) spec entry: ``conv 3x3``, ``maxpool 2x2``, ``dense 10``."""
    kind = entry.get("type")
    if kind == "conv":
        return f"conv {entry['kernel']}x{entry['kernel']}"
    if kind in ("maxpool", "avgpool"):
        return f"{kind} {entry['size']}x{entry['size']}"
    if kind == "dense":
        return f"dense {entry['out_features']}"
    return str(kind)


def layer_name(index: int, entry: LayerSpec) -> str:
    """``layer 3 (conv 3x3)``: how the app names a layer everywhere."""
    return f"layer {index} ({layer_label(entry)})"


def _int_setting(entry: LayerSpec, key: str, low: int, high: int, fail) -> int:
    value = entry[key]
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        fail(f"{key} must be a whole number from {low} to {high}, got {shown(value, 30)}")
    return value


def normalise_entry(index: int, entry: Any) -> LayerSpec:
    """A full copy of one spec entry with defaults filled in and every value checked."""
    if not isinstance(entry, dict):
        raise SpecError(f"layer {index}: expected a dict with a 'type', got {shown(entry, 40)}", index)
    kind = entry.get("type")
    if not isinstance(kind, str) or kind not in DEFAULTS:  # a list or dict 'type' would raise TypeError
        raise SpecError(
            f"layer {index}: unknown layer type {shown(kind, 30)} (expected one of {', '.join(LAYER_TYPES)})", index
        )
    unknown = sorted(str(key) for key in set(entry) - set(DEFAULTS[kind]) - {"type"})
    if unknown:
        raise SpecError(f"layer {index} ({kind}): unknown setting {shown(unknown[0], 30)}", index)
    full = {"type": kind, **DEFAULTS[kind], **entry}

    def fail(reason: str) -> None:
        raise SpecError(f"layer {index} ({kind}): {reason}", index)

    if kind == "conv":
        _int_setting(full, "out_channels", 1, MAX_CHANNELS, fail)
        _int_setting(full, "kernel", 1, MAX_KERNEL, fail)
        _int_setting(full, "stride", 1, 8, fail)
        _int_setting(full, "dilation", 1, 8, fail)
        pad = full["padding"]
        if isinstance(pad, str):
            if pad not in ("same", "valid"):
                fail(f"padding must be a whole number, 'same' or 'valid', got {shown(pad, 30)}")
            if pad == "same" and full["stride"] != 1:
                fail("padding 'same' needs stride 1")
        else:
            _int_setting(full, "padding", 0, 16, fail)
    elif kind in ("maxpool", "avgpool"):
        _int_setting(full, "size", 1, 8, fail)
        if full["stride"] is None:
            full["stride"] = full["size"]
        _int_setting(full, "stride", 1, 8, fail)
    elif kind == "dense":
        _int_setting(full, "out_features", 1, MAX_FEATURES, fail)
    return full


def conv_padding(entry: LayerSpec) -> Padding:
    """Zero padding of a conv entry; 'same' puts the odd pixel, if any, at the bottom/right."""
    pad = entry["padding"]
    if pad == "valid":
        return Padding()
    if pad == "same":
        total = entry["dilation"] * (entry["kernel"] - 1)
        before = total // 2
        return Padding(before, total - before, before, total - before)
    return Padding(pad, pad, pad, pad)


def check_input_shape(input_shape: Any) -> Shape:
    """The network's input shape as a (C, H, W) tuple of whole numbers from 1 to 4096 (28.9 is refused)."""
    if not (isinstance(input_shape, (list, tuple)) and len(input_shape) == 3):
        raise SpecError(f"input shape must be (channels, height, width), got {shown(input_shape, 40)}")
    if not all(whole_number(v, 1, 4096) for v in input_shape):
        raise SpecError(f"input shape must be three whole numbers from 1 to 4096, got {shown(input_shape, 40)}")
    return tuple(int(v) for v in input_shape)


def build_layers(spec: Any, input_shape: Any) -> tuple[list[LayerSpec], list[Layer], list[Shape]]:
    """Normalised spec, the layers, and each layer's output shape; raises :class:`SpecError`."""
    if not isinstance(spec, (list, tuple)):
        raise SpecError(f"a network spec is a list of layers, got {type(spec).__name__}")
    if len(spec) > MAX_LAYERS:
        raise SpecError(f"a network has at most {MAX_LAYERS} layers, this one has {len(spec)}")
    shape = check_input_shape(input_shape)
    entries: list[LayerSpec] = []
    layers: list[Layer] = []
    shapes: list[Shape] = []
    total_params = feature_values = 0
    for index, raw in enumerate(spec):
        entry = normalise_entry(index, raw)
        where = f"after {layer_name(index - 1, entries[-1])}" if entries else "(the input image)"
        name = layer_name(index, entry)
        total_params += _weight_count(entry, shape)
        if total_params > MAX_PARAMS:
            raise SpecError(f"{name}: the network would have over {MAX_PARAMS:,} weights, too many for this app", index)
        try:
            layer = _make_layer(entry, shape, name, where)
        except SpecError as exc:
            raise SpecError(str(exc), index) from None
        shapes.append(layer.output_shape(shape))
        shape = shapes[-1]
        feature_values += math.prod(shape)
        if feature_values > MAX_FEATURE_VALUES:
            raise SpecError(
                f"{name}: the feature maps would hold over {MAX_FEATURE_VALUES:,} values, too many for this app", index
            )
        entries.append(entry)
        layers.append(layer)
    return entries, layers, shapes


def feature_value_count(spec: list[LayerSpec], input_shape: Shape) -> int:
    """Values all feature maps of a normalised ``spec`` hold for one image of ``input_shape``.

    Shape inference only, nothing is allocated: used to ask whether a network would still fit
    the app at a larger input than the one it was built for. A layer that leaves nothing counts 0.
    """
    shape, total = tuple(input_shape), 0
    for entry in spec:
        kind = entry["type"]
        if kind == "flatten":
            shape = (math.prod(shape),)
        elif kind == "dense":
            shape = (entry["out_features"],)
        elif kind in ("conv", "maxpool", "avgpool") and len(shape) == 3:
            c, h, w = shape
            if kind == "conv":
                pad = conv_padding(entry)
                k, s, d = entry["kernel"], entry["stride"], entry["dilation"]
                c = entry["out_channels"]
                h, w = output_size(h, k, s, pad.top + pad.bottom, d), output_size(w, k, s, pad.left + pad.right, d)
            else:
                h, w = output_size(h, entry["size"], entry["stride"]), output_size(w, entry["size"], entry["stride"])
            shape = (c, max(h, 0), max(w, 0))
        total += math.prod(shape)
    return total


def _weight_count(entry: LayerSpec, shape: Shape) -> int:
    """Weights and biases a layer will hold, counted before any memory is taken for them."""
    if entry["type"] == "conv":
        return entry["out_channels"] * (shape[0] * entry["kernel"] ** 2 + 1)
    if entry["type"] == "dense":
        return entry["out_features"] * (math.prod(shape) + 1)
    return 0


def _make_layer(entry: LayerSpec, shape: Shape, name: str, where: str) -> Layer:
    kind = entry["type"]
    if kind in ("relu", "flatten"):
        return ReLU() if kind == "relu" else Flatten()
    if kind == "dense":
        if len(shape) != 1:
            raise SpecError(
                f"{name}: needs a flat input, but the input is {_shape_text(shape)} {where}; "
                "add a flatten layer before it"
            )
        return Dense(shape[0], entry["out_features"])
    if len(shape) != 1:
        c, h, w = shape
    else:
        raise SpecError(f"{name}: needs an image input, but the input is a vector of {shape[0]} {where}")
    if kind == "conv":
        pad = conv_padding(entry)
        k, d = entry["kernel"], entry["dilation"]
        span = d * (k - 1) + 1
        if min(output_size(h, k, 1, pad.top + pad.bottom, d), output_size(w, k, 1, pad.left + pad.right, d)) < 1:
            padded = (
                f" ({h + pad.top + pad.bottom}x{w + pad.left + pad.right} with padding)" if pad != Padding() else ""
            )
            what = f"the {k}x{k} kernel" + (f" (dilated to {span}x{span})" if d > 1 else "")
            raise SpecError(f"{name}: input is only {h}x{w} {where}{padded}, smaller than {what}")
        return Conv2D(c, entry["out_channels"], k, entry["stride"], pad, d)
    size = entry["size"]
    if min(h, w) < size:
        raise SpecError(f"{name}: input is only {h}x{w} {where}, smaller than the {size}x{size} window")
    return (MaxPool2D if kind == "maxpool" else AvgPool2D)(size, entry["stride"])


def _shape_text(shape: Shape) -> str:
    return "x".join(str(v) for v in shape)
