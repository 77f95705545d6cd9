"""The PyTorch twin of a :class:`~cnn_desktop.engine.Network`, for comparisons in tests and benchmarks.

PyTorch is not a dependency of the app: import this module only where ``torch`` is importable.
"""

from __future__ import annotations

import torch
from torch import nn

from cnn_desktop.engine import Network


def build_torch(net: Network) -> nn.Sequential:
    """The same layers with the same weights (copied), float32 on the CPU."""
    modules: list[nn.Module] = []
    for entry, layer in zip(net.spec, net.layers, strict=True):
        kind = entry["type"]
        if kind == "conv":
            p = layer.padding
            symmetric = p.top == p.bottom == p.left == p.right
            if not symmetric:
                modules.append(nn.ZeroPad2d((p.left, p.right, p.top, p.bottom)))
            modules.append(
                nn.Conv2d(
                    layer.in_channels,
                    layer.out_channels,
                    layer.kernel,
                    stride=layer.stride,
                    padding=p.top if symmetric else 0,
                    dilation=layer.dilation,
                )
            )
        elif kind == "relu":
            modules.append(nn.ReLU())
        elif kind == "maxpool":
            modules.append(nn.MaxPool2d(layer.size, layer.stride))
        elif kind == "avgpool":
            modules.append(nn.AvgPool2d(layer.size, layer.stride))
        elif kind == "flatten":
            modules.append(nn.Flatten())
        elif kind == "dense":
            modules.append(nn.Linear(layer.in_features, layer.out_features))
        else:
            raise ValueError(f"no PyTorch twin for layer type {kind!r}")
        if kind in ("conv", "dense"):
            with torch.no_grad():
                modules[-1].weight.copy_(torch.from_numpy(layer.params["weight"]))
                modules[-1].bias.copy_(torch.from_numpy(layer.params["bias"]))
    return nn.Sequential(*modules).float()


def torch_param_names(net: Network) -> list[str]:
    """Our parameter names in the order of the twin's ``parameters()``."""
    return [
        f"{i}.{name}"
        for i, entry in enumerate(net.spec)
        if entry["type"] in ("conv", "dense")
        for name in ("weight", "bias")
    ]
