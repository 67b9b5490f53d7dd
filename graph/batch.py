"""`reportgraph batch TASK_DIR...`: many reports at once, each a `reportgraph run` in its own process.

At most ``--jobs`` runs at a time. They share the checkpointer (``--checkpoint``, best a Postgres URL: the
default SQLite file serialises their writes) and the embedding cache (``--chroma-url``, a Chroma server;
without one, the cache directory's SQLite vector file, which many processes share safely).
A task that fails in any way, bad input included, ends its own process only: the others go on. One display
shows every task's latest event; a summary table (status, exit code, seconds, output, run id) ends the batch
and is written to ``<output>/batch.json``.

Exit code: 0 when every run passed, else the highest of the runs' exit codes (a run killed by a signal or
by ``--timeout`` counts as 3, failed).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

from reportgraph.graph.checkpoints import is_postgres, open_checkpointer, redacted
from reportgraph.graph.exits import EXIT_BAD_INPUT, EXIT_FAILED, EXIT_NEEDS_REVIEW, EXIT_PASS, console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

STATUS_BY_EXIT = {EXIT_PASS: "pass", EXIT_NEEDS_REVIEW: "needs_review", EXIT_BAD_INPUT: "bad_input",
                  EXIT_FAILED: "failed"}
# Options of `batch` itself; every other option it was given is passed on to each `reportgraph run`.
BATCH_ONLY = frozenset({"tasks", "jobs", "output", "timeout", "chroma_url"})
LOG_DIR = "_logs"


@dataclass
class TaskRun:
    """One task of a batch: what was run and how it ended (``exit_code`` None while running)."""

    name: str
    task_dir: str
    run_id: str
    output_dir: str
    log: str
    status: str = "waiting"
    exit_code: int | None = None
    seconds: float = 0.0
    started_at: float = 0.0  # epoch seconds
    last_event: str = ""
    command: list[str] = field(default_factory=list)


def plan_runs(tasks: Sequence[str], output_root: Path, batch_id: str) -> list[TaskRun]:
    """A TaskRun per task folder; folders with the same name get -2, -3 … so no two share an output."""
    runs: list[TaskRun] = []
    seen: dict[str, int] = {}
    for task in tasks:
        base = Path(task).resolve().name or "task"
        seen[base] = seen.get(base, 0) + 1
        name = base if seen[base] == 1 else f"{base}-{seen[base]}"
        runs.append(TaskRun(name, task, f"{batch_id}-{name}", str(output_root / name),
                            str(output_root / LOG_DIR / f"{name}.log")))
    return runs


def run_one(run: TaskRun, options: list[str], env: dict[str, str], timeout_s: float | None,
            on_event: Callable[[TaskRun], None]) -> TaskRun:
    """Runs one task's CLI process to its end, reporting each stderr line; a task's failure never raises."""
    run.command = [sys.executable, "-m", "reportgraph.graph.cli", "run", run.task_dir, "-o", run.output_dir,
                   "--run-id", run.run_id, *options]
    run.status, run.started_at, started = "running", time.time(), time.perf_counter()
    on_event(run)
    Path(run.log).parent.mkdir(parents=True, exist_ok=True)
    with open(run.log, "w", encoding="utf-8") as log:
        try:
            process = subprocess.Popen(run.command, env=env, stdin=subprocess.DEVNULL, stdout=log,
                                       stderr=subprocess.PIPE, text=True, errors="replace")
        except OSError as error:  # e.g. no processes left: this task fails, the others go on
            log.write(f"could not start: {error}\n")
            run.exit_code, run.status, run.last_event = EXIT_FAILED, "failed", f"could not start: {error}"
            on_event(run)
            return run
        timer = threading.Timer(timeout_s, process.kill) if timeout_s else None
        if timer is not None:
            timer.start()
        assert process.stderr is not None
        for line in process.stderr:
            log.write(line)
            if line.strip():
                run.last_event = line.strip()
                on_event(run)
        code = process.wait()
        if timer is not None:
            timer.cancel()
    run.exit_code, run.seconds = code, time.perf_counter() - started
    run.status = STATUS_BY_EXIT.get(code, f"killed ({code})" if code < 0 else f"exit {code}")
    on_event(run)
    return run


def batch_exit_code(runs: Sequence[TaskRun]) -> int:
    return max((run.exit_code if run.exit_code in STATUS_BY_EXIT and run.exit_code is not None
                else EXIT_FAILED for run in runs), default=EXIT_PASS)


class BatchView:
    """One display for the whole batch: a bar of finished tasks and a line per task with its latest event
    (on a terminal); otherwise one plain line when a task starts and when it ends."""

    def __init__(self, runs: Sequence[TaskRun]) -> None:
        self.lock = threading.Lock()
        self.progress: Progress | None = None
        self.rows: dict[str, TaskID] = {}
        self.total = len(runs)
        self.finished = 0
        if console.is_terminal:
            self.progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                     TimeElapsedColumn(), console=console, transient=True)
            self.overall = self.progress.add_task("[bold]batch", total=self.total)
            for run in runs:
                self.rows[run.name] = self.progress.add_task(f"{run.name}: waiting", total=None)

    def __enter__(self) -> BatchView:
        if self.progress is not None:
            self.progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.progress is not None:
            self.progress.stop()

    def update(self, run: TaskRun) -> None:
        with self.lock:
            if run.exit_code is not None:
                self.finished += 1
            if self.progress is not None:
                latest = run.last_event[:80] if run.exit_code is None else (
                    f"{run.status} (exit {run.exit_code}) in {run.seconds:.1f}s")
                self.progress.update(self.rows[run.name], description=f"{run.name}: {latest}")
                if run.exit_code is not None:  # a finished row stops pulsing
                    self.progress.update(self.rows[run.name], total=1, completed=1)
                self.progress.update(self.overall, completed=self.finished)
            elif run.exit_code is not None:
                console.print(f"[{self.finished}/{self.total}] {run.name}: {run.status} "
                              f"(exit {run.exit_code}) in {run.seconds:.1f}s")
            elif run.status == "running" and not run.last_event:
                console.print(f"{run.name}: started")


def execute(runs: Sequence[TaskRun], options: list[str], jobs: int, env: dict[str, str],
            timeout_s: float | None = None) -> list[TaskRun]:
    """Runs every task, at most ``jobs`` at a time, and returns them finished (in the order given)."""
    with BatchView(runs) as view, ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        finished = list(pool.map(lambda run: run_one(run, options, env, timeout_s, view.update), runs))
    return finished


def summary_table(runs: Sequence[TaskRun], seconds: float) -> Table:
    passed = sum(run.exit_code == EXIT_PASS for run in runs)
    table = Table(title=f"batch: {passed}/{len(runs)} passed in {seconds:.1f}s")
    for column in ("task", "status", "exit", "seconds", "output", "run id"):
        # fold, never cut: a reader copies the output path and run id out of a narrow or piped table
        right = column in ("exit", "seconds")
        table.add_column(column, justify="right" if right else "left", overflow="fold")
    for run in runs:
        table.add_row(run.name, run.status, str(run.exit_code), f"{run.seconds:.1f}",
                      run.output_dir if run.exit_code in (EXIT_PASS, EXIT_NEEDS_REVIEW) else run.log,
                      run.run_id)
    return table


def child_options(args: argparse.Namespace, parser: argparse.ArgumentParser) -> list[str]:
    """The `reportgraph run` options among the batch's own (all but BATCH_ONLY), as command-line words."""
    words: list[str] = []
    for action in parser._actions:  # argparse's own record of the options this parser defines
        value = getattr(args, action.dest, None)
        if not action.option_strings or action.dest in BATCH_ONLY or value in (None, action.default):
            continue
        # A flag (store_true and the like) takes no value: given, it differs from its default.
        words += [action.option_strings[-1]] if action.nargs == 0 else [action.option_strings[-1], str(value)]
    return words


def cmd_batch(args: argparse.Namespace) -> int:
    output_root = Path(args.output or "out").resolve()
    batch_id = time.strftime("batch-%Y%m%d-%H%M%S")
    runs = plan_runs(args.tasks, output_root, batch_id)
    env = {**os.environ, **({"REPORTGRAPH_CHROMA_URL": args.chroma_url} if args.chroma_url else {})}
    if is_postgres(args.checkpoint):
        import psycopg

        try:  # creates the tables once, before the runs race to, and stops early if the database is down
            with open_checkpointer(args.checkpoint, output_root):
                pass
        except psycopg.OperationalError as error:
            where = redacted(args.checkpoint)
            console.print(f"[bold red]checkpoint database unreachable[/] ({where}): {error}")
            return EXIT_FAILED
    console.print(f"[bold]batch[/] {batch_id} · {len(runs)} task(s), {args.jobs} at a time · checkpoints "
                  f"{redacted(args.checkpoint)} · chroma {args.chroma_url or 'none (shared vector file)'}")
    started = time.perf_counter()
    finished = execute(runs, child_options(args, args.batch_parser), args.jobs, env, args.timeout)
    seconds = time.perf_counter() - started
    console.print(summary_table(finished, seconds))
    output_root.mkdir(parents=True, exist_ok=True)
    record = {"batch_id": batch_id, "seconds": round(seconds, 2), "jobs": args.jobs,
              "tasks": [asdict(run) for run in finished]}
    summary = json.dumps(record, ensure_ascii=False, indent=2)
    (output_root / "batch.json").write_text(summary, encoding="utf-8")
    return batch_exit_code(finished)


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> argparse.ArgumentParser:
    """Registers `batch` (its own options; the CLI adds the options it shares with `run`)."""
    batch = commands.add_parser(
        "batch", help="write reports for many task folders, several at a time",
        description="Write a report for each task folder, several at a time, with one progress display and a "
        "summary table (also in batch.json); bad input in one task never stops the others.",
    )
    batch.add_argument("tasks", nargs="+", metavar="TASK_DIR",
                       help="task folders (each: task.md plus its materials)")
    batch.add_argument("-j", "--jobs", type=int, default=2, help="runs at a time (default 2)")
    batch.add_argument("-o", "--output", help="output root: one folder per task (default: out/)")
    batch.add_argument("--chroma-url", dest="chroma_url", help="Chroma server shared by the runs")
    batch.add_argument("--timeout", type=float, help="seconds after which one run is killed (failed)")
    batch.set_defaults(handler=cmd_batch, batch_parser=batch)
    return batch
