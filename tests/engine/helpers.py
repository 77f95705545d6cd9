"""The numerical gradient check shared by every engine test.

:func:`check_gradients` compares an analytic backward pass with central finite differences, in
float64. The scalar being differentiated is ``sum(out * dout)`` for a random upstream gradient
``dout``, so every output unit takes part with its own weight and a backward that mixes up units,
channels or positions cannot pass by symmetry. :func:`check_layer` is the same check for one layer
of the engine, run on float64 copies of its input and parameters.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np

from cnn_desktop.engine import Layer

Arrays = Mapping[str, np.ndarray]

EPS = 1e-6
"""Step of the central differences; the layers are piecewise linear, so rounding dominates."""

RTOL = 1e-5
"""Largest allowed relative error: the worst element error over the largest gradient magnitude."""


def check_gradients(
    forward: Callable[[], tuple[np.ndarray, object]],
    backward: Callable[[np.ndarray, object], Arrays],
    arrays: Arrays,
    *,
    seed: int = 0,
    eps: float = EPS,
    rtol: float = RTOL,
    max_checks: int | None = None,
) -> dict[str, float]:
    """Assert that ``backward`` is the gradient of ``forward`` with respect to every array in ``arrays``.

    ``forward()`` computes ``(out, cache)`` from the *current* contents of ``arrays`` (float64 arrays
    that the check perturbs in place, one element at a time, and restores). ``backward(dout, cache)``
    returns the analytic gradients keyed like ``arrays``. ``max_checks`` limits the elements checked
    per array to a random subset (every element when None). Returns the relative error per array.
    """
    for name, array in arrays.items():
        assert array.dtype == np.float64, f"{name} must be float64 for the check, got {array.dtype}"
    rng = np.random.default_rng(seed)
    out, cache = forward()
    assert np.asarray(out).dtype == np.float64, f"forward dropped float64: output is {np.asarray(out).dtype}"
    dout = rng.standard_normal(np.shape(out))
    analytic = backward(dout.copy(), cache)
    assert set(analytic) == set(arrays), f"backward returned gradients for {sorted(analytic)}, not {sorted(arrays)}"

    def objective() -> float:
        value, _ = forward()
        return float(np.sum(np.asarray(value, dtype=np.float64) * dout))

    errors = {}
    for name, array in arrays.items():
        grad = np.asarray(analytic[name])
        assert grad.shape == array.shape, f"gradient of {name} has shape {grad.shape}, expected {array.shape}"
        indices = np.arange(array.size)
        if max_checks is not None and array.size > max_checks:
            indices = rng.choice(array.size, max_checks, replace=False)
        numeric = np.empty(len(indices))
        flat = array.reshape(-1)  # a view: the arrays handed in must be contiguous
        assert np.shares_memory(flat, array), f"{name} must be a contiguous array"
        for slot, index in enumerate(indices):
            original = flat[index]
            flat[index] = original + eps
            plus = objective()
            flat[index] = original - eps
            minus = objective()
            flat[index] = original
            numeric[slot] = (plus - minus) / (2 * eps)
        expected = grad.reshape(-1)[indices]
        scale = max(np.abs(numeric).max(initial=0.0), np.abs(expected).max(initial=0.0), 1e-8)
        error = float(np.abs(numeric - expected).max(initial=0.0) / scale)
        worst = int(indices[np.argmax(np.abs(numeric - expected))]) if len(indices) else -1
        assert error < rtol, (
            f"gradient of {name} is wrong: relative error {error:.3g} (worst at flat index {worst}: "
            f"numeric {numeric[np.argmax(np.abs(numeric - expected))]:.6g}, "
            f"analytic {expected[np.argmax(np.abs(numeric - expected))]:.6g})"
        )
        errors[name] = error
    return errors


def check_layer(layer: Layer, x: np.ndarray, *, seed: int = 0, max_checks: int | None = None) -> dict[str, float]:
    """:func:`check_gradients` for one engine layer: its input and every parameter, in float64.

    The layer's parameter arrays are replaced by float64 copies (so perturbing them changes the
    layer); the forward output shape must equal ``layer.output_shape`` of the input shape.
    """
    for name in layer.params:
        layer.params[name] = np.ascontiguousarray(layer.params[name], dtype=np.float64)
    x = np.ascontiguousarray(x, dtype=np.float64)
    arrays = {"x": x, **layer.params}

    def forward() -> tuple[np.ndarray, object]:
        return layer.forward(x)

    def backward(dout: np.ndarray, cache: object) -> Arrays:
        dx, grads = layer.backward(dout, cache)
        return {"x": dx, **grads}

    out, _ = forward()
    assert out.shape == (x.shape[0], *layer.output_shape(x.shape[1:])), "forward disagrees with output_shape"
    return check_gradients(forward, backward, arrays, seed=seed, max_checks=max_checks)


def separated_values(shape: tuple[int, ...], rng: np.random.Generator, gap: float = 0.05) -> np.ndarray:
    """Random float64 values, all at least ``gap`` apart and at least ``gap / 2`` away from zero.

    Finite differences are only valid away from kinks: ties in a max pool or zeros at a ReLU.
    """
    size = int(np.prod(shape))
    values = (np.arange(size) - size // 2 + 0.5) * gap
    return rng.permutation(values).reshape(shape)
