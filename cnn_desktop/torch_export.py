"""Write a network as a small PyTorch module, so a student can take it further in a real framework.

The exported file is plain, readable Python: one ``nn.Sequential`` with a named module per layer
(``conv0``, ``relu1``, ...) and a ``load`` function that reads the weights from the app's own
``.npz`` file. PyTorch is needed only to run the exported file, never by the app.

The layers match the engine one for one: cross-correlation with zero padding (an uneven 'same'
padding becomes an ``nn.ZeroPad2d`` before the conv), max and average pooling that drop a
partial last window, and a flatten in (C, H, W) order before a dense layer.
"""

from __future__ import annotations

from pathlib import Path

from .engine import Network
from .engine.layers import AvgPool2D, Conv2D, Dense, Flatten, MaxPool2D, ReLU
from .fileio import atomic_write_bytes

HEADER = '''"""{title}

Written by ``cnn-desktop export-torch``. The layers, in order:
{summary}
Usage::

    model = load("{weights}")
    scores = model(images)  # images: float32 tensor (N, {channels}, {height}, {width}) in [0, 1]
"""

from collections import OrderedDict

import numpy as np
import torch
from torch import nn


def build() -> nn.Sequential:
    """The network with untrained weights."""
    return nn.Sequential(
        OrderedDict(
            [
'''

FOOTER = '''            ]
        )
    )


# which array of the .npz file holds each parameter of the model
PARAMETERS = {parameters}


def load(path: str) -> nn.Sequential:
    """The network with the weights of the cnn-desktop file ``path`` (.npz), ready to evaluate."""
    model = build()
    with np.load(path, allow_pickle=False) as arrays:
        state = {{name: torch.from_numpy(arrays[key].astype(np.float32)) for name, key in PARAMETERS.items()}}
    model.load_state_dict(state)
    return model.eval()


if __name__ == "__main__":
    import sys

    print(load(sys.argv[1] if len(sys.argv) > 1 else "{weights}"))
'''


def _modules(index: int, layer: object) -> list[tuple[str, str]]:
    """The (name, constructor) pairs of PyTorch modules that compute engine layer ``index``."""
    if isinstance(layer, Conv2D):
        p, modules = layer.padding, []
        even = p.top == p.bottom == p.left == p.right
        if not even:
            modules.append((f"pad{index}", f"nn.ZeroPad2d(({p.left}, {p.right}, {p.top}, {p.bottom}))"))
        arguments = [f"{layer.in_channels}", f"{layer.out_channels}", f"kernel_size={layer.kernel}"]
        if layer.stride != 1:
            arguments.append(f"stride={layer.stride}")
        if even and p.top:
            arguments.append(f"padding={p.top}")
        if layer.dilation != 1:
            arguments.append(f"dilation={layer.dilation}")
        return [*modules, (f"conv{index}", f"nn.Conv2d({', '.join(arguments)})")]
    if isinstance(layer, ReLU):
        return [(f"relu{index}", "nn.ReLU()")]
    if isinstance(layer, (MaxPool2D, AvgPool2D)):
        kind = "MaxPool2d" if isinstance(layer, MaxPool2D) else "AvgPool2d"
        return [(f"pool{index}", f"nn.{kind}(kernel_size={layer.size}, stride={layer.stride})")]
    if isinstance(layer, Flatten):
        return [(f"flatten{index}", "nn.Flatten()")]
    if isinstance(layer, Dense):
        return [(f"dense{index}", f"nn.Linear({layer.in_features}, {layer.out_features})")]
    raise ValueError(f"layer {index} ({type(layer).__name__}) has no PyTorch counterpart here")


def torch_source(net: Network, weights_name: str = "model.npz") -> str:
    """The text of a Python module that rebuilds ``net`` in PyTorch and loads ``weights_name``."""
    lines, summary, parameters = [], [], {}
    for index, layer in enumerate(net.layers):
        summary.append(f"    {net.label(index)} -> {'x'.join(map(str, net.stage_shape(index + 1)))}")
        for name, constructor in _modules(index, layer):
            lines.append(f'                ("{name}", {constructor}),')
            if name.startswith(("conv", "dense")):
                for param in ("weight", "bias"):
                    parameters[f"{name}.{param}"] = f"param/{index}.{param}"
    channels, height, width = net.input_shape if len(net.input_shape) == 3 else (*net.input_shape, 1, 1)
    header = HEADER.format(
        title="A cnn-desktop network as a PyTorch module.",
        summary="\n".join(summary) + "\n",
        weights=weights_name,
        channels=channels,
        height=height,
        width=width,
    )
    listed = "{\n" + "".join(f'    "{name}": "{key}",\n' for name, key in parameters.items()) + "}"
    return header + "\n".join(lines) + "\n" + FOOTER.format(parameters=listed, weights=weights_name)


def export_torch(model_path: str | Path, out_path: str | Path) -> str:
    """Read the weights file ``model_path`` and write its PyTorch module to ``out_path``; returns the text."""
    net = Network.load(model_path)
    source = torch_source(net, Path(model_path).name)
    atomic_write_bytes(Path(out_path), source.encode("utf-8"))
    return source
