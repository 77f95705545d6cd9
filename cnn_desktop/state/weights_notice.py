"""The one line shown over class probabilities when they are not a trained network's reading.

Probabilities from random, edited or half-trained weights look just as confident as trained
ones. Every view that shows class probabilities (the probabilities panel, the presentation
layout's bars) shows this same line, so they cannot disagree. Qt-free.
"""

from __future__ import annotations

from ..engine import WeightsStatus

__all__ = ["TRAINING_NOTICE", "weights_notice"]

#: The notice while a training run is changing the weights: neither untrained nor edited, unfinished.
TRAINING_NOTICE = "Training is running: the weights are still being learned."


def weights_notice(status: WeightsStatus) -> str:
    """The notice for weights in ``status``, or "" when they are the trained ones (nothing to warn about)."""
    return status.text if status.kind in ("untrained", "changed") else ""
