"""One number of a network's tensors, named the same way by the selection, fields and traces.

Stages number the tensors: stage 0 is the input image, stage ``i + 1`` the output of layer ``i``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Unit:
    """Unit (channel, y, x) of an image stage (C, H, W); of a flat stage (F,) feature ``x``, y = 0."""

    stage: int
    channel: int
    y: int
    x: int

    @property
    def layer(self) -> int:
        """The layer whose output holds this unit (-1 for the input image)."""
        return self.stage - 1
