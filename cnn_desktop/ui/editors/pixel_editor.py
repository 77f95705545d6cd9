"""The input image as a grid of numbers the user paints, types into, shifts and loads.

Every change goes through the document: a paint stroke (mouse press, drag, release) is one undo
step via ``begin_stroke`` / ``paint`` / ``end_stroke``; every button is one ``edit_image``; a new
grid size is ``resize_grid``, which the document refuses (with the reason shown here) when the
pipeline does not fit the new size. The widget redraws from ``document.image_changed``.
It holds the grid and the bars and wires them: the one-step edits are ``image_edits.ImageEdits``,
the QActions ``pixel_actions``, a d-channel input's strip of channel grids ``channel_grids``.

MNIST digits are chosen in the :class:`~cnn_desktop.ui.editors.digit_picker.DigitPicker` under the grid.
A drawing is made to look like one by "Prepare like MNIST" (``digits.prepare_like_mnist``): the
result replaces the image in the grid, so what the network reads is always what is shown.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QColor, QShowEvent
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from ...input_channels import MAX_CHANNELS, channel_names, grey_of
from ...number_text import format_value
from ...pen import MIN_DIGIT_GRID
from ...state.digit_library import DigitLibrary
from ..colours import channel_map, greyscale, picture_colours
from ..document import SessionDocument
from ..message_label import MessageLabel
from ..task_poller import TaskPoller
from .channel_bar import ChannelBar
from .channel_grids import ChannelGrids
from .digit_picker import DigitPicker
from .grid_view import GridRect, NumberGridView
from .image_edits import ImageEdits
from .picture_import import import_picture
from .pixel_actions import ARROWS, build_pixel_actions, tool_button
from .pixel_tools import BrushBar, GridBar, StrokePainter


class PixelEditor(QWidget):
    """Paint, type and transform the input image; presets, MNIST digits and picture import.

    Public pieces for the main window and tests: ``grid`` (the :class:`NumberGridView`),
    ``actions_by_name`` (QActions for menus), ``import_image_file``, ``load_digit`` (bundled or
    full MNIST), ``refresh_digit_sources``, ``apply_preset``, ``set_grid_size`` and ``message()``
    (the last status or error text).
    """

    def __init__(
        self, document: SessionDocument, digits: DigitLibrary | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.document = document
        self.digits = digits or DigitLibrary()  # the app's digit sets, shared with the training panel
        self._tasks = TaskPoller(self)
        self._field_rects: list[GridRect] = []  # the selected unit's receptive field, if any
        self.grid = NumberGridView(greyscale(), (0.0, 1.0), editable=True)
        self.grid.setToolTip(
            "Left-drag paints with the brush value, right-drag erases (0).\n"
            "Arrow keys move the cell cursor; type a number and press Enter to set one pixel."
        )
        self.grid.setAccessibleName("Input image pixels")
        self.actions_by_name = build_pixel_actions(self)
        self.picker = DigitPicker(
            document,
            self.digits,
            self._tasks,
            (
                tool_button(self.actions_by_name["load_digit"], "Load"),
                tool_button(self.actions_by_name["next_digit"], "Next"),
            ),
        )
        self.picker.said.connect(self._say)
        self.digit_source, self.digit_split = self.picker.digit_source, self.picker.digit_split
        self.digit_index, self.digit_label = self.picker.digit_index, self.picker.digit_label
        self._build_controls()
        self.edits = ImageEdits(document, self.channel_bar, self.brush_bar, self.grid_bar, self.picker, self._say)
        self.prepare_after_stroke = self.actions_by_name["prepare_after_stroke"]
        self.strokes = StrokePainter(
            document, self.brush_bar, self.prepare_after_stroke.isChecked, self.channel_bar.target
        )
        self._digit_grid: bool | None = None  # whether the brush was last suited to a digit-sized grid
        self._depth_shown = 0  # the depth the channel row was last set up for
        self._grid_channel = "grey"  # the channel whose colour map the main grid has
        self._connect()
        self._show_image()

    def _build_controls(self) -> None:
        self.brush_bar = BrushBar()
        self.brush_value, self.brush_size = self.brush_bar.brush_value, self.brush_bar.brush_size
        self.brush_slider, self.brush_shape = self.brush_bar.brush_slider, self.brush_bar.brush_shape

        self.grid_bar = GridBar(tool_button(self.actions_by_name["import_image"], "Import…"))
        self.grid_size, self.scale_content, self.presets = (
            self.grid_bar.grid_size,
            self.grid_bar.scale_content,
            self.grid_bar.presets,
        )

        depth_actions = {depth: self.actions_by_name[f"depth_{depth}"] for depth in range(1, MAX_CHANNELS + 1)}
        self.channel_bar = ChannelBar(depth_actions)
        self.channel_grids = ChannelGrids()

        self.message_label = MessageLabel()
        self.hover_label = QLabel("")
        self.hover_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        self.hover_label.setToolTip("The pixel under the mouse")

        edit = QHBoxLayout()
        for name in ("clear", "fill", "invert"):
            edit.addWidget(
                tool_button(self.actions_by_name[name], self.actions_by_name[name].text().replace("&", "").split()[0])
            )
        edit.addStretch(1)
        edit.addWidget(QLabel("Shift"))
        for direction in ("left", "up", "down", "right"):
            edit.addWidget(tool_button(self.actions_by_name[f"shift_{direction}"], ARROWS[direction][0]))

        prepare = QHBoxLayout()
        prepare.addWidget(tool_button(self.actions_by_name["prepare"], "Prepare like MNIST"))
        prepare.addWidget(tool_button(self.actions_by_name["prepare_after_stroke"]))
        prepare.addStretch(1)

        status = QGridLayout()
        status.addWidget(self.message_label, 0, 0)
        status.addWidget(self.hover_label, 0, 1)
        status.setColumnStretch(0, 1)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.grid, 3)
        layout.addWidget(self.channel_grids, 2)
        layout.addWidget(self.channel_bar)
        layout.addWidget(self.brush_bar)
        layout.addLayout(prepare)
        layout.addLayout(edit)
        layout.addWidget(self.grid_bar)
        layout.addWidget(self.picker)
        layout.addLayout(status)

    def _connect(self) -> None:
        self.document.image_changed.connect(self._show_image)
        self.document.weights_unlocked.connect(self.message_label.forget)
        self.grid.cell_clicked.connect(self.picker.note_edit)  # a stroke on a digit: "edited", not "no digit"
        self.grid.cell_clicked.connect(self.strokes.start)
        self.grid.cell_dragged.connect(self.strokes.extend)
        self.grid.mouse_released.connect(self.strokes.finish)
        self.grid.mouse_released.connect(self.picker.end_edit)
        self.grid.value_entered.connect(self.set_pixel)
        self.grid.entry_rejected.connect(lambda message: self._say(message, error=True))
        self.grid.cell_hovered.connect(self._show_hover)
        self.grid_size.valueChanged.connect(self.set_grid_size)
        self.channel_bar.target_changed.connect(self._show_image)
        channels = self.channel_grids
        channels.cell_clicked.connect(self._start_on_channel)
        channels.cell_dragged.connect(lambda _channel, row, col, buttons: self.strokes.extend(row, col, buttons))
        channels.mouse_released.connect(self.strokes.finish)
        channels.mouse_released.connect(self.picker.end_edit)
        channels.mouse_released.connect(lambda _button: self._show_image())  # a stroke begun on a small grid ends
        channels.channel_chosen.connect(self.channel_bar.paint_on_channel)
        channels.value_entered.connect(lambda channel, row, col, value: self.set_pixel(row, col, value, channel))
        channels.entry_rejected.connect(lambda message: self._say(message, error=True))
        channels.cell_hovered.connect(lambda _channel, row, col: self._show_hover(row, col))
        self.presets.activated.connect(self._preset_chosen)

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        return QSize(460, 620)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt's name)
        super().showEvent(event)
        self.picker.refresh_digit_sources()  # the training panel may have downloaded the full MNIST meanwhile

    # ----- display
    def _show_image(self) -> None:
        """The main grid shows the picture as it is (in colour for RGB) or the channel painted on."""
        image = self.document.session.image
        depth, grid_shape = image.shape[0], image.shape[1:]
        if depth != self._depth_shown:
            self._depth_shown = depth
            self.channel_bar.show_depth(depth)
        channel = self.channel_bar.target().channel
        if depth == 1 or channel is not None:
            name = channel_names(depth)[channel or 0]
            if name != self._grid_channel:  # a new colour map only when another channel is shown
                self._grid_channel = name
                self.grid.set_colormap(channel_map(name))
            self.grid.set_array(image[channel or 0], (0.0, 1.0))
            self.grid.set_cell_colours(None)
            self.grid.set_numbers_visible(None)
        else:  # the colour picture; its numbers are in the channel grids
            self.grid.set_array(grey_of(image), (0.0, 1.0))
            self.grid.set_cell_colours(picture_colours(image))
            self.grid.set_numbers_visible(False)
        self.channel_grids.show_image(image)
        folded = channel is not None and not self.strokes.active()  # never under a stroke's mouse
        if folded != self.channel_grids.is_folded():  # (a new stretch lays the editor out again)
            self.layout().setStretchFactor(self.channel_grids, 0 if folded else 2)
        self.channel_grids.show_choice(channel, folded)
        self.picker.show_digit()
        digit_grid = min(grid_shape) >= MIN_DIGIT_GRID
        if digit_grid != self._digit_grid:  # a digit grid gets the soft pen, a small lecture grid a hard pixel
            self._digit_grid = digit_grid
            self.brush_bar.suit_grid(grid_shape)
        if self.grid_size.value() != grid_shape[0]:
            self.grid_size.blockSignals(True)
            self.grid_size.setValue(grid_shape[0])
            self.grid_size.blockSignals(False)

    def _show_hover(self, row: int, col: int) -> None:
        image = self.document.session.image
        if row < 0 or row >= image.shape[1] or col >= image.shape[2]:
            self.hover_label.setText("")
            self.grid.set_overlays(self._field_rects)
            return
        if image.shape[0] == 1:
            self.hover_label.setText(f"row {row}, col {col}: {format_value(image[0, row, col])}")
        else:
            initials = [name[0].upper() if image.shape[0] == 3 else name[-1] for name in channel_names(image.shape[0])]
            values = " ".join(f"{n} {format_value(v)}" for n, v in zip(initials, image[:, row, col], strict=True))
            self.hover_label.setText(f"({row}, {col}): {values}")  # short: the message beside it keeps its room
        size = self.brush_bar.footprint(image.shape[1:]).width
        if size > 1:
            top, left = row - size // 2, col - size // 2
            outline = GridRect(top, left, top + size - 1, left + size - 1, "#ffb000", 2.0, Qt.PenStyle.DashLine)
            self.grid.set_overlays([*self._field_rects, outline])
        else:
            self.grid.set_overlays(self._field_rects)

    def field_rects(self) -> list[GridRect]:
        """The receptive-field outlines shown on the image (array coordinates, may reach the padding)."""
        return list(self._field_rects)

    def show_field(self, rects: list[GridRect], mask: np.ndarray | None, pad: int, tint: QColor) -> None:
        """Outline a receptive field on the picture and on each channel grid; ``mask`` (d, H, W) tints
        the pixels that produced the value, ``pad`` rings of padding show where it leaves the image."""
        self._field_rects = list(rects)
        self.grid.set_pad(pad)
        self.grid.set_overlays(self._field_rects)
        self.grid.set_highlight(None if mask is None else mask.any(axis=0), tint)
        self.channel_grids.set_field(self._field_rects, mask, pad, tint)

    def _say(self, text: str, error: bool = False) -> None:
        self.message_label.say(text, error)

    def message(self) -> str:
        """The last status or error message shown under the grid."""
        return self.message_label.text()

    # ----- painting
    def brush(self) -> tuple[float, int, bool]:
        """(value, size in pixels, round) of the left-button brush."""
        return self.brush_bar.brush()

    # ----- one-step edits (see image_edits.py)
    def clear(self) -> None:
        self.edits.clear()

    def fill(self) -> None:
        self.edits.fill()

    def set_pixel(self, row: int, col: int, value: float, channel: int | None = None) -> None:
        """Set one pixel to a typed value; ``channel`` is the channel grid typed into (None: the main grid)."""
        self.edits.set_pixel(row, col, value, channel)

    def apply_preset(self, name: str) -> None:
        """Put preset ``name``, drawn at the current grid size, on the channels painted on."""
        self.edits.apply_preset(name)

    def set_grid_size(self, size: int) -> str | None:
        """Resize the grid to ``size`` x ``size``; returns (and shows) the reason when refused."""
        return self.edits.set_grid_size(size)

    def _start_on_channel(self, channel: int, row: int, col: int, button: Qt.MouseButton) -> None:
        """A press on a channel grid: the brush paints that channel from now on."""
        self.channel_bar.paint_on_channel(channel)
        self.picker.note_edit()
        self.strokes.start(row, col, button)

    def _preset_chosen(self, index: int) -> None:
        if index > 0:
            self.apply_preset(self.presets.itemText(index))
        self.presets.setCurrentIndex(0)

    # ----- MNIST digits (the picker under the grid)
    def load_digit(self, split: str = "test", index: int = 0, source: str = "bundled") -> str | None:
        """Put digit ``index`` of the ``split`` part of ``source`` on the grid (see :meth:`DigitPicker.load_digit`)."""
        return self.picker.load_digit(split, index, source)

    def next_digit(self) -> None:
        self.picker.next_digit()

    def refresh_digit_sources(self) -> None:
        self.picker.refresh_digit_sources()

    def show_digit(self) -> None:
        """Name the digit a new image from elsewhere is (the session's ``digit``; a session, a scene)."""
        self.picker.show_digit(replaced=True)

    # ----- picture import
    def import_image_file(self, path: str | Path, colour: bool | None = None) -> str | None:
        """Import a PNG/JPEG/BMP picture into the grid (see :func:`import_picture`); returns an error or None."""
        message, failed = import_picture(self.document, path, colour)
        self._say(message, error=failed)
        return message if failed else None

    def choose_image_file(self, colour: bool | None = None) -> None:
        from PySide6.QtWidgets import QFileDialog

        path, _ = QFileDialog.getOpenFileName(self, "Import image", "", "Images (*.png *.jpg *.jpeg *.bmp)")
        if path:
            self.import_image_file(path, colour)
