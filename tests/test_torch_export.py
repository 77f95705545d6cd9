"""export-torch: the written PyTorch module computes what the engine computes, from the same .npz."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from cnn_desktop import cli
from cnn_desktop.__main__ import main as command_line
from cnn_desktop.engine import MNIST_SPEC, Network
from cnn_desktop.torch_export import torch_source

ODD_SPEC = [
    {"type": "conv", "out_channels": 3, "kernel": 4, "padding": "same"},  # uneven padding: 1 before, 2 after
    {"type": "relu"},
    {"type": "conv", "out_channels": 4, "kernel": 3, "stride": 2, "padding": 1, "dilation": 2},
    {"type": "avgpool", "size": 2, "stride": 1},
    {"type": "maxpool", "size": 3},
    {"type": "flatten"},
    {"type": "dense", "out_features": 5},
    {"type": "relu"},
    {"type": "dense", "out_features": 3},
]


def load_module(path: Path):
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(("spec", "shape"), [(MNIST_SPEC, (1, 28, 28)), (ODD_SPEC, (2, 17, 15))], ids=["mnist", "odd"])
def test_the_exported_module_gives_the_engines_outputs(tmp_path: Path, spec, shape) -> None:
    torch = pytest.importorskip("torch")
    net = Network.from_spec(spec, shape, seed=4)
    for name, array in net.params.items():
        if name.endswith("bias"):
            array[...] = np.random.default_rng(len(name)).normal(0, 0.2, array.shape)
    net.save(tmp_path / "model.npz")
    assert cli.main(["export-torch", str(tmp_path / "model.npz"), "--out", str(tmp_path / "exported.py")]) == 0
    model = load_module(tmp_path / "exported.py").load(str(tmp_path / "model.npz"))
    images = np.random.default_rng(0).uniform(0, 1, (6, *shape)).astype(np.float32)
    with torch.no_grad():
        scores = model(torch.from_numpy(images)).numpy()
    expected = net.forward(images)
    assert scores.shape == expected.shape
    np.testing.assert_allclose(scores, expected, rtol=1e-4, atol=1e-5)


def test_the_exported_text_is_readable_and_needs_no_torch_to_write() -> None:
    source = torch_source(Network.from_spec(MNIST_SPEC), "digits.npz")
    assert '("conv0", nn.Conv2d(1, 8, kernel_size=3)),' in source
    assert '("pool5", nn.MaxPool2d(kernel_size=2, stride=2)),' in source
    assert '"dense7.weight": "param/7.weight",' in source
    assert 'load("digits.npz")' in source
    compile(source, "exported.py", "exec")
    code = "import sys; from cnn_desktop.torch_export import torch_source; from cnn_desktop.engine import *; "
    code += "torch_source(Network.from_spec(MNIST_SPEC)); print('torch' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_a_missing_or_damaged_model_is_one_error_line(tmp_path: Path, capsys) -> None:
    assert cli.main(["export-torch", str(tmp_path / "none.npz")]) == 1
    (tmp_path / "bad.npz").write_bytes(b"not a zip")
    assert command_line(["export-torch", str(tmp_path / "bad.npz")]) == 1  # through the program's own entry
    errors = capsys.readouterr().err.splitlines()
    assert len(errors) == 2
    assert "no model file" in errors[0] and "bad.npz" in errors[1]
    assert not (tmp_path / "bad.py").exists()
