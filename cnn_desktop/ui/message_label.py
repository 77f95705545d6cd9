"""The line under an editor that says what the last edit did, or why it was refused."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget

ERROR_STYLE = "color: #d62f27; font-weight: bold;"


class MessageLabel(QLabel):
    """A wrapping label for an editor's status and error messages (errors bold and red).

    It has room for two lines from the start, so that a message never shrinks the grid above it
    while the mouse is on it.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("", parent)
        self.setWordWrap(True)
        self.setMinimumHeight(2 * self.fontMetrics().lineSpacing() + 4)
        self.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)

    def say(self, text: str, error: bool = False) -> None:
        """Show ``text``; ``error`` marks it as a refusal."""
        self.setStyleSheet(ERROR_STYLE if error else "")
        self.setText(text)

    def forget(self, reason: str) -> None:
        """Clear a message that quotes ``reason``, a state that has ended (e.g. training ran)."""
        if reason and reason in self.text():
            self.say("")
