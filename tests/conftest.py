"""Shared fixtures: where ../shared is, and small task folders the tests build themselves."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def find_shared() -> Path | None:
    candidate = Path(os.environ.get("REPORTGRAPH_SHARED", PROJECT_ROOT.parent / "shared"))
    return candidate if candidate.is_dir() else None


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """../shared beside the project. Absent on a user's clone (skip); required in CI (fail)."""
    found = find_shared()
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("CI needs ../shared (or REPORTGRAPH_SHARED) beside the project")
        pytest.skip("../shared is not beside this clone; set REPORTGRAPH_SHARED to run this test")
    return found
