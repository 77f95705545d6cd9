"""Draws the selected unit's receptive field everywhere, and moves the selection with the keyboard.

The numbers come from the compute worker (``ForwardResult.field``); this module only turns them
into outlines and tints on the input image and the feature maps, and a caption in words.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut

from ...compute import ForwardResult
from ...engine import Unit
from ..document import SessionDocument
from ..editors.grid_view import GridRect
from ..editors.pixel_editor import PixelEditor
from .feature_maps import FeatureMapsView
from .map_highlights import TINT_ALPHA, translucent

FIELD_COLOUR = (255, 214, 0)  # the geometric receptive field: every pixel the unit may read
CONTRIBUTOR_COLOUR = (255, 120, 0)  # the pixels that actually produced its value (max-pool winners)
INFLUENCE_COLOUR = (0, 200, 255)  # the later units it feeds
LEGEND_ENTRIES = (
    (FIELD_COLOUR, "receptive field", True),
    (CONTRIBUTOR_COLOUR, "values that produced it", False),
    (INFLUENCE_COLOUR, "units it influences", False),
)
"""(colour, meaning, also drawn as an outline): every colour the overlay draws; the legend reads it."""


def tint_shade(colour: tuple[int, int, int], under: tuple[int, int, int]) -> tuple[int, int, int]:
    """What a tint of ``colour`` looks like over a cell of colour ``under`` (as the overlay blends it)."""
    alpha = TINT_ALPHA / 255
    return tuple(round(alpha * c + (1 - alpha) * u) for c, u in zip(colour, under, strict=True))


def legend_shades(colour: tuple[int, int, int], outlined: bool) -> list[tuple[int, int, int]]:
    """The shades one colour appears in: its tint on a black and on a white cell, and its outline."""
    shades = [tint_shade(colour, (0, 0, 0)), tint_shade(colour, (255, 255, 255))]
    return [*shades, colour] if outlined else shades


def legend_html() -> str:
    """Per colour, every shade it is drawn in (see :func:`legend_shades`), then its meaning."""
    entries = []
    for colour, name, outlined in LEGEND_ENTRIES:
        swatches = "".join(
            f"<span style='color:#{r:02x}{g:02x}{b:02x}'>{'□' if (r, g, b) == colour else '■'}</span>"
            for r, g, b in legend_shades(colour, outlined)
        )
        entries.append(f"{swatches} {name}")
    return " &nbsp; ".join(entries) + " &nbsp; (darker on dark cells, paler on light ones)"


LEGEND = legend_html()
KEYS = {Qt.Key.Key_Up: (-1, 0), Qt.Key.Key_Down: (1, 0), Qt.Key.Key_Left: (0, -1), Qt.Key.Key_Right: (0, 1)}


class ReceptiveOverlay(QObject):
    """Keeps the highlights of the maps and the input image in step with the selected unit."""

    caption_changed = Signal(str)

    def __init__(self, document: SessionDocument, maps: FeatureMapsView, pixel_editor: PixelEditor) -> None:
        super().__init__(maps)
        self.document, self.maps, self.pixel_editor = document, maps, pixel_editor
        self.hover_selects = False
        self.caption = ""
        document.result_ready.connect(self.redraw)
        maps.unit_clicked.connect(self.select_unit)
        maps.unit_hovered.connect(self._hovered)
        for key, (dy, dx) in KEYS.items():
            shortcut = QShortcut(QKeySequence(key), maps, context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(lambda dy=dy, dx=dx: self.move_selection(dy, dx))
        escape = QShortcut(QKeySequence(Qt.Key.Key_Escape), maps, context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        escape.activated.connect(self.clear_selection)

    # ----- user intent
    def select_unit(self, stage: int, channel: int, y: int, x: int) -> None:
        self.document.select(Unit(stage, channel, y, x))
        self.maps.setFocus()

    def set_hover_selects(self, enabled: bool) -> None:
        """Behind a toggle: select whatever unit the mouse is over, without clicking."""
        self.hover_selects = enabled

    def _hovered(self, stage: int, channel: int, y: int, x: int, _value: float) -> None:
        if self.hover_selects and stage >= 0:
            current = self.document.session.selection
            if current != Unit(stage, channel, y, x):
                self.document.select(Unit(stage, channel, y, x))

    def move_selection(self, dy: int, dx: int) -> None:
        """Arrow keys: the neighbouring unit in the same map (stays inside the map)."""
        selection = self.document.session.selection
        if selection is None:
            return
        shape = self.document.session.network.stage_shape(selection.stage)
        if len(shape) == 1:
            y, x = 0, min(max(selection.x + dx + dy, 0), shape[0] - 1)
        else:
            y = min(max(selection.y + dy, 0), shape[1] - 1)
            x = min(max(selection.x + dx, 0), shape[2] - 1)
        self.document.select(Unit(selection.stage, selection.channel, y, x))

    def clear_selection(self) -> None:
        self.document.select(None)

    # ----- drawing
    def redraw(self, result: ForwardResult) -> None:
        """Outline and tint the field of the selected unit in every view (or clear them)."""
        field = result.field
        if field is None:
            for key in ("field", "contributors", "influence", "boxes"):
                self.maps.clear_highlights(key)
            self.pixel_editor.show_field([], None, 0, translucent(CONTRIBUTOR_COLOUR))
            self._set_caption("")
            return
        chosen = field.selection.stage
        earlier = {stage: mask for stage, mask in field.field.items() if stage != chosen}
        self.maps.set_stage_masks(earlier, FIELD_COLOUR, key="field")
        actual = {stage: mask for stage, mask in field.contributors.items() if stage != chosen}
        self.maps.set_stage_masks(actual, CONTRIBUTOR_COLOUR, key="contributors")
        later = {stage: mask for stage, mask in field.influence.items() if stage != chosen}
        self.maps.set_stage_masks(later, INFLUENCE_COLOUR, key="influence")
        boxes = {}
        for stage, box in field.boxes.items():
            if box is not None and stage != chosen:
                channels = field.field[stage].reshape(field.field[stage].shape[0], -1).any(axis=1)
                boxes[stage] = [(int(c), box, FIELD_COLOUR) for c in channels.nonzero()[0]]
        self.maps.set_highlights(boxes, key="boxes")
        self._show_on_image(result)
        self._set_caption(field.caption)

    def _show_on_image(self, result: ForwardResult) -> None:
        field = result.field
        top, left, bottom, right = field.boxes[0] if field.boxes.get(0) else (0, 0, -1, -1)
        height, width = result.stages[0].shape[1:]
        pad = max(0, -top, -left, bottom - (height - 1), right - (width - 1))
        outline = "#{:02x}{:02x}{:02x}".format(*FIELD_COLOUR)
        rects = [GridRect(top, left, bottom, right, outline, 3.0)] if bottom >= top else []
        contributors = field.contributors[0]  # (d, H, W): each channel of the input
        mask = contributors if contributors.any() else None
        self.pixel_editor.show_field(rects, mask, pad, translucent(CONTRIBUTOR_COLOUR))

    def _set_caption(self, caption: str) -> None:
        self.caption = caption
        self.caption_changed.emit(caption)
