"""``cnn-desktop --lesson --full-screen`` (and ``--presenter``) reach the window start as asked."""

from __future__ import annotations

import cnn_desktop.ui.app as app
from cnn_desktop.__main__ import main


def test_the_full_screen_option_is_passed_to_the_window(monkeypatch):
    calls = []
    monkeypatch.setattr(app, "run_window", lambda **options: calls.append(options) or 0)
    assert main(["--lesson", "--full-screen"]) == 0
    assert main([]) == 0
    assert main(["--audience-screen", "1"]) == 0
    assert main(["--presenter", "--lesson"]) == 0
    common = {"session_path": None, "presenter": False, "audience_screen": None}
    assert calls == [
        {**common, "lesson": True, "full_screen": True},
        {**common, "lesson": False, "full_screen": False},
        {**common, "lesson": False, "full_screen": False, "presenter": True, "audience_screen": 1},
        {**common, "lesson": True, "full_screen": False, "presenter": True},
    ]
