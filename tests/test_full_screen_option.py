"""``cnn-desktop --lesson --full-screen`` reaches the window start with full screen asked for."""

from __future__ import annotations

import cnn_desktop.ui.app as app
from cnn_desktop.__main__ import main


def test_the_full_screen_option_is_passed_to_the_window(monkeypatch):
    calls = []
    monkeypatch.setattr(app, "run_window", lambda **options: calls.append(options) or 0)
    assert main(["--lesson", "--full-screen"]) == 0
    assert main([]) == 0
    assert calls == [
        {"lesson": True, "session_path": None, "full_screen": True},
        {"lesson": False, "session_path": None, "full_screen": False},
    ]
