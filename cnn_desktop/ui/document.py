"""The Qt face of the session: undoable edits in, change signals and computed results out.

One direction of flow: a widget calls a method here (user intent), which pushes a command on the
undo stack; the command changes the :class:`~cnn_desktop.session.Session`; this object emits what
changed and hands a snapshot to the compute worker, whose result comes back as ``result_ready``.
Widgets never compute and never change the session directly.

The snapshot of the network is a read-only copy made only when the parameters or the pipeline
change, and shared by every request until then: a pixel edit copies the image, not the network,
and a new selection copies nothing, so the worker can answer it from the stages it already has.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoGroup, QUndoStack

from ..compute import ForwardResult
from ..engine import Network, SpecError, TrainingRecord, Unit, WeightsStatus, weights_status
from ..engine.input_depth import with_input_depth
from ..engine.spec import LayerSpec
from ..engine.training_record import training_lost
from ..input_channels import depth_name, with_channels
from ..session import Session, check_image, check_params
from ..state.digit_ref import DigitRef
from ..state.foreground import Foreground
from ..state.pipeline_draft import SpecRefusal
from ..state.weights_notice import TRAINING_NOTICE, weights_notice
from .commands import ImageEdit, NetworkEdit, ParamEdit
from .workers import ComputeWorker, WorkerThread

KEEP_RECORD = object()
"""Passed as ``record`` to :meth:`SessionDocument.set_network`: the weights keep the current training record."""


class SessionDocument(QObject):
    """Owns the session, its undo stack and the compute worker."""

    image_changed = Signal()
    params_changed = Signal()  # weights or biases, same pipeline
    spec_changed = Signal()  # the pipeline (and maybe the grid size) changed
    selection_changed = Signal()
    spec_rejected = Signal(str, int)  # the engine's reason, the offending layer (-1: none)
    result_ready = Signal(object)  # ForwardResult of the newest state
    compute_failed = Signal(str)
    training_record_changed = Signal()  # training finished: the weights shown are now the trained ones
    weights_lock_changed = Signal()  # training started or ended (``weights_lock``)
    training_lost = Signal(str)  # a pipeline or grid change gave trained layers new random weights: which
    weights_unlocked = Signal(str)  # the reason that no longer holds (training ended)
    digit_named = Signal()  # session.digit now says which MNIST digit the image is
    weights_notice_changed = Signal()  # :meth:`weights_notice` may read otherwise now

    def __init__(self, session: Session | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.session = session or Session()
        self.undo_group = QUndoGroup(self)  # one history per document shown: the work, a lesson
        self.use_undo_stack(QUndoStack(self))
        self.latest: ForwardResult | None = None
        self.weights_lock: str | None = None  # why weights and pipeline cannot be edited now (training)
        self.traced: Unit | None = None  # the unit the convolution player shows; its trace comes with results
        for changed in (
            self.params_changed,
            self.spec_changed,
            self.training_record_changed,
            self.weights_lock_changed,
        ):
            changed.connect(self.weights_notice_changed)
        self._stroke_before: np.ndarray | None = None
        self._stroke_digit: DigitRef | None = None  # the digit the image was when the stroke began
        self._inputs_version = 0  # counts changes of the image or the network handed to the worker
        self._network_snapshot: tuple[Network, Network] | None = None  # (session network, frozen copy)
        self._image_snapshot: np.ndarray | None = None
        self._closed = False
        self.foreground = Foreground()  # set while an edit's result is on its way: training steps aside
        self._submitted = -1  # the version last handed to the worker: its result or failure ends foreground work
        self._worker = ComputeWorker()
        self._thread = WorkerThread(self._worker, "compute", self)
        self._worker.result_ready.connect(self._accept_result)
        self._worker.failed.connect(self._report_failure)
        self._thread.start()
        self.recompute()

    def shutdown(self) -> None:
        """Stop the compute thread (called when the window closes); later requests are ignored."""
        self._closed = True
        self.foreground.end()
        self._thread.stop()

    @property
    def undo_stack(self) -> QUndoStack:
        """The history edits go to now; Edit > Undo follows it through :attr:`undo_group`."""
        return self.undo_group.activeStack()

    def use_undo_stack(self, stack: QUndoStack) -> QUndoStack | None:
        """Record edits in ``stack`` from now on (a lesson keeps its own); returns the previous one."""
        previous = self.undo_group.activeStack()
        if not stack.count():
            stack.setUndoLimit(500)
        self.undo_group.addStack(stack)
        self.undo_group.setActiveStack(stack)
        return previous

    # ----- user intent: each pushes one undoable command
    def edit_image(self, image: np.ndarray, text: str) -> None:
        """A new picture (d, H, W), one undo step; a grey (H, W) grid fills every channel of the input."""
        image = np.clip(np.asarray(image, dtype=np.float32), 0.0, 1.0)
        if image.ndim == 2:
            image = with_channels(image[None], self.session.depth)
        if image.shape != self.session.image.shape:
            self.resize_grid(image, text)
        elif not np.array_equal(image, self.session.image):
            self.undo_stack.push(ImageEdit(self, self.session.image, image, text, digit_before=self.session.digit))

    def begin_stroke(self) -> None:
        self._stroke_before = self.session.image.copy()
        self._stroke_digit = self.session.digit

    def paint(self, rows: np.ndarray, cols: np.ndarray, values: np.ndarray, channel: int | None = None) -> None:
        """Part of a stroke: shown at once, undone as one step with the rest of the stroke.

        ``channel`` None paints every channel (``values`` (n,) or one row per channel (d, n)).
        """
        if self._stroke_before is None:
            self.begin_stroke()
        self.session.set_pixels(rows, cols, values, channel)
        self._image_applied()

    def end_stroke(self, text: str = "Paint") -> None:
        before, self._stroke_before = self._stroke_before, None
        if before is not None and not np.array_equal(before, self.session.image):
            edit = ImageEdit(self, before, self.session.image, text, applied=True, digit_before=self._stroke_digit)
            self.undo_stack.push(edit)

    def edit_params(self, values: dict[str, np.ndarray], text: str, merge_key: object = None) -> str | None:
        """Change parameter arrays; returns an error message instead of applying a bad value."""
        if self.weights_lock:
            return self.weights_lock
        try:
            values = check_params(self.session.network, values)
        except (KeyError, ValueError) as exc:
            return str(exc)
        before = {name: self.session.network.params[name] for name in values}
        self.undo_stack.push(ParamEdit(self, before, values, text, merge_key))
        return None

    def edit_spec(
        self, spec: Sequence[LayerSpec], text: str = "Change pipeline", origins: Sequence[int | None] | None = None
    ) -> SpecRefusal | None:
        """Try a new pipeline; an impossible one is refused with the engine's reason and layer, nothing lost.

        ``origins[i]`` is the current layer that new layer ``i`` comes from (None: new), so its
        trained weights are kept wherever the layer moves (see ``Network.rebuilt``).
        """
        if self.weights_lock:
            refusal = SpecRefusal(self.weights_lock)
        else:
            try:
                network = self.session.network.rebuilt(spec, origins=origins)
            except SpecError as exc:
                refusal = SpecRefusal.from_error(exc)
            else:
                self._push_network(self.session.image, network, text)
                return None
        self.spec_rejected.emit(refusal.message, -1 if refusal.layer is None else refusal.layer)
        return refusal

    def resize_grid(self, image: np.ndarray, text: str = "Resize grid") -> str | None:
        """A new image (d, H, W) of another size, with the network rebuilt for it (or the engine's reason)."""
        if self.weights_lock:
            return self.weights_lock
        image = check_image(image)
        try:
            network = self.session.network.rebuilt(self.session.network.spec, image.shape)
        except SpecError as exc:
            message = f"The pipeline does not fit a {image.shape[1]}x{image.shape[2]} image: {exc}"
            self.spec_rejected.emit(message, -1 if exc.layer is None else exc.layer)
            return message
        self._push_network(np.clip(image, 0, 1), network, text)
        return None

    def set_depth(self, depth: int, image: np.ndarray | None = None, text: str = "") -> str | None:
        """Give the input ``depth`` channels (grey 1, RGB 3): a pipeline change, one undo step.

        The picture is converted (:func:`~cnn_desktop.input_channels.with_channels`), or replaced by
        ``image`` (``depth``, H, W), and the first conv layer's kernels gain or lose input channels,
        the shared ones kept bit for bit.
        """
        if self.weights_lock:
            return self.weights_lock
        if depth == self.session.depth and image is None:
            return None
        try:
            image = with_channels(self.session.image, depth) if image is None else check_image(image)
            if image.shape != (depth, *self.session.grid_shape):
                raise ValueError(f"expected a {depth}-channel picture of the grid's size, got {image.shape}")
            network = with_input_depth(self.session.network, depth)
        except (ValueError, SpecError) as exc:
            return f"Cannot give the input {depth} channels: {exc}"
        before = self.session.depth
        kept = "the first slice" if min(before, depth) == 1 else f"the first {min(before, depth)} slices"
        added = "1 new random slice" if depth - before == 1 else f"{depth - before} new random slices"
        how = f"its kernels keep {kept}" + (f" and get {added}" if depth > before else f" of {before}")
        self._push_network(image, network, text or f"Input {depth_name(depth)}", how)
        return None

    def _push_network(self, image: np.ndarray, network: Network, text: str, how: str = "new random weights") -> None:
        """A pipeline or grid change as one undo step, saying which trained layers it re-initialised (``how``)."""
        before = self.session.network
        self.undo_stack.push(NetworkEdit(self, self.state(), (image, network, self.session.training_record), text))
        lost = training_lost(before, network, self.session.training_record)
        if lost:
            names = " and ".join([", ".join(lost[:-1]), lost[-1]] if len(lost) > 1 else lost)
            self.training_lost.emit(
                f"{names} lost {'its' if len(lost) == 1 else 'their'} training: {how} "
                "(Undo brings the trained ones back)."
            )

    def set_network(
        self, network: Network, text: str, record: TrainingRecord | None | object = KEEP_RECORD
    ) -> str | None:
        """Adopt a whole network (loaded weights, a reset), with the image resized to fit.

        ``record`` is the training the new weights come from (None: none, e.g. fresh random
        weights); by default the current record stays, and ``weights_status`` compares with it.
        """
        if self.weights_lock:
            return self.weights_lock
        image = self.session.image
        if image.shape != network.input_shape:
            image = np.zeros(network.input_shape, np.float32)
        if record is KEEP_RECORD:
            record = self.session.training_record
        self.undo_stack.push(NetworkEdit(self, self.state(), (image, network, record), text))
        return None

    def set_state(
        self,
        image: np.ndarray,
        network: Network,
        selection: Unit | None,
        text: str,
        record: TrainingRecord | None = None,
    ) -> str | None:
        """Adopt a whole saved state (an opened session, a lesson scene) and its training record as one undo step."""
        if self.weights_lock:
            return self.weights_lock
        if network.input_shape != np.shape(image):
            return f"the network expects input {network.input_shape}, the image is {np.shape(image)}"
        self.undo_stack.push(NetworkEdit(self, self.state(), (np.asarray(image, np.float32), network, record), text))
        self.select(selection)
        return None

    def set_training_record(self, record: TrainingRecord | None) -> None:
        """The weights shown are now what ``record`` describes (training just finished): not an undo step."""
        self.session.training_record = record
        self.training_record_changed.emit()

    def weights_status(self) -> WeightsStatus:
        """Whether the weights shown are trained, changed since training or untrained (cheap: hashes 5k values)."""
        return weights_status(self.session.network, self.session.training_record)

    def weights_notice(self) -> str:
        """The line every probabilities view shows over its bars, "" for trained weights (see ``weights_notice``)."""
        if self.weights_lock:  # the trainer is changing them
            return TRAINING_NOTICE
        return weights_notice(self.weights_status())

    def replace_state(
        self, image: np.ndarray, network: Network, selection: Unit | None, record: TrainingRecord | None = None
    ) -> str | None:
        """Put back a state kept aside (the work after a lesson), with no undo step of its own."""
        if network.input_shape != np.shape(image):
            return f"the network expects input {network.input_shape}, the image is {np.shape(image)}"
        self.apply_state(np.asarray(image, np.float32), network, record)
        self.select(selection)
        return None

    def undo(self) -> str | None:
        """Undo the last step, unless it would change weights that training is using."""
        return self._step_history(self.undo_stack.index() - 1, self.undo_stack.undo)

    def redo(self) -> str | None:
        return self._step_history(self.undo_stack.index(), self.undo_stack.redo)

    def _step_history(self, index: int, step) -> str | None:
        command = self.undo_stack.command(index) if 0 <= index < self.undo_stack.count() else None
        if command is None:
            return None
        if self.weights_lock and not isinstance(command, ImageEdit):
            return self.weights_lock
        step()
        return None

    def name_digit(self, digit: DigitRef) -> None:
        """The image just loaded is ``digit`` (call right after the edit that put it there)."""
        self.session.digit = digit
        self.digit_named.emit()

    def set_weights_lock(self, reason: str | None) -> None:
        """While ``reason`` is set (training runs), weight, pipeline and grid edits are refused with it."""
        if reason != self.weights_lock:
            released = self.weights_lock if reason is None else None
            self.weights_lock = reason
            self.weights_lock_changed.emit()
            if released:
                self.weights_unlocked.emit(released)  # refusals that quote it no longer describe the state

    def adopt_trained_weights(self, params: dict[str, np.ndarray]) -> None:
        """New weights from the trainer: shown at once, not an undo step (training is not an edit)."""
        if any(params[name].shape != array.shape for name, array in self.session.network.params.items()):
            return  # weights of another pipeline: stale, ignore
        for name, array in self.session.network.params.items():
            array[...] = params[name]
        self._network_snapshot = None
        self.session.touch()
        self.params_changed.emit()
        self.recompute(foreground=False)  # training's own result: nothing for training to wait for

    def select(self, selection: Unit | None) -> None:
        """Select a unit (or None); its receptive field comes with the next result."""
        self.session.select(selection)
        self.selection_changed.emit()
        self.recompute()

    def trace(self, unit: Unit | None) -> None:
        """Ask for the arithmetic of ``unit`` (a conv or pool output) with every result from now on."""
        if unit != self.traced:
            self.traced = unit
            self.session.touch()
            self.recompute()

    def state(self) -> tuple[np.ndarray, Network, TrainingRecord | None]:
        return self.session.image, self.session.network, self.session.training_record

    # ----- applied by the commands
    def apply_image(self, image: np.ndarray, digit: DigitRef | None = None) -> None:
        """Show ``image``; ``digit`` names the MNIST digit it is (None: none, or drawn on)."""
        self.session.set_image(image)
        self.session.digit = digit
        self._image_applied()

    def apply_params(self, values: dict[str, np.ndarray]) -> None:
        self.session.set_params(values)
        self._network_snapshot = None
        self.params_changed.emit()
        self.recompute()

    def apply_state(self, image: np.ndarray, network: Network, record: TrainingRecord | None) -> None:
        selection = self.session.selection
        self.session.training_record = record
        if not np.array_equal(image, self.session.image):
            self.session.digit = None  # another picture: no longer the digit it was
        self.session.image = image.copy()
        self.session.set_network(network.copy())
        self.spec_changed.emit()
        self.image_changed.emit()
        if selection != self.session.selection:
            self.selection_changed.emit()
        self.recompute()

    def _image_applied(self) -> None:
        self.image_changed.emit()
        self.recompute()

    # ----- compute
    def recompute(self, foreground: bool = True) -> None:
        """Hand a consistent snapshot of the newest state to the worker (never blocks).

        ``foreground``: the user waits for this result, so background training steps aside
        (:class:`Foreground`) until it is shown.
        """
        if self._closed:
            return  # a result queued before closing may still place the player
        if foreground:
            self.foreground.begin()
        session = self.session
        network = self._frozen_network()
        image = self._image_snapshot
        if image is None or image.shape != session.image.shape or not np.array_equal(image, session.image):
            image = self._image_snapshot = session.image.copy()
            image.flags.writeable = False
            self._inputs_version += 1
        self._submitted = session.version
        self._worker.submit(session.version, self._inputs_version, image, network, session.selection, self.traced)

    def _frozen_network(self) -> Network:
        """The read-only copy of the session network, copied again only after it changed.

        The worker reads the copy while the UI thread goes on, so nobody may write into it: its
        arrays are marked read-only. Parameter writes into the session network (edits, trained
        weights) drop the copy; a replaced network is noticed by identity.
        """
        network = self.session.network
        if self._network_snapshot is None or self._network_snapshot[0] is not network:
            frozen = network.copy()
            for array in frozen.params.values():
                array.flags.writeable = False
            self._network_snapshot = (network, frozen)
            self._inputs_version += 1
        return self._network_snapshot[1]

    def _accept_result(self, result: ForwardResult) -> None:
        if result.version != self.session.version:
            if result.version == self._submitted:
                self.foreground.end()  # the session changed without asking for a result: nothing more is coming
            return  # an older state; the newer one is already queued
        self.latest = result
        self.result_ready.emit(result)
        self.foreground.end()

    def _report_failure(self, version: int, message: str) -> None:
        if version == self._submitted:
            self.foreground.end()
        if version == self.session.version:
            self.compute_failed.emit(message)
