"""Highlights over the feature maps (receptive fields and the like): what one is, and how it is drawn.

A stage's highlights become one RGBA overlay image (tinted units, tiled like the stage's mosaic)
and a list of outlined boxes, computed when the highlights or the layout change, never per result.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor

from ...mosaic import Box, MosaicGrid

Colour = QColor | tuple  # a QColor or (r, g, b[, a]) in 0..255
TINT_ALPHA = 120  # a tint lets the map show through, so one colour looks darker on dark cells


@dataclass
class Highlight:
    """One highlight of a stage: a boolean mask shaped like the stage, or a box on one channel."""

    colour: QColor
    mask: np.ndarray | None = None
    channel: int = 0
    box: Box | None = None


def translucent(colour: Colour) -> QColor:
    """``colour`` as a tint: opaque colours get alpha 120 so that the map shows through."""
    colour = QColor(colour) if isinstance(colour, QColor) else QColor(*colour)
    if colour.alpha() == 255:
        colour.setAlpha(TINT_ALPHA)
    return colour


def channel_highlight(shape: tuple[int, ...], channel: int, what: np.ndarray | Sequence, colour: Colour) -> Highlight:
    """A tint of ``channel`` where mask ``what`` ((H, W) bool; (F,) for a flat stage) is True, or box ``what``.

    A mask is widened to the whole stage ``shape`` (the other channels False); a box is kept in
    unit coordinates (top, left, bottom, right, inclusive) and outlined in the colour as given.
    """
    if isinstance(what, np.ndarray):
        mask = np.zeros(shape, dtype=bool)
        if len(shape) == 1:
            mask[...] = what.astype(bool).reshape(shape)
        else:
            mask[channel] = what.astype(bool).reshape(shape[1:])
        return Highlight(translucent(colour), mask=mask)
    box = tuple(int(v) for v in what)
    return Highlight(QColor(*_rgb(colour)), channel=channel, box=box)


def overlay_rgba(grid: MosaicGrid, shape: tuple[int, ...], highlights: list[Highlight]) -> np.ndarray | None:
    """The (rows, cols, 4) uint8 tint image of the masks shaped ``shape``; None when there is none.

    Later highlights paint over earlier ones where they overlap.
    """
    masks = [highlight for highlight in highlights if highlight.mask is not None and highlight.mask.shape == shape]
    if not masks:
        return None
    rows, cols = grid.shape
    rgba = np.zeros((rows, cols, 4), np.uint8)
    buffer = grid.new_buffer()
    for highlight in masks:
        tinted = grid.tile(highlight.mask.astype(np.float32), buffer) == 1
        rgba[tinted] = highlight.colour.getRgb()
    return rgba


def same_highlights(first: list[Highlight] | None, second: list[Highlight] | None) -> bool:
    """Whether two lists of highlights draw the same (equal colours, channels, boxes and masks)."""
    if first is None or second is None or len(first) != len(second):
        return False
    for a, b in zip(first, second, strict=True):
        if (a.colour, a.channel, a.box) != (b.colour, b.channel, b.box):
            return False
        if (a.mask is None) != (b.mask is None) or (a.mask is not None and not np.array_equal(a.mask, b.mask)):
            return False
    return True


def box_outlines(grid: MosaicGrid, cell: float, highlights: list[Highlight]) -> list[tuple[QRectF, QColor]]:
    """Each box highlight's rectangle in mosaic item px (``cell`` px per unit), clipped, with its colour."""
    outlines = []
    for highlight in highlights:
        if highlight.box is None:
            continue
        cells = grid.box_cells(highlight.channel, highlight.box)
        if cells is not None:
            row, col, rows, cols = cells
            outlines.append((QRectF(col * cell, row * cell, cols * cell, rows * cell), highlight.colour))
    return outlines


def _rgb(colour: Colour) -> tuple[int, ...]:
    if isinstance(colour, QColor):
        return colour.getRgb()
    return tuple(int(v) for v in colour)


class HighlightLayers:
    """The highlights of every stage, kept per key ("receptive", "boxes"...): a key's new set
    replaces its old one, other keys stay. Checks each stage and mask against the stage shapes."""

    def __init__(self) -> None:
        self._layers: dict[str, dict[int, list[Highlight]]] = {}

    def set_masks(self, key: str, masks: dict[int, np.ndarray], colour: Colour, shapes: Sequence[tuple]) -> None:
        """Tint the units where ``masks[stage]`` (bool, shaped like the stage) is True."""
        colour = translucent(colour)
        entries: dict[int, list[Highlight]] = {}
        for stage, mask in masks.items():
            mask = np.array(mask, dtype=bool)  # a copy: the caller may change its array later
            expected = _stage_shape(shapes, stage)
            if tuple(mask.shape) != tuple(expected):
                raise ValueError(f"a mask for stage {stage} must have shape {expected}, not {mask.shape}")
            entries[stage] = [Highlight(colour, mask=mask)]
        self._layers[key] = entries

    def set_items(self, key: str, per_stage: dict[int, list[tuple]], shapes: Sequence[tuple]) -> None:
        """Per stage, (channel, mask or box, colour) items: see :func:`channel_highlight`."""
        entries: dict[int, list[Highlight]] = {}
        for stage, items in per_stage.items():
            shape = _stage_shape(shapes, stage)
            for channel, what, colour in items:
                entries.setdefault(stage, []).append(channel_highlight(shape, channel, what, colour))
        self._layers[key] = entries

    def clear(self, key: str | None = None) -> None:
        """Remove the highlights of ``key``, or all of them."""
        if key is None:
            self._layers.clear()
        else:
            self._layers.pop(key, None)

    def keep_stages(self, count: int) -> None:
        """Forget the highlights of stages ``count`` and beyond (the pipeline got shorter)."""
        for per_stage in self._layers.values():
            for stage in [stage for stage in per_stage if stage >= count]:
                del per_stage[stage]

    def of_stage(self, stage: int) -> list[Highlight]:
        """Every key's highlights of ``stage``, in the order the keys were first set."""
        return [highlight for per_stage in self._layers.values() for highlight in per_stage.get(stage, [])]


def _stage_shape(shapes: Sequence[tuple], stage: int) -> tuple:
    if not 0 <= stage < len(shapes):
        raise ValueError(f"there is no stage {stage} (the pipeline has stages 0 to {len(shapes) - 1})")
    return shapes[stage]
