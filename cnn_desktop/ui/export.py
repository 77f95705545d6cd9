"""Pictures of what is on screen, for slides and handouts: PNG at any scale and SVG.

These functions do the work and ask nothing, so tests and the ``snapshot`` command call them
directly: :func:`export_png` renders a widget (the whole window included), a
:class:`WidgetRegion` (just the cells of a grid, see :func:`grid_region`), a graphics item or a
:class:`SceneRegion` (one layer of the feature maps, see :func:`maps_stage_region`) at ``scale``
times its on-screen size, the way a high-DPI screen would draw it, so text and grid lines stay
sharp on a projector; :func:`export_svg` draws the same into an SVG. Every file is built in memory
and written with the app's atomic writer, so a failure never leaves half a file.

The player's animated GIF is ``export_gif``; the File > Export menu and its dialogs are
``export_menu``.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from typing import Union

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPoint, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QRegion
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import (
    QGraphicsItem,
    QGraphicsScene,
    QWidget,
)

from ..fileio import atomic_write_bytes
from .editors.grid_view import MARGIN as GRID_MARGIN
from .editors.grid_view import NumberGridView
from .maps.feature_maps import FeatureMapsView
from .maps.map_stage import GROUP_SPACING, MARGIN, title_height

MAX_SCALE = 8.0
MAX_SIDE_PX = 16_000
"""Largest width or height (px) of an exported picture: beyond it QImage and slide tools give up."""

SCALES = (1.0, 2.0, 4.0)
"""The scales offered by the Export menu (2x suits most slides, 4x a large projector or print)."""

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


# ----------------------------------------------------------------------------------------------- pictures
def render_image(target: Exportable, scale: float = 1.0) -> QImage:
    """``target`` drawn into an image of ``scale`` times its size, at device pixel ratio ``scale``.

    Widgets draw themselves as on a screen of that pixel ratio (vector text and lines, crisp),
    scene regions draw their items; feature-map cells stay sharp-edged squares.
    """
    scale = check_scale(scale)
    logical = logical_size(target)
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
    scale = check_scale(scale)
    logical = logical_size(target)
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
    return maps.unit_scene_rect(stage, 0, 0, 0).top() - title_height()


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


# ----------------------------------------------------------------------------------------------- drawing
def check_scale(scale: float) -> float:
    try:
        scale = float(scale)
    except (TypeError, ValueError):
        raise ExportError(f"the scale must be a number, not {scale!r}") from None
    if not (math.isfinite(scale) and 0 < scale <= MAX_SCALE):
        raise ExportError(f"the scale must be above 0 and at most {MAX_SCALE:g}, not {scale:g}")
    return scale


def logical_size(target: Exportable) -> QSize | QRectF:
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
