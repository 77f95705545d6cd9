"""The lecture's "take dot product!" as an animation: a layer's kernel sliding over its input.

:class:`ConvPlayerPanel` shows, for one output cell of a conv or pooling layer at a time, the input
with the window outlined (zero padding drawn as explicit zeros), the arithmetic large enough for a
lecture hall (patch x kernel = products, sum, + bias, = result, ReLU) and the output map filling in.
Every number comes from the engine's trace of the newest result (``engine.trace_unit``): the player
only indexes, it never convolves. Playing is a QTimer that advances an index and redraws.

Which cell and sub-step come next, and the texts each shows, are decided in ``player_steps``; the
row is placed by ``player_layout``; the small widgets it is built from are in ``player_widgets``.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QSlider,
    QSpinBox,
    QStackedWidget,
    QStyle,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ...compute import ForwardResult
from ...engine import Network, Unit
from ...engine.layers import Pool2D
from ...engine.traces import ConvTrace, PoolTrace, trace_unit
from ...number_text import format_value
from ...state.player_steps import (
    DEFAULT_SPEED,
    SPEEDS,
    STAGED_MAX_SPEED,
    CellSequence,
    clamp_speed,
    input_title,
    kernel_tags,
    nearest_speed_index,
    playable,
    reveals_in_stages,
    stage_texts,
    widest_texts,
    window_taps,
)
from ..colours import DEFAULT_DIVERGING, diverging, greyscale, symmetric_level
from ..document import SessionDocument
from ..editors.grid_view import GridRect, NumberGridView
from .player_layout import RELU_MAP_MIN_WIDTH, place_row, sums_width
from .player_widgets import (
    ARITHMETIC_PX,
    PADDING_TINT,
    RESULT_PX,
    TAP_TINT,
    WINDOW_COLOUR,
    WINNER_COLOUR,
    ChannelSumsView,
    KernelTagsView,
    TitledGridView,
    line_label,
    operator_label,
    pixel_font,
)

NO_LAYER_HINT = "Select a conv or pooling layer to play it"
NO_PLAYABLE_HINT = "This pipeline has no conv or pooling layer to play: add one in the Layers panel"
WAITING_HINT = "Waiting for the first result…"


class ConvPlayerPanel(QWidget):
    """Step through a conv or pooling layer one output cell at a time, with its arithmetic shown.

    Public API (also used by the lesson mode): ``set_layer``, ``set_channel``, ``set_input_channel``,
    ``set_position`` / ``position``, ``step``, ``play`` / ``pause`` / ``is_playing``, ``set_speed``,
    ``set_detailed``, ``current_trace`` and the ``shown_*`` / ``*_text`` accessors for what is drawn.
    Moving to a cell selects that unit in the document; a unit selected elsewhere moves the player.
    """

    position_changed = Signal(int, int, int, int)  # layer, channel, y, x: the player moved to this unit
    playing_changed = Signal(bool)

    def __init__(self, document: SessionDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self._result: ForwardResult | None = None
        self._layer = -1  # the layer shown (-1: none chosen yet)
        self._channel = 0
        self._in_channel = 0
        self._position = 0
        self._substep = 0
        self._detailed = False
        self._speed = DEFAULT_SPEED
        self._staged_play = False
        self._pending: Unit | None = None  # a selection to jump to once a result shows its layer
        self._announcing = False
        self._palette = DEFAULT_DIVERGING
        self._asked_unplayable = False  # set_layer named a layer that cannot be played: keep the hint
        self._trace: ConvTrace | PoolTrace | None = None
        self._winners: np.ndarray | None = None
        self._window_rect: GridRect | None = None
        self._channels_plain = ""
        self._last_shown: tuple[int, int, int, int] | None = None
        self._colours: dict[int, str] = {}  # id of a grid -> key of the colour map it shows
        self.actions_by_name: dict[str, QAction] = {}
        self._timer = QTimer(self)
        self._timer.timeout.connect(self._tick)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._build()
        self._build_actions()
        document.result_ready.connect(self.show_result)
        document.selection_changed.connect(self._follow_selection)
        selection = document.session.selection
        if selection is not None and selection.stage > 0:
            self._pending = selection
        if document.latest is not None:
            self.show_result(document.latest)
        else:
            self._show_hint(WAITING_HINT)

    # ----- construction
    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.setSpacing(4)
        layout.addLayout(self._build_controls())
        self.stack = QStackedWidget()
        self.stack.addWidget(self._build_player())
        self.hint_label = QLabel(NO_LAYER_HINT)
        self.hint_label.setFont(pixel_font(22))
        self.hint_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hint_label.setWordWrap(True)
        self.stack.addWidget(self.hint_label)
        layout.addWidget(self.stack, 1)

    def _build_controls(self) -> QHBoxLayout:
        bar = QHBoxLayout()
        bar.setSpacing(4)
        self.layer_box = QComboBox()
        self.layer_box.setPlaceholderText("Choose a layer…")
        self.layer_box.setToolTip("The conv or pooling layer to play: its kernel slides over that layer's input")
        self.layer_box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.layer_box.activated.connect(lambda row: self.set_layer(self.layer_box.itemData(row)))
        self.channel_spin = QSpinBox()
        self.channel_spin.setPrefix("out ")
        self.channel_spin.setToolTip("Output channel (filter) whose map is computed")
        self.channel_spin.valueChanged.connect(self._channel_spun)
        self.in_channel_spin = QSpinBox()
        self.in_channel_spin.setPrefix("in ")
        self.in_channel_spin.setToolTip(
            "Input channel shown on the left and in the patch; the per-channel sums list all of them"
        )
        self.in_channel_spin.valueChanged.connect(self._in_channel_spun)
        bar.addWidget(self.layer_box)
        bar.addWidget(self.channel_spin)
        bar.addWidget(self.in_channel_spin)
        bar.addSpacing(8)

        style = self.style()
        self.home_button = self._tool_button(style.standardIcon(QStyle.StandardPixmap.SP_MediaSkipBackward))
        self.back_button = self._tool_button(style.standardIcon(QStyle.StandardPixmap.SP_MediaSeekBackward))
        self.play_button = self._tool_button(style.standardIcon(QStyle.StandardPixmap.SP_MediaPlay))
        self.play_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.forward_button = self._tool_button(style.standardIcon(QStyle.StandardPixmap.SP_MediaSeekForward))
        self.end_button = self._tool_button(style.standardIcon(QStyle.StandardPixmap.SP_MediaSkipForward))
        for button in (self.home_button, self.back_button, self.play_button, self.forward_button, self.end_button):
            bar.addWidget(button)

        self.scrubber = QSlider(Qt.Orientation.Horizontal)
        self.scrubber.setToolTip("Every output cell in order, row by row: drag to jump to one")
        self.scrubber.setMinimumWidth(80)
        self.scrubber.valueChanged.connect(self._scrubbed)
        bar.addWidget(self.scrubber, 1)
        self.position_label = QLabel()
        self.position_label.setToolTip("The output cell shown (row, column) and how far the kernel has slid")
        self.position_label.setMinimumWidth(self.position_label.fontMetrics().horizontalAdvance("(00, 00)  000/000"))
        bar.addWidget(self.position_label)
        bar.addSpacing(8)

        self.speed_slider = QSlider(Qt.Orientation.Horizontal)
        self.speed_slider.setRange(0, len(SPEEDS) - 1)
        self.speed_slider.setValue(SPEEDS.index(DEFAULT_SPEED))
        self.speed_slider.setMaximumWidth(110)
        self.speed_slider.setMinimumWidth(60)
        self.speed_slider.setToolTip(
            f"Playing speed, in output cells per second ({format_value(SPEEDS[0])} to {format_value(SPEEDS[-1])}); "
            f"at {format_value(STAGED_MAX_SPEED)} or slower each cell is revealed step by step"
        )
        self.speed_slider.valueChanged.connect(lambda index: self.set_speed(SPEEDS[index]))
        self.speed_label = QLabel()
        self.speed_label.setToolTip(self.speed_slider.toolTip())
        self.speed_label.setMinimumWidth(self.speed_label.fontMetrics().horizontalAdvance("0.5 cells/s "))
        bar.addWidget(self.speed_slider)
        bar.addWidget(self.speed_label)
        self.detailed_box = QCheckBox("Detailed steps")
        self.detailed_box.setToolTip(
            "Stepping reveals each cell in stages: patch, products, sum, bias, result (for pooling: "
            "window, winner or sum, result)"
        )
        self.detailed_box.toggled.connect(self.set_detailed)
        bar.addWidget(self.detailed_box)
        self._show_speed()
        return bar

    def _tool_button(self, icon) -> QToolButton:
        button = QToolButton()
        button.setIcon(icon)
        button.setAutoRaise(True)
        return button

    def _build_player(self) -> QWidget:
        """The row input | patch x kernel = products | sums | output | after ReLU, placed by ``fit_columns``."""
        page = QWidget()
        page.setMinimumSize(200, 120)
        page.installEventFilter(self)
        self.player_page = page

        self.input_column = TitledGridView(
            "input", "The layer's input; the outlined window is what the current output cell sees", page
        )
        self.input_column.setObjectName("input")
        self.input_view = self.input_column.grid
        self.kernel_tags = KernelTagsView(self.input_view)

        self.patch_column = TitledGridView("patch", "The numbers under the window (padding cells are zeros)", page)
        self.kernel_column = TitledGridView("kernel", "The kernel's weights for this output and input channel", page)
        self.products_column = TitledGridView("products", "Each patch number times the kernel weight on it", page)
        self.patch_view = self.patch_column.grid
        self.kernel_view = self.kernel_column.grid
        self.products_view = self.products_column.grid
        for grid in (self.patch_view, self.kernel_view, self.products_view):
            grid.font_scale = 1.35
            grid.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.times_label = operator_label(
            "×", "Multiply each patch number by the kernel weight at the same place", page
        )
        self.equals_label = operator_label("=", "The element-wise products", page)
        self.sums_widget = self._build_sums(page)

        self.output_column = TitledGridView(
            "output", "The output map filling in: grey cells are not computed yet; click a cell to jump there", page
        )
        self.output_column.setObjectName("output")
        self.output_view = self.output_column.grid
        self.output_view.cell_clicked.connect(lambda y, x, _button: self._jump_to_cell(y, x))
        self.output_view.current_cell_changed.connect(self._jump_to_cell)
        self.relu_column = TitledGridView(
            "after ReLU", "The output after the ReLU that follows: negatives become 0", page
        )
        self.relu_column.setObjectName("relu")
        self.relu_view = self.relu_column.grid
        self.relu_view.cell_clicked.connect(lambda y, x, _button: self._jump_to_cell(y, x))
        return page

    def _build_sums(self, parent: QWidget) -> QWidget:
        widget = QWidget(parent)
        column = QVBoxLayout(widget)
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
        return widget

    def _build_actions(self) -> None:
        specs = (
            ("play", "Play / pause (Space)", ["Space"], self.toggle_play, self.play_button),
            (
                "back",
                "Step back a cell, or a stage with detailed steps (Left or ,)",
                ["Left", ","],
                lambda: self._user_step(-1),
                self.back_button,
            ),
            (
                "forward",
                "Step forward a cell, or a stage with detailed steps (Right or .)",
                ["Right", "."],
                lambda: self._user_step(1),
                self.forward_button,
            ),
            ("home", "First cell (Home)", ["Home"], lambda: self._user_jump(0), self.home_button),
            ("end", "Last cell (End)", ["End"], lambda: self._user_jump(-1), self.end_button),
        )
        for name, tip, keys, slot, button in specs:
            action = QAction(button.icon(), tip.split(",")[0].split(" (")[0], self)
            action.setToolTip(tip)
            action.setShortcuts([QKeySequence(key) for key in keys])
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            action.triggered.connect(slot)
            self.addAction(action)
            button.setDefaultAction(action)
            self.actions_by_name[name] = action
        self._show_playing()

    # ----- public: what is played
    def layer(self) -> int:
        """The layer chosen (-1 before any); it may be one that cannot be played (see ``hint_text``)."""
        return self._layer

    def channel(self) -> int:
        return self._channel

    def input_channel(self) -> int:
        return self._in_channel

    def position(self) -> int:
        """The output cell shown, as a flat row-major index into the output map."""
        return self._position

    def cell(self) -> tuple[int, int]:
        """The output cell shown, (y, x)."""
        width = self._output_shape()[1] or 1
        return divmod(self._position, width)

    def cell_count(self) -> int:
        height, width = self._output_shape()
        return height * width

    def substep(self) -> int:
        return self._substep

    def substep_name(self) -> str:
        """The reveal stage shown: ``patch``/``window``, ``products``, ``winners``, ``sum``, ``bias``, ``result``."""
        return self._sequence().substep_name(self._substep)

    def current_trace(self) -> ConvTrace | PoolTrace | None:
        """The engine's trace of the unit shown (None when no layer can be played)."""
        return self._trace

    def set_layer(self, index: int) -> None:
        """Play layer ``index`` from its first cell; other layers show a hint instead."""
        index = int(index)
        if self._result is not None and index == self._layer and playable(self._result.network, index):
            return  # choosing the layer already played keeps its cell
        self._layer = index
        self._asked_unplayable = self._result is not None and not playable(self._result.network, index)
        if self._result is None:
            return
        self._channel = self._in_channel = self._position = 0
        self._substep = self._final_step()
        self._refresh()
        self._announce()

    def set_channel(self, channel: int) -> None:
        """Play output channel ``channel`` (clamped to the layer's channels), keeping the cell."""
        if not self._can_play():
            return
        self._channel = int(np.clip(channel, 0, self._channels() - 1))
        if isinstance(self._result.network.layers[self._layer], Pool2D):
            self._in_channel = self._channel
        self._substep = self._final_step()
        self._refresh()
        self._announce()

    def set_input_channel(self, channel: int) -> None:
        """Show input channel ``channel`` on the left and in the patch (conv layers)."""
        if not self._can_play() or isinstance(self._result.network.layers[self._layer], Pool2D):
            return
        self._in_channel = int(np.clip(channel, 0, self._result.stages[self._layer].shape[0] - 1))
        self._refresh()

    def set_position(self, flat_index: int) -> None:
        """Show output cell ``flat_index`` (row-major; negative counts from the end) with all its arithmetic."""
        if not self._can_play():
            return
        count = self.cell_count()
        flat_index = int(flat_index)
        if flat_index < 0:
            flat_index += count
        self._position = int(np.clip(flat_index, 0, count - 1))
        self._substep = self._final_step()
        self._refresh()
        self._announce()

    def step(self, delta: int = 1) -> None:
        """Move ``delta`` cells (or, with detailed steps, ``delta`` reveal stages) forward or back."""
        if not self._can_play():
            return
        if self._detailed:
            self._move_substeps(int(delta))
        else:
            self._move_to(self._position + int(delta), self._final_step())

    def set_detailed(self, detailed: bool) -> None:
        """Whether stepping reveals each cell in stages (patch, products, sum, bias, result)."""
        self._detailed = bool(detailed)
        if self.detailed_box.isChecked() != self._detailed:
            self.detailed_box.setChecked(self._detailed)
        if not self._detailed and not self.is_playing():
            self._substep = self._final_step()
            self._refresh()

    def is_detailed(self) -> bool:
        return self._detailed

    # ----- public: playing
    def play(self) -> None:
        """Slide on from the current cell (from the first one when at the end) until the last."""
        if not self._can_play() or self.is_playing():
            return
        if self._sequence().is_last(self._position, self._substep):
            self._move_to(0, 0 if reveals_in_stages(self._speed) else self._final_step())
        self._staged_play = reveals_in_stages(self._speed)
        self._timer.start(self._sequence().tick_interval_ms(self._speed))
        self._show_playing()
        self.playing_changed.emit(True)

    def pause(self) -> None:
        if not self._timer.isActive():
            return
        self._timer.stop()
        self._show_playing()
        self.playing_changed.emit(False)

    def toggle_play(self) -> None:
        if self.is_playing():
            self.pause()
        else:
            self.play()

    def is_playing(self) -> bool:
        return self._timer.isActive()

    def speed(self) -> float:
        return self._speed

    def set_speed(self, cells_per_second: float) -> None:
        """Playing speed in output cells per second (0.5 to 20); slow speeds reveal in stages."""
        self._speed = clamp_speed(cells_per_second)
        nearest = nearest_speed_index(self._speed)
        if self.speed_slider.value() != nearest:
            self.speed_slider.blockSignals(True)
            self.speed_slider.setValue(nearest)
            self.speed_slider.blockSignals(False)
        self._show_speed()
        if self.is_playing():
            self._staged_play = reveals_in_stages(self._speed)
            self._timer.setInterval(self._sequence().tick_interval_ms(self._speed))

    def set_palette(self, name: str) -> None:
        """Use the diverging palette ``name`` (colours.DIVERGING) for feature maps, kernel and products."""
        self._palette = name
        self._refresh()

    # ----- public: what is shown (for tests, the lesson mode and screen readers)
    def shown_patch(self) -> np.ndarray:
        return self.patch_view.array().copy()

    def shown_kernel(self) -> np.ndarray:
        return self.kernel_view.array().copy()

    def shown_products(self) -> np.ndarray:
        """The products drawn (NaN while hidden in a detailed reveal)."""
        return self.products_view.array().copy()

    def shown_output(self) -> np.ndarray:
        """The output map drawn: values of the cells computed so far, NaN for those not reached."""
        return self.output_view.array().copy()

    def shown_after_relu(self) -> np.ndarray | None:
        """The after-ReLU map drawn next to the output, or None when no ReLU follows the layer."""
        return None if self.relu_column.isHidden() else self.relu_view.array().copy()

    def shown_padding(self) -> np.ndarray:
        """(k, k) bool: the patch cells tinted as zero padding."""
        trace = self._trace
        if isinstance(trace, ConvTrace):
            return trace.in_padding.copy()
        return np.zeros(self.patch_view.array().shape, bool)

    def shown_winners(self) -> np.ndarray | None:
        """(k, k) bool: the max-pool window cells highlighted as winners (None when none are)."""
        return None if self._winners is None else self._winners.copy()

    def window_rect(self) -> GridRect | None:
        """The window outlined on the input (may reach into the padding)."""
        return self._window_rect

    def sum_text(self) -> str:
        return self.sum_label.text()

    def channel_sums_text(self) -> str:
        """``channel 0: 1.25, channel 1: -0.5, total 0.75`` for a multi-channel input ('' otherwise)."""
        return self._channels_plain

    def bias_text(self) -> str:
        return self.bias_label.text()

    def result_text(self) -> str:
        return self.result_label.text()

    def relu_text(self) -> str:
        return self.relu_label.text()

    def hint_text(self) -> str:
        """The hint shown instead of the player, or '' while a layer is played."""
        return self.hint_label.text() if self.stack.currentWidget() is self.hint_label else ""

    # ----- results and selection
    def show_result(self, result: ForwardResult) -> None:
        """Adopt a new result: keep the layer, channel and cell when they still exist."""
        self._result = result
        network = result.network
        self._fill_layer_box(network)
        pending, self._pending = self._pending, None
        if pending is not None and self._selection_fits(pending):
            self._jump_to_unit(pending)
        elif not playable(network, self._layer) and not self._asked_unplayable:
            # the layer played vanished or changed kind: fall back to the nearest playable one
            candidates = [i for i in range(len(network.layers)) if playable(network, i)]
            if candidates:
                self._layer = min(candidates, key=lambda i: (abs(i - self._layer), i))
                self._position = self._channel = self._in_channel = 0
                self._substep = self._final_step()
        self._refresh()

    def _follow_selection(self) -> None:
        """A unit selected elsewhere: jump there when it belongs to a conv or pooling layer."""
        if self._announcing:
            return
        selection = self.document.session.selection
        if selection is None or selection.stage < 1 or selection == self._selection():
            return
        if self._result is None or not self._selection_fits(selection):
            network = self.document.session.network
            if playable(network, selection.stage - 1):
                self._pending = selection  # its result (with that layer) is on its way
            return
        self._jump_to_unit(selection)
        self._refresh()

    def _jump_to_unit(self, selection: Unit) -> None:
        """Show ``selection`` (a unit of a playable layer of the current result) without announcing it."""
        if selection.stage - 1 != self._layer:
            self._in_channel = 0
        self._layer, self._channel = selection.stage - 1, selection.channel
        self._asked_unplayable = False
        self._position = selection.y * self._output_shape()[1] + selection.x
        self._substep = self._final_step()

    def _selection_fits(self, selection: Unit) -> bool:
        network = self._result.network
        layer = selection.stage - 1
        if not playable(network, layer):
            return False
        channels, height, width = network.shapes[layer]
        return 0 <= selection.channel < channels and 0 <= selection.y < height and 0 <= selection.x < width

    def _selection(self) -> Unit | None:
        if not self._can_play():
            return None
        y, x = self.cell()
        return Unit(self._layer + 1, self._channel, y, x)

    def _announce(self) -> None:
        """Select the unit shown in the document, so receptive-field views follow the player."""
        selection = self._selection()
        if selection is None or selection == self.document.session.selection:
            return
        self._announcing = True
        try:
            self.document.select(selection)
        finally:
            self._announcing = False

    # ----- moving
    def _user_step(self, delta: int) -> None:
        self.pause()
        self.step(delta)

    def _user_jump(self, flat_index: int) -> None:
        self.pause()
        self.set_position(flat_index)

    def _jump_to_cell(self, y: int, x: int) -> None:
        if self._can_play() and (y, x) != self.cell():
            self.set_position(y * self._output_shape()[1] + x)

    def _move_to(self, position: int, substep: int) -> None:
        count = self.cell_count()
        position = int(np.clip(position, 0, max(count - 1, 0)))
        moved = position != self._position
        self._position, self._substep = position, substep
        self._refresh()
        if moved:
            self._announce()

    def _move_substeps(self, delta: int) -> None:
        self._move_to(*self._sequence().moved_by_substeps(self._position, self._substep, delta))

    def _tick(self) -> None:
        if not self._can_play():
            self.pause()
            return
        following = self._sequence().after_tick(self._position, self._substep, self._staged_play)
        if following is not None:
            self._move_to(*following)
        if self._sequence().is_last(self._position, self._substep):
            self.pause()

    # ----- small queries
    def _can_play(self) -> bool:
        return self._result is not None and playable(self._result.network, self._layer)

    def _sequence(self) -> CellSequence:
        """The (cell, sub-step) pairs of the layer shown (none when it cannot be played)."""
        if self._result is None:
            return CellSequence((), 0)
        return CellSequence.of_layer(self._result.network, self._layer)

    def _final_step(self) -> int:
        return self._sequence().final_substep

    def _revealed(self, name: str) -> bool:
        return name in self._sequence().revealed(self._substep)

    def _channels(self) -> int:
        return self._result.network.shapes[self._layer][0] if self._can_play() else 0

    def _output_shape(self) -> tuple[int, int]:
        if not self._can_play():
            return 0, 0
        _, height, width = self._result.network.shapes[self._layer]
        return height, width

    def _relu_follows(self) -> bool:
        spec = self._result.network.spec
        return self._layer + 1 < len(spec) and spec[self._layer + 1]["type"] == "relu"

    # ----- drawing
    def _show_hint(self, text: str) -> None:
        self.hint_label.setText(text)
        self.stack.setCurrentWidget(self.hint_label)
        self._trace = None
        self._winners = None
        self._window_rect = None
        self._channels_plain = ""
        for label in (self.sum_label, self.bias_label, self.result_label, self.relu_label):
            label.setText("")
        for widget in (self.channel_spin, self.in_channel_spin, self.scrubber):
            widget.setEnabled(False)
        for action in self.actions_by_name.values():
            action.setEnabled(False)
        self.position_label.setText("")
        if self.is_playing():
            self.pause()

    def _fill_layer_box(self, network: Network) -> None:
        entries = [(network.label(i), i) for i in range(len(network.layers)) if playable(network, i)]
        current = [(self.layer_box.itemText(r), self.layer_box.itemData(r)) for r in range(self.layer_box.count())]
        if entries != current:
            self.layer_box.blockSignals(True)
            self.layer_box.clear()
            for text, index in entries:
                self.layer_box.addItem(text, index)
            self.layer_box.blockSignals(False)

    def _refresh(self) -> None:
        """Redraw everything from the trace of the cell shown (cheap indexing of the newest result)."""
        result = self._result
        if result is None:
            self._show_hint(WAITING_HINT)
            return
        network = result.network
        row = self.layer_box.findData(self._layer)
        self.layer_box.setCurrentIndex(row)
        if not self._can_play():
            if not self.layer_box.count():
                self._show_hint(NO_PLAYABLE_HINT)
            elif 0 <= self._layer < len(network.layers):
                self._show_hint(f"{network.label(self._layer)} has no kernel or window to slide. {NO_LAYER_HINT}")
            else:
                self._show_hint(NO_LAYER_HINT)
            return
        self.stack.setCurrentIndex(0)
        self.scrubber.setEnabled(True)
        for action in self.actions_by_name.values():
            action.setEnabled(True)
        layer = network.layers[self._layer]
        is_pool = isinstance(layer, Pool2D)
        layer_input = result.stages[self._layer]
        channels, height, width = network.shapes[self._layer]
        self._channel = min(self._channel, channels - 1)
        self._in_channel = self._channel if is_pool else min(self._in_channel, layer_input.shape[0] - 1)
        self._position = min(self._position, height * width - 1)
        self._substep = min(self._substep, self._final_step())
        y, x = divmod(self._position, width)
        self._trace = trace_unit(network, layer_input, Unit(self._layer + 1, self._channel, y, x))
        self._sync_controls(channels, layer_input.shape[0], is_pool, height * width)
        if is_pool:
            self._draw_pool(self._trace)
        else:
            self._draw_conv(self._trace)
        self._draw_sums(self._trace)
        self._draw_output(height, width)
        self.fit_columns()
        shown = (self._layer, self._channel, y, x)
        if shown != self._last_shown:
            self._last_shown = shown
            self.position_changed.emit(*shown)

    def _sync_controls(self, channels: int, in_channels: int, is_pool: bool, count: int) -> None:
        y, x = self.cell()
        for spin, top, value, enabled in (
            (self.channel_spin, channels - 1, self._channel, channels > 1),
            (self.in_channel_spin, in_channels - 1, self._in_channel, in_channels > 1 and not is_pool),
        ):
            spin.blockSignals(True)
            spin.setRange(0, top)
            spin.setValue(value)
            spin.setSuffix(f" of {top + 1}")
            spin.blockSignals(False)
            spin.setEnabled(enabled)
        self.in_channel_spin.setVisible(in_channels > 1 and not is_pool)
        self.scrubber.blockSignals(True)
        self.scrubber.setRange(0, count - 1)
        self.scrubber.setValue(self._position)
        self.scrubber.blockSignals(False)
        self.position_label.setText(f"({y}, {x})  {self._position + 1}/{count}")

    def _input_colours(self, layer_input: np.ndarray) -> tuple[str, tuple[float, float]]:
        """The input's colour map key and levels: the image in greyscale 0..1, feature maps diverging."""
        if self._layer == 0:
            return "grey", (0.0, 1.0)
        level = symmetric_level(layer_input)
        return self._palette, (-level, level)

    def _set_colours(self, grid: NumberGridView, key: str) -> None:
        """Give ``grid`` the colour map ``key`` ("grey" or a diverging palette), only when it changes."""
        if self._colours.get(id(grid)) != key:
            grid.set_colormap(greyscale() if key == "grey" else diverging(key))
            self._colours[id(grid)] = key

    def _draw_input(self, trace: ConvTrace | PoolTrace, pad: int) -> None:
        layer_input = self._result.stages[self._layer]
        colours, levels = self._input_colours(layer_input)
        self._set_colours(self.input_view, colours)
        self.input_view.set_pad(pad)
        self.input_view.set_array(layer_input[self._in_channel], levels)
        title, tip = input_title(self._result.network, self._layer, self._in_channel, layer_input.shape[0], pad)
        self.input_column.set_title(title, title.replace("channel", "ch").replace("padding", "pad"))
        self.input_column.title.setToolTip(tip)
        self.input_view.setToolTip(tip)
        self._window_rect = GridRect(
            int(trace.rows[0]), int(trace.cols[0]), int(trace.rows[-1]), int(trace.cols[-1]), WINDOW_COLOUR, 4.0
        )
        overlays = [self._window_rect]
        if self._winners is not None:
            overlays += [
                GridRect(int(trace.rows[r]), int(trace.cols[c]), int(trace.rows[r]), int(trace.cols[c]), WINNER_COLOUR)
                for r, c in zip(*np.nonzero(self._winners), strict=True)
            ]
        self.input_view.set_overlays(overlays)
        _, height, width = layer_input.shape
        self.input_view.set_highlight(window_taps(trace, height, width, pad), TAP_TINT)
        self._set_colours(self.patch_view, colours)

    def _draw_conv(self, trace: ConvTrace) -> None:
        layer = self._result.network.layers[self._layer]
        padding = layer.padding
        pad = max(padding.top, padding.bottom, padding.left, padding.right)
        self._winners = None
        self._draw_input(trace, pad)
        ic = self._in_channel
        for widget in (self.kernel_column, self.products_column, self.times_label, self.equals_label):
            widget.show()
        _, levels = self._input_colours(self._result.stages[self._layer])
        self.patch_view.set_array(trace.patch[ic], levels)
        self.patch_view.set_highlight(trace.in_padding, PADDING_TINT)
        self.patch_view.set_overlays([])
        padded = int(trace.in_padding.sum())
        many = trace.patch.shape[0] > 1
        self.patch_column.set_title("patch" + (f", ch {ic}" if many else "") + (" (pad 0s)" if padded else ""), "patch")
        weights = layer.params["weight"][self._channel]
        kernel_level = symmetric_level(weights)
        self._set_colours(self.kernel_view, self._palette)
        self.kernel_view.set_array(trace.kernel[ic], (-kernel_level, kernel_level))
        self.kernel_column.set_title("kernel" + (f", in {ic}" if many else ""), "kernel")
        product_level = symmetric_level(trace.products)
        products = trace.products[ic] if self._revealed("products") else np.full(trace.products[ic].shape, np.nan)
        self._set_colours(self.products_view, self._palette)
        self.products_view.set_array(products, (-product_level, product_level))
        self.products_column.set_title("products")
        self.kernel_tags.set_tags(kernel_tags(trace, ic))

    def _draw_pool(self, trace: PoolTrace) -> None:
        is_max = trace.kind == "maxpool"
        k = trace.window.shape[0]
        self._winners = trace.winners.copy() if is_max and self._revealed("winners") else None
        self._draw_input(trace, 0)
        for widget in (self.kernel_column, self.products_column, self.times_label, self.equals_label):
            widget.hide()
        _, levels = self._input_colours(self._result.stages[self._layer])
        self.patch_view.set_array(trace.window, levels)
        self.patch_view.set_highlight(None)  # a tint would change the colours of the winners' values
        self.patch_view.set_overlays(
            []
            if self._winners is None
            else [GridRect(r, c, r, c, WINNER_COLOUR, 4.0) for r, c in zip(*np.nonzero(self._winners), strict=True)]
        )
        self.patch_column.set_title(f"window {k}x{k}", "window")
        self.kernel_tags.set_tags([])

    def _draw_sums(self, trace: ConvTrace | PoolTrace) -> None:
        """The sums column: sum, per-channel sums, bias (or pooling's counterparts), result and ReLU."""
        relu = self._relu_follows()
        texts = stage_texts(trace, self._sequence().revealed(self._substep), self._in_channel, relu)
        self.sum_label.setText(texts.sum_line)
        self.sum_label.setToolTip(texts.sum_tip)
        lists_channels = isinstance(trace, ConvTrace) and trace.channel_sums.shape[0] > 1
        self.channel_sums_view.setVisible(lists_channels)
        self._channels_plain = texts.channel_sums
        if texts.channel_sums:
            self.channel_sums_view.set_sums(trace.channel_sums, trace.total, self._in_channel)
        else:
            self.channel_sums_view.set_sums(None)
        self.bias_label.setText(texts.bias_line)
        self.bias_label.setToolTip(texts.bias_tip)
        self.result_label.setText(texts.result_line)
        self.relu_label.setVisible(relu)
        self.relu_label.setText(texts.relu_line)

    def _draw_output(self, height: int, width: int) -> None:
        result, layer = self._result, self._layer
        stage = result.stages[layer + 1]
        level = symmetric_level(stage)
        cutoff = self._position + (1 if self._revealed("result") else 0)
        shown = np.full(height * width, np.nan, np.float32)
        shown[:cutoff] = stage[self._channel].ravel()[:cutoff]
        y, x = divmod(self._position, width)
        current = [GridRect(y, x, y, x, WINDOW_COLOUR, 4.0)]
        self._set_colours(self.output_view, self._palette)
        self.output_view.set_array(shown.reshape(height, width), (-level, level))
        self.output_view.set_overlays(current)
        self.output_view.blockSignals(True)
        self.output_view.set_current_cell(y, x)
        self.output_view.blockSignals(False)
        network = result.network
        channel = f", channel {self._channel}" if stage.shape[0] > 1 else ""
        self.output_column.set_title(f"output{channel}", f"out, ch {self._channel}" if channel else "output")
        self.output_column.title.setToolTip(
            f"The output of {network.label(layer)}{channel} filling in: grey cells are not computed yet; "
            "click a cell to jump there"
        )
        if self._relu_follows():
            after = result.stages[layer + 2]
            relu_shown = np.full(height * width, np.nan, np.float32)
            relu_shown[:cutoff] = after[self._channel].ravel()[:cutoff]
            self._set_colours(self.relu_view, self._palette)
            self.relu_view.set_array(relu_shown.reshape(height, width), (-level, level))
            self.relu_view.set_overlays(current)
            self.relu_column.title.setToolTip(f"The output after {network.label(layer + 1)}: negatives become 0")

    def fit_columns(self) -> None:
        """Place the row: square cells as large as the panel allows, the arithmetic shrinking last."""
        page = self.player_page
        if not self._can_play() or page.width() <= 0:
            return
        self.relu_column.setHidden(not (self._relu_follows() and page.width() >= RELU_MAP_MIN_WIDTH))
        row = [
            self.input_column,
            self.patch_column,
            self.times_label,
            self.kernel_column,
            self.equals_label,
            self.products_column,
            self.sums_widget,
            self.output_column,
            self.relu_column,
        ]
        arithmetic = (self.patch_column, self.kernel_column, self.products_column)
        place_row(page, row, self.sums_widget, self._sums_width(), arithmetic)

    def _sums_width(self) -> int:
        """Pixels the sums column needs for the widest numbers of this layer (steady while playing)."""
        trace = self._trace
        labels = {"sum": self.sum_label, "bias": self.bias_label, "result": self.result_label, "relu": self.relu_label}
        lines = [(labels[line], text) for line, text in widest_texts(self._result.stages[self._layer + 1], trace)]
        return sums_width(lines, isinstance(trace, ConvTrace) and trace.channel_sums.shape[0] > 1)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if watched is getattr(self, "player_page", None) and event.type() == QEvent.Type.Resize:
            self.fit_columns()
        return super().eventFilter(watched, event)

    def _show_playing(self) -> None:
        playing = self.is_playing()
        action = self.actions_by_name["play"]
        icon = QStyle.StandardPixmap.SP_MediaPause if playing else QStyle.StandardPixmap.SP_MediaPlay
        action.setIcon(self.style().standardIcon(icon))
        action.setText("Pause" if playing else "Play")
        action.setToolTip("Pause (Space)" if playing else "Play: slide the kernel over every output cell (Space)")

    def _show_speed(self) -> None:
        self.speed_label.setText(f"{format_value(self._speed)} cells/s")

    # ----- control slots
    def _channel_spun(self, value: int) -> None:
        if value != self._channel:
            self.set_channel(value)

    def _in_channel_spun(self, value: int) -> None:
        if value != self._in_channel:
            self.set_input_channel(value)

    def _scrubbed(self, value: int) -> None:
        if value != self._position:
            self.set_position(value)


ConvPlayer = ConvPlayerPanel
"""The name the brief uses; widget classes in this app end in Panel, View or Editor."""
