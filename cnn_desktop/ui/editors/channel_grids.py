"""Each channel of a d-channel input as its own small editable number grid, side by side.

The lecture's input of depth d is d grids of numbers; a colour picture's red, green and blue are
three. Each grid is drawn in its channel's colour (0 black, 1 full red...) and reports mouse and
typed values with its channel, so the pixel editor paints exactly one channel from it. Hidden for
a grey input, whose one channel is the main grid.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QGridLayout, QLabel, QWidget

from ...input_channels import channel_names
from ..colours import channel_map
from .grid_cells import GridRect
from .grid_view import NumberGridView


class ChannelGrids(QWidget):
    """A row of one :class:`NumberGridView` per channel, labelled with the channel's name."""

    cell_clicked = Signal(int, int, int, object)  # channel, row, col, Qt.MouseButton
    cell_dragged = Signal(int, int, int, object)  # channel, row, col, Qt.MouseButtons
    mouse_released = Signal(object)  # Qt.MouseButton
    value_entered = Signal(int, int, int, float)  # channel, row, col, typed value
    entry_rejected = Signal(str)
    cell_hovered = Signal(int, int, int)  # channel, row, col; (-1, -1) when the mouse leaves

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.grids: list[NumberGridView] = []
        self.labels: list[QLabel] = []
        self._layout = QGridLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setVerticalSpacing(1)
        self.setVisible(False)

    def show_image(self, image: np.ndarray) -> None:
        """Show each channel of ``image`` (d, H, W); no grids at all for d = 1."""
        depth = image.shape[0] if image.shape[0] > 1 else 0
        if depth != len(self.grids):
            self._build(depth)
        for grid, plane in zip(self.grids, image[: len(self.grids)], strict=True):
            grid.set_array(plane, (0.0, 1.0))
        self.setVisible(bool(depth))

    def set_field(self, rects: list[GridRect], mask: np.ndarray | None, pad: int, tint: QColor) -> None:
        """The receptive field on every channel: the same outlines, ``mask`` (d, H, W) per channel."""
        for channel, grid in enumerate(self.grids):
            grid.set_pad(pad)
            grid.set_overlays(rects)
            grid.set_highlight(None if mask is None else mask[channel], tint)

    def _build(self, depth: int) -> None:
        for widget in (*self.grids, *self.labels):
            self._layout.removeWidget(widget)
            widget.deleteLater()
        self.grids, self.labels = [], []
        for channel, name in enumerate(channel_names(depth) if depth else ()):
            label = QLabel(name)
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            grid = NumberGridView(channel_map(name), (0.0, 1.0), editable=True)
            grid.setMinimumSize(40, 40)
            grid.setAccessibleName(f"Input {name} channel")
            grid.setToolTip(
                f"The {name} channel alone: left-drag paints it with the brush value, right-drag erases it;\n"
                "type a number and press Enter to set one of its pixels."
            )
            grid.cell_clicked.connect(lambda r, c, b, ch=channel: self.cell_clicked.emit(ch, r, c, b))
            grid.cell_dragged.connect(lambda r, c, b, ch=channel: self.cell_dragged.emit(ch, r, c, b))
            grid.mouse_released.connect(self.mouse_released)
            grid.value_entered.connect(lambda r, c, v, ch=channel: self.value_entered.emit(ch, r, c, v))
            grid.entry_rejected.connect(self.entry_rejected)
            grid.cell_hovered.connect(lambda r, c, ch=channel: self.cell_hovered.emit(ch, r, c))
            self._layout.addWidget(label, 0, channel)
            self._layout.addWidget(grid, 1, channel)
            self._layout.setColumnStretch(channel, 1)
            self.grids.append(grid)
            self.labels.append(label)
        self._layout.setRowStretch(1, 1)
