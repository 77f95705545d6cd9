"""Numbers as text, both ways, the way the lecture slides write them and people type them (Qt-free).

:func:`format_value` writes a cell's number, :func:`scale_text` a kernel's factor (``1/9``), and
:func:`parse_number` reads what a person types (``0.5``, ``,5``, ``1/9``).
"""

from __future__ import annotations

import math
from fractions import Fraction


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


def scale_text(scale: float) -> str:
    """A scale factor as the lecture writes it: ``1/9``, ``1/16``, ``2``, ``0.3``."""
    scale = float(scale)
    if not math.isfinite(scale):
        return str(scale)
    fraction = Fraction(scale).limit_denominator(256)
    if fraction == 0 or abs(float(fraction) - scale) > 1e-6 * abs(scale):
        return f"{scale:.4g}"
    if fraction.denominator == 1:
        return str(fraction.numerator)
    decimal = f"{scale:.4f}".rstrip("0")
    if abs(fraction.numerator) != 1 and abs(float(decimal) - scale) < 1e-9:
        return decimal  # 0.3 rather than 3/10
    if abs(fraction.numerator) <= 16:
        return f"{fraction.numerator}/{fraction.denominator}"
    return f"{scale:.4g}"


def parse_number(text: str) -> float:
    """A number as a person types it: ``0.5``, ``-2``, ``,5`` (decimal comma) or ``1/9``.

    Raises ValueError with a readable message. NaN and infinity parse; callers that cannot take
    them say so themselves.
    """
    cleaned = text.strip().replace(",", ".").replace("\u2212", "-")
    if not cleaned:
        raise ValueError("type a number, e.g. 0.5, -2 or 1/9")
    top, slash, bottom = cleaned.partition("/")
    try:
        numerator, denominator = float(top), float(bottom) if slash else 1.0
    except ValueError:
        raise ValueError(f"{text.strip()!r} is not a number (type e.g. 0.5, -2 or 1/9)") from None
    if denominator == 0:
        raise ValueError(f"{text.strip()!r} divides by zero")
    return numerator / denominator
