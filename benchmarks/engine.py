"""Speed of the NumPy engine on the app's default network, side by side with PyTorch when it is installed.

Run from the repository root::

    python benchmarks/engine.py            # about half a minute
    python benchmarks/engine.py --quick    # a few seconds, for a smoke test

It prints, for MNIST_SPEC (1x28x28 -> 10 classes):

* training throughput at batch 64, in images per second: forward, backward and one SGD-with-momentum
  update per step;
* single-image forward latency (median and 95th percentile, microseconds).

When ``torch`` can be imported, the same network is built in PyTorch (float32, CPU) with our weights
copied in; its outputs and gradients are checked against ours, and both engines are timed in the same
run with their repetitions interleaved (ours, theirs, ours, ...), so machine noise hits both alike.
PyTorch is not a dependency of the app; install it separately to compare.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing

from cnn_desktop.engine import MNIST_SPEC, SGD, Network  # noqa: E402

BATCH = 64
LR, MOMENTUM = 0.01, 0.9


def build_torch(net: Network):
    """The PyTorch twin of ``net``: same layers, same weights (copied), float32 on the CPU."""
    import torch
    from torch import nn

    modules: list[nn.Module] = []
    for entry, layer in zip(net.spec, net.layers, strict=True):
        kind = entry["type"]
        if kind == "conv":
            p = layer.padding
            symmetric = p.top == p.bottom == p.left == p.right
            if not symmetric:
                modules.append(nn.ZeroPad2d((p.left, p.right, p.top, p.bottom)))
            conv = nn.Conv2d(
                layer.in_channels,
                layer.out_channels,
                layer.kernel,
                stride=layer.stride,
                padding=p.top if symmetric else 0,
                dilation=layer.dilation,
            )
            modules.append(conv)
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
    """Our parameter names in the order of the PyTorch model's ``parameters()``."""
    return [
        f"{i}.{name}"
        for i, entry in enumerate(net.spec)
        if entry["type"] in ("conv", "dense")
        for name in ("weight", "bias")
    ]


def check_agreement(net: Network, model, x: np.ndarray, labels: np.ndarray) -> str:
    """Assert that both engines compute the same outputs, loss and gradients; a one-line summary."""
    import torch
    import torch.nn.functional as F

    ours = net.forward(x)
    xt, yt = torch.from_numpy(x), torch.from_numpy(labels)
    model.zero_grad(set_to_none=True)
    logits = model(xt)
    loss_t = F.cross_entropy(logits, yt)
    loss_t.backward()
    out_err = float(np.abs(ours - logits.detach().numpy()).max())
    np.testing.assert_allclose(ours, logits.detach().numpy(), rtol=1e-4, atol=1e-4)
    loss, grads = net.loss_and_grads(x, labels)
    assert abs(loss - loss_t.item()) < 1e-4 * max(1.0, abs(loss)), (loss, loss_t.item())
    grad_err = 0.0
    for name, param in zip(torch_param_names(net), model.parameters(), strict=True):
        theirs = param.grad.numpy()
        scale = max(float(np.abs(theirs).max()), 1e-12)
        grad_err = max(grad_err, float(np.abs(grads[name] - theirs).max()) / scale)
        np.testing.assert_allclose(grads[name], theirs, rtol=1e-3, atol=1e-4 * scale)
    model.zero_grad(set_to_none=True)
    return f"outputs agree (max |diff| {out_err:.1e}), loss agrees, gradients agree (max rel diff {grad_err:.1e})"


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q))


def interleaved(
    runners: dict[str, Callable[[], None]], reps: int, calls: int, rng: np.random.Generator
) -> dict[str, list[float]]:
    """Seconds per call of each runner: ``reps`` rounds of ``calls`` calls, runners in a shuffled order each round."""
    times: dict[str, list[float]] = {name: [] for name in runners}
    names = list(runners)
    for _ in range(reps):
        for name in rng.permutation(names):
            run = runners[name]
            start = time.perf_counter()
            for _ in range(calls):
                run()
            times[name].append((time.perf_counter() - start) / calls)
    return times


def per_call(runners: dict[str, Callable[[], None]], samples: int) -> dict[str, list[float]]:
    """Microseconds of single calls, alternating the runners call by call."""
    times: dict[str, list[float]] = {name: [] for name in runners}
    order = list(runners)
    for i in range(samples):
        for name in order if i % 2 == 0 else order[::-1]:
            run = runners[name]
            start = time.perf_counter()
            run()
            times[name].append((time.perf_counter() - start) * 1e6)
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="few repetitions: a smoke test, not a measurement")
    parser.add_argument("--no-torch", action="store_true", help="measure our engine only")
    parser.add_argument(
        "--torch-threads", type=int, default=0, help="PyTorch intra-op threads (default: the machine's core count)"
    )
    args = parser.parse_args(argv)
    train_reps, train_calls, latency_samples = (3, 5, 300) if args.quick else (15, 20, 5000)

    cores = os.cpu_count() or 1
    rng = np.random.default_rng(0)
    net = Network.from_spec(MNIST_SPEC, input_shape=(1, 28, 28), seed=0)
    x = rng.random((BATCH, 1, 28, 28), dtype=np.float32)
    labels = rng.integers(0, 10, BATCH).astype(np.int64)
    single = x[:1].copy()

    torch = None
    if not args.no_torch:
        try:
            import torch
        except ImportError:
            torch = None

    print(f"engine benchmark: {net!r}")
    print(f"machine: {platform.machine()}, {cores} cores, Python {platform.python_version()}, NumPy {np.__version__}")
    print(f"batch {BATCH} for training (forward + backward + SGD momentum {MOMENTUM} update), 1 image for latency")

    model = None
    if torch is not None:
        threads = args.torch_threads or cores
        torch.set_num_threads(threads)
        model = build_torch(net)
        why = (
            "the machine's core count" if threads == cores else f"set by --torch-threads; the machine has {cores} cores"
        )
        print(f"PyTorch {torch.__version__}, CPU, float32, torch.set_num_threads({threads}) ({why})")
        print("check: " + check_agreement(net, model, x, labels))
    else:
        print("PyTorch not importable: measuring our engine only")

    # ----- training steps
    ours_net = net.copy()
    ours_opt = SGD(ours_net.params, lr=LR, momentum=MOMENTUM)

    def ours_train() -> None:
        _, grads = ours_net.loss_and_grads(x, labels)
        ours_opt.step(grads)

    train_runners: dict[str, Callable[[], None]] = {"ours": ours_train}
    latency_runners: dict[str, Callable[[], None]] = {"ours": lambda: ours_net.forward(single)}
    if model is not None:
        import torch.nn.functional as F

        xt, yt, single_t = torch.from_numpy(x), torch.from_numpy(labels), torch.from_numpy(single)
        torch_opt = torch.optim.SGD(model.parameters(), lr=LR, momentum=MOMENTUM)

        def torch_train() -> None:
            torch_opt.zero_grad(set_to_none=True)
            F.cross_entropy(model(xt), yt).backward()
            torch_opt.step()

        def torch_forward() -> None:
            with torch.inference_mode():
                model(single_t)

        train_runners["pytorch"] = torch_train
        latency_runners["pytorch"] = torch_forward

    for run in list(train_runners.values()) * 5 + list(latency_runners.values()) * 200:  # warm up both
        run()
    train_times = interleaved(train_runners, train_reps, train_calls, rng)
    latency_times = per_call(latency_runners, latency_samples)

    throughput = {name: BATCH / statistics.median(t) for name, t in train_times.items()}
    median = {name: statistics.median(t) for name, t in latency_times.items()}
    p95 = {name: percentile(t, 95) for name, t in latency_times.items()}

    print()
    print(
        f"training: {train_reps} interleaved rounds of {train_calls} steps each; latency: {latency_samples} calls each"
    )
    header = f"{'':34}{'ours':>12}"
    if model is not None:
        header += f"{'pytorch':>12}{'ours/pytorch':>15}"
    print(header)

    def row(label: str, values: dict[str, float], fmt: str, higher_is_better: bool) -> None:
        line = f"{label:34}{format(values['ours'], fmt):>12}"
        if "pytorch" in values:
            ratio = values["ours"] / values["pytorch"]
            line += f"{format(values['pytorch'], fmt):>12}{ratio:>14.2f}x"
            line += "  (higher is better)" if higher_is_better else "  (lower is better)"
        print(line)

    row("training throughput (images/s)", throughput, ",.0f", True)
    row("single-image forward, median (us)", median, ",.1f", False)
    row("single-image forward, p95 (us)", p95, ",.1f", False)

    if model is not None:
        print()
        train_ok = throughput["ours"] >= 0.5 * throughput["pytorch"]
        latency_ok = median["ours"] <= median["pytorch"]
        print(f"target training throughput >= 0.5x PyTorch: {'met' if train_ok else 'MISSED'}")
        print(f"target single-image forward latency (median) <= PyTorch: {'met' if latency_ok else 'MISSED'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
