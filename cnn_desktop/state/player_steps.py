"""What the convolution player shows when: its cells, their reveal sub-steps and the texts of each.

A layer plays as a sequence of (output cell, sub-step) pairs: the cells in row-major order, each
revealed in sub-steps (patch, products, sum, bias, result for a conv). :class:`CellSequence` walks
that sequence for the step keys and the play timer; :func:`stage_texts` and its neighbours write what
a sub-step shows from the engine's trace of the unit. Nothing here holds state or draws:
``state.player.PlayerState`` keeps the position and sub-step, and the player's views draw what these
functions return.
Qt-free: it can be tested and reused without a display.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

import numpy as np

from ..engine import Network
from ..engine.layers import Conv2D, Pool2D
from ..engine.traces import ConvTrace, PoolTrace
from ..input_channels import picture_channel_names
from ..number_text import format_value

SPEEDS = (0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0, 8.0, 12.0, 20.0)
"""Playback speeds offered by the slider, in output cells per second."""

DEFAULT_SPEED = 1.0
STAGED_MAX_SPEED = 2.0
"""Playing at this many cells per second or slower reveals each cell in sub-steps."""

CONV_STEPS = ("patch", "products", "sum", "bias", "result")
MAXPOOL_STEPS = ("window", "winners", "result")
AVGPOOL_STEPS = ("window", "sum", "result")


def playable(network: Network, layer: int) -> bool:
    """Whether ``layer`` of ``network`` is one the player can animate (a conv or a pooling layer)."""
    return 0 <= layer < len(network.layers) and isinstance(network.layers[layer], (Conv2D, Pool2D))


def steps_for(network: Network, layer: int) -> tuple[str, ...]:
    """The sub-steps of one output cell's reveal for ``layer`` (conv, max pool or average pool).

    A conv reading a picture of d > 1 channels (red, green, blue) reveals one channel's products
    after the other: ``products`` (the first), ``products 1``, ``products 2``... then their sum.
    """
    current = network.layers[layer]
    if isinstance(current, Conv2D):
        if not stacks_channels(network, layer):
            return CONV_STEPS
        depth = network.stage_shape(layer)[0]
        return ("patch", "products", *(f"products {c}" for c in range(1, depth)), "sum", "bias", "result")
    return MAXPOOL_STEPS if current.kind == "maxpool" else AVGPOOL_STEPS


def stacks_channels(network: Network, layer: int) -> bool:
    """Whether ``layer`` is a conv reading a picture of d > 1 channels (red, green, blue...): the
    player then shows one row per channel (patch x kernel slice = products, their dot product)."""
    if not playable(network, layer) or not isinstance(network.layers[layer], Conv2D):
        return False
    return bool(picture_channel_names(network.spec, layer, network.stage_shape(layer)[0]))


def channels_revealed(revealed: Collection[str]) -> int:
    """How many input channels' products a cell revealed channel by channel shows (0 before ``products``)."""
    return 1 + sum(step.startswith("products ") for step in revealed) if "products" in revealed else 0


@dataclass(frozen=True)
class ChannelLine:
    """One row of a picture's conv: a named input channel's products and dot product, once revealed."""

    name: str
    products_shown: bool
    dot: str
    """The channel's dot product (the sum of its products, ``→ 6``), '' until its products are shown."""


def channel_lines(trace: ConvTrace, revealed: Collection[str], names: Sequence[str]) -> list[ChannelLine]:
    """The rows of ``trace``'s picture channels named ``names`` at the sub-steps ``revealed``."""
    shown = len(names) if "sum" in revealed else channels_revealed(revealed)
    return [
        ChannelLine(name, index < shown, f"→ {format_value(value)}" if index < shown else "")
        for index, (name, value) in enumerate(zip(names, trace.channel_sums, strict=True))
    ]


def clamp_speed(cells_per_second: float) -> float:
    """``cells_per_second`` kept within the slider's range."""
    return float(np.clip(cells_per_second, SPEEDS[0], SPEEDS[-1]))


def nearest_speed_index(cells_per_second: float) -> int:
    """The slider position (index into ``SPEEDS``) closest to ``cells_per_second``."""
    return int(np.argmin([abs(s - cells_per_second) for s in SPEEDS]))


def reveals_in_stages(cells_per_second: float) -> bool:
    """Whether playing at this speed is slow enough to reveal each cell sub-step by sub-step."""
    return cells_per_second <= STAGED_MAX_SPEED


@dataclass(frozen=True)
class CellSequence:
    """The (cell, sub-step) pairs one layer plays through: ``cell_count`` cells of ``steps`` each.

    Positions are flat row-major indices into the output map. A layer that cannot be played has no
    steps and no cells; every method still answers.
    """

    steps: tuple[str, ...]
    cell_count: int

    @classmethod
    def of_layer(cls, network: Network, layer: int) -> CellSequence:
        """The sequence of ``layer`` of ``network`` (empty when it is not a conv or pooling layer)."""
        if not playable(network, layer):
            return cls((), 0)
        _, height, width = network.shapes[layer]
        return cls(steps_for(network, layer), height * width)

    @property
    def final_substep(self) -> int:
        """The sub-step at which a cell is fully revealed (0 when there are none)."""
        return max(len(self.steps) - 1, 0)

    def substep_name(self, substep: int) -> str:
        return self.steps[min(substep, len(self.steps) - 1)] if self.steps else ""

    def revealed(self, substep: int) -> tuple[str, ...]:
        """The sub-steps shown once a cell has reached ``substep``."""
        return self.steps[: substep + 1]

    def is_last(self, position: int, substep: int) -> bool:
        """Whether (``position``, ``substep``) is the end of the layer: its last cell, fully revealed."""
        return position >= self.cell_count - 1 and substep >= self.final_substep

    def moved_by_substeps(self, position: int, substep: int, delta: int) -> tuple[int, int]:
        """(position, sub-step) ``delta`` sub-steps on, carrying into the next or previous cells."""
        last = self.final_substep
        substep += delta
        while substep > last and position < self.cell_count - 1:
            position, substep = position + 1, substep - last - 1
        while substep < 0 and position > 0:
            position, substep = position - 1, substep + last + 1
        return position, int(np.clip(substep, 0, last))

    def after_tick(self, position: int, substep: int, staged: bool) -> tuple[int, int] | None:
        """Where one tick of the play timer goes: the next sub-step when ``staged``, else the next cell.

        None when there is nowhere to go (the last cell, fully revealed or not staged).
        """
        if staged and substep < self.final_substep:
            return position, substep + 1
        if position < self.cell_count - 1:
            return position + 1, 0 if staged else self.final_substep
        return None

    def tick_interval_ms(self, cells_per_second: float) -> int:
        """Milliseconds between ticks: one cell per 1/speed seconds, shared by its sub-steps when staged."""
        per_cell = 1000.0 / cells_per_second
        if reveals_in_stages(cells_per_second):
            per_cell /= max(len(self.steps), 1)
        return max(10, int(round(per_cell)))


@dataclass(frozen=True)
class StageTexts:
    """The lines of the sums column for one unit at one sub-step ('' for a line not revealed yet)."""

    sum_line: str
    sum_tip: str
    bias_line: str
    bias_tip: str
    result_line: str
    relu_line: str
    channel_sums: str
    """``channel 0: 1.25, channel 1: -0.5, total 0.75`` for a multi-channel feature map, once summed
    (a picture's channels show theirs in their own rows: see :func:`channel_lines`)."""


def stage_texts(
    trace: ConvTrace | PoolTrace,
    revealed: Collection[str],
    in_channel: int,
    relu_follows: bool,
    names: Sequence[str] = (),
) -> StageTexts:
    """The texts of ``trace``'s unit with sub-steps ``revealed``; the patch shows input ``in_channel``.

    ``names`` are the input channels' names when they are a picture's ("red", ...): the sum line then
    adds their dot products; else the channels are numbered and their partial sums listed.
    """
    shown = "result" in revealed
    result_line = f"= {format_value(trace.result)}" if shown else ""
    relu_line = f"ReLU → {format_value(max(trace.result, 0.0))}" if shown and relu_follows else ""
    if isinstance(trace, ConvTrace):
        many = trace.patch.shape[0] > 1
        summed = "sum" in revealed
        channel_sums = ""
        if many and summed and not names:
            parts = [f"channel {c}: {format_value(v)}" for c, v in enumerate(trace.channel_sums)]
            channel_sums = ", ".join(parts) + f", total {format_value(trace.total)}"
        if names:  # a picture's rows show each channel's dot product: the column adds them up
            sum_line, sum_tip = f"sum = {format_value(trace.total)}", f"The {' + '.join(names)} dot products added"
        else:
            sum_line = f"sum = {format_value(trace.channel_sums[in_channel])}"
            sum_tip = "The sum of the products shown" + (f" (input {channel_label(in_channel)})" if many else "")
        return StageTexts(
            sum_line=sum_line if summed else "",
            sum_tip=sum_tip,
            bias_line=f"+ bias {format_value(trace.bias)}" if "bias" in revealed else "",
            bias_tip="The filter's bias, added once to the sum",
            result_line=result_line,
            relu_line=relu_line,
            channel_sums=channel_sums,
        )
    k = trace.window.shape[0]
    if trace.kind == "maxpool":
        values = ", ".join(format_value(v) for v in trace.window.ravel())
        ties = int(trace.winners.sum())
        won = "winners" in revealed
        return StageTexts(
            sum_line=(f"max({values})" if k <= 2 else f"max of the {k}x{k} window") if won else "",
            sum_tip="The largest number in the window wins (highlighted)",
            bias_line=f"{ties} cells tie, all win" if won and ties > 1 else "",
            bias_tip="Cells that hold the largest value (all highlighted)",
            result_line=result_line,
            relu_line=relu_line,
            channel_sums="",
        )
    summed = "sum" in revealed
    return StageTexts(
        sum_line=f"sum = {format_value(float(trace.window.sum(dtype=np.float64)))}" if summed else "",
        sum_tip="The sum of the window's numbers",
        bias_line=f"mean = sum / {k * k}" if summed else "",
        bias_tip=f"The average: the sum divided by the {k}x{k} = {k * k} cells",
        result_line=result_line,
        relu_line=relu_line,
        channel_sums="",
    )


def widest_texts(output: np.ndarray, trace: ConvTrace | PoolTrace | None) -> list[tuple[str, str]]:
    """(line, text) pairs as wide as the sums column's lines get for this layer's ``output`` (C, H, W).

    Lines are ``sum``, ``bias``, ``result`` and ``relu``; measuring these keeps the column's width
    steady while playing.
    """
    widest = max((format_value(output.min()), format_value(output.max())), key=len) + "0"
    texts = [("sum", f"sum = {widest}"), ("result", f"= {widest}"), ("relu", f"ReLU → {widest}")]
    if isinstance(trace, ConvTrace):
        texts.append(("bias", f"+ bias {format_value(trace.bias)}"))
    elif trace is not None:
        k = trace.window.shape[0]
        texts.append(("sum", f"max({', '.join([widest] * k * k)})" if k <= 2 else "max of the 8x8 window"))
        texts.append(("bias", "4 cells tie, all win"))
    return texts


def kernel_tags(trace: ConvTrace, in_channel: int) -> list[tuple[int, int, str]]:
    """(row, col, ``×weight``) for each kernel weight of ``in_channel``, at the input cell it multiplies."""
    return [
        (int(r), int(c), "×" + format_value(w))
        for r, row in zip(trace.rows, trace.kernel[in_channel], strict=True)
        for c, w in zip(trace.cols, row, strict=True)
    ]


def window_taps(trace: ConvTrace | PoolTrace, height: int, width: int, pad: int) -> np.ndarray:
    """(height + 2 pad, width + 2 pad) bool: the input cells, padding ring included, the window reads."""
    mask = np.zeros((height + 2 * pad, width + 2 * pad), bool)
    rows, cols = trace.rows + pad, trace.cols + pad
    rows = rows[(rows >= 0) & (rows < mask.shape[0])]
    cols = cols[(cols >= 0) & (cols < mask.shape[1])]
    mask[np.ix_(rows, cols)] = True
    return mask


def channel_label(channel: int, names: Sequence[str] = ()) -> str:
    """``red`` for a named picture channel, else ``channel 2``."""
    return names[channel] if names else f"channel {channel}"


def input_title(network: Network, layer: int, in_channel: int, input_channels: int, pad: int) -> tuple[str, str]:
    """The input column's short title (it must fit above a small grid) and its long tooltip."""
    source = "the input image" if layer == 0 else f"the output of {network.label(layer - 1)}"
    names = picture_channel_names(network.spec, layer, input_channels)
    channel = f", {channel_label(in_channel, names)}" if input_channels > 1 else ""
    padding = f", padding {pad}" if pad else ""
    tip = (
        f"The input of {network.label(layer)}: {source}{channel}. The outlined window is what the "
        "current output cell sees" + (f"; the hatched ring is the zero padding ({pad})" if pad else "")
    )
    return f"input{channel}{padding}", tip
