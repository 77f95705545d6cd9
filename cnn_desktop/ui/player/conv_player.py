"""The lecture's "take dot product!" as an animation: a layer's kernel sliding over its input.

:class:`ConvPlayerPanel` wires three parts together: a Qt-free :class:`~cnn_desktop.state.player.PlayerState`
(where the player stands and how it moves), the toolbar (``player_controls``) and the row of grids
(``arithmetic_row``). Gestures go to the state; the unit it moves to is announced as the document's
selection and its arithmetic asked for with ``document.trace``. The compute worker traces that unit
with every result, so the panel only draws ``result.trace`` and ``result.stages``: it never convolves.
Playing is a QTimer whose ticks advance the state.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QEventLoop, Qt, QTimer, Signal
from PySide6.QtWidgets import QLabel, QStackedWidget, QVBoxLayout, QWidget

from ...compute import ForwardResult
from ...engine import Unit
from ...engine.traces import ConvTrace, PoolTrace
from ...state.player import PlayerState
from ..colours import DEFAULT_DIVERGING
from ..document import SessionDocument
from ..fonts import keep_font
from .arithmetic_row import ArithmeticRowView
from .player_controls import PlayerControls

NO_LAYER_HINT = "Select a conv or pooling layer to play it"
NO_PLAYABLE_HINT = "This pipeline has no conv or pooling layer to play: add one in the Layers panel"
WAITING_HINT = "Waiting for the first result…"


class ConvPlayerPanel(QWidget):
    """Step through a conv or pooling layer one output cell at a time, with its arithmetic shown.

    Public API (used by the window, the lesson mode and the GIF export): ``state``, ``set_layer``,
    ``set_channel``, ``set_input_channel``, ``set_position``, ``step``, ``play`` / ``pause`` /
    ``toggle_play``, ``set_speed``, ``set_detailed``, ``set_palette``, ``current_trace``,
    ``wait_until_drawn`` and the read-outs ``layer``, ``channel``, ``position``, ``cell``, ``cell_count``,
    ``is_playing``. Moving to a cell selects that unit in the document; a unit selected elsewhere
    moves the player.
    """

    position_changed = Signal(int, int, int, int)  # layer, channel, y, x: the player moved to this unit
    playing_changed = Signal(bool)

    def __init__(self, document: SessionDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.state = PlayerState()
        self._result: ForwardResult | None = None
        self._palette = DEFAULT_DIVERGING
        self._last_shown: Unit | None = None
        self._timer = QTimer(self)
        self._timer.timeout.connect(self._tick)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._build()
        document.result_ready.connect(self.show_result)
        document.selection_changed.connect(self._follow_selection)
        self.state.follow_selection(document.session.selection)
        if document.latest is not None:
            self.show_result(document.latest)
        else:
            self._show_hint(WAITING_HINT)

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.setSpacing(4)
        self.controls = PlayerControls()
        layout.addWidget(self.controls)
        self.row = ArithmeticRowView()
        self.hint_label = QLabel(NO_LAYER_HINT)
        keep_font(self.hint_label, 22)
        self.hint_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.hint_label.setWordWrap(True)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.row)
        self.stack.addWidget(self.hint_label)
        layout.addWidget(self.stack, 1)

        controls = self.controls
        controls.layer_chosen.connect(self.set_layer)
        controls.channel_chosen.connect(self.set_channel)
        controls.input_channel_chosen.connect(self.set_input_channel)
        controls.position_chosen.connect(self.set_position)
        controls.speed_chosen.connect(self.set_speed)
        controls.detailed_chosen.connect(self.set_detailed)
        self.row.cell_clicked.connect(self._jump_to_cell)
        transport = {
            "play": self.toggle_play,
            "back": lambda: self._user_step(-1),
            "forward": lambda: self._user_step(1),
            "home": lambda: self._user_jump(0),
            "end": lambda: self._user_jump(-1),
        }
        for name, slot in transport.items():
            action = controls.actions_by_name[name]
            action.triggered.connect(slot)
            self.addAction(action)

    # ----- read-outs
    def layer(self) -> int:
        """The layer chosen (-1 before any); it may be one that cannot be played."""
        return self.state.layer

    def channel(self) -> int:
        return self.state.channel

    def input_channel(self) -> int:
        return self.state.in_channel

    def position(self) -> int:
        """The output cell shown, as a flat row-major index into the output map."""
        return self.state.position

    def cell(self) -> tuple[int, int]:
        return self.state.cell()

    def cell_count(self) -> int:
        return self.state.cell_count()

    def is_playing(self) -> bool:
        return self.state.playing

    def current_trace(self) -> ConvTrace | PoolTrace | None:
        """The newest result's trace when it is of the unit shown (None while it is being computed)."""
        result, unit = self._result, self.state.unit()
        trace = None if result is None else result.trace
        return trace if trace is not None and unit is not None and trace.unit == unit else None

    def wait_until_drawn(self, timeout_ms: int = 5000) -> bool:
        """Run the event loop until the row shows the unit the player stands on (for recording frames).

        False when nothing can be played or the trace did not come within ``timeout_ms``.
        """
        deadline = time.monotonic() + timeout_ms / 1000
        while self.state.can_play() and self.current_trace() is None and time.monotonic() < deadline:
            loop = QEventLoop()
            QTimer.singleShot(5, loop.quit)
            loop.exec()
        return self.current_trace() is not None

    # ----- intent: each goes to the state, then the panel announces and redraws
    def set_layer(self, index: int) -> None:
        """Play layer ``index`` from its first cell; other layers show a hint instead."""
        self._apply(self.state.set_layer(index))

    def set_channel(self, channel: int) -> None:
        """Play output channel ``channel`` (clamped to the layer's channels), keeping the cell."""
        self._apply(self.state.set_channel(channel))

    def set_input_channel(self, channel: int) -> None:
        """Show input channel ``channel`` on the left and in the patch (conv layers)."""
        self.state.set_input_channel(channel)
        self._apply(None)

    def set_position(self, flat_index: int) -> None:
        """Show output cell ``flat_index`` (row-major; negative counts from the end) with all its arithmetic."""
        self._apply(self.state.set_position(flat_index))

    def step(self, delta: int = 1) -> None:
        """Move ``delta`` cells (or, with detailed steps, ``delta`` reveal stages) forward or back."""
        self._apply(self.state.step(delta))

    def set_detailed(self, detailed: bool) -> None:
        """Whether stepping reveals each cell in stages (patch, products, sum, bias, result)."""
        self.state.set_detailed(detailed)
        self._apply(None)

    def play(self) -> None:
        """Slide on from the current cell (from the first one when at the end) until the last."""
        self._apply(self.state.play())

    def pause(self) -> None:
        if self.state.playing:
            self.state.pause()
            self._apply(None)

    def toggle_play(self) -> None:
        if self.state.playing:
            self.pause()
        else:
            self.play()

    def set_speed(self, cells_per_second: float) -> None:
        """Playing speed in output cells per second (0.5 to 20); slow speeds reveal in stages."""
        self.state.set_speed(cells_per_second)
        self._apply(None)

    def set_palette(self, name: str) -> None:
        """Use the diverging palette ``name`` (colours.DIVERGING) for feature maps, kernel and products."""
        self._palette = name
        self._refresh()

    def follow_text_zoom(self) -> None:
        """Redraw at the new text size: the sums' widths and the arithmetic cells follow it."""
        self._refresh()

    def _user_step(self, delta: int) -> None:
        self.pause()
        self.step(delta)

    def _user_jump(self, flat_index: int) -> None:
        self.pause()
        self.set_position(flat_index)

    def _jump_to_cell(self, y: int, x: int) -> None:
        if self.state.can_play() and (y, x) != self.state.cell():
            self._apply(self.state.set_cell(y, x))

    def _tick(self) -> None:
        self._apply(self.state.tick())

    # ----- the document
    def show_result(self, result: ForwardResult) -> None:
        """Adopt a new result: keep the layer, channel and cell when they still exist."""
        self._result = result
        self.state.adopt(result.network)
        self._refresh()

    def _follow_selection(self) -> None:
        """A unit selected elsewhere moves the player when it is a conv or pool output."""
        if self.state.follow_selection(self.document.session.selection):
            self._refresh()

    def _apply(self, moved_to: Unit | None) -> None:
        """After a change of state: select the unit moved to (if any), then redraw."""
        if moved_to is not None and moved_to != self.document.session.selection:
            self.document.trace(moved_to)
            self.document.select(moved_to)
        self._refresh()

    # ----- drawing
    def _refresh(self) -> None:
        """Redraw from the state and the newest result; ask for the trace of the unit shown."""
        self._sync_timer()
        state, result = self.state, self._result
        if result is None:
            self._show_hint(WAITING_HINT)
            return
        self.document.trace(state.unit())
        self.controls.show_state(state)
        if not state.can_play():
            network = result.network
            if not self.controls.layer_box.count():
                self._show_hint(NO_PLAYABLE_HINT)
            elif 0 <= state.layer < len(network.layers):
                self._show_hint(f"{network.label(state.layer)} has no kernel or window to slide. {NO_LAYER_HINT}")
            else:
                self._show_hint(NO_LAYER_HINT)
            return
        self.stack.setCurrentWidget(self.row)
        trace = self.current_trace()
        if trace is not None:  # else it comes with the next result; the row keeps the last one meanwhile
            self.row.draw(result, state, trace, self._palette)
        shown = state.unit()
        if shown != self._last_shown:
            self._last_shown = shown
            self.position_changed.emit(shown.stage - 1, shown.channel, shown.y, shown.x)

    def _show_hint(self, text: str) -> None:
        self.hint_label.setText(text)
        self.stack.setCurrentWidget(self.hint_label)
        self.row.clear()
        self.controls.show_state(self.state)

    def _sync_timer(self) -> None:
        """Run the timer while the state plays, at its speed."""
        playing = self.state.playing
        if playing:
            interval = self.state.tick_interval_ms()
            if not self._timer.isActive():
                self._timer.start(interval)
                self.playing_changed.emit(True)
            elif self._timer.interval() != interval:
                self._timer.setInterval(interval)
        elif self._timer.isActive():
            self._timer.stop()
            self.playing_changed.emit(False)
