"""The player's sums column: sum (or max, or mean), per-channel sums, bias, result and ReLU.

It shows the lines ``player_steps.stage_texts`` writes for one traced unit at one reveal sub-step,
and measures how wide they get for a layer so the column keeps its width while playing.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

import numpy as np
from PySide6.QtWidgets import QVBoxLayout, QWidget

from ...engine.traces import ConvTrace, PoolTrace
from ...state.player_steps import stage_texts, widest_texts
from .player_layout import sums_width
from .player_widgets import ARITHMETIC_PX, RESULT_PX, ChannelSumsView, line_label, set_tip


def lists_channels(trace: ConvTrace | PoolTrace | None, picture: bool) -> bool:
    """Whether the column lists per-channel partial sums: a conv over a feature map of several channels
    (a ``picture``'s channels show theirs in the channel rows)."""
    return isinstance(trace, ConvTrace) and trace.channel_sums.shape[0] > 1 and not picture


class SumsColumnView(QWidget):
    """The lines of arithmetic right of the products, in large type for a lecture hall."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        column = QVBoxLayout(self)
        column.setSpacing(2)
        column.setContentsMargins(0, 0, 0, 0)
        self.sum_label = line_label(ARITHMETIC_PX, "The sum of the products shown")
        self.channel_sums_view = ChannelSumsView()
        self.channel_sums_view.setToolTip(
            "The sum of the products for each input channel (the one in the patch is marked), and their total"
        )
        self.bias_label = line_label(ARITHMETIC_PX, "The filter's bias, added once to the sum")
        self.result_label = line_label(RESULT_PX, "The output cell's value", bold=True)
        self.relu_label = line_label(ARITHMETIC_PX, "The ReLU that follows keeps positives, turns negatives to 0")
        column.addStretch(1)
        column.addWidget(self.sum_label)
        column.addWidget(self.channel_sums_view, 4)
        for label in (self.bias_label, self.result_label, self.relu_label):
            column.addWidget(label)
        column.addStretch(1)

    def draw(
        self,
        trace: ConvTrace | PoolTrace,
        revealed: Collection[str],
        in_channel: int,
        relu: bool,
        names: Sequence[str] = (),
    ) -> None:
        """Show ``trace``'s lines for the sub-steps ``revealed``; the patch shows input ``in_channel``.

        ``names`` name the input channels of a picture ("red", ...); else they are numbered.
        """
        texts = stage_texts(trace, revealed, in_channel, relu, names)
        self.sum_label.setText(texts.sum_line)
        set_tip(self.sum_label, texts.sum_tip)
        self.channel_sums_view.setVisible(lists_channels(trace, bool(names)))
        if texts.channel_sums:
            self.channel_sums_view.set_sums(trace.channel_sums, trace.total, in_channel)
        else:
            self.channel_sums_view.set_sums(None)
        self.bias_label.setText(texts.bias_line)
        set_tip(self.bias_label, texts.bias_tip)
        self.result_label.setText(texts.result_line)
        self.relu_label.setVisible(relu)
        self.relu_label.setText(texts.relu_line)

    def clear(self) -> None:
        for label in (self.sum_label, self.bias_label, self.result_label, self.relu_label):
            label.setText("")
        self.channel_sums_view.set_sums(None)

    def needed_width(self, output: np.ndarray, trace: ConvTrace | PoolTrace | None, picture: bool = False) -> int:
        """Pixels the column needs for the widest numbers of a layer's ``output`` (C, H, W); a
        ``picture``'s channels show their sums in their own rows, not in this column."""
        labels = {"sum": self.sum_label, "bias": self.bias_label, "result": self.result_label, "relu": self.relu_label}
        lines = [(labels[line], text) for line, text in widest_texts(output, trace)]
        return sums_width(lines, lists_channels(trace, picture))
