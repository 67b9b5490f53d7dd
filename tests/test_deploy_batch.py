"""`reportgraph batch`: several task folders, two at a time, sharing Postgres checkpoints; bad input in one
task (an unreadable prompt, a missing folder) ends that task alone, and the summary names each outcome."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from deploy_servers import free_port, postgres_server
from reportgraph.graph.batch import plan_runs

TOPICS = {
    "tea": [("A short history of tea", "Tea drinking began in southwest China thousands of years ago. "
             "Merchants later carried tea along caravan routes to Central Asia and Europe."),
            ("Brewing green tea", "Green tea is best brewed with water at about 80 degrees Celsius for two "
             "to three minutes. Boiling water makes green tea bitter."),
            ("Brewing black tea", "Black tea tolerates boiling water and usually steeps for three to five "
             "minutes. Milk and sugar are common additions in Britain.")],
    "bread": [("Sourdough starters", "A sourdough starter is a culture of wild yeast and lactic acid "
               "bacteria. It is fed with flour and water every day."),
              ("Kneading dough", "Kneading develops gluten, which traps the gas made by yeast. Ten minutes "
               "of kneading by hand is usual for a wheat loaf."),
              ("Baking temperature", "Most loaves bake at 220 to 250 degrees Celsius. Steam in the first "
               "minutes lets the crust expand before it sets.")],
}
TASK = ('Write a short report titled "{title} notes" for curious readers. The report must contain these '
        "sections, in this order: 1. Background; 2. Practice. Length: 40 to 300 words. Cite every source.\n")
BATCH_TIMEOUT_S = 600


def make_task(folder: Path, topic: str) -> Path:
    folder.mkdir(parents=True)
    (folder / "task.md").write_text(TASK.format(title=topic.title()), encoding="utf-8")
    documents = [{"title": title, "url": f"https://example.org/{topic}/{n}", "content": text}
                 for n, (title, text) in enumerate(TOPICS[topic])]
    (folder / "long_context.json").write_text(json.dumps(documents), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def database() -> Iterator[str]:
    with postgres_server() as url:
        yield url


def batch(*args: str, cache_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "REPORTGRAPH_CACHE_DIR": str(cache_dir), "NO_COLOR": "1"}
    return subprocess.run([sys.executable, "-m", "reportgraph.graph.cli", "batch", *args], env=env,
                          capture_output=True, text=True, timeout=BATCH_TIMEOUT_S)


def test_batch_runs_every_task_and_isolates_bad_input(database: str, cache_dir: Path, tmp_path: Path) -> None:
    tasks = tmp_path / "tasks"
    good = [make_task(tasks / topic, topic) for topic in TOPICS]
    broken = tasks / "broken"
    broken.mkdir()
    (broken / "task.md").write_bytes(b"\xff\xfe\x00\x00")  # not a readable prompt
    (broken / "long_context.json").write_text("[]", encoding="utf-8")
    missing = tasks / "missing"
    output = tmp_path / "out"
    result = batch(str(good[0]), str(broken), str(missing), str(good[1]), "-j", "2", "-o", str(output),
                   "--checkpoint", database, "--llm", "off", "--embedder", "none", cache_dir=cache_dir)

    summary = json.loads((output / "batch.json").read_text(encoding="utf-8"))
    rows = {row["name"]: row for row in summary["tasks"]}
    assert list(rows) == ["tea", "broken", "missing", "bread"], result.stderr  # the order given
    for name in ("tea", "bread"):
        assert rows[name]["exit_code"] in (0, 1), Path(rows[name]["log"]).read_text(encoding="utf-8")
        assert (output / name / "report.md").is_file()
        assert rows[name]["status"] == json.loads((output / name / "validation.json").read_text())["status"]
    for name in ("broken", "missing"):
        assert (rows[name]["status"], rows[name]["exit_code"]) == ("bad_input", 2), rows[name]
        assert not (output / name).exists()
    assert result.returncode == 2  # the highest exit code of the runs
    spans = sorted((row["started_at"], row["started_at"] + row["seconds"]) for row in rows.values())
    assert any(later[0] < earlier[1] for earlier, later in itertools.pairwise(spans))  # -j 2
    for row in rows.values():  # the summary table names every task with its status
        assert any(row["name"] in line and row["status"] in line for line in result.stderr.splitlines())
    # Every run's checkpoints went to the shared database, under the run id the summary gives.
    with psycopg.connect(database) as connection:
        threads = {row[0] for row in connection.execute("SELECT DISTINCT thread_id FROM checkpoints")}
    assert {rows["tea"]["run_id"], rows["bread"]["run_id"]} <= threads


def test_batch_stops_before_starting_when_the_database_is_down(tmp_path: Path, cache_dir: Path) -> None:
    folder = make_task(tmp_path / "tea", "tea")
    closed = f"postgresql://postgres@127.0.0.1:{free_port()}/postgres?connect_timeout=5"
    result = batch(str(folder), "-o", str(tmp_path / "out"), "--checkpoint", closed, "--llm", "off",
                   "--embedder", "none", cache_dir=cache_dir)
    assert result.returncode == 3
    assert "checkpoint database unreachable" in result.stderr
    assert not (tmp_path / "out" / "tea").exists()


def test_a_run_over_its_time_limit_is_killed_and_counted_failed(tmp_path: Path, cache_dir: Path) -> None:
    folder = make_task(tmp_path / "tea", "tea")
    result = batch(str(folder), "-o", str(tmp_path / "out"), "--timeout", "0.5", "--llm", "off",
                   "--embedder", "none", cache_dir=cache_dir)
    [row] = json.loads((tmp_path / "out" / "batch.json").read_text(encoding="utf-8"))["tasks"]
    assert row["status"].startswith("killed") and row["exit_code"] < 0
    assert result.returncode == 3


def test_folders_with_the_same_name_get_their_own_outputs(tmp_path: Path) -> None:
    runs = plan_runs([str(tmp_path / "a" / "tea"), str(tmp_path / "b" / "tea"), str(tmp_path / "c")],
                     tmp_path / "out", "batch-x")
    assert [run.name for run in runs] == ["tea", "tea-2", "c"]
    assert len({run.output_dir for run in runs}) == len({run.run_id for run in runs}) == 3
