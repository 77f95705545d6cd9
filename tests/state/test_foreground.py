"""Background training steps aside while an edit's result is on its way, and never for long."""

from __future__ import annotations

import os
import sys
import threading

import pytest

from cnn_desktop.data.datasets import load_digits
from cnn_desktop.engine import MNIST_SPEC, Network
from cnn_desktop.state.foreground import BACKGROUND_NICE, Foreground, lower_this_thread
from cnn_desktop.training import TrainConfig
from cnn_desktop.training_job import TrainingJob


def test_a_loop_waits_while_foreground_work_runs_and_goes_on_when_it_ends():
    foreground = Foreground(longest_wait_s=30.0)
    assert not foreground.step_aside()  # nothing in the foreground: no wait
    foreground.begin()
    stepped_aside = threading.Event()
    waiter = threading.Thread(target=lambda: foreground.step_aside() and stepped_aside.set())
    waiter.start()
    waiter.join(0.05)
    assert waiter.is_alive() and foreground.busy  # still waiting: the edit is not shown yet
    foreground.end()
    waiter.join(5.0)
    assert not waiter.is_alive() and stepped_aside.is_set()


def test_a_foreground_that_never_ends_delays_each_step_only_briefly():
    foreground = Foreground(longest_wait_s=0.001)
    foreground.begin()
    assert foreground.step_aside() and foreground.step_aside()  # returns, though nobody ended it


def test_the_training_job_steps_aside_between_its_steps():
    digits = load_digits("bundled")
    calls = []

    class CountingForeground(Foreground):
        def step_aside(self) -> bool:
            calls.append(1)
            return super().step_aside()

    job = TrainingJob(
        Network.from_spec(MNIST_SPEC, (1, 28, 28), 0),
        digits.train_images[:96],
        digits.train_labels[:96],
        digits.test_images[:32],
        digits.test_labels[:32],
        TrainConfig(epochs=1, batch_size=32),
        CountingForeground(),
    )
    job.run()
    assert len(calls) == 3  # once after each of the three batches


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="niceness is per thread on Linux only")
def test_a_background_thread_gets_a_lower_priority_and_the_calling_thread_keeps_its_own():
    own = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    seen = {}

    def background() -> None:
        seen["lowered"] = lower_this_thread()
        seen["niceness"] = os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    thread = threading.Thread(target=background)
    thread.start()
    thread.join()
    if seen["lowered"]:
        assert seen["niceness"] >= BACKGROUND_NICE
    assert os.getpriority(os.PRIO_PROCESS, threading.get_native_id()) == own
