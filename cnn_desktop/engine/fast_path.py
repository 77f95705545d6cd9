"""The training step and batch inference of a network, run fast: batch-last stages, buffers made once.

Gives the same loss, gradients and outputs as the layer-by-layer passes up to float32 rounding
(the order of some sums differs). Large batches run as sub-batches of :data:`SUB_BATCH` images,
whose maps stay in the processor's cache; their gradients are summed.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

import numpy as np

from . import batch_last as bl
from .layers import Layer, Shape
from .losses import softmax_cross_entropy
from .stages import Stage, build_stages

SUB_BATCH = 64
"""Images per sub-batch: small enough that a step's maps fit in the cache."""

KEPT_PLANS = 4
"""Batch sizes whose buffers are kept (a training run uses two: the batch and the epoch's remainder)."""


class Plan:
    """The stages of one network for one batch size, with the input buffer they start from."""

    def __init__(self, layers: list[Layer], input_shape: Shape, shapes: list[Shape], n: int) -> None:
        self.input = np.empty((*input_shape, n), np.float32)
        self.stages: list[Stage] = build_stages(layers, input_shape, shapes, n)
        first = next((i for i, stage in enumerate(self.stages) if stage.layer_index is not None), len(self.stages))
        self.needs_dx = [i > first for i in range(len(self.stages))]  # nothing before the first weights

    def forward(self, x: np.ndarray, train: bool) -> np.ndarray:
        """The last stage's output (F, N) for ``x`` (N, C, H, W); a buffer of this plan."""
        out = bl.to_batch_last(x, self.input)
        for stage in self.stages:
            out = stage.forward(out, train)
        self.out_shape = out.shape
        return out

    def backward(self, dlogits: np.ndarray, grads: dict[str, np.ndarray]) -> None:
        """Add every parameter's gradient into ``grads`` (created on first use) from ``dlogits`` (N, F)."""
        dout = np.ascontiguousarray(dlogits.T).reshape(self.out_shape)
        for stage, need_dx in zip(reversed(self.stages), reversed(self.needs_dx), strict=True):
            if stage.layer_index is None and not need_dx:
                break
            dout, layer_grads = stage.backward(dout, need_dx)
            for name, grad in layer_grads.items():
                key = f"{stage.layer_index}.{name}"
                if key in grads:
                    grads[key] += grad
                else:
                    grads[key] = grad


class FastPath:
    """Plans of one network, one per sub-batch size, used by one thread at a time."""

    def __init__(self, layers: list[Layer], input_shape: Shape, shapes: list[Shape]) -> None:
        self.layers, self.input_shape, self.shapes = layers, input_shape, shapes
        self.plans: OrderedDict[int, Plan] = OrderedDict()
        self.lock = threading.Lock()

    def supports(self, x: np.ndarray) -> bool:
        """Float32 parameters and a non-empty batch: what the stages are written for."""
        return x.shape[0] > 0 and all(
            array.dtype == np.float32 for layer in self.layers for array in layer.params.values()
        )

    def plan(self, n: int) -> Plan:
        plan = self.plans.get(n)
        if plan is None:
            plan = self.plans[n] = Plan(self.layers, self.input_shape, self.shapes, n)
            while len(self.plans) > KEPT_PLANS:
                self.plans.popitem(last=False)
        return plan

    def forward(self, x: np.ndarray) -> np.ndarray:
        """A new (N, features) array of the network's outputs for ``x`` (N, C, H, W) float32."""
        with self.lock:
            parts = [bl.from_batch_last(self.plan(len(part)).forward(part, False)) for part in _split(x)]
        return parts[0] if len(parts) == 1 else np.concatenate(parts)

    def forward_backward(self, x: np.ndarray, labels: np.ndarray) -> tuple[float, dict[str, np.ndarray], np.ndarray]:
        """Mean loss, new gradient arrays for every parameter, and new logits (N, classes)."""
        total = x.shape[0]
        grads: dict[str, np.ndarray] = {}
        loss_sum, logits = 0.0, []
        with self.lock:
            for start, part in zip(range(0, total, SUB_BATCH), _split(x), strict=True):
                plan = self.plan(len(part))
                part_logits = bl.from_batch_last(plan.forward(part, True))
                loss, dlogits = softmax_cross_entropy(part_logits, labels[start : start + len(part)])
                if len(part) != total:  # each part's gradient is of its own mean: weigh it by its share
                    dlogits *= np.float32(len(part) / total)
                loss_sum += loss * len(part)
                plan.backward(dlogits, grads)
                logits.append(part_logits)
        return loss_sum / total, grads, logits[0] if len(logits) == 1 else np.concatenate(logits)


def _split(x: np.ndarray) -> list[np.ndarray]:
    return [x[start : start + SUB_BATCH] for start in range(0, x.shape[0], SUB_BATCH)]
