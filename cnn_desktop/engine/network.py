"""A network: a checked spec, its layers, their parameters, and the passes over them."""

from __future__ import annotations

import io
import json
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from ..fileio import atomic_write_bytes
from ..untrusted import (
    MAX_MESSAGE_CHARS,
    ByteBudget,
    UntrustedFileError,
    finite_float32,
    message,
    printable,
    read_npz,
    read_regular_file,
    shown,
)
from . import receptive
from .fast_path import FastPath
from .layers import Conv2D, Dense, Shape
from .losses import softmax, softmax_cross_entropy
from .spec import LayerSpec, build_layers, layer_label, layer_name
from .unit import Unit

FILE_FORMAT = 1
MAX_WEIGHTS_FILE_BYTES = 100 * 1024 * 1024
"""Largest weights file read, and most bytes it may unpack to: the spec caps weights at 80 MB of float32."""
MAX_SPEC_CHARS = 1024 * 1024
_NOT_WEIGHTS = "not a readable weights file (not a NumPy .npz archive, or a damaged or truncated one)"


def _is_network_key(key: str) -> bool:
    """The arrays a weights file is read for; others (notes a user added) are skipped unread."""
    return key == "spec" or key.startswith("param/")


class ModelFileError(ValueError):
    """A weights file that cannot be read; the message names the file and what is wrong."""


class Network:
    """A sequence of layers built from a spec, with shapes inferred from ``input_shape``.

    ``params`` maps ``"<layer index>.weight"`` / ``"<layer index>.bias"`` to the layers' own
    arrays: writing into them changes the network.
    """

    def __init__(self, spec: Sequence[LayerSpec], input_shape: Shape = (1, 28, 28)) -> None:
        self.spec, self.layers, self.shapes = build_layers(spec, input_shape)
        self.input_shape: Shape = tuple(int(v) for v in input_shape)
        self.params: dict[str, np.ndarray] = {
            f"{i}.{name}": array for i, layer in enumerate(self.layers) for name, array in layer.params.items()
        }
        self.fast = FastPath(self.layers, self.input_shape, self.shapes)

    @classmethod
    def from_spec(cls, spec: Sequence[LayerSpec], input_shape: Shape = (1, 28, 28), seed: int = 0) -> Network:
        net = cls(spec, input_shape)
        net.init_params(seed)
        return net

    def init_params(self, seed: int = 0) -> None:
        """He initialisation of every weight (normal, std sqrt(2 / fan_in)); biases zero."""
        rng = np.random.default_rng(seed)
        for layer in self.layers:
            if isinstance(layer, (Conv2D, Dense)):
                weight = layer.params["weight"]
                fan_in = int(np.prod(weight.shape[1:]))
                weight[...] = rng.normal(0.0, np.sqrt(2.0 / fan_in), weight.shape)
                layer.params["bias"][...] = 0

    # ----- shapes and names
    def label(self, index: int) -> str:
        """``layer 3 (conv 3x3)``: how the app names a layer everywhere."""
        return layer_name(index, self.spec[index])

    def stage_name(self, stage: int) -> str:
        """``the input image`` for stage 0, else the name of the layer whose output it is."""
        return "the input image" if stage == 0 else self.label(stage - 1)

    def stage_shape(self, stage: int) -> Shape:
        """Shape of stage ``stage``: 0 is the input, ``i + 1`` the output of layer ``i``."""
        return self.input_shape if stage == 0 else self.shapes[stage - 1]

    @property
    def output_shape(self) -> Shape:
        return self.shapes[-1] if self.shapes else self.input_shape

    # ----- passes
    def check_input(self, x: np.ndarray) -> np.ndarray:
        """``x`` as float32 (N, C, H, W) of the network's input shape, or a ValueError saying why."""
        x = np.asarray(x, dtype=np.float32)
        if x.ndim != 4 or x.shape[1:] != self.input_shape:
            want = "x".join(map(str, self.input_shape))
            raise ValueError(f"input must be a batch of shape (N, {want.replace('x', ', ')}), got {x.shape}")
        return x

    def forward(self, x: np.ndarray) -> np.ndarray:
        """The last layer's output for a batch ``x`` (N, C, H, W) float32; a new array."""
        out = self.check_input(x)
        if self.fast.supports(out):
            return self.fast.forward(out).reshape(out.shape[0], *self.output_shape)
        for layer in self.layers:
            out, _ = layer.forward(out)
        return out

    def activations(self, x: np.ndarray) -> list[np.ndarray]:
        """The output of every layer, in spec order, for a batch ``x``."""
        out, result = self.check_input(x), []
        for layer in self.layers:
            out, _ = layer.forward(out)
            result.append(out)
        return result

    def predict(self, x: np.ndarray) -> np.ndarray:
        """Softmax probabilities (N, classes) of the last layer's output."""
        out = self.forward(x)
        return softmax(out.reshape(out.shape[0], -1))

    def loss_and_grads(self, x: np.ndarray, labels: np.ndarray) -> tuple[float, dict[str, np.ndarray]]:
        """Mean softmax cross-entropy of the batch and its gradient for every parameter."""
        loss, grads, _ = self.forward_backward(x, labels)
        return loss, grads

    def forward_backward(self, x: np.ndarray, labels: np.ndarray) -> tuple[float, dict[str, np.ndarray], np.ndarray]:
        """Loss, parameter gradients and the logits (N, classes) of one training step, all new arrays.

        Runs on the fast path (fused, batch-last, buffers kept between steps) when it applies, else
        layer by layer; both give the same figures up to float32 rounding.
        """
        x = self.check_input(x)
        if self.fast.supports(x):
            return self.fast.forward_backward(x, np.asarray(labels, dtype=np.int64))
        return self.layer_by_layer_forward_backward(x, labels)

    def layer_by_layer_forward_backward(
        self, x: np.ndarray, labels: np.ndarray
    ) -> tuple[float, dict[str, np.ndarray], np.ndarray]:
        """:meth:`forward_backward` through each layer's own forward/backward pair: the reference.

        The input's own gradient is never needed here, so a first conv layer skips it.
        """
        out, caches = self.check_input(x), []
        for layer in self.layers:
            out, cache = layer.forward(out)
            caches.append(cache)
        logits = out.reshape(out.shape[0], -1)
        loss, dout = softmax_cross_entropy(logits, np.asarray(labels, dtype=np.int64))
        dout = dout.reshape(out.shape)
        grads: dict[str, np.ndarray] = {}
        for index in range(len(self.layers) - 1, -1, -1):
            layer = self.layers[index]
            if index == 0 and isinstance(layer, Conv2D):
                layer_grads = layer.param_grads(dout, caches[0])
            else:
                dout, layer_grads = layer.backward(dout, caches[index])
            for name, grad in layer_grads.items():
                grads[f"{index}.{name}"] = grad
        return loss, grads, logits

    def input_gradient(self, x: np.ndarray, unit: Unit) -> np.ndarray:
        """d(unit)/d(input) for one unit of a layer's output, for a single image (1, C, H, W)."""
        out, caches, layer = self.check_input(x), [], unit.layer
        for current in self.layers[: layer + 1]:
            out, cache = current.forward(out)
            caches.append(cache)
        seed = np.zeros_like(out)
        if out.ndim == 4:
            seed[0, unit.channel, unit.y, unit.x] = 1
        else:
            seed[0, unit.x] = 1
        for index in range(layer, -1, -1):
            seed, _ = self.layers[index].backward(seed, caches[index])
        return seed

    # ----- receptive fields
    def receptive_field(self, unit: Unit) -> tuple[int, int, int, int]:
        """(top, left, bottom, right) inclusive input box that ``unit`` depends on.

        Unclipped: a box reaching outside 0..H-1 / 0..W-1 covers zero padding.
        """
        return receptive.receptive_box(self, unit)

    # ----- copies
    def copy(self) -> Network:
        """An independent network with the same spec and a copy of every parameter."""
        twin = Network(self.spec, self.input_shape)
        for name, array in self.params.items():
            twin.params[name][...] = array
        return twin

    def rebuilt(
        self,
        spec: Sequence[LayerSpec],
        input_shape: Shape | None = None,
        seed: int = 0,
        origins: Sequence[int | None] | None = None,
    ) -> Network:
        """A network for a new spec that keeps the parameters of every layer whose shapes still fit.

        ``origins[i]`` names the old layer that new layer ``i`` comes from (None: a new layer), so
        inserting, removing or moving a layer keeps the weights of the others; by default layers
        are matched by position. New or changed layers get fresh He weights.
        """
        net = Network.from_spec(spec, input_shape or self.input_shape, seed)
        origins = list(origins) if origins is not None else list(range(len(net.spec)))
        if len(origins) != len(net.spec):
            raise ValueError(f"origins names {len(origins)} layers, the spec has {len(net.spec)}")
        for index, old_index in enumerate(origins):
            if old_index is None or not 0 <= old_index < len(self.spec):
                continue
            if self.spec[old_index]["type"] != net.spec[index]["type"]:
                continue
            for name, array in net.layers[index].params.items():
                old = self.layers[old_index].params[name]
                if old.shape == array.shape:
                    array[...] = old
        return net

    # ----- files
    def save(self, path: str | os.PathLike) -> None:
        """Spec and weights in one ``.npz`` (the spec as JSON text), written atomically."""
        arrays = {f"param/{name}": array for name, array in self.params.items()}
        arrays["spec"] = np.array(
            json.dumps({"format": FILE_FORMAT, "spec": self.spec, "input_shape": self.input_shape})
        )
        buffer = io.BytesIO()
        np.savez_compressed(buffer, **arrays)
        atomic_write_bytes(Path(path), buffer.getvalue())

    @classmethod
    def load(cls, path: str | os.PathLike) -> Network:
        """A network from :meth:`save`'s file; never unpickles, and says in one line what is wrong.

        The file is read by the app's untrusted-file rules (a regular file of bounded size, a zip
        whose members are counted and sized before they are inflated, float arrays only).
        """
        path = Path(path)
        name = path.name
        try:
            data = read_regular_file(path, MAX_WEIGHTS_FILE_BYTES)
            budget = ByteBudget(name, MAX_WEIGHTS_FILE_BYTES)
            arrays = read_npz(data, name, budget, text_keys=("spec",), unreadable=_NOT_WEIGHTS, wanted=_is_network_key)
        except UntrustedFileError as exc:
            raise ModelFileError(str(exc)) from None
        return cls.from_arrays(arrays, name)

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray], name: str = "weights") -> Network:
        """Rebuild from the arrays of a weights file, checking every shape and value (finite as float32)."""
        try:
            return cls._from_arrays(arrays, name)
        except ModelFileError as exc:
            raise ModelFileError(printable(str(exc), MAX_MESSAGE_CHARS)) from None
        except UntrustedFileError as exc:
            raise ModelFileError(str(exc)) from None
        except (RecursionError, OverflowError, MemoryError, TypeError, ValueError) as exc:
            raise ModelFileError(message(name, f"damaged network description ({type(exc).__name__})")) from None

    @classmethod
    def _from_arrays(cls, arrays: dict[str, np.ndarray], name: str) -> Network:
        stored_spec = arrays.get("spec")
        if stored_spec is None or np.asarray(stored_spec).dtype.kind != "U" or np.asarray(stored_spec).size != 1:
            raise ModelFileError(message(name, "missing or damaged network description"))
        if np.asarray(stored_spec).dtype.itemsize // 4 > MAX_SPEC_CHARS:  # before it becomes a str
            raise ModelFileError(message(name, f"the network description is over {MAX_SPEC_CHARS:,} characters"))
        spec_text = str(stored_spec)
        try:
            header = json.loads(spec_text)
            spec, input_shape, version = header["spec"], header["input_shape"], header["format"]
        except (KeyError, TypeError, ValueError, RecursionError):
            raise ModelFileError(message(name, "missing or damaged network description")) from None
        if version != FILE_FORMAT or isinstance(version, bool):
            raise ModelFileError(
                message(name, f"file format {shown(version, 30)} is not supported (expected {FILE_FORMAT})")
            )
        try:
            net = cls(spec, input_shape)
        except ValueError as exc:
            raise ModelFileError(message(name, str(exc))) from None
        for key, array in net.params.items():
            stored = arrays.get(f"param/{key}")
            if stored is None:
                raise ModelFileError(message(name, f"parameter {key} is missing"))
            if stored.shape != array.shape or stored.dtype.kind != "f":
                raise ModelFileError(
                    message(name, f"parameter {key} has shape {stored.shape} {stored.dtype}, expected {array.shape}")
                )
            array[...] = finite_float32(stored, message(name, f"parameter {key}"))
        return net

    def __repr__(self) -> str:
        layers = ", ".join(layer_label(entry) for entry in self.spec)
        return f"Network(input {self.input_shape}: {layers})"
