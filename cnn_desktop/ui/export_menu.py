"""The File > Export submenu: asks for the file name, the scale, the layer or the GIF's options,
then calls the export functions (``export`` for pictures, ``export_gif`` for the player)."""

from __future__ import annotations

import math
import os
import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QStandardPaths, Qt
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QInputDialog,
    QMenu,
    QMessageBox,
    QProgressDialog,
    QSpinBox,
    QWidget,
)

from .export import (
    SCALES,
    Exportable,
    ExportError,
    WidgetRegion,
    export_picture,
    grid_region,
    kernel_region,
    logical_size,
    maps_region,
    maps_stage_region,
)
from .export_gif import DEFAULT_GIF_FPS, DEFAULT_GIF_FRAMES, MAX_GIF_FRAMES, export_player_gif

if TYPE_CHECKING:
    from .main_window import MainWindow


def build_export_menu(window: MainWindow) -> QMenu:
    """The File > Export submenu: input image, one layer's maps, all maps, kernels, probabilities,
    the convolution player (picture or animated GIF) and the whole window, each to PNG or SVG."""
    menu = QMenu("E&xport", window)
    menu.setToolTipsVisible(True)
    menu.setToolTip("Save a picture of part of the window for slides: PNG at 1x, 2x or 4x, or SVG")
    exporter = _MenuExporter(window, menu)
    entries = (
        (
            "&Input image…",
            "input-image",
            "The pixel grid of the input image",
            lambda: grid_region(window.pixel_editor.grid),
        ),
        ("&Feature maps of one layer…", None, "One layer's feature maps with their colour bar", None),
        ("&All feature maps…", "feature-maps", "Every layer's maps, top to bottom", lambda: maps_region(window.maps)),
        (
            "&Kernel…",
            "kernel",
            "The kernel shown in the kernel editor, with its numbers",
            lambda: kernel_region(window.kernel_editor),
        ),
        (
            "All kernels of the &layer…",
            "kernels",
            "Every kernel of the layer shown in the kernel editor, as coloured tiles",
            lambda: window.kernel_editor.overview,
        ),
        (
            "Class &probabilities…",
            "probabilities",
            "The probability chart and its headline",
            lambda: window.probabilities,
        ),
        (
            "Convolution pla&yer…",
            "convolution-player",
            "The convolution player as it stands: the window, the arithmetic and the output",
            lambda: _require_player(window),
        ),
        ("&Whole window…", "cnn-desktop", "Everything in the window, menus and panels included", lambda: window),
    )
    for text, name, tip, target in entries:
        action = menu.addAction(text)
        action.setToolTip(tip)
        action.setStatusTip(tip)
        if target is None:
            action.triggered.connect(exporter.export_layer_maps)
        else:
            action.triggered.connect(lambda _checked=False, n=name, t=target: exporter.export_target(t, n))
    menu.addSeparator()
    gif = menu.addAction("Convolution player as animated &GIF…")
    gif_tip = "Record the convolution player sliding over its layer, one frame per output cell"
    gif.setToolTip(gif_tip)
    gif.setStatusTip(gif_tip)
    gif.triggered.connect(exporter.export_gif)
    menu.aboutToShow.connect(lambda: gif.setEnabled(_player(window) is not None and _player(window).cell_count() > 0))
    return menu


def _player(window: MainWindow):
    return getattr(window, "conv_player", None)


def _require_player(window: MainWindow) -> QWidget:
    player = _player(window)
    if player is None:
        raise ExportError("this window has no convolution player")
    return player


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "export"


class GifOptionsDialog(QDialog):
    """Frames per second, number of frames and scale of a player GIF."""

    def __init__(self, cells: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Animated GIF of the convolution player")
        self.fps = QDoubleSpinBox()
        self.fps.setRange(0.5, 30.0)
        self.fps.setSingleStep(0.5)
        self.fps.setDecimals(1)
        self.fps.setValue(DEFAULT_GIF_FPS)
        self.fps.setSuffix(" frames/s")
        self.fps.setToolTip("How many output cells the animation shows per second")
        self.frames = QSpinBox()
        self.frames.setRange(1, max(1, min(cells, MAX_GIF_FRAMES)))
        self.frames.setValue(min(cells, DEFAULT_GIF_FRAMES))
        self.frames.setToolTip(f"Frames to record from the first output cell on (the layer has {cells} cells)")
        self.scale = QComboBox()
        for value in SCALES[:2]:
            self.scale.addItem(f"{value:g}x", value)
        self.scale.setToolTip("2x is sharper on a projector, and the file is about four times larger")
        form = QFormLayout(self)
        form.addRow("&Speed:", self.fps)
        form.addRow("&Frames:", self.frames)
        form.addRow("S&cale:", self.scale)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)


class _MenuExporter(QObject):
    """The dialogs of the Export menu: file name, scale, layer, progress; remembers the last folder."""

    def __init__(self, window: MainWindow, parent: QObject) -> None:
        super().__init__(parent)
        self.window = window

    # ----- actions
    def export_target(self, target: Callable[[], Exportable], name: str) -> None:
        try:
            what = target()
        except ExportError as exc:
            self._fail(str(exc))
            return
        if not self._shown(what):
            return
        path = self._ask_path(name, "PNG image (*.png);;SVG drawing (*.svg)")
        if not path:
            return
        scale = 1.0
        if path.lower().endswith(".png"):
            scale = self._ask_scale(what)
            if scale is None:
                return
        try:
            size = export_picture(what, path, scale)
        except ExportError as exc:
            self._fail(str(exc))
            return
        self._done(f"Exported {path} ({size.width()} × {size.height()} px)")

    def export_layer_maps(self) -> None:
        maps = self.window.maps
        count = maps.stage_count()
        if count == 0:
            self._fail("there are no feature maps to export yet")
            return
        names = [maps.stage_caption(stage)[0] for stage in range(count)]
        current = min(max(self.window.pipeline.selected_layer() + 1, 0), count - 1)
        name, ok = QInputDialog.getItem(self.window, "Export one layer's maps", "Layer:", names, current, False)
        if ok:
            stage = names.index(name)
            self.export_target(lambda: maps_stage_region(maps, stage), _slug(name))

    def export_gif(self) -> None:
        player = _player(self.window)
        if player is None or player.cell_count() <= 0:
            self._fail("the convolution player shows no layer it can play: choose a conv or pooling layer")
            return
        if not self._shown(player):
            return
        options = GifOptionsDialog(player.cell_count(), self.window)
        if options.exec() != QDialog.DialogCode.Accepted:
            return
        path = self._ask_path("convolution-player", "Animated GIF (*.gif)", ".gif")
        if not path:
            return
        frames = options.frames.value()
        dialog = QProgressDialog("Recording the convolution player…", "Cancel", 0, frames, self.window)
        dialog.setWindowTitle("Export GIF")
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(300)

        def progress(done: int, total: int) -> bool:
            dialog.setValue(done)
            QApplication.processEvents()
            return not dialog.wasCanceled()

        try:
            written = export_player_gif(
                player, path, options.fps.value(), frames, options.scale.currentData(), progress
            )
        except ExportError as exc:
            self._fail(str(exc))
            return
        finally:
            dialog.close()
        if written:
            self._done(f"Exported {path} ({written} frames)")
        else:
            self._done("GIF export cancelled; nothing was written")

    # ----- dialogs
    def _ask_path(self, name: str, filters: str, forced_suffix: str | None = None) -> str:
        settings = self.window.settings
        folder = str(settings.value("export/folder", "") or "")
        if not folder or not os.path.isdir(folder):
            folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.PicturesLocation) or os.getcwd()
        suffix = forced_suffix or str(settings.value("export/suffix", ".png") or ".png")
        start = os.path.join(folder, name + suffix)
        path, chosen = QFileDialog.getSaveFileName(self.window, "Export", start, filters)
        if not path:
            return ""
        if forced_suffix and not path.lower().endswith(forced_suffix):
            path += forced_suffix
        elif not forced_suffix and os.path.splitext(path)[1].lower() not in (".png", ".svg"):
            path += ".svg" if "svg" in chosen.lower() else ".png"
        settings.setValue("export/folder", os.path.dirname(path))
        if not forced_suffix:
            settings.setValue("export/suffix", os.path.splitext(path)[1].lower())
        return path

    def _ask_scale(self, target: Exportable) -> float | None:
        try:
            logical = logical_size(target)
        except ExportError as exc:
            self._fail(str(exc))
            return None
        items = [
            f"{scale:g}x  ({math.ceil(logical.width() * scale)} × {math.ceil(logical.height() * scale)} px)"
            for scale in SCALES
        ]
        try:
            last = float(self.window.settings.value("export/scale", 2.0))
        except (TypeError, ValueError):
            last = 2.0
        current = SCALES.index(last) if last in SCALES else 1
        item, ok = QInputDialog.getItem(
            self.window, "Export scale", "Size of the picture (2x or 4x stay sharp on slides):", items, current, False
        )
        if not ok:
            return None
        scale = SCALES[items.index(item)]
        self.window.settings.setValue("export/scale", scale)
        return scale

    def _shown(self, target: Exportable) -> bool:
        """False (after saying so) when the widget to export is in a hidden panel: it would come out stale."""
        widget = target.widget if isinstance(target, WidgetRegion) else target
        if isinstance(widget, QWidget) and not widget.isVisible():
            self._fail("That part of the window is hidden: show its panel (View menu) and export again.")
            return False
        return True

    def _fail(self, message: str) -> None:
        QMessageBox.warning(self.window, "Cannot export", message)

    def _done(self, message: str) -> None:
        self.window.statusBar().showMessage(message, 6000)
