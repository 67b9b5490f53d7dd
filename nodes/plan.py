"""plan: read the task, take stock of the folder, turn the prompt into a requirement spec and an outline."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

from langgraph.runtime import Runtime
from pydantic import BaseModel, Field
from reportgraph.nodes.common import NodeRecord, ask, chat_model, emit
from reportgraph.nodes.context import Context, env, llm_enabled
from reportgraph.nodes.state import ReportState
from reportgraph.prompts.reading import PLAN_SYSTEM, PLAN_USER, READ_TASK_SYSTEM, READ_TASK_USER
from reportgraph.prompts.report import DEFAULT_TITLE
from reportgraph.tools.confine import PathRefused, configured_roots
from reportgraph.tools.intake import BadInputError, inventory, read_task_text, require_task_dir
from reportgraph.tools.intake.spec import (
    Disagreement,
    LengthRequirement,
    RequirementSpec,
    SectionRequirement,
    merge_llm_spec,
    parse_requirements,
    section_focus,
    settle_disagreements,
    stated_figures,
)
from reportgraph.tools.text import count_length, language_unit

# A section's search queries from the model; a small model looping over its list (issue 15) sends dozens.
MAX_MODEL_QUERIES = 4


class SectionQueries(BaseModel):
    index: int = Field(description="1-based section number")
    queries: list[str] = Field(description=f"2-{MAX_MODEL_QUERIES} search queries for this section")


class OutlinePlan(BaseModel):
    """Search queries for each required section."""

    sections: list[SectionQueries]


class SectionReading(BaseModel):
    title: str = Field(description="The section's name, e.g. 研究背景")
    heading: str = Field("", description="The exact heading to use, with the task's numbering")


class LengthReading(BaseModel):
    min: int | None = None
    max: int | None = None
    unit: Literal["cjk_chars", "words", "pages"] = Field(
        description="cjk_chars for Chinese characters (字), words for English words, pages for pages"
    )


class TaskReading(BaseModel):
    """What a report-writing task requires; null or empty where the task says nothing."""

    language: Literal["zh", "en"] | None = Field(
        None, description="The language the report must be in: the one the task asks for, else the task's own"
    )
    title: str | None = None
    sections: list[SectionReading] = Field(default_factory=list)
    sections_from_task: bool = Field(
        True, description="False when the task names no sections and the ones given are only proposed"
    )
    length: LengthReading | None = None
    soft: list[str] = Field(default_factory=list, description="Tone, register and audience requirements")


def rule_queries(spec: RequirementSpec) -> dict[int, list[str]]:
    # A section title alone ("论文基本信息") matches any document; the topic keeps queries on subject.
    return {
        section.index: list(
            dict.fromkeys(q for q in (f"{spec.topic} {section.title}".strip(), spec.topic) if q)
        )
        for section in spec.sections
    }


def report_title(spec: RequirementSpec) -> str:
    return spec.title or DEFAULT_TITLE[spec.language]


def section_budgets(spec: RequirementSpec) -> dict[int, int]:
    """Each section's share of the length target, after the title and headings are counted."""
    if spec.length is None:
        default = 600 if spec.language == "zh" else 350
        return {section.index: default for section in spec.sections}
    unit = spec.length.text_unit  # a length in pages is drafted in the words or 字 a page holds
    overhead = count_length(report_title(spec), unit)
    overhead += sum(count_length(section.heading, unit) for section in spec.sections)
    available = max(spec.length.target - overhead, spec.length.target // 2)
    return {section.index: available // max(1, len(spec.sections)) for section in spec.sections}


def stated_length(reading: LengthReading | None, task_text: str, spec: RequirementSpec | None = None,
                  context: Context | None = None) -> LengthRequirement | None:
    """The model's length range, kept only when its figures occur in the task (no invented limits).

    A range in pages is counted at the run's words or 字 per page, in the report's language.
    """
    if reading is None or (reading.min is None and reading.max is None):
        return None
    figures = stated_figures(task_text)
    if any(bound not in figures for bound in (reading.min, reading.max) if bound is not None):
        return None
    if reading.unit != "pages":
        return LengthRequirement(min=reading.min, max=reading.max, unit=reading.unit, source_text="(model)")
    zh = spec is not None and spec.language == "zh"
    per_page = (context.chars_per_page if zh else context.words_per_page) if context else None
    return LengthRequirement(min=reading.min, max=reading.max, unit="pages", source_text="(model)",
                             counted_in=language_unit("zh" if zh else "en"), per_page=per_page)


def unstated_length(reading: LengthReading, spec: RequirementSpec) -> Disagreement:
    """A length the model read whose figures the task does not state: dropped, and said so."""
    rules = spec.length.model_dump(include={"min", "max", "unit"}) if spec.length else None
    model = reading.model_dump() | {"note": "figures not in the task"}
    return Disagreement(field="length", rules=json.dumps(rules, ensure_ascii=False),
                        model=json.dumps(model, ensure_ascii=False), kept="rules")


def read_with_model(spec: RequirementSpec, task_text: str, runtime: Runtime[Context],
                    record: NodeRecord) -> RequirementSpec:
    """The model reads the task too: it fills what the rules could not read (sections, length, title,
    tone), and where both read a field and differ a targeted question settles it; the spec's
    ``disagreements`` say so."""
    messages = [("system", READ_TASK_SYSTEM), ("human", READ_TASK_USER.format(task=task_text))]
    reading = ask(runtime.context, TaskReading, messages, "llm_spec", record)
    if reading is None:
        return spec
    sections = [
        SectionRequirement(
            index=position,
            title=item.title.strip(),
            heading=(item.heading or item.title).strip(),
            focus=section_focus(item.title),
        )
        for position, item in enumerate((s for s in reading.sections if s.title.strip()), start=1)
    ]
    llm_spec = spec.model_copy(update={
        "language": reading.language or spec.language,
        "title": reading.title or None,
        "sections": sections,
        "sections_from_task": reading.sections_from_task,
        "length": stated_length(reading.length, task_text, spec, runtime.context),
        "soft": [item.strip() for item in reading.soft if item.strip()],
    })
    merged = merge_llm_spec(spec, llm_spec)
    # Each field both read differently is settled by a second question quoting the task's words (issue 25).
    merged = settle_disagreements(merged, spec, llm_spec, task_text, chat_model(runtime.context), record.llm)
    if reading.length is not None and llm_spec.length is None:
        merged.disagreements.append(unstated_length(reading.length, spec))
    for disagreement in merged.disagreements:
        record.note(f"task reading, {disagreement.field}: rules {disagreement.rules}, model "
                    f"{disagreement.model}; kept the {disagreement.kept}'s", **disagreement.model_dump())
    return merged


def llm_queries(spec: RequirementSpec, task_text: str, runtime: Runtime[Context],
                record: NodeRecord) -> dict[int, list[str]]:
    """Search queries per section from the model; empty when its reply could not be read."""
    sections = "\n".join(f"{s.index}. {s.title}" for s in spec.sections)
    messages = [("system", PLAN_SYSTEM), ("human", PLAN_USER.format(task=task_text, sections=sections))]
    planned = ask(runtime.context, OutlinePlan, messages, "llm_outline", record)
    if planned is None:
        return {}
    return {item.index: list(dict.fromkeys(q.strip() for q in item.queries if q.strip()))[:MAX_MODEL_QUERIES]
            for item in planned.sections}


def plan(state: ReportState, runtime: Runtime[Context]) -> dict[str, Any]:
    record = NodeRecord("plan")
    task_dir = Path(state["task_dir"]).expanduser()
    try:
        if (roots := configured_roots()) is not None:  # served: read and write only under REPORTGRAPH_ROOTS
            roots.confine_run(task_dir, runtime.context.output_dir, runtime.context.mcp_config,
                              server_mcp_config=env().reportgraph_mcp_config)
        require_task_dir(task_dir)
        task = read_task_text(task_dir / "task.md")
        stock = inventory(task_dir)
        spec = parse_requirements(task.text, words_per_page=runtime.context.words_per_page,
                                  chars_per_page=runtime.context.chars_per_page)
    except (BadInputError, PathRefused) as error:
        emit(runtime, "plan", f"bad input: {error}")
        return {
            "status": "bad_input",
            "error": {"code": error.code, "message": str(error)},
            "events": record.finish(status="bad_input"),
        }
    mode = "llm" if llm_enabled(runtime.context) else "extractive"
    if mode == "llm":
        spec = read_with_model(spec, task.text, runtime, record)
    queries = rule_queries(spec)
    if mode == "llm":
        planned = llm_queries(spec, task.text, runtime, record)
        queries = {index: planned.get(index) or fallback for index, fallback in queries.items()}
    budgets = section_budgets(spec)
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
        "spec": spec,
        "outline": outline,
        "drafting_mode": mode,
        "round": 1,
        "status": "running",
        "events": record.finish(mode=mode),
    }
