"""The shift scene carries its own computed numbers; quiz scenes keep their hidden results in decks."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from cnn_desktop.data.datasets import load_bundled
from cnn_desktop.deck_file import save_deck
from cnn_desktop.engine import weights_status
from cnn_desktop.insight import compare_images, shifted
from cnn_desktop.lesson import builtin_scenes, scenes_from_deck
from cnn_desktop.lesson_quiz import quiz_scenes, shift_quiz_scene, shift_scene
from cnn_desktop.state.reveal import RevealState


def test_the_shift_scene_states_the_numbers_of_its_own_comparison() -> None:
    scene = shift_scene(1)
    image = load_bundled().test_images[1]
    np.testing.assert_array_equal(scene.session.image, image[None])
    changes = compare_images(scene.session.network, image[None], shifted(image[None]), (0, 1))
    stated = [float(n) for n in re.findall(r"([\d.]+)%", scene.caption)]
    expected = [changes[1].raw_change, changes[1].aligned_change, changes[3].raw_change, changes[2].raw_change]
    assert stated == [round(100 * v) if v >= 0.005 else round(100 * v, 1) for v in [*expected, changes[8].raw_change]]
    assert changes[1].aligned_change == 0.0
    assert scene.caption == scene.session.caption
    assert weights_status(scene.session.network, scene.session.training_record).trained  # no untrained notice


def test_quiz_decks_save_which_results_are_hidden(tmp_path: Path) -> None:
    quizzes = [*quiz_scenes(), shift_quiz_scene()]
    assert len(quizzes) == len(builtin_scenes()) + 1
    path = tmp_path / "quiz.cnndeck"
    save_deck(path, [(scene.session, scene.view_options) for scene in quizzes])
    loaded = scenes_from_deck(path)
    assert [RevealState.from_view_options(s.view_options).remaining for s in loaded] == [
        RevealState.from_view_options(s.view_options).remaining for s in quizzes
    ]
    assert RevealState.from_view_options(loaded[3].view_options).remaining == ["stage:1"]  # the edge map
    assert RevealState.from_view_options(loaded[9].view_options).remaining == ["probabilities"]
    assert RevealState.from_view_options(loaded[-1].view_options).remaining == ["changes"]
    assert all(scene.caption.startswith("Quiz: ") for scene in loaded)
