"""How well the bundled network reads digits drawn with the mouse, before and after MNIST's preparation.

Run from the repository root::

    python benchmarks/drawn_digits.py                    # about 10 seconds
    python benchmarks/drawn_digits.py --pen-widths 2,2.7 # how the pen's width was chosen: ~1 min a width
    python benchmarks/drawn_digits.py --copies 1x20,2x30  # how the training was chosen: ~1.5 min a choice

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

``--copies`` repeats the experiment that chose how the bundled network is trained, also on
training digits only: for each choice ``CxE`` (C mouse drawings of every training digit, each
with its own random sizes and places, E epochs) networks are trained on 3,500 training digits and
their drawings, for two sets of 500 held back (digits 0-499 and 3500-3999) and two seeds; each
reads its 500 digits and three drawings of each at random sizes from 0.5x to 1x, and the means
are printed.
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


def copies_figures(choices: list[tuple[int, int]]) -> None:
    digits = load_bundled()
    pen = default_pen((28, 28))
    print("training choices: mean over 2 held-back sets of 500 training digits x 2 seeds")
    for copies, epochs in choices:
        originals, drawn_scores = [], []
        for first in (0, 3500):
            held = np.zeros(digits.num_train, bool)
            held[first : first + 500] = True
            train_images, train_labels = digits.train_images[~held], digits.train_labels[~held]
            check_images, check_labels = digits.train_images[held], digits.train_labels[held]
            images, labels = [train_images], [train_labels]
            for copy in range(copies):
                rng = np.random.default_rng(1 + copy)
                images.append(
                    prepared(drawings(train_images, pen, rng.uniform(SMALLEST, LARGEST, len(train_images)), rng))
                )
                labels.append(train_labels)
            rng = np.random.default_rng(11)
            scales = rng.uniform(SMALLEST, LARGEST, 3 * len(check_images))
            check_drawn = prepared(drawings(np.tile(check_images, (3, 1, 1)), pen, scales, rng))
            for seed in (0, 1):
                net = Network.from_spec(MNIST_SPEC, (1, 28, 28), seed=seed)
                train(net, np.concatenate(images), np.concatenate(labels), config=TrainConfig(seed=seed, epochs=epochs))
                originals.append(evaluate(net, check_images, check_labels))
                drawn_scores.append(evaluate(net, check_drawn, np.tile(check_labels, 3)))
        original, drawn_mean = 100 * np.mean(originals), 100 * np.mean(drawn_scores)
        print(
            f"  {copies} drawing(s) per digit, {epochs} epochs: original {original:.1f}%, "
            f"drawn and prepared {drawn_mean:.1f}%, gap {original - drawn_mean:.1f} points",
            flush=True,
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pen-widths", help="comma-separated pen widths to compare on training digits")
    parser.add_argument("--copies", help="comma-separated CxE training choices (C drawings per digit, E epochs)")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    if args.pen_widths:
        pen_width_figures([float(text) for text in args.pen_widths.split(",")])
    elif args.copies:
        copies_figures([tuple(int(v) for v in text.split("x")) for text in args.copies.split(",")])
    else:
        held_out_figures()
    print(f"({time.perf_counter() - start:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
