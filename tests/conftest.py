"""Shared fixtures: where ../shared is, and small task folders the tests build themselves."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from shared_data import shared_dir as shared_path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SHARED_MISSING = "needs ../shared beside the project (or REPORTGRAPH_SHARED=DIR); not found"


def find_shared() -> Path | None:
    candidate = shared_path()
    return candidate if candidate.is_dir() else None


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects by marker
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Every test that uses ``shared_dir`` (directly or through another fixture) carries the ``shared``
    marker, so ``-m shared`` / ``-m "not shared"`` select exactly them; without ../shared they are
    skipped here with one reason the summary names (``-rs`` in the pytest options), and in CI they fail.
    """
    missing = find_shared() is None
    for item in items:
        if "shared_dir" not in getattr(item, "fixturenames", ()):
            continue
        item.add_marker(pytest.mark.shared)
        if missing and not os.environ.get("CI"):
            item.add_marker(pytest.mark.skip(reason=SHARED_MISSING))


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """../shared beside the project. Absent on a user's clone (skip); required in CI (fail)."""
    found = find_shared()
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("CI needs ../shared (or REPORTGRAPH_SHARED) beside the project")
        pytest.skip(SHARED_MISSING)
    return found


UNREACHED_VIDEO_BUDGET_S = 1e6


@pytest.fixture(scope="session", autouse=True)
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One index and embedding cache for the whole session, never the user's home cache.

    Set as the environment default too, so runs that do not pass ``cache_dir`` (the CLI, servers the
    tests start) use it as well.
    """
    from reportgraph.nodes.context import env

    path = tmp_path_factory.mktemp("reportgraph-cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("REPORTGRAPH_CACHE_DIR", str(path))
        # No machine reaches this video budget: a test's outcome never depends on how loaded the machine is
        # (tests of the budget itself pass their own).
        patch.setenv("REPORTGRAPH_VIDEO_TIME_BUDGET_S", str(UNREACHED_VIDEO_BUDGET_S))
        env.cache_clear()
        yield path
    env.cache_clear()
