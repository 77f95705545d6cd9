"""The controls around the kernel grid: built with their ranges and tooltips, and filled in (no edits)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QComboBox, QDoubleSpinBox, QLabel, QSpinBox

from ...engine import Network
from ...kernel_presets import CHANNEL_KERNEL_PRESETS, KERNEL_PRESET_TIPS, KERNEL_PRESETS
from ...number_text import format_value, scale_text
from ..colours import diverging
from .grid_view import NumberGridView

WHEEL_STEP = 0.1  # grid units per wheel step; Shift: 1
SCALE_CHOICES = ("1", "1/9", "1/16", "1/8", "1/4", "1/2", "2")
NO_CONV_HINT = "Select a conv layer to edit its kernels"


def layer_box() -> QComboBox:
    box = QComboBox()
    box.setPlaceholderText("Choose a conv layer…")
    box.setToolTip("The conv layer whose kernels are edited here")
    # may shrink below its longest name, so that a narrow dock (a 1024x768 projector) shows the grid whole
    box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    box.setMinimumWidth(90)  # its own minimum hint is wider than a short name needs
    return box


def kernel_grid_view() -> NumberGridView:
    """The editable k x k grid of one kernel, diverging colours."""
    grid = NumberGridView(diverging(), (-1.0, 1.0), editable=True)
    grid.setToolTip(
        "The kernel grid (weights = factor x grid). Type a number and press Enter to set a cell;\n"
        f"scroll on a cell for +/-{WHEEL_STEP} (with Shift: +/-1). Arrow keys move the cell cursor."
    )
    grid.setAccessibleName("Kernel weights")
    return grid


def all_outputs_box() -> QCheckBox:
    box = QCheckBox("All outputs")
    box.setToolTip("Apply the preset to this input channel of every output channel (every filter)")
    return box


def channel_spin(prefix: str, tip: str) -> QSpinBox:
    spin = QSpinBox()
    spin.setPrefix(prefix)
    spin.setToolTip(tip)
    return spin


def factor_box() -> QComboBox:
    """The editable factor in front of the grid ("1/9"); the editor makes it large, as on a slide."""
    box = QComboBox()
    box.setEditable(True)
    box.addItems(SCALE_CHOICES)
    box.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
    box.setToolTip(
        "Factor in front of the grid, as the lecture writes the box blur (1/9 x all ones).\n"
        "The weights are factor x grid; a new factor keeps the grid and rescales the weights.\n"
        "Type e.g. 1/9 or 0.5 and press Enter."
    )
    box.setMinimumContentsLength(4)
    return box


def bias_spin() -> QDoubleSpinBox:
    spin = QDoubleSpinBox()
    spin.setRange(-1000.0, 1000.0)
    spin.setDecimals(3)
    spin.setSingleStep(0.1)
    spin.setKeyboardTracking(False)
    spin.setPrefix("Bias ")
    spin.setToolTip("Bias of this output channel: added to every value of its feature map")
    return spin


def preset_box() -> QComboBox:
    """ "Kernel presets…" then every preset, each with its tooltip."""
    box = QComboBox()
    box.addItem("Kernel presets…")
    for name in (*KERNEL_PRESETS, "Random"):
        box.addItem(name)
        box.setItemData(box.count() - 1, KERNEL_PRESET_TIPS[name], Qt.ItemDataRole.ToolTipRole)
    box.insertSeparator(box.count())
    for name, tip in CHANNEL_KERNEL_PRESETS.items():  # every slice of a kernel reading a colour picture
        box.addItem(name)
        box.setItemData(box.count() - 1, f"{tip} (all three slices at once)", Qt.ItemDataRole.ToolTipRole)
    box.setToolTip("Replace this kernel by a classic one (one undo step)")
    box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    box.setMinimumContentsLength(6)  # narrow docks elide "Kernel presets…" rather than clip the grid
    return box


def hint_label() -> QLabel:
    """What the editor shows instead of a kernel when the layer has none."""
    label = QLabel(NO_CONV_HINT)
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    label.setWordWrap(True)
    return label


def choose_layer(network: Network, convs: list[int], requested: int | None) -> tuple[int | None, str]:
    """(conv layer to show, hint to show instead when None): the one asked for, else the first conv."""
    if requested is not None and requested in convs:
        return requested, ""
    if requested is not None and requested < len(network.spec):
        return None, f"{network.label(requested).capitalize()} has no kernels.\n{NO_CONV_HINT}."
    if convs:
        return convs[0], ""
    return None, f"The pipeline has no conv layer: add one to edit kernels.\n{NO_CONV_HINT}."


def fill_layer_box(box: QComboBox, items: list[tuple[str, int]]) -> None:
    """Make ``box`` list ``items`` (text, layer index), without a signal, only when they changed."""
    current = [(box.itemText(i), box.itemData(i)) for i in range(box.count())]
    if items != current:
        box.blockSignals(True)
        box.clear()
        for text, index in items:
            box.addItem(text, index)
        box.blockSignals(False)
    box.setEnabled(bool(items))


def set_channel_count(spin: QSpinBox, count: int) -> None:
    """Channels 0 to ``count - 1`` ("of 8"), without a signal; a single channel needs no choosing."""
    spin.blockSignals(True)
    spin.setRange(0, count - 1)
    spin.setSuffix(f" of {count}")
    spin.setEnabled(count > 1)
    spin.blockSignals(False)


def overview_caption(layer_label: str, outs: int, ins: int) -> str:
    """The line above the kernel overview: how many kernels, and how they are laid out."""
    if outs * ins == 1:
        return f"The one kernel of {layer_label}"
    return (
        f"All {outs * ins} kernels of {layer_label}: {_count(outs, 'filter')} (columns) x "
        f"{_count(ins, 'input channel')} (rows); click one to edit it"
    )


def weight_text(index: tuple[int, int, int, int], weight: float, factor: float) -> str:
    """``Weight [0, 0, 1, 2] = 0.1111 = 1/9 x 1`` for weight (out, in, row, col) shown with ``factor``."""
    shown = "" if factor == 1 else f" = {scale_text(factor)} x {format_value(weight / factor)}"
    return f"Weight [{', '.join(map(str, index))}] = {weight:.4g}{shown}"


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" + ("" if number == 1 else "s")
