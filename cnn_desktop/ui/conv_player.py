"""The lecture's "take dot product!" as an animation: a layer's kernel sliding over its input.

:class:`ConvPlayerPanel` shows, for one output cell of a conv or pooling layer at a time, the input
with the window outlined (zero padding drawn as explicit zeros), the arithmetic large enough for a
lecture hall (patch x kernel = products, sum, + bias, = result, ReLU) and the output map filling in.
Every number comes from the engine's trace of the newest result (``engine.trace_unit``): the player
only indexes, it never convolves. Playing is a QTimer that advances an index and redraws.
"""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QEvent, QObject, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QColor, QFont, QFontMetrics, QKeySequence, QPainter, QPaintEvent, QPen, QResizeEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QSlider,
    QSpinBox,
    QStackedWidget,
    QStyle,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ..compute import ForwardResult
from ..engine import Network
from ..engine.layers import Conv2D, Pool2D
from ..engine.traces import ConvTrace, PoolTrace, trace_unit
from ..session import Selection
from .document import SessionDocument
from .grid_view import MARGIN, MIN_NUMBER_CELL, GridRect, NumberGridView
from .palettes import DEFAULT_DIVERGING, diverging, format_value, greyscale, symmetric_level

SPEEDS = (0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0, 8.0, 12.0, 20.0)
"""Playback speeds offered by the slider, in output cells per second."""

DEFAULT_SPEED = 1.0
STAGED_MAX_SPEED = 2.0
"""Playing at this many cells per second or slower reveals each cell in sub-steps."""

CONV_STEPS = ("patch", "products", "sum", "bias", "result")
MAXPOOL_STEPS = ("window", "winners", "result")
AVGPOOL_STEPS = ("window", "sum", "result")

NO_LAYER_HINT = "Select a conv or pooling layer to play it"
NO_PLAYABLE_HINT = "This pipeline has no conv or pooling layer to play: add one in the Layers panel"
WAITING_HINT = "Waiting for the first result…"

WINDOW_COLOUR = QColor("#ffb000")  # the window and the current output cell (as in the feature maps)
WINNER_COLOUR = QColor("#00d0ff")  # max-pool winners
TAP_TINT = QColor(255, 176, 0, 80)
PADDING_TINT = QColor(255, 255, 255, 70)

MAX_ARITHMETIC_CELL = 76
"""Largest cell (px) of the patch, kernel and products grids: big, but leaving room for the rest."""
CHANNEL_SUMS_WIDTH = 230
"""Width (px) kept for the sums column when it lists per-channel sums."""
COLUMN_WEIGHTS = {"input": 1.6, "arithmetic": 1.2, "output": 0.95, "relu": 0.8}
"""How long each column keeps its full size when the panel is narrow (see ``share_widths``): the input
with its sliding window first, then the arithmetic, then the output maps."""
RELU_MAP_MIN_WIDTH = 1150
"""Narrower panels leave out the after-ReLU map (the ReLU line of the sums still shows the value)."""

COLUMN_GAP = 10
MIN_COLUMN_WIDTH = 40

TITLE_PX = 15
ARITHMETIC_PX = 26
RESULT_PX = 32
OPERATOR_PX = 40


def _font(pixels: int, bold: bool = False) -> QFont:
    font = QFont()
    font.setPixelSize(pixels)
    font.setBold(bold)
    return font


def playable(network: Network, layer: int) -> bool:
    """Whether ``layer`` of ``network`` is one the player can animate (a conv or a pooling layer)."""
    return 0 <= layer < len(network.layers) and isinstance(network.layers[layer], (Conv2D, Pool2D))


def steps_for(network: Network, layer: int) -> tuple[str, ...]:
    """The sub-steps of one output cell's reveal for ``layer`` (conv, max pool or average pool)."""
    current = network.layers[layer]
    if isinstance(current, Conv2D):
        return CONV_STEPS
    return MAXPOOL_STEPS if current.kind == "maxpool" else AVGPOOL_STEPS


class KernelTagsView(QWidget):
    """The kernel laid over the patch: each weight as a small tag in the corner of its input cell.

    A transparent child drawn over a :class:`NumberGridView`, following its size; it never takes
    the mouse. Tags are drawn only when the cells are large enough to hold them.
    """

    MIN_CELL = 40
    """Smaller cells leave no corner free of the cell's own number: the tint and outline must do."""

    def __init__(self, grid: NumberGridView) -> None:
        super().__init__(grid)
        self._grid = grid
        self._tags: list[tuple[int, int, str]] = []
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents, True)
        self.setAttribute(Qt.WidgetAttribute.WA_NoSystemBackground, True)
        self.setGeometry(grid.rect())
        grid.installEventFilter(self)

    def set_tags(self, tags: list[tuple[int, int, str]]) -> None:
        """``tags`` are (row, col, text) in the grid's array coordinates (padding rows allowed)."""
        self._tags = list(tags)
        self.update()

    def tags(self) -> list[tuple[int, int, str]]:
        return list(self._tags)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if watched is self._grid and event.type() == QEvent.Type.Resize:
            self.setGeometry(self._grid.rect())
        return False

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt's name)
        cell = self._grid.cell_size()
        if not self._tags or cell < self.MIN_CELL:
            return
        painter = QPainter(self)
        font = _font(max(9, int(cell * 0.22)), bold=True)
        painter.setFont(font)
        height = painter.fontMetrics().height()
        for row, col, text in self._tags:
            rect = self._grid.cell_rect(row, col)
            width = painter.fontMetrics().horizontalAdvance(text) + 4
            tag = QRectF(rect.right() - width - 1, rect.bottom() - height - 1, width, height)
            painter.fillRect(tag, WINDOW_COLOUR)
            painter.setPen(QPen(QColor(0, 0, 0)))
            painter.drawText(tag, Qt.AlignmentFlag.AlignCenter, text)
        painter.end()


class ChannelSumsView(QWidget):
    """The per-input-channel partial sums of a conv unit, as a table that fits its box.

    Entries run down the columns (``ch 0: 1.25``), the channel shown in the patch marked, and the
    total underneath; the font is the largest (18 down to 10 px) at which every entry fits.
    """

    MAX_PX, MIN_PX = 18, 10

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._entries: list[str] = []
        self._total = ""
        self._marked = -1
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Expanding)
        self.setMinimumHeight(2 * QFontMetrics(_font(self.MIN_PX)).height())

    def set_sums(self, sums: np.ndarray | None, total: float = 0.0, marked: int = -1) -> None:
        """Show ``sums`` (C_in,) and their ``total``, marking channel ``marked``; None shows nothing."""
        if sums is None:
            self._entries, self._total = [], ""
        else:
            self._entries = [f"ch {c}: {format_value(v)}" for c, v in enumerate(sums)]
            self._total = f"total = {format_value(total)}"
        self._marked = marked
        self.update()

    def _fit(self) -> tuple[QFont, int, int, float]:
        """(font, columns, rows, column width) of the largest font at which the table fits."""
        count = len(self._entries)
        for pixels in range(self.MAX_PX, self.MIN_PX - 1, -1):
            font = _font(pixels, bold=True)
            metrics = QFontMetrics(font)
            column = max(metrics.horizontalAdvance(text) for text in self._entries) + pixels
            columns = max(1, int((self.width() + pixels) // column))
            rows = math.ceil(count / columns)
            if (rows + 1) * metrics.height() <= self.height() or pixels == self.MIN_PX:
                return font, columns, rows, column
        raise AssertionError("unreachable")

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt's name)
        if not self._entries:
            return
        painter = QPainter(self)
        font, columns, rows, column = self._fit()
        line = QFontMetrics(font).height()
        rows_fit = max(1, self.height() // line - 1)
        shown_rows = min(rows, rows_fit)
        top = max(0, (self.height() - (shown_rows + 1) * line) // 2)
        normal = _font(font.pixelSize())
        ink = self.palette().windowText().color()
        for index, text in enumerate(self._entries):
            col, row = divmod(index, rows)
            if row >= shown_rows or col >= columns:
                continue
            rect = QRectF(col * column, top + row * line, column, line)
            if index == self._marked:
                painter.fillRect(rect.adjusted(-2, 0, -font.pixelSize() + 2, 0), WINDOW_COLOUR)
                painter.setFont(font)
                painter.setPen(QColor(0, 0, 0))
            else:
                painter.setFont(normal)
                painter.setPen(ink)
            painter.drawText(rect, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, text)
        hidden = len(self._entries) - min(len(self._entries), shown_rows * columns)
        total = self._total + (f"   (+{hidden} channels not listed)" if hidden else "")
        painter.setFont(font)
        painter.setPen(ink)
        painter.drawText(
            QRectF(0, top + shown_rows * line, self.width(), line),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            total,
        )
        painter.end()


class _TitledGridView(QWidget):
    """A one-line title above a :class:`NumberGridView`; the panel sets its width (``fit_columns``)."""

    def __init__(self, title: str, tip: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._titles = (title, title)
        self.title = QLabel(title)
        self.title.setFont(_font(TITLE_PX, bold=True))
        self.title.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom)
        self.title.setToolTip(tip)
        self.title.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.grid = NumberGridView()
        self.grid.setToolTip(tip)
        self.grid.setMinimumSize(30, 30)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.title)
        layout.addWidget(self.grid, 1)

    def set_title(self, text: str, short: str | None = None) -> None:
        """Title the column ``text``, or ``short`` (elided if need be) when the column is too narrow."""
        self._titles = (text, short or text)
        self._fit_title()

    def _fit_title(self) -> None:
        text, short = self._titles
        metrics = self.title.fontMetrics()
        width = max(self.width(), 1)
        if metrics.horizontalAdvance(text) > width:
            text = metrics.elidedText(short, Qt.TextElideMode.ElideRight, width)
        if self.title.text() != text:
            self.title.setText(text)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt's name)
        self._fit_title()
        super().resizeEvent(event)

    def cells(self) -> tuple[int, int]:
        """(rows, cols) of cells drawn, padding ring included."""
        rows, cols = self.grid.array().shape
        pad = self.grid.pad()
        return rows + 2 * pad, cols + 2 * pad


def share_widths(ideal: list[float], weights: list[float], available: float, floors: list[float]) -> list[float]:
    """Widths between ``floors`` and ``ideal`` that fill ``available`` pixels, low-weight columns shrinking first.

    Column ``i`` gets ``min(ideal[i], s * weights[i] * ideal[i])`` (never below ``floors[i]``) for the
    largest ``s`` that fits, so when space is short the heavy columns keep their size longest.
    """
    if sum(ideal) <= available:
        return list(ideal)
    bounds = list(zip(ideal, weights, floors, strict=True))

    def widths(scale: float) -> list[float]:
        return [max(floor, min(best, scale * weight * best)) for best, weight, floor in bounds]

    low, high = 0.0, 1.0 / min(weights)
    for _ in range(40):
        middle = (low + high) / 2
        low, high = (middle, high) if sum(widths(middle)) <= available else (low, middle)
    return widths(low)


def _operator(text: str, tip: str, parent: QWidget) -> QLabel:
    label = QLabel(text, parent)
    label.setFont(_font(OPERATOR_PX, bold=True))
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    label.setToolTip(tip)
    label.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Preferred)
    return label


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
        self._pending: Selection | None = None  # a selection to jump to once a result shows its layer
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
        self.hint_label.setFont(_font(22))
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

        self.input_column = _TitledGridView(
            "input", "The layer's input; the outlined window is what the current output cell sees", page
        )
        self.input_column.setObjectName("input")
        self.input_view = self.input_column.grid
        self.kernel_tags = KernelTagsView(self.input_view)

        self.patch_column = _TitledGridView("patch", "The numbers under the window (padding cells are zeros)", page)
        self.kernel_column = _TitledGridView("kernel", "The kernel's weights for this output and input channel", page)
        self.products_column = _TitledGridView("products", "Each patch number times the kernel weight on it", page)
        self.patch_view = self.patch_column.grid
        self.kernel_view = self.kernel_column.grid
        self.products_view = self.products_column.grid
        for grid in (self.patch_view, self.kernel_view, self.products_view):
            grid.font_scale = 1.35
            grid.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.times_label = _operator("×", "Multiply each patch number by the kernel weight at the same place", page)
        self.equals_label = _operator("=", "The element-wise products", page)
        self.sums_widget = self._build_sums(page)

        self.output_column = _TitledGridView(
            "output", "The output map filling in: grey cells are not computed yet; click a cell to jump there", page
        )
        self.output_column.setObjectName("output")
        self.output_view = self.output_column.grid
        self.output_view.cell_clicked.connect(lambda y, x, _button: self._jump_to_cell(y, x))
        self.output_view.current_cell_changed.connect(self._jump_to_cell)
        self.relu_column = _TitledGridView(
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
        self.sum_label = self._text_label(ARITHMETIC_PX, "The sum of the products shown")
        self.channel_sums_view = ChannelSumsView()
        self.channel_sums_view.setToolTip(
            "The sum of the products for each input channel (the one in the patch is marked), and their total"
        )
        self.bias_label = self._text_label(ARITHMETIC_PX, "The filter's bias, added once to the sum")
        self.result_label = self._text_label(RESULT_PX, "The output cell's value", bold=True)
        self.relu_label = self._text_label(ARITHMETIC_PX, "The ReLU that follows keeps positives, turns negatives to 0")
        column.addStretch(1)
        column.addWidget(self.sum_label)
        column.addWidget(self.channel_sums_view, 4)
        for label in (self.bias_label, self.result_label, self.relu_label):
            column.addWidget(label)
        column.addStretch(1)
        return widget

    def _text_label(self, pixels: int, tip: str, bold: bool = False) -> QLabel:
        label = QLabel()
        label.setFont(_font(pixels, bold))
        label.setToolTip(tip)
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setMinimumHeight(QFontMetrics(label.font()).height() + 2)
        return label

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
        steps = self._steps()
        return steps[min(self._substep, len(steps) - 1)] if steps else ""

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
        if self._position >= self.cell_count() - 1 and self._substep >= self._final_step():
            self._move_to(0, 0 if self._staged() else self._final_step())
        self._staged_play = self._staged()
        self._timer.start(self._interval())
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
        self._speed = float(np.clip(cells_per_second, SPEEDS[0], SPEEDS[-1]))
        nearest = int(np.argmin([abs(s - self._speed) for s in SPEEDS]))
        if self.speed_slider.value() != nearest:
            self.speed_slider.blockSignals(True)
            self.speed_slider.setValue(nearest)
            self.speed_slider.blockSignals(False)
        self._show_speed()
        if self.is_playing():
            self._staged_play = self._staged()
            self._timer.setInterval(self._interval())

    def set_palette(self, name: str) -> None:
        """Use the diverging palette ``name`` (palettes.DIVERGING) for feature maps, kernel and products."""
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

    def _jump_to_unit(self, selection: Selection) -> None:
        """Show ``selection`` (a unit of a playable layer of the current result) without announcing it."""
        if selection.stage - 1 != self._layer:
            self._in_channel = 0
        self._layer, self._channel = selection.stage - 1, selection.channel
        self._asked_unplayable = False
        self._position = selection.y * self._output_shape()[1] + selection.x
        self._substep = self._final_step()

    def _selection_fits(self, selection: Selection) -> bool:
        network = self._result.network
        layer = selection.stage - 1
        if not playable(network, layer):
            return False
        channels, height, width = network.shapes[layer]
        return 0 <= selection.channel < channels and 0 <= selection.y < height and 0 <= selection.x < width

    def _selection(self) -> Selection | None:
        if not self._can_play():
            return None
        y, x = self.cell()
        return Selection(self._layer + 1, self._channel, y, x)

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
        last = self._final_step()
        position, substep = self._position, self._substep + delta
        while substep > last and position < self.cell_count() - 1:
            position, substep = position + 1, substep - last - 1
        while substep < 0 and position > 0:
            position, substep = position - 1, substep + last + 1
        self._move_to(position, int(np.clip(substep, 0, last)))

    def _tick(self) -> None:
        if not self._can_play():
            self.pause()
            return
        if self._staged_play and self._substep < self._final_step():
            self._move_to(self._position, self._substep + 1)
        elif self._position < self.cell_count() - 1:
            self._move_to(self._position + 1, 0 if self._staged_play else self._final_step())
        if self._position >= self.cell_count() - 1 and self._substep >= self._final_step():
            self.pause()

    def _staged(self) -> bool:
        return self._speed <= STAGED_MAX_SPEED

    def _interval(self) -> int:
        per_cell = 1000.0 / self._speed
        if self._staged():
            per_cell /= max(len(self._steps()), 1)
        return max(10, int(round(per_cell)))

    # ----- small queries
    def _can_play(self) -> bool:
        return self._result is not None and playable(self._result.network, self._layer)

    def _steps(self) -> tuple[str, ...]:
        return steps_for(self._result.network, self._layer) if self._can_play() else ()

    def _final_step(self) -> int:
        return max(len(self._steps()) - 1, 0)

    def _revealed(self, name: str) -> bool:
        steps = self._steps()
        return name in steps and steps.index(name) <= self._substep

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
        self._trace = trace_unit(network, layer_input, self._layer, self._channel, y, x)
        self._sync_controls(channels, layer_input.shape[0], is_pool, height * width)
        if is_pool:
            self._draw_pool(self._trace)
        else:
            self._draw_conv(self._trace)
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

    def _input_title(self, layer_input: np.ndarray, pad: int) -> tuple[str, str]:
        """A short title (it must fit above a small grid) and the long tooltip."""
        network = self._result.network
        source = "the input image" if self._layer == 0 else f"the output of {network.label(self._layer - 1)}"
        channel = f", channel {self._in_channel}" if layer_input.shape[0] > 1 else ""
        padding = f", padding {pad}" if pad else ""
        tip = (
            f"The input of {network.label(self._layer)}: {source}{channel}. The outlined window is what the "
            "current output cell sees" + (f"; the hatched ring is the zero padding ({pad})" if pad else "")
        )
        return f"input{channel}{padding}", tip

    def _draw_input(self, trace: ConvTrace | PoolTrace, pad: int, taps: np.ndarray) -> None:
        layer_input = self._result.stages[self._layer]
        colours, levels = self._input_colours(layer_input)
        self._set_colours(self.input_view, colours)
        self.input_view.set_pad(pad)
        self.input_view.set_array(layer_input[self._in_channel], levels)
        title, tip = self._input_title(layer_input, pad)
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
        self.input_view.set_highlight(taps, TAP_TINT)
        self._set_colours(self.patch_view, colours)

    def _tap_mask(self, trace: ConvTrace | PoolTrace, pad: int) -> np.ndarray:
        """The input cells (padding ring included) that the window reads."""
        _, height, width = self._result.stages[self._layer].shape
        mask = np.zeros((height + 2 * pad, width + 2 * pad), bool)
        rows, cols = trace.rows + pad, trace.cols + pad
        rows = rows[(rows >= 0) & (rows < mask.shape[0])]
        cols = cols[(cols >= 0) & (cols < mask.shape[1])]
        mask[np.ix_(rows, cols)] = True
        return mask

    def _draw_conv(self, trace: ConvTrace) -> None:
        layer = self._result.network.layers[self._layer]
        padding = layer.padding
        pad = max(padding.top, padding.bottom, padding.left, padding.right)
        self._winners = None
        self._draw_input(trace, pad, self._tap_mask(trace, pad))
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
        self.kernel_tags.set_tags(
            [
                (int(r), int(c), "×" + format_value(w))
                for r, row in zip(trace.rows, trace.kernel[ic], strict=True)
                for c, w in zip(trace.cols, row, strict=True)
            ]
        )

        self.sum_label.setText(f"sum = {format_value(trace.channel_sums[ic])}" if self._revealed("sum") else "")
        self.sum_label.setToolTip("The sum of the products shown" + (f" (input channel {ic})" if many else ""))
        self._draw_channel_sums(trace)
        self.bias_label.setText(f"+ bias {format_value(trace.bias)}" if self._revealed("bias") else "")
        self.bias_label.setToolTip("The filter's bias, added once to the sum")
        self._draw_result_lines(trace.result)

    def _draw_channel_sums(self, trace: ConvTrace) -> None:
        many = trace.channel_sums.shape[0] > 1
        self.channel_sums_view.setVisible(many)
        if not many or not self._revealed("sum"):
            self._channels_plain = ""
            self.channel_sums_view.set_sums(None)
            return
        parts = [f"channel {c}: {format_value(v)}" for c, v in enumerate(trace.channel_sums)]
        self._channels_plain = ", ".join(parts) + f", total {format_value(trace.total)}"
        self.channel_sums_view.set_sums(trace.channel_sums, trace.total, self._in_channel)

    def _draw_result_lines(self, value: float) -> None:
        shown = self._revealed("result")
        self.result_label.setText(f"= {format_value(value)}" if shown else "")
        relu = self._relu_follows()
        self.relu_label.setVisible(relu)
        self.relu_label.setText(f"ReLU → {format_value(max(value, 0.0))}" if shown and relu else "")

    def _draw_pool(self, trace: PoolTrace) -> None:
        is_max = trace.kind == "maxpool"
        k = trace.window.shape[0]
        self._winners = trace.winners.copy() if is_max and self._revealed("winners") else None
        self._draw_input(trace, 0, self._tap_mask(trace, 0))
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
        self._channels_plain = ""
        self.channel_sums_view.set_sums(None)
        self.channel_sums_view.hide()
        values = ", ".join(format_value(v) for v in trace.window.ravel())
        if is_max:
            ties = int(trace.winners.sum())
            shown = self._revealed("winners")
            self.sum_label.setText((f"max({values})" if k <= 2 else f"max of the {k}x{k} window") if shown else "")
            self.sum_label.setToolTip("The largest number in the window wins (highlighted)")
            self.bias_label.setText(f"{ties} cells tie, all win" if shown and ties > 1 else "")
            self.bias_label.setToolTip("Cells that hold the largest value (all highlighted)")
        else:
            total = float(trace.window.sum(dtype=np.float64))
            shown = self._revealed("sum")
            self.sum_label.setText(f"sum = {format_value(total)}" if shown else "")
            self.sum_label.setToolTip("The sum of the window's numbers")
            self.bias_label.setText(f"mean = sum / {k * k}" if shown else "")
            self.bias_label.setToolTip(f"The average: the sum divided by the {k}x{k} = {k * k} cells")
        self._draw_result_lines(trace.result)

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
        columns = [c for c in self._columns() if not c.isHidden()]
        operators = [op for op in (self.times_label, self.equals_label) if not op.isHidden()]
        title = max(c.title.sizeHint().height() for c in columns)
        height = page.height()
        grid_height = max(height - title - 2 - 2 * MARGIN, 20)
        ideal, weights, floors = [], [], []
        for column in columns:
            rows, cols = column.cells()
            cell = grid_height / max(rows, 1)
            arithmetic = column in (self.patch_column, self.kernel_column, self.products_column)
            if arithmetic:
                cell = min(cell, MAX_ARITHMETIC_CELL)
            ideal.append(cell * cols + 2 * MARGIN + 1)
            weights.append(COLUMN_WEIGHTS["arithmetic" if arithmetic else column.objectName()])
            # a small map keeps cells big enough for its numbers, when that costs little
            readable = MIN_NUMBER_CELL * cols + 2 * MARGIN + 1
            floors.append(min(ideal[-1], readable) if readable <= page.width() / 8 else MIN_COLUMN_WIDTH)
        operator_width = OPERATOR_PX
        fixed = COLUMN_GAP * (len(columns) + len(operators)) + operator_width * len(operators)
        available = page.width() - fixed - self._sums_width()
        widths = dict(zip(columns, share_widths(ideal, weights, available, floors), strict=True))
        sums_width = max(page.width() - fixed - sum(widths.values()), 60)
        order = [
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
        left = 0
        for widget in order:
            if widget.isHidden():
                continue
            if widget is self.sums_widget:
                width = sums_width
            else:
                width = int(widths.get(widget, operator_width))
            top = title + 2 if widget in operators else 0
            widget.setGeometry(left, top, width, height - top)
            left += width + (0 if widget in operators else COLUMN_GAP)

    def _sums_width(self) -> int:
        """Pixels the sums column needs for the widest numbers of this layer (steady while playing)."""
        stage = self._result.stages[self._layer + 1]
        widest = max((format_value(stage.min()), format_value(stage.max())), key=len) + "0"
        trace = self._trace
        lines = [
            (self.sum_label, f"sum = {widest}"),
            (self.result_label, f"= {widest}"),
            (self.relu_label, f"ReLU → {widest}"),
        ]
        if isinstance(trace, ConvTrace):
            lines.append((self.bias_label, f"+ bias {format_value(trace.bias)}"))
        elif trace is not None:
            k = trace.window.shape[0]
            lines.append((self.sum_label, f"max({', '.join([widest] * k * k)})" if k <= 2 else "max of the 8x8 window"))
            lines.append((self.bias_label, "4 cells tie, all win"))
        width = max(label.fontMetrics().horizontalAdvance(text) for label, text in lines) + 12
        if isinstance(trace, ConvTrace) and trace.channel_sums.shape[0] > 1:
            width = max(width, CHANNEL_SUMS_WIDTH)
        return width

    def _columns(self) -> list[_TitledGridView]:
        return [
            self.input_column,
            self.patch_column,
            self.kernel_column,
            self.products_column,
            self.output_column,
            self.relu_column,
        ]

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
