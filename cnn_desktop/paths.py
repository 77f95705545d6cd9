"""Where the bundled files live, whatever kind of install this is."""

from __future__ import annotations

import importlib.util
from importlib import resources
from pathlib import Path

CHECKOUT_RESOURCES = Path(__file__).resolve().parent.parent / "resources"


def resource_path(*parts: str) -> Path:
    """Path of a file under the repository's ``resources/`` folder.

    An installed wheel carries that folder as the package ``cnn_desktop.resources``; a source
    checkout (tests run from the repository, an editable install) reads it where it is.
    """
    if importlib.util.find_spec("cnn_desktop.resources") is not None:
        return Path(str(resources.files("cnn_desktop.resources").joinpath(*parts)))
    return CHECKOUT_RESOURCES.joinpath(*parts)
