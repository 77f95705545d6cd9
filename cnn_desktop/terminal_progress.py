"""Progress lines of the ``train`` command and the MNIST download, on a terminal or in a log.

On a terminal a line is redrawn in place and fitted to its width; otherwise (a pipe, a CI log) one
line is printed when an epoch or a file is done. Output only: nothing here decides anything.
"""

from __future__ import annotations

import math
import shutil
import sys
import threading
import time
from collections.abc import Sequence
from typing import TextIO

from .training import TrainEvent

_line_open = False  # a progress line is drawn and not yet ended with a newline


def is_tty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def terminal_width() -> int:
    """Usable columns of the terminal (one less than its width, so the cursor never wraps)."""
    return max(20, shutil.get_terminal_size((100, 24)).columns - 1)


def draw(text: str, stream: TextIO | None = None) -> None:
    """Draw ``text`` over the current terminal line (clipped to the terminal's width)."""
    global _line_open
    stream = stream or sys.stdout
    width = terminal_width()
    stream.write("\r" + text[:width].ljust(width))
    stream.flush()
    _line_open = True


def end_progress_line(stream: TextIO | None = None) -> None:
    global _line_open
    if _line_open:
        stream = stream or sys.stdout
        stream.write("\n")
        stream.flush()
        _line_open = False


def duration(seconds: float | None) -> str:
    if seconds is None or not math.isfinite(seconds):
        return "?"
    seconds = int(round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def progress_bar(fraction: float, width: int = 20) -> str:
    filled = int(round(max(0.0, min(1.0, fraction)) * width))
    return "[" + "=" * filled + " " * (width - filled) + "]"


class TrainProgress:
    """Live progress of a training run: on a terminal one line per epoch, redrawn in place while
    the epoch runs; otherwise one line printed at the end of each epoch."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.tty = is_tty(stream)
        self.last_draw = 0.0

    def _text(self, event: TrainEvent, final: bool) -> str:
        """The progress line; on a terminal it is fitted to the width by shrinking the bar, then
        dropping the learning rate and the bar."""
        digits = len(str(event.batches_per_epoch))
        epoch = f"epoch {event.epoch:>{len(str(event.epochs))}}/{event.epochs}"
        count = f"{event.batch:>{digits}}/{event.batches_per_epoch}"
        stats = [f"loss {event.loss:.4f}", f"acc {event.train_accuracy * 100:5.1f}%"]
        if event.test_accuracy is not None and (final or self.tty):
            stats.append(f"test {event.test_accuracy * 100:5.1f}%")
        lr = f"lr {event.lr:.4f}"
        timing = []
        if final:
            timing.append(f"{duration(event.elapsed)} elapsed")
        if not (final and event.epoch == event.epochs):
            timing.append(f"ETA {duration(event.eta)}")
        if not self.tty:
            return "  ".join([epoch, *stats, lr, *timing])
        room = terminal_width()
        for with_lr in (True, False):
            text = "  ".join([epoch, count, *stats, *([lr] if with_lr else []), *timing])
            bar_width = min(20, room - len(text) - 3)
            if bar_width >= 5:
                fraction = event.batch / event.batches_per_epoch
                return "  ".join([epoch, f"{progress_bar(fraction, bar_width)} {count}", *text.split("  ")[2:]])
            if len(text) <= room:
                return text
        return text

    def on_batch(self, event: TrainEvent) -> None:
        now = time.monotonic()
        if self.tty and (now - self.last_draw >= 0.1 or event.batch == event.batches_per_epoch):
            self.last_draw = now
            draw(self._text(event, final=False), self.stream)

    def on_epoch(self, event: TrainEvent) -> None:
        global _line_open
        text = self._text(event, final=True)
        if self.tty:
            draw(text, self.stream)
            end_progress_line(self.stream)
        else:
            self.stream.write(text + "\n")
            self.stream.flush()
            _line_open = False


class DownloadProgress:
    """Progress of the MNIST download: a live bar with MB and MB/s on a terminal, otherwise one
    line per file. Called from the download thread."""

    def __init__(self, stream: TextIO, names: Sequence[str]) -> None:
        self.stream = stream
        self.tty = is_tty(stream)
        self.names = list(names)
        self.current: str | None = None
        self.started = time.monotonic()
        self.last_draw = 0.0
        self.lock = threading.Lock()

    def __call__(self, done: int, total: int | None, name: str) -> None:
        with self.lock:
            now = time.monotonic()
            if name != self.current or done == 0:
                self.current, self.started = name, now
            number = f"{self.names.index(name) + 1}/{len(self.names)}" if name in self.names else "?"
            complete = total is not None and done >= total
            if complete and now - self.started < 1e-3:  # a file already there and verified
                text = f"{name} ({number}): already downloaded"
            else:
                speed = done / 1e6 / max(now - self.started, 1e-6)
                size = f"{done / 1e6:5.1f} / {total / 1e6:.1f} MB" if total else f"{done / 1e6:5.1f} MB"
                bar = progress_bar(done / total) + " " if total else ""
                verb = "downloaded" if complete else "downloading"
                text = f"{verb} {name} ({number}) {bar}{size}  {speed:.1f} MB/s"
            if self.tty:
                if complete or now - self.last_draw >= 0.1:
                    self.last_draw = now
                    draw(text, self.stream)
                    if complete:
                        end_progress_line(self.stream)
            elif complete:
                self.stream.write(text + "\n")
                self.stream.flush()
