"""Compare checkouts fairly on a shared, noisy machine: separate processes, interleaved, several rounds.

Each round runs every checkout's child process once, in alternating order, so slow spells of the
machine hit all of them alike. A child prints one JSON object of figures on its last line; this
module collects them and prints, per figure, the median over rounds with the lowest and highest.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[1]


def use_checkout(argv: Sequence[str]) -> None:
    """Import ``cnn_desktop`` from the checkout named by ``--source DIR`` (default: this repository)."""
    source = REPOSITORY
    if "--source" in argv:
        source = Path(argv[list(argv).index("--source") + 1]).resolve()
    sys.path.insert(0, str(source))


def first_test_digit():
    """The first bundled test digit (28, 28), from whichever checkout is imported."""
    try:
        from cnn_desktop.state.digit_library import DigitLibrary
    except ImportError:  # a checkout from before the digit library
        from cnn_desktop.ui.app import first_test_digit as first

        return first()
    return DigitLibrary().first_test_digit()[0]


def load_average() -> str:
    try:
        return " / ".join(f"{value:.2f}" for value in os.getloadavg())
    except OSError:
        return "unknown"


def run_interleaved(script: Path, checkouts: dict[str, Path], child_args: list[str], rounds: int) -> dict:
    """``{name: [figures of round 1, ...]}`` from running ``script --child`` once per checkout per round."""
    figures: dict[str, list[dict]] = {name: [] for name in checkouts}
    names = list(checkouts)
    for round_index in range(rounds):
        order = names if round_index % 2 == 0 else names[::-1]
        for name in order:
            command = [sys.executable, str(script), "--child", "--source", str(checkouts[name]), *child_args]
            output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
            figures[name].append(json.loads(output.strip().splitlines()[-1]))
        print(f"  round {round_index + 1}/{rounds} done (load average {load_average()})", flush=True)
    return figures


def print_summary(figures: dict[str, list[dict]], unit: str) -> dict[str, dict[str, float]]:
    """Median (lowest - highest) over rounds of every figure, per checkout; returns the medians."""
    medians: dict[str, dict[str, float]] = {}
    for name, rounds in figures.items():
        medians[name] = {}
        parts = []
        for key in rounds[0]:
            values = [entry[key] for entry in rounds]
            medians[name][key] = statistics.median(values)
            suffix = f" {unit}" if unit else ""
            parts.append(f"{key} {medians[name][key]:.3g}{suffix} ({min(values):.3g} - {max(values):.3g})")
        print(f"{name:>8}: " + ", ".join(parts))
    return medians
