"""draft: write one section from its evidence pack (one invocation per section, fanned out with Send)."""

from __future__ import annotations

import re
from typing import Any

from langgraph.runtime import Runtime

from reportgraph.graph.context import Context
from reportgraph.graph.state import DraftTask
from reportgraph.nodes.common import NodeRecord, chat_model, emit
from reportgraph.prompts.drafting import DISCLOSURE_NOTE, DRAFT_SYSTEM, DRAFT_USER, REVISE_USER
from reportgraph.tools.extractive import draft_extractive_section
from reportgraph.tools.llm import message_text, strip_reasoning
from reportgraph.tools.registry import SourceRecord, render_citation
from reportgraph.tools.spec import RequirementSpec, SectionRequirement

_LEADING_HEADING = re.compile(r"\A\s*(?:#{1,6}[^\n]*\n+)+")
_EVIDENCE_CHARS = 1200


def format_evidence(records: list[SourceRecord]) -> str:
    return "\n\n".join(
        f"[@{record.id}] {render_citation(record)}\n{record.text[:_EVIDENCE_CHARS]}" for record in records
    )


def with_disclosure(body: str, disclosure: str) -> str:
    """The video-failure statement is put in by code, verbatim, so no drafter can leave it out."""
    if not disclosure or disclosure in body:
        return body
    return f"> {disclosure}\n\n{body}"


def draft_with_model(task: DraftTask, spec: RequirementSpec, section: SectionRequirement,
                     evidence: list[SourceRecord], runtime: Runtime[Context], record: NodeRecord) -> str:
    lang = spec.language
    disclosure = DISCLOSURE_NOTE[lang].format(disclosure=task["video_disclosure"]) if task["video_disclosure"] else ""
    prompt = DRAFT_USER[lang].format(
        report_title=spec.title or "",
        task=spec.topic,
        index=section.index,
        title=section.title,
        budget=task["budget"],
        audience="; ".join(spec.soft) or ("一般读者" if lang == "zh" else "general readers"),
        disclosure=disclosure,
        evidence=format_evidence(evidence),
    )
    if task["feedback"] and task["previous_text"]:
        prompt += "\n\n" + REVISE_USER[lang].format(
            feedback="\n".join(f"- {item}" for item in task["feedback"]), previous=task["previous_text"]
        )
    reply = chat_model(runtime.context).invoke([("system", DRAFT_SYSTEM[lang]), ("human", prompt)])
    record.llm(reply)
    return _LEADING_HEADING.sub("", strip_reasoning(message_text(reply))).strip() + "\n"


def draft(task: DraftTask, runtime: Runtime[Context]) -> dict[str, Any]:
    section = SectionRequirement.model_validate(task["section"])
    spec = RequirementSpec.model_validate(task["spec"])
    record = NodeRecord("draft")
    evidence = [SourceRecord.model_validate(item) for item in task["evidence"]]
    if task["drafting_mode"] == "llm":
        body = draft_with_model(task, spec, section, evidence, runtime, record)
    else:
        unit = spec.length.unit if spec.length else ("cjk_chars" if spec.language == "zh" else "words")
        body = draft_extractive_section(
            section,
            evidence,
            language=spec.language,
            unit=unit,
            budget=task["budget"],
            query=" ".join([spec.topic, *task["section"].get("queries", [])]),
        )
    body = with_disclosure(body, task["video_disclosure"])
    emit(runtime, "draft", f"section {section.index} drafted (round {task['round']})",
         section=section.index, round=task["round"])
    return {
        "drafts": {str(section.index): body},
        "events": record.finish(section=section.index, round=task["round"]),
    }
