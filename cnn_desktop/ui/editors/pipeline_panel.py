"""The layer pipeline: the ordered layers with their output shapes, and the controls that change them.

The pipeline shown is a :class:`~cnn_desktop.state.pipeline_draft.PipelineDraft`. Every change is
offered to ``document.edit_spec`` (one undo step each). When the engine refuses the draft, it stays
on screen: the offending row turns red, the engine's reason appears under the list, and the student
can fix the draft (or revert it) while the maps keep showing the last working pipeline. Undo/redo
replaces a stale draft. This panel only draws the draft and forwards the student's gestures.
"""

from __future__ import annotations

import copy
from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QIcon, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QMenu,
    QScrollArea,
    QStyle,
    QToolButton,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ...engine.layers import Shape
from ...engine.spec import LAYER_TYPES, LayerSpec
from ...state.pipeline_draft import PipelineDraft, SpecRefusal
from ..document import SessionDocument
from ..fonts import keep_font
from .pipeline_text import LAYER_HELP
from .pipeline_widgets import LayerSettingsForm, LayerTree, PipelineErrorBox


class PipelinePanel(QWidget):
    """The ordered layers of ``document.session.network`` with their output shapes, editable.

    Row 0 is the input image, row ``i + 1`` layer ``i``. ``layer_selected(index)`` tells which row
    the user picked (-1: the input image); indices are those of ``document.session.network``.
    """

    layer_selected = Signal(int)

    def __init__(self, document: SessionDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.pipeline_draft = PipelineDraft(document.session.network, document.edit_spec)
        self._current = -1  # selected layer index, -1 the input image
        self._announced: tuple[int, LayerSpec | None] | None = None
        self._updating = False

        self._build_list()
        self._build_buttons()
        self.error_box = PipelineErrorBox(self)
        self.error_label = self.error_box.error_label
        self.revert_button = self.error_box.revert_button
        self.revert_button.clicked.connect(self.revert_draft)
        self.form_box = LayerSettingsForm(self)
        self.form_box.setting_changed.connect(self.set_parameter)
        for name in ("channels", "kernel", "conv_stride", "dilation", "size", "pool_stride", "features"):
            setattr(self, f"{name}_spin", getattr(self.form_box, f"{name}_spin"))
        self.padding_combo = self.form_box.padding_combo
        self.formula_label = self.form_box.formula_label
        self.description_label = self.form_box.description_label
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.tree, 1)
        layout.addLayout(self._button_row)
        layout.addWidget(self.error_box)
        layout.addWidget(self.form_box)

        document.spec_changed.connect(self._show_document_pipeline)
        document.weights_unlocked.connect(self._forget_refusal)
        self._refresh()

    # ----- construction
    def _build_list(self) -> None:
        self.tree = LayerTree(self)
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
        keep_font(self.tree, relative=1.15)
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

    # ----- public API
    def selected_layer(self) -> int:
        """Index of the selected layer, -1 for the input image."""
        return self._current

    def select_layer(self, index: int) -> None:
        """Select layer ``index`` (-1: the input image); out-of-range indices are clamped."""
        index = max(-1, min(index, len(self.pipeline_draft.spec) - 1))
        self.tree.setCurrentItem(self.tree.topLevelItem(index + 1))

    def draft(self) -> list[LayerSpec]:
        """A copy of the pipeline shown: the document's, or a refused draft being fixed."""
        return copy.deepcopy(self.pipeline_draft.spec)

    def error_message(self) -> str:
        """The engine's reason why the shown draft cannot be built; empty when it works."""
        refusal = self.pipeline_draft.refusal
        return "" if refusal is None else refusal.message

    def error_layer(self) -> int | None:
        """Index of the layer the engine refused, None when the pipeline works."""
        refusal = self.pipeline_draft.refusal
        return None if refusal is None else refusal.layer

    def add_layer(self, kind: str) -> str | None:
        """Insert a ``kind`` layer with default settings after the selected row; the engine's error or None."""
        index = self._current + 1
        return self._edit(index, lambda: self.pipeline_draft.add(index, kind))

    def remove_layer(self) -> str | None:
        """Remove the selected layer (nothing for the input row); the engine's error or None."""
        index = self._current
        if not 0 <= index < len(self.pipeline_draft.spec):
            return None
        return self._edit(min(index, len(self.pipeline_draft.spec) - 2), lambda: self.pipeline_draft.remove(index))

    def move_layer(self, delta: int) -> str | None:
        """Move the selected layer ``delta`` places (-1 up, 1 down)."""
        return self.move_layer_to(self._current, self._current + delta)

    def move_layer_to(self, index: int, destination: int) -> str | None:
        """Move layer ``index`` so that it becomes layer ``destination``."""
        count = len(self.pipeline_draft.spec)
        if not (0 <= index < count and 0 <= destination < count) or index == destination:
            return None
        return self._edit(destination, lambda: self.pipeline_draft.move(index, destination))

    def set_parameter(self, key: str, value: int | str) -> str | None:
        """Change one setting of the selected layer, e.g. ``("kernel", 5)``; the engine's error or None."""
        if self._updating:
            return None
        index = self._current
        return self._edit(index, lambda: self.pipeline_draft.set_setting(index, key, value))

    def _forget_refusal(self, reason: str) -> None:
        """Training ended: a draft refused only because it ran is dropped, with its red box."""
        if self.error_message() == reason:
            self.revert_draft()

    def revert_draft(self) -> None:
        """Forget a refused draft and show the document's pipeline again."""
        self._show_document_pipeline()

    # ----- outcomes
    def _edit(self, select: int, edit: Callable[[], SpecRefusal | None]) -> str | None:
        """Apply ``edit`` to the draft with row ``select`` to be selected afterwards; the refusal's reason or None.

        An adopted draft is drawn by ``spec_changed``; a refused one, or one back at the document's
        pipeline (which the document never hears of), is drawn here.
        """
        self._current = select
        refusal = edit()
        if refusal is not None or self.pipeline_draft.refusal is None:
            self._refresh()
        return None if refusal is None else refusal.message

    def _show_document_pipeline(self) -> None:
        """The document's pipeline changed (an edit, undo, redo, a loaded network): show it, drop the draft."""
        self.pipeline_draft.show_network(self.document.session.network)
        self._refresh()

    # ----- display
    def _refresh(self) -> None:
        """Rows, error box, buttons and form from the draft; selects ``self._current`` (clamped)."""
        self._updating = True
        try:
            self.tree.show_pipeline(self.pipeline_draft, self.document.session.network.input_shape)
            self._current = max(-1, min(self._current, len(self.pipeline_draft.spec) - 1))
            self.tree.setCurrentItem(self.tree.topLevelItem(self._current + 1))
            self.error_box.show_message(self.error_message())
            self._update_form()
            self._update_actions()
        finally:
            self._updating = False
        bad = self.error_layer()
        if bad is not None:
            QTimer.singleShot(0, lambda: self.reveal_row(bad + 1))  # once the error box has its height
        self._announce()

    def reveal_row(self, row: int) -> None:
        """Scroll ``row`` into view, in the list and in the scroll area the panel may sit in."""
        item = self.tree.topLevelItem(row)
        if item is None:
            return
        self.tree.scrollToItem(item)
        area = self.parentWidget()
        while area is not None and not isinstance(area, QScrollArea):
            area = area.parentWidget()
        if area is not None and area.widget() is not None:
            rect = self.tree.visualItemRect(item)
            centre = self.tree.viewport().mapTo(area.widget(), rect.center())
            area.ensureVisible(centre.x(), centre.y(), 0, rect.height())

    def _update_actions(self) -> None:
        index, count = self._current, len(self.pipeline_draft.spec)
        self.remove_action.setEnabled(0 <= index < count)
        self.up_action.setEnabled(1 <= index < count)
        self.down_action.setEnabled(0 <= index < count - 1)

    def _input_shape_of(self, index: int) -> Shape | None:
        if index == 0:
            return self.document.session.network.input_shape
        shapes = self.pipeline_draft.shapes
        return shapes[index - 1] if 0 < index <= len(shapes) else None

    def _update_form(self) -> None:
        index = self._current
        if not 0 <= index < len(self.pipeline_draft.spec):
            self.form_box.show_input(self.document.session.network.input_shape)
        else:
            self.form_box.show_layer(index, self.pipeline_draft.spec[index], self._input_shape_of(index))

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
        if index >= 0 and not self.pipeline_draft.in_document(index):
            return  # a layer of a refused draft: the document has no such layer (yet)
        announced = (index, copy.deepcopy(spec[index]) if index >= 0 else None)
        if announced != self._announced:  # a new row, or another layer now at the same row
            self._announced = announced
            self.layer_selected.emit(index)
