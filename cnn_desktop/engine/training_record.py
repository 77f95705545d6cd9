"""Whether the weights on screen are the ones a training run produced, and if not, what changed.

Class probabilities from random or hand-edited weights look just as confident as trained ones.
A :class:`TrainingRecord` keeps a fingerprint (SHA-256) of every parameter right after training,
with the pipeline and a sentence saying how good the result was; :func:`weights_status` compares
a network with it, cheaply enough to run after every edit.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .network import Network

__all__ = ["TrainingRecord", "WeightsStatus", "parameter_fingerprint", "training_lost", "weights_status"]


def parameter_fingerprint(array: np.ndarray) -> str:
    """SHA-256 (hex) of one parameter: its shape and its float32 little-endian bytes.

    Only the values count, not the parameter's name, so a layer moved elsewhere in the pipeline
    with its weights is still recognised.
    """
    values = np.ascontiguousarray(array, dtype="<f4")
    digest = hashlib.sha256(json.dumps(list(values.shape)).encode("ascii"))
    digest.update(values.tobytes())
    return digest.hexdigest()


def _spec_key(spec: Any, input_shape: Any) -> str:
    return json.dumps({"spec": spec, "input_shape": [int(v) for v in input_shape]}, sort_keys=True)


@dataclass(frozen=True)
class TrainingRecord:
    """What a network was right after training, and a sentence for the user about the result.

    ``description`` is shown as it is while the weights are unchanged, e.g. "Trained on MNIST:
    97.8% of 1,000 held-out digits right". ``fingerprints`` maps parameter names
    (``"0.weight"``) to :func:`parameter_fingerprint`.
    """

    description: str
    spec: list[dict[str, Any]]
    input_shape: tuple[int, ...]
    fingerprints: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, net: Network, description: str) -> TrainingRecord:
        """The record of ``net`` as it is now (call it when training has finished)."""
        prints = {name: parameter_fingerprint(array) for name, array in net.params.items()}
        return cls(description, json.loads(json.dumps(net.spec)), tuple(net.input_shape), prints)

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data, e.g. to save next to the weights or in a session."""
        return {
            "description": self.description,
            "spec": self.spec,
            "input_shape": list(self.input_shape),
            "fingerprints": dict(self.fingerprints),
        }

    @classmethod
    def from_dict(cls, data: Any) -> TrainingRecord:
        """The record :meth:`as_dict` wrote; ValueError with a one-line reason if it is damaged."""
        try:
            description, spec = data["description"], data["spec"]
            input_shape = tuple(int(v) for v in data["input_shape"])
            prints = dict(data["fingerprints"])
        except (KeyError, TypeError, ValueError):
            raise ValueError("damaged training record: expected description, spec, input_shape, fingerprints") from None
        if not isinstance(description, str) or not isinstance(spec, list):
            raise ValueError("damaged training record: description must be text and spec a list of layers")
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in prints.items()):
            raise ValueError("damaged training record: fingerprints must map parameter names to text")
        return cls(description, spec, input_shape, prints)


@dataclass(frozen=True)
class WeightsStatus:
    """How the weights on screen relate to their training.

    ``kind`` is ``"trained"`` (exactly the trained weights and pipeline), ``"changed"`` (edited,
    or the pipeline changed, since training), ``"untrained"`` (no training behind them) or
    ``"no weights"`` (a pipeline without parameters). ``text`` is one sentence for the user;
    ``changed_layers`` the indices of the layers whose weights are not the trained ones.
    """

    kind: str
    text: str
    changed_layers: tuple[int, ...] = ()

    @property
    def trained(self) -> bool:
        return self.kind == "trained"


def weights_status(net: Network, record: TrainingRecord | None) -> WeightsStatus:
    """Compare ``net`` with the ``record`` of the training its weights came from.

    ``record`` is None when the weights come from no training (fresh random weights). When the
    pipeline is the trained one, layers are compared position by position; when it was changed,
    a layer counts as trained if its parameters are among the trained ones wherever they were.
    """
    layers_with_params = sorted({int(name.split(".")[0]) for name in net.params})
    if not layers_with_params:
        return WeightsStatus("no weights", "This pipeline has no weights: nothing in it is learned.")
    if record is None:
        return WeightsStatus(
            "untrained",
            "Untrained (random weights): these probabilities are not a reading of the digit.",
            tuple(layers_with_params),
        )
    prints = {name: parameter_fingerprint(array) for name, array in net.params.items()}
    same_pipeline = _spec_key(net.spec, net.input_shape) == _spec_key(record.spec, record.input_shape)
    if same_pipeline:
        changed = sorted({int(name.split(".")[0]) for name, p in prints.items() if record.fingerprints.get(name) != p})
    else:
        known = set(record.fingerprints.values())
        changed = sorted({int(name.split(".")[0]) for name, p in prints.items() if p not in known})
    if same_pipeline and not changed:
        return WeightsStatus("trained", record.description)
    names = ", ".join(net.label(index) for index in changed)
    if same_pipeline:
        text = f"Changed since training: the weights of {names} were edited."
    elif changed:
        text = f"Changed since training: the pipeline is different, with untrained weights in {names}."
    else:
        text = "Changed since training: the pipeline is different from the one that was trained."
    return WeightsStatus("changed", text, tuple(changed))


def training_lost(before: Network, after: Network, record: TrainingRecord | None) -> list[str]:
    """Labels of the layers of ``before`` whose trained parameters are nowhere in ``after``.

    What a pipeline or grid change cost: a layer whose shapes no longer fit is given fresh random
    weights (``Network.rebuilt``), and a removed layer takes its weights with it. Layers that were
    not trained (edited, or new) lose nothing. Labels are ``before``'s, e.g. "layer 7 (dense 10)".
    """
    if record is None:
        return []
    trained = set(record.fingerprints.values())
    kept = {parameter_fingerprint(array) for array in after.params.values()}
    lost = {
        int(name.split(".")[0])
        for name, array in before.params.items()
        if (fingerprint := parameter_fingerprint(array)) in trained and fingerprint not in kept
    }
    return [before.label(index) for index in sorted(lost)]
