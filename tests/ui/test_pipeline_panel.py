"""The layer pipeline panel, driven through its real buttons, menu, keys and spin boxes."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QMimeData, QPoint, Qt, QTimer
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QAbstractButton, QApplication, QComboBox, QSpinBox

from cnn_desktop.ui.editors.pipeline_panel import PipelinePanel
from cnn_desktop.ui.editors.pipeline_widgets import ERROR_BACKGROUND

from .conftest import wait_for_result


@pytest.fixture
def panel(qtbot, document):
    widget = PipelinePanel(document)
    qtbot.addWidget(widget)
    widget.resize(420, 700)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def rows(panel):
    """(name, output shape) of every row, as the student reads them."""
    tree = panel.tree
    return [(tree.topLevelItem(r).text(0), tree.topLevelItem(r).text(1)) for r in range(tree.topLevelItemCount())]


def kinds(document):
    return [entry["type"] for entry in document.session.network.spec]


def click_row(qtbot, panel, row):
    rect = panel.tree.visualItemRect(panel.tree.topLevelItem(row))
    qtbot.mouseClick(panel.tree.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def type_value(qtbot, spin: QSpinBox, text: str):
    spin.setFocus()
    spin.selectAll()
    qtbot.keyClicks(spin, text)
    qtbot.keyClick(spin, Qt.Key.Key_Return)


def choose_from_add_menu(qtbot, panel, kind):
    """Open the Add layer menu with a click and click the menu entry for ``kind``."""
    action = panel.add_actions[kind]

    def click_entry():
        menu = QApplication.activePopupWidget()
        assert menu is panel.add_menu
        qtbot.mouseClick(menu, Qt.MouseButton.LeftButton, pos=menu.actionGeometry(action).center())

    QTimer.singleShot(50, click_entry)
    qtbot.mouseClick(panel.add_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not panel.add_menu.isVisible())


DEFAULT_ROWS = [
    ("input image", "1 × 28 × 28"),
    ("layer 0 (conv 3x3)", "8 × 26 × 26"),
    ("layer 1 (relu)", "8 × 26 × 26"),
    ("layer 2 (maxpool 2x2)", "8 × 13 × 13"),
    ("layer 3 (conv 3x3)", "16 × 11 × 11"),
    ("layer 4 (relu)", "16 × 11 × 11"),
    ("layer 5 (maxpool 2x2)", "16 × 5 × 5"),
    ("layer 6 (flatten)", "400"),
    ("layer 7 (dense 10)", "10 classes"),
]


def test_rows_show_every_layer_and_its_output_shape(panel):
    assert rows(panel) == DEFAULT_ROWS
    assert not panel.error_box.isVisible()


def test_add_a_layer_from_the_menu_after_the_selected_row(qtbot, panel, document):
    click_row(qtbot, panel, 2)  # layer 1 (relu)
    choose_from_add_menu(qtbot, panel, "maxpool")

    assert kinds(document) == ["conv", "relu", "maxpool", "maxpool", "conv", "relu", "maxpool", "flatten", "dense"]
    assert rows(panel)[3:] == [
        ("layer 2 (maxpool 2x2)", "8 × 13 × 13"),
        ("layer 3 (maxpool 2x2)", "8 × 6 × 6"),
        ("layer 4 (conv 3x3)", "16 × 4 × 4"),
        ("layer 5 (relu)", "16 × 4 × 4"),
        ("layer 6 (maxpool 2x2)", "16 × 2 × 2"),
        ("layer 7 (flatten)", "64"),
        ("layer 8 (dense 10)", "10 classes"),
    ]
    assert panel.selected_layer() == 2  # the new layer, ready to be set up
    assert panel.size_spin.isVisible() and panel.size_spin.text() == "2x2"
    assert document.undo_stack.text(document.undo_stack.index() - 1) == "Add maxpool layer"
    result = wait_for_result(qtbot, document)
    assert result.stages[3].shape == (8, 13, 13)


def test_move_up_and_down_with_buttons_and_keys_and_delete_removes(qtbot, panel, document):
    click_row(qtbot, panel, 3)  # layer 2 (maxpool)
    qtbot.mouseClick(panel.tool_buttons["up"], Qt.MouseButton.LeftButton)
    assert kinds(document)[:3] == ["conv", "maxpool", "relu"]
    assert rows(panel)[2:4] == [("layer 1 (maxpool 2x2)", "8 × 13 × 13"), ("layer 2 (relu)", "8 × 13 × 13")]
    assert panel.selected_layer() == 1  # the selection follows the moved layer
    assert document.undo_stack.text(document.undo_stack.index() - 1) == "Move layer 2 (maxpool 2x2) up"

    panel.tree.setFocus()
    qtbot.keyClick(panel.tree, Qt.Key.Key_Down, Qt.KeyboardModifier.ControlModifier)
    assert kinds(document)[:3] == ["conv", "relu", "maxpool"]
    assert rows(panel) == DEFAULT_ROWS
    assert panel.selected_layer() == 2

    qtbot.keyClick(panel.tree, Qt.Key.Key_Delete)
    assert kinds(document) == ["conv", "relu", "conv", "relu", "maxpool", "flatten", "dense"]
    assert rows(panel)[3:6] == [
        ("layer 2 (conv 3x3)", "16 × 24 × 24"),
        ("layer 3 (relu)", "16 × 24 × 24"),
        ("layer 4 (maxpool 2x2)", "16 × 12 × 12"),
    ]
    assert rows(panel)[-1] == ("layer 6 (dense 10)", "10 classes")


def test_the_input_row_cannot_be_removed_or_moved(qtbot, panel, document):
    click_row(qtbot, panel, 0)
    assert panel.selected_layer() == -1
    assert not any(panel.tool_buttons[name].isEnabled() for name in ("remove", "up", "down"))
    qtbot.keyClick(panel.tree, Qt.Key.Key_Delete)
    assert document.undo_stack.count() == 0
    click_row(qtbot, panel, 8)  # the last layer cannot go further down
    assert panel.tool_buttons["up"].isEnabled() and not panel.tool_buttons["down"].isEnabled()


def test_changing_the_kernel_in_the_spin_box_updates_the_network_and_the_shapes(qtbot, panel, document):
    click_row(qtbot, panel, 4)  # layer 3 (conv 3x3)
    assert panel.kernel_spin.text() == "3x3"
    type_value(qtbot, panel.kernel_spin, "5")

    assert document.session.network.spec[3]["kernel"] == 5
    assert document.session.network.params["3.weight"].shape == (16, 8, 5, 5)
    assert rows(panel)[4:] == [
        ("layer 3 (conv 5x5)", "16 × 9 × 9"),
        ("layer 4 (relu)", "16 × 9 × 9"),
        ("layer 5 (maxpool 2x2)", "16 × 4 × 4"),
        ("layer 6 (flatten)", "256"),
        ("layer 7 (dense 10)", "10 classes"),
    ]
    assert panel.kernel_spin.text() == "5x5"
    assert "height and width: (13 + 0 − 5) / 1 + 1 = 9" in panel.formula_label.text()  # why 9 x 9
    assert document.undo_stack.text(document.undo_stack.index() - 1) == "Change kernel of layer 3 to 5x5"

    qtbot.keyClick(panel.channels_spin, Qt.Key.Key_Up)  # one arrow step: one more channel
    assert document.session.network.spec[3]["out_channels"] == 17
    assert rows(panel)[4] == ("layer 3 (conv 5x5)", "17 × 9 × 9")


def test_an_impossible_pipeline_is_shown_in_red_and_can_be_fixed(qtbot, panel, document):
    click_row(qtbot, panel, 6)  # layer 5 (maxpool), output 16 x 5 x 5
    choose_from_add_menu(qtbot, panel, "conv")  # conv 3x3 still fits: 5 x 5 -> 3 x 3
    wait_for_result(qtbot, document)
    version, steps = document.session.version, document.undo_stack.count()
    rejected = []
    document.spec_rejected.connect(lambda message, layer: rejected.append((message, layer)))

    type_value(qtbot, panel.kernel_spin, "7")

    message = "layer 6 (conv 7x7): input is only 5x5 after layer 5 (maxpool 2x2), smaller than the 7x7 kernel"
    assert rejected == [(message, 6)]
    assert panel.error_box.isVisible()
    assert message in panel.error_label.text()
    assert panel.error_layer() == 6
    bad = panel.tree.topLevelItem(7)
    assert bad.text(0) == "layer 6 (conv 7x7)" and bad.text(1) == "does not fit"
    assert bad.background(1).color() == ERROR_BACKGROUND and not bad.icon(0).isNull()
    assert [text for _, text in rows(panel)[8:]] == ["?", "?"]  # after the bad layer nothing is known
    assert rows(panel)[6] == ("layer 5 (maxpool 2x2)", "16 × 5 × 5")  # before it, everything still is
    # the document (and so the maps) did not change; the draft is kept for fixing
    assert document.session.network.spec[6]["kernel"] == 3
    assert (document.session.version, document.undo_stack.count()) == (version, steps)
    assert panel.kernel_spin.text() == "7x7" and panel.draft()[6]["kernel"] == 7
    assert "→ nothing left!" in panel.formula_label.text()

    type_value(qtbot, panel.kernel_spin, "5")  # 5 x 5 fits the 5 x 5 input: applied

    assert not panel.error_box.isVisible() and panel.error_message() == ""
    assert document.session.network.spec[6]["kernel"] == 5
    assert rows(panel)[7:] == [
        ("layer 6 (conv 5x5)", "8 × 1 × 1"),
        ("layer 7 (flatten)", "8"),
        ("layer 8 (dense 10)", "10 classes"),
    ]
    assert document.undo_stack.count() == steps + 1  # the fix and the refused step are one undo step
    result = wait_for_result(qtbot, document)
    assert result.stages[7].shape == (8, 1, 1)


def test_a_too_large_pool_marks_the_layer_that_breaks_and_revert_restores(qtbot, panel, document):
    click_row(qtbot, panel, 3)  # layer 2 (maxpool 2x2)
    type_value(qtbot, panel.size_spin, "8")  # 26 -> 8x8 windows with stride 2 -> 10x10 ... still fits
    assert panel.error_message() == ""
    type_value(qtbot, panel.pool_stride_spin, "8")  # 26 -> 3x3, conv 3x3 -> 1x1, then maxpool 2x2 cannot fit
    assert panel.error_layer() == 5
    assert "layer 5 (maxpool 2x2): input is only 1x1 after layer 4 (relu)" in panel.error_label.text()
    assert rows(panel)[3] == ("layer 2 (maxpool 8x8)", "8 × 3 × 3")
    assert document.session.network.spec[2]["stride"] == 2

    qtbot.mouseClick(panel.revert_button, Qt.MouseButton.LeftButton)
    assert not panel.error_box.isVisible()
    assert panel.draft() == document.session.network.spec
    assert panel.pool_stride_spin.value() == 2


def test_padding_same_needs_stride_1_and_applies_once_stride_is_back(qtbot, panel, document):
    click_row(qtbot, panel, 1)  # layer 0 (conv)
    type_value(qtbot, panel.conv_stride_spin, "2")
    assert rows(panel)[1] == ("layer 0 (conv 3x3)", "8 × 13 × 13")
    panel.padding_combo.setFocus()
    qtbot.keyClicks(panel.padding_combo, "same")
    assert panel.padding_combo.currentText() == "same"
    assert "padding 'same' needs stride 1" in panel.error_message()
    assert panel.error_layer() == 0
    type_value(qtbot, panel.conv_stride_spin, "1")
    assert panel.error_message() == ""
    assert document.session.network.spec[0]["padding"] == "same"
    assert rows(panel)[1] == ("layer 0 (conv 3x3)", "8 × 28 × 28")


def test_undo_and_redo_refresh_the_panel_and_drop_a_stale_draft(qtbot, panel, document):
    click_row(qtbot, panel, 4)
    type_value(qtbot, panel.kernel_spin, "5")
    assert rows(panel)[4] == ("layer 3 (conv 5x5)", "16 × 9 × 9")
    type_value(qtbot, panel.kernel_spin, "7")
    type_value(qtbot, panel.kernel_spin, "6")
    click_row(qtbot, panel, 8)
    choose_from_add_menu(qtbot, panel, "conv")  # a conv after a flat vector: refused
    assert panel.error_layer() == 8 and len(rows(panel)) == 10

    document.undo_stack.undo()  # kernel 6 -> 7: the refused draft is stale and goes away
    assert panel.error_message() == "" and not panel.error_box.isVisible()
    assert len(rows(panel)) == 9
    assert rows(panel)[4] == ("layer 3 (conv 7x7)", "16 × 7 × 7")
    document.undo_stack.undo()
    document.undo_stack.undo()
    assert rows(panel) == DEFAULT_ROWS
    click_row(qtbot, panel, 4)
    assert panel.kernel_spin.text() == "3x3"
    document.undo_stack.redo()
    assert rows(panel)[4] == ("layer 3 (conv 5x5)", "16 × 9 × 9")
    assert panel.kernel_spin.text() == "5x5"  # the form follows too
    assert document.undo_stack.text(document.undo_stack.index() - 1) == "Change kernel of layer 3 to 5x5"


def test_trained_weights_of_untouched_layers_survive_an_edit_elsewhere(qtbot, panel, document):
    rng = np.random.default_rng(1)
    params = document.session.network.params
    trained = {name: rng.normal(size=params[name].shape).astype(np.float32) for name in params}
    assert document.edit_params(trained, "Train") is None

    click_row(qtbot, panel, 4)  # layer 3 (conv): padding 0 -> 1 changes the maps, not the kernels
    panel.padding_combo.setFocus()
    qtbot.keyClick(panel.padding_combo, Qt.Key.Key_Down)
    network = document.session.network
    assert network.spec[3]["padding"] == 1
    for name in ("0.weight", "0.bias", "3.weight", "3.bias"):
        np.testing.assert_array_equal(network.params[name], trained[name])
    assert network.params["7.weight"].shape == (10, 576)  # the dense layer now has other inputs: new weights
    dense = network.params["7.weight"].copy()

    click_row(qtbot, panel, 8)
    choose_from_add_menu(qtbot, panel, "relu")  # after the last layer: every earlier layer keeps its weights
    network = document.session.network
    assert rows(panel)[-2:] == [("layer 7 (dense 10)", "10"), ("layer 8 (relu)", "10")]
    np.testing.assert_array_equal(network.params["7.weight"], dense)
    np.testing.assert_array_equal(network.params["0.weight"], trained["0.weight"])
    np.testing.assert_array_equal(network.params["3.weight"], trained["3.weight"])


def test_selecting_a_row_announces_the_layer(qtbot, panel, document):
    seen = []
    panel.layer_selected.connect(seen.append)
    click_row(qtbot, panel, 4)
    click_row(qtbot, panel, 0)
    panel.select_layer(7)
    assert seen == [3, -1, 7]
    assert panel.tree.currentItem() is panel.tree.topLevelItem(8)
    assert panel.form_box.title() == "Settings of layer 7 (dense 10)"
    assert panel.features_spin.isVisible() and not panel.kernel_spin.isVisible()


def test_dragging_a_layer_onto_another_place_moves_it(qtbot, panel, document):
    # Qt delivers drop events only inside a real drag (QDrag.exec, which blocks), so the test hands
    # the list the drop event it would get at the end of a drag that started in the list itself.
    class TreeDrop(QDropEvent):
        def source(self):
            return panel.tree

    click_row(qtbot, panel, 3)  # layer 2 (maxpool), dropped on the top half of layer 0's row
    target = panel.tree.visualItemRect(panel.tree.topLevelItem(1))
    event = TreeDrop(
        QPoint(target.center().x(), target.top() + 2),
        Qt.DropAction.MoveAction,
        QMimeData(),
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    panel.tree.dropEvent(event)
    assert event.isAccepted() and event.dropAction() == Qt.DropAction.IgnoreAction  # Qt removes no row itself
    qtbot.waitUntil(lambda: kinds(document)[0] == "maxpool")
    assert kinds(document)[:3] == ["maxpool", "conv", "relu"]
    assert rows(panel)[1:3] == [("layer 0 (maxpool 2x2)", "1 × 14 × 14"), ("layer 1 (conv 3x3)", "8 × 12 × 12")]
    assert len(rows(panel)) == 9  # Qt did not remove or duplicate a row on its own


def test_every_control_explains_itself(panel, qtbot):
    click_row(qtbot, panel, 1)
    controls = panel.findChildren(QAbstractButton) + panel.findChildren(QSpinBox) + panel.findChildren(QComboBox)
    assert controls
    for control in controls:
        assert control.toolTip(), control
    assert "how many pixels the kernel moves" in panel.conv_stride_spin.toolTip()
    assert all(action.toolTip() for action in panel.add_menu.actions())
    assert panel.tree.topLevelItem(1).toolTip(1).endswith("8 feature maps of 26x26 pixels")


def test_keyboard_only_insert_opens_the_add_menu(qtbot, panel, document):
    click_row(qtbot, panel, 8)  # after the dense layer

    def choose_relu():
        menu = QApplication.activePopupWidget()
        assert menu is panel.add_menu
        menu.setActiveAction(panel.add_actions["relu"])
        qtbot.keyClick(menu, Qt.Key.Key_Return)

    QTimer.singleShot(50, choose_relu)
    qtbot.keyClick(panel.tree, Qt.Key.Key_Insert)
    qtbot.waitUntil(lambda: not panel.add_menu.isVisible())
    assert kinds(document)[-2:] == ["dense", "relu"]
    assert rows(panel)[-1] == ("layer 8 (relu)", "10")


def test_inserting_a_layer_above_keeps_the_trained_weights_below(qtbot, document):
    panel = PipelinePanel(document)
    qtbot.addWidget(panel)
    trained = {name: array.copy() for name, array in document.session.network.params.items()}
    panel.select_layer(-1)
    assert panel.add_layer("relu") is None  # a new layer 0: every other layer moves down one place
    params = document.session.network.params
    np.testing.assert_array_equal(params["1.weight"], trained["0.weight"])
    np.testing.assert_array_equal(params["4.weight"], trained["3.weight"])
    np.testing.assert_array_equal(params["8.weight"], trained["7.weight"])
    panel.select_layer(0)
    assert panel.remove_layer() is None
    np.testing.assert_array_equal(document.session.network.params["3.weight"], trained["3.weight"])


def visible_in(widget, viewport) -> bool:
    """Whether ``widget`` lies wholly inside ``viewport`` (both shown), in screen pixels."""
    top_left = widget.mapTo(viewport, QPoint(0, 0))
    return (
        widget.isVisible()
        and viewport.rect().contains(top_left)
        and viewport.rect().contains(top_left + QPoint(widget.width() - 1, widget.height() - 1))
    )


def test_in_a_small_window_every_row_and_the_settings_stay_in_view_with_an_error(qtbot, document, tmp_path):
    from PySide6.QtCore import QSettings

    from cnn_desktop.ui.main_window import MainWindow

    window = MainWindow(document, QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window.resize(1024, 768)
    window.show()
    qtbot.waitExposed(window)
    panel = window.pipeline
    tree = panel.tree
    area = window.docks["pipeline"].widget().viewport()

    def every_row_in_view() -> bool:  # the whole pipeline, not one to three rows
        rows = (tree.visualItemRect(tree.topLevelItem(row)) for row in range(tree.topLevelItemCount()))
        return all(tree.viewport().rect().contains(rect) for rect in rows)

    def settled() -> bool:
        """The window's newest result is in and handled, and the panel laid out for it.

        Layouts settle over several passes of the event loop, and a result arriving meanwhile
        (the window's first, or a size edit's) lays the docks out again: a fixed wait raced both.
        """
        return document.latest.version == document.session.version and every_row_in_view()

    qtbot.waitUntil(settled)
    click_row(qtbot, panel, 3)  # layer 2 (maxpool): its settings fill the form
    qtbot.waitUntil(settled)
    type_value(qtbot, panel.size_spin, "8")
    type_value(qtbot, panel.pool_stride_spin, "8")  # 26 -> 3x3, conv 3x3 -> 1x1, then maxpool 2x2 cannot fit
    assert panel.error_layer() == 5

    def red_row_in_view() -> bool:  # scrolled into the dock's view, the settings not crushed
        bad = tree.visualItemRect(tree.topLevelItem(panel.error_layer() + 1))
        centre = tree.viewport().mapTo(area, bad.center())
        return area.rect().contains(centre) and panel.size_spin.height() >= panel.size_spin.minimumSizeHint().height()

    qtbot.waitUntil(lambda: settled() and red_row_in_view())
