"""Train the default MNIST network the app opens with, and write it to resources/models/.

It trains ``MNIST_SPEC`` with the app's own trainer (``cnn_desktop.training.train``, the
settings of ``cnn-desktop train`` but ``EPOCHS`` epochs, seed 0) on the 4,000 bundled training
digits plus, for each, ``DRAWN_COPIES`` mouse drawings of it as the app would have them
(``cnn_desktop.data.drawn``: its centre lines redrawn with the digit pen at a random size from
0.5x to 1x and a random place, then prepared with ``prepare_like_mnist``), because drawings are
what the app shows the network. It measures the result on the 1,000 bundled held-out digits,
which training never sees. It writes:

* ``resources/models/mnist_default.npz``: the network (``Network.save``: spec as JSON, weights);
* ``resources/models/mnist_default.json``: held-out accuracy, seed, settings, the command, the
  training record (a SHA-256 per parameter) the app uses to tell trained weights from changed ones,
  and the run's history (learning curves per epoch, confusion matrix of the held-out digits), which
  the app's training panel shows at start-up, so the curves on screen are those of the weights.

The same engine and NumPy give the weights file back byte for byte: ``--check`` retrains and
compares with the bundled file instead of writing it. The JSON also keeps
the fingerprints of the weights after the first epoch, which the test suite reproduces in a few
seconds; the full run takes about 30 seconds on two cores.

Usage, from the repository root::

    python tools/train_default_model.py            # about 30 seconds
    python tools/train_default_model.py --check    # exit status 1 if the bundled weights differ
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # run from a checkout without installing

from cnn_desktop.data import drawn  # noqa: E402
from cnn_desktop.data.datasets import Digits, load_bundled  # noqa: E402
from cnn_desktop.digits import prepare_like_mnist  # noqa: E402
from cnn_desktop.engine import MNIST_SPEC, Network  # noqa: E402
from cnn_desktop.engine.pretrained import PRETRAINED_INFO, PRETRAINED_WEIGHTS  # noqa: E402
from cnn_desktop.engine.training_record import TrainingRecord, parameter_fingerprint  # noqa: E402
from cnn_desktop.fileio import atomic_write_bytes  # noqa: E402
from cnn_desktop.pen import default_pen  # noqa: E402
from cnn_desktop.state.training_history import TrainingHistory  # noqa: E402
from cnn_desktop.training import (  # noqa: E402
    TrainConfig,
    TrainEvent,
    TrainingControl,
    TrainResult,
    confusion_matrix,
    loss_and_accuracy,
    predict_classes,
    train,
)
from cnn_desktop.training_job import CurvePoint  # noqa: E402

SEED = 0
DRAWING_SEED = 1
#: Mouse drawings of each training digit (each set with its own sizes and places, seeds DRAWING_SEED,
#: +1, ...) and epochs: chosen on training digits only, ``python benchmarks/drawn_digits.py --copies``
#: (see the README), as the choice whose held-back drawings read best.
DRAWN_COPIES = 3
EPOCHS = 30
SMALLEST, LARGEST = 0.5, 1.0
COMMAND = "python tools/train_default_model.py"
MODELS = REPO / "resources" / "models"


def mouse_drawn_copies(images: np.ndarray, seed: int = DRAWING_SEED) -> np.ndarray:
    """One mouse drawing per digit of ``images`` (N, 28, 28), prepared like MNIST, float32."""
    rng = np.random.default_rng(seed)
    pen = default_pen((28, 28))
    skeletons = drawn.thin(images > 0.5)
    return np.stack(
        [prepare_like_mnist(drawn.mouse_drawing(s, pen, rng.uniform(SMALLEST, LARGEST), rng)) for s in skeletons]
    )


def training_set(digits: Digits) -> tuple[np.ndarray, np.ndarray]:
    """The bundled training digits followed by :data:`DRAWN_COPIES` sets of their mouse drawings, and the labels."""
    copies = [mouse_drawn_copies(digits.train_images, DRAWING_SEED + copy) for copy in range(DRAWN_COPIES)]
    images = np.concatenate([digits.train_images, *copies])
    return images, np.tile(digits.train_labels, DRAWN_COPIES + 1)


def train_default(
    config: TrainConfig | None = None, epochs_to_run: int | None = None
) -> tuple[Network, TrainResult, dict[str, str], list[CurvePoint]]:
    """The default network trained as the bundled one was, its result, its first epoch's fingerprints and curves.

    The curves are what the app's training panel draws: the held-out loss and accuracy before
    training (epoch 0) and after every epoch, and each epoch's mean training loss and accuracy.

    ``config`` defaults to seed :data:`SEED` and :data:`EPOCHS` epochs. ``epochs_to_run`` stops the run after that many
    epochs (same schedule, same steps so far): the suite checks the first epoch without paying
    for all of them.
    """
    config = config or TrainConfig(seed=SEED, epochs=EPOCHS)
    digits = load_bundled()
    images, labels = training_set(digits)
    net = Network.from_spec(MNIST_SPEC, (1, 28, 28), seed=config.seed)
    control = TrainingControl()
    first_epoch: dict[str, str] = {}
    start = loss_and_accuracy(net, digits.test_images, digits.test_labels, config.eval_batch_size)
    curves = [CurvePoint("test", 0.0, start.loss, start.accuracy)]

    def after_epoch(event: TrainEvent) -> None:
        curves.append(CurvePoint("train", float(event.epoch), event.loss, event.train_accuracy))
        curves.append(CurvePoint("test", float(event.epoch), event.test_loss, event.test_accuracy))
        if event.epoch == 1:
            first_epoch.update(fingerprints(net))
        if epochs_to_run is not None and event.epoch >= epochs_to_run:
            control.stop()

    result = train(
        net, images, labels, digits.test_images, digits.test_labels, config, on_epoch=after_epoch, control=control
    )
    if result.diverged or (epochs_to_run is None and not result.finished):
        raise SystemExit(f"training did not finish: {result.message}")
    return net, result, first_epoch, curves


def fingerprints(net: Network) -> dict[str, str]:
    return {name: parameter_fingerprint(array) for name, array in net.params.items()}


def training_history(net: Network, config: TrainConfig, curves: list[CurvePoint]) -> TrainingHistory:
    """What the app's training panel shows of this run: its curves, its verdict, its confusion matrix."""
    digits = load_bundled()
    predictions = predict_classes(net, digits.test_images, config.eval_batch_size)
    confusion = confusion_matrix(net, digits.test_images, digits.test_labels, batch_size=config.eval_batch_size)
    accuracy = float(np.mean(predictions == digits.test_labels))
    return TrainingHistory(
        epochs=config.epochs,
        points=tuple(curves),
        status=f"Trained in advance: test accuracy {accuracy * 100:.1f}%",
        progress=1.0,
        digit_set="bundled",
        confusion=confusion,
        predictions=predictions,
    )


def model_info(
    net: Network, result: TrainResult, config: TrainConfig, first_epoch: dict[str, str], curves: list[CurvePoint]
) -> dict[str, object]:
    """The JSON written next to the weights."""
    digits = load_bundled()
    accuracy = float(result.test_accuracy)
    held_out = digits.num_test
    description = (
        f"Trained on {digits.num_train:,} MNIST digits and {_drawings_of_each()}: "
        f"{accuracy * 100:.1f}% of {held_out:,} held-out digits read right."
    )
    return {
        "weights": PRETRAINED_WEIGHTS,
        "data": digits.name,
        "held_out_accuracy": accuracy,
        "held_out_digits": held_out,
        "seed": config.seed,
        "drawing_seed": DRAWING_SEED,
        "training_images": f"{digits.num_train:,} bundled training digits and {_drawings_of_each()}",
        "drawn_copies": DRAWN_COPIES,
        "epochs": config.epochs,
        "config": config.as_dict(),
        "command": COMMAND,
        "numpy": np.__version__,
        "record": TrainingRecord.of(net, description).as_dict(),
        "first_epoch_fingerprints": first_epoch,
        "history": training_history(net, config, curves).to_json(),
    }


def json_text(info: dict[str, object]) -> str:
    """``info`` as indented JSON, each innermost list on one line (curve points, matrix rows, predictions)."""
    text = json.dumps(info, indent=2)
    return re.sub(r"\[[^\[\]{}]*\]", lambda m: re.sub(r"\s*\n\s*", "", m.group()).replace(",", ", "), text) + "\n"


def _drawings_of_each() -> str:
    return "a mouse drawing of each" if DRAWN_COPIES == 1 else f"{DRAWN_COPIES} mouse drawings of each"


def check(net: Network) -> int:
    """0 if ``net`` saves to exactly the bundled weights file, else 1 naming the parameters that differ."""
    bundled_path = MODELS / PRETRAINED_WEIGHTS
    with tempfile.TemporaryDirectory() as folder:
        fresh_path = Path(folder) / PRETRAINED_WEIGHTS
        net.save(fresh_path)
        if fresh_path.read_bytes() == bundled_path.read_bytes():
            print(f"{bundled_path.name} is reproduced byte for byte")
            return 0
    bundled = Network.load(bundled_path)
    differ = [name for name, array in net.params.items() if not _same(array, bundled.params.get(name))]
    print(f"{bundled_path.name} differs from a fresh run in: {', '.join(differ) or 'its bytes, not its weights'}")
    return 1


def _same(a: np.ndarray, b: np.ndarray | None) -> bool:
    return b is not None and a.shape == b.shape and a.dtype == b.dtype and a.tobytes() == b.tobytes()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="retrain and compare with the bundled weights")
    args = parser.parse_args(argv)
    config = TrainConfig(seed=SEED, epochs=EPOCHS)
    net, result, first_epoch, curves = train_default(config)
    print(f"held-out accuracy {result.test_accuracy * 100:.2f}% after {result.elapsed:.1f} s")
    if args.check:
        return check(net)
    MODELS.mkdir(parents=True, exist_ok=True)
    net.save(MODELS / PRETRAINED_WEIGHTS)
    text = json_text(model_info(net, result, config, first_epoch, curves))
    atomic_write_bytes(MODELS / PRETRAINED_INFO, text.encode("utf-8"))
    print(f"wrote {MODELS / PRETRAINED_WEIGHTS} and {PRETRAINED_INFO}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
