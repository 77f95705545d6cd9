"""Run Python code in a child process under a memory cap, so a loader that runs away fails its test
instead of taking the machine down."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

ADDRESS_SPACE_CAP = 1024 * 1024 * 1024
"""Virtual memory the child may map (Python and NumPy alone map about 100 MB)."""

_PRELUDE = """\
import resource, sys
resource.setrlimit(resource.RLIMIT_AS, ({cap}, {cap}))
"""


@dataclass
class ChildResult:
    returncode: int
    stdout: str
    stderr: str

    def json(self) -> object:
        """The last line of stdout, as JSON (what a child script printed as its report)."""
        lines = self.stdout.strip().splitlines()
        assert lines, f"the child printed nothing; stderr:\n{self.stderr[-3000:]}"
        return json.loads(lines[-1])


def run_limited(script: str, *args: str, cap: int = ADDRESS_SPACE_CAP, timeout: float = 60) -> ChildResult:
    """Run ``script`` (``python -c``) with ``args`` under a ``cap``-byte address-space limit."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "QT_QPA_PLATFORM": "offscreen",
    }
    prelude = _PRELUDE.format(cap=cap) if sys.platform.startswith("linux") else ""
    done = subprocess.run(
        [sys.executable, "-c", prelude + script, *args], env=env, capture_output=True, text=True, timeout=timeout
    )
    return ChildResult(done.returncode, done.stdout, done.stderr)
