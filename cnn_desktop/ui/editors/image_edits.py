"""The pixel editor's one-step edits of the input image: each is one undo step through the document.

Clear, fill, invert, shift, a preset, a typed pixel, "Prepare like MNIST", a new grid size and a new
depth. They change the channels the channel bar says the brush paints on (one, or all), keep a
loaded digit's name when they keep the picture, and say what they did (or why not) on the editor's
message line. No widget of their own: the editor's bars hold the values they read.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ...digits import prepare_like_mnist
from ...engine.input_depth import first_weighted_layer
from ...engine.layers import Conv2D
from ...image_ops import crop_or_pad, invert_image, resample, shift_images
from ...image_presets import image_preset
from ...input_channels import depth_name, per_channel
from ...number_text import format_value
from ..document import SessionDocument
from .channel_bar import ChannelBar
from .digit_picker import DigitPicker
from .pixel_tools import BrushBar, GridBar


class ImageEdits:
    """The edits behind the pixel editor's buttons, menus and typed values (see the module's text)."""

    def __init__(
        self,
        document: SessionDocument,
        channel_bar: ChannelBar,
        brush_bar: BrushBar,
        grid_bar: GridBar,
        picker: DigitPicker,
        say: Callable[..., None],
    ) -> None:
        self.document = document
        self.channel_bar, self.brush_bar, self.grid_bar, self.picker = channel_bar, brush_bar, grid_bar, picker
        self._say = say

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
        value, target = self.brush_bar.brush_value.value(), self.channel_bar.target()
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

    def set_grid_size(self, size: int) -> str | None:
        """Resize the grid to ``size`` x ``size``; returns (and shows) the reason when refused."""
        session = self.document.session
        shape = (int(size), int(size))
        if shape == session.grid_shape:
            return None
        fit = resample if self.grid_bar.scale_content.isChecked() else crop_or_pad
        resized = per_channel(lambda plane: fit(plane, shape), session.image)
        error = self.document.resize_grid(np.clip(resized, 0.0, 1.0), f"Grid size {size}x{size}")
        if error:
            self._say(error, error=True)
            self.grid_bar.grid_size.blockSignals(True)
            self.grid_bar.grid_size.setValue(self.document.session.grid_shape[0])
            self.grid_bar.grid_size.blockSignals(False)
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
