"""The lecturer's pointer on the presentation: a spot while held, and rings that fade (Qt-free).

A laser pointer is hard to see on a projected screen and invisible to a recording, so the app
draws its own: a large spot while the pointer key or the middle button is held, and a ring around
the cells the lecturer drags over, which stays a few seconds and then fades out.
Positions are in the view's pixels; times in seconds from any monotonic clock.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Mark:
    """A ring (an ellipse around a dragged box) made at time ``made``."""

    centre_x: float
    centre_y: float
    radius_x: float
    radius_y: float
    made: float


@dataclass
class PointerMarks:
    """The spot (or None) and the rings still visible."""

    hold_seconds: float = 3.0
    """How long a ring stays fully visible."""
    fade_seconds: float = 1.0
    """How long it then takes to fade out."""
    min_radius: float = 24.0
    """Radius of a ring made by a click (pixels): large enough to circle a cell."""
    spot: tuple[float, float] | None = None
    marks: list[Mark] = field(default_factory=list)
    dragging: tuple[float, float, float, float] | None = None
    """(x0, y0, x1, y1) of a ring being drawn."""

    def begin_ring(self, x: float, y: float) -> None:
        self.dragging = (x, y, x, y)

    def drag_ring(self, x: float, y: float) -> None:
        if self.dragging is not None:
            self.dragging = (*self.dragging[:2], x, y)

    def end_ring(self, now: float) -> Mark | None:
        """The ring around the dragged box (a circle of :attr:`min_radius` for a click), kept from ``now``."""
        if self.dragging is None:
            return None
        mark = self.ring_for(*self.dragging, made=now)
        self.dragging = None
        self.marks.append(mark)
        return mark

    def ring_for(self, x0: float, y0: float, x1: float, y1: float, made: float = 0.0) -> Mark:
        """The ellipse through the corners of the box (x0, y0)-(x1, y1): it circles every cell inside."""
        half_width, half_height = abs(x1 - x0) / 2, abs(y1 - y0) / 2
        radius_x = max(self.min_radius, half_width * 2**0.5)
        radius_y = max(self.min_radius, half_height * 2**0.5)
        return Mark((x0 + x1) / 2, (y0 + y1) / 2, radius_x, radius_y, made)

    def opacity(self, mark: Mark, now: float) -> float:
        """1 while the ring is fresh, falling linearly to 0 over the fade."""
        age = now - mark.made
        if age <= self.hold_seconds:
            return 1.0
        return max(0.0, 1.0 - (age - self.hold_seconds) / max(self.fade_seconds, 1e-9))

    def prune(self, now: float) -> bool:
        """Forget rings that have faded out; True while anything is left to draw."""
        self.marks = [mark for mark in self.marks if self.opacity(mark, now) > 0.0]
        return bool(self.marks) or self.dragging is not None
