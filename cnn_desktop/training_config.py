"""The settings of a training run and its learning-rate schedule (Qt-free, no NumPy work).

:class:`TrainConfig` is everything that decides a run besides the network and the data;
:func:`scheduled_lr` is the rate of each step. :func:`cnn_desktop.training.train` reads both.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields, replace

import numpy as np

from .engine import OPTIMISERS

#: Learning rate used when :attr:`TrainConfig.lr` is None, per optimiser.
DEFAULT_LR: dict[str, float] = {"sgd": 0.05, "adam": 0.004}

#: Learning-rate schedules :func:`scheduled_lr` knows.
SCHEDULES: tuple[str, ...] = ("cosine", "step", "constant")


@dataclass(frozen=True)
class TrainConfig:
    """Everything that decides a training run.

    The defaults (20 epochs of SGD with momentum 0.9, batches of 32, peak rate 0.05 with a short
    warm-up and cosine decay, shifts of up to 2 pixels) train ``MNIST_SPEC`` to 97.7-98.8% test
    accuracy on the bundled digits (4,000 train / 1,000 test; seeds 0-6) in about 10 seconds on
    two cores.

    * ``epochs``: passes over the training images.
    * ``batch_size``: images per gradient step.
    * ``lr``: peak learning rate; None takes :data:`DEFAULT_LR` for the optimiser.
    * ``optimiser``: ``"adam"`` or ``"sgd"`` (heavy-ball momentum ``momentum``).
    * ``schedule``: ``"cosine"`` (default), ``"step"`` or ``"constant"``; see :func:`scheduled_lr`.
    * ``warmup_steps``: steps over which the rate ramps up linearly from near 0 at the start.
    * ``final_lr_fraction``: the cosine schedule ends at ``lr * final_lr_fraction``.
    * ``augment`` / ``max_shift``: random shifts of each training image by up to ``max_shift``
      pixels in x and y (test images are never shifted).
    * ``seed``: seeds the shuffling and the shifts (the network's initial weights come from
      ``Network.from_spec(..., seed)``, chosen by the caller).
    * ``eval_batch_size``: images per forward pass when evaluating.
    """

    epochs: int = 20
    batch_size: int = 32
    lr: float | None = None
    optimiser: str = "sgd"
    momentum: float = 0.9
    schedule: str = "cosine"
    warmup_steps: int = 50
    final_lr_fraction: float = 0.02
    augment: bool = True
    max_shift: int = 2
    seed: int = 0
    eval_batch_size: int = 500

    def __post_init__(self) -> None:
        def whole(name: str, low: int) -> None:
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
                raise ValueError(f"{name} must be a whole number of at least {low}, got {value!r}")

        whole("epochs", 1)
        whole("batch_size", 1)
        whole("warmup_steps", 0)
        whole("max_shift", 0)
        whole("seed", 0)
        whole("eval_batch_size", 1)
        if self.optimiser not in OPTIMISERS:
            raise ValueError(f"optimiser must be one of {', '.join(sorted(OPTIMISERS))}, got {self.optimiser!r}")
        if self.schedule not in SCHEDULES:
            raise ValueError(f"schedule must be one of {', '.join(SCHEDULES)}, got {self.schedule!r}")
        if self.lr is not None and not (isinstance(self.lr, (int, float)) and math.isfinite(self.lr) and self.lr > 0):
            raise ValueError(f"lr must be a positive number, got {self.lr!r}")
        if not 0 <= self.momentum < 1:
            raise ValueError(f"momentum must be from 0 up to (not including) 1, got {self.momentum!r}")
        if not 0 <= self.final_lr_fraction <= 1:
            raise ValueError(f"final_lr_fraction must be from 0 to 1, got {self.final_lr_fraction!r}")

    @property
    def peak_lr(self) -> float:
        """The learning rate the schedule starts from (after warm-up)."""
        return float(self.lr) if self.lr is not None else DEFAULT_LR[self.optimiser]

    def with_changes(self, **changes: object) -> TrainConfig:
        """A copy with some settings changed (and checked again)."""
        return replace(self, **changes)

    def as_dict(self) -> dict[str, object]:
        """The settings as a plain dict (e.g. to show or store next to a model)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


def scheduled_lr(config: TrainConfig, step: int, total_steps: int) -> float:
    """Learning rate of step ``step`` (0-based) of a run of ``total_steps`` steps.

    * ``"cosine"``: half a cosine from ``peak_lr`` down to ``peak_lr * final_lr_fraction`` at the
      last step. Smooth, no extra settings, and the small final rate settles the weights.
    * ``"step"``: ``peak_lr`` for the first half of the run, a tenth of it until three quarters,
      a hundredth after that.
    * ``"constant"``: ``peak_lr`` throughout.

    In every schedule the first ``warmup_steps`` steps (at most a tenth of the run) ramp linearly
    up to the schedule's value, which keeps the first large, random gradients from doing damage.
    """
    peak = config.peak_lr
    total = max(1, total_steps)
    progress = min(max(step, 0), total - 1) / max(1, total - 1)
    if config.schedule == "cosine":
        low = peak * config.final_lr_fraction
        lr = low + (peak - low) * 0.5 * (1.0 + math.cos(math.pi * progress))
    elif config.schedule == "step":
        lr = peak * (1.0 if progress < 0.5 else 0.1 if progress < 0.75 else 0.01)
    else:
        lr = peak
    warmup = min(config.warmup_steps, total // 10)
    if step < warmup:
        lr *= (step + 1) / (warmup + 1)
    return lr
