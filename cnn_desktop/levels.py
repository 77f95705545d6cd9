"""Colour levels of values, as numbers: Qt-free, so the compute worker finds them with the maps.

Views show a map of signed values with levels (-m, m), zero at the middle of a diverging map.
Finding m scans the whole map; the worker does it once per forward pass (``ForwardResult.levels``)
so the UI thread does not scan every stage again on every edit.
"""

from __future__ import annotations

import math

import numpy as np


def symmetric_level(values: np.ndarray) -> float:
    """Half-width m of the levels (-m, m) that show ``values`` with zero at mid-grey (never 0).

    Non-finite values are ignored; an empty, all-zero or all-non-finite array gives 1.
    """
    if values.size == 0:
        return 1.0
    with np.errstate(invalid="ignore"):
        peak = max(float(values.max()), -float(values.min()))  # two passes, no temporary arrays
    if not math.isfinite(peak):  # a NaN or an infinity somewhere: the slow, masked scan
        finite = np.abs(values[np.isfinite(values)])
        peak = float(finite.max()) if finite.size else 0.0
    return peak if peak > 1e-12 else 1.0
