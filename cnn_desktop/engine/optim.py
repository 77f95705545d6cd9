"""Optimisers that update a network's parameter arrays in place."""

from __future__ import annotations

import numpy as np

Params = dict[str, np.ndarray]


class SGD:
    """Stochastic gradient descent with (heavy-ball) momentum."""

    def __init__(self, params: Params, lr: float = 0.05, momentum: float = 0.9) -> None:
        self.params, self.lr, self.momentum = params, lr, momentum
        self.velocity = {name: np.zeros_like(array) for name, array in params.items()}

    def step(self, grads: Params) -> None:
        for name, array in self.params.items():
            velocity = self.velocity[name]
            velocity *= self.momentum
            velocity -= self.lr * grads[name]
            array += velocity


class Adam:
    """Adam (Kingma and Ba, 2015) with bias-corrected moment estimates."""

    def __init__(
        self, params: Params, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8
    ) -> None:
        self.params, self.lr, self.betas, self.eps = params, lr, betas, eps
        self.first = {name: np.zeros_like(array) for name, array in params.items()}
        self.second = {name: np.zeros_like(array) for name, array in params.items()}
        self.steps = 0

    def step(self, grads: Params) -> None:
        self.steps += 1
        beta1, beta2 = self.betas
        scale = self.lr * np.sqrt(1 - beta2**self.steps) / (1 - beta1**self.steps)
        for name, array in self.params.items():
            grad, first, second = grads[name], self.first[name], self.second[name]
            first *= beta1
            first += (1 - beta1) * grad
            second *= beta2
            second += (1 - beta2) * grad * grad
            array -= (scale * first / (np.sqrt(second) + self.eps)).astype(array.dtype, copy=False)


OPTIMISERS = {"sgd": SGD, "adam": Adam}
