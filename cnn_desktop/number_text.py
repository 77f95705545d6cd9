"""How the app writes a number in a cell: as the lecture slides do (Qt-free)."""

from __future__ import annotations

import math


def format_value(value: float) -> str:
    """A cell's number as the slides write it: integers bare, others with up to 2 decimals.

    Overflowed values (huge weights from a file, a diverged training run) read ``inf`` / ``nan``.
    """
    value = float(value) + 0.0  # no "-0"
    if not math.isfinite(value):
        return str(value)
    if abs(value - round(value)) < 5e-4:
        return str(int(round(value))) if abs(value) < 1e6 else f"{value:.3g}"
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text
