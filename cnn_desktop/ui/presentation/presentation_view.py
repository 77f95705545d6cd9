"""The presentation layout: ``input * kernel = output -> ReLU -> max pool``, sized to the screen.

A headline (scene title and caption) sits above one or two rows of numbered grids with the
operators between them. Which panels to show and how large is decided by
:mod:`cnn_desktop.state.presentation`; this view only places the widgets and hands them the
newest result of the document, so an edit in the normal window shows here at once.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetrics, QResizeEvent
from PySide6.QtWidgets import QLabel, QWidget

from ...compute import ForwardResult
from ...input_channels import channel_names
from ...state.presentation import PanelSpec, kernel_factor, kernel_slices, panels_for
from ...state.presentation_fit import Box, fit_panels
from ...state.view_options import ViewOptions
from ..colours import DEFAULT_DIVERGING, channel_map, diverging, greyscale, symmetric_level
from ..document import SessionDocument
from ..editors.grid_view import GridRect, NumberGridView
from ..fonts import pixel_font
from .probability_bars import ProbabilityBarsView

NUMBER_SCALE = 1.75
"""Zoom of the cell numbers over the grid's default: as large as their cells allow."""

SIDE_MARGIN = 16
SELECTED_COLOUR = "#ffb000"  # amber, as the receptive field everywhere else in the app


def headline_pixels(height: int) -> tuple[int, int]:
    """Pixel sizes of the title and the caption for a presentation area ``height`` px tall."""
    return max(20, round(height * 0.036)), max(17, round(height * 0.025))


class PresentationView(QWidget):
    """The scene's input, kernel(s) and output side by side, following the live document."""

    def __init__(self, document: SessionDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.options: dict = {}
        self.panels: list[PanelSpec] = []
        self.panel_widgets: list[list[QWidget]] = []  # per panel: its grids (or the bars)
        self.labels: list[QLabel] = []
        self.operators: list[QLabel] = []
        self.unit = 0
        self.shown_version = -1  # the document version whose result is drawn
        self._palette = DEFAULT_DIVERGING
        self._result: ForwardResult | None = document.latest
        self.title = QLabel(self)
        self.caption = QLabel(self)
        self.caption.setWordWrap(True)
        self.title.setWordWrap(True)
        document.result_ready.connect(self.show_result)
        document.weights_notice_changed.connect(self.show_weights_notice)

    # ----- what to show
    def set_headline(self, title: str, caption: str) -> None:
        self.title.setText(title)
        self.caption.setText(caption)
        self.title.setVisible(bool(title))
        self.caption.setVisible(bool(caption))
        self._relayout()

    def set_options(self, options: ViewOptions | dict) -> None:
        """The scene's view options (``kernel_layer``, ``kernel_factor``): which kernels, which factor."""
        self.options = options.to_json() if isinstance(options, ViewOptions) else dict(options)
        self._rebuild()

    def set_palette(self, name: str) -> None:
        self._palette = name
        self._rebuild()

    def show_result(self, result: ForwardResult) -> None:
        """Draw the newest result; a new network (other shapes) rebuilds the panels first."""
        self._result = result
        if self.isVisible():
            self._rebuild()

    def show_weights_notice(self) -> None:
        """The probability bars say, as the probabilities panel does, when the weights are not trained ones."""
        bars = self.probability_bars()
        if bars is not None:
            bars.set_notice(self.document.weights_notice())

    def probability_bars(self) -> ProbabilityBarsView | None:
        """The class probabilities panel's bars, or None when the scene shows none."""
        for panel, widgets in zip(self.panels, self.panel_widgets, strict=True):
            if panel.kind == "probabilities":
                return widgets[0]
        return None

    def key_grids(self) -> list[QWidget]:
        """The widgets of the output the caption is about (the last panel)."""
        return self.panel_widgets[-1] if self.panel_widgets else []

    def showEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().showEvent(event)
        self._rebuild()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt's name)
        super().resizeEvent(event)
        self._relayout()

    # ----- building the panels
    def _rebuild(self) -> None:
        result = self._result
        if result is None:
            return
        panels = panels_for(result.network, self.options, result.stages)
        if [_shape(panel) for panel in panels] != [_shape(panel) for panel in self.panels]:
            self._clear()
            self.panels = panels
            for panel in panels:
                self._build_panel(panel)
            self.show_weights_notice()
            self._relayout()
        elif panels != self.panels:  # longer or shorter numbers: other cell sizes
            self.panels = panels
            self._relayout()
        self._show_values(result)
        self.shown_version = result.version

    def _clear(self) -> None:
        for widget in [*self.labels, *self.operators, *(w for ws in self.panel_widgets for w in ws)]:
            widget.hide()
            widget.deleteLater()
        self.labels, self.operators, self.panel_widgets = [], [], []

    def _build_panel(self, panel: PanelSpec) -> None:
        label = QLabel(panel.label, self)
        label.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom)
        operator = QLabel(panel.operator, self)
        operator.setAlignment(Qt.AlignmentFlag.AlignCenter)
        operator.setVisible(bool(panel.operator))
        self.labels.append(label)
        self.operators.append(operator)
        if panel.kind == "probabilities":
            widgets: list[QWidget] = [ProbabilityBarsView(self)]
        else:
            widgets = []
            for _ in range(panel.grids):
                grid = NumberGridView(pad=panel.pad, parent=self)
                grid.setFocusPolicy(Qt.FocusPolicy.NoFocus)
                grid.setMinimumSize(1, 1)
                grid.set_numbers_visible(True if panel.numbers else False)
                grid.font_scale = NUMBER_SCALE
                widgets.append(grid)
        for widget in widgets:
            widget.show()
        label.show()
        self.panel_widgets.append(widgets)

    def _show_values(self, result: ForwardResult) -> None:
        for panel, widgets in zip(self.panels, self.panel_widgets, strict=True):
            if panel.kind == "probabilities":
                widgets[0].set_probabilities(result.probabilities)
                continue
            maps = self._panel_maps(panel, result)
            colormap = greyscale() if panel.stage == 0 else diverging(self._palette)
            if panel.stage == 0:
                levels = (0.0, 1.0)
            else:
                level = symmetric_level(maps)
                levels = (-level, level)
            names = channel_names(len(maps)) if panel.stage == 0 and len(maps) > 1 else ()
            for index, (grid, values) in enumerate(zip(widgets, maps, strict=False)):
                grid.set_colormap(channel_map(names[index]) if names else colormap)  # red channel in red...
                grid.set_array(values, levels)
            if panel.kind == "map":
                self._show_field(panel, widgets, result)

    @staticmethod
    def _show_field(panel: PanelSpec, grids: list[QWidget], result: ForwardResult) -> None:
        """The selected unit outlined, and the input cells it was computed from tinted (its receptive field)."""
        field = result.field
        for channel, grid in enumerate(grids):
            mask, overlays = None, []
            if field is not None and panel.stage is not None:
                unit = field.selection
                if panel.stage == unit.stage and channel == unit.channel:
                    overlays = [GridRect(unit.y, unit.x, unit.y, unit.x, SELECTED_COLOUR, 5.0)]
                elif panel.stage < unit.stage and panel.stage in field.field:
                    stage_mask = field.field[panel.stage]
                    mask = stage_mask[min(channel, len(stage_mask) - 1)]
                    box = field.boxes.get(panel.stage)
                    if box is not None:
                        overlays = [GridRect(*box, SELECTED_COLOUR, 4.0)]
            grid.set_highlight(mask)
            grid.set_overlays(overlays)

    def _panel_maps(self, panel: PanelSpec, result: ForwardResult) -> np.ndarray:
        """(grids, H, W) values of a map or kernel panel; kernels divided by the scene's factor."""
        if panel.kind == "kernels":
            weights = kernel_slices(result.network, panel.layer)
            return np.asarray(weights, np.float64) / kernel_factor(str(self.options.get("kernel_factor", "1")))
        return np.asarray(result.stages[panel.stage])

    # ----- placing them
    def _relayout(self) -> None:
        width, height = self.width(), self.height()
        title_px, caption_px = headline_pixels(height)
        self.title.setFont(pixel_font(title_px, bold=True))
        self.caption.setFont(pixel_font(caption_px))
        inner = width - 2 * SIDE_MARGIN
        top = SIDE_MARGIN // 2
        title_height = self.title.heightForWidth(inner) if self.title.isVisibleTo(self) else 0
        self.title.setGeometry(SIDE_MARGIN, top, inner, title_height)
        top += title_height
        if self.caption.isVisibleTo(self):
            caption_height = self.caption.heightForWidth(inner)
            self.caption.setGeometry(SIDE_MARGIN, top, inner, caption_height)
            top += caption_height
        top += SIDE_MARGIN // 2
        if not self.panels:
            return
        label_font = pixel_font(caption_px)
        operator_font = pixel_font(title_px * 1.25, bold=True)
        label_metrics = QFontMetrics(label_font)
        label_height = label_metrics.height() + 4
        label_widths = [label_metrics.horizontalAdvance(p.label) + 8 for p in self.panels]
        metrics = QFontMetrics(operator_font)
        operator_widths = [_text_width(metrics, p.operator) + 8 if p.operator else 0 for p in self.panels]
        fitting = fit_panels(
            self.panels,
            inner,
            max(1, height - top - SIDE_MARGIN // 2),
            label_height=label_height,
            operator_widths=operator_widths,
            label_widths=label_widths,
        )
        self.unit = fitting.unit
        for index, placement in enumerate(fitting.placements):
            self.labels[index].setFont(label_font)
            self._place(self.labels[index], placement.label, SIDE_MARGIN, top)
            if placement.operator is not None:
                self.operators[index].setFont(operator_font)
                self._place(self.operators[index], placement.operator, SIDE_MARGIN, top)
            for widget, box in zip(self.panel_widgets[index], placement.grids, strict=True):
                self._place(widget, box, SIDE_MARGIN, top)

    @staticmethod
    def _place(widget: QWidget, box: Box, left: int, top: int) -> None:
        widget.setGeometry(left + box.x, top + box.y, box.width, box.height)


def _shape(panel: PanelSpec) -> PanelSpec:
    """``panel`` without its cell size: panels of equal shape reuse their widgets."""
    return PanelSpec(**{**panel.__dict__, "units": 1.0})


def _text_width(metrics: QFontMetrics, text: str) -> int:
    return max(metrics.horizontalAdvance(line) for line in text.split("\n"))
