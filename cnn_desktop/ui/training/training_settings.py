"""The training hyperparameters as a form: epochs, batch size, learning rate, optimiser, limit, shifts.

The form only turns what the controls show into a :class:`~cnn_desktop.training.TrainConfig`
(and the number of training digits to use); the training panel decides when to read it.
"""

from __future__ import annotations

import math

from PySide6.QtGui import QValidator
from PySide6.QtWidgets import QCheckBox, QComboBox, QDoubleSpinBox, QGridLayout, QGroupBox, QLabel, QSpinBox, QWidget

from ...training import DEFAULT_LR, TrainConfig


class LearningRateSpin(QDoubleSpinBox):
    """A learning-rate box that shows ``0.05`` (not ``0.050000``) and steps by doubling / halving."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setDecimals(8)
        self.setRange(1e-6, 1e6)
        self.setKeyboardTracking(False)

    def textFromValue(self, value: float) -> str:  # noqa: N802 (Qt's name)
        return f"{value:.4g}"

    def valueFromText(self, text: str) -> float:  # noqa: N802 (Qt's name)
        try:
            return float(text.replace(",", "."))
        except ValueError:
            return self.value()

    def validate(self, text: str, position: int) -> object:
        """Accept plain and scientific notation (``0.05``, ``5e-2``, ``1e6``) while it is typed."""
        candidate = text.strip().replace(",", ".").lower()
        try:
            value = float(candidate)
        except ValueError:
            partial = candidate in ("", ".") or candidate.endswith(("e", "e-", "e+"))
            state = QValidator.State.Intermediate if partial else QValidator.State.Invalid
            return state, text, position
        inside = self.minimum() <= value <= self.maximum()
        return (QValidator.State.Acceptable if inside else QValidator.State.Intermediate), text, position

    def stepBy(self, steps: int) -> None:  # noqa: N802 (Qt's name)
        self.setValue(self.value() * 2.0**steps)


class TrainingSettingsPanel(QGroupBox):
    """The "Settings" group: starts at :class:`TrainConfig`'s defaults, each control with its tooltip."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Settings", parent)
        defaults = TrainConfig()
        self.epochs_spin = QSpinBox()
        self.epochs_spin.setRange(1, 1000)
        self.epochs_spin.setValue(defaults.epochs)
        self.epochs_spin.setToolTip(f"Passes over all training digits (default {defaults.epochs})")
        self.batch_spin = QSpinBox()
        self.batch_spin.setRange(1, 4096)
        self.batch_spin.setValue(defaults.batch_size)
        self.batch_spin.setToolTip(f"Digits per weight update (default {defaults.batch_size})")
        self.optimiser_box = QComboBox()
        self.optimiser_box.addItem("SGD + momentum", "sgd")
        self.optimiser_box.addItem("Adam", "adam")
        self.optimiser_box.setCurrentIndex(self.optimiser_box.findData(defaults.optimiser))
        self.optimiser_box.setToolTip(
            f"How the gradients change the weights: SGD with momentum {defaults.momentum:g} (default) or Adam"
        )
        self.lr_spin = LearningRateSpin()
        self.lr_spin.setValue(defaults.peak_lr)
        self.lr_spin.setToolTip(
            "Peak learning rate: how big each update step is (warm-up, then cosine decay).\n"
            f"Defaults: {DEFAULT_LR['sgd']:g} for SGD, {DEFAULT_LR['adam']:g} for Adam. "
            "Arrow keys halve / double it; too large a rate makes training diverge."
        )
        self.limit_spin = QSpinBox()
        self.limit_spin.setRange(0, 60000)
        self.limit_spin.setSingleStep(500)
        self.limit_spin.setSpecialValueText("all digits")
        self.limit_spin.setSuffix(" digits")
        self.limit_spin.setToolTip(
            "Train on only the first N training digits (0: all of them). Fewer digits train faster,\n"
            "e.g. a quick demo on the full MNIST; the test split is always used whole."
        )
        self.augment_box = QCheckBox(f"S&hift digits (±{defaults.max_shift} px)")
        self.augment_box.setChecked(defaults.augment)
        self.augment_box.setToolTip(
            "Data augmentation: each training digit is moved by a random whole number of pixels,\n"
            "so the network learns shapes rather than positions (test digits are never shifted)"
        )
        self._lay_out()
        self._previous_optimiser = self.optimiser_box.currentData()
        self.optimiser_box.currentIndexChanged.connect(lambda _: self._optimiser_changed())

    def _lay_out(self) -> None:
        grid = QGridLayout(self)
        grid.setContentsMargins(6, 6, 6, 6)
        for row, col, text, widget in (
            (0, 0, "&Epochs:", self.epochs_spin),
            (0, 2, "&Batch size:", self.batch_spin),
            (1, 0, "&Learning rate:", self.lr_spin),
            (1, 2, "&Optimiser:", self.optimiser_box),
            (2, 0, "Tra&in on:", self.limit_spin),
        ):
            label = QLabel(text)
            label.setBuddy(widget)
            grid.addWidget(label, row, col)
            grid.addWidget(widget, row, col + 1)
        grid.addWidget(self.augment_box, 2, 2, 1, 2)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)

    def config(self) -> TrainConfig:
        """The training settings the controls show (raises ValueError for an impossible one)."""
        return TrainConfig(
            epochs=self.epochs_spin.value(),
            batch_size=self.batch_spin.value(),
            lr=float(self.lr_spin.value()),
            optimiser=self.optimiser_box.currentData(),
            augment=self.augment_box.isChecked(),
        )

    def digit_limit(self) -> int:
        """How many of the first training digits to train on; 0 means all of them."""
        return self.limit_spin.value()

    def _optimiser_changed(self) -> None:
        """Switching optimiser also switches an untouched default learning rate to the new default."""
        old, new = self._previous_optimiser, self.optimiser_box.currentData()
        if math.isclose(self.lr_spin.value(), DEFAULT_LR[old], rel_tol=1e-6):
            self.lr_spin.setValue(DEFAULT_LR[new])
        self._previous_optimiser = new
