"""The built-in lesson: the lecture's worked examples as a sequence of ready-made scenes (Qt-free).

Each :class:`Scene` is one step of the lecture: a title, a caption (one line a lecturer would say),
a complete :class:`~cnn_desktop.session.Session` (image, network with exact weights, selected unit)
and the view options the app should show it with. :func:`builtin_scenes` replays the lecture in
order, from the identity kernel on the 7x7 slide image to the MNIST CNN; every number the slides
show comes out of these scenes exactly (see ``tests/test_lesson.py``).

The view options of a scene are a :class:`~cnn_desktop.state.view_options.ViewOptions` (saved
as a JSON object in ``.cnnd`` / ``.cnndeck`` files): the player's layer, channel and cell, the map
scaling (always ``"layer"`` here), and the kernel editor's layer and factor (``"1/9"`` for the box
blur).

Stages number the tensors as everywhere in the app: stage 0 is the input image, stage ``i + 1`` the
output of layer ``i``.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .compute import ForwardResult, forward_pass
from .deck_file import load_deck, save_deck
from .engine import MNIST_SPEC, ModelFileError, Network, Unit, pretrained, pretrained_record
from .engine.spec import LayerSpec
from .image_presets import LECTURE_IMAGE
from .kernel_presets import kernel_preset
from .lesson_colour import COLOUR_PICTURE, RED_EDGES_KERNEL
from .session import Session, check_image
from .session_file import SessionFileError
from .state.digit_library import DigitLibrary
from .state.digit_ref import DigitRef
from .state.view_options import ViewOptions, ViewOptionsError

__all__ = [
    "DEFAULT_VIEW_OPTIONS",
    "SCENE_TITLES",
    "Scene",
    "builtin_scenes",
    "caption_title",
    "save_builtin_deck",
    "scene_results",
    "scenes_from_deck",
    "view_options_for",
]

DEFAULT_VIEW_OPTIONS = ViewOptions()
"""The view options of a scene when a deck leaves them out (a network's first conv in the kernel editor)."""

SCENE_TITLES: tuple[str, ...] = (
    "Identity kernel, no padding",
    "Identity kernel, zero padding 1",
    "Box blur",
    "Horizontal edges",
    "Convolution layer",
    "A colour picture (depth 3)",
    "Max pooling",
    "Pooling again",
    "One pixel sees everything",
    "Before training",
    "After training",
)
"""Titles of the built-in scenes, in lecture order; each caption starts with its title and a colon."""

MAX_TITLE_CHARS = 60


@dataclass
class Scene:
    """One step of a lesson: what to show and what to say about it.

    ``session.caption`` holds the same text as ``caption`` (it is what a deck file stores).
    """

    title: str
    caption: str
    session: Session
    view_options: ViewOptions = field(default_factory=ViewOptions)


# ----------------------------------------------------------------------------------------------- the lesson
def builtin_scenes(digits: DigitLibrary | None = None) -> list[Scene]:
    """The lecture, scene by scene, in its order; fresh sessions on every call (edit them freely).

    1. the 7x7 image and the identity kernel without padding (5x5 out), the player on the first cell;
    2. the identity kernel with zero padding 1 (7x7 out, a copy of the input);
    3. the 1/9 box blur (the slide shows 9x these values);
    4. the horizontal-edge kernel, with its -2 and -4;
    5. a conv layer of three 3x3 kernels + ReLU stacked into one 5x5x3 feature map;
    6. depth d = 3: a 7x7 colour picture (red, green and blue bars) and one 3x3x3 kernel that picks
       out the red horizontal lines (``lesson_colour``), the player on the bar's middle;
    7. conv (horizontal edges) + ReLU + 2x2 max pooling = [[1, 3], [1, 3]], a pooled 1 selected:
       its receptive field is the 16 input pixels of a 4x4 box;
    8. pooling again, exactly as the slides: the 2x2 map pooled to one pixel, which sees 36 of the
       49 input pixels (a 2x2 pool drops the 5x5 map's last row and column);
    9. overlapping 3x3 pools so that one pixel sees the whole 7x7 input, all 49 pixels;
    10. the MNIST CNN with random weights (seed 0) on the first bundled test digit (from ``digits``,
       the app's digit sets, when given): a confident-looking guess that means nothing;
    11. the same CNN trained (the bundled network) on the same digit: read right, and sure of it.
    The captions of 10 and 11 quote the probabilities the app will show.
    """
    digits = digits or DigitLibrary()
    return [
        _identity_scene(),
        _padding_scene(),
        _blur_scene(),
        _edges_scene(),
        _conv_layer_scene(),
        _depth_scene(),
        _max_pool_scene(),
        _pool_again_scene(),
        _whole_image_scene(),
        _before_training_scene(digits),
        _after_training_scene(digits),
    ]


def scene_results(scene: Scene) -> ForwardResult:
    """The forward pass of ``scene`` with its selection analysed (``.stages``, ``.field``...)."""
    session = scene.session
    return forward_pass(session.version, session.image, session.network, session.selection)


def save_builtin_deck(path: str | os.PathLike) -> None:
    """Write the built-in lesson to ``path`` as a ``.cnndeck`` (captions and view options inside).

    Raises :class:`~cnn_desktop.session_file.SessionFileError` if the file cannot be written.
    """
    save_deck(path, [(scene.session, scene.view_options.to_json()) for scene in builtin_scenes()])


def scenes_from_deck(path: str | os.PathLike) -> list[Scene]:
    """The scenes of a deck (a lecturer's own, or :func:`save_builtin_deck`'s), in the deck's order.

    Titles come from each caption's first clause (``Scene N`` for an empty caption); view options
    missing from a session, or naming no layer of its network, get the defaults of
    :func:`view_options_for`; keys the lesson does not know are kept. Raises
    :class:`~cnn_desktop.session_file.SessionFileError` for a file that cannot be read or view
    options of the wrong kind.
    """
    scenes = []
    for index, (session, options) in enumerate(load_deck(path)):
        title = caption_title(session.caption) or f"Scene {index + 1}"
        try:
            view_options = view_options_for(session.network, options)
        except ViewOptionsError as exc:
            raise SessionFileError(f"{os.path.basename(path)}, session {index + 1}: {exc}") from None
        scenes.append(Scene(title, session.caption, session, view_options))
    return scenes


def caption_title(caption: str) -> str:
    """The first clause of ``caption`` (up to its first ``:``, ``;``, dash or full stop), as a short title.

    ``"Box blur: each output is ..."`` gives ``"Box blur"``; a clause longer than
    :data:`MAX_TITLE_CHARS` is cut at a word and ends with an ellipsis; an empty caption gives "".
    """
    text = " ".join(str(caption).split())
    clause = re.split(r"[:;]|\s[\u2013\u2014-]\s|\.(?:\s|$)", text, maxsplit=1)[0].strip()
    if len(clause) <= MAX_TITLE_CHARS:
        return clause
    cut = clause[: MAX_TITLE_CHARS - 1].rsplit(" ", 1)[0].rstrip(" ,")
    return cut + "\u2026"


def view_options_for(network: Network, options: dict[str, Any] | None = None) -> ViewOptions:
    """The view options saved as ``options``, checked and naming real layers of ``network``.

    Missing values and layers, channels or cells the network lacks take the defaults (no player,
    ``"layer"`` scaling, the kernel editor on the first conv layer; an explicit None kernel layer
    stays None); keys the lesson does not know are kept. Raises
    :class:`~cnn_desktop.state.view_options.ViewOptionsError` for a value of the wrong kind.
    """
    return ViewOptions.from_json(options, network)


# ----------------------------------------------------------------------------------------------- the scenes
def _identity_scene() -> Scene:
    network = _lecture_network([_conv(padding=0)], [_kernel("Identity")])
    return _scene(
        0,
        "the output is smaller than the input (7x7 \u2192 5x5); each cell is the dot product of the kernel "
        "with one 3x3 window",
        network,
        Unit(stage=1, channel=0, y=0, x=0),
        player_layer=0,
    )


def _padding_scene() -> Scene:
    network = _lecture_network([_conv(padding=1)], [_kernel("Identity")])
    return _scene(
        1,
        "pad the input with a border of 0s and the output keeps its size (7x7 \u2192 7x7, a copy of the input)",
        network,
        Unit(stage=1, channel=0, y=0, x=0),
        player_layer=0,
    )


def _blur_scene() -> Scene:
    network = _lecture_network([_conv(padding=0)], [_kernel("Box blur")])
    return _scene(
        2,
        "every weight is 1/9, so each output is the mean of its 3x3 window; the slide shows the window sums, "
        "9x these values (the selected 1 is the slide's 9)",
        network,
        Unit(stage=1, channel=0, y=2, x=1),
        player_layer=0,
        kernel_factor="1/9",
    )


def _edges_scene() -> Scene:
    network = _lecture_network([_conv(padding=0)], [_kernel("Horizontal edges")])
    return _scene(
        3,
        "[-1 -1 -1; 2 2 2; -1 -1 -1] is large on horizontal strokes and negative (-2, -4) where a row is darker "
        "than the rows above and below it",
        network,
        Unit(stage=1, channel=0, y=2, x=3),
        player_layer=0,
    )


def _conv_layer_scene() -> Scene:
    kernels = [_kernel("Horizontal edges"), _kernel("Vertical edges"), _kernel("Box blur")]
    network = _lecture_network([_conv(out_channels=3), {"type": "relu"}], kernels)
    return _scene(
        4,
        "three 3x3 kernels (horizontal edges, vertical edges, box blur) + ReLU, their outputs stacked into one "
        "feature map of height-2 x width-2 x 3 = 5x5x3; in a CNN these kernels are learned",
        network,
        Unit(stage=2, channel=1, y=2, x=0),
        player_layer=0,
        player_channel=1,
    )


def _depth_scene() -> Scene:
    spec = [_conv(), {"type": "relu"}]
    network = Network.from_spec(spec, COLOUR_PICTURE.shape, seed=0)
    network.params["0.weight"][...] = RED_EDGES_KERNEL[None]
    network.params["0.bias"][...] = 0
    return _scene(
        5,
        "a colour picture is 3 grids (red, green, blue), so a kernel is 3x3x3: the 3 slices' dot products are "
        "summed, plus the bias. The red slice finds horizontal lines, green and blue are 0: the red bar gives "
        "4 6 6 6 4, the green bar nothing",
        network,
        Unit(stage=1, channel=0, y=0, x=2),
        image=COLOUR_PICTURE,
        player_layer=0,
    )


def _max_pool_scene() -> Scene:
    spec = [_conv(), {"type": "relu"}, {"type": "maxpool", "size": 2, "stride": 2}]
    network = _lecture_network(spec, [_kernel("Horizontal edges")])
    return _scene(
        6,
        "conv (horizontal edges) + ReLU, then 2x2 max pooling gives [[1, 3], [1, 3]]; what numbers were involved "
        "in computing this 1? The 16 input pixels of a 4x4 box",
        network,
        Unit(stage=3, channel=0, y=0, x=0),
        player_layer=2,
    )


def _pool_again_scene() -> Scene:
    spec = [_conv(), {"type": "relu"}, {"type": "maxpool", "size": 2}, {"type": "maxpool", "size": 2}]
    network = _lecture_network(spec, [_kernel("Horizontal edges")])
    return _scene(
        7,
        "a 2x2 max pool over [[1, 3], [1, 3]] gives a single pixel, 3, that sees a 6x6 block: 36 of the 49 "
        "input pixels, because a 2x2 pool over the 5x5 map leaves out its last row and column",
        network,
        Unit(stage=4, channel=0, y=0, x=0),
        player_layer=3,
    )


def _whole_image_scene() -> Scene:
    spec = [
        _conv(),
        {"type": "relu"},
        {"type": "maxpool", "size": 3, "stride": 2},
        {"type": "maxpool", "size": 2, "stride": 2},
    ]
    network = _lecture_network(spec, [_kernel("Horizontal edges")])
    return _scene(
        8,
        "3x3 max-pool windows at stride 2 cover the whole 5x5 map (2x2 windows would leave out its last row and "
        "column), and a 2x2 max pool over the 2x2 result gives one pixel whose receptive field is the whole 7x7 "
        "input, all 49 pixels",
        network,
        Unit(stage=4, channel=0, y=0, x=0),
        player_layer=3,
    )


def _before_training_scene(digits: DigitLibrary) -> Scene:
    network = Network.from_spec(MNIST_SPEC, (1, 28, 28), seed=0)
    image, shown = _first_digit(digits)
    if shown is None:
        rest = "the MNIST CNN with random weights on a blank 28x28 grid; draw a digit and read its 10 probabilities"
    else:
        reading = _reading(image, network)
        rest = (
            f"the MNIST CNN with random weights reads this handwritten {shown.label} as {reading}: it has "
            "learned nothing yet, so even its most likely class is a guess"
        )
    return _digit_scene(9, rest, network, image, shown)


def _after_training_scene(digits: DigitLibrary) -> Scene:
    image, shown = _first_digit(digits)
    try:
        network, record = pretrained(), pretrained_record()
    except ModelFileError as exc:
        network, record = Network.from_spec(MNIST_SPEC, (1, 28, 28), seed=0), None
        return _digit_scene(10, f"no trained network to show ({exc})", network, image, shown)
    if shown is None:
        rest = "the same CNN after training on MNIST digits; draw a digit on the blank grid and see it read"
    else:
        rest = (
            f"the same CNN after training on MNIST digits reads the {shown.label} as {_reading(image, network)}; "
            "draw a digit of your own and see it read"
        )
    scene = _digit_scene(10, rest, network, image, shown)
    scene.session.training_record = record
    return scene


def _first_digit(digits: DigitLibrary) -> tuple[np.ndarray, DigitRef | None]:
    """The first bundled test digit (1, 28, 28), or a blank grid when the digits cannot be read."""
    first = digits.first_test_digit()
    return (first[0][None], first[1]) if first is not None else (np.zeros((1, 28, 28), np.float32), None)


def _reading(image: np.ndarray, network: Network) -> str:
    """``a 9 (99.9%)``: the class the network gives ``image`` and its probability, as the app shows it."""
    probabilities = forward_pass(0, image, network, None).probabilities
    top = int(np.argmax(probabilities))
    return f"{'an' if top == 8 else 'a'} {top} ({100 * float(probabilities[top]):.1f}%)"


def _digit_scene(index: int, rest: str, network: Network, image: np.ndarray, shown: DigitRef | None) -> Scene:
    scene = _scene(index, rest, network, None, image=image, player_layer=None)
    scene.session.digit = shown
    return scene


# ----------------------------------------------------------------------------------------------- helpers
def _scene(
    index: int,
    rest: str,
    network: Network,
    selection: Unit | None,
    *,
    image: np.ndarray | None = None,
    player_layer: int | None,
    player_channel: int = 0,
    kernel_factor: str = "1",
) -> Scene:
    """Scene ``index`` of the lesson: caption "<title>: <rest>", by default on the lecture image.

    The player stands on the selected cell when the selection lies in a map of the player layer's
    size (its own output, or the ReLU after it), else on the first cell.
    """
    title = SCENE_TITLES[index]
    caption = f"{title}: {rest}"
    image = check_image(LECTURE_IMAGE if image is None else image).copy()
    session = Session(image=image, network=network, selection=None, caption=caption)
    if selection is not None and session.valid_selection(selection) != selection:
        raise AssertionError(f"scene {index + 1}: {selection} names no unit of {network}")
    session.selection = selection
    position = None
    if player_layer is not None:
        _, height, width = network.shapes[player_layer]
        position = 0
        if selection is not None and network.stage_shape(selection.stage)[1:] == (height, width):
            position = selection.y * width + selection.x
    options = ViewOptions(
        scaling="layer",
        kernel_layer=0,
        kernel_factor=kernel_factor,
        player_layer=player_layer,
        player_channel=player_channel,
        player_position=position,
    )
    return Scene(title, caption, session, options)


def _conv(out_channels: int = 1, padding: int = 0) -> LayerSpec:
    return {"type": "conv", "out_channels": out_channels, "kernel": 3, "stride": 1, "padding": padding}


def _kernel(name: str) -> np.ndarray:
    """A 3x3 preset as float32 weights: ``float32(scale) * grid`` (the box blur is exactly float32(1/9))."""
    scale, grid = kernel_preset(name, 3)
    return (np.float32(scale) * grid.astype(np.float32)).astype(np.float32)


def _lecture_network(spec: list[LayerSpec], kernels: list[np.ndarray]) -> Network:
    """``spec`` on the 1x7x7 lecture image; layer 0 is a conv carrying ``kernels``, all biases 0."""
    network = Network.from_spec(spec, (1, 7, 7), seed=0)
    network.params["0.weight"][...] = np.stack(kernels)[:, None]
    for name, array in network.params.items():
        if name.endswith(".bias"):
            array[...] = 0
    return network
