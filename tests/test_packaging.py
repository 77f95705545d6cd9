"""`pip install .` (the README's first command) installs every subpackage of the app."""

from __future__ import annotations

import re
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[1]


def listed_packages() -> set[str]:
    """The names in pyproject.toml's ``[tool.setuptools] packages = [...]`` (read as text: no tomllib on 3.10)."""
    text = (REPOSITORY / "pyproject.toml").read_text(encoding="utf-8")
    block = re.search(r"^packages = \[(.*?)\]", text, re.MULTILINE | re.DOTALL)
    assert block, "pyproject.toml lists its packages"
    return set(re.findall(r'"([\w.]+)"', block.group(1)))


def test_every_subpackage_is_installed():
    found = {
        ".".join(init.parent.relative_to(REPOSITORY).parts)
        for init in (REPOSITORY / "cnn_desktop").rglob("__init__.py")
    }
    listed = listed_packages()
    assert found - listed == set(), "add these to [tool.setuptools] packages in pyproject.toml"
    assert listed - found == {"cnn_desktop.resources"}  # the data folder, mapped from resources/
