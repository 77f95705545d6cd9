"""Axis lettering of the pyqtgraph plots (probabilities, learning curves), at the presentation zoom."""

from __future__ import annotations

import pyqtgraph as pg

from .fonts import text_font


def letter_axes(plot: pg.PlotWidget, labels: dict[str, str], pixels: float, colour: tuple[int, int, int]) -> None:
    """Tick numbers and titles of ``plot``'s axes (``{"left": "loss", ...}``) at ``pixels`` px times the zoom.

    Called again by the views' ``follow_text_zoom``: pyqtgraph keeps the font it was given.
    """
    font = text_font(pixels)
    for name, text in labels.items():
        axis = plot.getAxis(name)
        axis.setTickFont(font)
        axis.setTextPen(pg.mkPen(colour))
        axis.setLabel(text, color=f"rgb{colour}", **{"font-size": f"{font.pixelSize()}px"})
