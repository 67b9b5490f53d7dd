"""Where the shared data sets are, for the bench scripts and the tests (one place for the rule).

Bench scripts run as ``python bench/x.py`` (so ``bench/`` is on their path); the tests reach this module
through pytest's ``pythonpath`` setting in pyproject.toml.
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def shared_dir() -> Path:
    """``$REPORTGRAPH_SHARED``, else ``../shared`` beside the project; it may not exist."""
    return Path(os.environ.get("REPORTGRAPH_SHARED", PROJECT_ROOT.parent / "shared"))
