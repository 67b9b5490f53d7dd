"""finish: the run's end, whatever its status: the report rendered for its reader (citations as
``[pdf.pdf p.3]``, the needs_review banner naming the unmet items) and the four output files written."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from langgraph.runtime import Runtime
from reportgraph.nodes.common import NodeRecord, draft_markdown, emit
from reportgraph.nodes.context import Context
from reportgraph.nodes.state import ReportState
from reportgraph.tools.writing.outputs import write_run_outputs
from reportgraph.tools.writing.report import final_report


def output_folder(state: ReportState, context: Context) -> Path:
    """``Context.output_dir``, else ``out/<task folder name>`` under the working directory."""
    return Path(context.output_dir or Path("out") / Path(state["task_dir"]).resolve().name)


def finish(state: ReportState, runtime: Runtime[Context]) -> dict[str, Any]:
    record = NodeRecord("finish")
    context = runtime.context
    validation = state.get("validation") or {}
    status = state.get("status", "needs_review")
    markdown = draft_markdown(state)
    registry = state.get("sources") or {}
    report = final_report(markdown, registry, status, validation.get("unmet") or [])
    update: dict[str, Any] = {"report_markdown": report}
    events = record.finish(status=status)
    if context.write_outputs:
        output_dir = output_folder(state, context)
        write_run_outputs(output_dir, state, [*(state.get("events") or []), *events], markdown=markdown,
                          validation=validation, status=status, mode=state.get("drafting_mode", "extractive"),
                          rounds=state.get("round", 1), report=report)
        update["output_dir"] = str(output_dir.resolve())
        emit(runtime, "finish", f"{status}: outputs in {update['output_dir']}")
    update["events"] = events
    return update
