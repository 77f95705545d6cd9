"""The document a user edits: the input image, the network (pipeline + weights) and the selection.

Qt-free. Every change goes through a method here that checks it first and leaves the session
unchanged when it is impossible, so a bad edit can never lose work. Views learn about changes
from the Qt layer (``ui/document.py``), which wraps each change in an undoable command.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .engine import MNIST_SPEC, ModelFileError, Network, TrainingRecord, Unit, pretrained, pretrained_record
from .engine.pretrained import pretrained_info
from .engine.spec import MAX_FEATURE_VALUES, feature_value_count
from .input_channels import MAX_CHANNELS
from .state.digit_library import DigitLibrary
from .state.digit_ref import DigitRef
from .state.training_history import TrainingHistory, TrainingHistoryError

MIN_GRID, MAX_GRID = 5, 64


def check_image(image: np.ndarray) -> np.ndarray:
    """``image`` as a float32 (d, H, W) picture, 1 <= d <= 4, 5 <= H, W <= 64, values in [0, 1].

    A grey (H, W) grid is taken as d = 1.
    """
    image = np.asarray(image, dtype=np.float32)
    if image.ndim == 2:
        image = image[None]
    if image.ndim != 3 or not (MIN_GRID <= min(image.shape[1:]) and max(image.shape[1:]) <= MAX_GRID):
        raise ValueError(
            f"an image is a grid from {MIN_GRID}x{MIN_GRID} to {MAX_GRID}x{MAX_GRID}, got {image.shape[-2:]}"
        )
    if not 1 <= image.shape[0] <= MAX_CHANNELS:
        raise ValueError(f"an image has 1 to {MAX_CHANNELS} channels, got {image.shape[0]}")
    if not np.isfinite(image).all():
        raise ValueError("the image holds NaN or infinite values")
    return np.clip(image, 0.0, 1.0)


def network_fit_problem(network: Network) -> str | None:
    """Why the app cannot show ``network`` (read from a file), or None if it can.

    The input must be a grid of 1 to 4 channels the image editor can hold, and the feature maps
    must stay within :data:`MAX_FEATURE_VALUES` even when the grid is made as large as it goes.
    """
    channels, height, width = network.input_shape
    if channels > MAX_CHANNELS:
        return f"the network takes {channels}-channel input; the image editor holds 1 to {MAX_CHANNELS} channels"
    if not (MIN_GRID <= min(height, width) and max(height, width) <= MAX_GRID):
        limits = f"{MIN_GRID}x{MIN_GRID} to {MAX_GRID}x{MAX_GRID}"
        return f"the network takes {height}x{width} input; the image grid is {limits}"
    values = feature_value_count(network.spec, (channels, MAX_GRID, MAX_GRID))
    if values > MAX_FEATURE_VALUES:
        return (
            f"on a {MAX_GRID}x{MAX_GRID} image its feature maps would hold {values:,} values "
            f"(at most {MAX_FEATURE_VALUES:,})"
        )
    return None


def check_params(network: Network, values: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """``values`` as float32 arrays, after checking names, shapes and that all are finite."""
    checked = {}
    for name, value in values.items():
        target = network.params.get(name)
        if target is None:
            raise KeyError(f"the network has no parameter {name}")
        value = np.asarray(value, dtype=np.float32)
        if value.shape != target.shape:
            raise ValueError(f"{name} has shape {target.shape}, not {value.shape}")
        if not np.isfinite(value).all():
            raise ValueError(f"{name}: NaN or infinite values")
        checked[name] = value
    return checked


@dataclass
class Session:
    """The open document. ``image`` is (d, H, W) and ``network.input_shape`` always its shape."""

    image: np.ndarray = field(default_factory=lambda: np.zeros((1, 28, 28), np.float32))
    network: Network = field(default_factory=lambda: Network.from_spec(MNIST_SPEC, (1, 28, 28), seed=0))
    selection: Unit | None = None
    caption: str = ""
    version: int = 0
    digit: DigitRef | None = None
    """The MNIST digit the image is, as loaded; None once the image is drawn on or replaced."""
    training: TrainingHistory | None = None
    """The curves, verdict and confusion matrix of the last training run, shown and saved with the session."""
    training_record: TrainingRecord | None = None
    """The fingerprints of the weights training produced (None: no training behind them), so the app can
    tell trained weights from random or edited ones (``engine.weights_status``)."""

    @property
    def grid_shape(self) -> tuple[int, int]:
        """(H, W) of the image grid."""
        return self.image.shape[1], self.image.shape[2]

    @property
    def depth(self) -> int:
        """d, the image's number of channels (1 grey, 3 RGB)."""
        return self.image.shape[0]

    def __post_init__(self) -> None:
        image = np.asarray(self.image, np.float32)
        self.image = image[None] if image.ndim == 2 else image  # a grey (H, W) grid is one channel

    def touch(self) -> None:
        """Count a change, so that results computed for an older state can be told apart."""
        self.version += 1

    def set_image(self, image: np.ndarray) -> None:
        """Replace the image; a new grid size or depth rebuilds the network and may raise SpecError."""
        image = check_image(image)
        if image.shape != self.image.shape:
            self.network = self.network.rebuilt(self.network.spec, image.shape)
        self.image = image.copy()
        self.digit = None
        self.selection = self.valid_selection(self.selection)
        self.touch()

    def set_pixels(self, rows: np.ndarray, cols: np.ndarray, values: np.ndarray, channel: int | None = None) -> None:
        """Write ``values`` (clipped to [0, 1]) at pixel positions (rows[i], cols[i]).

        ``channel`` None writes every channel: ``values`` (n,) the same in each, or (d, n) one row each.
        """
        values = np.clip(values, 0.0, 1.0)
        if channel is None:
            self.image[:, rows, cols] = values
        else:
            self.image[channel, rows, cols] = values
        self.digit = None
        self.touch()

    def set_network(self, network: Network) -> None:
        """Adopt ``network`` (its input shape must fit the image)."""
        if network.input_shape != self.image.shape:
            raise ValueError(f"the network expects input {network.input_shape}, the image is {self.image.shape}")
        self.network = network
        self.selection = self.valid_selection(self.selection)
        self.touch()

    def set_params(self, values: dict[str, np.ndarray]) -> None:
        """Write parameter arrays by name (``"0.weight"``...); nothing changes if one is bad."""
        for name, value in check_params(self.network, values).items():
            self.network.params[name][...] = value
        self.touch()

    def select(self, selection: Unit | None) -> None:
        self.selection = self.valid_selection(selection)
        self.touch()

    def valid_selection(self, selection: Unit | None) -> Unit | None:
        """``selection`` if it still names a unit of the current network, else None."""
        if selection is None or not 0 <= selection.stage <= len(self.network.layers):
            return None
        shape = self.network.stage_shape(selection.stage)
        if len(shape) == 1:
            return selection if selection.y == 0 and 0 <= selection.x < shape[0] else None
        c, h, w = shape
        inside = 0 <= selection.channel < c and 0 <= selection.y < h and 0 <= selection.x < w
        return selection if inside else None


def default_session(digits: DigitLibrary | None = None) -> Session:
    """What a newcomer should see first: the trained MNIST network reading the first test digit.

    The one definition of the start-up (and File > New) document, so both show the same thing.
    ``digits`` are the app's digit sets (a fresh library when None); without readable digits the
    grid stays blank. The training panel shows the bundled network's own run (learning curves,
    confusion matrix), so what it shows belongs to the weights. If the bundled network is missing
    from the installation the weights are random and the record None, so the app still opens and
    says its weights are untrained.
    """
    try:
        session = Session(network=pretrained(), training_record=pretrained_record())
    except ModelFileError:
        session = Session()
    else:
        session.training = _pretrained_history()
    first = (digits or DigitLibrary()).first_test_digit()
    if first is not None:
        session.image, session.digit = check_image(first[0]), first[1]
    return session


def _pretrained_history() -> TrainingHistory | None:
    """The history of the run that made the bundled weights; None if it is not stored or damaged."""
    try:
        return TrainingHistory.from_json(pretrained_info()["history"])
    except (ModelFileError, KeyError, TrainingHistoryError):
        return None
