"""Fonts sized in pixels, and the one presentation zoom that every piece of lettering follows.

Map cells and the player's lettering are laid out in pixels, not points, so the application font
alone cannot make them larger. :func:`text_font` is the one place where a size in pixels meets the
zoom; widgets that keep a font (labels, the layer list) register it with :func:`keep_font` and are
refreshed by :func:`apply_text_zoom`, which also asks every view with a ``follow_text_zoom`` method
to lay itself out again (a walk over the window, so no view outlives a connection to it).
"""

from __future__ import annotations

from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QApplication, QWidget

_PIXELS = "text_zoom_pixels"  # widget property: the font's size in px at zoom 1
_RELATIVE = "text_zoom_relative"  # widget property: the font's size as a factor of the application font
_BOLD = "text_zoom_bold"
_LINES = "text_zoom_lines"


class TextZoom:
    """The presentation zoom (1 = normal), read by every painter and layout of lettering."""

    def __init__(self) -> None:
        self.factor = 1.0

    def set(self, factor: float) -> None:
        self.factor = float(factor)


TEXT_ZOOM = TextZoom()


def pixel_font(pixels: float, bold: bool = False) -> QFont:
    """The application font at exactly ``pixels`` px (at least 1): for layouts that fit a screen."""
    font = QFont()
    font.setPixelSize(max(1, round(pixels)))
    font.setBold(bold)
    return font


def text_font(pixels: float, bold: bool = False) -> QFont:
    """The application font at ``pixels`` px times the presentation zoom: for all readable lettering."""
    return pixel_font(pixels * TEXT_ZOOM.factor, bold)


def keep_font(
    widget: QWidget,
    pixels: float | None = None,
    relative: float | None = None,
    bold: bool = False,
    lines: int = 0,
) -> None:
    """Give ``widget`` a font of ``pixels`` px or ``relative`` x the application font, kept across zooms.

    ``lines``: the widget is at least that many lines of its font tall, even when empty.
    """
    widget.setProperty(_LINES, lines)
    widget.setProperty(_PIXELS, pixels)
    widget.setProperty(_RELATIVE, relative)
    widget.setProperty(_BOLD, bold)
    _apply_kept_font(widget)


def _apply_kept_font(widget: QWidget) -> None:
    pixels, relative = widget.property(_PIXELS), widget.property(_RELATIVE)
    bold = bool(widget.property(_BOLD))
    if pixels:
        widget.setFont(text_font(float(pixels), bold))
    elif relative:
        font = QFont(QApplication.font())
        if font.pointSizeF() > 0:
            font.setPointSizeF(font.pointSizeF() * float(relative))
        else:
            font.setPixelSize(max(1, round(font.pixelSize() * float(relative))))
        font.setBold(bold)
        widget.setFont(font)
    if widget.property(_LINES):
        widget.setMinimumHeight(int(widget.property(_LINES)) * QFontMetrics(widget.font()).height() + 2)


def apply_text_zoom(factor: float, root: QWidget | None = None) -> None:
    """Set the zoom; under ``root``, re-apply every kept font, let views lay out again, repaint."""
    TEXT_ZOOM.set(factor)
    if root is None:
        return
    widgets = [root, *root.findChildren(QWidget)]
    for widget in widgets:
        if widget.property(_PIXELS) or widget.property(_RELATIVE):
            _apply_kept_font(widget)
    for widget in widgets:
        follow = getattr(widget, "follow_text_zoom", None)
        if callable(follow):
            follow()
        widget.update()
