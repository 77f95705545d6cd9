"""A picture file as the input image: read as untrusted, scaled to the grid, grey or in colour.

Qt decodes the file only after :func:`decode_raster` has checked its size, format and pixel count
(``cnn_desktop.untrusted``'s rules). Both imports read the picture's red, green and blue: a grey
import then takes their grey with the app's one conversion (``input_channels.grey_of``, the weights
of the "colour to grey" kernel) and inverts a light background so strokes are ink; a colour import
keeps the three as they are.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
from PySide6.QtGui import QColor, QImage, QImageReader, QPainter

from ...image_ops import crop_or_pad, resample
from ...input_channels import grey_of
from ...untrusted import (
    MAX_IMAGE_FILE_BYTES,
    MAX_IMAGE_PIXELS,
    RASTER_NAMES,
    UntrustedFileError,
    message,
    printable,
    raster_format,
    read_regular_file,
)
from ..document import SessionDocument

PRESCALE_LIMIT = 512  # larger imported pictures are first shrunk by Qt (smoothly) to this size


def import_picture(document: SessionDocument, path: str | Path, colour: bool | None = None) -> tuple[str, bool]:
    """Put the picture in ``path`` on ``document``'s grid as one undo step; (message, whether it failed).

    ``colour`` True reads it as red, green and blue (a grey input becomes RGB in the same undo
    step), False as grey; None keeps the input's depth (colour for RGB, grey otherwise).
    """
    name = Path(path).name
    try:
        picture = decode_raster(path)
    except UntrustedFileError as exc:
        return str(exc), True
    session = document.session
    colour = session.depth == 3 if colour is None else colour
    size = f"{picture.width()}x{picture.height()}"
    if colour:
        image = qimage_to_colour_grid(picture, session.grid_shape)
        if session.depth == 3:
            document.edit_image(image, f"Import {name} in colour")
        else:
            error = document.set_depth(3, image, f"Import {name} in colour")
            if error:
                return error, True
        return f"Imported {printable(name, 60)} ({size}) in colour: red, green and blue, scaled.", False
    image, inverted = qimage_to_grid(picture, session.grid_shape)
    document.edit_image(image, f"Import {name}")
    note = " Its background was light, so it was inverted: dark strokes are now ink (1)." if inverted else ""
    return f"Imported {printable(name, 60)} ({size}, made grey and scaled).{note}", False


def _on_paper(image: QImage, paper: str) -> np.ndarray:
    """(3, H, W) float32 red, green and blue in [0, 1] of ``image`` drawn on ``paper`` (transparency
    shows it), at most PRESCALE_LIMIT pixels across."""
    if max(image.width(), image.height()) > PRESCALE_LIMIT:
        keep, smooth = Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
        image = image.scaled(PRESCALE_LIMIT, PRESCALE_LIMIT, keep, smooth)
    sheet = QImage(image.size(), QImage.Format.Format_ARGB32_Premultiplied)
    sheet.fill(QColor(paper))
    painter = QPainter(sheet)
    painter.drawImage(0, 0, image)
    painter.end()
    converted = sheet.convertToFormat(QImage.Format.Format_RGB888)
    width, height, stride = converted.width(), converted.height(), converted.bytesPerLine()
    rows = np.frombuffer(converted.constBits(), np.uint8, count=stride * height).reshape(height, stride)
    pixels = rows[:, : width * 3].reshape(height, width, 3).transpose(2, 0, 1)
    return pixels.astype(np.float32) / 255.0


def _fitted(plane: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """``plane`` (h, w) scaled to fit ``shape`` with its aspect kept, centred on background."""
    height, width = plane.shape
    factor = min(shape[0] / height, shape[1] / width)
    fitted = resample(plane, (max(1, round(height * factor)), max(1, round(width * factor))))
    return np.clip(crop_or_pad(fitted, shape), 0.0, 1.0)


def qimage_to_grid(image: QImage, shape: tuple[int, int]) -> tuple[np.ndarray, bool]:
    """A picture as an ink grid of ``shape``: its grey (``grey_of`` its red, green and blue), aspect
    kept, light background inverted.

    Transparent pixels count as white paper. Returns the float32 grid (1 = ink) and whether the
    picture was inverted (its border was mostly light, so dark strokes are the ink).
    """
    values = grey_of(_on_paper(image, "white"))
    border = np.concatenate([values[0], values[-1], values[:, 0], values[:, -1]])
    inverted = bool(border.mean() > 0.5)
    if inverted:
        values = 1.0 - values
    return _fitted(values, shape), inverted


def qimage_to_colour_grid(image: QImage, shape: tuple[int, int]) -> np.ndarray:
    """A picture as a (3, H, W) red, green, blue grid of ``shape``, aspect kept, colours as they are.

    Nothing is inverted (a colour picture is shown as it looks); transparent pixels and the margins
    the aspect leaves are black, the app's background (0).
    """
    return np.stack([_fitted(plane, shape) for plane in _on_paper(image, "black")]).astype(np.float32)


def decode_raster(path: str | Path) -> QImage:
    """The picture in ``path``, decoded only once its format and pixel count are known to be safe."""
    name = Path(path).name
    data = read_regular_file(path, MAX_IMAGE_FILE_BYTES)
    kind = raster_format(data, name)
    buffer = QBuffer()
    buffer.setData(QByteArray(data))
    buffer.open(QIODevice.OpenModeFlag.ReadOnly)
    reader = QImageReader(buffer, kind.encode())
    reader.setAutoDetectImageFormat(False)
    reader.setAllocationLimit(4 * MAX_IMAGE_PIXELS // 2**20 + 1)
    size = reader.size()
    if not size.isValid() or size.width() < 1 or size.height() < 1:
        raise UntrustedFileError(message(name, f"not a readable {RASTER_NAMES} picture (damaged header)"))
    if size.width() * size.height() > MAX_IMAGE_PIXELS:
        pixels = f"{size.width()}x{size.height()} pixels, at most {MAX_IMAGE_PIXELS:,}"
        raise UntrustedFileError(message(name, f"picture too large ({pixels})"))
    picture = reader.read()
    if picture.isNull():
        raise UntrustedFileError(message(name, f"not a readable {RASTER_NAMES} picture ({reader.errorString()})"))
    return picture
