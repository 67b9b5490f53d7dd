"""`reportgraph resume`: a run killed mid-way continues from its SQLite checkpoint to the same report.

The CLI runs as a subprocess with a scripted chat model. One run goes through uninterrupted; another is
killed (SIGKILL) once retrieve's result is saved, while `video_analyse` (beside it) cannot finish: its
external video tool (an MCP server the test starts) answers only once the test opens a gate file, and the
test opens it only for the straight run and the resume. So the kill never races the run, whatever the load.
The CLI persists each finished node's writes at once, so plan and retrieve are on disk at that point and
must not run again.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from corpus_ids import chunk_ids_by_title
from gated_video import gated_video_server
from media_files import slide_video
from reportgraph.graph.checkpoints import open_checkpointer
from reportgraph.graph.cli import main
from reportgraph.graph.graph import build_graph
from unjudged import only_relevance_unjudged

TASK = (
    'Write a short report titled "Tea Notes" for curious readers. The report must contain these sections, '
    "in this order: 1. Origins; 2. Brewing. Length: 80 to 250 words. Cite every source you use.\n"
)
DOCUMENTS = [
    {"title": "A short history of tea", "url": "https://example.org/tea-history",
     "content": "Tea drinking began in southwest China thousands of years ago. Merchants later carried tea "
                "along caravan routes to Central Asia and Europe, where it became a daily habit."},
    {"title": "Brewing green tea", "url": "https://example.org/green-tea",
     "content": "Green tea is best brewed with water at about 80 degrees Celsius for two to three minutes. "
                "Boiling water makes green tea bitter because it extracts too many tannins."},
    {"title": "Brewing black tea", "url": "https://example.org/black-tea",
     "content": "Black tea tolerates boiling water and usually steeps for three to five minutes. Milk and "
                "sugar are common additions to strong black tea in Britain."},
]
SLIDES = ["TEA ORIGINS", "GREEN TEA 80C"]
SUBTITLES = """1
00:00:00,200 --> 00:00:01,800
Tea began in southwest China.

2
00:00:02,200 --> 00:00:03,800
Green tea likes cooler water.
"""
KILL_MARKER = "✓ retrieve"
CLI_TIMEOUT_S = 300





def scripted_rules(ids: dict[str, str]) -> list[dict[str, object]]:
    history, green, black = ids["A short history of tea"], ids["Brewing green tea"], ids["Brewing black tea"]
    origins = (
        f"Tea drinking began in southwest China thousands of years ago [@{history}]. Merchants later carried "
        f"tea along caravan routes to Central Asia and Europe, where it became a daily habit [@{history}].\n"
    )
    brewing = (
        f"Green tea is best brewed with water at about 80 degrees Celsius for two to three minutes "
        f"[@{green}]. Boiling water makes green tea bitter because it extracts too many tannins [@{green}]. "
        f"Black tea tolerates boiling water and usually steeps for three to five minutes [@{black}]. Milk "
        f"and sugar are common additions to strong black tea in Britain [@{black}].\n"
    )
    outline = {"sections": [{"index": 1, "queries": ["history of tea", "tea origins China"]},
                            {"index": 2, "queries": ["brewing tea water temperature", "steeping time"]}]}
    verdict = {"items": [{"requirement": "for curious readers", "met": True, "reason": "Plain, short."}]}
    return [
        {"match": ["Required sections"], "tool_call": {"name": "OutlinePlan", "args": outline}},
        {"match": ["<report>"], "tool_call": {"name": "SoftVerdict", "args": verdict}},
        {"match": ["section 1,"], "content": origins},
        {"match": ["section 2,"], "content": brewing},
    ]


@pytest.fixture(scope="module")
def task(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The task folder (collection, talk, subtitles) and the scripted model's rules file."""
    root = tmp_path_factory.mktemp("resume")
    folder = root / "tea"
    folder.mkdir()
    (folder / "task.md").write_text(TASK, encoding="utf-8")
    corpus = folder / "long_context.json"
    corpus.write_text(json.dumps(DOCUMENTS), encoding="utf-8")
    slide_video(folder / "talk.mp4", SLIDES, size=(480, 270))
    (folder / "talk.srt").write_text(SUBTITLES, encoding="utf-8")
    rules = root / "rules.json"
    rules.write_text(json.dumps({"rules": scripted_rules(chunk_ids_by_title(corpus))}), encoding="utf-8")
    MCP_CONFIG.write(root)
    MCP_CONFIG.open()
    return folder, rules


def cli_env(cache_dir: Path) -> dict[str, str]:
    return {**os.environ, "REPORTGRAPH_CACHE_DIR": str(cache_dir), "NO_COLOR": "1",
            "REPORTGRAPH_MCP_CONFIG": str(MCP_CONFIG.path)}


@dataclass
class Gate:
    """The MCP config naming the gated video tool, and the file whose existence opens the gate."""

    path: Path = Path()
    gate: Path = Path()

    def write(self, root: Path) -> None:
        server = root / "gated_video.py"
        server.write_text(gated_video_server("A slide reading TEA ORIGINS."), encoding="utf-8")
        self.path, self.gate = root / "mcp.json", root / "gate-open"
        config = {"servers": {"video": {"transport": "stdio", "command": sys.executable,
                                        "args": [str(server), str(self.gate)]}},
                  "video_tool": {"server": "video", "tool": "describe_video", "path_argument": "path"},
                  "attempts": 1, "timeout_s": CLI_TIMEOUT_S}
        self.path.write_text(json.dumps(config), encoding="utf-8")

    def open(self) -> None:
        self.gate.touch()

    def close(self) -> None:
        self.gate.unlink(missing_ok=True)


MCP_CONFIG = Gate()


def cli(*args: str, cache_dir: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "reportgraph.graph.cli", *args],
        env=cli_env(cache_dir), capture_output=True, text=True, timeout=CLI_TIMEOUT_S,
    )


def run_args(folder: Path, rules: Path, output: Path, run_id: str) -> list[str]:
    return ["run", str(folder), "-o", str(output), "--run-id", run_id,
            "--model", f"scripted:{rules}", "--embedder", "none"]


def wait_until_saved(args: list[str], cache_dir: Path, node: str, timeout_s: float = 60.0) -> None:
    """Poll the run's checkpointer until it holds ``node``'s result: a node's ✓ is printed when it finishes,
    and LangGraph saves its writes a moment later in the background."""
    url = args[args.index("--checkpoint") + 1] if "--checkpoint" in args else None
    config = {"configurable": {"thread_id": args[args.index("--run-id") + 1]}}
    deadline = time.monotonic() + timeout_s
    with open_checkpointer(url, cache_dir / "runs") as saver:
        app = build_graph().compile(checkpointer=saver)
        while time.monotonic() < deadline:
            snapshot = app.get_state(config)
            events = snapshot.values.get("events", [])
            if any(e.get("kind") == "node" and e.get("node") == node for e in events) or any(
                task.name == node and task.result is not None for task in snapshot.tasks
            ):
                return
            time.sleep(0.02)
    raise AssertionError(f"{node}'s result never reached the checkpointer")


def run_until_killed(args: list[str], cache_dir: Path) -> tuple[list[str], bool]:
    """Start the CLI (the video gate closed), SIGKILL it once KILL_MARKER's node is saved; the lines it
    printed, and whether the kill landed."""
    process = subprocess.Popen(
        [sys.executable, "-m", "reportgraph.graph.cli", *args],
        env=cli_env(cache_dir), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )
    watchdog = threading.Timer(CLI_TIMEOUT_S, process.kill)  # bounds the wait if the marker never comes
    watchdog.start()
    lines: list[str] = []
    try:
        assert process.stderr is not None
        for line in process.stderr:
            lines.append(line.rstrip("\n"))
            if line.startswith(KILL_MARKER):
                wait_until_saved(args, cache_dir, "retrieve")
                process.send_signal(signal.SIGKILL)
                break
    finally:
        watchdog.cancel()
        process.kill()
        process.wait(timeout=30)
    assert process.returncode in (0, -signal.SIGKILL), "\n".join(lines)
    return lines, process.returncode == -signal.SIGKILL


@dataclass
class Killed:
    run_id: str
    output: Path
    cache_dir: Path
    log: list[str]


def killed_mid_run(
    folder: Path, rules: Path, tmp_path_factory: pytest.TempPathFactory, prefix: str,
    extra_args: tuple[str, ...] = (),
) -> Killed:
    """A run SIGKILLed once retrieve's result is saved; video_analyse cannot have finished (its gate is
    closed), so the run cannot have either. The gate is open again afterwards, for the resume."""
    root = tmp_path_factory.mktemp(prefix)
    output, cache_dir = root / "out", root / "cache"
    MCP_CONFIG.close()
    try:
        log, killed = run_until_killed([*run_args(folder, rules, output, prefix), *extra_args], cache_dir)
    finally:
        MCP_CONFIG.open()
    assert killed and not output.exists(), "\n".join(log)
    return Killed(prefix, output, cache_dir, log)


@dataclass
class Runs:
    straight: Path
    resumed: Path
    run_id: str
    killed_log: list[str]
    resume_log: str


@pytest.fixture(scope="module")
def runs(task: tuple[Path, Path], cache_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Runs:
    folder, rules = task
    outputs = tmp_path_factory.mktemp("outputs")
    # needs_review (exit 1): relevance cannot rank the collection's few documents (issue 27)
    straight = cli(*run_args(folder, rules, outputs / "straight", "straight"), cache_dir=cache_dir)
    assert straight.returncode == 1, straight.stderr

    killed = killed_mid_run(folder, rules, tmp_path_factory, "interrupted")
    resumed = cli("resume", killed.run_id, cache_dir=killed.cache_dir)
    assert resumed.returncode == 1, resumed.stderr
    return Runs(outputs / "straight", killed.output, killed.run_id, killed.log, resumed.stderr)


def test_killed_and_resumed_run_writes_the_same_report(runs: Runs) -> None:
    for name in ("report.md", "sources.json", "validation.json"):
        straight = (runs.straight / name).read_text(encoding="utf-8")
        assert (runs.resumed / name).read_text(encoding="utf-8") == straight, name
    validation = json.loads((runs.resumed / "validation.json").read_text(encoding="utf-8"))
    assert validation["status"] == "needs_review" and only_relevance_unjudged(validation), validation["unmet"]


def test_run_json_shows_the_nodes_skipped_on_resume(runs: Runs) -> None:
    assert "✓ retrieve" in runs.killed_log and "✓ video_analyse" not in runs.killed_log
    record = json.loads((runs.resumed / "run.json").read_text(encoding="utf-8"))
    [resume] = record["resumes"]
    assert resume["skipped_nodes"] == ["plan", "retrieve"]
    assert resume["rerun_nodes"] == ["video_analyse"]
    # Skipped means not run again: one plan and one retrieve in the whole record, as in a straight run.
    straight = json.loads((runs.straight / "run.json").read_text(encoding="utf-8"))
    invocations = {node: figures["invocations"] for node, figures in record["nodes"].items()}
    assert invocations == {node: figures["invocations"] for node, figures in straight["nodes"].items()}
    assert invocations["plan"] == invocations["retrieve"] == 1
    assert record["llm"]["calls"] == straight["llm"]["calls"]  # the outline call was not made twice
    assert f"resuming {runs.run_id}: kept plan, retrieve; running again video_analyse" in runs.resume_log
    assert "✓ plan" not in runs.resume_log and "✓ video_analyse" in runs.resume_log


def test_resuming_a_finished_run_changes_nothing(runs: Runs, cache_dir: Path) -> None:
    before = (runs.straight / "run.json").read_bytes()
    assert main(["resume", "straight", "--cache-dir", str(cache_dir)]) == 1  # its status: needs_review
    assert (runs.straight / "run.json").read_bytes() == before


def test_unknown_and_reused_run_ids_are_refused(task: tuple[Path, Path], runs: Runs, cache_dir: Path) -> None:
    folder, rules = task
    assert main(["resume", "no-such-run", "--cache-dir", str(cache_dir)]) == 2
    again = runs.straight.parent / "again"
    assert main([*run_args(folder, rules, again, "straight"), "--cache-dir", str(cache_dir)]) == 2
    assert not again.exists()
