"""The convolution player as an animated GIF, one frame per output cell, for slides.

:func:`export_player_gif` steps the player through its output cells, renders each frame with
:func:`~cnn_desktop.ui.export.render_image` and writes the GIF with Pillow (Qt has no GIF writer)
through the app's atomic writer.
"""

from __future__ import annotations

import io
import math
import os
from collections.abc import Callable

from PySide6.QtGui import QImage

from .export import ExportError, check_scale, render_image, write_atomically

DEFAULT_GIF_FPS = 4.0
DEFAULT_GIF_FRAMES = 120
MAX_GIF_FRAMES = 1000
MAX_GIF_BYTES = 400 * 2**20
"""Most pixels all frames of a GIF may hold together while it is recorded (one byte each)."""

Progress = Callable[[int, int], bool]
"""Called as ``progress(frames_done, frames_total)``; returning False cancels the export."""


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
    scale = check_scale(scale)
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
        player.wait_until_drawn()
        last = _pil_frame(render_image(player, scale), Image)
        player.set_position(0)
        player.wait_until_drawn()
        first = _pil_frame(render_image(player, scale), Image)
        width, height = first.size
        if frames_total * width * height > MAX_GIF_BYTES:
            fit = max(1, MAX_GIF_BYTES // (width * height))
            raise ExportError(f"{frames_total} frames of {width}x{height} px are too many: at most {fit} at this scale")
        palette = _shared_palette([first, last], Image)
        for index in range(frames_total):
            if index:
                player.set_position(index)
                player.wait_until_drawn()
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
