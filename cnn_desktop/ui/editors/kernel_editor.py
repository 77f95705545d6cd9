"""The kernels of one conv layer: an overview of all of them and an editor for one k x k kernel.

The kernel is shown the way the lecture writes it, as a factor times a grid (the box blur is
1/9 x all ones): the weights are ``scale * grid``. The scale is remembered per kernel for display;
changing it rescales the weights and keeps the grid. Every edit is one ``document.edit_params``
(wheel steps on one cell merge into one undo step); refused values are explained inline.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QEvent, QObject, QSize, Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ...input_channels import picture_channel_names, reads_picture
from ...kernel_presets import CHANNEL_KERNEL_PRESETS, channel_kernel_preset, fill_with_preset
from ...number_text import format_value, scale_text
from ...state.kernel_factors import KernelFactors, parse_factor
from ..colours import DEFAULT_DIVERGING, diverging, symmetric_level
from ..document import SessionDocument
from ..fonts import keep_font
from ..message_label import MessageLabel
from .kernel_controls import (
    NO_CONV_HINT,
    WHEEL_STEP,
    all_outputs_box,
    bias_spin,
    channel_spin,
    choose_layer,
    factor_box,
    fill_layer_box,
    hint_label,
    kernel_grid_view,
    layer_box,
    overview_caption,
    preset_box,
    set_channel_count,
    weight_text,
)
from .kernel_overview import KernelOverviewView


class KernelEditor(QWidget):
    """Edit the kernels and biases of one conv layer (``set_layer``), one k x k kernel at a time.

    Public pieces: ``grid`` (the kernel's :class:`NumberGridView`), ``overview``, ``layer()``,
    ``current_kernel()``, ``set_kernel``, ``scale()``, ``set_scale_text``, ``apply_preset``,
    ``set_palette`` and ``message()`` (the last status or error text).
    """

    layer_changed = Signal(int)  # the conv layer now shown, -1 for none
    kernel_changed = Signal(int, int)  # output channel, input channel now edited

    def __init__(self, document: SessionDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self._requested: int | None = None  # the layer asked for by set_layer (None: the first conv)
        self._layer: int | None = None
        self._factors = KernelFactors()
        self._rng = np.random.default_rng()
        self._build()
        self._connect()
        self._refresh()

    # ----- construction
    def _build(self) -> None:
        self.layer_box = layer_box()
        self.out_spin = channel_spin("Output ", "Output channel (filter) of the kernel to edit")
        self.in_spin = channel_spin(
            "Input ", "Input channel of the kernel to edit (each filter has one k x k kernel per input channel)"
        )
        self.scale_box = factor_box()
        keep_font(self.scale_box, relative=1.8)
        times = QLabel("\u00d7")
        keep_font(times, relative=1.8)

        self.grid = kernel_grid_view()

        self.bias_spin = bias_spin()
        self.preset_box = preset_box()
        self.all_outputs = all_outputs_box()

        self.overview_label = QLabel("")
        self.overview_label.setWordWrap(True)
        self.overview = KernelOverviewView()
        self.message_label = MessageLabel()

        self.hint_label = hint_label()
        keep_font(self.hint_label, relative=1.3)

        choose = QHBoxLayout()
        choose.addWidget(self.layer_box, 1)
        choose.addWidget(self.out_spin)
        choose.addWidget(self.in_spin)

        kernel = QHBoxLayout()
        kernel.addStretch(1)
        kernel.addWidget(self.scale_box, 0, Qt.AlignmentFlag.AlignVCenter)
        kernel.addWidget(times, 0, Qt.AlignmentFlag.AlignVCenter)
        kernel.addWidget(self.grid, 100)
        kernel.addStretch(1)
        self.grid.installEventFilter(self)  # keeps the grid square, so "factor x grid" stays together

        tools = QHBoxLayout()
        tools.addWidget(self.bias_spin)
        tools.addWidget(self.preset_box, 1)
        tools.addWidget(self.all_outputs)

        page = QWidget()
        editor = QVBoxLayout(page)
        editor.setContentsMargins(0, 0, 0, 0)
        editor.addLayout(kernel, 3)
        editor.addLayout(tools)
        editor.addWidget(self.overview_label)
        editor.addWidget(self.overview, 1)
        self.pages = QStackedWidget()
        self.pages.addWidget(page)
        self.pages.addWidget(self.hint_label)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(choose)
        layout.addWidget(self.pages, 1)
        layout.addWidget(self.message_label)

    def _connect(self) -> None:
        doc = self.document
        doc.params_changed.connect(self._refresh)
        doc.spec_changed.connect(self._refresh)
        doc.selection_changed.connect(self._follow_selection)
        doc.weights_unlocked.connect(self.message_label.forget)
        self.layer_box.activated.connect(lambda i: self.set_layer(self.layer_box.itemData(i)))
        self.out_spin.valueChanged.connect(lambda _: self._kernel_chosen())
        self.in_spin.valueChanged.connect(lambda _: self._kernel_chosen())
        self.overview.kernel_clicked.connect(self.set_kernel)
        self.grid.value_entered.connect(self._cell_typed)
        self.grid.cell_wheeled.connect(self._cell_wheeled)
        self.grid.entry_rejected.connect(lambda message: self._say(message, error=True))
        self.grid.cell_hovered.connect(self._show_hover)
        self.scale_box.lineEdit().returnPressed.connect(lambda: self.set_scale_text(self.scale_box.currentText()))
        self.scale_box.textActivated.connect(self.set_scale_text)
        self.bias_spin.valueChanged.connect(self._bias_changed)
        self.preset_box.activated.connect(self._preset_chosen)

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        return QSize(420, 520)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if watched is self.grid and event.type() == QEvent.Type.Resize:
            side = self.grid.height()
            if self.grid.maximumWidth() != side:
                self.grid.setMaximumWidth(max(side, self.grid.minimumWidth()))
        return super().eventFilter(watched, event)

    # ----- what is edited
    def layer(self) -> int | None:
        """Index of the conv layer shown, or None when none is (the hint shows instead)."""
        return self._layer

    def current_kernel(self) -> tuple[int, int]:
        """(output channel, input channel) of the kernel in the grid."""
        return self.out_spin.value(), self.in_spin.value()

    def set_layer(self, index: int) -> None:
        """Edit the kernels of layer ``index``; a layer without kernels shows the hint."""
        self._requested = int(index)
        self._refresh()

    def set_kernel(self, out_channel: int, in_channel: int) -> None:
        for spin, value in ((self.out_spin, out_channel), (self.in_spin, in_channel)):
            spin.blockSignals(True)
            spin.setValue(value)
            spin.blockSignals(False)
        self._kernel_chosen()

    def set_palette(self, name: str = DEFAULT_DIVERGING) -> None:
        """Follow View > Colours: the diverging map of the grid and the overview."""
        self.grid.set_colormap(diverging(name))
        self.overview.set_colormap(diverging(name))

    def _conv_layers(self) -> list[int]:
        return [i for i, entry in enumerate(self.document.session.network.spec) if entry["type"] == "conv"]

    def _weights(self) -> np.ndarray:
        return self.document.session.network.params[f"{self._layer}.weight"]

    def _key(self) -> tuple[int, int, int]:
        return (self._layer, *self.current_kernel())

    def scale(self) -> float:
        """The display factor of the current kernel (weights = scale x grid)."""
        return self._factors.get(self._key()) if self._layer is not None else 1.0

    def kernel_grid(self) -> np.ndarray:
        """The current kernel as the grid shows it: weights / scale, (k, k)."""
        out_channel, in_channel = self.current_kernel()
        return self._weights()[out_channel, in_channel] / np.float32(self.scale())

    # ----- refresh from the document
    def _refresh(self) -> None:
        network = self.document.session.network
        convs = self._conv_layers()
        fill_layer_box(self.layer_box, [(network.label(i).capitalize(), i) for i in convs])
        layer, hint = choose_layer(network, convs, self._requested)
        if hint:
            self.hint_label.setText(hint)
        if layer != self._layer:
            self._layer = layer
            self._say("")
            self.layer_changed.emit(-1 if layer is None else layer)
        if layer is None:
            self.pages.setCurrentIndex(1)
            self.out_spin.setEnabled(False)
            self.in_spin.setEnabled(False)
            self.layer_box.setCurrentIndex(-1)
            return
        self.pages.setCurrentIndex(0)
        self.layer_box.setCurrentIndex(self.layer_box.findData(layer))
        outs, ins, k, _ = self._weights().shape
        set_channel_count(self.out_spin, outs)
        set_channel_count(self.in_spin, ins)
        self._factors.forget_missing(self.document.session.network.params)
        self._show_kernel()

    def _show_kernel(self) -> None:
        """Grid, scale, bias and overview of the current kernel (no edits)."""
        out_channel, in_channel = self.current_kernel()
        weights = self._weights()
        grid = self.kernel_grid()
        level = symmetric_level(grid)
        self.grid.set_array(grid, (-level, level))
        if not self.scale_box.lineEdit().hasFocus():  # never overwrite what the user is typing
            self.scale_box.setEditText(scale_text(self.scale()))
            self.scale_box.lineEdit().setStyleSheet("")
        bias = float(self.document.session.network.params[f"{self._layer}.bias"][out_channel])
        if not np.isclose(bias, self.bias_spin.value(), rtol=0, atol=5e-4) or not self.bias_spin.hasFocus():
            self.bias_spin.blockSignals(True)
            self.bias_spin.setValue(bias)
            self.bias_spin.blockSignals(False)
        self.overview.set_weights(weights)
        self.overview.set_selected(out_channel, in_channel)
        names = picture_channel_names(self.document.session.network.spec, self._layer, weights.shape[1])
        suffix = f" of {weights.shape[1]}" + (f": {names[in_channel]}" if names else "")
        if self.in_spin.suffix() != suffix:
            self.in_spin.setSuffix(suffix)
        label = self.document.session.network.label(self._layer)
        self.overview_label.setText(overview_caption(label, *weights.shape[:2]))

    def _kernel_chosen(self) -> None:
        if self._layer is None:
            return
        self._show_kernel()
        self.kernel_changed.emit(*self.current_kernel())

    def _follow_selection(self) -> None:
        """A selected unit in this layer's output picks its filter here."""
        selection = self.document.session.selection
        if selection is not None and self._layer is not None and selection.stage == self._layer + 1:
            if selection.channel != self.out_spin.value():
                self.set_kernel(selection.channel, self.in_spin.value())

    def _show_hover(self, row: int, col: int) -> None:
        if row < 0 or self._layer is None:
            return
        out_channel, in_channel = self.current_kernel()
        weight = float(self._weights()[out_channel, in_channel, row, col])
        self._say(weight_text((out_channel, in_channel, row, col), weight, self.scale()))

    def _say(self, text: str, error: bool = False) -> None:
        self.message_label.say(text, error)

    def message(self) -> str:
        """The last status or error message shown under the editor."""
        return self.message_label.text()

    # ----- edits (each one undo step through the document)
    def _write_kernel(self, grid: np.ndarray, text: str, merge_key: object = None) -> str | None:
        out_channel, in_channel = self.current_kernel()
        if not np.isfinite(grid).all():
            error = "Kernel values must be finite numbers (not NaN or infinity)."
            self._say(error, error=True)
            return error
        weights = self._weights().copy()
        weights[out_channel, in_channel] = np.float32(self.scale()) * grid
        error = self.document.edit_params({f"{self._layer}.weight": weights}, text, merge_key)
        if error:
            self._say(f"Not changed: {error}", error=True)
        return error

    def set_cell(self, row: int, col: int, value: float) -> str | None:
        """Set grid cell (row, col) of the current kernel to ``value`` (the weight is scale x value)."""
        if self._layer is None:
            return NO_CONV_HINT
        if not np.isfinite(value):
            error = f"{value} is not allowed: a kernel value must be a finite number."
            self._say(error, error=True)
            return error
        grid = self.kernel_grid().copy()
        grid[row, col] = value
        error = self._write_kernel(grid, f"Kernel cell ({row}, {col}) = {format_value(value)}")
        if error is None:
            self._say(f"Cell ({row}, {col}) = {format_value(value)}")
        return error

    def _cell_typed(self, row: int, col: int, value: float) -> None:
        self.set_cell(row, col, value)

    def _cell_wheeled(self, row: int, col: int, steps: int) -> None:
        if self._layer is None:
            return
        shift = bool(self.grid.event_modifiers() & Qt.KeyboardModifier.ShiftModifier)
        step = 1.0 if shift else WHEEL_STEP
        grid = self.kernel_grid().copy()
        grid[row, col] = np.round(grid[row, col] + steps * step, 6)
        merge_key = ("kernel wheel", *self._key(), row, col)
        if self._write_kernel(grid, f"Scroll kernel cell ({row}, {col})", merge_key) is None:
            self._say(f"Cell ({row}, {col}) = {format_value(grid[row, col])} (scroll; Shift for steps of 1)")

    def show_factor(self, text: str) -> str | None:
        """Write the current kernel as ``factor x grid`` ("1/9" shows the box blur as on the slide).

        Only the display changes: the weights stay exactly as they are.
        """
        if self._layer is None:
            return NO_CONV_HINT
        try:
            self._factors.set(self._key(), parse_factor(text))
        except ValueError as exc:
            return str(exc)
        self._show_kernel()
        return None

    def set_scale_text(self, text: str) -> str | None:
        """Set the factor in front of the grid ("1/9", "0.5"); the grid stays, the weights rescale."""
        if self._layer is None:
            return NO_CONV_HINT
        try:
            scale = parse_factor(text)
        except ValueError as exc:
            self.scale_box.lineEdit().setStyleSheet("QLineEdit { border: 2px solid #d62f27; }")
            self._say(f"Factor not changed: {exc}", error=True)
            return str(exc)
        old = self.scale()
        if np.isclose(scale, old, rtol=1e-9, atol=0):
            self._show_kernel()
            return None
        grid = self.kernel_grid().copy()
        self._factors.set(self._key(), scale)
        error = self._write_kernel(grid, f"Kernel factor {scale_text(scale)}")
        if error is not None:
            self._factors.set(self._key(), old)
        self._show_kernel()
        if error is None:
            self._say(f"Weights are now {scale_text(scale)} x the grid.")
        return error

    def apply_preset(self, name: str) -> str | None:
        """Put kernel preset ``name`` into the current kernel (or this input of every filter)."""
        if self._layer is None:
            return NO_CONV_HINT
        out_channel, in_channel = self.current_kernel()
        weights = self._weights().copy()
        targets = range(weights.shape[0]) if self.all_outputs.isChecked() else [out_channel]
        slices = [in_channel]
        try:
            if name in CHANNEL_KERNEL_PRESETS:  # one slice per input channel, all at once
                if not reads_picture(self.document.session.network.spec, self._layer):
                    raise ValueError("colour presets are for the first conv layer, whose slices read the picture")
                scale, grids = channel_kernel_preset(name, weights.shape[1], weights.shape[2])
                weights[list(targets)] = np.float32(scale) * grids
                factors, slices = dict.fromkeys(targets, scale), range(weights.shape[1])
            else:
                factors = fill_with_preset(weights, name, in_channel, targets, out_channel, self._rng)
        except ValueError as exc:
            self._say(f"Not applied: {exc}.", error=True)
            return str(exc)
        old_factors = self._factors.snapshot()
        for target, scale in factors.items():
            for channel in slices:
                self._factors.set((self._layer, target, channel), scale)
        where = "every filter" if len(targets) > 1 else f"kernel [{out_channel}, {in_channel}]"
        where = f"kernel {out_channel}, every slice" if len(slices) > 1 and len(targets) == 1 else where
        error = self.document.edit_params({f"{self._layer}.weight": weights}, f"Kernel preset: {name} ({where})")
        if error:
            self._factors.restore(old_factors)
            self._say(f"Not applied: {error}", error=True)
            return error
        self._show_kernel()
        self._say(f"{name} in {where}" + (f" ({scale_text(scale)} x grid)." if scale != 1 else "."))
        return None

    def _preset_chosen(self, index: int) -> None:
        if index > 0:
            self.apply_preset(self.preset_box.itemText(index))
        self.preset_box.setCurrentIndex(0)

    def _bias_changed(self, value: float) -> None:
        if self._layer is None:
            return
        out_channel = self.out_spin.value()
        biases = self.document.session.network.params[f"{self._layer}.bias"].copy()
        biases[out_channel] = value
        error = self.document.edit_params(
            {f"{self._layer}.bias": biases}, f"Bias of filter {out_channel}", ("bias", self._layer, out_channel)
        )
        if error:
            self._say(f"Bias not changed: {error}", error=True)
        else:
            self._say(f"Bias of filter {out_channel} = {format_value(value)}")
