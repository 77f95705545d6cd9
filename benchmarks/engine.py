"""Speed of the NumPy engine on the app's default network, side by side with PyTorch when it is installed.

Run from the repository root::

    python benchmarks/engine.py              # about a minute
    python benchmarks/engine.py --epoch      # and one epoch of 60,000 digits per implementation, 3 times
    python benchmarks/engine.py --quick      # a few seconds, for a smoke test

Figures, for MNIST_SPEC (1x28x28 -> 10 classes):

* training throughput at batch 64 and 256, in images per second: forward, backward and one
  SGD-with-momentum update per step;
* forward time of a batch of 64 and of a single image;
* with ``--epoch``: one epoch of the command line's training loop (``training.train`` with its
  default settings: batches of 32, shifted digits, a test pass) on the bundled digits tiled to
  60,000, against the same loop written for PyTorch.

Each implementation runs in its own process: what ran earlier in a process (which buffers the
allocator kept, which pages are mapped) changes the speed of what runs next, so same-process
comparisons are biased. The processes take turns in short bursts, in a shuffled order each round
and with a pause between bursts,
so that load from other programs falls on all of them alike; each figure is the median over the
rounds, shown with the spread of the bursts (lowest and highest) and the machine's load average
(other work on the machine) before and after. The implementations:

* ``engine``: the app's engine as it trains (``Network.forward_backward``, ``Network.forward``);
* ``engine-1-thread``: the same, with its sub-batches on one thread only;
* ``layer-by-layer``: the engine's reference passes, each layer's own forward/backward pair;
* ``pytorch``: PyTorch on the CPU with all cores, our weights copied in (outputs and gradients are
  checked against ours first);
* ``pytorch-1-thread``: the same on one thread. On a machine that other programs keep busy,
  PyTorch's threads wait for each other at every parallel step and lose far more than NumPy does.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run from a checkout without installing

from cnn_desktop.engine import MNIST_SPEC, SGD, Network  # noqa: E402

LR, MOMENTUM = 0.01, 0.9
EPOCH_IMAGES = 60_000
FIGURES = {  # name: (what, batch size, calls per burst)
    "train64": ("training, batch 64 (images/s)", 64, 30),
    "train256": ("training, batch 256 (images/s)", 256, 8),
    "forward64": ("forward, batch of 64 (ms)", 64, 60),
    "forward1": ("forward, one image (us)", 1, 500),
}
PAUSE = 0.3
"""Seconds between bursts: after a burst, OpenBLAS's and OpenMP's threads spin for a while before
they sleep, and would take the cores from whichever implementation runs next."""
IMPLEMENTATIONS = ("engine", "engine-1-thread", "layer-by-layer", "pytorch", "pytorch-1-thread")
TORCHES = ("pytorch", "pytorch-1-thread")


# --------------------------------------------------------------------------------------------
# inside a worker process: one implementation


def engine_runners(impl: str) -> dict[str, Callable[[], None]]:
    from cnn_desktop.engine import fast_path

    if impl == "engine-1-thread":
        fast_path.WORKERS = 1
    net = Network.from_spec(MNIST_SPEC, seed=0)
    opt = SGD(net.params, lr=LR, momentum=MOMENTUM)
    reference = impl == "layer-by-layer"
    step = net.layer_by_layer_forward_backward if reference else net.forward_backward

    def forward(x: np.ndarray) -> np.ndarray:
        if not reference:
            return net.forward(x)
        for layer in net.layers:
            x, _ = layer.forward(x)
        return x

    def train(x: np.ndarray, labels: np.ndarray) -> None:
        _, grads, _ = step(x, labels)
        opt.step(grads)

    return _runners(train, forward)


def torch_runners(threads: int) -> dict[str, Callable[[], None]]:
    import torch
    import torch.nn.functional as F

    from tests.engine.torch_twin import build_torch

    torch.set_num_threads(threads)
    model = build_torch(Network.from_spec(MNIST_SPEC, seed=0))
    opt = torch.optim.SGD(model.parameters(), lr=LR, momentum=MOMENTUM)

    def train(x: np.ndarray, labels: np.ndarray) -> None:
        opt.zero_grad(set_to_none=True)
        F.cross_entropy(model(torch.from_numpy(x)), torch.from_numpy(labels)).backward()
        opt.step()

    def forward(x: np.ndarray) -> None:
        with torch.inference_mode():
            model(torch.from_numpy(x))

    return _runners(train, forward)


def _runners(train: Callable, forward: Callable) -> dict[str, Callable[[], None]]:
    rng = np.random.default_rng(0)
    runners = {}
    for name, (_, batch, _) in FIGURES.items():
        x = rng.random((batch, 1, 28, 28), dtype=np.float32)
        labels = rng.integers(0, 10, batch).astype(np.int64)
        if name.startswith("train"):
            runners[name] = lambda x=x, labels=labels: train(x, labels)
        else:
            runners[name] = lambda x=x: forward(x)
    return runners


def epoch_images() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The bundled training digits tiled to 60,000, and the bundled test digits."""
    from cnn_desktop.data import datasets

    digits = datasets.load_bundled()
    reps = -(-EPOCH_IMAGES // len(digits.train_images))
    images = np.tile(digits.train_images, (reps, 1, 1))[:EPOCH_IMAGES]
    labels = np.tile(digits.train_labels, reps)[:EPOCH_IMAGES]
    return images, labels, digits.test_images, digits.test_labels


def engine_epoch() -> float:
    """Seconds of one epoch of ``training.train`` with the command line's default settings."""
    from cnn_desktop.training import TrainConfig, train

    images, labels, test_images, test_labels = epoch_images()
    net = Network.from_spec(MNIST_SPEC, seed=0)
    start = time.perf_counter()
    train(net, images, labels, test_images, test_labels, TrainConfig(epochs=1))
    return time.perf_counter() - start


def torch_epoch(threads: int) -> float:
    """Seconds of the same loop in PyTorch: same shuffling, shifts, schedule, step and test pass."""
    import torch
    import torch.nn.functional as F

    from cnn_desktop.training import TrainConfig, scheduled_lr, shift_images
    from tests.engine.torch_twin import build_torch

    torch.set_num_threads(threads)
    images, labels, test_images, test_labels = epoch_images()
    config = TrainConfig(epochs=1)
    model = build_torch(Network.from_spec(MNIST_SPEC, seed=0))
    opt = torch.optim.SGD(model.parameters(), lr=config.peak_lr, momentum=config.momentum)
    start = time.perf_counter()
    x_train = images.astype(np.float32)[:, None]
    rng = np.random.default_rng(config.seed)
    order = rng.permutation(len(x_train))
    steps = -(-len(x_train) // config.batch_size)
    correct = 0
    for step in range(steps):
        index = order[step * config.batch_size : (step + 1) * config.batch_size]
        shifts = rng.integers(-config.max_shift, config.max_shift + 1, size=(len(index), 2))
        x = shift_images(x_train[index], shifts)
        y = torch.from_numpy(labels[index].astype(np.int64))
        for group in opt.param_groups:
            group["lr"] = scheduled_lr(config, step, steps)
        opt.zero_grad(set_to_none=True)
        logits = model(torch.from_numpy(x))
        loss = F.cross_entropy(logits, y)
        loss.backward()
        opt.step()
        loss.item()
        correct += int((logits.argmax(dim=1) == y).sum())
    with torch.inference_mode():
        x_test = torch.from_numpy(test_images.astype(np.float32)[:, None])
        for first in range(0, len(x_test), config.eval_batch_size):
            model(x_test[first : first + config.eval_batch_size]).argmax(dim=1)
    return time.perf_counter() - start


def serve(impl: str) -> None:
    """Worker loop: read one JSON command per line, answer with the seconds per call."""
    threads = 1 if impl.endswith("1-thread") else os.cpu_count() or 1
    runners = torch_runners(threads) if impl in TORCHES else engine_runners(impl)
    for run in runners.values():  # warm up: buffers, caches, thread pools
        for _ in range(5):
            run()
    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        command = json.loads(line)
        if command["figure"] == "epoch":
            seconds = torch_epoch(threads) if impl in TORCHES else engine_epoch()
            print(json.dumps({"seconds": seconds}), flush=True)
            continue
        run, calls = runners[command["figure"]], command["calls"]
        start = time.perf_counter()
        for _ in range(calls):
            run()
        print(json.dumps({"seconds": (time.perf_counter() - start) / calls}), flush=True)


# --------------------------------------------------------------------------------------------
# the coordinating process


class Worker:
    """One implementation in its own Python process, answering timing requests."""

    def __init__(self, impl: str) -> None:
        self.impl = impl
        self.process = subprocess.Popen(
            [sys.executable, __file__, "--serve", impl],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        assert json.loads(self.process.stdout.readline())["ready"]

    def time(self, figure: str, calls: int = 1) -> float:
        self.process.stdin.write(json.dumps({"figure": figure, "calls": calls}) + "\n")
        self.process.stdin.flush()
        return json.loads(self.process.stdout.readline())["seconds"]

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait()


def check_agreement() -> str:
    """Assert that the engine and PyTorch compute the same outputs, loss and gradients; a summary."""
    import torch
    import torch.nn.functional as F

    from tests.engine.torch_twin import build_torch, torch_param_names

    rng = np.random.default_rng(1)
    net = Network.from_spec(MNIST_SPEC, seed=0)
    model = build_torch(net)
    x = rng.random((256, 1, 28, 28), dtype=np.float32)
    labels = rng.integers(0, 10, len(x)).astype(np.int64)
    logits = model(torch.from_numpy(x))
    loss_t = F.cross_entropy(logits, torch.from_numpy(labels))
    loss_t.backward()
    out_err = float(np.abs(net.forward(x) - logits.detach().numpy()).max())
    loss, grads, _ = net.forward_backward(x, labels)
    assert out_err < 1e-4 and abs(loss - loss_t.item()) < 1e-5, (out_err, loss, loss_t.item())
    grad_err = 0.0
    for name, param in zip(torch_param_names(net), model.parameters(), strict=True):
        theirs = param.grad.numpy()
        grad_err = max(grad_err, float(np.abs(grads[name] - theirs).max()) / float(np.abs(theirs).max()))
    assert grad_err < 1e-4, grad_err
    return f"outputs agree (max |diff| {out_err:.1e}), loss agrees, gradients agree (max rel diff {grad_err:.1e})"


def spread(values: list[float]) -> str:
    return f"{min(values):.3g}-{max(values):.3g}"


def report(figure: str, samples: dict[str, list[float]]) -> None:
    what, batch, _ = FIGURES.get(figure, ("one epoch of 60,000 digits (s)", 0, 0))
    per_image = figure.startswith("train")
    scale = 1e3 if "(ms)" in what else 1e6 if "(us)" in what else 1.0

    def value(seconds: float) -> float:
        return batch / seconds if per_image else seconds * scale

    print(f"\n{what}; median of {len(next(iter(samples.values())))} bursts [lowest-highest]")
    medians = {impl: statistics.median(value(s) for s in times) for impl, times in samples.items()}
    for impl, times in samples.items():
        line = f"  {impl:16}{medians[impl]:>12,.{0 if per_image else 3}f}  [{spread([value(s) for s in times])}]"
        ratios = [f"{medians[impl] / medians[torch]:.2f}x {torch}" for torch in TORCHES if torch in medians]
        if ratios and impl not in TORCHES:
            line += f"  {'throughput' if per_image else 'time'}: " + ", ".join(ratios)
        print(line)


def load_text() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} / {five:.2f} / {fifteen:.2f} (1 / 5 / 15 min) on {os.cpu_count()} cores"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="few rounds: a smoke test, not a measurement")
    parser.add_argument("--rounds", type=int, default=0, help="rounds of bursts (default 15, 2 with --quick)")
    parser.add_argument("--epoch", action="store_true", help="also time one epoch of 60,000 digits per implementation")
    parser.add_argument(
        "--epoch-rounds", type=int, default=3, help="epochs per implementation with --epoch (default 3)"
    )
    parser.add_argument("--no-torch", action="store_true", help="measure our engine only")
    parser.add_argument("--serve", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        serve(args.serve)
        return 0
    rounds = args.rounds or (2 if args.quick else 15)
    impls = list(IMPLEMENTATIONS)
    if args.no_torch:
        impls = [impl for impl in impls if impl not in TORCHES]
    else:
        try:
            import torch

            print(f"PyTorch {torch.__version__}, CPU, float32, torch.set_num_threads({os.cpu_count()})")
            print("check: " + check_agreement())
        except ImportError:
            impls = [impl for impl in impls if impl not in TORCHES]
            print("PyTorch not importable: measuring our engine only")
    print(f"network: {Network.from_spec(MNIST_SPEC)!r}")
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}", end="")
    print(f", NumPy {np.__version__}")
    print(f"before: {load_text()}")

    rng = np.random.default_rng()
    workers = {impl: Worker(impl) for impl in impls}
    samples: dict[str, dict[str, list[float]]] = {figure: {impl: [] for impl in impls} for figure in FIGURES}
    highest_load = 0.0
    try:
        for _ in range(rounds):
            for figure, (_, _, calls) in FIGURES.items():
                for impl in rng.permutation(impls):
                    time.sleep(PAUSE)
                    samples[figure][impl].append(workers[impl].time(figure, 2 if args.quick else calls))
            highest_load = max(highest_load, os.getloadavg()[0])
        if args.epoch:
            epoch_impls = [impl for impl in impls if impl in ("engine", *TORCHES)]
            samples["epoch"] = {impl: [] for impl in epoch_impls}
            for _ in range(1 if args.quick else args.epoch_rounds):
                for impl in rng.permutation(epoch_impls):
                    time.sleep(PAUSE)
                    samples["epoch"][impl].append(workers[impl].time("epoch"))
                highest_load = max(highest_load, os.getloadavg()[0])
    finally:
        for worker in workers.values():
            worker.close()

    for figure, by_impl in samples.items():
        report(figure, by_impl)
    print(f"\nafter: {load_text()}; highest 1-minute load seen between rounds {highest_load:.2f}")
    if highest_load > (os.cpu_count() or 1) * 0.5:
        print("other programs were running: expect these figures to move by 10-30% from run to run")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
