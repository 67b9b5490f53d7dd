"""Where `reportgraph run` keeps its checkpoints: the local SQLite file or a Postgres database.

A checkpointer URL names the store: ``postgres://user:pass@host:5432/db`` (or ``postgresql://``) uses
langgraph-checkpoint-postgres, so a run killed in one process (or on one machine) continues from another
against the same database; anything else is a SQLite file path (``sqlite:///path`` or a bare path); none
means the default file ``<cache_dir>/runs/checkpoints.sqlite``.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer
from reportgraph.nodes.state import CHECKPOINT_TYPES

if TYPE_CHECKING:
    import psycopg
    from langgraph.checkpoint.postgres import PostgresSaver

POSTGRES_SCHEMES = ("postgres", "postgresql")
SQLITE_FILE = "checkpoints.sqlite"
# Any fixed 64-bit key: concurrent first runs against one database create its tables one at a time
# (`setup()` is CREATE … IF NOT EXISTS plus a migrations table, which races between sessions).
_SETUP_LOCK_KEY = 0x7265706F7274  # "report"
_SETUP_POLL_S = 0.1


def is_postgres(url: str | None) -> bool:
    return bool(url) and urlsplit(str(url)).scheme in POSTGRES_SCHEMES


def sqlite_path(url: str | None, runs_dir: Path) -> Path:
    """The SQLite file of a non-Postgres URL: ``sqlite:///abs/path``, a plain path, or the default file."""
    if not url:
        return runs_dir / SQLITE_FILE
    return Path(url.removeprefix("sqlite://")) if url.startswith("sqlite://") else Path(url)


def redacted(url: str | None) -> str:
    """The URL for logs and run records, without its password."""
    if not url:
        return "sqlite (default file)"
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
    return urlunsplit(parts._replace(netloc=netloc))


@contextmanager
def open_checkpointer(url: str | None, runs_dir: Path) -> Iterator[BaseCheckpointSaver[str]]:
    """A checkpointer for the URL, its tables created if missing; closed on exit.

    Raises psycopg.OperationalError when the Postgres server cannot be reached (the CLI reports it).
    """
    if is_postgres(url):
        from langgraph.checkpoint.postgres import PostgresSaver

        assert url is not None
        with PostgresSaver.from_conn_string(url) as saver:
            saver.serde = serializer()
            _setup_alone(saver, url)
            yield saver
        return
    from langgraph.checkpoint.sqlite import SqliteSaver

    path = sqlite_path(url, runs_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    with SqliteSaver.from_conn_string(str(path)) as sqlite_saver:
        sqlite_saver.serde = serializer()
        yield sqlite_saver


def serializer() -> JsonPlusSerializer:
    """LangGraph's serializer, allowed to restore the state's own pydantic types (nodes/state.py) and no
    others beyond its safe defaults."""
    return JsonPlusSerializer(allowed_msgpack_modules=CHECKPOINT_TYPES)


def _setup_alone(saver: PostgresSaver, url: str) -> None:
    """``saver.setup()`` while a second session holds a database-wide advisory lock, polled, not awaited.

    A session blocked in ``pg_advisory_lock`` is an open transaction, and the migrations' ``CREATE INDEX
    CONCURRENTLY`` waits for every open transaction: waiting sessions and the lock holder would deadlock.
    """
    import psycopg

    with psycopg.connect(url, autocommit=True) as lock:
        while not _try_lock(lock):
            time.sleep(_SETUP_POLL_S)
        saver.setup()  # the lock ends with its session


def _try_lock(connection: psycopg.Connection[tuple[bool]]) -> bool:
    row = connection.execute("SELECT pg_try_advisory_lock(%s)", (_SETUP_LOCK_KEY,)).fetchone()
    return bool(row and row[0])
