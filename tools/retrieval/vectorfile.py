"""The embedding cache of one machine: vectors by key in one SQLite file that many processes share.

Chroma's embedded ``PersistentClient`` is not process-safe (Chroma's "System Constraints": "Chroma is not
process-safe"; a second process keeps stale HNSW segments in memory, chroma-core/chroma#3792): two runs on
one cache directory read "Error finding id" / "Nothing found on disk". SQLite is made for this: writers
are serialised by its file locks, a reader sees only committed transactions, and in WAL mode readers never
wait for the writer (sqlite.org/lockingv3.html, sqlite.org/wal.html). Each :meth:`VectorFile.store` is one
transaction, so a batch is seen whole or not at all, also when its writer is killed part-way.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

BUSY_TIMEOUT_S = 60.0  # how long a writer waits for another process's transaction before giving up
READ_BATCH = 500  # keys per SELECT: under SQLite's limit on bound parameters


class VectorFile:
    """float32 vectors by (namespace, key) in ``path``; thread-safe within a process, process-safe across."""

    def __init__(self, path: str | Path, namespace: str) -> None:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        self.namespace = namespace
        # autocommit (isolation_level=None): each transaction is opened and closed here, explicitly
        self._connection = sqlite3.connect(
            str(path), timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False
        )
        self._lock = threading.Lock()  # one connection, many threads (the MCP server's workers)
        with self._lock:
            self._connection.execute("PRAGMA journal_mode=WAL")
            self._connection.execute(
                "CREATE TABLE IF NOT EXISTS vectors (namespace TEXT NOT NULL, key TEXT NOT NULL, "
                "vector BLOB NOT NULL, PRIMARY KEY (namespace, key)) WITHOUT ROWID"
            )

    def fetch(self, keys: Sequence[str]) -> dict[str, np.ndarray]:
        """The stored vectors of ``keys`` (keys never stored are absent)."""
        found: dict[str, np.ndarray] = {}
        with self._lock:
            for start in range(0, len(keys), READ_BATCH):
                batch = list(keys[start : start + READ_BATCH])
                marks = ",".join("?" * len(batch))
                rows = self._connection.execute(
                    f"SELECT key, vector FROM vectors WHERE namespace = ? AND key IN ({marks})",
                    [self.namespace, *batch],
                )
                found.update((key, np.frombuffer(blob, dtype=np.float32).copy()) for key, blob in rows)
        return found

    def store(self, keys: Sequence[str], vectors: Iterable[np.ndarray]) -> None:
        """Stores ``vectors`` (row i for ``keys[i]``) in one transaction: all of them, or none."""
        rows = (
            (self.namespace, key, np.asarray(vector, dtype=np.float32).tobytes())
            for key, vector in zip(keys, vectors, strict=False)
        )
        with self._lock:
            self._connection.execute("BEGIN IMMEDIATE")  # take the write lock now, not at the first row
            try:
                self._connection.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?, ?)", rows)
            except BaseException:
                self._connection.execute("ROLLBACK")
                raise
            self._connection.execute("COMMIT")

    def close(self) -> None:
        with self._lock:
            self._connection.close()
