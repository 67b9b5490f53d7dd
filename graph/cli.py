"""`reportgraph` command line: run a task folder, resume a run, prebuild an index.

Exit codes: 0 the report passed every hard check; 1 needs_review (written, with the unmet items);
2 bad input (nothing written); 3 the run failed (state is checkpointed: `reportgraph resume RUN_ID`).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from reportgraph.graph.check_cmd import register_check
from reportgraph.graph.exits import EXIT_BAD_INPUT, EXIT_FAILED, EXIT_NEEDS_REVIEW, EXIT_PASS, console
from reportgraph.graph.progress import ProgressView, quiet_libraries
from reportgraph.graph.spec_cmd import register_spec
from reportgraph.nodes.context import Context, env
from rich.markup import escape

TASK_DIR_HELP = "the task folder: task.md plus its materials (long_context.json, PDFs, videos, subtitles)"


def _context(args: argparse.Namespace, task_dir: Path) -> Context:
    output = getattr(args, "output", None) or Path("out") / task_dir.resolve().name  # `index` has no -o
    overrides: dict[str, Any] = {"output_dir": str(Path(output).resolve())}
    for name, _ in RUN_SETTINGS.values():
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


def _stream(
    task_dir: Path, context: Context, run_id: str, resume: bool, checkpoint: str | None = None
) -> dict[str, Any]:
    from langgraph.types import Command
    from reportgraph.graph.checkpoints import open_checkpointer
    from reportgraph.graph.graph import build_graph

    with open_checkpointer(checkpoint, _runs_dir(context.cache_dir)) as saver:
        app = build_graph().compile(checkpointer=saver, name="reportgraph")
        config: dict[str, Any] = {"configurable": {"thread_id": run_id}}
        snapshot = app.get_state(config)
        payload: dict[str, Any] | Command[Any] = {"task_dir": str(task_dir)}  # as typed: run.json says so
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
            update: dict[str, Any] = {"events": [event]}
            if snapshot.values.get("task_dir") != str(task_dir):
                update["task_dir"] = str(task_dir)  # a relative path typed in another folder
            payload = Command(update=update)
        with ProgressView(console) as view:
            # durability="sync": each step is on disk before the next starts, so a killed run loses at most
            # the step in flight.
            for mode, chunk in app.stream(payload, config, context=context, stream_mode=["updates", "custom"],
                                          durability="sync"):
                if mode == "custom":
                    view.event(chunk)
                elif isinstance(chunk, dict):
                    view.update(chunk)
        return dict(app.get_state(config).values)


def _finish(state: dict[str, Any]) -> int:
    status = state.get("status")
    if status == "bad_input":
        error = state.get("error", {})
        console.print(f"[bold red]bad input[/] ({error.get('code')}): {escape(str(error.get('message')))}")
        console.print("No report was written.")
        return EXIT_BAD_INPUT
    validation = state.get("validation", {})
    for check in validation.get("checks", []):
        mark = "[green]pass[/]" if check["passed"] else "[red]FAIL[/]"
        console.print(f"  {mark} {check['name']}: {escape(str(check['detail']))}")
    rounds, output_dir = validation.get("round"), state.get("output_dir")
    console.print(f"[bold]{status}[/] after {rounds} round(s); outputs in {output_dir}")
    if validation.get("stopped_because"):
        console.print(f"  stopped: {escape(validation['stopped_because'])}")
    for item in validation.get("unmet", []):
        console.print(f"  [yellow]unmet[/] {escape(item)}")
    return EXIT_PASS if status == "pass" else EXIT_NEEDS_REVIEW


def cmd_run(args: argparse.Namespace) -> int:
    from reportgraph.tools.intake import require_task_dir
    from reportgraph.tools.writing.outputs import require_output_dir

    task_dir = Path(args.task_dir)
    require_task_dir(task_dir)  # before a run record exists: a mistyped path leaves nothing to resume
    context = _context(args, task_dir)
    require_output_dir(Path(context.output_dir))  # a run's worth of work would be lost at the last write
    run_id = args.run_id = args.run_id or f"{task_dir.resolve().name}-{time.strftime('%Y%m%d-%H%M%S')}"
    record = _runs_dir(context.cache_dir) / f"{run_id}.json"
    if record.exists():
        console.print(f"[red]a run called {run_id!r} exists[/]: `reportgraph resume {run_id}` continues it")
        return EXIT_BAD_INPUT
    # resolved too: `resume` may be run from another folder than the relative path was typed in
    saved = {"task_dir": str(task_dir), "task_dir_resolved": str(task_dir.resolve()),
             "context": context.model_dump(), "checkpoint": args.checkpoint}
    record.write_text(json.dumps(saved, ensure_ascii=False), encoding="utf-8")
    console.print(f"[bold]run[/] {run_id} · task {task_dir} · output {context.output_dir}")
    return _finish(_stream(task_dir, context, run_id, resume=False, checkpoint=args.checkpoint))


def cmd_resume(args: argparse.Namespace) -> int:
    cache_dir = args.cache_dir or env().reportgraph_cache_dir
    saved = _runs_dir(cache_dir) / f"{args.run_id}.json"
    if not saved.is_file():
        console.print(f"[red]no run called {args.run_id!r} in {saved.parent}[/]")
        return EXIT_BAD_INPUT
    record = json.loads(saved.read_text(encoding="utf-8"))
    checkpoint = args.checkpoint or record.get("checkpoint")
    return _finish(_stream(resume_task_dir(record), Context(**record["context"]), args.run_id, resume=True,
                           checkpoint=checkpoint))


def resume_task_dir(record: dict[str, Any]) -> Path:
    """The run's task folder as typed, unless it was typed relative to another folder than this one."""
    typed = Path(record["task_dir"])
    resolved = Path(record.get("task_dir_resolved", typed)).resolve()
    return typed if typed.resolve() == resolved else resolved


def cmd_index(args: argparse.Namespace) -> int:
    from reportgraph.tools.retrieval import build_task_index, describe, embedder_settings

    task_dir = Path(args.task_dir)
    context = _context(args, task_dir)
    started = time.perf_counter()
    with ProgressView(console) as view:
        build = build_task_index(
            task_dir, embedder_settings(context, env().openai_api_key), context.cache_dir,
            progress=lambda stage, done, total: view.stage("index", stage, done, total))
    summary = json.dumps(describe(build), ensure_ascii=False, default=str)
    console.print(f"index ready in {time.perf_counter() - started:.1f}s: {summary}")
    return EXIT_PASS


Subparsers = argparse._SubParsersAction  # the `commands` object each register_* function adds to

# Run-setting options of `run` and `batch`: option → Context field (its help is the field's description,
# the one Studio shows too). `index` takes only INDEX_SETTINGS, the ones building an index reads.
RUN_SETTINGS = {"--model": ("chat_model", "NAME"), "--llm": ("llm", None), "--base-url": ("base_url", "URL"),
                "--embedder": ("embedder", None), "--max-rounds": ("max_revision_rounds", "N"),
                "--cache-dir": ("cache_dir", "DIR"),
                "--request-timeout": ("request_timeout_s", "SECONDS"), "--max-retries": ("max_retries", "N"),
                "--max-model-calls": ("max_model_calls", "N"), "--tokens-per-unit": ("tokens_per_unit", "X"),
                "--max-tokens-headroom": ("max_tokens_headroom", "X"),
                "--context-window": ("context_window", "TOKENS"), "--max-gap-rounds": ("max_gap_rounds", "N"),
                "--time-budget": ("time_budget_s", "SECONDS")}
INDEX_SETTINGS = ("--embedder", "--base-url", "--cache-dir")  # tools.retrieval.embedder_settings' inputs


def setting_help(field: str) -> str:
    description = Context.model_fields[field].description or field
    return description.replace("%", "%%")  # argparse formats help with %


def add_run_settings(sub: argparse.ArgumentParser, options: Iterable[str] = tuple(RUN_SETTINGS)
                     ) -> argparse.ArgumentParser:
    """The ``options`` (of RUN_SETTINGS) that override run settings (each defaults to its environment
    variable), and -v."""
    for option in options:
        field, metavar = RUN_SETTINGS[option]
        annotation = Context.model_fields[field].annotation
        choices = None if metavar else list(getattr(annotation, "__args__", ()))  # the Literal's values
        kind: dict[str, Any] = {"type": annotation} if annotation in (int, float) else {}
        sub.add_argument(option, dest=field, choices=choices, metavar=metavar, help=setting_help(field),
                         **kind)
    sub.add_argument("-v", "--verbose", action="store_true",
                     help="also show the libraries' own log lines (jieba, HTTP clients, Chroma, OCR)")
    return sub


def add_checkpoint_option(sub: argparse.ArgumentParser) -> argparse.ArgumentParser:
    sub.add_argument("--checkpoint", help="checkpointer URL: postgres://user@host:5432/db or a SQLite "
                     "file (default: <cache-dir>/runs/checkpoints.sqlite; resume: the run's own)")
    return sub


def register_run(commands: Subparsers[argparse.ArgumentParser]) -> None:
    run = commands.add_parser("run", help="write a report for a task folder",
                              description="Write report.md, sources.json, validation.json and run.json "
                              "for a task folder. " + __doc__.split("\n\n")[1].replace("\n", " "))
    run.add_argument("task_dir", help=TASK_DIR_HELP)
    run.add_argument("-o", "--output", help="output folder (default: out/<task folder name>)")
    run.add_argument("--run-id", help="name of this run's checkpoint thread (default: folder name + time)")
    add_checkpoint_option(add_run_settings(run)).set_defaults(handler=cmd_run)


def register_resume(commands: Subparsers[argparse.ArgumentParser]) -> None:
    resume = commands.add_parser("resume", help="continue a run that stopped, from its last checkpoint",
                                 description="Continue a run that stopped (killed, Ctrl-C, a failed node) "
                                 "from its last checkpoint: finished steps are kept, the rest run again.")
    resume.add_argument("run_id", help="the id `reportgraph run` printed first (e.g. task-20250301-101500)")
    resume.add_argument("--cache-dir", dest="cache_dir", metavar="DIR",
                        help="the cache folder the run used, if not the default")
    resume.add_argument("-v", "--verbose", action="store_true", help="also show the libraries' own log lines")
    add_checkpoint_option(resume).set_defaults(handler=cmd_resume)


def register_index(commands: Subparsers[argparse.ArgumentParser]) -> None:
    index = commands.add_parser("index", help="build (or check) the retrieval index of a task folder",
                                description="Build the retrieval index of a task folder into the cache (or "
                                "check the cached one), so a later run starts with it.")
    index.add_argument("task_dir", help=TASK_DIR_HELP)
    add_run_settings(index, INDEX_SETTINGS).set_defaults(handler=cmd_index)


def register_batch(commands: Subparsers[argparse.ArgumentParser]) -> None:
    from reportgraph.graph.batch import add_parser as add_batch_parser

    add_checkpoint_option(add_run_settings(add_batch_parser(commands)))


# One entry per subcommand, in the order `--help` lists them: a new subcommand is one more register function.
REGISTER = (register_run, register_resume, register_index, register_batch, register_spec, register_check)


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="reportgraph", description=__doc__,
                                   formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = root.add_subparsers(dest="command", required=True)
    for register in REGISTER:
        register(commands)
    return root


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    quiet_libraries(getattr(args, "verbose", False))
    from reportgraph.tools.intake import BadInputError
    from reportgraph.tools.llm import interrupt_model_calls_on_sigint

    try:
        with interrupt_model_calls_on_sigint():  # Ctrl-C ends waiting model calls, not only the main thread
            code: int = args.handler(args)
    except BadInputError as error:
        console.print(f"[bold red]bad input[/] ({error.code}): {escape(str(error))}")
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        resumable = getattr(args, "run_id", None) or "RUN_ID"  # cmd_run names the run before it starts
        console.print(f"[yellow]interrupted[/]: `reportgraph resume {resumable}` continues it")
        return EXIT_FAILED
    except Exception as error:
        resumable = getattr(args, "run_id", None) or "RUN_ID"
        console.print(f"[bold red]run failed[/]: {type(error).__name__}: {escape(str(error))}")
        console.print(f"The state so far is checkpointed: `reportgraph resume {resumable}` continues it.")
        return EXIT_FAILED
    return code


if __name__ == "__main__":
    sys.exit(main())
