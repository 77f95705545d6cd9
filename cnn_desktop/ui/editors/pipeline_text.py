"""The words of the pipeline editor: what each layer does, and why its output has its size (Qt-free)."""

from __future__ import annotations

from ...engine.layers import Shape
from ...engine.spec import LayerSpec, conv_padding
from ...input_channels import channel_names

LAYER_HELP: dict[str, tuple[str, str]] = {
    # type: (menu text, what it does in a student's words)
    "conv": ("Convolution", "Slides small kernels of weights over its input; each kernel makes one feature map."),
    "relu": ("ReLU", "Keeps positive values and turns negative values into 0."),
    "maxpool": ("Max pooling", "Keeps the largest value of each window: the maps shrink, strong responses survive."),
    "avgpool": ("Average pooling", "Averages each window: the maps get smaller and smoother."),
    "flatten": ("Flatten", "Lays all maps out as one long row of numbers, so that a dense layer can use them."),
    "dense": (
        "Dense (fully connected)",
        "Every output is a weighted sum of all its inputs; in the last layer each output scores one class.",
    ),
}

PARAM_HELP: dict[str, str] = {
    "out_channels": "channels: how many kernels this layer has; each kernel makes one feature map",
    "kernel": "kernel size: the width and height of the square of weights that slides over the input",
    "conv_stride": "stride: how many pixels the kernel moves between outputs (2 roughly halves the map size)",
    "padding": (
        "padding: rings of zeros added around the input, so the kernel can also sit on the border.\n"
        "'same' keeps the map size (needs stride 1); 'valid' adds no zeros (the same as 0)"
    ),
    "dilation": "dilation: gaps between the kernel's weights; 2 spreads a 3x3 kernel over 5x5 pixels",
    "size": "window: the size of the square that each output summarises",
    "pool_stride": "stride: how many pixels the window moves between outputs (equal to the window: no overlap)",
    "out_features": "outputs: how many numbers this layer computes; the last layer needs one per class",
}
PADDING_CHOICES: tuple[int | str, ...] = (0, 1, 2, 3, "same", "valid")


def input_description(input_shape: Shape) -> str:
    """``The image you draw: 3 channels (red, green, blue) of 28x28 pixels`` for the input row."""
    depth, height, width = input_shape
    channels = "1 channel (grey)" if depth == 1 else f"{depth} channels ({', '.join(channel_names(depth))})"
    return f"The image you draw: {channels} of {height}x{width} pixels"


def shape_text(shape: Shape | None, last_dense: bool = False) -> str:
    """``8 × 26 × 26`` for maps (C × H × W), ``400`` for a flat layer, ``10 classes`` for the final dense layer."""
    if shape is None:
        return "?"
    if len(shape) == 1:
        return f"{shape[0]} classes" if last_dense else str(shape[0])
    return " × ".join(str(v) for v in shape)


def shape_words(shape: Shape, last_dense: bool) -> str:
    """``8 feature maps of 26x26 pixels``, ``a row of 400 numbers``, ``10 class scores``."""
    if len(shape) == 1:
        return f"{shape[0]} class scores" if last_dense else f"a row of {shape[0]} numbers"
    channels, height, width = shape
    maps = "1 feature map" if channels == 1 else f"{channels} feature maps"
    return f"{maps} of {height}x{width} pixels"


def size_formula(entry: LayerSpec, input_shape: Shape | None) -> str:
    """Why a conv or pool layer's map has its size, e.g. ``height and width: (13 + 0 − 3) / 1 + 1 = 11``."""
    if input_shape is None or len(input_shape) != 3 or entry.get("type") not in ("conv", "maxpool", "avgpool"):
        return ""
    _, height, width = input_shape
    if entry["type"] == "conv":
        if isinstance(entry["padding"], str) and entry["padding"] not in ("same", "valid"):
            return ""
        pad = conv_padding(entry)
        span = entry["dilation"] * (entry["kernel"] - 1) + 1
        pads = (pad.top + pad.bottom, pad.left + pad.right)
        what = "kernel span" if entry["dilation"] > 1 else "kernel"
    else:
        span, pads, what = entry["size"], (0, 0), "window"
    stride = entry["stride"]
    if not isinstance(stride, int) or stride < 1:
        return ""
    pooling = entry["type"] != "conv"
    padded = "input" if pooling else "input + padding"
    lines = [f"output = ({padded} − {what}) / stride + 1"]
    same = (height, pads[0]) == (width, pads[1])
    dims = [("height and width", height, pads[0])] if same else [("height", height, pads[0]), ("width", width, pads[1])]
    for name, size, padding in dims:
        out = (size + padding - span) // stride + 1
        rounded = " (rounded down)" if (size + padding - span) % stride else ""
        verdict = "  → nothing left!" if out < 1 else ""
        inner = f"{size} − {span}" if pooling else f"{size} + {padding} − {span}"
        lines.append(f"{name}: ({inner}) / {stride} + 1 = {max(out, 0)}{rounded}{verdict}")
    return "\n".join(lines)


def settings_formula(entry: LayerSpec, input_shape: Shape | None) -> str:
    """The arithmetic under a layer's settings: its output size, a flattened row, a dense layer's weights."""
    kind = entry["type"]
    if input_shape is None:
        return ""
    if kind == "flatten":
        if len(input_shape) != 3:
            return ""
        total = 1
        for value in input_shape:
            total *= value
        return f"{' × '.join(map(str, input_shape))} = {total:,} numbers in one row"
    if kind == "dense":
        if len(input_shape) != 1:
            return ""
        inputs, outputs = input_shape[0], entry["out_features"]
        return f"{outputs} outputs × {inputs} inputs = {outputs * inputs:,} weights, plus {outputs:,} biases"
    return size_formula(entry, input_shape)
