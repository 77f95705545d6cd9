"""Every feature map of the network, live: each stage's channels tiled into one mosaic image.

Speed is the point: a pixel edit must redraw all maps within a frame, so each stage (the input
image, then every layer's output) is ONE pyqtgraph ``ImageItem`` showing all its channels tiled in
a grid with a one-cell gap (NaN, drawn transparent). Items are created once per pipeline and then
only updated with ``setImage``; the mosaics are built with NumPy in the slot that receives
``result_ready``; ``paint`` only draws. Small maps also show their numbers, as on the slides, drawn
by one item per stage. Scene coordinates are the canvas widget's pixels (pyqtgraph's pixel mode).

This module is the widget; the pieces it puts together live next to it: ``cnn_desktop.mosaic``
(tiling geometry, no Qt), ``map_items`` (numbers, boxes, colour bar), ``map_stage`` (one stage's
items, layout and drawing), ``map_highlights`` (tints and boxes), ``map_canvas`` (the scrolling
pixel canvas), ``map_pointer`` (hover, click, wheel) and ``map_toolbar`` (the zoom strip).
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Signal
from PySide6.QtGui import QColor, QPen
from PySide6.QtWidgets import (
    QGraphicsRectItem,
    QGraphicsScene,
    QGraphicsSimpleTextItem,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from ...compute import ForwardResult
from ...mosaic import MosaicGrid, choose_grid
from ..colours import (
    DEFAULT_DIVERGING,
    colour_table,
    diverging,
    greyscale,
    text_colour_table,
)
from ..document import SessionDocument
from ..fonts import TEXT_ZOOM, text_font
from .map_canvas import MapsCanvas
from .map_highlights import Colour, HighlightLayers
from .map_items import NOTE_COLOUR
from .map_pointer import ZOOM_STEP, MapsPointer
from .map_stage import GROUP_SPACING, MARGIN, SCALINGS, StageGroup, bar_area, title_height
from .map_toolbar import zoom_toolbar

SELECTION_COLOUR = (255, 221, 0)
HOVER_COLOUR = (255, 255, 255)
ZOOM_RANGE = (0.5, 4.0)

Unit = tuple[int, int, int, int]  # stage, channel, y, x


class FeatureMapsView(QWidget):
    """All feature maps of the pipeline, updated on every result; hover reads, click selects a unit.

    Stage 0 is the input image (0..1: grey, or each channel of a colour picture black to its own colour
    and named under its map), stage ``i + 1`` the output of layer ``i`` (diverging
    colours, zero at mid-grey, symmetric levels chosen by :meth:`set_scaling`).
    """

    unit_hovered = Signal(int, int, int, int, float)  # stage, channel, y, x, value
    unit_clicked = Signal(int, int, int, int)  # stage, channel, y, x

    def __init__(self, document: SessionDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self._scaling = "layer"
        self._colour_map = diverging(DEFAULT_DIVERGING)
        self._lut = colour_table(self._colour_map)
        self._dark_text = self._dark_text_table(self._lut)
        self._grey_lut = colour_table(greyscale())
        self._grey_dark_text = self._dark_text_table(self._grey_lut)
        self._zoom = 1.0
        self._groups: list[StageGroup] = []
        self._labels: list[str] = []
        self._key: tuple | None = None
        self._layout_key: tuple | None = None
        self._result: ForwardResult | None = None
        self.maps_drawn = 0
        """How often the maps' images were redrawn from a result: tests count it."""
        self._highlights = HighlightLayers()
        self.shown_version = -1

        self.canvas = MapsCanvas()
        scene = self.canvas.scene()
        scene.setItemIndexMethod(QGraphicsScene.ItemIndexMethod.NoIndex)
        self._selection_item = self._outline_item(SELECTION_COLOUR, 3.0, 20)
        self._hover_item = self._outline_item(HOVER_COLOUR, 2.0, 21)
        self._empty_note = QGraphicsSimpleTextItem("Waiting for the first result…")
        self._empty_note.setFont(text_font(16))
        self._empty_note.setBrush(QColor(*NOTE_COLOUR))
        self._empty_note.setPos(MARGIN, MARGIN)
        scene.addItem(self._empty_note)

        self._pointer = MapsPointer(self, self._hover_item)
        self.canvas.resized.connect(self._relayout)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        toolbar, self.zoom_label = zoom_toolbar(self, self.zoom_in, self.zoom_out, lambda: self.set_zoom(1.0))
        layout.addLayout(toolbar)
        layout.addWidget(self.canvas, 1)

        document.result_ready.connect(self.show_result)
        document.selection_changed.connect(self._outline_selection)
        if document.latest is not None:
            self.show_result(document.latest)

    # ----- construction
    def _outline_item(self, colour: tuple[int, int, int], width: float, z: float) -> QGraphicsRectItem:
        item = QGraphicsRectItem()
        pen = QPen(QColor(*colour), width)
        pen.setCosmetic(True)
        item.setPen(pen)
        item.setZValue(z)
        item.setVisible(False)
        self.canvas.scene().addItem(item)
        return item

    @staticmethod
    def _dark_text_table(lut: np.ndarray) -> np.ndarray:
        """For each LUT entry: True when black text reads better on it (colours.text_colour_table)."""
        return text_colour_table(lut)[:, 0] == 0

    # ----- public settings
    @property
    def scaling(self) -> str:
        return self._scaling

    def set_scaling(self, mode: str) -> None:
        """Colour levels per ``"layer"`` (its max |v|), per ``"channel"`` (each relative ±1) or ``"global"``."""
        if mode not in SCALINGS:
            raise ValueError(f"scaling must be one of {', '.join(SCALINGS)}, not {mode!r}")
        if mode != self._scaling:
            self._scaling = mode
            for group in self._groups[1:]:
                group.note.setText(group.note_text(mode))
            self._draw_result()

    def set_palette(self, name: str) -> None:
        """Use the diverging palette ``name`` (colours.DIVERGING) for every layer."""
        self._colour_map = diverging(name)
        self._lut = colour_table(self._colour_map)
        self._dark_text = self._dark_text_table(self._lut)
        for group in self._groups[1:]:
            group.image.setLookupTable(self._lut, update=False)
            group.bar.set_colour_map(self._colour_map)
        self._draw_result()

    @property
    def zoom(self) -> float:
        return self._zoom

    def set_zoom(self, zoom: float) -> None:
        """Scale the maps (1 = fit about 100 px per map); bigger cells show their numbers."""
        zoom = float(min(max(zoom, ZOOM_RANGE[0]), ZOOM_RANGE[1]))
        if zoom != self._zoom:
            self._zoom = zoom
            self.zoom_label.setText(f"{round(zoom * 100)}%")
            self._relayout(force=True)

    def follow_text_zoom(self) -> None:
        """Larger text: larger cells, titles and colour bars (the layout key holds the text zoom)."""
        self._empty_note.setFont(text_font(16))
        self._relayout()

    def zoom_in(self) -> None:
        self.set_zoom(self._zoom * ZOOM_STEP)

    def zoom_out(self) -> None:
        self.set_zoom(self._zoom / ZOOM_STEP)

    # ----- public queries (also used by tests and by the receptive-field views)
    def stage_count(self) -> int:
        return len(self._groups)

    def image_item(self, stage: int) -> pg.ImageItem:
        """The ImageItem that shows stage ``stage``'s mosaic (its ``image`` is the tiled data)."""
        return self._groups[stage].image

    def levels(self, stage: int) -> tuple[float, float]:
        """The colour levels (low, high) of stage ``stage``."""
        return self._groups[stage].levels

    def grid(self, stage: int) -> MosaicGrid:
        return self._groups[stage].grid

    def stage_caption(self, stage: int) -> tuple[str, str]:
        """The (name, shape and colour note) written above stage ``stage``."""
        group = self._groups[stage]
        return group.title.text(), group.note.text()

    def colour_bar_labels(self, stage: int) -> tuple[str, str, str]:
        """The (top, middle, bottom) values written on stage ``stage``'s colour bar."""
        return self._groups[stage].bar.labels()

    def number_cells(self, stage: int) -> list[tuple[QRectF, str]]:
        """What the stage's number item draws: (cell rect in scene coordinates, text); empty when hidden."""
        group = self._groups[stage]
        offset = group.mosaic_rect.topLeft()
        return [(rect.translated(offset), text) for rect, text in group.numbers.cells()]

    def boxes(self, stage: int) -> list[QRectF]:
        """Highlight boxes of ``stage`` in scene coordinates."""
        group = self._groups[stage]
        return [rect.translated(group.mosaic_rect.topLeft()) for rect in group.boxes.boxes()]

    def overlay_image(self, stage: int) -> np.ndarray | None:
        """The RGBA highlight overlay (rows, cols, 4) of ``stage``, None when it has none."""
        overlay = self._groups[stage].overlay
        return overlay.image if overlay.isVisible() else None

    def mosaic_position(self, stage: int, channel: int, y: int, x: int) -> tuple[int, int]:
        """(row, col) of unit (channel, y, x) of ``stage`` in its mosaic image."""
        return self._groups[stage].grid.position(channel, y, x)

    def unit_at_mosaic(self, stage: int, row: int, col: int) -> tuple[int, int, int] | None:
        """Inverse of :meth:`mosaic_position`: (channel, y, x), or None on a gap."""
        return self._groups[stage].grid.unit_at(row, col)

    def unit_scene_rect(self, stage: int, channel: int, y: int, x: int) -> QRectF:
        """The cell of a unit in scene (= canvas pixel) coordinates."""
        group = self._groups[stage]
        row, col = group.grid.position(channel, y, x)
        top_left = group.mosaic_rect.topLeft()
        return QRectF(top_left.x() + col * group.cell, top_left.y() + row * group.cell, group.cell, group.cell)

    def unit_at_scene(self, point: QPointF) -> Unit | None:
        """(stage, channel, y, x) under scene point ``point``, or None."""
        for group in self._groups:
            rect = group.mosaic_rect
            if rect.contains(point):
                row = int((point.y() - rect.top()) // group.cell)
                col = int((point.x() - rect.left()) // group.cell)
                unit = group.grid.unit_at(row, col)
                return None if unit is None else (group.stage, *unit)
        return None

    def value(self, stage: int, channel: int, y: int, x: int) -> float:
        """The value of a unit in the shown result (0 before the first result)."""
        if self._result is None:
            return 0.0
        values = self._result.stages[stage]
        return float(values[x] if values.ndim == 1 else values[channel, y, x])

    def hover_text(self, stage: int, channel: int, y: int, x: int, value: float) -> str:
        """``layer 3 (conv 3x3) channel 5 (row 4, col 7) = -0.1234`` for the status bar."""
        name = self._labels[stage] if stage < len(self._labels) else f"stage {stage}"
        if stage < len(self._groups) and self._groups[stage].flat:
            return f"{name} unit {x} = {value:.4f}"
        where = f"(row {y}, col {x})"
        if stage == 0:
            return f"{name} pixel {where} = {value:.4f}"
        return f"{name} channel {channel} {where} = {value:.4f}"

    def selection_rect(self) -> QRectF | None:
        """The outlined selected unit's cell in scene coordinates, None when nothing is selected."""
        return self._selection_item.rect() if self._selection_item.isVisible() else None

    def ensure_visible(self, stage: int, unit: tuple[int, int, int] | None = None) -> None:
        """Scroll so that stage ``stage`` (its top, or the cell of ``unit`` = (channel, y, x)) is in view."""
        if unit is not None:
            centre = self.unit_scene_rect(stage, *unit).center()
            self.canvas.ensureVisible(QRectF(centre.x() - 1, centre.y() - 1, 2, 2), 40, 60)
            return
        rect = self._groups[stage].mosaic_rect
        height = min(rect.height(), 0.8 * self.canvas.viewport().height())
        self.canvas.ensureVisible(QRectF(rect.left(), rect.top(), rect.width(), height), 0, round(title_height()))

    # ----- highlights (receptive fields and the like)
    def set_stage_masks(self, masks: dict[int, np.ndarray], colour: Colour, key: str = "masks") -> None:
        """Tint the units where ``masks[stage]`` (bool, shaped like the stage) is True.

        Highlights are kept per ``key``: a new call with the same key replaces them, other keys stay.
        """
        self._highlights.set_masks(key, masks, colour, [group.shape for group in self._groups])
        self._draw_highlights()

    def set_highlights(self, per_stage: dict[int, list[tuple]], key: str = "highlights") -> None:
        """Per stage, a list of (channel, mask (H, W) bool or box (top, left, bottom, right), colour).

        Masks tint their cells of that channel; boxes (inclusive unit coordinates, clipped to the
        map) are outlined. For a flat stage the mask is (F,) and the box is (0, first, 0, last).
        """
        self._highlights.set_items(key, per_stage, [group.shape for group in self._groups])
        self._draw_highlights()

    def clear_highlights(self, key: str | None = None) -> None:
        """Remove the highlights of ``key``, or all of them."""
        self._highlights.clear(key)
        self._draw_highlights()

    def _draw_highlights(self) -> None:
        for group in self._groups:
            group.show_highlights(self._highlights.of_stage(group.stage))

    # ----- results
    def show_result(self, result: ForwardResult) -> None:
        """Redraw every map from ``result`` (rebuilding the items only when the shapes changed).

        A result for a new selection only (same ``inputs_version``) shares the activations already
        shown: the maps stay as they are and only the highlights, set by their owners, change.
        """
        network = result.network
        labels = ["input image"] + [network.label(i) for i in range(len(network.layers))]
        key = tuple((label, tuple(stage.shape)) for label, stage in zip(labels, result.stages, strict=True))
        shown = self._result
        unchanged = (
            shown is not None
            and result.inputs_version is not None
            and result.inputs_version == shown.inputs_version
            and all(a is b for a, b in zip(result.stages, shown.stages, strict=False))
        )
        self._result = result
        if key != self._key:
            self._rebuild(key, labels, [tuple(stage.shape) for stage in result.stages])  # also draws
        elif not unchanged:
            self._draw_result()
        self.shown_version = result.version
        hovered = self._pointer.hovered
        if hovered is not None:
            self.unit_hovered.emit(*hovered, self.value(*hovered))

    def _rebuild(self, key: tuple, labels: list[str], shapes: list[tuple[int, ...]]) -> None:
        scene = self.canvas.scene()
        for group in self._groups:
            scene.removeItem(group.root)
        self._groups = []
        self._key, self._labels = key, labels
        for stage, (label, shape) in enumerate(zip(labels, shapes, strict=True)):
            group = StageGroup(stage, label, shape)
            if stage == 0:  # a colour picture's channels come coloured (StageGroup.draw), a grey one through the LUT
                group.image.setLookupTable(None if group.channel_names else self._grey_lut, update=False)
                group.bar.set_colour_map(greyscale())
            else:
                group.note.setText(group.note_text(self._scaling))
                group.image.setLookupTable(self._lut, update=False)
                group.bar.set_colour_map(self._colour_map)
            scene.addItem(group.root)
            self._groups.append(group)
        self._empty_note.setVisible(False)
        self._pointer.forget()
        self._highlights.keep_stages(len(shapes))
        self._relayout(force=True)

    def _available_width(self) -> float:
        # the width without a scroll bar, minus a scroll bar's width whether it shows or not, so that
        # the bar appearing never changes the layout (which could make it disappear again)
        scroll_bar = self.canvas.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent)
        return self.canvas.width() - 2 * self.canvas.frameWidth() - scroll_bar - 2 * MARGIN - bar_area()

    def _relayout(self, force: bool = False) -> None:
        """Place every group for the current width and zoom; the canvas grows to the total height."""
        available = self._available_width()
        layout_key = (round(available), self._zoom, TEXT_ZOOM.factor)
        if not force and layout_key == self._layout_key:
            return
        self._layout_key = layout_key
        top = float(MARGIN)
        for group in self._groups:
            grid, cell = choose_grid(group.shape, available, self._zoom * TEXT_ZOOM.factor)
            top += group.place(top, grid, cell) + GROUP_SPACING
        self.canvas.set_content_height(top)
        self._pointer.forget()
        self._draw_result(rect_changed=True)
        self._draw_highlights()
        self._outline_selection()

    def _draw_result(self, rect_changed: bool = False) -> None:
        """Mosaics, levels, colour bars and numbers of every stage from the shown result."""
        result = self._result
        if result is None or not self._groups:
            return
        self.maps_drawn += 1
        peaks = result.levels  # found by the compute worker
        global_peak = max(peaks[1:], default=1.0)
        for group, values, peak in zip(self._groups, result.stages, peaks, strict=True):
            dark_text = self._grey_dark_text if group.stage == 0 else self._dark_text
            group.draw(values, global_peak if self._scaling == "global" else peak, self._scaling, dark_text)
            if rect_changed:
                group.image.setRect(group.local_mosaic_rect())

    # ----- selection and pointer
    def _outline_selection(self) -> None:
        selection = self.document.session.selection
        if selection is None or not 0 <= selection.stage < len(self._groups):
            self._selection_item.setVisible(False)
            return
        group = self._groups[selection.stage]
        channel = 0 if group.flat else selection.channel
        if group.grid.flat and not 0 <= selection.x < group.grid.width:
            self._selection_item.setVisible(False)
            return
        self._selection_item.setRect(self.unit_scene_rect(selection.stage, channel, selection.y, selection.x))
        self._selection_item.setVisible(True)

    def showEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().showEvent(event)
        self._relayout()
