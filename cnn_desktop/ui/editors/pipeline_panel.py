"""The layer pipeline: the ordered layers with their output shapes, and the controls that change them.

The panel keeps a *draft* of the spec. Every change is offered to ``document.edit_spec`` (one undo
step each). When the engine refuses the draft, the panel keeps it on screen: the offending row turns
red, the engine's reason appears under the list, and the student can fix the draft (or revert it)
while the maps keep showing the last working pipeline. Undo/redo replaces a stale draft.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence

from PySide6.QtCore import QSignalBlocker, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QBrush, QColor, QDropEvent, QIcon, QKeySequence, QValidator
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QStyle,
    QToolButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...engine import SpecError
from ...engine.layers import Shape
from ...engine.spec import (
    LAYER_TYPES,
    MAX_CHANNELS,
    MAX_FEATURES,
    MAX_KERNEL,
    LayerSpec,
    build_layers,
    conv_padding,
    layer_name,
    normalise_entry,
)
from ..document import SessionDocument

LAYER_HELP: dict[str, tuple[str, str]] = {
    # type: (menu text, what it does in a student's words)
    "conv": ("Convolution", "Slides small kernels of weights over its input; each kernel makes one feature map."),
    "relu": ("ReLU", "Keeps positive values and turns negative values into 0."),
    "maxpool": ("Max pooling", "Keeps the largest value of each window: the maps shrink, strong responses survive."),
    "avgpool": ("Average pooling", "Averages each window: the maps get smaller and smoother."),
    "flatten": ("Flatten", "Lays all maps out as one long row of numbers, so that a dense layer can use them."),
    "dense": (
        "Dense (fully connected)",
        "Every output is a weighted sum of all its inputs; in the last layer each output scores one class.",
    ),
}

PARAM_HELP: dict[str, str] = {
    "out_channels": "channels: how many kernels this layer has; each kernel makes one feature map",
    "kernel": "kernel size: the width and height of the square of weights that slides over the input",
    "conv_stride": "stride: how many pixels the kernel moves between outputs (2 roughly halves the map size)",
    "padding": (
        "padding: rings of zeros added around the input, so the kernel can also sit on the border.\n"
        "'same' keeps the map size (needs stride 1); 'valid' adds no zeros (the same as 0)"
    ),
    "dilation": "dilation: gaps between the kernel's weights; 2 spreads a 3x3 kernel over 5x5 pixels",
    "size": "window: the size of the square that each output summarises",
    "pool_stride": "stride: how many pixels the window moves between outputs (equal to the window: no overlap)",
    "out_features": "outputs: how many numbers this layer computes; the last layer needs one per class",
}
PARAM_NAMES = {
    "out_channels": "channels",
    "kernel": "kernel",
    "stride": "stride",
    "padding": "padding",
    "dilation": "dilation",
    "size": "window",
    "out_features": "outputs",
}
PADDING_CHOICES: tuple[int | str, ...] = (0, 1, 2, 3, "same", "valid")
ERROR_BACKGROUND = QColor(255, 215, 215)
ERROR_TEXT = QColor(160, 0, 0)
UNKNOWN_TEXT = QColor(130, 130, 130)


def shape_text(shape: Shape | None, last_dense: bool = False) -> str:
    """``8 × 26 × 26`` for maps (C × H × W), ``400`` for a flat layer, ``10 classes`` for the final dense layer."""
    if shape is None:
        return "?"
    if len(shape) == 1:
        return f"{shape[0]} classes" if last_dense else str(shape[0])
    return " × ".join(str(v) for v in shape)


def draft_shapes(draft: Sequence[LayerSpec], input_shape: Shape) -> tuple[list[Shape | None], SpecError | None]:
    """Output shape of every draft layer (None where unknown) and the engine's error, if any.

    Layers before the offending one still get their shapes, so the list stays informative.
    """
    try:
        return list(build_layers(draft, input_shape)[2]), None
    except SpecError as exc:
        error = exc
    known: list[Shape | None] = []
    if error.layer is not None:
        try:
            known = list(build_layers(draft[: error.layer], input_shape)[2])
        except SpecError:
            known = []
    return known + [None] * (len(draft) - len(known)), error


def size_formula(entry: LayerSpec, input_shape: Shape | None) -> str:
    """Why a conv or pool layer's map has its size, e.g. ``height and width: (13 + 0 − 3) / 1 + 1 = 11``."""
    if input_shape is None or len(input_shape) != 3 or entry.get("type") not in ("conv", "maxpool", "avgpool"):
        return ""
    _, height, width = input_shape
    if entry["type"] == "conv":
        if isinstance(entry["padding"], str) and entry["padding"] not in ("same", "valid"):
            return ""
        pad = conv_padding(entry)
        span = entry["dilation"] * (entry["kernel"] - 1) + 1
        pads = (pad.top + pad.bottom, pad.left + pad.right)
        what = "kernel span" if entry["dilation"] > 1 else "kernel"
    else:
        span, pads, what = entry["size"], (0, 0), "window"
    stride = entry["stride"]
    if not isinstance(stride, int) or stride < 1:
        return ""
    pooling = entry["type"] != "conv"
    padded = "input" if pooling else "input + padding"
    lines = [f"output = ({padded} − {what}) / stride + 1"]
    same = (height, pads[0]) == (width, pads[1])
    dims = [("height and width", height, pads[0])] if same else [("height", height, pads[0]), ("width", width, pads[1])]
    for name, size, padding in dims:
        out = (size + padding - span) // stride + 1
        rounded = " (rounded down)" if (size + padding - span) % stride else ""
        verdict = "  → nothing left!" if out < 1 else ""
        inner = f"{size} − {span}" if pooling else f"{size} + {padding} − {span}"
        lines.append(f"{name}: ({inner}) / {stride} + 1 = {max(out, 0)}{rounded}{verdict}")
    return "\n".join(lines)


class _SquareSpinBox(QSpinBox):
    """A spin box for square sizes that reads like the slides: ``3x3``."""

    def textFromValue(self, value: int) -> str:  # noqa: N802 (Qt's name)
        return f"{value}x{value}"

    def valueFromText(self, text: str) -> int:  # noqa: N802 (Qt's name)
        digits = text.lower().split("x")[0].strip()
        return int(digits) if digits.isdigit() else self.value()

    def validate(self, text: str, pos: int) -> tuple[QValidator.State, str, int]:
        head = text.lower().split("x")[0].strip()
        if not head:
            return QValidator.State.Intermediate, text, pos
        if not head.isdigit():
            return QValidator.State.Invalid, text, pos
        value = int(head)
        if self.minimum() <= value <= self.maximum():
            return QValidator.State.Acceptable, text, pos
        return QValidator.State.Intermediate, text, pos


class _LayerTree(QTreeWidget):
    """The rows of the pipeline; dragging a layer row elsewhere asks the panel to move it.

    The drop never moves items itself (``layer_dropped(from, to)`` does, through the document),
    so the list always shows the draft, never a half-moved state.
    """

    layer_dropped = Signal(int, int)  # layer index dragged, index it should have afterwards

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.setDragEnabled(True)
        self.setAcceptDrops(True)
        self.setDropIndicatorShown(True)

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 (Qt's name)
        if event.source() is not self or self.currentItem() is None:
            event.ignore()
            return
        source_row = self.indexOfTopLevelItem(self.currentItem())
        pos = event.position().toPoint()
        item = self.itemAt(pos)
        if item is None:
            target_row = self.topLevelItemCount()
        else:
            row = self.indexOfTopLevelItem(item)
            target_row = row if pos.y() < self.visualItemRect(item).center().y() else row + 1
        target_row = max(target_row, 1)  # nothing goes above the input image
        destination = target_row - 1 - (1 if target_row > source_row else 0)
        event.setDropAction(Qt.DropAction.IgnoreAction)
        event.accept()
        if source_row >= 1 and destination != source_row - 1:
            # after the drag has finished, so the rows are not rebuilt under Qt's feet
            QTimer.singleShot(0, lambda: self.layer_dropped.emit(source_row - 1, destination))


class PipelinePanel(QWidget):
    """The ordered layers of ``document.session.network`` with their output shapes, editable.

    Row 0 is the input image, row ``i + 1`` layer ``i``. ``layer_selected(index)`` tells which row
    the user picked (-1: the input image); indices are those of ``document.session.network``.
    """

    layer_selected = Signal(int)

    def __init__(self, document: SessionDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self._draft: list[LayerSpec] = copy.deepcopy(document.session.network.spec)
        self._origins: list[int | None] = list(range(len(self._draft)))  # document layer of each draft layer
        self._shapes: list[Shape | None] = list(document.session.network.shapes)
        self._message = ""  # the engine's reason while the draft is refused
        self._bad_layer: int | None = None
        self._pending: list[str] = []  # texts of the refused edits the draft holds
        self._current = -1  # selected layer index, -1 the input image
        self._announced: tuple[int, LayerSpec | None] | None = None
        self._updating = False
        self._rejected_during_edit: int | None = None

        self._build_list()
        self._build_buttons()
        self._build_error_box()
        self._build_form()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.tree, 1)
        layout.addLayout(self._button_row)
        layout.addWidget(self.error_box)
        layout.addWidget(self.form_box)

        document.spec_changed.connect(self._show_document_pipeline)
        document.spec_rejected.connect(self._note_rejection)
        self._refresh()

    # ----- construction
    def _build_list(self) -> None:
        self.tree = _LayerTree(self)
        self.tree.setColumnCount(2)
        self.tree.setHeaderLabels(["Layer", "Output shape"])
        self.tree.setRootIsDecorated(False)
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setAllColumnsShowFocus(True)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        font = self.tree.font()
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.tree.setFont(font)
        self.tree.setToolTip(
            "The layers, in the order the image passes through them, with the shape of each layer's output:\n"
            "channels × height × width for maps, one number for a flat row.\n"
            "Select a layer to change its settings below; drag a layer, or press Ctrl+Up / Ctrl+Down, to move it."
        )
        self.tree.currentItemChanged.connect(self._current_row_changed)
        self.tree.layer_dropped.connect(self.move_layer_to)

    def _build_buttons(self) -> None:
        style = self.style()
        self.add_menu = QMenu("Add layer", self)
        self.add_menu.setToolTipsVisible(True)
        self.add_actions: dict[str, QAction] = {}
        for kind in LAYER_TYPES:
            text, tip = LAYER_HELP.get(kind, (kind, ""))
            action = self.add_menu.addAction(text)
            action.setToolTip(tip)
            action.setStatusTip(tip)
            action.triggered.connect(lambda _checked=False, k=kind: self.add_layer(k))
            self.add_actions[kind] = action
        self.add_button = QToolButton(self)
        self.add_button.setText("Add layer")
        fallback = style.standardIcon(QStyle.StandardPixmap.SP_FileDialogNewFolder)
        self.add_button.setIcon(QIcon.fromTheme("list-add", fallback))
        self.add_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.add_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.add_button.setMenu(self.add_menu)
        self.add_button.setToolTip("Add a layer after the selected one; pick the kind of layer from the menu (Insert)")

        def action(text: str, icon: QStyle.StandardPixmap, shortcut: QKeySequence, tip: str, slot) -> QAction:
            act = QAction(style.standardIcon(icon), text, self)
            act.setShortcut(shortcut)
            act.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)  # only while the list has the focus
            act.setToolTip(tip)
            act.setStatusTip(tip)
            act.triggered.connect(slot)
            self.tree.addAction(act)
            return act

        self.remove_action = action(
            "Remove",
            QStyle.StandardPixmap.SP_TrashIcon,
            QKeySequence(QKeySequence.StandardKey.Delete),
            "Remove the selected layer (Delete)",
            self.remove_layer,
        )
        self.up_action = action(
            "Up",
            QStyle.StandardPixmap.SP_ArrowUp,
            QKeySequence("Ctrl+Up"),
            "Move the selected layer one place earlier in the pipeline (Ctrl+Up)",
            lambda: self.move_layer(-1),
        )
        self.down_action = action(
            "Down",
            QStyle.StandardPixmap.SP_ArrowDown,
            QKeySequence("Ctrl+Down"),
            "Move the selected layer one place later in the pipeline (Ctrl+Down)",
            lambda: self.move_layer(1),
        )
        self.insert_action = action(
            "Add layer",
            QStyle.StandardPixmap.SP_FileDialogNewFolder,
            QKeySequence(Qt.Key.Key_Insert),
            "Open the Add layer menu (Insert)",
            self.add_button.showMenu,
        )
        self._button_row = QHBoxLayout()
        self._button_row.addWidget(self.add_button)
        self.tool_buttons: dict[str, QToolButton] = {}
        for name, act in (("remove", self.remove_action), ("up", self.up_action), ("down", self.down_action)):
            button = QToolButton(self)
            button.setDefaultAction(act)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
            self._button_row.addWidget(button)
            self.tool_buttons[name] = button
        self._button_row.addStretch(1)

    def _build_error_box(self) -> None:
        self.error_box = QFrame(self)
        self.error_box.setFrameShape(QFrame.Shape.StyledPanel)
        self.error_box.setStyleSheet(
            f"QFrame#pipelineError {{ background: {ERROR_BACKGROUND.name()}; border: 1px solid {ERROR_TEXT.name()};"
            " border-radius: 4px; } QLabel { color: black; background: transparent; }"
        )
        self.error_box.setObjectName("pipelineError")
        icon = QLabel(self.error_box)
        icon.setPixmap(self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxCritical).pixmap(32, 32))
        icon.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.error_label = QLabel(self.error_box)
        self.error_label.setWordWrap(True)
        self.error_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error_label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.error_label.setToolTip(
            "Why the engine cannot build this pipeline; the maps still show the last one that worked"
        )
        self.revert_button = QPushButton("Revert", self.error_box)
        self.revert_button.setIcon(self.style().standardIcon(QStyle.StandardPixmap.SP_DialogResetButton))
        self.revert_button.setToolTip("Forget the changes that do not work and show the last working pipeline again")
        self.revert_button.clicked.connect(self.revert_draft)
        row = QHBoxLayout(self.error_box)
        row.addWidget(icon)
        row.addWidget(self.error_label, 1)
        row.addWidget(self.revert_button, 0, Qt.AlignmentFlag.AlignTop)
        self.error_box.hide()

    def _build_form(self) -> None:
        self.form_box = QGroupBox("Settings", self)
        self.form_box.setToolTip("The settings of the selected layer; every change updates the maps at once")
        self.description_label = QLabel(self.form_box)
        self.description_label.setWordWrap(True)
        self.formula_label = QLabel(self.form_box)
        self.formula_label.setWordWrap(True)
        self.formula_label.setToolTip("How the output size follows from the input size and this layer's settings")
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)

        def spin(key: str, low: int, high: int, square: bool = False) -> QSpinBox:
            box = _SquareSpinBox(self.form_box) if square else QSpinBox(self.form_box)
            box.setRange(low, high)
            box.setKeyboardTracking(False)  # typing "16" applies 16, not 1 then 16
            box.setAccelerated(True)
            box.setMinimumWidth(90)
            box.setToolTip(PARAM_HELP[key])
            return box

        self.channels_spin = spin("out_channels", 1, MAX_CHANNELS)
        self.kernel_spin = spin("kernel", 1, MAX_KERNEL, square=True)
        self.conv_stride_spin = spin("conv_stride", 1, 8)
        self.padding_combo = QComboBox(self.form_box)
        self.padding_combo.setToolTip(PARAM_HELP["padding"])
        self.padding_combo.setMinimumWidth(90)
        self.dilation_spin = spin("dilation", 1, 8)
        self.size_spin = spin("size", 1, 8, square=True)
        self.pool_stride_spin = spin("pool_stride", 1, 8)
        self.features_spin = spin("out_features", 1, MAX_FEATURES)
        # (kinds the row belongs to, spec key, label, widget)
        self._fields = [
            (("conv",), "out_channels", "Channels:", self.channels_spin),
            (("conv",), "kernel", "Kernel:", self.kernel_spin),
            (("conv",), "stride", "Stride:", self.conv_stride_spin),
            (("conv",), "padding", "Padding:", self.padding_combo),
            (("conv",), "dilation", "Dilation:", self.dilation_spin),
            (("maxpool", "avgpool"), "size", "Window:", self.size_spin),
            (("maxpool", "avgpool"), "stride", "Stride:", self.pool_stride_spin),
            (("dense",), "out_features", "Outputs:", self.features_spin),
        ]
        for _kinds, key, label, widget in self._fields:
            caption = QLabel(label, self.form_box)
            caption.setToolTip(widget.toolTip())
            caption.setBuddy(widget)
            self.form.addRow(caption, widget)
            if isinstance(widget, QSpinBox):
                widget.valueChanged.connect(lambda value, k=key: self.set_parameter(k, value))
        self.padding_combo.currentIndexChanged.connect(self._padding_chosen)
        layout = QVBoxLayout(self.form_box)
        layout.addWidget(self.description_label)
        layout.addLayout(self.form)
        layout.addWidget(self.formula_label)

    # ----- public API
    def selected_layer(self) -> int:
        """Index of the selected layer, -1 for the input image."""
        return self._current

    def select_layer(self, index: int) -> None:
        """Select layer ``index`` (-1: the input image); out-of-range indices are clamped."""
        index = max(-1, min(index, len(self._draft) - 1))
        self.tree.setCurrentItem(self.tree.topLevelItem(index + 1))

    def draft(self) -> list[LayerSpec]:
        """A copy of the pipeline shown: the document's, or a refused draft being fixed."""
        return copy.deepcopy(self._draft)

    def error_message(self) -> str:
        """The engine's reason why the shown draft cannot be built; empty when it works."""
        return self._message

    def error_layer(self) -> int | None:
        """Index of the layer the engine refused, None when the pipeline works."""
        return self._bad_layer if self._message else None

    def add_layer(self, kind: str) -> str | None:
        """Insert a ``kind`` layer with default settings after the selected row; the engine's error or None."""
        entry = normalise_entry(0, {"type": kind})
        index = self._current + 1
        draft, origins = self.draft(), list(self._origins)
        draft.insert(index, entry)
        origins.insert(index, None)
        return self._commit(draft, f"Add {kind} layer", index, origins)

    def remove_layer(self) -> str | None:
        """Remove the selected layer (nothing for the input row); the engine's error or None."""
        index = self._current
        if not 0 <= index < len(self._draft):
            return None
        draft, origins = self.draft(), list(self._origins)
        removed = draft.pop(index)
        origins.pop(index)
        text = f"Remove {layer_name(index, removed)}"
        return self._commit(draft, text, min(index, len(draft) - 1), origins)

    def move_layer(self, delta: int) -> str | None:
        """Move the selected layer ``delta`` places (-1 up, 1 down)."""
        return self.move_layer_to(self._current, self._current + delta)

    def move_layer_to(self, index: int, destination: int) -> str | None:
        """Move layer ``index`` so that it becomes layer ``destination``."""
        count = len(self._draft)
        if not (0 <= index < count and 0 <= destination < count) or index == destination:
            return None
        draft, origins = self.draft(), list(self._origins)
        entry = draft.pop(index)
        draft.insert(destination, entry)
        origins.insert(destination, origins.pop(index))
        direction = "up" if destination < index else "down"
        text = f"Move {layer_name(index, entry)} {direction}"
        return self._commit(draft, text, destination, origins)

    def set_parameter(self, key: str, value: int | str) -> str | None:
        """Change one setting of the selected layer, e.g. ``("kernel", 5)``; the engine's error or None."""
        index = self._current
        if self._updating or not 0 <= index < len(self._draft) or key not in self._draft[index]:
            return None
        if self._draft[index][key] == value and type(self._draft[index][key]) is type(value):
            return None
        draft = self.draft()
        draft[index][key] = value
        shown = f"{value}x{value}" if key in ("kernel", "size") else str(value)
        text = f"Change {PARAM_NAMES.get(key, key)} of layer {index} to {shown}"
        return self._commit(draft, text, index, self._origins)

    def revert_draft(self) -> None:
        """Forget a refused draft and show the document's pipeline again."""
        self._show_document_pipeline()

    # ----- applying
    def _commit(self, draft: list[LayerSpec], text: str, select: int, origins: list[int | None]) -> str | None:
        """Offer ``draft`` to the document (one undo step); keep it on screen when it is refused.

        ``origins`` names, for each draft layer, the document layer it came from, so moved layers
        keep their trained weights.
        """
        self._current = select
        if draft == self.document.session.network.spec:
            self._show_document_pipeline()  # back to what the document has: nothing to apply
            return None
        self._draft, self._origins = draft, list(origins)
        self._pending.append(text)
        combined = "; ".join(self._pending) if len(self._pending) <= 3 else f"{self._pending[0]} … {text}"
        self._rejected_during_edit = None
        try:
            message = self.document.edit_spec(copy.deepcopy(draft), combined, self._origins)
        except MemoryError:
            message = "This pipeline needs more memory than the computer has; use fewer channels or outputs."
        if message is None:
            return None  # spec_changed has shown the new pipeline
        self._message = message
        self._shapes, error = draft_shapes(draft, self.document.session.network.input_shape)
        layer = self._rejected_during_edit
        self._bad_layer = layer if layer is not None and layer >= 0 else (error.layer if error else None)
        self._refresh()
        return message

    def _note_rejection(self, _message: str, layer: int) -> None:
        self._rejected_during_edit = layer

    def _show_document_pipeline(self) -> None:
        """The document's pipeline changed (an edit, undo, redo, a loaded network): show it, drop the draft."""
        network = self.document.session.network
        self._draft = copy.deepcopy(network.spec)
        self._origins = list(range(len(network.spec)))
        self._shapes = list(network.shapes)
        self._message, self._bad_layer, self._pending = "", None, []
        self._refresh()

    def _padding_chosen(self, row: int) -> None:
        if row >= 0:
            self.set_parameter("padding", self.padding_combo.itemData(row))

    # ----- display
    def _refresh(self) -> None:
        """Rows, error box, buttons and form from the draft; selects ``self._current`` (clamped)."""
        self._updating = True
        try:
            self._update_rows()
            self._current = max(-1, min(self._current, len(self._draft) - 1))
            self.tree.setCurrentItem(self.tree.topLevelItem(self._current + 1))
            self._update_error_box()
            self._update_form()
            self._update_actions()
        finally:
            self._updating = False
        self._announce()

    def _update_rows(self) -> None:
        tree = self.tree
        wanted = len(self._draft) + 1
        while tree.topLevelItemCount() > wanted:
            tree.takeTopLevelItem(tree.topLevelItemCount() - 1)
        while tree.topLevelItemCount() < wanted:
            tree.addTopLevelItem(QTreeWidgetItem())
        input_shape = self.document.session.network.input_shape
        first = tree.topLevelItem(0)
        first.setText(0, "input image")
        first.setText(1, shape_text(input_shape))
        first.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
        first.setToolTip(0, f"The image you draw: 1 channel of {input_shape[1]}x{input_shape[2]} pixels")
        first.setToolTip(1, first.toolTip(0))
        critical = self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxCritical)
        bold = tree.font()
        bold.setBold(True)
        first.setFont(1, bold)
        bad = self._bad_layer if self._message else None
        for index, entry in enumerate(self._draft):
            item = tree.topLevelItem(index + 1)
            item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsDragEnabled)
            shape = self._shapes[index] if index < len(self._shapes) else None
            last_dense = entry["type"] == "dense" and index == len(self._draft) - 1
            item.setText(0, layer_name(index, entry))
            tip = LAYER_HELP.get(entry["type"], ("", ""))[1]
            if index == bad:
                item.setText(1, "does not fit")
                item.setIcon(0, critical)
                tip = f"{self._message}\n\n{tip}"
            else:
                item.setText(1, shape_text(shape, last_dense))
                item.setIcon(0, QIcon())
                if shape is not None:
                    tip = f"{tip}\nOutput: {self._shape_words(shape, last_dense)}"
            colour, background = QBrush(), QBrush()
            if index == bad:
                colour, background = QBrush(ERROR_TEXT), QBrush(ERROR_BACKGROUND)
            elif shape is None:
                colour = QBrush(UNKNOWN_TEXT)
            for column in (0, 1):
                item.setForeground(column, colour)
                item.setBackground(column, background)
                item.setToolTip(column, tip)
            item.setTextAlignment(1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            item.setFont(1, bold)
        first.setTextAlignment(1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)

    @staticmethod
    def _shape_words(shape: Shape, last_dense: bool) -> str:
        if len(shape) == 1:
            return f"{shape[0]} class scores" if last_dense else f"a row of {shape[0]} numbers"
        channels, height, width = shape
        maps = "1 feature map" if channels == 1 else f"{channels} feature maps"
        return f"{maps} of {height}x{width} pixels"

    def _update_error_box(self) -> None:
        if not self._message:
            self.error_box.hide()
            self.error_label.clear()
            return
        self.error_label.setText(
            f"<b>This pipeline cannot work:</b> {_escape(self._message)}<br>"
            "The maps still show the last pipeline that worked. Change or remove the red layer, or revert."
        )
        self.error_box.show()

    def _update_actions(self) -> None:
        index, count = self._current, len(self._draft)
        self.remove_action.setEnabled(0 <= index < count)
        self.up_action.setEnabled(1 <= index < count)
        self.down_action.setEnabled(0 <= index < count - 1)

    def _input_shape_of(self, index: int) -> Shape | None:
        if index == 0:
            return self.document.session.network.input_shape
        return self._shapes[index - 1] if 0 < index <= len(self._shapes) else None

    def _update_form(self) -> None:
        index = self._current
        if not 0 <= index < len(self._draft):
            _, height, width = self.document.session.network.input_shape
            self.form_box.setTitle("Settings of the input image")
            self.description_label.setText(
                f"The image you draw: 1 channel of {height}x{width} pixels. Change its size in the image editor."
            )
            for row in range(self.form.rowCount()):
                self.form.setRowVisible(row, False)
            self.formula_label.hide()
            return
        entry = self._draft[index]
        kind = entry["type"]
        self.form_box.setTitle(f"Settings of {layer_name(index, entry)}")
        description = LAYER_HELP.get(kind, ("", ""))[1]
        if kind in ("relu", "flatten"):
            description += " Nothing to set."
        self.description_label.setText(description)
        for row, (kinds, key, _label, widget) in enumerate(self._fields):
            visible = kind in kinds
            self.form.setRowVisible(row, visible)
            if not visible:
                continue
            with QSignalBlocker(widget):
                if isinstance(widget, QSpinBox):
                    widget.setValue(int(entry[key]))
                else:
                    self._fill_padding(entry[key])
        formula = size_formula(entry, self._input_shape_of(index))
        if kind == "flatten" and self._input_shape_of(index) is not None:
            shape = self._input_shape_of(index)
            total = 1
            for v in shape:
                total *= v
            formula = f"{' × '.join(map(str, shape))} = {total:,} numbers in one row" if len(shape) == 3 else ""
        elif kind == "dense" and self._input_shape_of(index) is not None and len(self._input_shape_of(index)) == 1:
            inputs = self._input_shape_of(index)[0]
            outputs = entry["out_features"]
            formula = f"{outputs} outputs × {inputs} inputs = {outputs * inputs:,} weights, plus {outputs:,} biases"
        self.formula_label.setText(formula)
        self.formula_label.setVisible(bool(formula))

    def _fill_padding(self, value: int | str) -> None:
        choices = list(PADDING_CHOICES)
        if value not in choices:  # e.g. padding 5 from a loaded network: offer it too, in order
            numbers = sorted(c for c in [*choices, value] if isinstance(c, int))
            choices = [*numbers, *(c for c in [*choices, value] if isinstance(c, str))]
        combo = self.padding_combo
        if [combo.itemData(i) for i in range(combo.count())] != choices:
            combo.clear()
            for choice in choices:
                combo.addItem(str(choice), choice)
        combo.setCurrentIndex(choices.index(value))

    def _current_row_changed(self, current: QTreeWidgetItem | None, _previous: QTreeWidgetItem | None) -> None:
        if self._updating or current is None:
            return
        self._current = self.tree.indexOfTopLevelItem(current) - 1
        self._updating = True
        try:
            self._update_form()
            self._update_actions()
        finally:
            self._updating = False
        self._announce()

    def _announce(self) -> None:
        """Emit ``layer_selected`` for a newly selected row that exists in the document's network."""
        index = self._current
        spec = self.document.session.network.spec
        if index >= 0 and not (index < len(spec) and spec[index] == self._draft[index]):
            return  # a layer of a refused draft: the document has no such layer (yet)
        announced = (index, copy.deepcopy(spec[index]) if index >= 0 else None)
        if announced != self._announced:  # a new row, or another layer now at the same row
            self._announced = announced
            self.layer_selected.emit(index)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
