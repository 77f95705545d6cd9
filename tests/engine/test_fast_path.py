"""The fast training path and batch inference against the layer-by-layer passes, and against PyTorch.

The layer-by-layer passes are each gradient-checked in ``test_layers.py``; here the fast path must
give the same loss, logits and every gradient on random pipelines (strides, dilations, asymmetric
'same' padding, overlapping and gapped pools, average pools, dense stacks), on batches that split
into sub-batches, and with ties in the max pools.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest

from cnn_desktop.engine import MNIST_SPEC, Network, SpecError, fast_path

INPUT_SHAPE = (2, 14, 14)


def random_spec(rng: np.random.Generator) -> list[dict]:
    """A random pipeline of conv blocks, pools and a dense head; may be impossible (checked by the caller)."""
    spec: list[dict] = []
    for _ in range(int(rng.integers(1, 4))):
        conv = {"type": "conv", "out_channels": int(rng.integers(1, 6)), "kernel": int(rng.integers(1, 5))}
        conv["dilation"] = int(rng.choice([1, 1, 2]))
        if rng.random() < 0.3:
            conv["padding"] = "same"  # an even kernel pads one pixel more at the bottom and right
        else:
            conv["stride"], conv["padding"] = int(rng.integers(1, 3)), int(rng.integers(0, 2))
        spec.append(conv)
        if rng.random() < 0.7:
            spec.append({"type": "relu"})
        kind = rng.random()
        if kind < 0.6:
            size = int(rng.integers(2, 4))
            spec.append({"type": "maxpool", "size": size, "stride": int(rng.choice([size, size - 1, size + 1]))})
        elif kind < 0.8:
            spec.append({"type": "avgpool", "size": 2, "stride": int(rng.integers(1, 3))})
        if rng.random() < 0.2:
            spec.append({"type": "relu"})
    if rng.random() < 0.8:
        spec += [{"type": "flatten"}, {"type": "dense", "out_features": int(rng.integers(2, 12))}]
        if rng.random() < 0.4:
            spec += [{"type": "relu"}, {"type": "dense", "out_features": 10}]
    return spec


def random_network(seed: int) -> Network:
    """A valid random pipeline with He weights and random (nonzero) biases."""
    rng = np.random.default_rng(seed)
    while True:
        try:
            net = Network.from_spec(random_spec(rng), INPUT_SHAPE, seed=seed)
        except SpecError:
            continue
        for name, array in net.params.items():
            if name.endswith("bias"):
                array[...] = rng.normal(0, 0.3, array.shape)
        return net


def batch(net: Network, n: int, seed: int, zero_border: bool = False) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.random((n, *net.input_shape), dtype=np.float32)
    if zero_border:  # blank background and a saturated stroke, as in digits: exact ties in the max pools
        x[:, :, :4] = 0
        x[:, :, :, -5:] = 0
        x[:, :, -5:, :6] = 1
    classes = int(np.prod(net.output_shape))
    return x, rng.integers(0, classes, n)


def assert_close(ours: np.ndarray, reference: np.ndarray, what: str, rtol: float = 1e-5) -> None:
    """Equal up to float32 rounding, relative to the largest magnitude of ``reference``."""
    assert ours.shape == reference.shape, what
    scale = max(float(np.abs(reference).max(initial=0.0)), 1e-6)
    error = float(np.abs(ours - reference).max(initial=0.0)) / scale
    assert error < rtol, f"{what}: relative error {error:.2g}"


def assert_same_step(net: Network, x: np.ndarray, labels: np.ndarray) -> None:
    loss, grads, logits = net.forward_backward(x, labels)
    ref_loss, ref_grads, ref_logits = net.layer_by_layer_forward_backward(x, labels)
    assert loss == pytest.approx(ref_loss, rel=1e-5, abs=1e-6)
    assert_close(logits, ref_logits, "logits")
    assert_close(net.forward(x).reshape(len(x), -1), ref_logits, "forward")
    assert sorted(grads) == sorted(ref_grads) == sorted(net.params)
    for name, grad in grads.items():
        assert grad.dtype == np.float32, name
        assert_close(grad, ref_grads[name], f"gradient of {name}", rtol=1e-4)


@pytest.mark.parametrize("seed", range(12))
def test_fast_step_matches_layer_by_layer_on_random_pipelines(seed: int) -> None:
    net = random_network(seed)
    for n, zero_border in ((5, False), (fast_path.SUB_BATCH * 2 + 7, seed % 2 == 0)):  # one part; three parts
        assert_same_step(net, *batch(net, n, seed, zero_border))


def test_default_network_with_digit_like_ties_and_a_remainder_batch() -> None:
    net = Network.from_spec(MNIST_SPEC, seed=3)
    assert_same_step(net, *batch(net, 100, 0, zero_border=True))
    assert_same_step(net, *batch(net, 1, 1, zero_border=True))


def test_results_are_new_arrays_that_later_calls_leave_alone() -> None:
    net = random_network(4)
    first_x, first_labels = batch(net, 70, 0)
    second_x, second_labels = batch(net, 70, 1)
    loss, grads, logits = net.forward_backward(first_x, first_labels)
    outputs = net.forward(first_x)
    kept = {name: grad.copy() for name, grad in grads.items()}, logits.copy(), outputs.copy()
    net.forward_backward(second_x, second_labels)
    net.forward(second_x)
    for name, grad in grads.items():
        np.testing.assert_array_equal(grad, kept[0][name])
    np.testing.assert_array_equal(logits, kept[1])
    np.testing.assert_array_equal(outputs, kept[2])
    assert not any(np.shares_memory(grad, array) for grad in grads.values() for array in net.params.values())


def test_result_does_not_depend_on_the_number_of_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    net = Network.from_spec(MNIST_SPEC, seed=1)
    x, labels = batch(net, 200, 2)
    monkeypatch.setattr(fast_path, "WORKERS", 1)
    one_loss, one_grads, _ = net.forward_backward(x, labels)
    monkeypatch.setattr(fast_path, "WORKERS", 2)
    two_loss, two_grads, _ = net.forward_backward(x, labels)
    assert one_loss == two_loss
    for name, grad in one_grads.items():
        np.testing.assert_array_equal(grad, two_grads[name])


def test_float64_weights_take_the_layer_by_layer_path() -> None:
    net = Network.from_spec(MNIST_SPEC, seed=0)
    x, labels = batch(net, 3, 0)
    for layer in net.layers:
        for name in layer.params:
            layer.params[name] = layer.params[name].astype(np.float64)
    loss, grads, _ = net.forward_backward(x, labels)
    assert grads["0.weight"].dtype == np.float64
    assert loss == net.layer_by_layer_forward_backward(x, labels)[0]


TORCH_SPECS = [
    [  # stride, dilation, average pool, a dense stack
        {"type": "conv", "out_channels": 4, "kernel": 3, "stride": 2, "dilation": 2, "padding": 1},
        {"type": "relu"},
        {"type": "avgpool", "size": 2, "stride": 1},
        {"type": "flatten"},
        {"type": "dense", "out_features": 12},
        {"type": "relu"},
        {"type": "dense", "out_features": 10},
    ],
    [  # asymmetric 'same' padding (even kernel), fused pool, overlapping pool
        {"type": "conv", "out_channels": 5, "kernel": 4, "padding": "same"},
        {"type": "relu"},
        {"type": "maxpool", "size": 2},
        {"type": "conv", "out_channels": 6, "kernel": 2, "dilation": 2, "padding": "same"},
        {"type": "maxpool", "size": 3, "stride": 2},
        {"type": "relu"},
        {"type": "flatten"},
        {"type": "dense", "out_features": 10},
    ],
    [  # pools with gaps between windows, a pool before any weights
        {"type": "maxpool", "size": 2, "stride": 1},
        {"type": "conv", "out_channels": 3, "kernel": 3, "stride": 2},
        {"type": "relu"},
        {"type": "maxpool", "size": 2, "stride": 3},
        {"type": "flatten"},
        {"type": "dense", "out_features": 10},
    ],
]


@pytest.mark.parametrize("spec", TORCH_SPECS, ids=["stride-dilation-avgpool", "same-padding", "gapped-pool"])
def test_fast_path_matches_pytorch(spec: list[dict]) -> None:
    torch = pytest.importorskip("torch")
    import torch.nn.functional as F

    from .torch_twin import build_torch, torch_param_names

    net = Network.from_spec(spec, INPUT_SHAPE, seed=5)
    rng = np.random.default_rng(5)
    for name, array in net.params.items():
        if name.endswith("bias"):
            array[...] = rng.normal(0, 0.3, array.shape)
    model = build_torch(net)
    x, labels = batch(net, fast_path.SUB_BATCH + 6, 5, zero_border=True)
    logits_t = model(torch.from_numpy(x))
    loss_t = F.cross_entropy(logits_t, torch.from_numpy(labels))
    loss_t.backward()
    loss, grads, logits = net.forward_backward(x, labels)
    assert_close(logits, logits_t.detach().numpy(), "logits")
    assert_close(net.forward(x), logits_t.detach().numpy(), "forward")
    assert loss == pytest.approx(loss_t.item(), rel=1e-5)
    for name, param in zip(torch_param_names(net), model.parameters(), strict=True):
        assert_close(grads[name], param.grad.numpy(), f"gradient of {name}", rtol=1e-4)


def test_a_deep_copy_trains_on_its_own_buffers() -> None:
    net = Network.from_spec(MNIST_SPEC, seed=2)
    x, labels = batch(net, 70, 3)
    loss, grads, _ = net.forward_backward(x, labels)
    twin = copy.deepcopy(net)
    assert twin.fast.layers is twin.layers and not twin.fast.plans
    twin_loss, twin_grads, _ = twin.forward_backward(x, labels)
    assert twin_loss == loss
    for name, grad in grads.items():
        np.testing.assert_array_equal(twin_grads[name], grad)
