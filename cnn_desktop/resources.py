"""Where the bundled files live, whatever kind of install this is."""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def resource_path(*parts: str) -> Path:
    """Path of a file under the repository's ``resources/`` folder (installed as a package)."""
    return Path(str(resources.files("cnn_desktop.resources").joinpath(*parts)))
