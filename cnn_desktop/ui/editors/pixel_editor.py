"""The input image as a grid of numbers the user paints, types into, shifts and loads.

Every change goes through the document: a paint stroke (mouse press, drag, release) is one undo
step via ``begin_stroke`` / ``paint`` / ``end_stroke``; every button is one ``edit_image``; a new
grid size is ``resize_grid``, which the document refuses (with the reason shown here) when the
pipeline does not fit the new size. The widget redraws from ``document.image_changed``.

MNIST digits are chosen in the :class:`~cnn_desktop.ui.editors.digit_picker.DigitPicker` under the grid.
A drawing is made to look like one by "Prepare like MNIST" (``digits.prepare_like_mnist``): the
result replaces the image in the grid, so what the network reads is always what is shown.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QAction, QActionGroup, QColor, QKeySequence, QShowEvent
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ...digits import prepare_like_mnist
from ...engine.input_depth import first_weighted_layer
from ...engine.layers import Conv2D
from ...image_ops import crop_or_pad, invert_image, resample, shift_images
from ...image_presets import image_preset
from ...input_channels import MAX_CHANNELS, channel_names, depth_name, grey_of, per_channel
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
from .picture_import import import_picture
from .pixel_tools import BrushBar, GridBar, StrokePainter

ARROWS = {"up": ("\u2191", -1, 0), "down": ("\u2193", 1, 0), "left": ("\u2190", 0, -1), "right": ("\u2192", 0, 1)}


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
        self.actions_by_name: dict[str, QAction] = {}
        self._build_actions()
        self.picker = DigitPicker(
            document,
            self.digits,
            self._tasks,
            (self._tool_button("load_digit", "Load"), self._tool_button("next_digit", "Next")),
        )
        self.picker.said.connect(self._say)
        self.digit_source, self.digit_split = self.picker.digit_source, self.picker.digit_split
        self.digit_index, self.digit_label = self.picker.digit_index, self.picker.digit_label
        self._build_controls()
        self.prepare_after_stroke = self.actions_by_name["prepare_after_stroke"]
        self.strokes = StrokePainter(
            document, self.brush_bar, self.prepare_after_stroke.isChecked, self.channel_bar.target
        )
        self._digit_grid: bool | None = None  # whether the brush was last suited to a digit-sized grid
        self._depth_shown = 0  # the depth the channel row was last set up for
        self._grid_channel = "grey"  # the channel whose colour map the main grid has
        self._connect()
        self._show_image()

    # ----- construction
    def _action(self, name: str, text: str, slot, shortcut: str | None, tip: str) -> QAction:
        action = QAction(text, self)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
            tip = f"{tip} ({QKeySequence(shortcut).toString(QKeySequence.SequenceFormat.NativeText)})"
        action.setToolTip(tip)
        action.setStatusTip(tip)
        action.triggered.connect(slot)
        self.addAction(action)
        self.actions_by_name[name] = action
        return action

    def _build_actions(self) -> None:
        self._action("clear", "&Clear image", self.clear, "Ctrl+Shift+X", "Set every pixel to 0 (background)")
        self._action("fill", "&Fill image", self.fill, "Ctrl+Shift+F", "Set every pixel to the brush value")
        self._action("invert", "&Invert image", self.invert, "Ctrl+I", "Replace every pixel v by 1 - v")
        for direction, (arrow, down, right) in ARROWS.items():
            self._action(
                f"shift_{direction}",
                f"Shift image {direction} {arrow}",
                lambda _=False, d=down, r=right, w=direction: self.shift(d, r, w),
                f"Alt+{direction.capitalize()}",
                f"Move the image one pixel {direction} (zeros enter): the feature maps move along",
            )
        self._action(
            "load_digit",
            "Load &MNIST digit",
            lambda: self.picker.load_chosen(),
            "Ctrl+Shift+D",
            "Load the chosen handwritten digit of the chosen MNIST set",
        )
        self._action(
            "next_digit",
            "&Next MNIST digit",
            lambda: self.picker.next_digit(),
            "Ctrl+Shift+N",
            "Load the next digit of the set",
        )
        self._action(
            "prepare",
            "&Prepare like MNIST",
            self.prepare_like_mnist,
            "Ctrl+M",
            "Scale the drawing's ink to fit 20x20 of 28x28 and centre it by its mass, as MNIST's digits were: "
            "a small or off-centre digit then reads far better",
        )
        after = self._action(
            "prepare_after_stroke",
            "Prepare &after each stroke",
            lambda: None,
            None,
            "Prepare like MNIST whenever a stroke ends (one undo step with the stroke); best for digits "
            "drawn in one stroke, such as 1, 0 or 7",
        )
        after.setCheckable(True)
        self._action(
            "import_image",
            "&Import image…",
            self._choose_image_file,
            None,
            "Import a PNG, JPEG or BMP picture, scaled to the grid: in colour when the input is RGB, else made "
            "grey, with a light background inverted automatically so that the strokes are ink (1)",
        )
        self._action(
            "import_colour",
            "Import image in &colour…",
            lambda: self._choose_image_file(colour=True),
            None,
            "Import a PNG, JPEG or BMP picture as red, green and blue channels, scaled to the grid "
            "(a grey input becomes RGB: the first conv layer's kernels become 3x3x3)",
        )
        depths = QActionGroup(self)
        for depth in range(1, MAX_CHANNELS + 1):
            action = self._action(
                f"depth_{depth}",
                f"Input: {depth_name(depth)}",
                lambda _=False, d=depth: self.set_depth(d),
                None,
                f"Make the input {depth} channel{'s' if depth > 1 else ''} deep ({', '.join(channel_names(depth))}); "
                f"the first conv layer's k x k kernels get {depth} slice{'s' if depth > 1 else ''} (k x k x {depth})",
            )
            action.setCheckable(True)
            depths.addAction(action)

    def _tool_button(self, name: str, text: str | None = None) -> QToolButton:
        button = QToolButton()
        button.setDefaultAction(self.actions_by_name[name])
        if text is not None:
            button.setText(text)
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        return button

    def _build_controls(self) -> None:
        self.brush_bar = BrushBar()
        self.brush_value, self.brush_size = self.brush_bar.brush_value, self.brush_bar.brush_size
        self.brush_slider, self.brush_shape = self.brush_bar.brush_slider, self.brush_bar.brush_shape

        self.grid_bar = GridBar(self._tool_button("import_image", "Import…"))
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
            edit.addWidget(self._tool_button(name, self.actions_by_name[name].text().replace("&", "").split()[0]))
        edit.addStretch(1)
        edit.addWidget(QLabel("Shift"))
        for direction in ("left", "up", "down", "right"):
            edit.addWidget(self._tool_button(f"shift_{direction}", ARROWS[direction][0]))

        prepare = QHBoxLayout()
        prepare.addWidget(self._tool_button("prepare", "Prepare like MNIST"))
        prepare.addWidget(self._tool_button("prepare_after_stroke"))
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
        self.channel_grids.show_choice(channel, folded)
        self.layout().setStretchFactor(self.channel_grids, 0 if folded else 2)
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

    # ----- one-step edits
    def _channels(self) -> slice | int:
        """The channels an edit changes: the one painted on, or all."""
        channel = self.channel_bar.target().channel
        return slice(None) if channel is None else channel

    def _on_channels(self, planes: np.ndarray, text: str, keeps_picture: bool = True) -> None:
        """Write ``planes`` into the channels painted on (broadcast over them), as one edit.

        ``keeps_picture`` False: a new picture (cleared, filled), no longer a loaded digit at all.
        """
        image = self.document.session.image.copy()
        image[self._channels()] = planes
        name = self.channel_bar.target().channel_name
        text = f"{text} ({name})" if name else text
        if keeps_picture:
            self._edit_picture(image, text)
        else:
            self.document.edit_image(image, text)

    def set_pixel(self, row: int, col: int, value: float, channel: int | None = None) -> None:
        """Set one pixel to a typed value (clipped to 0-1, with a note when it was clipped).

        ``channel`` is the channel grid typed into; None: the main grid (the channels painted on).
        """
        if not np.isfinite(value):
            self._say("A pixel must be a number from 0 (background) to 1 (ink).", error=True)
            return
        if channel is not None:
            self.channel_bar.paint_on_channel(channel)
        image = self.document.session.image.copy()
        clipped = min(max(value, 0.0), 1.0)
        image[self._channels(), row, col] = clipped
        name = self.channel_bar.target().channel_name
        where = f"{name} ({row}, {col})" if name else f"({row}, {col})"
        self._edit_picture(image, f"Set pixel {where} to {format_value(clipped)}")
        if clipped != value:
            self._say(f"Pixels go from 0 to 1: {format_value(value)} was set to {format_value(clipped)}.")
        else:
            self._say(f"Pixel {where} = {format_value(clipped)}")

    def _start_on_channel(self, channel: int, row: int, col: int, button: Qt.MouseButton) -> None:
        """A press on a channel grid: the brush paints that channel from now on."""
        self.channel_bar.paint_on_channel(channel)
        self.picker.note_edit()
        self.strokes.start(row, col, button)

    def _edit_picture(self, image: np.ndarray, text: str) -> None:
        """An edit that keeps the picture: a digit so changed is shown as edited, not as no digit."""
        self.picker.note_edit()
        try:
            self.document.edit_image(image, text)
        finally:
            self.picker.end_edit()

    def clear(self) -> None:
        self._on_channels(np.float32(0.0), "Clear image", keeps_picture=False)
        self._say("Cleared: every pixel is 0.")

    def fill(self) -> None:
        value, target = self.brush_value.value(), self.channel_bar.target()
        if target.colour is not None:
            colour = np.float32(value) * np.asarray(target.colour, np.float32)
            self._on_channels(colour[:, None, None], f"Fill with {format_value(value)} x colour", keeps_picture=False)
            self._say(
                f"Filled with red {format_value(colour[0])}, green {format_value(colour[1])}, "
                f"blue {format_value(colour[2])}."
            )
            return
        self._on_channels(np.float32(value), f"Fill with {format_value(value)}", keeps_picture=False)
        self._say(f"Filled with {format_value(value)}.")

    def prepare_like_mnist(self) -> str | None:
        """Replace the drawing by its MNIST-like version (one undo step); returns why not, e.g. for a blank grid."""
        session = self.document.session
        if session.depth > 1:
            message = f"Prepare like MNIST works on a grey digit; the input is {depth_name(session.depth)}."
            self._say(message, error=True)
            return message
        image = session.image[0]
        try:
            prepared = prepare_like_mnist(image, image.shape)
        except ValueError as exc:
            self._say(f"Nothing to prepare: {exc}.", error=True)
            return str(exc)
        self.document.edit_image(prepared, "Prepare like MNIST")
        box = f"{round(image.shape[0] * 20 / 28)} of {image.shape[0]}"
        self._say(f"Prepared like MNIST: the ink spans {box} pixels, its centre of mass in the middle.")
        return None

    def invert(self) -> None:
        self._on_channels(invert_image(self.document.session.image[self._channels()]), "Invert image")
        self._say("Inverted: every pixel v is now 1 - v.")

    def shift(self, down: int, right: int, name: str = "") -> None:
        """Move the image (every channel) by whole pixels; what leaves the grid is lost, zeros enter."""
        shifted = shift_images(self.document.session.image[None], np.array([(down, right)]))[0]
        self._edit_picture(shifted, f"Shift image {name}".strip())
        self._say(f"Shifted {name or 'the image'} by one pixel: the feature maps shift along (equivariance).")

    def apply_preset(self, name: str) -> None:
        """Put preset ``name``, drawn at the current grid size, on the channels painted on."""
        shape = self.document.session.grid_shape
        self._on_channels(image_preset(name, shape), f"Image preset: {name}", keeps_picture=False)
        scaled = name.startswith("Lecture") and shape != (7, 7)
        note = " (scaled up: a 7x7 grid shows the slide's numbers)" if scaled else ""
        self._say(f"{name}{note}.")

    def _preset_chosen(self, index: int) -> None:
        if index > 0:
            self.apply_preset(self.presets.itemText(index))
        self.presets.setCurrentIndex(0)

    def set_grid_size(self, size: int) -> str | None:
        """Resize the grid to ``size`` x ``size``; returns (and shows) the reason when refused."""
        session = self.document.session
        shape = (int(size), int(size))
        if shape == session.grid_shape:
            return None
        fit = resample if self.scale_content.isChecked() else crop_or_pad
        resized = per_channel(lambda plane: fit(plane, shape), session.image)
        error = self.document.resize_grid(np.clip(resized, 0.0, 1.0), f"Grid size {size}x{size}")
        if error:
            self._say(error, error=True)
            self.grid_size.blockSignals(True)
            self.grid_size.setValue(self.document.session.grid_shape[0])
            self.grid_size.blockSignals(False)
            return error
        self._say(f"Grid is now {size}x{size}.")
        return None

    def set_depth(self, depth: int) -> str | None:
        """Give the input ``depth`` channels (a pipeline change); returns (and shows) the reason when refused."""
        error = self.document.set_depth(depth)
        if error:
            self._say(error, error=True)
            self.channel_bar.show_depth(self.document.session.depth)
            return error
        network = self.document.session.network
        first = first_weighted_layer(network)
        if first is not None and isinstance(network.layers[first], Conv2D):
            _, _, k, _ = network.layers[first].params["weight"].shape
            kernels = f"{network.label(first)}'s kernels are {k}x{k}x{depth}"
        else:
            kernels = "no conv layer reads it directly"
        height, width = self.document.session.grid_shape
        self._say(f"The input is now {depth_name(depth)}, {depth} x {height} x {width}: {kernels}.")
        return None

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

    def _choose_image_file(self, colour: bool | None = None) -> None:
        from PySide6.QtWidgets import QFileDialog

        path, _ = QFileDialog.getOpenFileName(self, "Import image", "", "Images (*.png *.jpg *.jpeg *.bmp)")
        if path:
            self.import_image_file(path, colour)
