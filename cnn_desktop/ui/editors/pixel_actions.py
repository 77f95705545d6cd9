"""The pixel editor's QActions: image edits, MNIST digits, picture import and the input's depth.

The window puts them in its menus and the editor's buttons show them, so a shortcut, a menu item
and a button are one action. Each names the editor's edit it triggers; none edits anything itself.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QToolButton

from ...input_channels import MAX_CHANNELS, channel_names, depth_name

if TYPE_CHECKING:
    from .pixel_editor import PixelEditor

ARROWS = {"up": ("\u2191", -1, 0), "down": ("\u2193", 1, 0), "left": ("\u2190", 0, -1), "right": ("\u2192", 0, 1)}
"""Shift directions: (arrow, rows down, columns right)."""


def build_pixel_actions(editor: PixelEditor) -> dict[str, QAction]:
    """The editor's actions by name, added to ``editor`` (so their shortcuts work inside it)."""
    actions: dict[str, QAction] = {}

    def add(name: str, text: str, slot: Callable, shortcut: str | None, tip: str) -> QAction:
        action = QAction(text, editor)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
            tip = f"{tip} ({QKeySequence(shortcut).toString(QKeySequence.SequenceFormat.NativeText)})"
        action.setToolTip(tip)
        action.setStatusTip(tip)
        action.triggered.connect(slot)
        editor.addAction(action)
        actions[name] = action
        return action

    add("clear", "&Clear image", editor.clear, "Ctrl+Shift+X", "Set every pixel to 0 (background)")
    add("fill", "&Fill image", editor.fill, "Ctrl+Shift+F", "Set every pixel to the brush value")
    add("invert", "&Invert image", lambda: editor.edits.invert(), "Ctrl+I", "Replace every pixel v by 1 - v")
    for direction, (arrow, down, right) in ARROWS.items():
        add(
            f"shift_{direction}",
            f"Shift image {direction} {arrow}",
            lambda _=False, d=down, r=right, w=direction: editor.edits.shift(d, r, w),
            f"Alt+{direction.capitalize()}",
            f"Move the image one pixel {direction} (zeros enter): the feature maps move along",
        )
    add(
        "load_digit",
        "Load &MNIST digit",
        lambda: editor.picker.load_chosen(),
        "Ctrl+Shift+D",
        "Load the chosen handwritten digit of the chosen MNIST set",
    )
    add(
        "next_digit",
        "&Next MNIST digit",
        lambda: editor.picker.next_digit(),
        "Ctrl+Shift+N",
        "Load the next digit of the set",
    )
    add(
        "prepare",
        "&Prepare like MNIST",
        lambda: editor.edits.prepare_like_mnist(),
        "Ctrl+M",
        "Scale the drawing's ink to fit 20x20 of 28x28 and centre it by its mass, as MNIST's digits were: "
        "a small or off-centre digit then reads far better",
    )
    after = add(
        "prepare_after_stroke",
        "Prepare &after each stroke",
        lambda: None,
        None,
        "Prepare like MNIST whenever a stroke ends (one undo step with the stroke); best for digits "
        "drawn in one stroke, such as 1, 0 or 7",
    )
    after.setCheckable(True)
    add(
        "import_image",
        "&Import image…",
        editor.choose_image_file,
        None,
        "Import a PNG, JPEG or BMP picture, scaled to the grid: in colour when the input is RGB, else made "
        "grey, with a light background inverted automatically so that the strokes are ink (1)",
    )
    add(
        "import_colour",
        "Import image in &colour…",
        lambda: editor.choose_image_file(colour=True),
        None,
        "Import a PNG, JPEG or BMP picture as red, green and blue channels, scaled to the grid "
        "(a grey input becomes RGB: the first conv layer's kernels become 3x3x3)",
    )
    depths = QActionGroup(editor)
    for depth in range(1, MAX_CHANNELS + 1):
        action = add(
            f"depth_{depth}",
            f"Input: {depth_name(depth)}",
            lambda _=False, d=depth: editor.edits.set_depth(d),
            None,
            f"Make the input {depth} channel{'s' if depth > 1 else ''} deep ({', '.join(channel_names(depth))}); "
            f"the first conv layer's k x k kernels get {depth} slice{'s' if depth > 1 else ''} (k x k x {depth})",
        )
        action.setCheckable(True)
        depths.addAction(action)
    return actions


def tool_button(action: QAction, text: str | None = None) -> QToolButton:
    """A text-only button for ``action``, with ``text`` instead of the action's own when given."""
    button = QToolButton()
    button.setDefaultAction(action)
    if text is not None:
        button.setText(text)
    button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
    return button
