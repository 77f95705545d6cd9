"""Undoable edits of the session, one ``QUndoCommand`` per user gesture.

Each command stores the state before and after, so undo and redo are exact copies, never a
replayed computation. A command created for a change already shown on screen (a paint stroke is
applied while the mouse moves) skips its first ``redo``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtGui import QUndoCommand

from ..engine import Network, TrainingRecord

if TYPE_CHECKING:
    from ..state.digit_ref import DigitRef
    from .document import SessionDocument


class ImageEdit(QUndoCommand):
    """The whole image before and after one gesture (a stroke, clear, invert, shift, load...).

    It also restores which MNIST digit the image was (``session.digit``): undoing a load names the
    digit shown before again, and redoing it names the loaded one.
    """

    def __init__(
        self,
        document: SessionDocument,
        before: np.ndarray,
        after: np.ndarray,
        text: str,
        applied: bool = False,
        digit_before: DigitRef | None = None,
    ) -> None:
        super().__init__(text)
        self.document, self.before, self.after = document, before.copy(), after.copy()
        self.digit_before: DigitRef | None = digit_before
        self.digit_after: DigitRef | None = None  # known at the first undo: a load names its digit after the push
        self.skip_redo = applied

    def redo(self) -> None:
        if self.skip_redo:
            self.skip_redo = False
            return
        self.document.apply_image(self.after, self.digit_after)

    def undo(self) -> None:
        self.digit_after = self.document.session.digit
        self.document.apply_image(self.before, self.digit_before)


class ParamEdit(QUndoCommand):
    """Some parameter arrays (a kernel, a bias, a whole layer) before and after an edit.

    Consecutive edits of the same parameters with the same ``merge_key`` (e.g. scrolling on one
    kernel cell) merge into one undo step.
    """

    def __init__(
        self,
        document: SessionDocument,
        before: dict[str, np.ndarray],
        after: dict[str, np.ndarray],
        text: str,
        merge_key: object = None,
    ) -> None:
        super().__init__(text)
        self.document, self.merge_key = document, merge_key
        self.before = {name: array.copy() for name, array in before.items()}
        self.after = {name: array.copy() for name, array in after.items()}

    def id(self) -> int:
        return 2 if self.merge_key is not None else -1

    def mergeWith(self, other: QUndoCommand) -> bool:  # noqa: N802 (Qt's name)
        if not isinstance(other, ParamEdit) or other.merge_key != self.merge_key:
            return False
        self.after = other.after
        return True

    def redo(self) -> None:
        self.document.apply_params(self.after)

    def undo(self) -> None:
        self.document.apply_params(self.before)


class NetworkEdit(QUndoCommand):
    """The whole network (pipeline and weights), image and training record before and after a change.

    The record travels with the weights, so undoing a reset brings back trained weights *and* the
    knowledge that they are trained.
    """

    def __init__(
        self,
        document: SessionDocument,
        before: tuple[np.ndarray, Network, TrainingRecord | None],
        after: tuple[np.ndarray, Network, TrainingRecord | None],
        text: str,
    ) -> None:
        super().__init__(text)
        self.document = document
        self.before = (before[0].copy(), before[1].copy(), before[2])
        self.after = (after[0].copy(), after[1].copy(), after[2])

    def redo(self) -> None:
        self.document.apply_state(*self.after)

    def undo(self) -> None:
        self.document.apply_state(*self.before)
