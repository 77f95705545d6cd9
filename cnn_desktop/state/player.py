"""Where the convolution player stands and how it moves: a Qt-free model of the playback.

:class:`PlayerState` holds the layer, output and input channel, output cell and reveal sub-step
shown, the speed and whether it plays. Its transitions (step, jump, scrub, play tick, a new network,
a unit selected elsewhere) clamp to the network of the newest result. A transition that moves the
player to another unit returns that unit, which the panel announces as the new selection; a unit
selected elsewhere moves the player without being announced back, so no view answers itself.
The panel draws this state and forwards gestures to it; nothing here draws or computes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..engine import Network, Unit
from ..engine.layers import Pool2D
from .player_steps import DEFAULT_SPEED, CellSequence, channels_revealed, clamp_speed, playable, reveals_in_stages


@dataclass
class PlayerState:
    """The playback of one conv or pooling layer, one output cell and reveal sub-step at a time."""

    network: Network | None = None
    """The network of the newest result: which layers can be played and their shapes (None: no result yet)."""
    layer: int = -1
    """Index of the layer chosen (-1: none yet); it may be one that cannot be played (see ``can_play``)."""
    channel: int = 0
    """Output channel (filter) whose map is played."""
    in_channel: int = 0
    """Input channel shown in the patch and on the left (for a pool, always ``channel``)."""
    position: int = 0
    """Output cell shown, as a flat row-major index into the layer's output map."""
    substep: int = 0
    """Reveal sub-step of the cell shown: an index into ``sequence().steps`` (the last shows everything)."""
    detailed: bool = False
    """Whether stepping reveals each cell sub-step by sub-step instead of whole cells."""
    speed: float = DEFAULT_SPEED
    """Playing speed in output cells per second (clamped to ``player_steps.SPEEDS``)."""
    playing: bool = False
    """Whether the play timer runs."""
    staged_play: bool = False
    """Whether the current play reveals each cell in sub-steps (decided by the speed when it starts)."""
    asked_unplayable: bool = False
    """The layer was chosen by name though it cannot be played: keep it (and its hint) on new networks."""
    pending: Unit | None = None
    """A selected unit that is not in the current network: reached once a network holding it arrives."""

    # ----- what is shown
    def can_play(self) -> bool:
        """Whether the layer chosen is a conv or pooling layer of the current network."""
        return self.network is not None and playable(self.network, self.layer)

    def sequence(self) -> CellSequence:
        """The (cell, sub-step) pairs of the layer shown (none when it cannot be played)."""
        if self.network is None:
            return CellSequence((), 0)
        return CellSequence.of_layer(self.network, self.layer)

    def output_shape(self) -> tuple[int, int]:
        """(height, width) of the layer's output map, (0, 0) when nothing can be played."""
        if not self.can_play():
            return 0, 0
        _, height, width = self.network.shapes[self.layer]
        return height, width

    def cell_count(self) -> int:
        height, width = self.output_shape()
        return height * width

    def cell(self) -> tuple[int, int]:
        """The output cell shown, (y, x)."""
        return divmod(self.position, self.output_shape()[1] or 1)

    def channels(self) -> int:
        """Output channels of the layer shown (0 when nothing can be played)."""
        return self.network.shapes[self.layer][0] if self.can_play() else 0

    def input_channels(self) -> int:
        """Channels of the layer's input (0 when nothing can be played)."""
        return self.network.stage_shape(self.layer)[0] if self.can_play() else 0

    def is_pool(self) -> bool:
        return self.can_play() and isinstance(self.network.layers[self.layer], Pool2D)

    def relu_follows(self) -> bool:
        """Whether a ReLU comes right after the layer shown (its map and line are drawn too)."""
        if not self.can_play():
            return False
        spec = self.network.spec
        return self.layer + 1 < len(spec) and spec[self.layer + 1]["type"] == "relu"

    def substep_name(self) -> str:
        """The reveal stage shown: ``patch``/``window``, ``products``, ``winners``, ``sum``, ``bias``, ``result``."""
        return self.sequence().substep_name(self.substep)

    def revealed(self) -> tuple[str, ...]:
        """The reveal stages shown for the current cell."""
        return self.sequence().revealed(self.substep)

    def shown_in_channel(self) -> int:
        """The input channel drawn: while a cell of a colour picture's conv is revealed channel by
        channel (``products``, ``products 1``...), the one whose products come in; else the chosen one."""
        steps = self.sequence().steps
        if "products 1" in steps and self.substep < steps.index("sum"):
            return max(channels_revealed(self.revealed()) - 1, 0)
        return self.in_channel

    def unit(self) -> Unit | None:
        """The unit shown (stage = layer + 1), or None when nothing can be played."""
        if not self.can_play():
            return None
        y, x = self.cell()
        return Unit(self.layer + 1, self.channel, y, x)

    def fits(self, unit: Unit) -> bool:
        """Whether ``unit`` is an output of a conv or pooling layer of the current network."""
        if self.network is None or not playable(self.network, unit.stage - 1):
            return False
        channels, height, width = self.network.shapes[unit.stage - 1]
        return 0 <= unit.channel < channels and 0 <= unit.y < height and 0 <= unit.x < width

    def tick_interval_ms(self) -> int:
        """Milliseconds between play ticks at the current speed."""
        return self.sequence().tick_interval_ms(self.speed)

    # ----- choosing what is played; each returns the unit to select (None: leave the selection)
    def set_layer(self, index: int) -> Unit | None:
        """Play layer ``index`` from its first cell; choosing the layer already played keeps its cell."""
        index = int(index)
        if self.network is not None and index == self.layer and playable(self.network, index):
            return None
        self.layer = index
        self.asked_unplayable = self.network is not None and not playable(self.network, index)
        if self.network is None:
            return None
        self.channel = self.in_channel = self.position = 0
        self.substep = self.sequence().final_substep
        if not self.can_play():
            self.playing = False
        return self.unit()

    def set_channel(self, channel: int) -> Unit | None:
        """Play output channel ``channel`` (clamped), keeping the cell; returns the unit shown."""
        if not self.can_play():
            return None
        self.channel = int(np.clip(channel, 0, self.channels() - 1))
        if self.is_pool():
            self.in_channel = self.channel
        self.substep = self.sequence().final_substep
        return self.unit()

    def set_input_channel(self, channel: int) -> None:
        """Show input channel ``channel`` (clamped) in the patch; a pool's input channel is its output's."""
        if self.can_play() and not self.is_pool():
            self.in_channel = int(np.clip(channel, 0, self.input_channels() - 1))

    def set_position(self, flat_index: int) -> Unit | None:
        """Show output cell ``flat_index`` (row-major; negative counts from the end), fully revealed.

        Returns the unit shown, even when it did not move (a jump asks to select it)."""
        if not self.can_play():
            return None
        flat_index = int(flat_index)
        if flat_index < 0:
            flat_index += self.cell_count()
        self._move_to(flat_index, self.sequence().final_substep)
        return self.unit()

    def set_cell(self, y: int, x: int) -> Unit | None:
        """Show output cell (``y``, ``x``), fully revealed (a click on the output map)."""
        if not self.can_play():
            return None
        return self.set_position(int(y) * self.output_shape()[1] + int(x))

    def step(self, delta: int = 1) -> Unit | None:
        """Move ``delta`` cells, or with detailed steps ``delta`` reveal sub-steps, forward or back."""
        if not self.can_play():
            return None
        if self.detailed:
            return self._move_to(*self.sequence().moved_by_substeps(self.position, self.substep, int(delta)))
        return self._move_to(self.position + int(delta), self.sequence().final_substep)

    def set_detailed(self, detailed: bool) -> None:
        """Step by sub-steps or by cells; leaving detailed steps while paused reveals the whole cell."""
        self.detailed = bool(detailed)
        if not self.detailed and not self.playing:
            self.substep = self.sequence().final_substep

    # ----- playing
    def play(self) -> Unit | None:
        """Start playing from the current cell (from the first when at the end); returns the unit moved to."""
        if not self.can_play() or self.playing:
            return None
        staged = reveals_in_stages(self.speed)
        moved = None
        if self.sequence().is_last(self.position, self.substep):
            moved = self._move_to(0, 0 if staged else self.sequence().final_substep)
        self.staged_play = staged
        self.playing = True
        return moved

    def pause(self) -> None:
        self.playing = False

    def set_speed(self, cells_per_second: float) -> None:
        """Play at ``cells_per_second`` (clamped); a running play changes how it reveals at once."""
        self.speed = clamp_speed(cells_per_second)
        if self.playing:
            self.staged_play = reveals_in_stages(self.speed)

    def tick(self) -> Unit | None:
        """One beat of the play timer: the next sub-step or cell; stops at the end of the layer."""
        if not self.can_play():
            self.playing = False
            return None
        sequence = self.sequence()
        following = sequence.after_tick(self.position, self.substep, self.staged_play)
        moved = self._move_to(*following) if following is not None else None
        if sequence.is_last(self.position, self.substep):
            self.playing = False
        return moved

    # ----- the world changing
    def adopt(self, network: Network) -> None:
        """Follow a new result's ``network``: reach a pending unit, or keep the layer, channel and cell
        where they still exist (clamped), or fall back to the nearest playable layer. A cell fully
        revealed stays so when the layer's sub-steps change (a colour picture has more)."""
        revealed = self.network is not None and self.substep >= self.sequence().final_substep
        self.network = network
        pending, self.pending = self.pending, None
        if pending is not None and self.fits(pending):
            self._show_unit(pending)
        elif not self.can_play() and not self.asked_unplayable:
            candidates = [i for i in range(len(network.layers)) if playable(network, i)]
            if candidates:
                self.layer = min(candidates, key=lambda i: (abs(i - self.layer), i))
                self.position = self.channel = self.in_channel = 0
                self.substep = self.sequence().final_substep
        if not self.can_play():
            self.playing = False
            return
        self.channel = min(self.channel, self.channels() - 1)
        self.in_channel = self.channel if self.is_pool() else min(self.in_channel, self.input_channels() - 1)
        self.position = min(self.position, self.cell_count() - 1)
        final = self.sequence().final_substep
        self.substep = final if revealed else min(self.substep, final)

    def follow_selection(self, selection: Unit | None) -> bool:
        """A unit selected elsewhere: move there when it is a conv or pool output; True when moved.

        A unit not in the current network waits in ``pending`` for the next one (a pipeline edit's
        result may be on its way); other units (the input, a ReLU, a dense layer) leave the player.
        """
        if selection is None or selection.stage < 1 or selection == self.unit():
            return False
        if not self.fits(selection):
            self.pending = selection
            return False
        self.pending = None
        self._show_unit(selection)
        return True

    # ----- moving
    def _show_unit(self, unit: Unit) -> None:
        if unit.stage - 1 != self.layer:
            self.in_channel = 0
        self.layer, self.channel = unit.stage - 1, unit.channel
        if self.is_pool():
            self.in_channel = self.channel
        self.asked_unplayable = False
        self.position = unit.y * self.output_shape()[1] + unit.x
        self.substep = self.sequence().final_substep

    def _move_to(self, position: int, substep: int) -> Unit | None:
        """Go to (``position`` clamped, ``substep``); the unit shown when it changed, else None."""
        before = self.unit()
        self.position = int(np.clip(position, 0, max(self.cell_count() - 1, 0)))
        self.substep = substep
        now = self.unit()
        return now if now != before else None
