"""The default MNIST network, already trained, as shipped in ``resources/models/``.

So the app can open on a network that reads digits, with no training first. The weights are
made by ``tools/train_default_model.py`` from the bundled digits, reproducibly (seeded); the
JSON file next to them says how, how well they do on held-out digits, and holds their
:class:`~cnn_desktop.engine.training_record.TrainingRecord`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..paths import resource_path
from .network import ModelFileError, Network
from .training_record import TrainingRecord

__all__ = ["PRETRAINED_INFO", "PRETRAINED_WEIGHTS", "pretrained", "pretrained_info", "pretrained_record"]

#: File names of the bundled network under ``resources/models/``.
PRETRAINED_WEIGHTS = "mnist_default.npz"
PRETRAINED_INFO = "mnist_default.json"


def _bundled(name: str) -> Path:
    path = resource_path("models", name)
    if not path.is_file():
        raise ModelFileError(f"{name}: the bundled trained network is missing from this installation")
    return path


def pretrained() -> Network:
    """A fresh copy of the trained default MNIST network (``MNIST_SPEC``, 1x28x28 in, 10 out).

    Each call reads the bundled file again, so changing one copy never changes another. Raises
    :class:`~cnn_desktop.engine.ModelFileError` if the file is missing or damaged.
    """
    return Network.load(_bundled(PRETRAINED_WEIGHTS))


def pretrained_info() -> dict[str, Any]:
    """What the JSON next to the weights says: held-out accuracy, seed, epochs, command, record."""
    path = _bundled(PRETRAINED_INFO)
    try:
        info = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise ModelFileError(f"{path.name}: not readable ({exc})") from None
    if not isinstance(info, dict):
        raise ModelFileError(f"{path.name}: expected a JSON object")
    return info


def pretrained_record() -> TrainingRecord:
    """The :class:`TrainingRecord` of the bundled weights, to pass to ``weights_status``."""
    try:
        return TrainingRecord.from_dict(pretrained_info().get("record"))
    except ValueError as exc:
        raise ModelFileError(f"{PRETRAINED_INFO}: {exc}") from None
