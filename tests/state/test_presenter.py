"""The presenter view's choices without a display: the audience screen, the next scene, the clock."""

from __future__ import annotations

from cnn_desktop.state.presenter import audience_screen, clock_text, next_scene_note


def test_the_audience_gets_the_screen_the_window_is_not_on():
    assert audience_screen(2, 0) == 1
    assert audience_screen(2, 1) == 0
    assert audience_screen(3, 1) == 0
    assert audience_screen(1, 0) is None  # one screen: no presenter view unless forced


def test_a_forced_or_requested_screen_works_with_one_screen():
    assert audience_screen(1, 0, forced=True) == 0
    assert audience_screen(1, 0, requested=3) == 0  # clamped to the screens there are
    assert audience_screen(3, 0, requested=2) == 2
    assert audience_screen(0, 0, forced=True) is None


def test_the_next_scene_note_names_the_following_scene_without_repeating_its_title():
    titles = ["Box blur", "Max pooling"]
    captions = ["Box blur: every pixel becomes the mean of its 3x3 neighbourhood", "Max pooling: keep the largest"]
    note = next_scene_note(titles, captions, 0)
    assert (note.number, note.title, note.caption) == ("2 / 2", "Max pooling", "keep the largest")
    assert next_scene_note(titles, captions, 1).title == "End of the lesson"


def test_the_clock_shows_the_time_and_how_long_the_lesson_runs():
    assert clock_text(9, 5, None) == "09:05"
    assert clock_text(14, 0, 760.9) == "14:00 · 12:40 in the lesson"
    assert clock_text(14, 0, 3725) == "14:00 · 1:02:05 in the lesson"
