"""Hostile files opened through the window's own menu actions: one message box, nothing changes."""

from __future__ import annotations

import json
import struct
import zipfile
import zlib
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QSettings
from PySide6.QtGui import QAction, QImage
from PySide6.QtWidgets import QFileDialog, QMessageBox

from cnn_desktop.engine import Network
from cnn_desktop.session import Session
from cnn_desktop.session_file import save_session
from cnn_desktop.ui.main_window import MainWindow


@pytest.fixture
def window(qtbot, document, tmp_path):
    win = MainWindow(document, QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    qtbot.addWidget(win)
    win.show()
    return win


@pytest.fixture
def warnings(monkeypatch) -> list[str]:
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *args: shown.append(args[2]))
    return shown


def choose(monkeypatch, path: Path) -> None:
    """The next file dialog answers ``path``."""
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *args, **kwargs: (str(path), ""))


def trigger(window: MainWindow, text: str) -> None:
    actions = [action for action in window.findChildren(QAction) if action.text().replace("&", "") == text]
    assert len(actions) == 1, text
    actions[0].trigger()


def snapshot(document) -> tuple:
    session = document.session
    return session.image.copy(), session.network.input_shape, session.network.spec, document.undo_stack.count()


def assert_unchanged(document, before: tuple) -> None:
    image, input_shape, spec, steps = snapshot(document)
    np.testing.assert_array_equal(image, before[0])
    assert (input_shape, spec, steps) == before[1:]


def one_line_warning(warnings: list[str], name: str, reason: str) -> None:
    assert len(warnings) == 1, warnings
    assert warnings[0].startswith(f"{name}: ") and reason in warnings[0], warnings[0]
    assert "\n" not in warnings[0] and len(warnings[0]) <= 200


@pytest.mark.parametrize(
    ("input_shape", "reason"),
    [((5, 28, 28), "5-channel input"), ((1, 2, 2), "2x2 input"), ((1, 4096, 4096), "4096x4096 input")],
)
def test_load_weights_refuses_a_network_the_window_cannot_show(
    window, document, warnings, monkeypatch, tmp_path, input_shape, reason
):
    path = tmp_path / "odd.npz"
    Network([], input_shape).save(path)
    before = snapshot(document)
    choose(monkeypatch, path)
    trigger(window, "Load weights…")
    one_line_warning(warnings, "odd.npz", reason)
    assert_unchanged(document, before)


def test_load_weights_refuses_weights_beyond_float32(window, document, warnings, monkeypatch, tmp_path):
    net = Network.from_spec([{"type": "conv", "out_channels": 2, "kernel": 3}], (1, 28, 28))
    arrays = {f"param/{key}": value.astype(np.float64) for key, value in net.params.items()}
    arrays["param/0.weight"][0, 0, 0, 0] = 1e300
    header = json.dumps({"format": 1, "spec": net.spec, "input_shape": list(net.input_shape)})
    path = tmp_path / "huge.npz"
    np.savez(path, spec=np.array(header), **arrays)
    before = snapshot(document)
    choose(monkeypatch, path)
    trigger(window, "Load weights…")
    one_line_warning(warnings, "huge.npz", "float32 range")
    assert_unchanged(document, before)


def png_claiming(width: int, height: int, folder: Path) -> Path:
    """A real small PNG whose header is rewritten to claim ``width`` x ``height`` pixels."""
    path = folder / "claims.png"
    QImage(4, 4, QImage.Format.Format_Grayscale8).save(str(path))
    data = bytearray(path.read_bytes())
    ihdr = 12  # after the 8-byte signature and the chunk's length
    data[ihdr + 4 : ihdr + 12] = struct.pack(">II", width, height)
    data[ihdr + 17 : ihdr + 21] = struct.pack(">I", zlib.crc32(bytes(data[ihdr : ihdr + 17])))
    path.write_bytes(bytes(data))
    return path


def test_open_image_refuses_non_raster_and_oversized_pictures(window, document, warnings, monkeypatch, tmp_path):
    svg = tmp_path / "picture.png"
    svg.write_text('<svg xmlns="http://www.w3.org/2000/svg"><image href="secret.png" width="9" height="9"/></svg>')
    cases = [(svg, "not a PNG, JPEG or BMP picture"), (png_claiming(100_000, 100_000, tmp_path), "too large")]
    before = snapshot(document)
    for path, reason in cases:
        warnings.clear()
        choose(monkeypatch, path)
        window.open_image_action.trigger()
        one_line_warning(warnings, path.name, reason)
        assert_unchanged(document, before)


def test_open_session_refuses_an_unusable_zoom_before_anything_changes(
    window, document, warnings, monkeypatch, tmp_path
):
    path = tmp_path / "zoom.cnnd"
    save_session(path, Session(), {"zoom": 2.0})
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    header = json.loads(members["session.json"])
    header["view_options"]["zoom"] = 10**400
    members["session.json"] = json.dumps(header).encode()
    with zipfile.ZipFile(path, "w") as archive:
        for name, payload in members.items():
            archive.writestr(name, payload)
    before = snapshot(document)
    choose(monkeypatch, path)
    trigger(window, "Open session…")
    one_line_warning(warnings, "zoom.cnnd", "view option 'zoom'")
    assert_unchanged(document, before)
    assert window.isVisible()
