"""The training step and batch inference of a network, run fast: batch-last stages, buffers made once.

Gives the same loss, gradients and outputs as the layer-by-layer passes up to float32 rounding
(the order of some sums differs). Large batches run as sub-batches of :data:`SUB_BATCH` images,
whose maps stay in the processor's cache, shared between threads; their gradients are summed.
The maps the app shows come from ``Network.activations``, which never takes this path.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from . import batch_last as bl
from .layers import Layer, Shape
from .losses import softmax_cross_entropy
from .stages import Stage, build_stages

SUB_BATCH = 64
"""Images per sub-batch: small enough that a step's maps fit in the cache."""

WORKERS = min(2, os.cpu_count() or 1)
"""Threads that share a batch's sub-batches (read at each call, so it can be changed)."""

KEPT_PLANS = 4
"""Batch sizes whose buffers are kept per worker: a training run needs the batch, the epoch's
remainder and the test pass's sub-batches; older ones are dropped first."""


class Plan:
    """The stages of one network for one batch size, with the input buffer they start from."""

    def __init__(self, layers: list[Layer], input_shape: Shape, shapes: list[Shape], n: int) -> None:
        self.input = np.empty((*input_shape, n), np.float32)
        self.stages: list[Stage] = build_stages(layers, input_shape, shapes, n)
        first = next((i for i, stage in enumerate(self.stages) if stage.layer_index is not None), len(self.stages))
        self.needs_dx = [i > first for i in range(len(self.stages))]  # nothing before the first weights

    def forward(self, x: np.ndarray) -> np.ndarray:
        """The last stage's output (F, N) for ``x`` (N, C, H, W); a buffer of this plan."""
        out = bl.to_batch_last(x, self.input)
        for stage in self.stages:
            out = stage.forward(out)
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
    """Plans of one network, one per sub-batch size and worker, used by one call at a time.

    A batch of several sub-batches is shared between :data:`WORKERS` threads, each with its own
    plans: NumPy lets go of the interpreter lock inside every large operation, so they run on
    separate cores. Each sub-batch's gradients are kept apart and summed in sub-batch order, so the
    result does not depend on which thread finished first.
    """

    def __init__(self, layers: list[Layer], input_shape: Shape, shapes: list[Shape]) -> None:
        self.layers, self.input_shape, self.shapes = layers, input_shape, shapes
        self.plans: OrderedDict[tuple[int, int], Plan] = OrderedDict()
        self.lock = threading.Lock()

    def __getstate__(self) -> dict:
        """Copies (``copy.deepcopy`` of a session, a network) start without buffers or a lock."""
        return {"layers": self.layers, "input_shape": self.input_shape, "shapes": self.shapes}

    def __setstate__(self, state: dict) -> None:
        self.__init__(**state)

    def supports(self, x: np.ndarray) -> bool:
        """Float32 parameters and a non-empty batch: what the stages are written for."""
        return x.shape[0] > 0 and all(
            array.dtype == np.float32 for layer in self.layers for array in layer.params.values()
        )

    def plan(self, n: int, worker: int = 0) -> Plan:
        plan = self.plans.get((n, worker))
        if plan is None:
            plan = self.plans[n, worker] = Plan(self.layers, self.input_shape, self.shapes, n)
            while len(self.plans) > KEPT_PLANS * WORKERS:
                self.plans.popitem(last=False)
        return plan

    def _each_part(self, x: np.ndarray, work) -> list:
        """``work(plan, start, part)`` for every sub-batch of ``x``, in order, shared between the workers."""
        parts = [(start, x[start : start + SUB_BATCH]) for start in range(0, x.shape[0], SUB_BATCH)]
        workers = WORKERS if len(parts) > 1 else 1

        def run(worker: int) -> list:
            return [work(self.plan(len(part), worker), start, part) for start, part in parts[worker::workers]]

        if workers == 1:
            return run(0)
        done = [future.result() for future in [_thread_pool(workers).submit(run, w) for w in range(workers)]]
        return [done[i % workers][i // workers] for i in range(len(parts))]

    def forward(self, x: np.ndarray) -> np.ndarray:
        """A new (N, features) array of the network's outputs for ``x`` (N, C, H, W) float32."""
        with self.lock:
            parts = self._each_part(x, lambda plan, start, part: bl.from_batch_last(plan.forward(part)))
        return parts[0] if len(parts) == 1 else np.concatenate(parts)

    def forward_backward(self, x: np.ndarray, labels: np.ndarray) -> tuple[float, dict[str, np.ndarray], np.ndarray]:
        """Mean loss, new gradient arrays for every parameter, and new logits (N, classes)."""
        total = x.shape[0]

        def step(plan: Plan, start: int, part: np.ndarray) -> tuple[float, dict[str, np.ndarray], np.ndarray]:
            logits = bl.from_batch_last(plan.forward(part))
            loss, dlogits = softmax_cross_entropy(logits, labels[start : start + len(part)])
            if len(part) != total:  # each part's gradient is of its own mean: weigh it by its share
                dlogits *= np.float32(len(part) / total)
            grads: dict[str, np.ndarray] = {}
            plan.backward(dlogits, grads)
            return loss * len(part), grads, logits

        with self.lock:
            parts = self._each_part(x, step)
        grads = parts[0][1]
        for _, part_grads, _ in parts[1:]:
            for name, grad in part_grads.items():
                grads[name] += grad
        logits = [part[2] for part in parts]
        loss = sum(part[0] for part in parts) / total
        return loss, grads, logits[0] if len(logits) == 1 else np.concatenate(logits)


_pool: ThreadPoolExecutor | None = None
_pool_size = 0
_pool_lock = threading.Lock()


def _thread_pool(size: int) -> ThreadPoolExecutor:
    """Threads all networks share; their tasks never wait for one another, so sharing is safe."""
    global _pool, _pool_size
    with _pool_lock:
        if _pool is None or _pool_size < size:
            _pool, _pool_size = ThreadPoolExecutor(size, thread_name_prefix="engine"), size
        return _pool
