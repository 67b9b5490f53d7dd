"""plan: read the task, take stock of the folder, turn the prompt into a requirement spec and an outline."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from langgraph.runtime import Runtime
from pydantic import BaseModel, Field

from reportgraph.graph.context import Context, llm_enabled
from reportgraph.graph.state import ReportState
from reportgraph.nodes.common import NodeRecord, chat_model, emit
from reportgraph.prompts.drafting import DEFAULT_TITLE, PLAN_SYSTEM, PLAN_USER, REPORT_NOTE
from reportgraph.tools.spec import RequirementSpec, parse_requirements
from reportgraph.tools.taskio import BadInputError, inventory, read_task_text
from reportgraph.tools.text import count_length


class SectionQueries(BaseModel):
    index: int = Field(description="1-based section number")
    queries: list[str] = Field(description="2-4 search queries for this section")


class OutlinePlan(BaseModel):
    """Search queries for each required section."""

    sections: list[SectionQueries]


def rule_queries(spec: RequirementSpec) -> dict[int, list[str]]:
    # A section title alone ("论文基本信息") matches any document; the topic keeps queries on subject.
    return {
        section.index: list(dict.fromkeys(q for q in (f"{spec.topic} {section.title}".strip(), spec.topic) if q))
        for section in spec.sections
    }


def report_title(spec: RequirementSpec) -> str:
    return spec.title or DEFAULT_TITLE[spec.language]


def section_budgets(spec: RequirementSpec, mode: str) -> dict[int, int]:
    """Each section's share of the length target, after the title, note and headings are counted."""
    if spec.length is None:
        default = 600 if spec.language == "zh" else 350
        return {section.index: default for section in spec.sections}
    unit = spec.length.unit
    overhead = count_length(report_title(spec), unit) + count_length(REPORT_NOTE[spec.language][mode], unit)
    overhead += sum(count_length(section.heading, unit) for section in spec.sections)
    available = max(spec.length.target - overhead, spec.length.target // 2)
    return {section.index: available // max(1, len(spec.sections)) for section in spec.sections}


def llm_queries(spec: RequirementSpec, task_text: str, runtime: Runtime[Context], record: NodeRecord) -> dict[int, list[str]]:
    sections = "\n".join(f"{s.index}. {s.title}" for s in spec.sections)
    planner = chat_model(runtime.context).with_structured_output(OutlinePlan, include_raw=True)
    reply = planner.invoke(
        [("system", PLAN_SYSTEM), ("human", PLAN_USER.format(task=task_text, sections=sections))]
    )
    record.llm(reply["raw"])
    parsed = reply.get("parsed")
    if not isinstance(parsed, OutlinePlan):
        raise ValueError(f"outline not parsed: {reply.get('parsing_error')}")
    return {item.index: [q for q in item.queries if q.strip()] for item in parsed.sections}


def plan(state: ReportState, runtime: Runtime[Context]) -> dict[str, Any]:
    record = NodeRecord("plan")
    task_dir = Path(state["task_dir"]).expanduser()
    try:
        if not task_dir.is_dir():
            raise BadInputError("task_dir_missing", "the task folder does not exist", task_dir)
        task = read_task_text(task_dir / "task.md")
        stock = inventory(task_dir)
        spec = parse_requirements(task.text)
    except BadInputError as error:
        emit(runtime, "plan", f"bad input: {error}")
        return {
            "status": "bad_input",
            "error": {"code": error.code, "message": str(error)},
            "events": record.finish(status="bad_input"),
        }
    mode = "llm" if llm_enabled(runtime.context) else "extractive"
    queries = rule_queries(spec)
    if mode == "llm":
        try:
            planned = llm_queries(spec, task.text, runtime, record)
            queries = {index: planned.get(index) or fallback for index, fallback in queries.items()}
        except Exception as error:  # a planning reply we cannot use costs only better queries
            record.fallback("llm_outline", f"rule-based queries used: {error}")
    budgets = section_budgets(spec, mode)
    outline = [
        {**section.model_dump(), "queries": queries[section.index], "budget": budgets[section.index]}
        for section in spec.sections
    ]
    emit(runtime, "plan", f"{len(outline)} sections, {mode} drafting, language {spec.language}",
         sections=[s.heading for s in spec.sections])
    return {
        "task_text": task.text,
        "task_notes": list(task.notes),
        "inventory": stock.model_dump(mode="json"),
        "spec": spec.model_dump(mode="json"),
        "outline": outline,
        "drafting_mode": mode,
        "round": 1,
        "status": "running",
        "events": record.finish(mode=mode),
    }
