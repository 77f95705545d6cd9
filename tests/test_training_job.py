"""The training job: its test curve comes from the one evaluation train() reports, run once an epoch."""

from __future__ import annotations

import numpy as np
import pytest

from cnn_desktop.data.datasets import load_digits
from cnn_desktop.engine import MNIST_SPEC, Network
from cnn_desktop.training import TrainConfig, loss_and_accuracy, train
from cnn_desktop.training_job import TrainingJob


@pytest.fixture(scope="module")
def digits():
    return load_digits("bundled")


def test_train_reports_the_test_loss_and_accuracy_of_its_final_weights(digits):
    net = Network.from_spec(MNIST_SPEC, (1, 28, 28), 0)
    test_images, test_labels = digits.test_images[:200], digits.test_labels[:200]
    result = train(
        net, digits.train_images[:300], digits.train_labels[:300], test_images, test_labels, TrainConfig(epochs=2)
    )
    score = loss_and_accuracy(net, test_images, test_labels)
    assert result.test_loss == score.loss and result.test_accuracy == score.accuracy
    assert result.history[-1].test_loss == score.loss
    assert result.history[0].test_loss != score.loss  # one evaluation per epoch, not one at the end


def test_the_job_evaluates_the_test_split_once_per_epoch_and_plots_what_train_reported(digits):
    test_images, test_labels = digits.test_images[:150], digits.test_labels[:150]
    network = Network.from_spec(MNIST_SPEC, (1, 28, 28), 0)
    job = TrainingJob(
        network,
        digits.train_images[:200],
        digits.train_labels[:200],
        test_images,
        test_labels,
        TrainConfig(epochs=3, eval_batch_size=50),
    )
    forwarded = []
    forward = job.network.forward

    def counting_forward(x: np.ndarray) -> np.ndarray:
        forwarded.append(len(x))  # training steps use forward_backward: these are evaluations
        return forward(x)

    job.network.forward = counting_forward
    result = job.run()
    assert result.finished
    assert sum(forwarded) == len(test_images) * (1 + 3)  # before training, then once per epoch
    tests = [point for point in job.take().points if point.split == "test"]
    assert [point.epoch for point in tests] == [0.0, 1.0, 2.0, 3.0]
    for point, event in zip(tests[1:], result.history, strict=True):
        assert (point.loss, point.accuracy) == (event.test_loss, event.test_accuracy)
    start = loss_and_accuracy(network, test_images, test_labels, 50)  # the untouched original weights
    assert (tests[0].loss, tests[0].accuracy) == (start.loss, start.accuracy)
