"""The pipeline being edited: a draft of the spec that may be refused, and where each layer comes from.

Every edit (add, remove, move, change a setting) is offered at once through ``submit`` (the
document's ``edit_spec``: one undo step). When it is refused, the draft stays as the student made
it, with the refused layer and the engine's reason, so the student can fix it (or revert) while
the maps keep showing the last working pipeline. When the document's pipeline changes (an
accepted edit, undo, a loaded network) :meth:`PipelineDraft.show_network` drops the draft.

``origins[i]`` is the layer of the document's network that draft layer ``i`` comes from (None: a
new layer), so moved layers keep their trained weights (``Network.rebuilt(origins=...)``).
Qt-free.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ..engine import Network, SpecError
from ..engine.layers import Shape
from ..engine.spec import LayerSpec, build_layers, layer_name, normalise_entry

MAX_UNDO_TEXTS = 3  # refused edits named one by one in the undo text; more are shortened

SETTING_NAMES = {
    "out_channels": "channels",
    "kernel": "kernel",
    "stride": "stride",
    "padding": "padding",
    "dilation": "dilation",
    "size": "window",
    "out_features": "outputs",
}
"""How the undo text names each layer setting."""

TOO_LARGE = "This pipeline needs more memory than the computer has; use fewer channels or outputs."


@dataclass(frozen=True)
class SpecRefusal:
    """Why a pipeline cannot be used: the one-line reason and the refused layer (None: no one layer)."""

    message: str
    layer: int | None = None

    @classmethod
    def from_error(cls, error: SpecError) -> SpecRefusal:
        return cls(str(error), error.layer)

    def __str__(self) -> str:
        return self.message


Submit = Callable[[list[LayerSpec], str, list[int | None]], SpecRefusal | None]
"""Offer ``(spec, undo text, origins)``; returns the refusal, or None once the pipeline is adopted."""


def draft_shapes(draft: Sequence[LayerSpec], input_shape: Shape) -> tuple[list[Shape | None], SpecError | None]:
    """Output shape of every draft layer (None where unknown) and the engine's error, if any.

    Layers before the offending one still get their shapes, so the list stays informative.
    """
    try:
        return list(build_layers(draft, input_shape)[2]), None
    except SpecError as exc:
        error = exc
    known: list[Shape | None] = []
    if error.layer is not None:
        try:
            known = list(build_layers(draft[: error.layer], input_shape)[2])
        except SpecError:
            known = []
    return known + [None] * (len(draft) - len(known)), error


class PipelineDraft:
    """The spec shown in the pipeline editor, its layers' origins and shapes, and why it is refused."""

    def __init__(self, network: Network, submit: Submit) -> None:
        self._submit = submit
        self.show_network(network)

    # ----- what is shown
    def show_network(self, network: Network) -> None:
        """Show ``network``'s pipeline (the document's), dropping any refused draft."""
        self.network = network
        self.spec: list[LayerSpec] = copy.deepcopy(network.spec)
        """The draft: the document's spec, or a refused one being fixed."""
        self.origins: list[int | None] = list(range(len(network.spec)))
        """For each draft layer, the document's layer it comes from (None: new)."""
        self.shapes: list[Shape | None] = list(network.shapes)
        """Output shape of each draft layer; None after the refused layer."""
        self.refusal: SpecRefusal | None = None
        """Why the draft cannot be used; None when it is the document's pipeline."""
        self.pending: list[str] = []
        """Undo texts of the refused edits the draft holds, named together once it works."""

    def in_document(self, index: int) -> bool:
        """True when draft layer ``index`` is the document's layer ``index`` (same place, same settings)."""
        spec = self.network.spec
        return 0 <= index < len(spec) and index < len(self.spec) and spec[index] == self.spec[index]

    # ----- edits: each returns the refusal, or None (adopted, or nothing to do)
    def add(self, index: int, kind: str) -> SpecRefusal | None:
        """Insert a ``kind`` layer with default settings so that it becomes layer ``index``."""
        try:
            entry = normalise_entry(0, {"type": kind})
        except SpecError as exc:
            return SpecRefusal.from_error(exc)
        spec, origins = copy.deepcopy(self.spec), list(self.origins)
        index = max(0, min(index, len(spec)))
        spec.insert(index, entry)
        origins.insert(index, None)
        return self._offer(spec, origins, f"Add {kind} layer")

    def remove(self, index: int) -> SpecRefusal | None:
        """Remove layer ``index`` (nothing for an index outside the draft)."""
        if not 0 <= index < len(self.spec):
            return None
        spec, origins = copy.deepcopy(self.spec), list(self.origins)
        removed = spec.pop(index)
        origins.pop(index)
        return self._offer(spec, origins, f"Remove {layer_name(index, removed)}")

    def move(self, index: int, destination: int) -> SpecRefusal | None:
        """Move layer ``index`` so that it becomes layer ``destination``."""
        count = len(self.spec)
        if not (0 <= index < count and 0 <= destination < count) or index == destination:
            return None
        spec, origins = copy.deepcopy(self.spec), list(self.origins)
        entry = spec.pop(index)
        spec.insert(destination, entry)
        origins.insert(destination, origins.pop(index))
        direction = "up" if destination < index else "down"
        return self._offer(spec, origins, f"Move {layer_name(index, entry)} {direction}")

    def set_setting(self, index: int, key: str, value: int | str) -> SpecRefusal | None:
        """Change setting ``key`` of layer ``index``, e.g. ``("kernel", 5)``."""
        if not 0 <= index < len(self.spec) or key not in self.spec[index]:
            return None
        old = self.spec[index][key]
        if old == value and type(old) is type(value):
            return None
        spec = copy.deepcopy(self.spec)
        spec[index][key] = value
        shown = f"{value}x{value}" if key in ("kernel", "size") else str(value)
        text = f"Change {SETTING_NAMES.get(key, key)} of layer {index} to {shown}"
        return self._offer(spec, list(self.origins), text)

    def _offer(self, spec: list[LayerSpec], origins: list[int | None], text: str) -> SpecRefusal | None:
        if spec == self.network.spec:
            self.show_network(self.network)  # back to what the document has: nothing to apply
            return None
        self.spec, self.origins = spec, origins
        self.pending.append(text)
        try:
            refusal = self._submit(copy.deepcopy(spec), self.undo_text(), list(origins))
        except MemoryError:
            refusal = SpecRefusal(TOO_LARGE)
        if refusal is None:
            return None  # the document now has it; its change calls show_network
        self.shapes, error = draft_shapes(spec, self.network.input_shape)
        if refusal.layer is None and error is not None and error.layer is not None:
            refusal = SpecRefusal(refusal.message, error.layer)
        self.refusal = refusal
        return refusal

    def undo_text(self) -> str:
        """One undo step's name for the edits the draft holds."""
        pending = self.pending
        return "; ".join(pending) if len(pending) <= MAX_UNDO_TEXTS else f"{pending[0]} … {pending[-1]}"
