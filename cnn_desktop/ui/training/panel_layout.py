"""How the training panel is put together: digits, settings, run buttons and progress above the
curves, filters and confusion matrix, side by side when the dock is wide and low.

A mixin of :class:`~cnn_desktop.ui.training.training_panel.TrainingPanel`, kept apart so that the
panel's own module is about running training, not about where its widgets sit.
"""

from __future__ import annotations

from PySide6.QtWidgets import QBoxLayout, QHBoxLayout, QTabWidget, QVBoxLayout, QWidget

from .confusion_page import ConfusionPage
from .digit_source import DigitSourcePanel
from .filter_mosaic import FirstFiltersView
from .learning_curves import LearningCurvesView
from .run_controls import banner, progress_bar, run_buttons
from .training_settings import TrainingSettingsPanel
from .wide_layout import DirectionFollower

WIDE_CONTROLS_WIDTH = 470
QWIDGETSIZE_MAX = (1 << 24) - 1  # Qt's "no maximum"


class TrainingPanelLayout:
    """Builds the panel's widgets (``data_group``, ``settings_group``, the run buttons, ``progress``,
    ``banner``, ``curves``, ``first_filters``, ``confusion``, ``tabs``) and lays them out."""

    def _build(self) -> None:
        self.data_group = DigitSourcePanel(self._tasks, self.digits)
        self.settings_group = TrainingSettingsPanel()
        self._build_run()
        self._build_views()

        self.controls = QWidget()
        controls = QVBoxLayout(self.controls)
        controls.setContentsMargins(0, 0, 0, 0)
        controls.addWidget(self.data_group)
        controls.addWidget(self.settings_group)
        controls.addLayout(self._run_row)
        controls.addWidget(self.progress)
        controls.addWidget(self.banner)
        controls.addStretch(1)
        self._outer = QBoxLayout(QBoxLayout.Direction.TopToBottom, self)
        self._outer.setContentsMargins(4, 4, 4, 4)
        self._outer.addWidget(self.controls)
        self._outer.addWidget(self.tabs, 1)
        self._direction = DirectionFollower(self, self._outer.direction(), self._lay_out)

    def _lay_out(self, direction: QBoxLayout.Direction) -> None:
        """In a wide, low dock (under the maps) the controls, curves and filters sit side by side."""
        self._outer.setDirection(direction)
        self._learning_layout.setDirection(direction)
        self.curves.set_direction(direction)
        self.confusion.set_direction(direction)
        wide = direction == QBoxLayout.Direction.LeftToRight
        self.controls.setMaximumWidth(WIDE_CONTROLS_WIDTH if wide else QWIDGETSIZE_MAX)

    def _build_run(self) -> None:
        buttons = run_buttons()
        self.start_button, self.pause_button, self.resume_button, self.stop_button, self.reset_button = buttons
        self._run_row = QHBoxLayout()
        for widget in buttons[:4]:
            self._run_row.addWidget(widget)
        self._run_row.addStretch(1)
        self._run_row.addWidget(self.reset_button)
        self.progress = progress_bar()
        self.banner = banner()

    def _build_views(self) -> None:
        self.curves = LearningCurvesView()
        self.first_filters = FirstFiltersView()
        learning = QWidget()
        learning_layout = self._learning_layout = QBoxLayout(QBoxLayout.Direction.TopToBottom, learning)
        learning_layout.setContentsMargins(2, 2, 2, 2)
        learning_layout.addWidget(self.curves, 3)
        learning_layout.addWidget(self.first_filters, 2)

        self.confusion = ConfusionPage(self.document, self._tasks)

        self.tabs = QTabWidget()
        self.tabs.addTab(learning, "Learning &curves")
        self.tabs.addTab(self.confusion, "Co&nfusion matrix")
        self.tabs.setTabToolTip(0, "Loss and accuracy curves and the first layer's filters, live")
        self.tabs.setTabToolTip(1, "Which test digits the trained network mixes up; click a cell, then a digit")
