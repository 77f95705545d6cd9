"""``cnn-desktop snapshot``: the window rendered to a PNG in-process, with no display, and its errors."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtGui import QColor, QImage

from cnn_desktop.__main__ import main as cli_main
from cnn_desktop.engine import Network
from cnn_desktop.lesson import save_builtin_deck, scenes_from_deck
from cnn_desktop.session import Session
from cnn_desktop.session_file import save_session
from cnn_desktop.state.digit_library import DigitLibrary
from cnn_desktop.ui import export
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


@pytest.fixture
def editor_cells(monkeypatch):
    """Where the pixel editor's cells are in the written picture: {(row, col): (x, y, w, h)} in window pixels.

    Recorded from the live window just before it is written, so a test can read the picture's pixels
    at the cells and compare them with the image it asked the window to show.
    """
    cells: dict[tuple[int, int], tuple[int, int, int, int]] = {}
    write = export.export_png

    def recording_export_png(window, path, scale=2.0):
        grid = window.pixel_editor.grid
        rows, cols = window.document.session.grid_shape
        for row in range(rows):
            for col in range(cols):
                rect = grid.cell_rect(row, col).toRect()
                corner = grid.mapTo(window, rect.topLeft())
                cells[row, col] = (corner.x(), corner.y(), rect.width(), rect.height())
        return write(window, path, scale)

    monkeypatch.setattr(export, "export_png", recording_export_png)
    return cells


def cell_lightness(image: QImage, cells: dict, scale: float = 1.0) -> dict[tuple[int, int], float]:
    """Median lightness (0-255) of the inner half of each cell of the pixel editor in ``image``."""
    lightness = {}
    for key, (x, y, width, height) in cells.items():
        xs = range(int((x + width / 4) * scale), int((x + 3 * width / 4) * scale))
        ys = range(int((y + height / 4) * scale), int((y + 3 * height / 4) * scale))
        lightness[key] = float(np.median([QColor(image.pixel(i, j)).lightness() for i in xs for j in ys]))
    return lightness


def assert_shows(image: QImage, cells: dict, expected: np.ndarray, scale: float = 1.0) -> None:
    """The pixel editor in ``image`` shows ``expected`` (H, W): ink cells light, blank cells dark.

    A receptive-field tint may cover some cells, so nine cells in ten must be on the right side of
    the midpoint between the typical ink and blank lightness, and those two far apart.
    """
    assert len(cells) == expected.size
    lightness = cell_lightness(image, cells, scale)
    ink = np.array([lightness[key] for key in zip(*np.nonzero(expected >= 0.9), strict=True)])
    blank = np.array([lightness[key] for key in zip(*np.nonzero(expected <= 0.1), strict=True)])
    assert ink.size and blank.size
    assert np.median(ink) > np.median(blank) + 120, (np.median(ink), np.median(blank))
    middle = (np.median(ink) + np.median(blank)) / 2
    right = (ink > middle).sum() + (blank < middle).sum()
    assert right >= 0.9 * (ink.size + blank.size), (sorted(ink), sorted(blank))


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


def test_a_saved_session_is_written_at_twice_the_size_through_the_command_line(tmp_path, editor_cells):
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
    picture_ = picture(out)
    assert (picture_.width(), picture_.height()) == (2000, 1520)
    assert_shows(picture_, editor_cells, image, scale=2)


def test_a_scene_of_a_lesson_deck(tmp_path, capsys, editor_cells):
    deck = tmp_path / "lecture.cnndeck"
    save_builtin_deck(deck)
    out = tmp_path / "blur.png"

    assert main(["--lesson-deck", str(deck), "--scene", "3", "--out", str(out), "--size", "1300x800"]) == 0
    image = picture(out)
    assert image.width() == 1300
    assert_shows(image, editor_cells, scenes_from_deck(deck)[2].session.image[0])

    assert main(["--lesson-deck", str(deck), "--scene", "12", "--out", str(out)]) == 1
    assert "lecture.cnndeck has 11 scenes" in one_error_line(capsys)


def test_the_default_picture_is_the_first_test_digit_at_1600x1000(tmp_path, editor_cells):
    out = tmp_path / "main.png"
    assert main(["--out", str(out)]) == 0
    image = picture(out)
    assert (image.width(), image.height()) == (1600, 1000)
    assert_shows(image, editor_cells, DigitLibrary().first_test_digit()[0])


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
        (["--scene", "12"], 1, "the built-in lesson has 11 scenes"),
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


def test_a_colour_session_is_drawn_in_its_colours(tmp_path, editor_cells):
    network = Network.from_spec([{"type": "conv", "out_channels": 2, "kernel": 3}], (3, 9, 9), seed=1)
    image = np.zeros((3, 9, 9), np.float32)
    image[0, 2:7, 2] = 1.0  # a red stroke
    image[2, 2:7, 6] = 1.0  # a blue one
    session_path = tmp_path / "colour.cnnd"
    save_session(session_path, Session(image=image, network=network), {})
    out = tmp_path / "colour.png"
    assert main(["--session", str(session_path), "--out", str(out), "--size", "1000x760"]) == 0
    written = picture(out)

    def colour_at(row: int, col: int) -> tuple[int, int, int]:
        x, y, width, height = editor_cells[row, col]
        colour = QColor(written.pixel(x + width // 2, y + height // 2))
        return colour.red(), colour.green(), colour.blue()

    assert colour_at(4, 2) == (255, 0, 0)
    assert colour_at(4, 6) == (0, 0, 255)
    assert colour_at(4, 4) == (0, 0, 0)
