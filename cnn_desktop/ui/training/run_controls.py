"""The training panel's run controls, built with their texts and tooltips: buttons, progress, banner."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QLabel, QMessageBox, QProgressBar, QPushButton, QWidget

from .run_texts import READY

BANNER_STYLES = {
    "info": "background: #dde8f5; color: #102a43; border: 1px solid #8aa9cc;",
    "success": "background: #dcefdc; color: #123d12; border: 1px solid #7fb77f;",
    "error": "background: #ffd7d7; color: #8a0000; border: 1px solid #a00000; font-weight: bold;",
}
"""Style of the banner per kind of message."""

PROGRESS_STEPS = 1000


def button(text: str, tip: str, bold: bool = False) -> QPushButton:
    widget = QPushButton(text)
    widget.setToolTip(tip)
    if bold:
        font = QFont(widget.font())
        font.setBold(True)
        widget.setFont(font)
    return widget


def run_buttons() -> tuple[QPushButton, QPushButton, QPushButton, QPushButton, QPushButton]:
    """Start, Pause, Resume, Stop (bold: the run itself) and Reset weights."""
    return (
        button("&Start", "Train the current network (a copy of it) on the chosen digits", bold=True),
        button("&Pause", "Hold training; the weights unlock so you can edit kernels meanwhile", bold=True),
        button("&Resume", "Continue training from the weights shown now, your edits included", bold=True),
        button("S&top", "End training; the confusion matrix of the test digits follows", bold=True),
        button("Reset &weights", "Give every layer fresh random (He) weights: one undo step"),
    )


def progress_bar() -> QProgressBar:
    """Epoch and batch of the running training and the time left, in PROGRESS_STEPS steps."""
    bar = QProgressBar()
    bar.setRange(0, PROGRESS_STEPS)
    bar.setValue(0)
    bar.setTextVisible(True)
    bar.setFormat(READY)
    bar.setToolTip("Epoch and batch of the running training, and the time it still needs")
    bar.setMinimumHeight(26)
    return bar


def banner() -> QLabel:
    """The panel's last message (hidden while there is none); :func:`show_message` fills it."""
    label = QLabel("")
    label.setWordWrap(True)
    label.setMargin(6)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setToolTip("What the training panel did last, or why it could not")
    label.hide()
    return label


def show_message(label: QLabel, text: str, kind: str) -> None:
    """``text`` in the banner ``label``, styled for ``kind`` (info, success, error); empty hides it."""
    label.setStyleSheet(f"QLabel {{ {BANNER_STYLES[kind]} border-radius: 4px; }}")
    label.setText(text)
    label.setVisible(bool(text))


def failure_box(parent: QWidget, text: str, details: str) -> QMessageBox:
    """The window-modal dialog that says a run failed (``details``: the traceback), not yet shown."""
    box = QMessageBox(QMessageBox.Icon.Critical, "Training failed", text, QMessageBox.StandardButton.Ok, parent)
    box.setInformativeText("The app keeps running; the weights shown are the last ones received.")
    box.setDetailedText(details)
    box.setWindowModality(Qt.WindowModality.WindowModal)
    return box
