"""Each channel of a d-channel input as its own small editable number grid, under a row of chips.

The lecture's input of depth d is d grids of numbers; a colour picture's red, green and blue are
three. Each grid is drawn in its channel's colour (0 black, 1 full red...) and reports mouse and
typed values with its channel, so the pixel editor paints exactly one channel from it. Above the
grids a row of chips (``picture``, ``red``, ``green``, ``blue``) chooses what the editor's big grid
shows: the picture, or one channel with its numbers, large enough to read and type them. While
the big grid shows a channel the small grids fold away (only the chips stay), which leaves the big
grid the room its numbers need in a small dock. Hidden for a grey input, whose one channel is the
main grid.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QButtonGroup, QGridLayout, QSizePolicy, QToolButton, QWidget

from ...input_channels import MAX_CHANNELS, channel_names
from ..colours import CHANNEL_COLOURS, channel_map, text_colour_for
from .grid_cells import GridRect
from .grid_view import NumberGridView

PICTURE = MAX_CHANNELS
"""The id of the whole picture's chip (all channels): past every channel (QButtonGroup keeps -1
for ids it assigns itself)."""


def _chip(text: str, tip: str, colour: tuple[int, int, int] | None) -> QToolButton:
    """A checkable chip in the channel's colour (``colour`` None: the application's own button look)."""
    chip = QToolButton()
    chip.setText(text)
    chip.setToolTip(tip)
    chip.setCheckable(True)
    chip.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
    if colour is not None:
        ink = text_colour_for(colour)
        chip.setStyleSheet(
            f"QToolButton {{ background: rgb{colour}; color: rgb{ink}; border: 2px solid transparent; }}"
            "QToolButton:checked { border: 3px solid #ffb000; font-weight: bold; }"
        )
    return chip


class ChannelGrids(QWidget):
    """Chips (picture, then one per channel) over one :class:`NumberGridView` per channel."""

    cell_clicked = Signal(int, int, int, object)  # channel, row, col, Qt.MouseButton
    cell_dragged = Signal(int, int, int, object)  # channel, row, col, Qt.MouseButtons
    mouse_released = Signal(object)  # Qt.MouseButton
    value_entered = Signal(int, int, int, float)  # channel, row, col, typed value
    entry_rejected = Signal(str)
    cell_hovered = Signal(int, int, int)  # channel, row, col; (-1, -1) when the mouse leaves
    channel_chosen = Signal(object)  # the chip clicked: a channel, or None for the picture

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.grids: list[NumberGridView] = []
        self.chips = QButtonGroup(self)
        self.chips.setExclusive(True)
        self.chips.idClicked.connect(lambda chip: self.channel_chosen.emit(None if chip == PICTURE else chip))
        self._folded = False
        self._layout = QGridLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setVerticalSpacing(2)
        self.setVisible(False)

    def show_image(self, image: np.ndarray) -> None:
        """Show each channel of ``image`` (d, H, W); no grids at all for d = 1."""
        depth = image.shape[0] if image.shape[0] > 1 else 0
        if depth != len(self.grids):
            self._build(depth)
        for grid, plane in zip(self.grids, image[: len(self.grids)], strict=True):
            grid.set_array(plane, (0.0, 1.0))
        self.setVisible(bool(depth))

    def show_choice(self, channel: int | None, folded: bool) -> None:
        """Check the chip of ``channel`` (None: the picture); ``folded`` hides the small grids."""
        chip = self.chips.button(PICTURE if channel is None else channel)
        if chip is not None and not chip.isChecked():
            chip.setChecked(True)
        if folded != self._folded:
            self._folded = folded
            for grid in self.grids:
                grid.setVisible(not folded)
            policy = QSizePolicy.Policy.Maximum if folded else QSizePolicy.Policy.Preferred
            self.setSizePolicy(QSizePolicy.Policy.Preferred, policy)

    def is_folded(self) -> bool:
        """Whether only the chips show (the big grid shows one channel)."""
        return self._folded

    def set_field(self, rects: list[GridRect], mask: np.ndarray | None, pad: int, tint: QColor) -> None:
        """The receptive field on every channel: the same outlines, ``mask`` (d, H, W) per channel."""
        for channel, grid in enumerate(self.grids):
            grid.set_pad(pad)
            grid.set_overlays(rects)
            grid.set_highlight(None if mask is None else mask[channel], tint)

    def _build(self, depth: int) -> None:
        for chip in self.chips.buttons():
            self.chips.removeButton(chip)
            chip.deleteLater()
        for grid in self.grids:
            grid.deleteLater()
        self.grids = []
        for column in range(MAX_CHANNELS + 1):  # a shallower input leaves no empty stretching column
            self._layout.setColumnStretch(column, 0)
        if not depth:
            return
        picture = _chip("picture", "Show the picture in the big grid; the brush paints all channels", None)
        picture.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
        self.chips.addButton(picture, PICTURE)
        self._layout.addWidget(picture, 0, 0)
        for channel, name in enumerate(channel_names(depth)):
            chip = _chip(
                name,
                f"Show the {name} channel in the big grid, with its numbers to read and type; "
                f"the brush paints on {name} only",
                CHANNEL_COLOURS.get(name, (200, 200, 200)),
            )
            self.chips.addButton(chip, channel)
            self._layout.addWidget(chip, 0, channel + 1)
            grid = NumberGridView(channel_map(name), (0.0, 1.0), editable=True)
            grid.setMinimumSize(40, 40)
            grid.setVisible(not self._folded)
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
            self._layout.addWidget(grid, 1, channel + 1)
            self._layout.setColumnStretch(channel + 1, 1)
            self.grids.append(grid)
        self._layout.setRowStretch(1, 1)
