"""The training loop: learning, determinism, events, pause/resume/stop, divergence, schedule, shifts."""

from __future__ import annotations

import math
import threading
import time

import numpy as np
import pytest

from cnn_desktop.data.datasets import load_digits
from cnn_desktop.engine import MNIST_SPEC, Network
from cnn_desktop.training import (
    DEFAULT_LR,
    TrainConfig,
    TrainingControl,
    confusion_matrix,
    evaluate,
    predict_classes,
    scheduled_lr,
    shift_images,
    train,
)

WAIT = 20.0  # generous upper bound for thread hand-overs; never reached when things work


@pytest.fixture(scope="module")
def digits():
    return load_digits("bundled")


def fresh_net(seed: int = 0) -> Network:
    return Network.from_spec(MNIST_SPEC, (1, 28, 28), seed)


def params_copy(net: Network) -> dict[str, np.ndarray]:
    return {name: array.copy() for name, array in net.params.items()}


def train_on_800(net: Network, digits, config: TrainConfig):
    """A short run: 800 training digits, tested on 300."""
    return train(
        net,
        digits.train_images[:800],
        digits.train_labels[:800],
        digits.test_images[:300],
        digits.test_labels[:300],
        config,
    )


def assert_same_params(a: dict[str, np.ndarray], b: dict[str, np.ndarray]) -> None:
    assert a.keys() == b.keys()
    for name in a:
        np.testing.assert_array_equal(a[name], b[name], err_msg=name)


# ----------------------------------------------------------------------------- learning


def test_short_run_clearly_beats_chance(digits):
    net = fresh_net(0)
    before = evaluate(net, digits.test_images[:300], digits.test_labels[:300])
    started = time.perf_counter()
    result = train_on_800(net, digits, TrainConfig(epochs=3, seed=0))
    assert time.perf_counter() - started < 10
    assert result.status == "finished" and result.finished and not result.diverged
    assert result.epochs_done == 3 and len(result.history) == 3
    assert result.steps_done == 3 * math.ceil(800 / 32)
    assert before < 0.3
    assert result.test_accuracy > 0.6
    assert result.test_accuracy == pytest.approx(evaluate(net, digits.test_images[:300], digits.test_labels[:300]))
    assert result.train_accuracy == result.history[-1].train_accuracy


def test_adam_learns_too(digits):
    net = fresh_net(1)
    config = TrainConfig(epochs=2, optimiser="adam", seed=1)
    assert config.peak_lr == DEFAULT_LR["adam"]
    result = train_on_800(net, digits, config)
    assert result.finished and result.test_accuracy > 0.5


def test_same_seed_gives_bit_identical_weights(digits):
    def run(seed: int) -> dict[str, np.ndarray]:
        net = fresh_net(seed)
        train(net, digits.train_images[:256], digits.train_labels[:256], config=TrainConfig(epochs=2, seed=seed))
        return params_copy(net)

    first, second = run(5), run(5)
    assert_same_params(first, second)
    other = run(6)
    assert any(not np.array_equal(first[name], other[name]) for name in first)


def test_accepts_images_with_a_channel_axis(digits):
    a, b = fresh_net(2), fresh_net(2)
    config = TrainConfig(epochs=1, seed=2)
    train(a, digits.train_images[:64], digits.train_labels[:64], config=config)
    train(b, digits.train_images[:64, None], digits.train_labels[:64], config=config)
    assert_same_params(params_copy(a), params_copy(b))


def test_bad_data_raises_value_error(digits):
    net = fresh_net()
    with pytest.raises(ValueError, match="labels"):
        train(net, digits.train_images[:10], digits.train_labels[:9])
    with pytest.raises(ValueError, match="do not fit"):
        train(net, np.zeros((4, 20, 20), np.float32), np.zeros(4, np.int64))
    with pytest.raises(ValueError, match="classes 0 to 9"):
        train(net, digits.train_images[:2], np.array([3, 10]))
    with pytest.raises(ValueError, match="no training images"):
        train(net, np.zeros((0, 28, 28), np.float32), np.zeros(0, np.int64))


# ----------------------------------------------------------------------------- events


def test_batch_and_epoch_events(digits):
    batch_events, epoch_events = [], []
    config = TrainConfig(epochs=2, batch_size=50, seed=0)
    result = train(
        fresh_net(),
        digits.train_images[:120],
        digits.train_labels[:120],
        digits.test_images[:100],
        digits.test_labels[:100],
        config,
        on_batch=batch_events.append,
        on_epoch=epoch_events.append,
    )
    assert result.finished
    assert len(batch_events) == 2 * 3 and len(epoch_events) == 2
    assert result.history == epoch_events
    total = 6
    for step, event in enumerate(batch_events):
        assert event.kind == "batch"
        assert (event.epoch, event.batch) == (step // 3 + 1, step % 3 + 1)
        assert event.epochs == 2 and event.batches_per_epoch == 3
        assert event.step == step + 1 and event.total_steps == total
        assert event.lr == pytest.approx(scheduled_lr(config, step, total))
        assert 0 <= event.train_accuracy <= 1 and math.isfinite(event.loss)
        assert event.eta is not None and event.eta >= 0
    assert all(e.test_accuracy is None for e in batch_events[:3])
    assert all(e.test_accuracy == epoch_events[0].test_accuracy for e in batch_events[3:])
    assert batch_events[-1].eta == 0 and batch_events[-1].fraction_done == 1
    elapsed = [e.elapsed for e in batch_events]
    assert elapsed == sorted(elapsed)
    for event in epoch_events:
        assert event.kind == "epoch" and event.batch == 3 and event.test_accuracy is not None
    assert epoch_events[-1].test_accuracy == result.test_accuracy


def test_no_test_images_means_no_test_accuracy(digits):
    result = train(fresh_net(), digits.train_images[:64], digits.train_labels[:64], config=TrainConfig(epochs=1))
    assert result.finished and result.test_accuracy is None and result.history[0].test_accuracy is None


# ----------------------------------------------------------------------------- control


class Runner:
    """Trains in a background thread (many epochs of few digits, so it never ends on its own)."""

    def __init__(self, digits, control: TrainingControl) -> None:
        self.events = []
        self.first = threading.Event()
        self.result = None
        self.started = time.perf_counter()

        def on_batch(event):
            self.events.append(event)
            self.first.set()

        def work():
            self.result = train(
                fresh_net(),
                digits.train_images[:64],
                digits.train_labels[:64],
                digits.test_images[:32],
                digits.test_labels[:32],
                TrainConfig(epochs=100_000, batch_size=16, seed=0),
                on_batch=on_batch,
                control=control,
            )

        self.thread = threading.Thread(target=work, daemon=True)
        self.thread.start()

    def wait_for_more(self, count: int) -> None:
        deadline = time.monotonic() + WAIT
        while len(self.events) <= count and time.monotonic() < deadline:
            time.sleep(0.01)
        assert len(self.events) > count, "training made no progress"


def test_pause_resume_and_stop_from_another_thread(digits):
    control = TrainingControl()
    runner = Runner(digits, control)
    assert runner.first.wait(WAIT)
    control.pause()
    at_pause = len(runner.events)
    assert control.paused and not control.stop_requested
    paused_for = 0.5
    time.sleep(paused_for)
    frozen = len(runner.events)
    assert frozen <= at_pause + 1, "the loop kept training while paused"  # only the batch in flight ends
    time.sleep(0.2)
    assert len(runner.events) == frozen, "the loop kept training while paused"
    assert runner.thread.is_alive()

    control.resume()
    assert not control.paused
    runner.wait_for_more(frozen + 2)
    latest = runner.events[-1]
    # Time spent paused is not counted as training time.
    assert latest.elapsed <= time.perf_counter() - runner.started - paused_for

    control.stop()
    runner.thread.join(WAIT)
    assert not runner.thread.is_alive()
    assert runner.result.status == "stopped" and "stopped" in runner.result.message
    assert runner.result.steps_done == len(runner.events)


def test_stop_wakes_a_paused_loop(digits):
    control = TrainingControl()
    runner = Runner(digits, control)
    assert runner.first.wait(WAIT)
    control.pause()
    time.sleep(0.1)
    control.stop()
    runner.thread.join(WAIT)
    assert not runner.thread.is_alive()
    assert runner.result.status == "stopped"


def test_stop_before_start_takes_no_step(digits):
    control = TrainingControl()
    control.stop()
    net = fresh_net()
    before = params_copy(net)
    result = train(net, digits.train_images[:64], digits.train_labels[:64], control=control)
    assert result.status == "stopped" and result.steps_done == 0
    assert_same_params(before, params_copy(net))


# ----------------------------------------------------------------------------- divergence


def test_absurd_learning_rate_diverges_and_restores_last_good_weights(digits):
    net = fresh_net()
    good = [params_copy(net)]  # after every successful step, the weights are good
    result = train(
        net,
        digits.train_images[:320],
        digits.train_labels[:320],
        config=TrainConfig(epochs=3, lr=1e20, warmup_steps=0, seed=0),
        on_batch=lambda event: good.append(params_copy(net)),
    )
    assert result.status == "diverged" and result.diverged
    assert "diverged" in result.message and "restored" in result.message
    assert all(np.isfinite(array).all() for array in net.params.values())
    assert_same_params(good[-1], params_copy(net))
    assert result.steps_done == len(good) - 1


def test_poisoned_weight_stops_and_restores_the_last_finite_weights(digits):
    net = fresh_net()
    snapshots = []

    def poison(event):
        snapshots.append(params_copy(net))
        if event.step == 3:
            net.params["3.weight"][0, 0, 0, 0] = np.nan

    result = train(
        net, digits.train_images[:320], digits.train_labels[:320], config=TrainConfig(epochs=2), on_batch=poison
    )
    assert result.diverged
    assert "epoch 1, batch 4" in result.message
    assert result.steps_done == 3 and result.epochs_done == 0
    assert_same_params(snapshots[2], params_copy(net))
    assert all(np.isfinite(array).all() for array in net.params.values())


def test_weights_changed_at_a_checkpoint_are_used_and_checked(digits):
    class Injecting(TrainingControl):
        """Replaces the weights at the checkpoint of step 3 (as a UI resuming with edits would)."""

        def __init__(self, net, replacement):
            super().__init__()
            self.net, self.replacement, self.calls = net, replacement, 0

        def checkpoint(self):
            self.calls += 1
            if self.calls == 3:
                for name, array in self.net.params.items():
                    np.copyto(array, self.replacement[name])
            return super().checkpoint()

    net = fresh_net(0)
    edited = params_copy(fresh_net(9))
    edited["0.bias"][0] = np.nan
    snapshots = []
    result = train(
        net,
        digits.train_images[:320],
        digits.train_labels[:320],
        config=TrainConfig(epochs=1),
        on_batch=lambda event: snapshots.append(params_copy(net)),
        control=Injecting(net, edited),
    )
    assert result.diverged and result.steps_done == 2
    assert "epoch 1, batch 3: a weight" in result.message and "learning rate" not in result.message
    assert_same_params(snapshots[-1], params_copy(net))


def test_weights_that_are_not_finite_to_begin_with(digits):
    net = fresh_net()
    net.params["0.bias"][0] = np.inf
    result = train(net, digits.train_images[:32], digits.train_labels[:32])
    assert result.diverged and result.steps_done == 0 and "before training" in result.message


# ----------------------------------------------------------------------------- schedule


def test_cosine_schedule_warms_up_then_decays_to_the_final_fraction():
    config = TrainConfig(lr=0.1, schedule="cosine", warmup_steps=10, final_lr_fraction=0.02)
    total = 200
    rates = [scheduled_lr(config, step, total) for step in range(total)]
    assert rates[0] == pytest.approx(0.1 / 11, rel=0.01)
    assert rates[:10] == sorted(rates[:10])
    assert max(rates) <= 0.1
    after = rates[10:]
    assert after == sorted(after, reverse=True)
    assert rates[-1] == pytest.approx(0.002)
    assert scheduled_lr(config, total // 2, total + 1) == pytest.approx(0.051)


def test_step_and_constant_schedules():
    step = TrainConfig(lr=1.0, schedule="step", warmup_steps=0)
    assert [scheduled_lr(step, s, 101) for s in (0, 49, 50, 74, 75, 100)] == pytest.approx([1, 1, 0.1, 0.1, 0.01, 0.01])
    constant = TrainConfig(lr=0.3, schedule="constant", warmup_steps=0)
    assert {scheduled_lr(constant, s, 50) for s in range(50)} == {0.3}


def test_warmup_is_at_most_a_tenth_of_the_run():
    config = TrainConfig(lr=1.0, schedule="constant", warmup_steps=1000)
    assert scheduled_lr(config, 0, 20) == pytest.approx(1 / 3)
    assert scheduled_lr(config, 2, 20) == 1.0
    assert scheduled_lr(config, 0, 5) == 1.0


@pytest.mark.parametrize(
    "changes",
    [
        {"epochs": 0},
        {"batch_size": -1},
        {"epochs": 2.5},
        {"lr": 0},
        {"lr": float("nan")},
        {"optimiser": "rmsprop"},
        {"schedule": "linear"},
        {"momentum": 1.0},
        {"final_lr_fraction": 2},
    ],
)
def test_config_rejects_bad_settings(changes):
    with pytest.raises(ValueError):
        TrainConfig(**changes)


def test_config_defaults_and_copies():
    config = TrainConfig()
    assert config.optimiser == "sgd" and config.peak_lr == DEFAULT_LR["sgd"] and config.augment
    assert config.with_changes(epochs=3).epochs == 3 and config.epochs != 3
    assert config.as_dict()["batch_size"] == config.batch_size


# ----------------------------------------------------------------------------- augmentation


def shifted_by_hand(image: np.ndarray, dy: int, dx: int) -> np.ndarray:
    out = np.zeros_like(image)
    h, w = image.shape[-2:]
    out[..., max(dy, 0) : h + min(dy, 0), max(dx, 0) : w + min(dx, 0)] = image[
        ..., max(-dy, 0) : h + min(-dy, 0), max(-dx, 0) : w + min(-dx, 0)
    ]
    return out


def test_shift_images_moves_each_image_by_its_own_offset(digits):
    rng = np.random.default_rng(0)
    images = digits.train_images[:50, None]
    shifts = rng.integers(-2, 3, size=(50, 2))
    out = shift_images(images, shifts)
    assert out.shape == images.shape and out.dtype == images.dtype
    for image, result, (dy, dx) in zip(images, out, shifts, strict=True):
        np.testing.assert_array_equal(result, shifted_by_hand(image, int(dy), int(dx)))
    # A shift of up to 2 pixels loses no ink of a digit that keeps off the 2-pixel border (most do).
    inner = np.zeros((28, 28), bool)
    inner[2:-2, 2:-2] = True
    clear = ~(images[:, 0, ~inner] > 0).any(axis=1)
    assert clear.sum() > 40
    np.testing.assert_allclose(out[clear].sum(axis=(1, 2, 3)), images[clear].sum(axis=(1, 2, 3)), rtol=1e-5)


def test_shift_images_directions_and_identity():
    image = np.zeros((1, 1, 5, 5), np.float32)
    image[0, 0, 2, 2] = 1
    down_right = shift_images(image, np.array([[1, 2]]))
    assert np.argwhere(down_right[0, 0]).tolist() == [[3, 4]]
    up_left = shift_images(image, np.array([[-2, -1]]))
    assert np.argwhere(up_left[0, 0]).tolist() == [[0, 1]]
    same = shift_images(image, np.zeros((1, 2), int))
    np.testing.assert_array_equal(same, image)
    assert same is not image
    with pytest.raises(ValueError, match="one"):
        shift_images(image, np.zeros((2, 2), int))


def test_augmentation_changes_training_but_not_shapes(digits):
    plain, shifted = fresh_net(), fresh_net()
    base = TrainConfig(epochs=1, seed=0)
    train(plain, digits.train_images[:64], digits.train_labels[:64], config=base.with_changes(augment=False))
    train(shifted, digits.train_images[:64], digits.train_labels[:64], config=base)
    assert any(not np.array_equal(plain.params[k], shifted.params[k]) for k in plain.params)
    for name in plain.params:
        assert plain.params[name].shape == shifted.params[name].shape


# ----------------------------------------------------------------------------- evaluation


def test_confusion_matrix_and_evaluate_agree(digits):
    net = fresh_net()
    train(net, digits.train_images[:400], digits.train_labels[:400], config=TrainConfig(epochs=1))
    images, labels = digits.test_images[:200], digits.test_labels[:200]
    matrix = confusion_matrix(net, images, labels)
    assert matrix.shape == (10, 10) and matrix.dtype.kind == "i"
    assert matrix.sum() == 200
    np.testing.assert_array_equal(matrix.sum(axis=1), np.bincount(labels, minlength=10))
    predicted = predict_classes(net, images)
    np.testing.assert_array_equal(matrix.sum(axis=0), np.bincount(predicted, minlength=10))
    assert np.trace(matrix) / 200 == pytest.approx(evaluate(net, images, labels))
    np.testing.assert_array_equal(predict_classes(net, images[:, None], batch_size=7), predicted)


def test_confusion_matrix_rows_are_true_labels_and_columns_predictions(digits):
    net = fresh_net()
    net.params["7.bias"][...] = 0
    net.params["7.bias"][3] = 1e4  # always predicts 3
    labels = digits.test_labels[:100]
    matrix = confusion_matrix(net, digits.test_images[:100], labels)
    np.testing.assert_array_equal(matrix[:, 3], np.bincount(labels, minlength=10))
    assert matrix.sum() == matrix[:, 3].sum()
    assert evaluate(net, digits.test_images[:100], labels) == pytest.approx(np.mean(labels == 3))
    assert evaluate(net, np.zeros((0, 28, 28), np.float32), np.zeros(0, np.int64)) == 0.0
