"""The strip above the feature maps: how to read them, and the zoom buttons with their shortcuts."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence, QPainter, QPaintEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QToolButton, QWidget


class ElidedLabel(QLabel):
    """One line that ends in … when it does not fit, instead of being cut mid-word; the tip has it all."""

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt's name)
        painter = QPainter(self)
        painter.drawText(self.rect(), int(self.alignment()), self.shown_text())
        painter.end()

    def shown_text(self) -> str:
        """The text as drawn at the current width."""
        return self.fontMetrics().elidedText(self.text(), Qt.TextElideMode.ElideRight, self.width())


def zoom_toolbar(
    owner: QWidget, zoom_in: Callable[[], None], zoom_out: Callable[[], None], reset: Callable[[], None]
) -> tuple[QHBoxLayout, QLabel]:
    """(the strip, its zoom label): a hint, then −, the zoom in percent, Reset and +.

    The actions are added to ``owner`` with shortcuts (Ctrl+-, Ctrl++, Ctrl+0) that work while the
    focus is in ``owner`` or its children.
    """
    bar = QHBoxLayout()
    bar.setContentsMargins(6, 2, 6, 0)
    hint = ElidedLabel("Hover a cell to read its value · click to select a unit · Ctrl+wheel zooms")
    hint.setToolTip(
        "Every channel of every layer, recomputed live as you edit the image or the kernels.\n"
        "Hover a cell to read its value, click to select a unit, Ctrl+wheel or Ctrl+plus/minus to zoom."
    )
    hint.setMinimumWidth(20)  # elided in a narrow window; it must not widen the view
    hint.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    bar.addWidget(hint, 1)
    zoom_label = QLabel("100%")
    zoom_label.setToolTip("Zoom of the feature maps")
    specs = (
        ("−", "Zoom out (Ctrl+-)", QKeySequence.StandardKey.ZoomOut, zoom_out),
        (
            "+",
            "Zoom in (Ctrl++): small maps show their numbers when large enough",
            QKeySequence.StandardKey.ZoomIn,
            zoom_in,
        ),
        ("Reset", "Reset the zoom to 100% (Ctrl+0)", QKeySequence("Ctrl+0"), reset),
    )
    for text, tip, keys, slot in specs:
        action = QAction(text, owner)
        action.setToolTip(tip)
        action.setShortcut(QKeySequence(keys))
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        action.triggered.connect(slot)
        owner.addAction(action)
        button = QToolButton()
        button.setDefaultAction(action)
        button.setAutoRaise(True)
        if text == "Reset":
            bar.addWidget(zoom_label)
        bar.addWidget(button)
    return bar, zoom_label
