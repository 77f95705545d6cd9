"""The player's toolbar: layer and channels, the transport buttons, the scrubber, speed and detail.

:class:`PlayerControls` draws a :class:`~cnn_desktop.state.player.PlayerState` and forwards what the
user asks as signals; it never moves the player itself. The transport is a set of QActions
(``actions_by_name``: play, back, forward, home, end) with their keys, for the panel to add to itself.
"""

from __future__ import annotations

from PySide6.QtCore import QSignalBlocker, QSize, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence, QResizeEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLayout,
    QSlider,
    QSpinBox,
    QStyle,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ...number_text import format_value
from ...state.player import PlayerState
from ...state.player_steps import DEFAULT_SPEED, SPEEDS, STAGED_MAX_SPEED, nearest_speed_index, playable

TRANSPORT = (
    ("home", "First cell (Home)", ("Home",), QStyle.StandardPixmap.SP_MediaSkipBackward),
    ("back", "Step back a cell, or a stage with detailed steps (Left or ,)", ("Left", ","), None),
    ("play", "Play / pause (Space)", ("Space",), QStyle.StandardPixmap.SP_MediaPlay),
    ("forward", "Step forward a cell, or a stage with detailed steps (Right or .)", ("Right", "."), None),
    ("end", "Last cell (End)", ("End",), QStyle.StandardPixmap.SP_MediaSkipForward),
)
"""(name, tooltip, keys, icon) of each transport action, left to right; None: the seek icons below."""
SEEK_ICONS = {"back": QStyle.StandardPixmap.SP_MediaSeekBackward, "forward": QStyle.StandardPixmap.SP_MediaSeekForward}


class PlayerControls(QWidget):
    """The row of controls above the player's arithmetic."""

    layer_chosen = Signal(int)
    channel_chosen = Signal(int)
    input_channel_chosen = Signal(int)
    position_chosen = Signal(int)  # the scrubber was dragged to this flat cell index
    speed_chosen = Signal(float)  # cells per second
    detailed_chosen = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._playing_shown: bool | None = None  # what the play button shows (None: not set yet)
        rows = QVBoxLayout(self)
        rows.setContentsMargins(0, 0, 0, 0)
        rows.setSpacing(2)
        rows.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)  # minimumSizeHint says how narrow
        bar = QHBoxLayout()
        bar.setSpacing(4)
        self._second_row = QHBoxLayout()
        rows.addLayout(bar)
        rows.addLayout(self._second_row)
        self._bar = bar
        self.layer_box = QComboBox()
        self.layer_box.setPlaceholderText("Choose a layer…")
        self.layer_box.setToolTip("The conv or pooling layer to play: its kernel slides over that layer's input")
        self.layer_box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.layer_box.activated.connect(lambda row: self.layer_chosen.emit(self.layer_box.itemData(row)))
        self.channel_spin = QSpinBox()
        self.channel_spin.setPrefix("out ")
        self.channel_spin.setToolTip("Output channel (filter) whose map is computed")
        self.channel_spin.valueChanged.connect(self.channel_chosen)
        self.in_channel_spin = QSpinBox()
        self.in_channel_spin.setPrefix("in ")
        self.in_channel_spin.setToolTip(
            "Input channel shown on the left and in the patch; the per-channel sums list all of them"
        )
        self.in_channel_spin.valueChanged.connect(self.input_channel_chosen)
        for widget in (self.layer_box, self.channel_spin, self.in_channel_spin):
            bar.addWidget(widget)
        bar.addSpacing(8)

        self.actions_by_name: dict[str, QAction] = {}
        self.buttons_by_name: dict[str, QToolButton] = {}
        for name, tip, keys, icon in TRANSPORT:
            text = tip.split(",")[0].split(" (")[0]
            action = QAction(self.style().standardIcon(icon or SEEK_ICONS[name]), text, self)
            action.setToolTip(tip)
            action.setShortcuts([QKeySequence(key) for key in keys])
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            button = QToolButton()
            button.setAutoRaise(True)
            button.setDefaultAction(action)
            bar.addWidget(button)
            self.actions_by_name[name] = action
            self.buttons_by_name[name] = button
        self.buttons_by_name["play"].setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)

        self.scrubber = QSlider(Qt.Orientation.Horizontal)
        self.scrubber.setToolTip("Every output cell in order, row by row: drag to jump to one")
        self.scrubber.setMinimumWidth(80)
        self.scrubber.valueChanged.connect(self.position_chosen)
        bar.addWidget(self.scrubber, 1)
        self.position_label = QLabel()
        self.position_label.setToolTip("The output cell shown (row, column) and how far the kernel has slid")
        self.position_label.setMinimumWidth(self.position_label.fontMetrics().horizontalAdvance("(00, 00)  000/000"))

        self.speed_slider = QSlider(Qt.Orientation.Horizontal)
        self.speed_slider.setRange(0, len(SPEEDS) - 1)
        self.speed_slider.setValue(SPEEDS.index(DEFAULT_SPEED))
        self.speed_slider.setMaximumWidth(110)
        self.speed_slider.setMinimumWidth(60)
        self.speed_slider.setToolTip(
            f"Playing speed, in output cells per second ({format_value(SPEEDS[0])} to {format_value(SPEEDS[-1])}); "
            f"at {format_value(STAGED_MAX_SPEED)} or slower each cell is revealed step by step"
        )
        self.speed_slider.valueChanged.connect(lambda index: self.speed_chosen.emit(SPEEDS[index]))
        self.speed_label = QLabel()
        self.speed_label.setToolTip(self.speed_slider.toolTip())
        self.speed_label.setMinimumWidth(self.speed_label.fontMetrics().horizontalAdvance("0.5 cells/s "))
        self.speed_group = QWidget()
        speed = QHBoxLayout(self.speed_group)
        speed.setContentsMargins(0, 0, 0, 0)
        speed.addWidget(self.position_label)
        speed.addSpacing(8)
        speed.addWidget(self.speed_slider)
        speed.addWidget(self.speed_label)
        self.detailed_box = QCheckBox("Detailed steps")
        self.detailed_box.setToolTip(
            "Stepping reveals each cell in stages: patch, products, sum, bias, result (for pooling: "
            "window, winner or sum, result)"
        )
        self.detailed_box.toggled.connect(self.detailed_chosen)
        speed.addWidget(self.detailed_box)
        bar.addWidget(self.speed_group)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        """As narrow as the transport row alone: position and speed move to a second row (a small projector)."""
        height = self._bar.minimumSize().height()
        if self._bar.indexOf(self.speed_group) < 0:
            height += self.speed_group.minimumSizeHint().height() + self.layout().spacing()
        return QSize(max(self._transport_width(), self.speed_group.minimumSizeHint().width()), height)

    def _transport_width(self) -> int:
        """The first row's minimum width without the speed controls."""
        width = self._bar.minimumSize().width()
        if self._bar.indexOf(self.speed_group) >= 0:
            width -= self.speed_group.minimumSizeHint().width() + self._bar.spacing()
        return width

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        return QSize(super().sizeHint().width(), self.minimumSizeHint().height())

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        self._place_speed()

    def _place_speed(self) -> None:
        """Position and speed on the transport row when it has room, else on a row of their own."""
        in_first = self._bar.indexOf(self.speed_group) >= 0
        speed = self.speed_group.minimumSizeHint().width() + self._bar.spacing()
        fits = self.width() >= self._transport_width() + speed
        if fits != in_first:
            (self._bar if in_first else self._second_row).removeWidget(self.speed_group)
            (self._bar if fits else self._second_row).addWidget(self.speed_group)
            self.updateGeometry()

    def show_state(self, state: PlayerState) -> None:
        """Draw ``state``: the layers offered, channel ranges, cell, speed, detail and play button."""
        self._fill_layer_box(state)
        can_play = state.can_play()
        index = self.layer_box.findData(state.layer)
        if index != self.layer_box.currentIndex():  # setting the same index still repaints the box
            with QSignalBlocker(self.layer_box):
                self.layer_box.setCurrentIndex(index)
        pool = state.is_pool()
        for spin, count, value, enabled in (
            (self.channel_spin, state.channels(), state.channel, state.channels() > 1),
            (self.in_channel_spin, state.input_channels(), state.in_channel, state.input_channels() > 1 and not pool),
        ):
            shown = (spin.minimum(), spin.maximum(), spin.value(), spin.suffix())
            if can_play and shown != (0, count - 1, value, f" of {count}"):  # setting them again repaints
                with QSignalBlocker(spin):
                    spin.setRange(0, count - 1)
                    spin.setValue(value)
                    spin.setSuffix(f" of {count}")
            spin.setEnabled(can_play and enabled)
        if can_play:
            self.in_channel_spin.setVisible(state.input_channels() > 1 and not pool)
        count = state.cell_count()
        with QSignalBlocker(self.scrubber):
            self.scrubber.setRange(0, max(count - 1, 0))
            self.scrubber.setValue(state.position)
        self.scrubber.setEnabled(can_play)
        y, x = state.cell()
        self.position_label.setText(f"({y}, {x})  {state.position + 1}/{count}" if can_play else "")
        for action in self.actions_by_name.values():
            action.setEnabled(can_play)
        with QSignalBlocker(self.speed_slider):
            self.speed_slider.setValue(nearest_speed_index(state.speed))
        self.speed_label.setText(f"{format_value(state.speed)} cells/s")
        with QSignalBlocker(self.detailed_box):
            self.detailed_box.setChecked(state.detailed)
        self._show_playing(state.playing)

    def _fill_layer_box(self, state: PlayerState) -> None:
        network = state.network
        entries = []
        if network is not None:
            entries = [(network.label(i), i) for i in range(len(network.layers)) if playable(network, i)]
        current = [(self.layer_box.itemText(r), self.layer_box.itemData(r)) for r in range(self.layer_box.count())]
        if entries != current:
            with QSignalBlocker(self.layer_box):
                self.layer_box.clear()
                for text, index in entries:
                    self.layer_box.addItem(text, index)

    def _show_playing(self, playing: bool) -> None:
        if playing == self._playing_shown:
            return  # a new icon repaints the button even when it is the same
        self._playing_shown = playing
        action = self.actions_by_name["play"]
        icon = QStyle.StandardPixmap.SP_MediaPause if playing else QStyle.StandardPixmap.SP_MediaPlay
        action.setIcon(self.style().standardIcon(icon))
        action.setText("Pause" if playing else "Play")
        action.setToolTip("Pause (Space)" if playing else "Play: slide the kernel over every output cell (Space)")
