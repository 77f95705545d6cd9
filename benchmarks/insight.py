"""Speed of the insight analyses on the bundled trained network, and the shift numbers they show.

Run from the repository root::

    python benchmarks/insight.py            # about half a minute
    python benchmarks/insight.py --quick    # a few seconds, for a smoke test

It prints, for the default MNIST network (trained, as bundled):

* the time to compute the galleries (top 9 patches) of every channel of every conv and pool
  output over the 5,000 bundled digits (median of several runs; target under 5 s on two cores);
* one gradient saliency map of the predicted class for a 28x28 digit (target under 15 ms);
* one full occlusion map (5x5 square, every position) for a 28x28 digit (target under 100 ms);
* what a one-pixel shift to the right does to every stage, averaged over the bundled test
  digits: the raw relative change, and the change after undoing the shift where that is possible.
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

from cnn_desktop.data.datasets import load_digits  # noqa: E402
from cnn_desktop.engine import pretrained  # noqa: E402
from cnn_desktop.insight import compare_images, compute_galleries, occlusion_map, saliency, shifted  # noqa: E402


def timed(call: Callable[[], object], repeats: int) -> list[float]:
    """Wall-clock seconds of ``repeats`` calls, after one warm-up call."""
    call()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return times


def per_digit(call: Callable[[np.ndarray, int], object], images: np.ndarray, labels: list[int]) -> list[float]:
    """Seconds of one call per (digit, class), each digit once (after a warm-up on the first)."""
    call(images[0], labels[0])
    times = []
    for image, label in zip(images, labels, strict=True):
        start = time.perf_counter()
        call(image, label)
        times.append(time.perf_counter() - start)
    return times


def line(name: str, times: list[float], target: float, unit: str = "ms") -> str:
    scale = 1000 if unit == "ms" else 1
    median = statistics.median(times) * scale
    worst = max(times) * scale
    verdict = "meets" if median < target else "MISSES"
    return f"{name:<44} median {median:8.1f} {unit}   max {worst:8.1f} {unit}   ({verdict} target {target:g} {unit})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions, for a smoke test")
    args = parser.parse_args()
    runs, digits_timed = (1, 5) if args.quick else (5, 50)

    net = pretrained()
    digits = load_digits("bundled")
    every_digit = np.concatenate([digits.train_images, digits.test_images])[:, None]
    print(f"Python {platform.python_version()}, NumPy {np.__version__}, {os.cpu_count()} CPUs, {platform.machine()}")
    print(f"network: {net}")
    print(f"digits: {len(every_digit):,} bundled\n")

    galleries = timed(lambda: compute_galleries(net, every_digit), runs)
    print(line(f"galleries, all channels, {len(every_digit):,} digits", galleries, 5, "s"))

    samples = digits.test_images[:digits_timed, None]
    labels = [int(np.argmax(net.forward(image[None]))) for image in samples]
    gradients = per_digit(lambda image, label: saliency(net, image, label), samples, labels)
    print(line("saliency of the predicted class, one digit", gradients, 15))
    occlusion = per_digit(lambda image, label: occlusion_map(net, image, label), samples, labels)
    print(line("occlusion map (5x5 square), one digit", occlusion, 100))

    tests = digits.test_images[:, None] if not args.quick else digits.test_images[:100, None]
    raw, aligned, same = np.zeros(len(net.layers) + 1), np.zeros(len(net.layers) + 1), 0
    for image in tests:
        moved = shifted(image, (0, 1))
        changes = compare_images(net, image, moved, (0, 1))
        raw += [change.raw_change for change in changes]
        aligned += [np.nan if change.aligned_change is None else change.aligned_change for change in changes]
        same += int(np.argmax(net.forward(image[None])) == np.argmax(net.forward(moved[None])))
    print(f"\none-pixel shift to the right, mean over {len(tests):,} test digits (change = |B - A| / |A|):")
    for stage in range(len(net.layers) + 1):
        after = "not possible" if np.isnan(aligned[stage]) else f"{aligned[stage] / len(tests):.3f}"
        print(
            f"  {net.stage_name(stage):<24} raw change {raw[stage] / len(tests):.3f}   after undoing the shift {after}"
        )
    print(f"  predicted class unchanged for {same / len(tests):.1%} of the digits")


if __name__ == "__main__":
    main()
