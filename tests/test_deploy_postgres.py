"""Postgres checkpoints: a run killed in one process continues from another against the same database.

The tests start their own PostgreSQL cluster on 127.0.0.1 (tests/deploy_servers.py) and reuse the
scripted tea task of tests/test_resume.py, killed at the start of `video_analyse` as there.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
import test_resume
from deploy_servers import free_port, postgres_server
from reportgraph.graph.checkpoints import open_checkpointer, redacted
from reportgraph.graph.cli import main
from test_resume import cli, killed_mid_run, run_args

tea_task = test_resume.task  # the tea task folder fixture, shared with the SQLite resume test


@pytest.fixture(scope="module")
def database() -> Iterator[str]:
    with postgres_server() as url:
        yield url


def checkpoint_threads(url: str) -> dict[str, int]:
    with psycopg.connect(url) as connection:
        rows = connection.execute("SELECT thread_id, count(*) FROM checkpoints GROUP BY thread_id").fetchall()
    return {str(thread): int(count) for thread, count in rows}


def test_killed_run_resumes_from_postgres_in_another_process(
    tea_task: tuple[Path, Path], database: str, cache_dir: Path, tmp_path: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    folder, rules = tea_task
    straight = cli(*run_args(folder, rules, tmp_path / "straight", "pg-straight"), "--checkpoint", database,
                   cache_dir=cache_dir)
    assert straight.returncode == 1, straight.stderr  # needs_review: relevance unjudged, as test_resume

    killed = killed_mid_run(folder, rules, tmp_path_factory, "pg-interrupted", ("--checkpoint", database))
    run_id, output, killed_cache = killed.run_id, killed.output, killed.cache_dir
    assert "✓ retrieve" in killed.log
    assert checkpoint_threads(database).get(run_id, 0) >= 2  # plan and retrieve are in Postgres

    resumed = cli("resume", run_id, cache_dir=killed_cache)  # the run record names the database
    assert resumed.returncode == 1, resumed.stderr
    assert f"resuming {run_id}: kept plan, retrieve; running again video_analyse" in resumed.stderr
    for name in ("report.md", "sources.json", "validation.json"):
        assert (output / name).read_text(encoding="utf-8") == (
            tmp_path / "straight" / name).read_text(encoding="utf-8"), name
    record = json.loads((output / "run.json").read_text(encoding="utf-8"))
    assert record["resumes"][0]["skipped_nodes"] == ["plan", "retrieve"]
    # Nothing went to the default SQLite file: every checkpoint is in the database.
    assert not (killed_cache / "runs" / "checkpoints.sqlite").exists()
    assert "pg-straight" in checkpoint_threads(database)


def test_concurrent_first_runs_create_the_tables_once(database: str) -> None:
    with psycopg.connect(database, autocommit=True) as admin:
        admin.execute("CREATE DATABASE fresh_setup")
    url = database.rsplit("/", 1)[0] + "/fresh_setup"
    errors: list[BaseException] = []

    def first_run() -> None:
        try:
            with open_checkpointer(url, Path("unused")) as saver:
                assert saver.get_tuple({"configurable": {"thread_id": "none"}}) is None
        except BaseException as error:  # collected for the assertion below
            errors.append(error)

    workers = [threading.Thread(target=first_run) for _ in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert errors == []
    with psycopg.connect(url) as connection:
        versions = [row[0] for row in connection.execute("SELECT v FROM checkpoint_migrations ORDER BY v")]
    assert versions == list(range(len(versions))) and versions  # each migration recorded exactly once


def test_unreachable_database_fails_the_run_with_a_message(tea_task: tuple[Path, Path], tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    folder, rules = tea_task
    closed = f"postgresql://postgres:secret@127.0.0.1:{free_port()}/postgres?connect_timeout=5"
    code = main([*run_args(folder, rules, tmp_path / "out", "pg-unreachable"), "--checkpoint", closed,
                 "--cache-dir", str(tmp_path / "cache")])
    assert code == 3
    assert "OperationalError" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_redacted_url_hides_the_password() -> None:
    assert redacted("postgresql://app:s3cret@db:5432/runs") == "postgresql://app:***@db:5432/runs"
    assert redacted("postgresql://app@db/runs") == "postgresql://app@db/runs"
