"""What a run works out once and reuses: endpoint probes, a model's reading of the task.

A long-lived process (``langgraph dev``, a LangGraph server) serves many runs against endpoints that change
between them (a restarted server, another model behind the same URL), so nothing learned about an endpoint
may outlive the run that learned it; within a run it is learned once, not by every node or round. One
:class:`RunMemo` belongs to one run (the run settings carry it: ``Context.memo``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

T = TypeVar("T")


class RunMemo:
    """Values by key, each made once; callers of a key being made wait for it (sections draft in parallel).

    A ``make`` that raises stores nothing: the next caller makes the value again.
    """

    def __init__(self) -> None:
        self._values: dict[Hashable, Any] = {}
        self._locks: dict[Hashable, threading.Lock] = {}
        self._lock = threading.Lock()

    def once(self, key: Hashable, make: Callable[[], T]) -> tuple[T, bool]:
        """The value for ``key``, made by ``make`` if this run has none yet; and whether this call made it."""
        with self._lock:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            if key in self._values:
                return self._values[key], False
            value = make()
            self._values[key] = value
            return value, True
