"""Lesson scenes for the lecture's closing claims, and quiz variants of the built-in scenes (Qt-free).

:func:`shift_scene` shows the trained network on a digit and on the same digit moved one pixel:
its caption carries the numbers of that very comparison (computed when the scene is built, not
written by hand). :func:`quiz_scenes` are the built-in scenes with their last result hidden until
the lecturer reveals it, so the class predicts first (see :mod:`cnn_desktop.state.reveal`).
"""

from __future__ import annotations

import numpy as np

from .data import datasets
from .engine import Network, pretrained, pretrained_record
from .engine.layers import Pool2D
from .insight import DEFAULT_SHIFT, StageChange, compare_images, shifted
from .lesson import Scene, builtin_scenes, view_options_for
from .session import Session, check_image
from .state.reveal import stage_result, with_hidden

SHIFT_TITLE = "Shift the digit"


def _percent(value: float) -> str:
    return f"{100 * value:.0f}%" if value >= 0.005 else f"{100 * value:.1f}%"


def shift_caption(net: Network, changes: list[StageChange], before: int, after: int) -> str:
    """What the comparison of a digit and its shifted copy says, with its own numbers."""
    conv = next(c for c in changes[1:] if c.aligned_change is not None)
    pooled = [c for c in changes[1:] if isinstance(net.layers[c.stage - 1], Pool2D) and c.aligned_change is None]
    last = changes[-1]
    reads = (
        f"the network still reads it as {after}" if before == after else f"the network now reads {after}, not {before}"
    )
    text = (
        f"{SHIFT_TITLE}: moved one pixel right, {net.stage_name(conv.stage)} changes {_percent(conv.raw_change)} "
        f"as it stands but {_percent(conv.aligned_change)} once the shift is undone: convolution moves with "
        "the input."
    )
    if pooled:
        pool, pooled_map = pooled[0], changes[pooled[0].stage - 1]
        text += (
            f" After pooling the shift is half a pixel and cannot be undone; {net.stage_name(pool.stage)} changes "
            f"{_percent(pool.raw_change)}, the map it pools {_percent(pooled_map.raw_change)}."
        )
    return text + f" The class scores change {_percent(last.raw_change)} and {reads}. (View > Two inputs)"


def shift_scene(digit: int = 0) -> Scene:
    """The trained network on bundled test digit ``digit``; the caption compares it with its shifted copy."""
    net = pretrained()
    digits = datasets.load_bundled()
    image = check_image(digits.test_images[digit]).copy()
    moved = shifted(image, DEFAULT_SHIFT)
    changes = compare_images(net, image, moved, DEFAULT_SHIFT)
    before = int(np.argmax(net.forward(image[None])))
    after = int(np.argmax(net.forward(moved[None])))
    caption = shift_caption(net, changes, before, after)
    session = Session(image=image, network=net, selection=None, caption=caption)
    session.training_record = pretrained_record()  # the app knows these weights are the trained ones
    return Scene(SHIFT_TITLE, caption, session, view_options_for(net, {"player_layer": None}))


def shift_quiz_scene(digit: int = 0) -> Scene:
    """:func:`shift_scene` with the comparison's numbers hidden: which layers will change most?"""
    scene = shift_scene(digit)
    caption = (
        f"Quiz: {SHIFT_TITLE}: predict which layers change when the digit moves one pixel right, "
        "then reveal the numbers"
    )
    scene.session.caption = caption
    return Scene(f"Quiz: {SHIFT_TITLE}", caption, scene.session, with_hidden(scene.view_options, ["changes"]))


def quiz_scenes() -> list[Scene]:
    """The built-in scenes, each with its last result hidden until revealed (the probabilities for a classifier)."""
    quizzes = []
    for scene in builtin_scenes():
        network = scene.session.network
        last = len(network.layers)
        hidden = ["probabilities"] if len(network.stage_shape(last)) == 1 else [stage_result(last)]
        caption = f"Quiz: {scene.caption} (predict the hidden result, then reveal it)"
        scene.session.caption = caption
        quizzes.append(Scene(f"Quiz: {scene.title}", caption, scene.session, with_hidden(scene.view_options, hidden)))
    return quizzes
