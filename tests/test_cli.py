"""The train and eval subcommands, run in-process through cli.main (plus one real subprocess)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from cnn_desktop import cli, cli_commands
from cnn_desktop.data import download
from cnn_desktop.data.datasets import FILE_STEMS, load_digits
from cnn_desktop.data.idx import write_idx
from cnn_desktop.engine import MNIST_SPEC, Network

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def digit_folder(tmp_path_factory) -> Path:
    """A folder of standard MNIST IDX files: 300 training and 200 test digits from the bundled set."""
    digits = load_digits("bundled")
    folder = tmp_path_factory.mktemp("mnist")
    parts = (digits.train_images[:300], digits.train_labels[:300], digits.test_images[:200], digits.test_labels[:200])
    for stem, array in zip(FILE_STEMS, parts, strict=True):
        raw = np.rint(array * 255).astype(np.uint8) if array.dtype.kind == "f" else array.astype(np.uint8)
        write_idx(folder / stem, raw, compress=stem.startswith("t10k"))
    return folder


@pytest.fixture(scope="module")
def trained_model(digit_folder, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("model") / "tiny.npz"
    assert cli.main(["train", "--data", str(digit_folder), "--epochs", "1", "--out", str(path)]) == 0
    return path


@pytest.fixture(autouse=True)
def no_real_user_folders(monkeypatch, tmp_path):
    """Never touch the real user data folder or the network."""
    monkeypatch.setattr(cli_commands, "default_model_path", lambda: tmp_path / "default" / "mnist-cnn.npz")

    def no_network(*args, **kwargs):
        raise AssertionError("the tests must not download anything")

    monkeypatch.setattr(download, "download_mnist", no_network)


def one_error_line(capsys) -> str:
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err + captured.out
    lines = captured.err.splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith("cnn-desktop: error: ")
    return lines[0]


# ----------------------------------------------------------------------------- usage errors


@pytest.mark.parametrize(
    "argv, fragment",
    [
        ([], "required"),
        (["fly"], "invalid choice"),
        (["train", "--epochs", "zero"], "--epochs"),
        (["train", "--epochs", "0"], "at least 1"),
        (["train", "--batch-size", "-3"], "--batch-size"),
        (["train", "--lr", "-0.1"], "positive"),
        (["train", "--lr", "nan"], "positive"),
        (["train", "--optimiser", "rmsprop"], "invalid choice"),
        (["train", "--seed", "-1"], "--seed"),
        (["train", "--bogus"], "unrecognized arguments"),
        (["eval", "--split", "both"], "invalid choice"),
        (["eval", "--model"], "expected one argument"),
    ],
)
def test_bad_arguments_give_one_line_and_exit_2(argv, fragment, capsys):
    assert cli.main(argv) == 2
    assert fragment in one_error_line(capsys)


def test_help_exits_0(capsys):
    assert cli.main(["train", "--help"]) == 0
    out = capsys.readouterr().out
    assert "--epochs" in out and "--limit" not in out


def test_subcommands_plug_into_another_parser(capsys):
    import argparse

    parser = argparse.ArgumentParser(prog="cnn-desktop")
    subparsers = parser.add_subparsers(dest="command")
    cli.add_train_parser(subparsers)
    cli.add_eval_parser(subparsers)
    args = parser.parse_args(["train", "--epochs", "3", "--no-augment"])
    assert args.handler is cli.run_train and args.epochs == 3 and args.augment is False
    assert parser.parse_args(["eval"]).handler is cli.run_eval
    with pytest.raises(SystemExit) as exit_info:
        parser.parse_args(["train", "--epochs", "x"])
    assert exit_info.value.code == 2
    one_error_line(capsys)


# ----------------------------------------------------------------------------- bad files and data


def test_missing_model_file(tmp_path, capsys):
    assert cli.main(["eval", "--model", str(tmp_path / "nope.npz")]) == 1
    assert "no model file" in one_error_line(capsys)


def test_missing_default_model_suggests_training(capsys):
    assert cli.main(["eval"]) == 1
    assert "cnn-desktop train" in one_error_line(capsys)


@pytest.mark.parametrize("content", [b"", b"not a model at all\n", b"PK\x03\x04 broken zip"])
def test_corrupt_model_file(tmp_path, capsys, content):
    path = tmp_path / "broken.npz"
    path.write_bytes(content)
    assert cli.main(["eval", "--model", str(path)]) == 1
    assert "broken.npz" in one_error_line(capsys)


def hostile_model(folder, kind: str):
    """A weights file made to break a careless loader: deeply nested, beyond float32, or a named pipe."""
    path = folder / f"{kind}.npz"
    if kind == "pipe":
        os.mkfifo(path)
        return path
    net = Network.from_spec(MNIST_SPEC, seed=0)
    arrays = {f"param/{key}": value.astype(np.float64) for key, value in net.params.items()}
    header = json.dumps({"format": 1, "spec": net.spec, "input_shape": [1, 28, 28]})
    if kind == "deep":
        header = "[" * 100_000 + "]" * 100_000
    else:
        arrays["param/0.weight"][0, 0, 0, 0] = 1e300
    np.savez(path, spec=np.array(header), **arrays)
    return path


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX named pipes")
@pytest.mark.parametrize(("kind", "reason"), [("deep", "damaged"), ("huge", "float32"), ("pipe", "regular file")])
def test_hostile_model_file_gives_one_line_and_exit_1(tmp_path, capsys, kind, reason):
    path = hostile_model(tmp_path, kind)
    assert cli.main(["eval", "--model", str(path)]) == 1
    line = one_error_line(capsys)
    assert f"{kind}.npz" in line and reason in line and len(line) < 260


def test_model_that_is_not_a_digit_classifier(tmp_path, capsys):
    path = tmp_path / "small.npz"
    Network.from_spec([{"type": "flatten"}, {"type": "dense", "out_features": 3}], (1, 8, 8)).save(path)
    assert cli.main(["eval", "--model", str(path)]) == 1
    assert "1x28x28" in one_error_line(capsys)


def test_model_path_that_is_a_folder(tmp_path, capsys):
    assert cli.main(["eval", "--model", str(tmp_path)]) == 1
    assert "folder" in one_error_line(capsys)


def test_unknown_data_folder(tmp_path, capsys):
    missing = tmp_path / "no-such-folder"
    assert cli.main(["train", "--data", str(missing), "--out", str(tmp_path / "m.npz")]) == 1
    assert "no-such-folder" in one_error_line(capsys)
    assert not (tmp_path / "m.npz").exists()


def test_data_folder_without_mnist_files(tmp_path, trained_model, capsys):
    assert cli.main(["eval", "--model", str(trained_model), "--data", str(tmp_path)]) == 1
    assert "train-images" in one_error_line(capsys)


def test_data_folder_with_a_corrupt_file(tmp_path, digit_folder, capsys):
    for path in digit_folder.iterdir():
        (tmp_path / path.name).write_bytes(path.read_bytes())
    (tmp_path / "t10k-labels-idx1-ubyte").write_bytes(b"\x00\x00\x08\x01\x00\x00\x00\xc8\x01\x02")
    assert cli.main(["train", "--data", str(tmp_path), "--epochs", "1", "--out", str(tmp_path / "m.npz")]) == 1
    assert "t10k-labels" in one_error_line(capsys)


def test_out_that_is_a_folder(tmp_path, capsys):
    assert cli.main(["train", "--out", str(tmp_path), "--limit", "50"]) == 1
    assert "is a folder" in one_error_line(capsys)


# ----------------------------------------------------------------------------- train then eval


def test_train_then_eval(digit_folder, trained_model, capsys):
    assert trained_model.is_file()
    net = Network.load(trained_model)
    assert net.input_shape == (1, 28, 28)

    assert cli.main(["train", "--data", str(digit_folder), "--epochs", "1", "--out", str(trained_model)]) == 0
    out = capsys.readouterr().out
    assert "300 training / 200 test digits" in out
    assert re.search(r"^epoch 1/1 .*loss .*test", out, re.MULTILINE)
    trained = re.search(r"Test accuracy: ([\d.]+)% \((\d+) / 200 digits\)", out)
    assert trained and f"Model saved to {trained_model}" in out

    assert cli.main(["eval", "--model", str(trained_model), "--data", str(digit_folder)]) == 0
    out = capsys.readouterr().out
    evaluated = re.search(r"Accuracy: ([\d.]+)% \((\d+) / 200 digits\)", out)
    assert evaluated and evaluated.groups() == trained.groups()
    rows = [line for line in out.splitlines() if re.match(r"^\s+\d\s", line)]
    assert len(rows) == 10
    assert len({len(line) for line in rows}) == 1  # aligned columns
    counts = np.array([[int(v) for v in line.split()[1:11]] for line in rows])
    assert counts.sum() == 200 and np.trace(counts) == int(evaluated.group(2))


def test_same_seed_same_model(digit_folder, tmp_path):
    paths = [tmp_path / "a.npz", tmp_path / "b.npz"]
    for path in paths:
        argv = ["train", "--data", str(digit_folder), "--epochs", "1", "--seed", "7", "--out", str(path)]
        assert cli.main(argv) == 0
    a, b = (Network.load(path) for path in paths)
    for name in a.params:
        np.testing.assert_array_equal(a.params[name], b.params[name])


def test_default_output_path_and_eval_default_model(tmp_path, capsys):
    assert cli.main(["train", "--limit", "100", "--epochs", "1", "--optimiser", "adam", "--no-augment"]) == 0
    out = capsys.readouterr().out
    default = tmp_path / "default" / "mnist-cnn.npz"
    assert default.is_file() and f"Model saved to {default}" in out
    assert "adam" in out and "no augmentation" in out
    assert cli.main(["eval", "--limit", "100", "--split", "train"]) == 0
    assert "train part (100 digits)" in capsys.readouterr().out


def test_diverging_training_is_a_one_line_failure(tmp_path, capsys):
    out = tmp_path / "m.npz"
    assert cli.main(["train", "--limit", "64", "--epochs", "1", "--lr", "1e20", "--out", str(out)]) == 1
    assert "diverged" in one_error_line(capsys)
    assert not out.exists()


def test_ctrl_c_during_training(monkeypatch, tmp_path, capsys):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli_commands, "train", interrupted)
    assert cli.main(["train", "--limit", "50", "--out", str(tmp_path / "m.npz")]) == 130
    assert "interrupted" in one_error_line(capsys)


# ----------------------------------------------------------------------------- --data full


def fake_download(error: BaseException):
    def run(folder=None, *, progress=None, cancel=None, **kwargs):
        progress(0, 1000, "train-images-idx3-ubyte.gz")
        progress(500, 1000, "train-images-idx3-ubyte.gz")
        raise error

    return run


def test_full_download_failure(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(download, "full_mnist_available", lambda *a, **k: False)
    monkeypatch.setattr(download, "default_folder", lambda: tmp_path)
    monkeypatch.setattr(
        download, "download_mnist", fake_download(download.DownloadError("all mirrors:\n  a: 404\n  b: 500"))
    )
    assert cli.main(["train", "--data", "full", "--out", str(tmp_path / "m.npz")]) == 1
    line = one_error_line(capsys)
    assert "downloading MNIST failed" in line and "a: 404; b: 500" in line


def test_full_download_cancelled(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(download, "full_mnist_available", lambda *a, **k: False)
    monkeypatch.setattr(download, "default_folder", lambda: tmp_path)
    monkeypatch.setattr(download, "download_mnist", fake_download(download.DownloadCancelled("cancelled")))
    assert cli.main(["eval", "--data", "full"]) != 0  # no default model: fails before downloading
    capsys.readouterr()
    model = tmp_path / "m.npz"
    Network.from_spec(MNIST_SPEC).save(model)
    assert cli.main(["eval", "--model", str(model), "--data", "full"]) == 130
    assert "cancelled" in one_error_line(capsys)


# ----------------------------------------------------------------------------- formatting


def test_confusion_table_is_aligned():
    matrix = np.zeros((10, 10), np.int64)
    matrix[np.arange(10), np.arange(10)] = [5, 10, 100, 1000, 7, 0, 3, 12345, 1, 2]
    matrix[9, 4] = 3
    lines = cli.format_confusion(matrix).splitlines()
    assert len(lines) == 11 and len({len(line) for line in lines}) == 1
    assert lines[6].split()[-1] == "-"  # digit 5 has no examples
    assert lines[10].split()[-2:] == ["5", "40.0%"]


# ----------------------------------------------------------------------------- real process


def test_python_dash_m_train(digit_folder, tmp_path):
    out = tmp_path / "model.npz"
    env = {**os.environ, "PYTHONPATH": str(REPO), "OPENBLAS_NUM_THREADS": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "cnn_desktop", "train", "--data", str(digit_folder), "--epochs", "1", "--out", str(out)],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "Test accuracy" in done.stdout and out.is_file()
    bad = subprocess.run(
        [sys.executable, "-m", "cnn_desktop", "eval", "--model", str(tmp_path / "missing.npz")],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    assert bad.returncode == 1 and bad.stderr.count("\n") == 1 and bad.stderr.startswith("cnn-desktop: error:")
