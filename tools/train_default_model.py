"""Train the default MNIST network the app opens with, and write it to resources/models/.

It trains ``MNIST_SPEC`` with the app's own trainer (``cnn_desktop.training.train``, the
settings of ``cnn-desktop train``) on the 4,000 bundled training digits, from seed 0, and
measures it on the 1,000 bundled held-out digits, which training never sees. It writes:

* ``resources/models/mnist_default.npz``: the network (``Network.save``: spec as JSON, weights);
* ``resources/models/mnist_default.json``: held-out accuracy, seed, settings, the command, and the
  training record (a SHA-256 per parameter) the app uses to tell trained weights from changed ones.

The same engine and NumPy give every parameter back bit for bit: ``--check`` retrains and
compares with the bundled files instead of writing them. (The .npz container itself carries zip
time stamps, so its bytes differ from run to run; the weights in it do not.)

Usage, from the repository root::

    python tools/train_default_model.py            # about 10 seconds
    python tools/train_default_model.py --check    # exit status 1 if the bundled weights differ
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # run from a checkout without installing

from cnn_desktop.data.datasets import load_bundled  # noqa: E402
from cnn_desktop.engine import MNIST_SPEC, Network  # noqa: E402
from cnn_desktop.engine.pretrained import PRETRAINED_INFO, PRETRAINED_WEIGHTS  # noqa: E402
from cnn_desktop.engine.training_record import TrainingRecord  # noqa: E402
from cnn_desktop.fileio import atomic_write_bytes  # noqa: E402
from cnn_desktop.training import TrainConfig, TrainResult, train  # noqa: E402

SEED = 0
COMMAND = "python tools/train_default_model.py"
MODELS = REPO / "resources" / "models"


def train_default(config: TrainConfig | None = None) -> tuple[Network, TrainResult]:
    """The default network trained on the bundled digits; ``config`` defaults to seed :data:`SEED`."""
    config = config or TrainConfig(seed=SEED)
    digits = load_bundled()
    net = Network.from_spec(MNIST_SPEC, (1, 28, 28), seed=config.seed)
    result = train(net, digits.train_images, digits.train_labels, digits.test_images, digits.test_labels, config)
    if not result.finished:
        raise SystemExit(f"training did not finish: {result.message}")
    return net, result


def model_info(net: Network, result: TrainResult, config: TrainConfig) -> dict[str, object]:
    """The JSON written next to the weights."""
    digits = load_bundled()
    accuracy = float(result.test_accuracy)
    held_out = digits.num_test
    description = (
        f"Trained on {digits.num_train:,} MNIST digits: "
        f"{accuracy * 100:.1f}% of {held_out:,} held-out digits read right."
    )
    return {
        "weights": PRETRAINED_WEIGHTS,
        "data": digits.name,
        "held_out_accuracy": accuracy,
        "held_out_digits": held_out,
        "seed": config.seed,
        "epochs": config.epochs,
        "config": config.as_dict(),
        "command": COMMAND,
        "numpy": np.__version__,
        "record": TrainingRecord.of(net, description).as_dict(),
    }


def check(net: Network) -> int:
    """0 if ``net`` holds exactly the bundled weights, else 1 with the parameters that differ."""
    bundled = Network.load(MODELS / PRETRAINED_WEIGHTS)
    differ = [
        name
        for name, array in net.params.items()
        if name not in bundled.params or not _same(array, bundled.params[name])
    ]
    if bundled.spec != net.spec or differ:
        print(f"the bundled weights differ from a fresh run in: {', '.join(differ) or 'the spec'}")
        return 1
    print("the bundled weights are reproduced bit for bit")
    return 0


def _same(a: np.ndarray, b: np.ndarray) -> bool:
    return a.shape == b.shape and a.dtype == b.dtype and a.tobytes() == b.tobytes()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="retrain and compare with the bundled weights")
    args = parser.parse_args(argv)
    config = TrainConfig(seed=SEED)
    net, result = train_default(config)
    print(f"held-out accuracy {result.test_accuracy * 100:.2f}% after {result.elapsed:.1f} s")
    if args.check:
        return check(net)
    MODELS.mkdir(parents=True, exist_ok=True)
    net.save(MODELS / PRETRAINED_WEIGHTS)
    text = json.dumps(model_info(net, result, config), indent=2) + "\n"
    atomic_write_bytes(MODELS / PRETRAINED_INFO, text.encode("utf-8"))
    print(f"wrote {MODELS / PRETRAINED_WEIGHTS} and {PRETRAINED_INFO}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
