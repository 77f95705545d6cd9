"""Fonts sized in pixels: map cells and the player's lettering are laid out in pixels, not points."""

from __future__ import annotations

from PySide6.QtGui import QFont


def pixel_font(pixels: float, bold: bool = False) -> QFont:
    """The application font at ``pixels`` px (at least 1)."""
    font = QFont()
    font.setPixelSize(max(1, round(pixels)))
    font.setBold(bold)
    return font
