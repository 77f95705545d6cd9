"""The input's depth and what the brush paints on it: the channel row of the pixel editor.

The depth (grey, 2 channels, RGB colour, 4 channels) is chosen through the QActions the pixel
editor puts in its menus; the combo here only triggers them. The brush paints all channels (a
colour picked with QColorDialog on an RGB input, the brush value elsewhere) or one channel.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QColor, QIcon, QPixmap
from PySide6.QtWidgets import QColorDialog, QComboBox, QHBoxLayout, QLabel, QToolButton, QWidget

from ...input_channels import MAX_CHANNELS, channel_names, depth_name
from .pixel_tools import BrushTarget

ALL_CHANNELS = "all channels"
SHORT_NAMES = {1: "Grey", 3: "RGB"}
"""The depth combo's words (it sits in a narrow row); menus say "Input: colour (RGB)"."""


class ChannelBar(QWidget):
    """Depth combo, "paint on" combo and the brush colour of an RGB input."""

    target_changed = Signal()  # the channel painted on, or the brush colour, changed
    colour_changed = Signal()  # the brush colour changed (a preference the window remembers)

    def __init__(self, depth_actions: dict[int, QAction], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.depth_actions = depth_actions
        self.depth = QComboBox()
        for depth in range(1, MAX_CHANNELS + 1):
            self.depth.addItem(SHORT_NAMES.get(depth, f"{depth} channels"), depth)
            self.depth.setItemData(self.depth.count() - 1, f"Input: {depth_name(depth)}", Qt.ItemDataRole.ToolTipRole)
        self.depth.setToolTip(
            "The input's depth d (# channels): grey, colour (red, green, blue) or d named channels.\n"
            "A pipeline change: the first conv layer's kernels become 3x3xd (Undo takes it back)."
        )
        self.depth.activated.connect(lambda index: self.depth_actions[self.depth.itemData(index)].trigger())
        self.paint_on = QComboBox()
        self.paint_on.setToolTip("What the brush, Fill, Clear, Invert and typed values change: every channel or one")
        self.paint_on.currentIndexChanged.connect(lambda _: self._update_colour_button())
        self.paint_on.currentIndexChanged.connect(lambda _: self.target_changed.emit())
        self.colour = QColor(255, 0, 0)
        self.colour_button = QToolButton()
        self.colour_button.setText("Colour…")
        self.colour_button.setToolTip("The colour the brush paints on all three channels of a colour picture")
        self.colour_button.clicked.connect(self.choose_colour)
        for box, letters in ((self.depth, 6), (self.paint_on, 5)):  # a narrow dock elides "all channels"
            box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            box.setMinimumContentsLength(letters)
        self._paint_label = QLabel("Paint on")
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(QLabel("Input"))
        row.addWidget(self.depth)
        row.addWidget(self._paint_label)
        row.addWidget(self.paint_on, 3)
        row.addWidget(self.colour_button)
        row.addStretch(1)  # a grey input's row: the depth combo keeps its own width
        self.show_depth(1)
        self._show_swatch()

    def show_depth(self, depth: int) -> None:
        """The input now has ``depth`` channels: the combos and the colour button follow."""
        self.depth.setCurrentIndex(self.depth.findData(depth))
        self.depth_actions[depth].setChecked(True)
        names = [ALL_CHANNELS, *channel_names(depth)] if depth > 1 else []
        if [self.paint_on.itemText(i) for i in range(self.paint_on.count())] != names:
            self.paint_on.blockSignals(True)
            self.paint_on.clear()
            self.paint_on.addItems(names)
            self.paint_on.blockSignals(False)
            self.target_changed.emit()
        self.paint_on.setVisible(depth > 1)
        self._paint_label.setVisible(depth > 1)
        self._update_colour_button()

    def target(self) -> BrushTarget:
        """The channel the brush paints (None: all) and, on all channels of a colour picture, its colour."""
        index = self.paint_on.currentIndex()
        if index > 0:
            return BrushTarget(index - 1, self.paint_on.currentText())
        if self.paint_on.count() == 4:  # all of red, green and blue
            return BrushTarget(None, "", (self.colour.redF(), self.colour.greenF(), self.colour.blueF()))
        return BrushTarget()

    def paint_on_channel(self, channel: int | None) -> None:
        """Paint on ``channel`` from now on (None: all channels)."""
        self.paint_on.setCurrentIndex(0 if channel is None else channel + 1)

    def set_colour(self, colour: QColor) -> None:
        if colour.isValid() and colour != self.colour:
            self.colour = QColor(colour)
            self._show_swatch()
            self.target_changed.emit()
            self.colour_changed.emit()

    def choose_colour(self) -> None:
        self.set_colour(QColorDialog.getColor(self.colour, self, "Brush colour"))

    def _show_swatch(self) -> None:
        swatch = QPixmap(16, 16)
        swatch.fill(self.colour)
        self.colour_button.setIcon(QIcon(swatch))
        self.colour_button.setToolTip(
            f"The brush paints red {self.colour.redF():.2g}, green {self.colour.greenF():.2g}, "
            f"blue {self.colour.blueF():.2g} (times the brush value); click to pick another colour"
        )

    def _update_colour_button(self) -> None:
        self.colour_button.setVisible(self.target().colour is not None)
