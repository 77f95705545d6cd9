"""The factor a kernel is written with: per kernel, checked when typed, forgotten with the kernel."""

from __future__ import annotations

import numpy as np
import pytest

from cnn_desktop.state.kernel_factors import KernelFactors, parse_factor


def test_factors_are_per_kernel_and_default_to_one():
    factors = KernelFactors()
    factors.set((0, 1, 0), parse_factor("1/9"))
    assert factors.get((0, 1, 0)) == pytest.approx(1 / 9) and factors.get((0, 0, 0)) == 1.0
    saved = factors.snapshot()
    factors.set((0, 1, 0), 2.0)
    factors.restore(saved)
    assert factors.get((0, 1, 0)) == pytest.approx(1 / 9)


def test_factors_of_kernels_that_vanished_are_forgotten():
    factors = KernelFactors()
    factors.set((0, 3, 0), 0.5)
    factors.set((0, 1, 0), 0.25)
    factors.set((2, 0, 0), 4.0)
    factors.forget_missing({"0.weight": np.zeros((2, 1, 3, 3))})
    assert (factors.get((0, 3, 0)), factors.get((0, 1, 0)), factors.get((2, 0, 0))) == (1.0, 0.25, 1.0)


@pytest.mark.parametrize("text", ["0", "1/0", "nan", "inf", "x"])
def test_a_factor_must_be_a_finite_number_other_than_zero(text):
    with pytest.raises(ValueError):
        parse_factor(text)
