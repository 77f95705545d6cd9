"""Presentation look: a light or dark theme, and one zoom factor for text, numbers and controls.

A lecture hall needs everything larger and higher in contrast than a desk; these settings apply to
the whole application at once and are remembered with ``QSettings``.
"""

from __future__ import annotations

from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication, QStyleFactory, QWidget

from .fonts import apply_text_zoom

THEMES = ("light", "dark")
ZOOM_STEPS = (0.8, 0.9, 1.0, 1.15, 1.3, 1.5, 1.75, 2.0, 2.5)


def dark_palette() -> QPalette:
    """Light text on dark grey, with enough contrast for a projector."""
    palette = QPalette()
    colours = {
        QPalette.ColorRole.Window: QColor(37, 40, 46),
        QPalette.ColorRole.WindowText: QColor(238, 238, 238),
        QPalette.ColorRole.Base: QColor(26, 28, 32),
        QPalette.ColorRole.AlternateBase: QColor(45, 48, 55),
        QPalette.ColorRole.ToolTipBase: QColor(255, 255, 220),
        QPalette.ColorRole.ToolTipText: QColor(0, 0, 0),
        QPalette.ColorRole.Text: QColor(238, 238, 238),
        QPalette.ColorRole.Button: QColor(50, 54, 62),
        QPalette.ColorRole.ButtonText: QColor(238, 238, 238),
        QPalette.ColorRole.BrightText: QColor(255, 80, 80),
        QPalette.ColorRole.Highlight: QColor(64, 132, 214),
        QPalette.ColorRole.HighlightedText: QColor(255, 255, 255),
        QPalette.ColorRole.Link: QColor(110, 170, 255),
        QPalette.ColorRole.PlaceholderText: QColor(150, 150, 150),
    }
    for role, colour in colours.items():
        palette.setColor(role, colour)
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText, QPalette.ColorRole.WindowText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor(128, 128, 128))
    return palette


class Appearance:
    """Applies the theme and zoom to the application; remembers the base font to scale from."""

    def __init__(self, app: QApplication) -> None:
        self.app = app
        self.base_font = QFont(app.font())
        self.theme = "light"
        self.zoom = 1.0

    def set_theme(self, theme: str) -> None:
        if theme not in THEMES:
            raise ValueError(f"theme must be one of {', '.join(THEMES)}, not {theme!r}")
        self.theme = theme
        self.app.setStyle(QStyleFactory.create("Fusion"))
        self.app.setPalette(dark_palette() if theme == "dark" else self.app.style().standardPalette())

    def set_zoom(self, zoom: float, window: QWidget | None = None) -> None:
        """Scale every font by ``zoom``: controls and captions (the application font), and the lettering
        sized in pixels (maps, grids, player, legends) through :func:`fonts.apply_text_zoom`.
        """
        self.zoom = min(max(float(zoom), ZOOM_STEPS[0]), ZOOM_STEPS[-1])
        font = QFont(self.base_font)
        size = self.base_font.pointSizeF()
        if size > 0:
            font.setPointSizeF(size * self.zoom)
        else:
            font.setPixelSize(max(6, round(self.base_font.pixelSize() * self.zoom)))
        self.app.setFont(font)
        apply_text_zoom(self.zoom, window)

    def step_zoom(self, direction: int, window: QWidget | None = None) -> None:
        """One step larger (+1) or smaller (-1) along :data:`ZOOM_STEPS`; 0 resets to 1."""
        if direction == 0:
            self.set_zoom(1.0, window)
            return
        index = min(range(len(ZOOM_STEPS)), key=lambda i: abs(ZOOM_STEPS[i] - self.zoom))
        index = max(0, min(index + direction, len(ZOOM_STEPS) - 1))
        self.set_zoom(ZOOM_STEPS[index], window)
