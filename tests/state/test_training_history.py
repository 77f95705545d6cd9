"""TrainingHistory and DigitRef: saved with a session and read back exactly, malformed ones refused."""

from __future__ import annotations

import json
import math
import zipfile

import numpy as np
import pytest

from cnn_desktop.engine import Network
from cnn_desktop.session import Session
from cnn_desktop.session_file import SessionFileError, load_session, save_session
from cnn_desktop.state.digit_ref import DigitRef, DigitRefError
from cnn_desktop.state.training_history import TrainingHistory, TrainingHistoryError
from cnn_desktop.training_job import CurvePoint


def a_history() -> TrainingHistory:
    labels = np.arange(20) % 10
    predictions = labels.copy()
    predictions[3] = 5  # one 3 taken for a 5
    matrix = np.bincount(labels * 10 + predictions, minlength=100).reshape(10, 10)
    points = (
        CurvePoint("test", 0.0, 2.31, 0.1),
        CurvePoint("train", 0.5, float("inf"), 0.4),
        CurvePoint("train", 1.0, 0.7, 0.8),
        CurvePoint("test", 1.0, 0.6, 0.95),
    )
    return TrainingHistory(2, points, "Stopped: test accuracy 95.0%", 0.5, "bundled", matrix, predictions)


def assert_same(loaded: TrainingHistory, history: TrainingHistory) -> None:
    assert (loaded.epochs, loaded.status, loaded.progress, loaded.digit_set) == (
        history.epochs,
        history.status,
        history.progress,
        history.digit_set,
    )
    for got, expected in zip(loaded.points, history.points, strict=True):
        assert (got.split, got.epoch, got.accuracy) == (expected.split, expected.epoch, expected.accuracy)
        assert got.loss == expected.loss or not (math.isfinite(got.loss) or math.isfinite(expected.loss))
    np.testing.assert_array_equal(loaded.confusion, history.confusion)
    np.testing.assert_array_equal(loaded.predictions, history.predictions)


def test_history_json_round_trip_keeps_every_point_and_the_matrix() -> None:
    history = a_history()
    assert_same(TrainingHistory.from_json(json.loads(json.dumps(history.to_json(), allow_nan=False))), history)
    assert [p.epoch for p in history.split_points("test")] == [0.0, 1.0]


def test_a_session_file_keeps_the_history_and_the_digit(tmp_path) -> None:
    session = Session(
        image=np.zeros((28, 28), np.float32), network=Network.from_spec([{"type": "flatten"}], (1, 28, 28))
    )
    session.digit = DigitRef("bundled", "test", 4, 7)
    session.training = a_history()
    save_session(tmp_path / "trained.cnnd", session)
    loaded, _ = load_session(tmp_path / "trained.cnnd")
    assert loaded.digit == DigitRef("bundled", "test", 4, 7)
    assert_same(loaded.training, session.training)


def test_a_session_without_them_opens_with_none(tmp_path) -> None:
    session = Session(image=np.zeros((8, 8), np.float32), network=Network.from_spec([{"type": "flatten"}], (1, 8, 8)))
    save_session(tmp_path / "plain.cnnd", session)
    loaded, _ = load_session(tmp_path / "plain.cnnd")
    assert loaded.digit is None and loaded.training is None


def test_drawing_on_a_digit_forgets_which_digit_it_was() -> None:
    session = Session()
    session.digit = DigitRef("bundled", "test", 0, 7)
    session.set_pixels(np.array([1]), np.array([1]), np.array([1.0]))
    assert session.digit is None


@pytest.mark.parametrize(
    ("change", "match"),
    [
        (lambda raw: raw.update(epochs=0), "epoch count"),
        (lambda raw: raw.update(points=[["valid", 0, 1, 1]]), "curve point"),
        (lambda raw: raw.update(points=[["test", -1, 1, 1]]), "epoch must be"),
        (lambda raw: raw.update(status=5), "status"),
        (lambda raw: raw.update(progress=2), "progress"),
        (lambda raw: raw.update(predictions=None), "needs its predictions"),
        (lambda raw: raw.update(confusion=[[1.5] * 10] * 10), "whole numbers"),
        (lambda raw: raw.update(predictions=[0] * 20), "does not match"),
        (lambda raw: raw.update(predictions=[11] * 20), "class 0 to 9"),
    ],
)
def test_a_malformed_history_is_refused_with_one_line(change, match: str) -> None:
    raw = a_history().to_json()
    change(raw)
    with pytest.raises(TrainingHistoryError, match=match) as error:
        TrainingHistory.from_json(raw)
    assert "\n" not in str(error.value)


def test_a_damaged_history_in_a_file_names_the_file(tmp_path) -> None:
    session = Session(image=np.zeros((8, 8), np.float32), network=Network.from_spec([{"type": "flatten"}], (1, 8, 8)))
    save_session(tmp_path / "s.cnnd", session)
    with zipfile.ZipFile(tmp_path / "s.cnnd") as archive:
        header = json.loads(archive.read("session.json"))
        arrays = archive.read("arrays.npz")
    header["training"] = {"epochs": "many"}
    with zipfile.ZipFile(tmp_path / "bad.cnnd", "w") as archive:
        archive.writestr("session.json", json.dumps(header))
        archive.writestr("arrays.npz", arrays)
    with pytest.raises(SessionFileError, match=r"bad\.cnnd: damaged training history \(the epoch count"):
        load_session(tmp_path / "bad.cnnd")


@pytest.mark.parametrize(
    "raw",
    [
        {"source": "bundled", "split": "valid", "index": 0, "label": 1},
        {"source": "bundled", "split": "test", "index": -1, "label": 1},
        {"source": "bundled", "split": "test", "index": 0, "label": 10},
        {"source": "", "split": "test", "index": 0, "label": 1},
        {"source": "bundled", "split": "test", "index": 0},
    ],
)
def test_a_malformed_digit_is_refused(raw) -> None:
    with pytest.raises(DigitRefError):
        DigitRef.from_json(raw)
