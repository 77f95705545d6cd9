"""How well the bundled network reads digits drawn with the mouse, before and after MNIST's preparation.

Run from the repository root::

    python benchmarks/drawn_digits.py                    # about 10 seconds
    python benchmarks/drawn_digits.py --pen-widths 2,2.7 # how the pen's width was chosen: ~1 min a width

Each of the 1,000 bundled held-out digits (never trained on) is turned into what a mouse drawing
of it would be (``cnn_desktop.data.drawn``): its ink thinned to centre lines, redrawn with the
app's default digit pen as mouse moves from cell to cell, at a random size from 0.5x to 1.0x and
a random place that keeps all the ink on the 28x28 grid. The shapes are MNIST's own, traced
cleanly: this measures what size, place and pen cost, not a shaky hand or a stranger's way of
writing a 4, so real drawings will read somewhat worse.

It prints the network's accuracy on the original digits, on the drawings as drawn, and on the
drawings prepared like MNIST (``prepare_like_mnist``), with the prepared ones split by size.

``--pen-widths`` repeats the experiment that chose the pen's width, on training digits only:
for each width a network is trained (as ``tools/train_default_model.py`` does) on 3,500 bundled
training digits and their drawings with that pen, and reads drawings of the other 500.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # run from a checkout without installing

from cnn_desktop.data import drawn  # noqa: E402
from cnn_desktop.data.datasets import load_bundled  # noqa: E402
from cnn_desktop.digits import prepare_like_mnist  # noqa: E402
from cnn_desktop.engine import MNIST_SPEC, Network, pretrained  # noqa: E402
from cnn_desktop.pen import Footprint, default_pen, pen_footprint  # noqa: E402
from cnn_desktop.training import TrainConfig, evaluate, train  # noqa: E402

SEED = 20261201
SMALLEST, LARGEST = 0.5, 1.0
SIZE_BANDS = ((0.5, 0.67), (0.67, 0.83), (0.83, 1.0))


def drawings(images: np.ndarray, pen: Footprint, scales: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Mouse drawings (N, 28, 28) of ``images`` at the given sizes, at random places."""
    skeletons = drawn.thin(images > 0.5)
    return np.stack([drawn.mouse_drawing(s, pen, scale, rng) for s, scale in zip(skeletons, scales, strict=True)])


def prepared(images: np.ndarray) -> np.ndarray:
    return np.stack([prepare_like_mnist(image) for image in images])


def held_out_figures() -> None:
    digits = load_bundled()
    net = pretrained()
    rng = np.random.default_rng(SEED)
    images, labels = digits.test_images, digits.test_labels
    scales = rng.uniform(SMALLEST, LARGEST, len(images))
    as_drawn = drawings(images, default_pen((28, 28)), scales, rng)
    ready = prepared(as_drawn)
    print(f"bundled network, {len(images):,} held-out digits; drawings at {SMALLEST}x to {LARGEST}x size")
    print(f"  original digits                  {evaluate(net, images, labels) * 100:5.1f}%")
    print(f"  drawn with the mouse, as drawn   {evaluate(net, as_drawn, labels) * 100:5.1f}%")
    print(f"  drawn with the mouse, prepared   {evaluate(net, ready, labels) * 100:5.1f}%")
    for low, high in SIZE_BANDS:
        band = (scales >= low) & (scales < high) if high < LARGEST else scales >= low
        accuracy = evaluate(net, ready[band], labels[band])
        print(f"    prepared, drawn at {low:.2f}x-{high:.2f}x   {accuracy * 100:5.1f}% ({band.sum()} digits)")


def pen_width_figures(widths: list[float]) -> None:
    digits = load_bundled()
    train_images, train_labels = digits.train_images[:3500], digits.train_labels[:3500]
    check_images, check_labels = digits.train_images[3500:], digits.train_labels[3500:]
    print("pen width: training digits 0-3499 and their drawings train; drawings of 3500-3999 are read")
    for width in widths:
        pen = pen_footprint(width)
        rng = np.random.default_rng(1)
        copies = prepared(drawings(train_images, pen, rng.uniform(SMALLEST, LARGEST, len(train_images)), rng))
        net = Network.from_spec(MNIST_SPEC, (1, 28, 28), seed=0)
        train(
            net,
            np.concatenate([train_images, copies]),
            np.concatenate([train_labels, train_labels]),
            config=TrainConfig(seed=0),
        )
        figures = [f"original {evaluate(net, check_images, check_labels) * 100:.1f}%"]
        for scale in (1.0, 0.75, 0.5):
            rng = np.random.default_rng(3)
            ready = prepared(drawings(check_images, pen, np.full(len(check_images), scale), rng))
            figures.append(f"drawn at {scale}x {evaluate(net, ready, check_labels) * 100:.1f}%")
        print(f"  width {width:g}: " + ", ".join(figures), flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pen-widths", help="comma-separated pen widths to compare on training digits")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    if args.pen_widths:
        pen_width_figures([float(text) for text in args.pen_widths.split(",")])
    else:
        held_out_figures()
    print(f"({time.perf_counter() - start:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
