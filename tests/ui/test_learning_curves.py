"""The learning curves draw test points at once and training points within half a second."""

from __future__ import annotations

from cnn_desktop.training_job import CurvePoint
from cnn_desktop.ui.training.learning_curves import TRAIN_POINTS_MS, LearningCurvesView


def drawn(curve) -> int:
    xs = curve.getData()[0]
    return 0 if xs is None else len(xs)


def test_training_points_are_drawn_together_and_test_points_at_once(qtbot):
    view = LearningCurvesView()
    qtbot.addWidget(view)
    view.clear(3)
    view.add_points([CurvePoint("test", 0.0, 2.3, 0.1)])
    assert drawn(view.test_loss_curve) == 1 and drawn(view.test_accuracy_curve) == 1
    for step in range(1, 6):  # five polls of the trainer, 100 ms apart in the app
        view.add_points([CurvePoint("train", step / 10, 2.0 - step / 10, step / 10)])
    assert drawn(view.train_loss_curve) == 0  # not one redraw per poll ...
    qtbot.waitUntil(lambda: drawn(view.train_loss_curve) == 5, timeout=TRAIN_POINTS_MS * 3)  # ... but soon, all
    assert drawn(view.train_accuracy_curve) == 5
    view.add_points([CurvePoint("train", 0.6, 1.3, 0.6), CurvePoint("test", 1.0, 1.2, 0.7)])
    assert drawn(view.train_loss_curve) == 6 and drawn(view.test_loss_curve) == 2  # an epoch's end draws everything
    view.add_points([CurvePoint("train", 1.1, 1.1, 0.75)])
    view.draw_pending()  # the end of a run draws its last points without waiting
    assert drawn(view.train_loss_curve) == 7
    assert view.curve_data("train")[1][-1] == 1.1
