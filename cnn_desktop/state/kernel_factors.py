"""The factor each kernel is written with, as the lecture writes the box blur: 1/9 x all ones (Qt-free).

A kernel's weights are ``factor * grid``. The factor only decides how the kernel is *shown*; it is
remembered per kernel (layer, output channel, input channel) while the app runs and forgotten for
kernels that no longer exist.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from ..number_text import parse_number

KernelKey = tuple[int, int, int]  # layer, output channel, input channel


def parse_factor(text: str) -> float:
    """The factor typed as ``text`` ("1/9", "0.5"); ValueError unless finite and not 0."""
    factor = parse_number(text)
    if not np.isfinite(factor) or factor == 0:
        raise ValueError(f"the factor must be a finite number other than 0, not {text.strip()!r}")
    return factor


class KernelFactors:
    """Display factor per kernel; 1 for a kernel never given one."""

    def __init__(self) -> None:
        self._factors: dict[KernelKey, float] = {}

    def get(self, key: KernelKey) -> float:
        return self._factors.get(key, 1.0)

    def set(self, key: KernelKey, factor: float) -> None:
        self._factors[key] = float(factor)

    def snapshot(self) -> dict[KernelKey, float]:
        """A copy to :meth:`restore` when an edit that changed factors is refused."""
        return dict(self._factors)

    def restore(self, snapshot: dict[KernelKey, float]) -> None:
        self._factors = dict(snapshot)

    def forget_missing(self, params: Mapping[str, np.ndarray]) -> None:
        """Drop the factors of kernels that ``params`` (a network's weights) no longer has."""
        for key in list(self._factors):
            layer, out_channel, in_channel = key
            weight = params.get(f"{layer}.weight")
            if weight is None or out_channel >= weight.shape[0] or in_channel >= weight.shape[1]:
                del self._factors[key]
