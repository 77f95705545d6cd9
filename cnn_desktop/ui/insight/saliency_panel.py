"""The "Why it decided" panel and its overlay on the input image: saliency or occlusion, live.

Every new result of the document (the user painted, changed a weight, selected a unit) becomes a
request for a :class:`~.latest_task.LatestTask`, so painting never waits for the map and never
queues up work.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QEvent, QObject, QRectF, Qt
from PySide6.QtGui import QImage, QPainter, QPaintEvent
from PySide6.QtWidgets import QCheckBox, QComboBox, QFormLayout, QLabel, QVBoxLayout, QWidget

from ...compute import ForwardResult
from ...engine import Network, Unit
from ...insight import occlusion_map, saliency
from ..colours import DEFAULT_DIVERGING, DIVERGING, symmetric_level
from ..document import SessionDocument
from ..editors.grid_view import NumberGridView
from ..workers import BackgroundTask
from .latest_task import LatestTask
from .pictures import diverging_rgba

MODES = {
    "gradient": "Gradient (how each pixel's slope moves the score)",
    "gradient_x_input": "Gradient × input (only where there is ink)",
    "occlusion_zero": "Occlusion: hide a 5x5 square (background)",
    "occlusion_grey": "Occlusion: hide a 5x5 square (grey 0.5)",
}
SELECTED = -1
PREDICTED = -2
TASK = "saliency"


@dataclass(frozen=True)
class ExplainRequest:
    """One map to compute: a frozen image (C, H, W) and network, a target unit, and a mode."""

    image: np.ndarray
    network: Network
    unit: Unit | int
    mode: str
    caption: str


def explain(request: ExplainRequest) -> np.ndarray:
    """The (H, W) map of ``request``, summed over input channels for the gradient modes."""
    if request.mode.startswith("occlusion"):
        fill = 0.5 if request.mode == "occlusion_grey" else 0.0
        return occlusion_map(request.network, request.image, request.unit, fill=fill)
    result = saliency(request.network, request.image, request.unit)
    chosen = result.gradient if request.mode == "gradient" else result.gradient_x_input
    return chosen.sum(axis=0)


class SaliencyOverlayView(QWidget):
    """A see-through layer over the pixel grid; draws a prepared image into the grid's cells."""

    def __init__(self, grid: NumberGridView) -> None:
        super().__init__(grid)
        self.grid = grid
        self.image: QImage | None = None
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setAttribute(Qt.WidgetAttribute.WA_NoSystemBackground)
        grid.installEventFilter(self)
        self.setGeometry(grid.rect())
        self.hide()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt's name)
        if watched is self.grid and event.type() == QEvent.Type.Resize:
            self.setGeometry(self.grid.rect())
        return False

    def set_map(self, rgba: np.ndarray | None) -> None:
        """Show ``rgba`` (H, W, 4) over the image's cells, or nothing."""
        if rgba is None:
            self.image = None
        else:
            rgba = np.ascontiguousarray(rgba)
            h, w = rgba.shape[:2]
            self.image = QImage(rgba.data, w, h, 4 * w, QImage.Format.Format_RGBA8888).copy()
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt's name)
        if self.image is None:
            return
        h, w = self.image.height(), self.image.width()
        area = QRectF(self.grid.cell_rect(0, 0).topLeft(), self.grid.cell_rect(h - 1, w - 1).bottomRight())
        painter = QPainter(self)
        painter.drawImage(area, self.image)
        painter.end()


class SaliencyPanel(QWidget):
    """Chooses what to explain and shows the legend; the map itself is drawn over the image."""

    def __init__(self, document: SessionDocument, grid: NumberGridView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.overlay = SaliencyOverlayView(grid)
        self.task = LatestTask(TASK, explain, self._finished, self)
        self.palette_name = DEFAULT_DIVERGING
        self.last_map: np.ndarray | None = None

        self.enabled_box = QCheckBox("Show over the input image")
        self.mode_box = QComboBox()
        for key, text in MODES.items():
            self.mode_box.addItem(text, key)
        self.target_box = QComboBox()
        self.target_box.addItem("Predicted class", PREDICTED)
        self.target_box.addItem("Selected unit", SELECTED)
        for label in range(10):
            self.target_box.addItem(f"Class {label}", label)
        self.legend = QLabel()
        self.legend.setWordWrap(True)
        self.legend.setTextFormat(Qt.TextFormat.RichText)
        form = QFormLayout()
        form.addRow(self.enabled_box)
        form.addRow("Show", self.mode_box)
        form.addRow("Score of", self.target_box)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.legend)
        layout.addStretch(1)

        self.enabled_box.toggled.connect(self.set_shown)
        self.mode_box.currentIndexChanged.connect(self.request_latest)
        self.target_box.currentIndexChanged.connect(self.request_latest)
        document.result_ready.connect(self.request)
        self._say("Off. Tick the box to see which pixels the score depends on.")

    # ----- intent
    def set_shown(self, shown: bool) -> None:
        if self.enabled_box.isChecked() != shown:
            self.enabled_box.setChecked(shown)  # re-enters through toggled
            return
        self.overlay.setVisible(shown)
        if shown:
            self.request_latest()
        else:
            self.overlay.set_map(None)
            self._say("Off. Tick the box to see which pixels the score depends on.")

    def request_latest(self) -> None:
        if self.document.latest is not None:
            self.request(self.document.latest)

    def request(self, result: ForwardResult) -> None:
        """Queue the map for ``result`` (newest wins); nothing is computed in this thread."""
        if not self.enabled_box.isChecked():
            return
        explained = self._target(result)
        if explained is None:
            self.overlay.set_map(None)
            self._say("Select a unit first (click a feature map), or choose a class.")
            return
        unit, caption = explained
        self.task.submit(ExplainRequest(result.stages[0], result.network, unit, self.mode_box.currentData(), caption))

    def _target(self, result: ForwardResult) -> tuple[Unit | int, str] | None:
        choice = self.target_box.currentData()
        if choice == SELECTED:
            unit = result.field.selection if result.field is not None else None
            return (
                None
                if unit is None
                else (unit, f"unit ({unit.channel}, {unit.y}, {unit.x}) of {result.network.stage_name(unit.stage)}")
            )
        if choice == PREDICTED:
            scores = np.asarray(result.stages[-1]).reshape(-1)
            label = int(np.argmax(scores))
            return label, f"the predicted class {label}"
        return int(choice), f"class {choice}"

    # ----- results
    def _finished(self, request: ExplainRequest, task: BackgroundTask) -> None:
        if task.error is not None:
            self._say(f"Could not compute the map: {task.error}")
        elif self.enabled_box.isChecked():
            self._draw(request, task.result)

    def _draw(self, request: ExplainRequest, values: np.ndarray) -> None:
        self.last_map = values
        limit = symmetric_level(values)
        self.overlay.set_map(diverging_rgba(values, limit, self.palette_name, opaque=False))
        low, _, high = DIVERGING.get(self.palette_name, DIVERGING[DEFAULT_DIVERGING])
        swatch = "<span style='color:rgb({},{},{})'>■</span>"
        if request.mode.startswith("occlusion"):
            meaning = (
                f"{swatch.format(*high)} hiding this area lowers the score (evidence for it) &nbsp; "
                f"{swatch.format(*low)} hiding it raises the score"
            )
            scale = f"largest change of the score: {limit:.3g}"
        else:
            meaning = (
                f"{swatch.format(*high)} more ink here raises the score &nbsp; "
                f"{swatch.format(*low)} more ink here lowers it"
            )
            scale = f"largest |value|: {limit:.3g} per unit of ink"
        self._say(f"Score of {request.caption}.<br>{meaning}<br>Grey / clear: no effect; {scale}.")

    def _say(self, text: str) -> None:
        self.legend.setText(text)

    def shutdown(self) -> None:
        self.task.shutdown()
