"""The input image as a grid of numbers the user paints, types into, shifts and loads.

Every change goes through the document: a paint stroke (mouse press, drag, release) is one undo
step via ``begin_stroke`` / ``paint`` / ``end_stroke``; every button is one ``edit_image``; a new
grid size is ``resize_grid``, which the document refuses (with the reason shown here) when the
pipeline does not fit the new size. The widget redraws from ``document.image_changed``.

MNIST digits come from the bundled subset (loaded at once, it is small) or, once it has been
downloaded in the training panel, the full MNIST: about 220 MB as float32, so it loads in a
background task and stays cached. The "Full MNIST" choice appears only while it is on disk.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QAction, QColor, QImage, QKeySequence, QPainter, QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QSlider,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ...data import download as mnist_download
from ...data.datasets import Digits
from ...number_text import format_value
from ...presets import IMAGE_PRESETS, crop_or_pad, image_preset, invert_image, resample, shift_image
from ...session import MAX_GRID, MIN_GRID
from ...state.digit_library import DigitLibrary
from ...state.digit_ref import DigitRef
from ..document import SessionDocument
from ..palettes import greyscale
from ..task_poller import TaskPoller
from ..workers import BackgroundTask
from .grid_view import GridRect, NumberGridView

SPLITS = {"test": "Test set", "train": "Training set"}
SPLIT_SHORT = {"test": "Test", "train": "Train"}
DIGIT_SOURCES = {"bundled": "Bundled", "full": "Full MNIST"}  # "full" only while it is downloaded
ARROWS = {"up": ("\u2191", -1, 0), "down": ("\u2193", 1, 0), "left": ("\u2190", 0, -1), "right": ("\u2192", 0, 1)}
PRESCALE_LIMIT = 512  # larger imported pictures are first shrunk by Qt (smoothly) to this size


def brush_offsets(size: int, round_shape: bool) -> tuple[np.ndarray, np.ndarray]:
    """Row and column offsets of a brush footprint of ``size`` x ``size`` pixels (1-5).

    Even sizes extend one pixel further up/left. A round brush keeps the pixels whose centres
    lie within about size / 2 of the brush centre (3: a plus, 5: a disc).
    """
    offsets = np.arange(size) - size // 2
    rows, cols = np.meshgrid(offsets, offsets, indexing="ij")
    if round_shape:
        centre = (size - 1) / 2 - size // 2
        radius = size / 2 - 0.25
        keep = (rows - centre) ** 2 + (cols - centre) ** 2 <= radius**2
        rows, cols = rows[keep], cols[keep]
    return rows.ravel(), cols.ravel()


def line_cells(start: tuple[int, int], end: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """Every cell on the straight line from ``start`` to ``end`` (both included), no gaps."""
    steps = max(abs(end[0] - start[0]), abs(end[1] - start[1]))
    t = np.linspace(0.0, 1.0, steps + 1)
    rows = np.rint(start[0] + (end[0] - start[0]) * t).astype(int)
    cols = np.rint(start[1] + (end[1] - start[1]) * t).astype(int)
    return rows, cols


def qimage_to_grid(image: QImage, shape: tuple[int, int]) -> tuple[np.ndarray, bool]:
    """A picture as an ink grid of ``shape``: greyscale, aspect kept, light background inverted.

    Transparent pixels count as white paper. Returns the float32 grid (1 = ink) and whether the
    picture was inverted (its border was mostly light, so dark strokes are the ink).
    """
    if max(image.width(), image.height()) > PRESCALE_LIMIT:
        keep, smooth = Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
        image = image.scaled(PRESCALE_LIMIT, PRESCALE_LIMIT, keep, smooth)
    paper = QImage(image.size(), QImage.Format.Format_ARGB32_Premultiplied)
    paper.fill(QColor("white"))
    painter = QPainter(paper)
    painter.drawImage(0, 0, image)
    painter.end()
    grey = paper.convertToFormat(QImage.Format.Format_Grayscale8)
    width, height, stride = grey.width(), grey.height(), grey.bytesPerLine()
    pixels = np.frombuffer(grey.constBits(), np.uint8, count=stride * height).reshape(height, stride)[:, :width]
    values = pixels.astype(np.float32) / 255.0
    border = np.concatenate([values[0], values[-1], values[:, 0], values[:, -1]])
    inverted = bool(border.mean() > 0.5)
    if inverted:
        values = 1.0 - values
    factor = min(shape[0] / height, shape[1] / width)
    fitted = resample(values, (max(1, round(height * factor)), max(1, round(width * factor))))
    return np.clip(crop_or_pad(fitted, shape), 0.0, 1.0), inverted


class DigitSourceBox(QComboBox):
    """A combo box that says when it is about to open, so its choices can be checked first."""

    about_to_open = Signal()

    def showPopup(self) -> None:  # noqa: N802 (Qt's name)
        self.about_to_open.emit()
        super().showPopup()


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
        self._bundled_error: str | None = None  # why the bundled digits cannot be loaded (not retried)
        self._pending_digit: tuple[str, int] | None = None  # (split, index) to show once the full MNIST is loaded
        self._tasks = TaskPoller(self)
        self._stroke: dict | None = None
        self._field_rects: list[GridRect] = []  # the selected unit's receptive field, if any
        self.grid = NumberGridView(greyscale(), (0.0, 1.0), editable=True)
        self.grid.setToolTip(
            "Left-drag paints with the brush value, right-drag erases (0).\n"
            "Arrow keys move the cell cursor; type a number and press Enter to set one pixel."
        )
        self.grid.setAccessibleName("Input image pixels")
        self.actions_by_name: dict[str, QAction] = {}
        self._build_actions()
        self._build_controls()
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
            lambda: self.load_digit(self._split(), self.digit_index.value(), self._source()),
            "Ctrl+Shift+D",
            "Load the chosen handwritten digit of the chosen MNIST set",
        )
        self._action(
            "next_digit", "&Next MNIST digit", self.next_digit, "Ctrl+Shift+N", "Load the next digit of the set"
        )
        self._action(
            "import_image",
            "&Import image…",
            self._choose_image_file,
            None,
            "Import a PNG, JPEG or BMP picture: made grey, scaled to the grid; a light background is "
            "inverted automatically so that the strokes are ink (1)",
        )

    def _tool_button(self, name: str, text: str | None = None) -> QToolButton:
        button = QToolButton()
        button.setDefaultAction(self.actions_by_name[name])
        if text is not None:
            button.setText(text)
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        return button

    def _build_controls(self) -> None:
        self.brush_value = QDoubleSpinBox()
        self.brush_value.setRange(0.0, 1.0)
        self.brush_value.setSingleStep(0.1)
        self.brush_value.setDecimals(2)
        self.brush_value.setValue(1.0)
        self.brush_value.setToolTip("Value the left mouse button paints (0 background, 1 full ink)")
        self.brush_slider = QSlider(Qt.Orientation.Horizontal)
        self.brush_slider.setRange(0, 100)
        self.brush_slider.setValue(100)
        self.brush_slider.setToolTip(self.brush_value.toolTip())
        self.brush_size = QSpinBox()
        self.brush_size.setRange(1, 5)
        self.brush_size.setSuffix(" px")
        self.brush_size.setToolTip("Brush size: 1 to 5 pixels across")
        self.brush_shape = QComboBox()
        self.brush_shape.addItems(["Square", "Round"])
        self.brush_shape.setToolTip("Brush shape: a square, or a round dab (a plus at 3 px)")

        self.grid_size = QSpinBox()
        self.grid_size.setRange(MIN_GRID, MAX_GRID)
        self.grid_size.setKeyboardTracking(False)
        self.grid_size.setPrefix("Grid ")
        self.grid_size.setToolTip(
            f"Image size in pixels ({MIN_GRID} to {MAX_GRID}, square); the network is rebuilt for it, "
            "or the change is refused with the reason when the layers do not fit"
        )
        self.scale_content = QCheckBox("Scale")
        self.scale_content.setChecked(True)
        self.scale_content.setToolTip(
            "On: the picture is scaled to the new grid size.\n"
            "Off: pixels keep their size; the edges are cut off or padded with background."
        )
        self.presets = QComboBox()
        self.presets.addItem("Image presets…")
        for name, tip in IMAGE_PRESETS.items():
            self.presets.addItem(name)
            self.presets.setItemData(self.presets.count() - 1, tip, Qt.ItemDataRole.ToolTipRole)
        self.presets.setToolTip("Replace the image by a ready-made one (the lecture's 7x7 shape, bars, ...)")
        self.presets.setMinimumContentsLength(8)
        self.presets.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)

        self.digit_source = DigitSourceBox()
        self.digit_source.addItem(DIGIT_SOURCES["bundled"], "bundled")
        self.digit_source.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)  # room for "Full MNIST"
        self.digit_source.setToolTip(
            "Which MNIST digits: the bundled subset (4,000 train / 1,000 test), or the full MNIST\n"
            "(60,000 / 10,000), offered once it is downloaded (Training panel, Digits: Full MNIST)"
        )
        self.digit_split = QComboBox()
        for key, text in SPLIT_SHORT.items():
            self.digit_split.addItem(text, key)
        self.digit_split.setToolTip("Which part of the MNIST set to take digits from")
        self.digit_index = QSpinBox()
        self.digit_index.setRange(0, 999)
        self.digit_index.setKeyboardTracking(False)
        self.digit_index.setPrefix("# ")
        self.digit_index.setToolTip("Index of the digit in the set; changing it loads that digit")
        self.digit_label = QLabel("label –")
        self.digit_label.setToolTip("The true class of the digit last loaded")

        self.message_label = QLabel("")
        self.message_label.setWordWrap(True)
        # room for two lines from the start, so that a message never shrinks the grid under the mouse
        self.message_label.setMinimumHeight(2 * self.message_label.fontMetrics().lineSpacing() + 4)
        self.message_label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.hover_label = QLabel("")
        self.hover_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        self.hover_label.setToolTip("The pixel under the mouse")

        brush = QHBoxLayout()
        brush.addWidget(QLabel("Brush"))
        brush.addWidget(self.brush_value)
        brush.addWidget(self.brush_slider, 1)
        brush.addWidget(self.brush_size)
        brush.addWidget(self.brush_shape)

        edit = QHBoxLayout()
        for name in ("clear", "fill", "invert"):
            edit.addWidget(self._tool_button(name, self.actions_by_name[name].text().replace("&", "").split()[0]))
        edit.addStretch(1)
        edit.addWidget(QLabel("Shift"))
        for direction in ("left", "up", "down", "right"):
            edit.addWidget(self._tool_button(f"shift_{direction}", ARROWS[direction][0]))

        grid_row = QHBoxLayout()
        grid_row.addWidget(self.grid_size)
        grid_row.addWidget(self.scale_content)
        grid_row.addWidget(self.presets, 1)
        grid_row.addWidget(self._tool_button("import_image", "Import…"))

        # two lines, which set and which digit of it, so that the editor stays as narrow as before
        digit_set = QHBoxLayout()
        digit_set.addWidget(self.digit_source)
        digit_set.addWidget(self.digit_split)
        digit_set.addStretch(1)
        digit = QHBoxLayout()
        digit.addWidget(self.digit_index)
        digit.addWidget(self._tool_button("load_digit", "Load"))
        digit.addWidget(self._tool_button("next_digit", "Next"))
        digit.addWidget(self.digit_label, 1)
        digits = QGridLayout()
        digits.addWidget(QLabel("MNIST"), 0, 0)
        digits.addLayout(digit_set, 0, 1)
        digits.addWidget(QLabel("Digit"), 1, 0)
        digits.addLayout(digit, 1, 1)

        status = QGridLayout()
        status.addWidget(self.message_label, 0, 0)
        status.addWidget(self.hover_label, 0, 1)
        status.setColumnStretch(0, 1)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.grid, 1)
        for row in (brush, edit, grid_row, digits, status):
            layout.addLayout(row)

    def _connect(self) -> None:
        self.document.image_changed.connect(self._show_image)
        self.grid.cell_clicked.connect(self._start_stroke)
        self.grid.cell_dragged.connect(self._continue_stroke)
        self.grid.mouse_released.connect(self._finish_stroke)
        self.grid.value_entered.connect(self.set_pixel)
        self.grid.entry_rejected.connect(lambda message: self._say(message, error=True))
        self.grid.cell_hovered.connect(self._show_hover)
        self.brush_value.valueChanged.connect(lambda v: self._sync_slider(v))
        self.brush_slider.valueChanged.connect(lambda v: self.brush_value.setValue(v / 100))
        self.grid_size.valueChanged.connect(self.set_grid_size)
        self.presets.activated.connect(self._preset_chosen)
        self.digit_index.valueChanged.connect(lambda index: self.load_digit(self._split(), index, self._source()))
        self.digit_split.currentIndexChanged.connect(lambda _: self._update_digit_range())
        self.digit_source.currentIndexChanged.connect(lambda _: self._source_chosen())
        self.digit_source.about_to_open.connect(self.refresh_digit_sources)

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        return QSize(460, 620)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt's name)
        super().showEvent(event)
        self.refresh_digit_sources()  # the training panel may have downloaded the full MNIST meanwhile

    # ----- display
    def _show_image(self) -> None:
        image = self.document.session.image
        self.grid.set_array(image, (0.0, 1.0))
        self.show_digit()
        if self.grid_size.value() != image.shape[0]:
            self.grid_size.blockSignals(True)
            self.grid_size.setValue(image.shape[0])
            self.grid_size.blockSignals(False)

    def show_digit(self) -> None:
        """Name the digit the image is (the session's ``digit``): its label, set, part and index."""
        digit = self.document.session.digit
        if digit is None:
            self.digit_label.setText("label –")
            return
        self.digit_label.setText(f"label {digit.label}")
        if digit.source in DIGIT_SOURCES:
            self._show_digit_choice(digit.source, digit.split, digit.index)

    def _show_digit_choice(self, source: str, split: str, index: int) -> None:
        """Set the source, split and index boxes without loading anything."""
        self._select_source(source)
        self.digit_split.blockSignals(True)
        self.digit_split.setCurrentIndex(self.digit_split.findData(split))
        self.digit_split.blockSignals(False)
        self._update_digit_range()  # first, or a larger index than the old split holds would be clamped
        self.digit_index.blockSignals(True)
        self.digit_index.setValue(index)
        self.digit_index.blockSignals(False)

    def _sync_slider(self, value: float) -> None:
        self.brush_slider.blockSignals(True)
        self.brush_slider.setValue(round(value * 100))
        self.brush_slider.blockSignals(False)

    def _show_hover(self, row: int, col: int) -> None:
        image = self.document.session.image
        if row < 0 or row >= image.shape[0] or col >= image.shape[1]:
            self.hover_label.setText("")
            self.grid.set_overlays(self._field_rects)
            return
        self.hover_label.setText(f"row {row}, col {col}: {format_value(image[row, col])}")
        size = self.brush_size.value()
        if size > 1:
            top, left = row - size // 2, col - size // 2
            outline = GridRect(top, left, top + size - 1, left + size - 1, "#ffb000", 2.0, Qt.PenStyle.DashLine)
            self.grid.set_overlays([*self._field_rects, outline])
        else:
            self.grid.set_overlays(self._field_rects)

    def field_rects(self) -> list[GridRect]:
        """The receptive-field outlines shown on the image (array coordinates, may reach the padding)."""
        return list(self._field_rects)

    def show_field(self, rects: list[GridRect], mask: np.ndarray | None, pad: int) -> None:
        """Outline a receptive field on the image; ``pad`` rings of padding show where it leaves it."""
        self._field_rects = list(rects)
        self.grid.set_pad(pad)
        self.grid.set_overlays(self._field_rects)
        self.grid.set_highlight(mask, QColor(255, 120, 0, 120))

    def _say(self, text: str, error: bool = False) -> None:
        self.message_label.setStyleSheet("color: #d62f27; font-weight: bold;" if error else "")
        self.message_label.setText(text)

    def message(self) -> str:
        """The last status or error message shown under the grid."""
        return self.message_label.text()

    # ----- painting
    def brush(self) -> tuple[float, int, bool]:
        """(value, size in pixels, round) of the left-button brush."""
        return self.brush_value.value(), self.brush_size.value(), self.brush_shape.currentIndex() == 1

    def _start_stroke(self, row: int, col: int, button: Qt.MouseButton) -> None:
        if button == Qt.MouseButton.LeftButton:
            value, text = self.brush_value.value(), "Paint"
        elif button == Qt.MouseButton.RightButton:
            value, text = 0.0, "Erase"
        else:
            return
        if self._stroke is not None:
            self._finish_stroke(button)
        self._stroke = {"value": value, "text": text, "last": (row, col)}
        self.document.begin_stroke()
        self._dab_line((row, col), (row, col))

    def _continue_stroke(self, row: int, col: int, _buttons: Qt.MouseButton) -> None:
        if self._stroke is None:
            return
        self._dab_line(self._stroke["last"], (row, col))
        self._stroke["last"] = (row, col)

    def _finish_stroke(self, _button: Qt.MouseButton) -> None:
        stroke, self._stroke = self._stroke, None
        if stroke is not None:
            self.document.end_stroke(f"{stroke['text']} stroke")

    def _dab_line(self, start: tuple[int, int], end: tuple[int, int]) -> None:
        _, size, round_shape = self.brush()
        line_rows, line_cols = line_cells(start, end)
        brush_rows, brush_cols = brush_offsets(size, round_shape)
        rows = (line_rows[:, None] + brush_rows[None, :]).ravel()
        cols = (line_cols[:, None] + brush_cols[None, :]).ravel()
        height, width = self.document.session.image.shape
        inside = (rows >= 0) & (rows < height) & (cols >= 0) & (cols < width)
        cells = np.unique(np.stack([rows[inside], cols[inside]], axis=1), axis=0)
        if len(cells):
            values = np.full(len(cells), self._stroke["value"], np.float32)
            self.document.paint(cells[:, 0], cells[:, 1], values)

    # ----- one-step edits
    def set_pixel(self, row: int, col: int, value: float) -> None:
        """Set one pixel to a typed value (clipped to 0-1, with a note when it was clipped)."""
        if not np.isfinite(value):
            self._say("A pixel must be a number from 0 (background) to 1 (ink).", error=True)
            return
        image = self.document.session.image.copy()
        clipped = min(max(value, 0.0), 1.0)
        image[row, col] = clipped
        self.document.edit_image(image, f"Set pixel ({row}, {col}) to {format_value(clipped)}")
        if clipped != value:
            self._say(f"Pixels go from 0 to 1: {format_value(value)} was set to {format_value(clipped)}.")
        else:
            self._say(f"Pixel ({row}, {col}) = {format_value(clipped)}")

    def clear(self) -> None:
        self.document.edit_image(np.zeros_like(self.document.session.image), "Clear image")
        self._say("Cleared: every pixel is 0.")

    def fill(self) -> None:
        value = self.brush_value.value()
        self.document.edit_image(np.full_like(self.document.session.image, value), f"Fill with {format_value(value)}")
        self._say(f"Filled with {format_value(value)}.")

    def invert(self) -> None:
        self.document.edit_image(invert_image(self.document.session.image), "Invert image")
        self._say("Inverted: every pixel v is now 1 - v.")

    def shift(self, down: int, right: int, name: str = "") -> None:
        """Move the image by whole pixels; what leaves the grid is lost, zeros enter."""
        self.document.edit_image(shift_image(self.document.session.image, down, right), f"Shift image {name}".strip())
        self._say(f"Shifted {name or 'the image'} by one pixel: the feature maps shift along (equivariance).")

    def apply_preset(self, name: str) -> None:
        """Replace the image by preset ``name`` drawn at the current grid size."""
        shape = self.document.session.image.shape
        self.document.edit_image(image_preset(name, shape), f"Image preset: {name}")
        scaled = name.startswith("Lecture") and shape != (7, 7)
        note = " (scaled up: a 7x7 grid shows the slide's numbers)" if scaled else ""
        self._say(f"{name}{note}.")

    def _preset_chosen(self, index: int) -> None:
        if index > 0:
            self.apply_preset(self.presets.itemText(index))
        self.presets.setCurrentIndex(0)

    def set_grid_size(self, size: int) -> str | None:
        """Resize the grid to ``size`` x ``size``; returns (and shows) the reason when refused."""
        image = self.document.session.image
        shape = (int(size), int(size))
        if shape == image.shape:
            return None
        resized = resample(image, shape) if self.scale_content.isChecked() else crop_or_pad(image, shape)
        error = self.document.resize_grid(np.clip(resized, 0.0, 1.0), f"Grid size {size}x{size}")
        if error:
            self._say(error, error=True)
            self.grid_size.blockSignals(True)
            self.grid_size.setValue(self.document.session.image.shape[0])
            self.grid_size.blockSignals(False)
            return error
        self._say(f"Grid is now {size}x{size}.")
        return None

    # ----- MNIST digits
    def _split(self) -> str:
        return self.digit_split.currentData()

    def _source(self) -> str:
        return self.digit_source.currentData()

    def refresh_digit_sources(self) -> None:
        """Offer "Full MNIST" exactly while it is downloaded (or already loaded here)."""
        loaded = self.digits.loaded("full") is not None or "load full" in self._tasks
        available = loaded or mnist_download.full_mnist_available()
        index = self.digit_source.findData("full")
        if available and index < 0:
            self.digit_source.addItem(DIGIT_SOURCES["full"], "full")
        elif not available and index >= 0:
            self.digit_source.removeItem(index)  # back on "Bundled" if it was chosen

    def _select_source(self, source: str) -> None:
        if self.digit_source.findData(source) < 0:
            self.digit_source.addItem(DIGIT_SOURCES[source], source)
        self.digit_source.blockSignals(True)
        self.digit_source.setCurrentIndex(self.digit_source.findData(source))
        self.digit_source.blockSignals(False)

    def _source_chosen(self) -> None:
        """A new source: its digit range (bundled loads now, the full MNIST starts loading)."""
        if self._source() != "full":
            self._pending_digit = None
        if self._digit_set(self._source()) is not None:
            self._update_digit_range()

    def _digit_set(self, source: str) -> Digits | None:
        """The digits of ``source`` if they are loaded; None while the full MNIST loads or on failure.

        The bundled subset loads here and now (a fraction of a second); the full MNIST loads in a
        background task, after which :meth:`_full_loaded` shows the digit asked for meanwhile.
        """
        digits = self.digits.loaded(source)
        if digits is not None:
            return digits
        if source == "full":
            self._say("Loading full MNIST…")
            if "load full" not in self._tasks:
                self._tasks.launch("load full", lambda: self.digits.get("full"), self._full_loaded)
            return None
        if self._bundled_error is None:
            try:
                self.digits.get("bundled")
            except (OSError, ValueError) as exc:
                self._bundled_error = f"The MNIST digits cannot be loaded: {exc}"
        if self._bundled_error is not None:
            self._say(self._bundled_error, error=True)
        return self.digits.loaded("bundled")

    def _full_loaded(self, task: BackgroundTask) -> None:
        pending, self._pending_digit = self._pending_digit, None
        if task.error is not None:
            self._say(f"The full MNIST cannot be loaded: {task.error}", error=True)
            self.refresh_digit_sources()
            if self._source() == "full":
                self._select_source("bundled")
                self._source_chosen()
            return
        digits = task.result
        if self._source() == "full":
            self._update_digit_range()
        if pending is not None:
            self.load_digit(*pending, source="full")
        else:
            self._say(f"Full MNIST loaded: {digits.num_train:,} training and {digits.num_test:,} test digits.")

    def _update_digit_range(self) -> None:
        digits = self.digits.loaded(self._source())
        if digits is None:
            return
        images = digits.test_images if self._split() == "test" else digits.train_images
        self.digit_index.blockSignals(True)
        self.digit_index.setMaximum(max(0, len(images) - 1))
        self.digit_index.blockSignals(False)

    def load_digit(self, split: str = "test", index: int = 0, source: str = "bundled") -> str | None:
        """Put digit ``index`` of the ``split`` ("test"/"train") set of ``source`` on the grid.

        ``source`` is "bundled" (the subset shipped with the app) or "full" (the downloaded MNIST).
        Returns an error message, or None: done, or for a full MNIST not loaded yet, started in
        the background (the digit appears once it is loaded; a later request replaces this one).
        """
        if split not in SPLITS:
            message = f"Choose digits from {' or '.join(repr(key) for key in SPLITS)}, not {split!r}."
            self._say(message, error=True)
            return message
        if source not in DIGIT_SOURCES:
            message = f"Choose the digits of {' or '.join(repr(key) for key in DIGIT_SOURCES)}, not {source!r}."
            self._say(message, error=True)
            return message
        waiting = source == "full" and self.digits.loaded(source) is None
        self._pending_digit = (split, index) if waiting else None  # the newest request wins
        if waiting:
            self._select_source("full")
            self._digit_set("full")
            return None
        digits = self._digit_set(source)
        if digits is None:
            return self.message()
        images, labels = (
            (digits.test_images, digits.test_labels) if split == "test" else (digits.train_images, digits.train_labels)
        )
        if not 0 <= index < len(images):
            message = f"The {SPLITS[split].lower()} has digits 0 to {len(images) - 1}, not {index}."
            self._say(message, error=True)
            return message
        self._show_digit_choice(source, split, index)
        shape = self.document.session.image.shape
        image = resample(np.asarray(images[index], np.float32), shape)
        label = int(labels[index])
        name = "MNIST" if source == "bundled" else "Full MNIST"
        self.document.edit_image(np.clip(image, 0.0, 1.0), f"{name} {split} digit #{index} (label {label})")
        self.document.session.digit = DigitRef(source, split, index, label)
        self.show_digit()
        note = "" if shape == (28, 28) else f", scaled from 28x28 to {shape[0]}x{shape[1]}"
        self._say(f"{name} {split} digit #{index}: a handwritten {label}{note}.")
        return None

    def next_digit(self) -> None:
        digits = self._digit_set(self._source())
        if digits is not None:
            count = digits.num_test if self._split() == "test" else digits.num_train
            self.load_digit(self._split(), (self.digit_index.value() + 1) % count, self._source())

    # ----- picture import
    def import_image_file(self, path: str | Path) -> str | None:
        """Import a PNG/JPEG/BMP picture into the grid; returns an error message or None."""
        name = Path(path).name
        picture = QImage(str(path))
        if picture.isNull():
            message = f"{name}: not a readable PNG, JPEG or BMP image."
            self._say(message, error=True)
            return message
        image, inverted = qimage_to_grid(picture, self.document.session.image.shape)
        self.document.edit_image(image, f"Import {name}")
        note = " Its background was light, so it was inverted: dark strokes are now ink (1)." if inverted else ""
        self._say(f"Imported {name} ({picture.width()}x{picture.height()}, made grey and scaled).{note}")
        return None

    def _choose_image_file(self) -> None:
        from PySide6.QtWidgets import QFileDialog

        path, _ = QFileDialog.getOpenFileName(self, "Import image", "", "Images (*.png *.jpg *.jpeg *.bmp)")
        if path:
            self.import_image_file(path)
