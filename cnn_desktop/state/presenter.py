"""What the presenter view decides and says, without Qt: which screen the audience sees, the next scene, the clock.

With two screens the audience screen shows only the presentation layout, and the lecturer's
screen shows the controls with a note of what comes next and how long the lesson has run.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


def audience_screen(
    screen_count: int, window_screen: int, requested: int | None = None, forced: bool = False
) -> int | None:
    """Index of the screen for the audience window, or None when there is no second screen.

    ``requested`` (``--audience-screen N``) wins and is clamped to the screens there are; otherwise
    the first screen that is not the window's. ``forced`` (``--presenter``) settles for the
    window's own screen when there is no other, so one screen is enough to try it.
    """
    if screen_count <= 0:
        return None
    if requested is not None:
        return max(0, min(requested, screen_count - 1))
    others = [index for index in range(screen_count) if index != window_screen]
    if others:
        return others[0]
    return min(max(window_screen, 0), screen_count - 1) if forced else None


@dataclass(frozen=True)
class SceneNote:
    """One line about a scene for the presenter: its number, title and caption."""

    number: str
    title: str
    caption: str


def next_scene_note(titles: Sequence[str], captions: Sequence[str], index: int) -> SceneNote:
    """The scene after ``index`` (of ``len(titles)``), or a note that this is the last one."""
    count = len(titles)
    following = index + 1
    if not 0 <= following < count:
        return SceneNote("", "End of the lesson", "Page Down stays on this scene.")
    title, caption = titles[following], captions[following]
    rest = caption[len(title) :].lstrip(":;.— ") if caption.startswith(title) else caption
    return SceneNote(f"{following + 1} / {count}", title, rest)


def clock_text(hours: int, minutes: int, elapsed_seconds: float | None) -> str:
    """``14:05`` and, during a lesson, how long it has run: ``14:05 · 12:40 in the lesson``."""
    now = f"{hours:02d}:{minutes:02d}"
    if elapsed_seconds is None:
        return now
    total = max(0, int(elapsed_seconds))
    hours_run, rest = divmod(total, 3600)
    run = f"{hours_run}:{rest // 60:02d}:{rest % 60:02d}" if hours_run else f"{rest // 60:02d}:{rest % 60:02d}"
    return f"{now} · {run} in the lesson"
