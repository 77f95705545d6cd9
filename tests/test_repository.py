"""The setup the README promises is the one CI runs."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def readme_commands() -> list[str]:
    """The one-line shell commands of the README's code blocks that create a virtual environment."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```\n(.*?)```", text, flags=re.S)
    return [block.strip() for block in blocks if block.startswith("python3 -m venv")]


def test_ci_runs_the_readmes_test_command_word_for_word_and_ruff():
    commands = readme_commands()
    assert len(commands) == 2 and all("\n" not in command for command in commands)
    test_command = next(command for command in commands if '".[test]"' in command)
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert any(line.startswith(test_command) for line in ci.splitlines())
    assert ".venv/bin/ruff check ." in ci and ".venv/bin/ruff format --check ." in ci


def test_ruff_comes_from_the_test_extra():
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    extra = re.search(r"^test = \[(.*)\]$", pyproject, flags=re.M).group(1)
    assert re.search(r'"ruff>=[\d.]+,<[\d.]+"', extra)
