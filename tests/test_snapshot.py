"""``cnn-desktop snapshot``: the window rendered to a PNG in-process, with no display, and its errors."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtGui import QColor, QImage

from cnn_desktop.__main__ import main as cli_main
from cnn_desktop.engine import Network
from cnn_desktop.lesson import save_builtin_deck
from cnn_desktop.session import Session
from cnn_desktop.session_file import save_session
from cnn_desktop.ui.snapshot import main

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(autouse=True)
def application(qapp):
    """The in-process snapshot uses the test session's (offscreen) QApplication."""
    return qapp


def picture(path) -> QImage:
    assert path.read_bytes().startswith(PNG_MAGIC)
    image = QImage(str(path))
    assert not image.isNull()
    return image


def one_error_line(capsys) -> str:
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("cnn-desktop: error: "), captured.err
    assert "Traceback" not in captured.err
    return lines[0]


def test_a_lesson_scene_is_written_at_the_requested_size(tmp_path, capsys):
    out = tmp_path / "edges.png"

    assert main(["--scene", "4", "--out", str(out), "--size", "1300x800"]) == 0

    image = picture(out)
    assert (image.width(), image.height()) == (1300, 800)
    assert f"wrote {out}" in capsys.readouterr().out
    # the lesson banner (dark, across the top of the maps) is part of the picture
    assert QColor(image.pixel(image.width() // 2, 40)).lightness() < 60


def test_a_saved_session_is_written_at_twice_the_size_through_the_command_line(tmp_path):
    network = Network.from_spec([{"type": "conv", "out_channels": 2, "kernel": 3}], (1, 9, 9), seed=1)
    image = np.zeros((9, 9), np.float32)
    image[2:7, 4] = 1.0
    session_path = tmp_path / "stroke.cnnd"
    save_session(session_path, Session(image=image, network=network, caption="a vertical stroke"), {})
    out = tmp_path / "stroke.png"

    code = cli_main(
        ["snapshot", "--session", str(session_path), "--out", str(out), "--size", "1000x760", "--scale", "2"]
    )

    assert code == 0
    image = picture(out)
    assert (image.width(), image.height()) == (2000, 1520)


def test_a_scene_of_a_lesson_deck(tmp_path, capsys):
    deck = tmp_path / "lecture.cnndeck"
    save_builtin_deck(deck)
    out = tmp_path / "blur.png"

    assert main(["--lesson-deck", str(deck), "--scene", "3", "--out", str(out), "--size", "1300x800"]) == 0
    assert picture(out).width() == 1300

    assert main(["--lesson-deck", str(deck), "--scene", "12", "--out", str(out)]) == 1
    assert "lecture.cnndeck has 9 scenes" in one_error_line(capsys)


def test_the_default_picture_is_the_first_test_digit_at_1600x1000(tmp_path):
    out = tmp_path / "main.png"
    assert main(["--out", str(out)]) == 0
    image = picture(out)
    assert (image.width(), image.height()) == (1600, 1000)


def test_a_size_below_the_windows_minimum_gives_a_larger_picture_and_says_so(tmp_path, capsys):
    out = tmp_path / "small.png"

    assert main(["--out", str(out), "--size", "400x300"]) == 0

    image = picture(out)
    assert image.width() > 400 and image.height() > 300
    warning = capsys.readouterr().err.strip()
    assert warning == "cnn-desktop: warning: the window cannot be 400x300; it needs at least " + (
        f"{image.width()}x{image.height()}, the size of the picture"
    )


@pytest.mark.parametrize(
    ("arguments", "code", "words"),
    [
        (["--scene", "10"], 1, "the built-in lesson has 9 scenes"),
        (["--scene", "0"], 2, "counts from 1"),
        (["--session", "missing.cnnd"], 1, "missing.cnnd: no such file"),
        (["--size", "wide"], 2, "1600x1000"),
        (["--size", "100x100"], 2, "out of range"),
        (["--scale", "0"], 2, "--scale"),
        (["--session", "a.cnnd", "--scene", "2"], 2, "choose one"),
    ],
)
def test_errors_are_one_line_with_a_non_zero_exit(tmp_path, monkeypatch, capsys, arguments, code, words):
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "never.png"

    assert main([*arguments, "--out", str(out)]) == code

    assert words in one_error_line(capsys)
    assert not out.exists()


def test_a_damaged_session_and_a_wrong_output_are_reported(tmp_path, capsys):
    damaged = tmp_path / "damaged.cnnd"
    damaged.write_bytes(b"PK\x03\x04 not really a zip")
    assert main(["--session", str(damaged), "--out", str(tmp_path / "x.png")]) == 1
    assert "damaged.cnnd" in one_error_line(capsys)

    assert main(["--out", str(tmp_path / "x.jpg")]) == 2
    assert ".png" in one_error_line(capsys)

    assert main(["--out", str(tmp_path / "no-such-folder" / "x.png")]) == 1
    assert "does not exist" in one_error_line(capsys)
    assert main([]) == 2
    assert "--out" in one_error_line(capsys)
