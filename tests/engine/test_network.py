"""Network building (shapes, defaults, every impossible spec), seeding, files, rebuilding and optimisers."""

from __future__ import annotations

import io
import json
import pickle
import zipfile
from pathlib import Path

import numpy as np
import pytest

from cnn_desktop.engine import MNIST_SPEC, SGD, Adam, ModelFileError, Network, SpecError

MNIST_SHAPES = [(8, 26, 26), (8, 26, 26), (8, 13, 13), (16, 11, 11), (16, 11, 11), (16, 5, 5), (400,), (10,)]

RICH_SPEC = [
    {"type": "conv", "out_channels": 3, "kernel": 4, "padding": "same", "dilation": 2},
    {"type": "relu"},
    {"type": "avgpool", "size": 3, "stride": 2},
    {"type": "conv", "out_channels": 2, "kernel": 2, "stride": 2, "padding": 1},
    {"type": "maxpool", "size": 2, "stride": 1},
    {"type": "flatten"},
    {"type": "dense", "out_features": 5},
]


def test_mnist_shapes_and_params() -> None:
    net = Network.from_spec(MNIST_SPEC, input_shape=(1, 28, 28), seed=0)
    assert net.shapes == MNIST_SHAPES
    assert net.output_shape == (10,)
    assert net.stage_shape(0) == (1, 28, 28) and net.stage_shape(8) == (10,)
    assert {name: array.shape for name, array in net.params.items()} == {
        "0.weight": (8, 1, 3, 3),
        "0.bias": (8,),
        "3.weight": (16, 8, 3, 3),
        "3.bias": (16,),
        "7.weight": (10, 400),
        "7.bias": (10,),
    }
    assert all(array.dtype == np.float32 for array in net.params.values())
    x = np.random.default_rng(0).random((3, 1, 28, 28), dtype=np.float32)
    assert [a.shape[1:] for a in net.activations(x)] == MNIST_SHAPES
    assert net.forward(x).shape == (3, 10)
    probs = net.predict(x)
    np.testing.assert_allclose(probs.sum(axis=1), 1, rtol=1e-6)
    assert [net.label(i) for i in (0, 2, 7)] == ["layer 0 (conv 3x3)", "layer 2 (maxpool 2x2)", "layer 7 (dense 10)"]


def test_params_are_the_layers_arrays() -> None:
    net = Network.from_spec(MNIST_SPEC, seed=0)
    x = np.random.default_rng(1).random((2, 1, 28, 28), dtype=np.float32)
    before = net.forward(x)
    net.params["7.bias"][...] = 0
    net.params["7.bias"][3] = 100
    assert np.argmax(net.forward(x), axis=1).tolist() == [3, 3]
    assert net.params["0.weight"] is net.layers[0].params["weight"]
    assert not np.array_equal(before, net.forward(x))


def test_wrong_input_shape_is_refused() -> None:
    net = Network.from_spec(MNIST_SPEC, seed=0)
    for bad in [np.zeros((1, 28, 28)), np.zeros((1, 1, 28, 27)), np.zeros((2, 3, 28, 28))]:
        with pytest.raises(ValueError, match="input must be a batch of shape"):
            net.forward(bad)


def test_spec_defaults_are_filled_in() -> None:
    spec = [
        {"type": "conv"},
        {"type": "relu"},
        {"type": "maxpool"},
        {"type": "avgpool", "size": 3},
        {"type": "conv", "padding": "valid"},
        {"type": "flatten"},
        {"type": "dense"},
    ]
    original = json.loads(json.dumps(spec))
    net = Network(spec, input_shape=(1, 30, 30))
    assert spec == original  # the caller's spec is not modified
    assert net.spec == [
        {"type": "conv", "out_channels": 8, "kernel": 3, "stride": 1, "padding": 0, "dilation": 1},
        {"type": "relu"},
        {"type": "maxpool", "size": 2, "stride": 2},
        {"type": "avgpool", "size": 3, "stride": 3},
        {"type": "conv", "out_channels": 8, "kernel": 3, "stride": 1, "padding": "valid", "dilation": 1},
        {"type": "flatten"},
        {"type": "dense", "out_features": 10},
    ]
    assert net.shapes == [(8, 28, 28), (8, 28, 28), (8, 14, 14), (8, 4, 4), (8, 2, 2), (32,), (10,)]
    assert Network(MNIST_SPEC).spec[3:6] == [
        {"type": "conv", "out_channels": 16, "kernel": 3, "stride": 1, "padding": 0, "dilation": 1},
        {"type": "relu"},
        {"type": "maxpool", "size": 2, "stride": 2},
    ]


def test_padding_same_keeps_the_size() -> None:
    for kernel in range(1, 8):
        for dilation in (1, 2):
            spec = [{"type": "conv", "out_channels": 2, "kernel": kernel, "padding": "same", "dilation": dilation}]
            assert Network(spec, input_shape=(1, 15, 14)).shapes == [(2, 15, 14)]


def test_the_lecture_shaped_error_message() -> None:
    spec = [
        {"type": "conv", "kernel": 3},
        {"type": "relu"},
        {"type": "maxpool", "size": 2},
        {"type": "conv", "kernel": 5},
    ]
    with pytest.raises(SpecError) as info:
        Network(spec, input_shape=(1, 8, 8))  # 8 -> 6 -> 6 -> 3, then a 5x5 kernel
    message = str(info.value)
    assert message.startswith("layer 3 (conv 5x5): input is only 3x3 after layer 2 (maxpool 2x2)"), message
    assert "5x5 kernel" in message
    assert info.value.layer == 3
    assert isinstance(info.value, ValueError)


# (spec, input shape, layer index, text the message must contain)
IMPOSSIBLE = [
    ([{"type": "pool"}], (1, 8, 8), 0, "layer 0: unknown layer type 'pool'"),
    ([{"type": "relu"}, {"kind": "conv"}], (1, 8, 8), 1, "layer 1: unknown layer type None"),
    ([{"type": ["conv"]}], (1, 8, 8), 0, "unknown layer type ['conv']"),
    ([{"type": "conv", "kernal": 3}], (1, 8, 8), 0, "layer 0 (conv): unknown setting 'kernal'"),
    ([{"type": "relu", "size": 2}], (1, 8, 8), 0, "layer 0 (relu): unknown setting 'size'"),
    ([{"type": "conv", "kernel": 8}], (1, 9, 9), 0, "layer 0 (conv): kernel must be a whole number from 1 to 7, got 8"),
    ([{"type": "conv", "kernel": 0}], (1, 9, 9), 0, "kernel must be a whole number from 1 to 7, got 0"),
    ([{"type": "conv", "kernel": 3.0}], (1, 9, 9), 0, "kernel must be a whole number from 1 to 7, got 3.0"),
    ([{"type": "conv", "kernel": True}], (1, 9, 9), 0, "kernel must be a whole number from 1 to 7, got True"),
    ([{"type": "conv", "stride": 0}], (1, 9, 9), 0, "layer 0 (conv): stride must be a whole number from 1 to 8, got 0"),
    ([{"type": "conv", "padding": -1}], (1, 9, 9), 0, "layer 0 (conv): padding must be a whole number from 0 to 16"),
    ([{"type": "conv", "padding": "full"}], (1, 9, 9), 0, "padding must be a whole number, 'same' or 'valid'"),
    ([{"type": "conv", "padding": "same", "stride": 2}], (1, 9, 9), 0, "layer 0 (conv): padding 'same' needs stride 1"),
    ([{"type": "conv", "dilation": 0}], (1, 9, 9), 0, "dilation must be a whole number from 1 to 8, got 0"),
    ([{"type": "conv", "out_channels": 0}], (1, 9, 9), 0, "out_channels must be a whole number from 1 to 512"),
    ([{"type": "maxpool", "size": 0}], (1, 9, 9), 0, "layer 0 (maxpool): size must be a whole number from 1 to 8"),
    ([{"type": "avgpool", "stride": -1}], (1, 9, 9), 0, "layer 0 (avgpool): stride must be a whole number from 1 to 8"),
    ([{"type": "dense", "out_features": 0}], (1, 9, 9), 0, "out_features must be a whole number from 1 to 4096"),
    (
        [{"type": "conv"}, {"type": "dense"}],
        (1, 28, 28),
        1,
        "layer 1 (dense 10): needs a flat input, but the input is 8x26x26 after layer 0 (conv 3x3); "
        "add a flatten layer",
    ),
    ([{"type": "dense"}], (1, 4, 4), 0, "layer 0 (dense 10): needs a flat input, but the input is 1x4x4 (the input"),
    (
        [{"type": "flatten"}, {"type": "conv"}],
        (1, 8, 8),
        1,
        "layer 1 (conv 3x3): needs an image input, but the input is a vector of 64 after layer 0 (flatten)",
    ),
    (
        [{"type": "flatten"}, {"type": "maxpool"}],
        (2, 4, 4),
        1,
        "layer 1 (maxpool 2x2): needs an image input, but the input is a vector of 32",
    ),
    ([{"type": "conv", "kernel": 7}], (1, 5, 9), 0, "layer 0 (conv 7x7): input is only 5x9 (the input image)"),
    (
        [{"type": "conv", "kernel": 5, "dilation": 2}],
        (1, 8, 8),
        0,
        "layer 0 (conv 5x5): input is only 8x8 (the input image), smaller than the 5x5 kernel (dilated to 9x9)",
    ),
    (
        [{"type": "conv", "kernel": 7, "padding": 1}],
        (1, 4, 4),
        0,
        "layer 0 (conv 7x7): input is only 4x4 (the input image) (6x6 with padding), smaller than the 7x7 kernel",
    ),
    (
        [{"type": "conv", "kernel": 3}, {"type": "avgpool", "size": 4}],
        (1, 5, 5),
        1,
        "layer 1 (avgpool 4x4): input is only 3x3 after layer 0 (conv 3x3), smaller than the 4x4 window",
    ),
]


@pytest.mark.parametrize(("spec", "shape", "layer", "text"), IMPOSSIBLE, ids=[case[3][:40] for case in IMPOSSIBLE])
def test_impossible_specs_raise_spec_error(spec, shape, layer, text) -> None:
    with pytest.raises(SpecError) as info:
        Network(spec, input_shape=shape)
    assert text in str(info.value)
    assert str(info.value).startswith(f"layer {layer}")
    assert info.value.layer == layer
    with pytest.raises(SpecError):
        Network.from_spec(spec, input_shape=shape, seed=1)


@pytest.mark.parametrize(
    ("spec", "shape"),
    [
        ({"type": "conv"}, (1, 8, 8)),
        ("conv", (1, 8, 8)),
        ([{"type": "relu"}], (1, 8)),
        ([{"type": "relu"}], (0, 8, 8)),
        ([{"type": "relu"}], "abc"),
        ([{"type": "relu"}], None),
    ],
)
def test_whole_spec_or_input_errors(spec, shape) -> None:
    with pytest.raises(SpecError) as info:
        Network(spec, input_shape=shape)
    assert info.value.layer is None


def test_not_a_dict_entry() -> None:
    with pytest.raises(SpecError, match=r"^layer 1: expected a dict with a 'type', got 'relu'"):
        Network([{"type": "relu"}, "relu"], input_shape=(1, 4, 4))


def test_same_seed_same_params_different_seed_different() -> None:
    first = Network.from_spec(MNIST_SPEC, seed=7)
    second = Network.from_spec(MNIST_SPEC, seed=7)
    other = Network.from_spec(MNIST_SPEC, seed=8)
    for name in first.params:
        np.testing.assert_array_equal(first.params[name], second.params[name])
        if name.endswith("weight"):
            assert not np.array_equal(first.params[name], other.params[name])
        else:
            assert not first.params[name].any()  # biases start at zero
    # He initialisation: std sqrt(2 / fan_in)
    assert first.params["7.weight"].std() == pytest.approx(np.sqrt(2 / 400), rel=0.1)
    assert first.params["3.weight"].std() == pytest.approx(np.sqrt(2 / 72), rel=0.1)


def test_save_load_round_trip_is_exact(tmp_path: Path) -> None:
    for spec, shape in [(MNIST_SPEC, (1, 28, 28)), (RICH_SPEC, (2, 17, 15))]:
        net = Network.from_spec(spec, input_shape=shape, seed=3)
        rng = np.random.default_rng(0)
        for array in net.params.values():
            array[...] = rng.standard_normal(array.shape)
        path = tmp_path / "model.npz"
        net.save(path)
        loaded = Network.load(path)
        assert loaded.spec == net.spec and loaded.input_shape == net.input_shape and loaded.shapes == net.shapes
        assert loaded.params.keys() == net.params.keys()
        for name, array in net.params.items():
            assert loaded.params[name].dtype == np.float32
            np.testing.assert_array_equal(loaded.params[name], array)
        x = rng.random((2, *shape), dtype=np.float32)
        np.testing.assert_array_equal(loaded.forward(x), net.forward(x))
        assert not any(p.name.endswith(".tmp") for p in tmp_path.iterdir())  # the atomic write cleaned up


def test_save_replaces_an_existing_file(tmp_path: Path) -> None:
    path = tmp_path / "model.npz"
    Network.from_spec(MNIST_SPEC, seed=1).save(path)
    Network.from_spec(RICH_SPEC, input_shape=(2, 17, 15), seed=2).save(path)
    assert Network.load(path).spec == Network(RICH_SPEC, input_shape=(2, 17, 15)).spec


def saved_arrays(tmp_path: Path) -> dict[str, np.ndarray]:
    """The arrays of a freshly saved small network, for building broken files from."""
    path = tmp_path / "good.npz"
    Network.from_spec(RICH_SPEC, input_shape=(2, 17, 15), seed=3).save(path)
    with np.load(path) as npz:
        return {key: npz[key] for key in npz.files}


def header(spec, input_shape, version: int = 1) -> np.ndarray:
    """The ``spec`` array of a weights file: the JSON network description."""
    return np.array(json.dumps({"format": version, "spec": spec, "input_shape": input_shape}))


def write_arrays(path: Path, arrays: dict[str, np.ndarray]) -> Path:
    np.savez(path, **arrays)
    return path


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ModelFileError, match="nothere.npz: no such file"):
        Network.load(tmp_path / "nothere.npz")


def test_damaged_and_truncated_files(tmp_path: Path) -> None:
    good = tmp_path / "good.npz"
    net = Network.from_spec(MNIST_SPEC, seed=0)
    net.save(good)
    payload = good.read_bytes()
    damaged_any = 0
    for position in range(0, len(payload), 97):  # flip one byte every 97 bytes, one file each
        broken = bytearray(payload)
        broken[position] ^= 0xA5
        path = tmp_path / "damaged.npz"
        path.write_bytes(bytes(broken))
        try:
            loaded = Network.load(path)
        except ModelFileError as exc:
            assert str(exc).startswith("damaged.npz: ")
            damaged_any += 1
            continue
        # a flip in a field nobody reads (e.g. a timestamp) may load, but never with changed content
        assert loaded.spec == net.spec
        for name, array in net.params.items():
            np.testing.assert_array_equal(loaded.params[name], array)
    assert damaged_any > len(payload) // 97 // 2
    for cut in (0, 1, 30, len(payload) // 3, len(payload) - 1):
        path = tmp_path / "truncated.npz"
        path.write_bytes(payload[:cut])
        with pytest.raises(ModelFileError, match="truncated.npz: not a readable weights file"):
            Network.load(path)


def test_not_a_zip_file(tmp_path: Path) -> None:
    for name, content in [("text.npz", b"just some text\n" * 10), ("empty.npz", b""), ("zeros.npz", bytes(4096))]:
        path = tmp_path / name
        path.write_bytes(content)
        with pytest.raises(ModelFileError, match=f"{name}: not a readable weights file"):
            Network.load(path)
    plain = tmp_path / "plain.npy"
    np.save(plain, np.zeros(3))
    with pytest.raises(ModelFileError, match="plain.npy: "):
        Network.load(plain)
    with pytest.raises(ModelFileError):
        Network.load(tmp_path)  # a directory


UNPICKLED: list[str] = []


def _record_unpickling(tag: str) -> str:
    UNPICKLED.append(tag)
    return tag


class Booby:
    """Unpickling this calls :func:`_record_unpickling`, so a test can see whether it happened."""

    def __reduce__(self):
        return _record_unpickling, ("unpickled!",)


def test_pickled_object_array_is_refused_without_unpickling(tmp_path: Path) -> None:
    arrays = saved_arrays(tmp_path)
    trap = np.empty(1, dtype=object)
    trap[0] = Booby()
    for key in ("param/0.weight", "spec"):
        path = write_arrays(tmp_path / "trap.npz", {**arrays, key: trap})
        UNPICKLED.clear()
        with np.load(path, allow_pickle=True) as npz:  # the probe works: a careless reader does unpickle
            npz[key]
        assert UNPICKLED == ["unpickled!"]
        UNPICKLED.clear()
        with pytest.raises(ModelFileError, match="trap.npz: array .* holds Python objects"):
            Network.load(path)
        assert UNPICKLED == []
    # a pickle file dressed as .npz
    path = tmp_path / "pickle.npz"
    with open(path, "wb") as handle:
        pickle.dump({"spec": Booby()}, handle)
    UNPICKLED.clear()
    with pytest.raises(ModelFileError):
        Network.load(path)
    assert UNPICKLED == []


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda a: a.update({"param/3.weight": np.zeros((2, 3, 3, 3), np.float32)}), "parameter 3.weight has shape"),
        (lambda a: a.update({"param/6.bias": np.zeros((5, 1), np.float32)}), "parameter 6.bias has shape"),
        (lambda a: a.update({"param/6.bias": np.zeros(5, np.int32)}), "array 'param/6.bias' has type int32"),
        (lambda a: a.pop("param/0.bias"), "parameter 0.bias is missing"),
        (lambda a: a["param/6.weight"].__setitem__((0, 0), np.nan), "parameter 6.weight holds NaN or infinite"),
        (lambda a: a["param/0.bias"].__setitem__(1, np.inf), "parameter 0.bias holds NaN or infinite"),
        (lambda a: a.pop("spec"), "missing or damaged network description"),
        (lambda a: a.update({"spec": np.array("{not json")}), "missing or damaged network description"),
        (lambda a: a.update({"spec": np.array("[1, 2]")}), "missing or damaged network description"),
        (lambda a: a.update({"spec": np.array(json.dumps({"spec": []}))}), "missing or damaged network description"),
        (
            lambda a: a.update({"spec": header([], [1, 2, 2], version=99)}),
            "file format 99 is not supported",
        ),
        (
            lambda a: a.update({"spec": header([{"type": "conv", "kernel": 9}], [1, 9, 9])}),
            "bad.npz: layer 0 (conv): kernel must be a whole number",
        ),
        (
            lambda a: a.update({"spec": header([{"type": {"x": 1}}], [1, 9, 9])}),
            "bad.npz: layer 0: unknown layer type",
        ),
        (
            lambda a: a.update({"spec": header([], "big")}),
            "bad.npz: input shape must be",
        ),
    ],
)
def test_bad_contents_are_refused(tmp_path: Path, change, message: str) -> None:
    arrays = saved_arrays(tmp_path)
    change(arrays)
    path = write_arrays(tmp_path / "bad.npz", arrays)
    with pytest.raises(ModelFileError) as info:
        Network.load(path)
    assert message in str(info.value), str(info.value)
    assert str(info.value).startswith("bad.npz: ")


def test_extra_arrays_and_float64_params_load(tmp_path: Path) -> None:
    """Stored float64 weights are accepted (cast to float32); unknown extra arrays are ignored."""
    arrays = saved_arrays(tmp_path)
    arrays["param/0.weight"] = arrays["param/0.weight"].astype(np.float64)
    arrays["notes"] = np.array("hello")
    net = Network.load(write_arrays(tmp_path / "extra.npz", arrays))
    assert net.params["0.weight"].dtype == np.float32
    np.testing.assert_array_equal(net.params["0.weight"], arrays["param/0.weight"].astype(np.float32))


def test_saved_file_is_a_plain_npz(tmp_path: Path) -> None:
    path = tmp_path / "model.npz"
    Network.from_spec(MNIST_SPEC, seed=0).save(path)
    with zipfile.ZipFile(path) as archive:
        assert sorted(archive.namelist()) == sorted(
            ["spec.npy"] + [f"param/{i}.{p}.npy" for i in (0, 3, 7) for p in ("weight", "bias")]
        )
        header = json.loads(str(np.load(io.BytesIO(archive.read("spec.npy")))))
    assert header == {"format": 1, "spec": Network(MNIST_SPEC).spec, "input_shape": [1, 28, 28]}


def test_copy_is_independent() -> None:
    net = Network.from_spec(MNIST_SPEC, seed=2)
    twin = net.copy()
    for name in net.params:
        np.testing.assert_array_equal(twin.params[name], net.params[name])
        assert not np.shares_memory(twin.params[name], net.params[name])
    twin.params["0.weight"][...] = 0
    assert net.params["0.weight"].any()


def test_rebuilt_keeps_weights_that_still_fit() -> None:
    net = Network.from_spec(MNIST_SPEC, seed=4)
    # fewer classes: both convs keep their kernels, the dense layer is new
    spec = [dict(entry) for entry in MNIST_SPEC]
    spec[7] = {"type": "dense", "out_features": 5}
    fresh = Network.from_spec(spec, seed=9)
    new = net.rebuilt(spec, seed=9)
    for name in ("0.weight", "0.bias", "3.weight", "3.bias"):
        np.testing.assert_array_equal(new.params[name], net.params[name])
        assert not np.shares_memory(new.params[name], net.params[name])
    np.testing.assert_array_equal(new.params["7.weight"], fresh.params["7.weight"])
    assert new.params["7.weight"].shape == (5, 400)

    # a wider second conv: layer 3 and the dense layer after it change shape; layer 0 is kept
    spec = [dict(entry) for entry in MNIST_SPEC]
    spec[3] = {"type": "conv", "out_channels": 4, "kernel": 3}
    new = net.rebuilt(spec, seed=9)
    np.testing.assert_array_equal(new.params["0.weight"], net.params["0.weight"])
    np.testing.assert_array_equal(new.params["3.weight"], Network.from_spec(spec, seed=9).params["3.weight"])
    assert new.params["7.weight"].shape == (10, 100)

    # max pool -> avg pool (no parameters) keeps every weight
    spec = [dict(entry) for entry in MNIST_SPEC]
    spec[2] = {"type": "avgpool", "size": 2}
    new = net.rebuilt(spec)
    for name, array in net.params.items():
        np.testing.assert_array_equal(new.params[name], array)

    # a layer of another type at the same index never gets the old weights, even when the shapes match
    conv, dense = {"type": "conv", "out_channels": 4, "kernel": 1}, {"type": "dense", "out_features": 4}
    spec = [{"type": "relu"}, conv, {"type": "flatten"}, dense]
    base = Network.from_spec(spec, input_shape=(4, 1, 1), seed=1)
    base.params["1.bias"][...] = 1
    base.params["3.bias"][...] = 2
    other = [{"type": "flatten"}, dense, {"type": "relu"}, dense]
    new = base.rebuilt(other, seed=5)
    assert new.params["1.bias"].shape == base.params["1.bias"].shape == (4,)
    assert not new.params["1.bias"].any()  # dense 1 is not conv 1
    fresh = Network.from_spec(other, (4, 1, 1), seed=5)
    np.testing.assert_array_equal(new.params["1.weight"], fresh.params["1.weight"])
    np.testing.assert_array_equal(new.params["3.bias"], base.params["3.bias"])  # dense 3 in both
    np.testing.assert_array_equal(new.params["3.weight"], base.params["3.weight"])

    # a new input shape: conv kernels still fit, the dense layer does not
    new = net.rebuilt(MNIST_SPEC, input_shape=(1, 32, 32), seed=1)
    np.testing.assert_array_equal(new.params["3.weight"], net.params["3.weight"])
    assert new.params["7.weight"].shape == (10, 16 * 6 * 6)


def test_rebuilt_with_origins_follows_moved_layers() -> None:
    """Inserting a layer in front: ``origins`` says where each new layer came from, so weights follow it."""
    net = Network.from_spec(MNIST_SPEC, seed=4)
    spec = [{"type": "conv", "out_channels": 1, "kernel": 1, "padding": 0}] + [dict(entry) for entry in MNIST_SPEC]
    new = net.rebuilt(spec, seed=9, origins=[None, 0, 1, 2, 3, 4, 5, 6, 7])
    for old_index in (0, 3, 7):
        for name in ("weight", "bias"):
            np.testing.assert_array_equal(new.params[f"{old_index + 1}.{name}"], net.params[f"{old_index}.{name}"])
    # without origins, layers are matched by position: the shifted conv 3x3 finds no fitting weights
    by_position = net.rebuilt(spec, seed=9)
    assert not np.array_equal(by_position.params["1.weight"], net.params["0.weight"])
    with pytest.raises(ValueError, match="origins"):
        net.rebuilt(spec, origins=[0, 1])


def toy_problem(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """32 images 1x8x8: class 0 has a bright horizontal bar, class 1 a vertical one, plus noise."""
    rng = np.random.default_rng(seed)
    x = rng.normal(0, 0.1, (32, 1, 8, 8)).astype(np.float32)
    labels = np.arange(32) % 2
    for i, label in enumerate(labels):
        k = rng.integers(1, 7)
        if label == 0:
            x[i, 0, k, 1:7] += 1
        else:
            x[i, 0, 1:7, k] += 1
    return x, labels


TOY_SPEC = [
    {"type": "conv", "out_channels": 4, "kernel": 3, "padding": 1},
    {"type": "relu"},
    {"type": "maxpool", "size": 2},
    {"type": "flatten"},
    {"type": "dense", "out_features": 2},
]


def train(optimiser: str, seed: int, steps: int = 30) -> tuple[list[float], Network]:
    net = Network.from_spec(TOY_SPEC, input_shape=(1, 8, 8), seed=seed)
    opt = SGD(net.params, lr=0.05, momentum=0.9) if optimiser == "sgd" else Adam(net.params, lr=0.01)
    x, labels = toy_problem()
    losses = []
    for step in range(steps):
        batch = slice((step * 8) % 32, (step * 8) % 32 + 8)
        loss, grads = net.loss_and_grads(x[batch], labels[batch])
        opt.step(grads)
        losses.append(loss)
    return losses, net


@pytest.mark.parametrize("optimiser", ["sgd", "adam"])
def test_optimisers_reduce_the_loss_deterministically(optimiser: str) -> None:
    x, labels = toy_problem()
    start = Network.from_spec(TOY_SPEC, input_shape=(1, 8, 8), seed=1).loss_and_grads(x, labels)[0]
    losses, net = train(optimiser, seed=1)
    end = net.loss_and_grads(x, labels)[0]
    assert end < 0.5 * start, (start, end)
    assert np.mean(losses[-4:]) < np.mean(losses[:4])
    assert (np.argmax(net.forward(x), axis=1) == labels).mean() >= 0.9
    assert all(array.dtype == np.float32 for array in net.params.values())
    again, twin = train(optimiser, seed=1)
    assert again == losses  # bit-for-bit the same trajectory
    for name in net.params:
        np.testing.assert_array_equal(twin.params[name], net.params[name])
    other, _ = train(optimiser, seed=2)
    assert other != losses


def test_sgd_step_is_heavy_ball_momentum() -> None:
    params = {"w": np.array([1.0, -2.0], np.float32)}
    opt = SGD(params, lr=0.1, momentum=0.5)
    grad = {"w": np.array([1.0, 1.0], np.float32)}
    opt.step(grad)
    np.testing.assert_allclose(params["w"], [0.9, -2.1], rtol=1e-6)
    opt.step(grad)  # v = 0.5 * -0.1 - 0.1 = -0.15
    np.testing.assert_allclose(params["w"], [0.75, -2.25], rtol=1e-6)


def test_adam_first_step_moves_each_weight_by_lr() -> None:
    params = {"w": np.array([1.0, -2.0, 0.5], np.float32)}
    opt = Adam(params, lr=0.01)
    opt.step({"w": np.array([3.0, -0.001, 50.0], np.float32)})
    np.testing.assert_allclose(params["w"], [0.99, -1.99, 0.49], rtol=1e-5)
