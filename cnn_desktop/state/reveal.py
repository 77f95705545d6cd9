"""Predict before reveal: which results of a lesson scene stay hidden until the lecturer shows them.

A scene names the results it hides in its view options under ``"hidden"`` (a list, in the order
they are revealed; one of the keys :class:`~cnn_desktop.state.view_options.ViewOptions` keeps in
``extra``), so a deck saves them with no change to the file format. :class:`RevealState`
is the playback of that list: everything named stays hidden until revealed, one at a time (the
reveal key) or by name. Nothing here draws; views ask :meth:`RevealState.is_hidden`.

Result names: ``"probabilities"`` (the class probabilities), ``"stage:N"`` (the maps of stage N),
``"saliency"`` (the saliency overlay) and ``"changes"`` (the two-input comparison's numbers).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from .view_options import ViewOptions

HIDDEN_KEY = "hidden"
RESULT_NAME = re.compile(r"^(probabilities|saliency|changes|stage:(0|[1-9][0-9]{0,2}))$")


def check_hidden(names: Any) -> list[str]:
    """The valid, distinct result names of ``names`` in order; anything else is dropped."""
    if not isinstance(names, list):
        return []
    result: list[str] = []
    for name in names:
        if isinstance(name, str) and RESULT_NAME.match(name) and name not in result:
            result.append(name)
    return result


def stage_result(stage: int) -> str:
    """The result name of the maps of ``stage``."""
    return f"stage:{stage}"


@dataclass
class RevealState:
    """The hidden results of the scene shown, in reveal order, and which have been revealed."""

    hidden: list[str] = field(default_factory=list)
    revealed: int = 0
    """How many of ``hidden`` (from the front) have been revealed with :meth:`reveal_next`."""
    revealed_by_name: set[str] = field(default_factory=set)

    @classmethod
    def from_view_options(cls, options: ViewOptions | Mapping[str, Any] | None) -> RevealState:
        """The state of a scene as it starts: everything its options (or their JSON) name is hidden."""
        if isinstance(options, ViewOptions):
            options = options.extra
        return cls(check_hidden((options or {}).get(HIDDEN_KEY)))

    def is_hidden(self, name: str) -> bool:
        if name not in self.hidden or name in self.revealed_by_name:
            return False
        return self.hidden.index(name) >= self.revealed

    @property
    def remaining(self) -> list[str]:
        """The results still hidden, in reveal order."""
        return [name for name in self.hidden if self.is_hidden(name)]

    def reveal_next(self) -> str | None:
        """Reveal the next hidden result (the reveal key); returns its name, None if nothing is left."""
        remaining = self.remaining
        if not remaining:
            return None
        self.revealed = self.hidden.index(remaining[0]) + 1
        return remaining[0]

    def reveal(self, name: str) -> bool:
        """Reveal ``name`` out of order; True if it was hidden."""
        if not self.is_hidden(name):
            return False
        self.revealed_by_name.add(name)
        return True

    def reveal_all(self) -> None:
        self.revealed = len(self.hidden)

    def hide_again(self) -> None:
        """Back to the scene's start: everything named is hidden again (replaying the scene)."""
        self.revealed, self.revealed_by_name = 0, set()


def with_hidden(options: ViewOptions, names: list[str]) -> ViewOptions:
    """A copy of view ``options`` that hides ``names`` (checked) until revealed."""
    return replace(options, extra={**options.extra, HIDDEN_KEY: check_hidden(list(names))})
