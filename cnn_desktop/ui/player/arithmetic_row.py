"""The player's row: input | patch x kernel = products | sums | output | after ReLU.

:class:`ArithmeticRowView` draws one traced unit at one reveal sub-step: the layer's input with the
window outlined (zero padding drawn as explicit zeros), the arithmetic large enough for a lecture
hall and the output map filling in. Every number comes from a :class:`~cnn_desktop.compute.ForwardResult`:
its ``trace`` for the unit and its ``stages`` for the maps. A click on an output cell is forwarded
as ``cell_clicked``; the row never moves the player itself.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QWidget

from ...compute import ForwardResult
from ...engine.traces import ConvTrace, PoolTrace
from ...input_channels import channel_names, picture_channel_names
from ...state.player import PlayerState
from ...state.player_steps import channel_lines, input_title, kernel_tags, stacks_channels, window_taps
from ..colours import DEFAULT_DIVERGING, symmetric_level
from ..editors.grid_view import GridRect
from .channel_rows import ChannelRowsView
from .player_layout import RELU_MAP_MIN_WIDTH, place_row
from .player_widgets import (
    PADDING_TINT,
    TAP_TINT,
    WINDOW_COLOUR,
    WINNER_COLOUR,
    GridColours,
    KernelTagsView,
    TitledGridView,
    operator_label,
    set_tip,
)
from .sums_column import SumsColumnView


class ArithmeticRowView(QWidget):
    """The grids and sums of one output cell's arithmetic, placed by ``player_layout.place_row``."""

    cell_clicked = Signal(int, int)  # y, x of an output cell clicked or chosen with the keys

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setMinimumSize(200, 120)
        self._colours = GridColours()
        self._sums_width = 0
        self._relu_follows = False
        self._stacked = False  # a picture's conv: one row per channel instead of one patch
        self._drawn = False

        self.input_column = TitledGridView(
            "input", "The layer's input; the outlined window is what the current output cell sees", self
        )
        self.input_column.setObjectName("input")
        self.input_view = self.input_column.grid
        self.kernel_tags = KernelTagsView(self.input_view)

        self.patch_column = TitledGridView("patch", "The numbers under the window (padding cells are zeros)", self)
        self.kernel_column = TitledGridView("kernel", "The kernel's weights for this output and input channel", self)
        self.products_column = TitledGridView("products", "Each patch number times the kernel weight on it", self)
        self.patch_view = self.patch_column.grid
        self.kernel_view = self.kernel_column.grid
        self.products_view = self.products_column.grid
        for grid in (self.patch_view, self.kernel_view, self.products_view):
            grid.font_scale = 1.35
            grid.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.times_label = operator_label(
            "×", "Multiply each patch number by the kernel weight at the same place", self
        )
        self.equals_label = operator_label("=", "The element-wise products", self)
        self.channel_rows = ChannelRowsView(self)
        self.channel_rows.hide()
        self.sums = SumsColumnView(self)

        self.output_column = TitledGridView(
            "output", "The output map filling in: grey cells are not computed yet; click a cell to jump there", self
        )
        self.output_column.setObjectName("output")
        self.output_view = self.output_column.grid
        self.output_view.cell_clicked.connect(lambda y, x, _button: self.cell_clicked.emit(y, x))
        self.output_view.current_cell_changed.connect(self.cell_clicked)
        self.relu_column = TitledGridView(
            "after ReLU", "The output after the ReLU that follows: negatives become 0", self
        )
        self.relu_column.setObjectName("relu")
        self.relu_view = self.relu_column.grid
        self.relu_view.cell_clicked.connect(lambda y, x, _button: self.cell_clicked.emit(y, x))

    # ----- drawing
    def draw(
        self, result: ForwardResult, state: PlayerState, trace: ConvTrace | PoolTrace, palette: str = DEFAULT_DIVERGING
    ) -> None:
        """Show ``trace`` (the unit ``state`` stands on, from ``result``) at ``state``'s sub-step."""
        layer = state.layer
        revealed = state.revealed()
        self._relu_follows = state.relu_follows()
        self._stacked = stacks_channels(result.network, layer)
        self._show_columns(isinstance(trace, ConvTrace))
        names = picture_channel_names(result.network.spec, layer, result.stages[layer].shape[0])
        if isinstance(trace, PoolTrace):
            self._draw_pool(result, state, trace, palette, revealed)
        else:
            self._draw_conv(result, state, trace, palette, revealed, names)
        self.sums.draw(trace, revealed, state.shown_in_channel(), self._relu_follows, names)
        self._draw_output(result, state, palette, "result" in revealed)
        self._sums_width = self.sums.needed_width(result.stages[layer + 1], trace, bool(names))
        self._drawn = True
        self.fit_columns()

    def _show_columns(self, conv: bool) -> None:
        """Show the arithmetic a conv or a pool needs: one patch x kernel, a picture's channel rows, or a window."""
        self.channel_rows.setVisible(self._stacked)
        self.patch_column.setVisible(not self._stacked)
        for widget in (self.kernel_column, self.products_column, self.times_label, self.equals_label):
            widget.setVisible(conv and not self._stacked)

    def clear(self) -> None:
        """Forget the unit drawn (the panel shows a hint instead)."""
        self._drawn = False
        self.sums.clear()

    def _input_colours(
        self, result: ForwardResult, layer: int, palette: str, in_channel: int = 0
    ) -> tuple[str, tuple[float, float]]:
        """The input's colour map key and levels: the image 0..1 (a colour picture's channel in its
        colour, "channel:red"), feature maps diverging."""
        if layer == 0:
            channels = result.stages[0].shape[0]
            return (f"channel:{channel_names(channels)[in_channel]}" if channels > 1 else "grey"), (0.0, 1.0)
        level = result.levels[layer]
        return palette, (-level, level)

    def _draw_input(
        self, result: ForwardResult, state: PlayerState, trace: ConvTrace | PoolTrace, pad: int, palette: str, winners
    ) -> tuple[float, float]:
        """Draw the layer's input with the window (and max-pool winners); returns the input's levels."""
        layer_input = result.stages[state.layer]
        colours, levels = self._input_colours(result, state.layer, palette, state.shown_in_channel())
        self._colours.set(self.input_view, colours)
        self.input_view.set_pad(pad)
        self.input_view.set_array(layer_input[state.shown_in_channel()], levels)
        title, tip = input_title(result.network, state.layer, state.shown_in_channel(), layer_input.shape[0], pad)
        self.input_column.set_title(title, title.replace("channel", "ch").replace("padding", "pad"))
        set_tip(self.input_column.title, tip)
        set_tip(self.input_view, tip)
        rows, cols = trace.rows, trace.cols
        overlays = [GridRect(int(rows[0]), int(cols[0]), int(rows[-1]), int(cols[-1]), WINDOW_COLOUR, 4.0)]
        if winners is not None:
            overlays += [
                GridRect(int(rows[r]), int(cols[c]), int(rows[r]), int(cols[c]), WINNER_COLOUR)
                for r, c in zip(*np.nonzero(winners), strict=True)
            ]
        self.input_view.set_overlays(overlays)
        _, height, width = layer_input.shape
        self.input_view.set_highlight(window_taps(trace, height, width, pad), TAP_TINT)
        self._colours.set(self.patch_view, colours)
        return levels

    def _draw_conv(
        self,
        result: ForwardResult,
        state: PlayerState,
        trace: ConvTrace,
        palette: str,
        revealed: tuple[str, ...],
        names: tuple[str, ...],
    ) -> None:
        """One patch x kernel = products, or for a picture (``names`` its channels) one row per channel."""
        layer = result.network.layers[state.layer]
        padding = layer.padding
        pad = max(padding.top, padding.bottom, padding.left, padding.right)
        levels = self._draw_input(result, state, trace, pad, palette, None)
        ic = state.shown_in_channel()
        self.kernel_tags.set_tags(kernel_tags(trace, ic))
        kernel_level = symmetric_level(layer.params["weight"][state.channel])
        product_level = symmetric_level(trace.products)
        if self._stacked:
            lines = channel_lines(trace, revealed, names)
            self.channel_rows.draw(trace, lines, ic, palette, levels, kernel_level, product_level)
            return
        self.patch_view.set_array(trace.patch[ic], levels)
        self.patch_view.set_highlight(trace.in_padding, PADDING_TINT)
        self.patch_view.set_overlays([])
        padded = int(trace.in_padding.sum())
        many = trace.patch.shape[0] > 1
        self.patch_column.set_title(f"patch{f', ch {ic}' if many else ''}{' (pad 0s)' if padded else ''}", "patch")
        self._colours.set(self.kernel_view, palette)
        self.kernel_view.set_array(trace.kernel[ic], (-kernel_level, kernel_level))
        self.kernel_column.set_title("kernel" + (f", in {ic}" if many else ""), "kernel")
        products = trace.products[ic] if "products" in revealed else np.full(trace.products[ic].shape, np.nan)
        self._colours.set(self.products_view, palette)
        self.products_view.set_array(products, (-product_level, product_level))
        self.products_column.set_title("products")

    def _draw_pool(
        self, result: ForwardResult, state: PlayerState, trace: PoolTrace, palette: str, revealed: tuple[str, ...]
    ) -> None:
        k = trace.window.shape[0]
        winners = trace.winners if trace.kind == "maxpool" and "winners" in revealed else None
        levels = self._draw_input(result, state, trace, 0, palette, winners)
        self.patch_view.set_array(trace.window, levels)
        self.patch_view.set_highlight(None)  # a tint would change the colours of the winners' values
        self.patch_view.set_overlays(
            []
            if winners is None
            else [GridRect(r, c, r, c, WINNER_COLOUR, 4.0) for r, c in zip(*np.nonzero(winners), strict=True)]
        )
        self.patch_column.set_title(f"window {k}x{k}", "window")
        self.kernel_tags.set_tags([])

    def _draw_output(self, result: ForwardResult, state: PlayerState, palette: str, result_shown: bool) -> None:
        """The output map (and the map after ReLU) filled in up to the cell shown."""
        layer, channel = state.layer, state.channel
        height, width = state.output_shape()
        stage = result.stages[layer + 1]
        level = result.levels[layer + 1]
        cutoff = state.position + (1 if result_shown else 0)
        shown = np.full(height * width, np.nan, np.float32)
        shown[:cutoff] = stage[channel].ravel()[:cutoff]
        y, x = state.cell()
        current = [GridRect(y, x, y, x, WINDOW_COLOUR, 4.0)]
        self._colours.set(self.output_view, palette)
        self.output_view.set_array(shown.reshape(height, width), (-level, level))
        self.output_view.set_overlays(current)
        self.output_view.blockSignals(True)
        self.output_view.set_current_cell(y, x)
        self.output_view.blockSignals(False)
        network = result.network
        named = f", channel {channel}" if stage.shape[0] > 1 else ""
        self.output_column.set_title(f"output{named}", f"out, ch {channel}" if named else "output")
        set_tip(
            self.output_column.title,
            f"The output of {network.label(layer)}{named} filling in: grey cells are not computed yet; "
            "click a cell to jump there",
        )
        if self._relu_follows:
            after = result.stages[layer + 2]
            relu_shown = np.full(height * width, np.nan, np.float32)
            relu_shown[:cutoff] = after[channel].ravel()[:cutoff]
            self._colours.set(self.relu_view, palette)
            self.relu_view.set_array(relu_shown.reshape(height, width), (-level, level))
            self.relu_view.set_overlays(current)
            set_tip(self.relu_column.title, f"The output after {network.label(layer + 1)}: negatives become 0")

    # ----- placing
    def fit_columns(self) -> None:
        """Place the row: square cells as large as the panel allows, the arithmetic shrinking last."""
        if not self._drawn or self.width() <= 0:
            return
        self.relu_column.setHidden(not (self._relu_follows and self.width() >= RELU_MAP_MIN_WIDTH))
        row = [
            self.input_column,
            self.patch_column,
            self.times_label,
            self.kernel_column,
            self.equals_label,
            self.products_column,
            self.channel_rows,
            self.sums,
            self.output_column,
            self.relu_column,
        ]
        arithmetic = (self.patch_column, self.kernel_column, self.products_column, self.channel_rows)
        place_row(self, row, self.sums, self._sums_width, arithmetic)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        self.fit_columns()
