"""The pieces of the pipeline editor: the layer list, the settings form and the error box."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QSignalBlocker, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QDropEvent, QIcon, QValidator
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QStyle,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...engine.layers import Shape
from ...engine.spec import MAX_CHANNELS, MAX_FEATURES, MAX_KERNEL, LayerSpec, layer_name
from ...state.pipeline_draft import PipelineDraft
from .pipeline_text import (
    LAYER_HELP,
    PADDING_CHOICES,
    PARAM_HELP,
    input_description,
    settings_formula,
    shape_text,
    shape_words,
)

ERROR_BACKGROUND = QColor(255, 215, 215)
ERROR_TEXT = QColor(160, 0, 0)
UNKNOWN_TEXT = QColor(130, 130, 130)
SHOWN_ROWS_MAX = 16  # the list asks room for this many rows at most; longer pipelines scroll


class SquareSpinBox(QSpinBox):
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


class LayerTree(QTreeWidget):
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

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        """Tall enough for every row (up to ``SHOWN_ROWS_MAX``): a panel squeezed by the settings or an
        error must not hide the layer they are about."""
        rows = min(max(self.topLevelItemCount(), 3), SHOWN_ROWS_MAX)
        row = self.sizeHintForRow(0) if self.topLevelItemCount() else self.fontMetrics().height() + 6
        height = rows * row + self.header().sizeHint().height() + 2 * self.frameWidth() + 2
        if self.horizontalScrollBarPolicy() != Qt.ScrollBarPolicy.ScrollBarAlwaysOff:
            height += self.horizontalScrollBar().sizeHint().height()
        return QSize(super().minimumSizeHint().width(), height)

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        return QSize(super().sizeHint().width(), self.minimumSizeHint().height())

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

    def show_pipeline(self, pipeline: PipelineDraft, input_shape: Shape) -> None:
        """One row for the input image, one per draft layer with its output shape; the refused layer in red."""
        tree = self
        draft = pipeline.spec
        wanted = len(draft) + 1
        while tree.topLevelItemCount() > wanted:
            tree.takeTopLevelItem(tree.topLevelItemCount() - 1)
        while tree.topLevelItemCount() < wanted:
            tree.addTopLevelItem(QTreeWidgetItem())
        first = tree.topLevelItem(0)
        first.setText(0, "input image")
        first.setText(1, shape_text(input_shape))
        first.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
        first.setToolTip(0, input_description(input_shape))
        first.setToolTip(1, first.toolTip(0))
        critical = self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxCritical)
        bold = tree.font()
        bold.setBold(True)
        first.setFont(1, bold)
        refusal, shapes = pipeline.refusal, pipeline.shapes
        message, bad = ("", None) if refusal is None else (refusal.message, refusal.layer)
        for index, entry in enumerate(draft):
            item = tree.topLevelItem(index + 1)
            item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsDragEnabled)
            shape = shapes[index] if index < len(shapes) else None
            last_dense = entry["type"] == "dense" and index == len(draft) - 1
            item.setText(0, layer_name(index, entry))
            tip = LAYER_HELP.get(entry["type"], ("", ""))[1]
            if index == bad:
                item.setText(1, "does not fit")
                item.setIcon(0, critical)
                tip = f"{message}\n\n{tip}"
            else:
                item.setText(1, shape_text(shape, last_dense))
                item.setIcon(0, QIcon())
                if shape is not None:
                    tip = f"{tip}\nOutput: {shape_words(shape, last_dense)}"
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
        self.updateGeometry()  # the row count sets the minimum height


class LayerSettingsForm(QGroupBox):
    """The settings of the selected layer (or a word about the input image), with their arithmetic.

    Draws what it is given and says ``setting_changed(key, value)`` when the student changes a setting.
    """

    setting_changed = Signal(str, object)  # spec key, new value

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Settings", parent)
        self.setToolTip("The settings of the selected layer; every change updates the maps at once")
        self.description_label = QLabel(self)
        self.description_label.setWordWrap(True)
        self.formula_label = QLabel(self)
        self.formula_label.setWordWrap(True)
        self.formula_label.setToolTip("How the output size follows from the input size and this layer's settings")
        self._wrapped = (WrappedHeight(self.description_label), WrappedHeight(self.formula_label))
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)

        def spin(key: str, low: int, high: int, square: bool = False) -> QSpinBox:
            box = SquareSpinBox(self) if square else QSpinBox(self)
            box.setRange(low, high)
            box.setKeyboardTracking(False)  # typing "16" applies 16, not 1 then 16
            box.setAccelerated(True)
            box.setMinimumWidth(90)
            box.setToolTip(PARAM_HELP[key])
            return box

        self.channels_spin = spin("out_channels", 1, MAX_CHANNELS)
        self.kernel_spin = spin("kernel", 1, MAX_KERNEL, square=True)
        self.conv_stride_spin = spin("conv_stride", 1, 8)
        self.padding_combo = QComboBox(self)
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
            caption = QLabel(label, self)
            caption.setToolTip(widget.toolTip())
            caption.setBuddy(widget)
            self.form.addRow(caption, widget)
            if isinstance(widget, QSpinBox):
                widget.valueChanged.connect(lambda value, k=key: self.setting_changed.emit(k, value))
        self.padding_combo.currentIndexChanged.connect(self._padding_chosen)
        layout = QVBoxLayout(self)
        layout.addWidget(self.description_label)
        layout.addLayout(self.form)
        layout.addWidget(self.formula_label)

    def show_input(self, input_shape: Shape) -> None:
        """The input image (d, H, W) is selected: nothing to set here."""
        self.setTitle("Settings of the input image")
        self.description_label.setText(
            f"{input_description(input_shape)}. Change its size and its channels (Input) in the image editor."
        )
        for row in range(self.form.rowCount()):
            self.form.setRowVisible(row, False)
        self.formula_label.hide()
        self._fit_texts()

    def _fit_texts(self) -> None:
        for wrapped in self._wrapped:
            wrapped.fit()

    def show_layer(self, index: int, entry: LayerSpec, input_shape: Shape | None) -> None:
        """Layer ``index`` (``entry``) is selected; ``input_shape`` is what it receives, None if unknown."""
        kind = entry["type"]
        self.setTitle(f"Settings of {layer_name(index, entry)}")
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
        formula = settings_formula(entry, input_shape)
        self.formula_label.setText(formula)
        self.formula_label.setVisible(bool(formula))
        self._fit_texts()

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

    def _padding_chosen(self, row: int) -> None:
        if row >= 0:
            self.setting_changed.emit("padding", self.padding_combo.itemData(row))


class WrappedHeight(QObject):
    """Keeps a word-wrapped label at least as tall as its text at its width.

    The dock's scroll area sizes the panel by minimum heights, and a wrapped label's minimum is one
    line: without this the layout squeezes the layer list to make room for the wrapped lines.
    """

    def __init__(self, label: QLabel) -> None:
        super().__init__(label)
        self._label = label
        label.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if event.type() in (QEvent.Type.Resize, QEvent.Type.Show, QEvent.Type.FontChange):
            self.fit()
        return False

    def fit(self) -> None:
        """Call after a new text: QLabel tells nobody that its wrapped height changed."""
        label = self._label
        height = label.heightForWidth(label.width()) if label.text() else 0
        if height != label.minimumHeight():
            label.setMinimumHeight(max(height, 0))


class PipelineErrorBox(QFrame):
    """The red box under the list: why the draft cannot work, and a button to revert it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setStyleSheet(
            f"QFrame#pipelineError {{ background: {ERROR_BACKGROUND.name()}; border: 1px solid {ERROR_TEXT.name()};"
            " border-radius: 4px; } QLabel { color: black; background: transparent; }"
        )
        self.setObjectName("pipelineError")
        icon = QLabel(self)
        icon.setPixmap(self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxCritical).pixmap(32, 32))
        icon.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.error_label = QLabel(self)
        self.error_label.setWordWrap(True)
        self.error_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error_label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self._wrapped = WrappedHeight(self.error_label)
        self.error_label.setToolTip(
            "Why the engine cannot build this pipeline; the maps still show the last one that worked"
        )
        self.revert_button = QPushButton("Revert", self)
        self.revert_button.setIcon(self.style().standardIcon(QStyle.StandardPixmap.SP_DialogResetButton))
        self.revert_button.setToolTip("Forget the changes that do not work and show the last working pipeline again")
        row = QHBoxLayout(self)
        row.addWidget(icon)
        row.addWidget(self.error_label, 1)
        row.addWidget(self.revert_button, 0, Qt.AlignmentFlag.AlignTop)
        self.hide()

    def show_message(self, message: str) -> None:
        """Show why the draft is refused; an empty message hides the box."""
        if not message:
            self.hide()
            self.error_label.clear()
            return
        self.error_label.setText(
            f"<b>This pipeline cannot work:</b> {_escape(message)}<br>"
            "The maps still show the last pipeline that worked. Change or remove the red layer, or revert."
        )
        self.show()
        self._wrapped.fit()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
