"""Which values survive a JSON round trip unchanged (Qt-free): plain None, bool, int, finite float,
str, and lists and str-keyed dicts of those.

Sessions save the view options as JSON and promise to give back exactly what was saved, so a
tuple, a NumPy scalar or a NaN is refused up front, with a hint how to fix it, instead of coming
back changed.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .untrusted import printable


def plain_json_problem(value: Any, where: str, max_depth: int, max_text: int, depth: int = 0) -> str | None:
    """Why ``value`` (found at ``where``) would not come back from JSON unchanged, or None."""
    if depth > max_depth:
        return f"{where} is nested more than {max_depth} levels deep"
    if isinstance(value, str):
        return f"{where} is text of over {max_text} characters" if len(value) > max_text else None
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return None if type(value) is int else f"{where} is a {type(value).__name__}, not a plain int"
    if isinstance(value, float):
        if type(value) is not float:
            return f"{where} is a {type(value).__name__}, not a plain float"
        return None if math.isfinite(value) else f"{where} is {value}, only finite numbers can be saved"
    if isinstance(value, list):
        for index, item in enumerate(value):
            problem = plain_json_problem(item, f"{where}[{index}]", max_depth, max_text, depth + 1)
            if problem:
                return problem
        return None
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                return f"{where} has the key {printable(key, 30)!r}; keys must be text"
            problem = plain_json_problem(item, f"{where}[{printable(key, 30)!r}]", max_depth, max_text, depth + 1)
            if problem:
                return problem
        return None
    hint = (
        "; use a list"
        if isinstance(value, tuple)
        else "; convert it with .item()"
        if isinstance(value, np.generic)
        else ""
    )
    return f"{where} is a {type(value).__name__}, not a plain JSON value{hint}"
