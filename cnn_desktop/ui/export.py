"""Pictures of what is on screen, for slides and handouts: PNG at any scale, SVG, the player as a GIF.

The functions at the top do the work and ask nothing, so tests and the ``snapshot`` command call
them directly: :func:`export_png` renders a widget (the whole window included), a
:class:`WidgetRegion` (just the cells of a grid, see :func:`grid_region`), a graphics item or a
:class:`SceneRegion` (one layer of the feature maps, see :func:`maps_stage_region`) at ``scale``
times its on-screen size, the way a high-DPI screen would draw it, so text and grid lines stay
sharp on a projector; :func:`export_svg` draws the same into an SVG; :func:`export_player_gif`
steps the convolution player through its output cells and writes an animated GIF (with Pillow:
Qt has no GIF writer). Every file is written atomically: built in memory, written to a temporary
file beside the target and moved over it, so a failure never leaves half a file.

:func:`build_export_menu` is the "Export" submenu of the main window: it asks for the file name
and the scale, then calls the functions above.
"""

from __future__ import annotations

import io
import math
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Union

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QObject, QPoint, QRect, QRectF, QSize, QStandardPaths, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QRegion
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QGraphicsItem,
    QGraphicsScene,
    QInputDialog,
    QMenu,
    QMessageBox,
    QProgressDialog,
    QSpinBox,
    QWidget,
)

from ..fileio import atomic_write_bytes
from .editors.grid_view import MARGIN as GRID_MARGIN
from .editors.grid_view import NumberGridView
from .maps.feature_maps import FeatureMapsView
from .maps.map_stage import GROUP_SPACING, MARGIN, TITLE_HEIGHT

if TYPE_CHECKING:
    from .main_window import MainWindow

MAX_SCALE = 8.0
MAX_SIDE_PX = 16_000
"""Largest width or height (px) of an exported picture: beyond it QImage and slide tools give up."""

SCALES = (1.0, 2.0, 4.0)
"""The scales offered by the Export menu (2x suits most slides, 4x a large projector or print)."""

DEFAULT_GIF_FPS = 4.0
DEFAULT_GIF_FRAMES = 120
MAX_GIF_FRAMES = 1000
MAX_GIF_BYTES = 400 * 2**20
"""Most pixels all frames of a GIF may hold together while it is recorded (one byte each)."""
SCREEN_DPI = 96.0
"""Dots per inch written into a 1x PNG; an Nx PNG says N times as many, so slide programs insert it
at its on-screen size, just sharper."""


class ExportError(Exception):
    """A picture that cannot be made or written; the one-line message says which and why."""


@dataclass(frozen=True)
class SceneRegion:
    """A rectangle of a graphics scene (scene coordinates) to export, drawn on ``background``."""

    scene: QGraphicsScene
    rect: QRectF
    background: QColor


@dataclass(frozen=True)
class WidgetRegion:
    """A rectangle of a widget (widget pixels) to export, e.g. just the cells of a grid."""

    widget: QWidget
    rect: QRect


Exportable = Union[QWidget, WidgetRegion, QGraphicsItem, SceneRegion]  # noqa: UP007 (Shiboken classes, runtime alias)
Progress = Callable[[int, int], bool]
"""Called as ``progress(frames_done, frames_total)``; returning False cancels the export."""


# ----------------------------------------------------------------------------------------------- pictures
def render_image(target: Exportable, scale: float = 1.0) -> QImage:
    """``target`` drawn into an image of ``scale`` times its size, at device pixel ratio ``scale``.

    Widgets draw themselves as on a screen of that pixel ratio (vector text and lines, crisp),
    scene regions draw their items; feature-map cells stay sharp-edged squares.
    """
    scale = _check_scale(scale)
    logical = _logical_size(target)
    width, height = _pixel_size(logical, scale)
    image = QImage(width, height, QImage.Format.Format_ARGB32_Premultiplied)
    image.setDevicePixelRatio(scale)
    image.fill(_background(target))
    painter = QPainter(image)
    try:
        _paint(target, painter, logical)
    finally:
        painter.end()
    dots_per_metre = round(SCREEN_DPI * scale / 0.0254)
    image.setDotsPerMeterX(dots_per_metre)
    image.setDotsPerMeterY(dots_per_metre)
    return image


def export_png(target: Exportable, path: str | os.PathLike, scale: float = 2.0) -> QSize:
    """Write ``target`` to ``path`` as a PNG of ``scale`` times its size; returns that size in pixels.

    Raises :class:`ExportError` for an empty target, a bad scale or a file that cannot be written.
    """
    image = render_image(target, scale)
    write_atomically(path, image_bytes(image, "PNG"))
    return QSize(image.width(), image.height())


def export_svg(target: Exportable, path: str | os.PathLike, scale: float = 1.0) -> QSize:
    """Write ``target`` to ``path`` as an SVG drawing; returns its nominal size in pixels.

    Text, lines and cells are vectors; images inside (the feature maps) are embedded as pixels.
    ``scale`` multiplies the drawing's nominal width and height; its view box stays the on-screen size.
    """
    scale = _check_scale(scale)
    logical = _logical_size(target)
    width, height = _pixel_size(logical, scale)
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    generator = QSvgGenerator()
    generator.setOutputDevice(buffer)
    generator.setSize(QSize(width, height))
    generator.setViewBox(QRectF(0, 0, logical.width(), logical.height()))
    generator.setResolution(round(SCREEN_DPI))  # so the nominal size is the scaled pixel size
    generator.setTitle(os.path.splitext(os.path.basename(os.fspath(path)))[0])
    generator.setDescription("Exported from cnn-desktop")
    painter = QPainter()
    if not painter.begin(generator):
        raise ExportError(f"{os.fspath(path)}: cannot draw an SVG")
    try:
        painter.fillRect(QRectF(0, 0, logical.width(), logical.height()), _background(target))
        _paint(target, painter, logical)
    finally:
        painter.end()
    buffer.close()
    write_atomically(path, bytes(buffer.data()))
    return QSize(width, height)


def export_picture(target: Exportable, path: str | os.PathLike, scale: float = 2.0) -> QSize:
    """PNG or SVG by the extension of ``path`` (``.png`` / ``.svg``, any case)."""
    suffix = os.path.splitext(os.fspath(path))[1].lower()
    if suffix == ".png":
        return export_png(target, path, scale)
    if suffix == ".svg":
        return export_svg(target, path, scale)
    raise ExportError(f"{os.fspath(path)}: export as .png or .svg, not {suffix or 'a name without extension'}")


def image_bytes(image: QImage, image_format: str = "PNG") -> bytes:
    """``image`` encoded as ``image_format`` (a format Qt writes: PNG, JPG, BMP...)."""
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, image_format):
        raise ExportError(f"cannot encode a {image.width()}x{image.height()} image as {image_format}")
    buffer.close()
    return bytes(data)


def write_atomically(path: str | os.PathLike, data: bytes) -> None:
    """Write ``data`` to ``path`` with the app's atomic writer (:func:`~cnn_desktop.fileio.atomic_write_bytes`).

    Raises :class:`ExportError` (naming the file and the reason) when it cannot be written; the file
    that was at ``path`` before, if any, is then left as it was.
    """
    try:
        atomic_write_bytes(path, data)
    except OSError as exc:
        raise ExportError(f"{os.fspath(path)}: {exc.strerror or exc}") from None


# ----------------------------------------------------------------------------------------------- the grids
def grid_region(view: NumberGridView) -> WidgetRegion:
    """Just the cells of a number grid (its padding included), without the empty space around them."""
    rows, cols = view.array().shape
    if rows == 0 or cols == 0:
        raise ExportError("nothing to export: the grid is empty")
    pad = view.pad()
    cells = view.cell_rect(-pad, -pad).united(view.cell_rect(rows - 1 + pad, cols - 1 + pad))
    rect = cells.adjusted(-GRID_MARGIN, -GRID_MARGIN, GRID_MARGIN, GRID_MARGIN).toAlignedRect()
    return WidgetRegion(view, rect.intersected(view.rect()))


def kernel_region(editor) -> WidgetRegion:
    """The kernel of a ``KernelEditor`` as the slides write it: its grid, with the factor in front
    ("1/9 x") when the kernel is shown scaled."""
    grid = grid_region(editor.grid)
    if editor.scale() == 1.0 or not editor.scale_box.isVisible():
        return grid
    rect = grid.rect.translated(editor.grid.mapTo(editor, QPoint(0, 0)))
    factor = editor.scale_box.geometry().translated(editor.scale_box.parentWidget().mapTo(editor, QPoint(0, 0)))
    return WidgetRegion(editor, rect.united(factor.adjusted(-GRID_MARGIN, 0, 0, 0)).intersected(editor.rect()))


# ----------------------------------------------------------------------------------------------- the maps
def maps_stage_region(maps: FeatureMapsView, stage: int) -> SceneRegion:
    """The part of the feature maps that shows ``stage`` (0 the input, ``i + 1`` layer ``i``).

    Its title, shape note, mosaic and colour bar, cropped to what is drawn plus a margin; stages
    scrolled out of view are exported all the same.
    """
    count = maps.stage_count()
    if not 0 <= stage < count:
        raise ExportError(f"there is no stage {stage} to export (the maps show stages 0 to {count - 1})")
    top = _stage_top(maps, stage)
    bottom = _stage_top(maps, stage + 1) if stage + 1 < count else maps.canvas.content_height
    return _tight_region(maps, top, bottom - GROUP_SPACING)


def maps_region(maps: FeatureMapsView) -> SceneRegion:
    """Every stage of the feature maps, top to bottom, including those scrolled out of view."""
    if maps.stage_count() == 0:
        raise ExportError("there are no feature maps to export yet")
    return _tight_region(maps, _stage_top(maps, 0), maps.canvas.content_height - GROUP_SPACING)


def _stage_top(maps: FeatureMapsView, stage: int) -> float:
    return maps.unit_scene_rect(stage, 0, 0, 0).top() - TITLE_HEIGHT


def _tight_region(maps: FeatureMapsView, top: float, bottom: float) -> SceneRegion:
    """The items drawn between ``top`` and ``bottom`` (scene px), cropped to them plus a margin."""
    scene = maps.canvas.scene()
    band = QRectF(0, top, max(scene.sceneRect().width(), 1.0), max(bottom - top, 1.0))
    content = QRectF()
    for item in scene.items(band, Qt.ItemSelectionMode.IntersectsItemBoundingRect):
        if item.isVisible():
            content = content.united(item.sceneBoundingRect())
    content = content.intersected(band) if not content.isEmpty() else band
    rect = content.adjusted(-MARGIN, -MARGIN, MARGIN, MARGIN)
    return SceneRegion(scene, rect, maps.canvas.backgroundBrush().color())


# ----------------------------------------------------------------------------------------------- the player
def export_player_gif(
    player,
    path: str | os.PathLike,
    fps: float = DEFAULT_GIF_FPS,
    max_frames: int = DEFAULT_GIF_FRAMES,
    scale: float = 1.0,
    progress: Progress | None = None,
) -> int:
    """Record the convolution player (a ``ConvPlayerPanel``) sliding over its layer as an animated GIF.

    One frame per output cell, from the first cell on, at most ``max_frames`` of them, shown
    ``1 / fps`` seconds each, looping. The player ends on the cell it stood on (and stays paused).
    Returns the number of frames written, or 0 when ``progress`` cancelled (nothing is written then).
    Raises :class:`ExportError` when the player shows no layer it can play, or for a bad argument or file.
    """
    frames_total = _check_gif_arguments(player, fps, max_frames)
    scale = _check_scale(scale)
    try:
        from PIL import Image  # only needed here: importing Pillow costs start-up time
    except ImportError:
        raise ExportError("writing a GIF needs Pillow: pip install Pillow") from None

    player.pause()
    document = player.document
    start, selection = player.position(), document.session.selection
    frames: list = []
    try:
        # one palette for every frame (from the first and the filled-in last one), so that
        # nothing flickers between frames and the GIF stores only what changed
        player.set_position(frames_total - 1)
        last = _pil_frame(render_image(player, scale), Image)
        player.set_position(0)
        first = _pil_frame(render_image(player, scale), Image)
        width, height = first.size
        if frames_total * width * height > MAX_GIF_BYTES:
            fit = max(1, MAX_GIF_BYTES // (width * height))
            raise ExportError(f"{frames_total} frames of {width}x{height} px are too many: at most {fit} at this scale")
        palette = _shared_palette([first, last], Image)
        for index in range(frames_total):
            if index:
                player.set_position(index)
            frame = first if index == 0 else _pil_frame(render_image(player, scale), Image)
            frames.append(_fit(frame, first.size, Image).quantize(palette=palette, dither=Image.Dither.NONE))
            if progress is not None and not progress(index + 1, frames_total):
                return 0
    finally:
        player.set_position(start)
        if document.session.selection != selection:
            document.select(selection)
    out = io.BytesIO()
    frames[0].save(
        out,
        format="GIF",
        save_all=True,
        append_images=frames[1:],
        duration=max(20, round(1000 / fps)),
        loop=0,
        disposal=1,
    )
    write_atomically(path, out.getvalue())
    return len(frames)


def _check_gif_arguments(player, fps: float, max_frames: int) -> int:
    if not isinstance(max_frames, int) or isinstance(max_frames, bool) or not 1 <= max_frames <= MAX_GIF_FRAMES:
        raise ExportError(f"the number of frames must be a whole number from 1 to {MAX_GIF_FRAMES}, not {max_frames}")
    if not (isinstance(fps, (int, float)) and math.isfinite(fps) and 0.1 <= fps <= 50):
        raise ExportError(f"frames per second must be from 0.1 to 50, not {fps}")
    cells = player.cell_count()
    if cells <= 0:
        raise ExportError("the convolution player shows no layer it can play: choose a conv or pooling layer")
    return min(cells, max_frames)


def _pil_frame(image: QImage, pil_image):
    """A Pillow RGB image with the pixels of ``image``."""
    rgb = image.convertToFormat(QImage.Format.Format_RGB888)
    data = bytes(rgb.constBits())
    return pil_image.frombuffer("RGB", (rgb.width(), rgb.height()), data, "raw", "RGB", rgb.bytesPerLine(), 1)


def _shared_palette(frames: list, pil_image):
    """A 256-colour palette image for all of ``frames`` (RGB images of one size)."""
    width, height = frames[0].size
    sheet = pil_image.new("RGB", (width, height * len(frames)))
    for index, frame in enumerate(frames):
        sheet.paste(frame, (0, index * height))
    return sheet.quantize(colors=256, method=pil_image.Quantize.MEDIANCUT, dither=pil_image.Dither.NONE)


def _fit(frame, size: tuple[int, int], pil_image):
    """``frame`` on a canvas of ``size`` (the player's size changed mid-recording: crop or pad)."""
    if frame.size == size:
        return frame
    canvas = pil_image.new("RGB", size, frame.getpixel((0, 0)))
    canvas.paste(frame, (0, 0))
    return canvas


# ----------------------------------------------------------------------------------------------- drawing
def _check_scale(scale: float) -> float:
    try:
        scale = float(scale)
    except (TypeError, ValueError):
        raise ExportError(f"the scale must be a number, not {scale!r}") from None
    if not (math.isfinite(scale) and 0 < scale <= MAX_SCALE):
        raise ExportError(f"the scale must be above 0 and at most {MAX_SCALE:g}, not {scale:g}")
    return scale


def _logical_size(target: Exportable) -> QSize | QRectF:
    if isinstance(target, (QWidget, WidgetRegion)):
        size = target.size() if isinstance(target, QWidget) else target.rect.size()
        empty = size.width() <= 0 or size.height() <= 0
    else:
        rect = _region(target).rect
        empty, size = rect.isEmpty(), rect
    if empty:
        raise ExportError("nothing to export: it has no size on screen (is its panel hidden?)")
    return size


def _pixel_size(logical: QSize | QRectF, scale: float) -> tuple[int, int]:
    width, height = math.ceil(logical.width() * scale - 1e-6), math.ceil(logical.height() * scale - 1e-6)
    if max(width, height) > MAX_SIDE_PX:
        raise ExportError(
            f"{width}x{height} pixels is too large (at most {MAX_SIDE_PX} a side): choose a smaller scale"
        )
    return max(width, 1), max(height, 1)


def _region(target: QGraphicsItem | SceneRegion) -> SceneRegion:
    if isinstance(target, SceneRegion):
        return target
    scene = target.scene()
    if scene is None:
        raise ExportError("nothing to export: the item is not shown")
    rect = target.mapRectToScene(target.boundingRect() | target.childrenBoundingRect())
    return SceneRegion(scene, rect, scene.backgroundBrush().color())


def _background(target: Exportable) -> QColor:
    if isinstance(target, WidgetRegion):
        target = target.widget
    if isinstance(target, QWidget):
        return target.palette().color(target.backgroundRole())
    colour = _region(target).background
    return colour if colour.isValid() and colour.alpha() > 0 else QColor(Qt.GlobalColor.white)


def _paint(target: Exportable, painter: QPainter, logical: QSize | QRectF) -> None:
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, False)  # cells stay sharp squares
    if isinstance(target, QWidget):
        target.render(painter, QPoint())
        return
    if isinstance(target, WidgetRegion):
        target.widget.render(painter, QPoint(), QRegion(target.rect))
        return
    region = _region(target)
    region.scene.render(painter, QRectF(0, 0, logical.width(), logical.height()), region.rect)


# ----------------------------------------------------------------------------------------------- the menu
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
            logical = _logical_size(target)
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
