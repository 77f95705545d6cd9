"""How the views show a session: colours, map scaling and zoom, the kernel editor and the player.

A session file, a lesson scene and the window all speak this one model. :meth:`ViewOptions.from_json`
is the one check: a value of the wrong kind (a zoom that is text, a factor that is no number)
raises :class:`ViewOptionsError` with one line, before anything changes; a layer, channel or cell
that the network does not have (a deck whose pipeline was edited) falls back to the default, so an
old scene still opens. Qt-free: the window reads its views into one and applies one to them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any

from ..engine import Network
from ..number_text import scale_text
from ..untrusted import shown
from .kernel_factors import parse_factor

SCALING_MODES: tuple[str, ...] = ("layer", "channel", "global")
"""How the feature maps are coloured: one scale per layer, per channel, or one for all layers."""

WINDOWED_LAYERS = ("conv", "maxpool", "avgpool")
"""Layer types with a sliding window, the only ones the convolution player can step through."""


OPTIONAL_KEYS = ("palette", "zoom")
ZOOM_RANGE = (0.01, 100.0)
MAX_INDEX = 1_000_000  # far above any layer, channel or cell count the app allows
MAX_TEXT = 200
"""Options whose None (keep what the window shows) is saved by leaving them out."""


class ViewOptionsError(ValueError):
    """View options that cannot be shown; the message is one line naming the option."""


@dataclass(frozen=True)
class ViewOptions:
    """What the views show besides the session itself (plain values, saved as a JSON object)."""

    palette: str | None = None
    """Name of the diverging colour map (View > Colours); None or a name this version lacks keeps the current one."""
    scaling: str = "layer"
    """How the maps are coloured, one of :data:`SCALING_MODES`."""
    zoom: float | None = None
    """Zoom of the feature maps (1.0 = 100%); None keeps the current zoom."""
    kernel_layer: int | None = None
    """Index of the conv layer whose kernels the kernel editor shows; None leaves the editor as it is."""
    kernel_output: int | None = None
    """The output channel (filter) of the kernel the kernel editor shows; None lets it follow the selection."""
    kernel_input: int | None = None
    """The input channel of the kernel the kernel editor shows; None keeps the editor's."""
    kernel_factor: str = "1"
    """The factor written in front of that kernel's grid, as the lecture writes it ("1/9" for the box blur)."""
    player_layer: int | None = None
    """Index of the conv or pool layer whose sliding window the player shows; None for no player."""
    player_channel: int = 0
    """The output channel the player steps through."""
    player_position: int | None = None
    """The output cell the player stands on, a flat index ``y * width + x``; None for the whole output."""
    extra: Mapping[str, Any] = field(default_factory=dict)
    """Keys this version does not know, kept so that a newer file's options survive a save."""

    def __post_init__(self) -> None:
        self.check()

    @classmethod
    def from_json(cls, raw: Mapping[str, Any] | None, network: Network | None = None) -> ViewOptions:
        """The options of a saved JSON object, checked; fitted to ``network`` when one is given.

        A missing key takes its default (with a network, a missing kernel layer is its first conv
        layer; an explicit None stays None). Raises :class:`ViewOptionsError` for a value of the
        wrong kind, naming the key.
        """
        if raw is None:
            raw = {}
        if not isinstance(raw, Mapping):
            raise ViewOptionsError(f"view options must be a JSON object, not {type(raw).__name__}")
        known = {item.name for item in fields(cls)} - {"extra"}
        values: dict[str, Any] = {key: raw[key] for key in known if key in raw}
        options = cls(**values, extra={key: value for key, value in raw.items() if key not in known})
        if network is not None:
            options = options.fitted(network, kernel_layer_given="kernel_layer" in raw)
        return options

    def to_json(self) -> dict[str, Any]:
        """A plain JSON object (str keys; None, str, int, float) that :meth:`from_json` reads back.

        A palette or zoom of None ("keep the current one") is left out, which reads back the same.
        """
        values = asdict(self)
        extra = values.pop("extra")
        kept = {key: value for key, value in values.items() if value is not None or key not in OPTIONAL_KEYS}
        return {**extra, **kept}

    def check(self) -> None:
        """Raise :class:`ViewOptionsError` unless every field holds a value of its kind and range.

        Checked before anything is applied, so applying options can never fail midway (a session
        from a file may hold anything). Messages name the option and show the value shortened.
        """
        if self.palette is not None and not (isinstance(self.palette, str) and len(self.palette) <= MAX_TEXT):
            raise ViewOptionsError(f"view option 'palette' must be a name, not {shown(self.palette, 40)}")
        if self.scaling not in SCALING_MODES:
            modes = ", ".join(SCALING_MODES)
            raise ViewOptionsError(f"view option 'scaling' must be one of {modes}, not {shown(self.scaling, 40)}")
        low, high = ZOOM_RANGE
        if self.zoom is not None and not (_is_number(self.zoom) and low <= self.zoom <= high):
            raise ViewOptionsError(
                f"view option 'zoom' must be a number from {low} to {high}, not {shown(self.zoom, 40)}"
            )
        for name in ("kernel_layer", "kernel_output", "kernel_input", "player_layer", "player_position"):
            value = getattr(self, name)
            if value is not None and not (_is_int(value) and 0 <= value <= MAX_INDEX):
                raise ViewOptionsError(f"view option {name!r} must be an index from 0 or null, not {shown(value, 40)}")
        if not (_is_int(self.player_channel) and 0 <= self.player_channel <= MAX_INDEX):
            raise ViewOptionsError(
                f"view option 'player_channel' must be a channel index, not {shown(self.player_channel, 40)}"
            )
        if kernel_factor_value(self.kernel_factor) is None:
            raise ViewOptionsError(
                f"view option 'kernel_factor' must be a number other than 0, not {shown(self.kernel_factor, 40)}"
            )

    def fitted(self, network: Network, *, kernel_layer_given: bool = True) -> ViewOptions:
        """These options with every layer, channel and cell naming one of ``network``; others get defaults.

        The player needs a layer with a sliding window, the kernel editor a conv layer (the first
        one when ``kernel_layer_given`` is false).
        """
        convs = [index for index, entry in enumerate(network.spec) if entry["type"] == "conv"]
        windowed = [index for index, entry in enumerate(network.spec) if entry["type"] in WINDOWED_LAYERS]
        player = self.player_layer if self.player_layer in windowed else None
        channels, cells = 1, 0
        if player is not None:
            channels, height, width = network.shapes[player]
            cells = height * width
        position = self.player_position
        first_conv = convs[0] if convs else None
        kernel = self.kernel_layer if kernel_layer_given else first_conv
        kernel = kernel if kernel is None or kernel in convs else first_conv
        outputs, inputs = network.params[f"{kernel}.weight"].shape[:2] if kernel is not None else (1, 1)
        return replace(
            self,
            player_layer=player,
            player_position=position if position is not None and position < cells else None,
            player_channel=self.player_channel if self.player_channel < channels else 0,
            kernel_layer=kernel,
            kernel_output=_below(self.kernel_output, outputs),
            kernel_input=_below(self.kernel_input, inputs),
        )


def kernel_factor_value(text: Any) -> float | None:
    """The number a kernel factor stands for ("1/9" gives 0.111...), or None if it is no usable factor."""
    if not isinstance(text, str) or len(text) > MAX_TEXT:
        return None
    try:
        return parse_factor(text)
    except ValueError:
        return None


def kernel_factor_text(scale: float) -> str:
    """How a factor is saved and shown: ``1/9``, ``2``, ``0.3``."""
    return scale_text(scale)


def _below(index: int | None, count: int) -> int | None:
    """``index`` if it is below ``count``, else 0 (None stays None)."""
    return index if index is None or index < count else 0


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)
