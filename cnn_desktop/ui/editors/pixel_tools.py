"""Painting for the pixel editor: the brush row, strokes and the grid-size row.

Two kinds of brush: the soft digit pen (``cnn_desktop.pen``), whose strokes look like MNIST's and
which digit-sized grids start with, and hard square or round brushes that set cells to the brush
value, for the lecture's small 0/1 images.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QSlider,
    QSpinBox,
    QToolButton,
    QWidget,
)

from ...digits import prepare_like_mnist
from ...image_presets import IMAGE_PRESETS
from ...pen import MIN_DIGIT_GRID, Footprint, default_pen, stroke_ink, stroke_values
from ...session import MAX_GRID, MIN_GRID
from ..document import SessionDocument


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


SOFT_PEN, SQUARE, ROUND = "Soft pen", "Square", "Round"


class BrushBar(QWidget):
    """The brush row: the value the left button paints (box and slider), the size and the shape.

    The shape is the soft digit pen (its width follows the grid, so the size box rests) or a hard
    square or round brush of the chosen size.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
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
        self.brush_shape.addItems([SOFT_PEN, SQUARE, ROUND])
        self.brush_shape.setItemData(
            0, "Round with soft edges, about 2 px wide on 28x28: strokes like MNIST's", Qt.ItemDataRole.ToolTipRole
        )
        self.brush_shape.setToolTip(
            "Soft pen: round with soft edges, like MNIST's strokes (the default on digit-sized grids).\n"
            "Square or Round: hard brushes that set every cell they touch to the brush value (a plus at 3 px)."
        )
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(QLabel("Brush"))
        row.addWidget(self.brush_value)
        row.addWidget(self.brush_slider, 1)
        row.addWidget(self.brush_size)
        row.addWidget(self.brush_shape)
        self.brush_value.valueChanged.connect(self._sync_slider)
        self.brush_slider.valueChanged.connect(lambda v: self.brush_value.setValue(v / 100))
        self.brush_shape.currentTextChanged.connect(lambda shape: self.brush_size.setEnabled(shape != SOFT_PEN))
        self.brush_size.setEnabled(False)

    def brush(self) -> tuple[float, int, bool]:
        """(value, size in pixels, round) of the hard brush."""
        return self.brush_value.value(), self.brush_size.value(), self.brush_shape.currentText() == ROUND

    def soft(self) -> bool:
        """Whether the soft digit pen is chosen."""
        return self.brush_shape.currentText() == SOFT_PEN

    def footprint(self, grid_shape: tuple[int, int]) -> Footprint:
        """The cells (and ink) one dab covers on a grid of ``grid_shape``."""
        if self.soft():
            return default_pen(grid_shape)
        rows, cols = brush_offsets(self.brush_size.value(), self.brush_shape.currentText() == ROUND)
        return Footprint(rows, cols, np.ones(len(rows), np.float32))

    def suit_grid(self, grid_shape: tuple[int, int]) -> None:
        """The default brush of a grid: the soft pen on digit-sized grids, a hard 1-pixel one on smaller grids."""
        if min(grid_shape) >= MIN_DIGIT_GRID:
            self.brush_shape.setCurrentText(SOFT_PEN)
        else:
            self.brush_shape.setCurrentText(SQUARE)
            self.brush_size.setValue(1)

    def _sync_slider(self, value: float) -> None:
        self.brush_slider.blockSignals(True)
        self.brush_slider.setValue(round(value * 100))
        self.brush_slider.blockSignals(False)


@dataclass(frozen=True)
class BrushTarget:
    """What a brush paints: one ``channel`` (its ``channel_name`` for the undo text) or all (None),
    and for a colour picture the brush ``colour`` (r, g, b) in [0, 1], which scales the brush value
    per channel."""

    channel: int | None = None
    channel_name: str = ""
    colour: tuple[float, float, float] | None = None

    def strength(self, channel: int) -> float:
        """The share of the brush value ``channel`` gets: its part of the colour, else all of it."""
        return 1.0 if self.colour is None or channel >= len(self.colour) else self.colour[channel]


class StrokePainter:
    """Turns a mouse press, drags and release on the grid into one undoable paint stroke.

    The left button paints the brush value, the right one erases; the cells between two drag
    positions are painted too, so a fast drag leaves no gaps. The soft pen only darkens when it
    paints and only lightens when it erases (``pen.stroke_values``); a hard brush sets cells to the
    brush value, or to 0. With ``prepare_after`` on, the drawing is prepared like MNIST when the
    stroke ends, in the same undo step.
    """

    def __init__(
        self,
        document: SessionDocument,
        brushes: BrushBar,
        prepare_after: Callable[[], bool] = lambda: False,
        target: Callable[[], BrushTarget] = lambda: BrushTarget(),
    ) -> None:
        self.document = document
        self.brushes = brushes
        self.target = target
        self.prepare_after = prepare_after
        self._stroke: dict | None = None

    def start(self, row: int, col: int, button: Qt.MouseButton) -> None:
        if button == Qt.MouseButton.LeftButton:
            value, text = self.brushes.brush_value.value(), "Paint"
            name = self.target().channel_name
            text = f"Paint {name}" if name else text
        elif button == Qt.MouseButton.RightButton:
            value, text = 0.0, "Erase"
        else:
            return
        if self._stroke is not None:
            self.finish(button)
        self._stroke = {"value": value, "text": text, "last": (row, col), "erase": text == "Erase", "to": self.target()}
        self.document.begin_stroke()
        self._dab_line((row, col), (row, col))

    def active(self) -> bool:
        """Whether a stroke is under way (between a press and its release)."""
        return self._stroke is not None

    def extend(self, row: int, col: int, _buttons: Qt.MouseButton) -> None:
        if self._stroke is None:
            return
        self._dab_line(self._stroke["last"], (row, col))
        self._stroke["last"] = (row, col)

    def finish(self, _button: Qt.MouseButton) -> None:
        stroke, self._stroke = self._stroke, None
        if stroke is None:
            return
        text = f"{stroke['text']} stroke"
        if self.prepare_after() and self.document.session.depth == 1:
            image = self.document.session.image[0]
            try:
                prepared = prepare_like_mnist(image, image.shape)
            except ValueError:
                prepared = None  # nothing left to prepare (erased to empty): the stroke alone
            if prepared is not None:
                rows, cols = np.indices(image.shape)
                self.document.paint(rows.ravel(), cols.ravel(), prepared.ravel())
                text += " + prepare like MNIST"
        self.document.end_stroke(text)

    def _dab_line(self, start: tuple[int, int], end: tuple[int, int]) -> None:
        image, target = self.document.session.image, self._stroke["to"]
        channels = [target.channel] if target.channel is not None else range(image.shape[0])
        pen = self.brushes.footprint(image.shape[1:])
        erase = self._stroke["erase"]
        rows, cols, ink = stroke_ink(start, end, pen, image.shape[1:])
        if not len(rows):
            return
        planes = []
        for channel in channels:
            value = self._stroke["value"] * target.strength(channel)
            if not self.brushes.soft():
                new = np.full(len(rows), 0.0 if erase else value, np.float32)
            elif erase or target.colour is None:
                new = stroke_values(image[channel], start, end, pen, value, erase)[2]
            else:  # a colour covers what is under it as far as its ink goes, dark colours too
                old = image[channel, rows, cols]
                new = old + ink * (np.float32(value) - old)
            planes.append(new.astype(np.float32))
        if target.channel is not None:
            self.document.paint(rows, cols, planes[0], target.channel)
        else:
            self.document.paint(rows, cols, np.stack(planes))


class GridBar(QWidget):
    """The grid row: the image size, whether its content scales along, the presets and Import."""

    def __init__(self, import_button: QToolButton, parent: QWidget | None = None) -> None:
        super().__init__(parent)
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
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.grid_size)
        row.addWidget(self.scale_content)
        row.addWidget(self.presets, 1)
        row.addWidget(import_button)
