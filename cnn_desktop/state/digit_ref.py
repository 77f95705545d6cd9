"""Which MNIST digit the input image is, so its caption ("label 7") stays honest across saves.

A session's image is either a digit loaded from a set, exactly as loaded (a :class:`DigitRef`), or
anything else (None: drawn, edited, imported). Qt-free; saved with the session.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

DIGIT_SPLITS = ("test", "train")
MAX_SOURCE_CHARS = 4096


class DigitRefError(ValueError):
    """A saved digit reference that cannot be right; the message is one line."""


@dataclass(frozen=True)
class DigitRef:
    """Digit ``index`` of the ``split`` part of the ``source`` set, whose true class is ``label``."""

    source: str
    """``"bundled"`` (shipped with the app), ``"full"`` (the downloaded MNIST) or a folder."""
    split: str
    """``"test"`` or ``"train"``."""
    index: int
    """Position of the digit in that part of the set."""
    label: int
    """Its true class, 0 to 9."""

    def __post_init__(self) -> None:
        if not (isinstance(self.source, str) and 0 < len(self.source) <= MAX_SOURCE_CHARS):
            raise DigitRefError(f"the digit's set must be a name, not {self.source!r}")
        if self.split not in DIGIT_SPLITS:
            raise DigitRefError(f"the digit's split must be test or train, not {self.split!r}")
        if not (_is_int(self.index) and self.index >= 0):
            raise DigitRefError(f"the digit's index must be a whole number from 0, not {self.index!r}")
        if not (_is_int(self.label) and 0 <= self.label <= 9):
            raise DigitRefError(f"the digit's label must be 0 to 9, not {self.label!r}")

    def to_json(self) -> dict[str, Any]:
        return {"source": self.source, "split": self.split, "index": self.index, "label": self.label}

    @classmethod
    def from_json(cls, raw: Any) -> DigitRef:
        """The reference saved by :meth:`to_json`; :class:`DigitRefError` for anything malformed."""
        if not isinstance(raw, dict) or set(raw) != {"source", "split", "index", "label"}:
            raise DigitRefError(f"the digit must be an object of source, split, index and label, not {raw!r}"[:200])
        return cls(**raw)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
