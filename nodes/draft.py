"""draft: write one section from its evidence pack (one invocation per section, fanned out with Send)."""

from __future__ import annotations

import re
from typing import Any

from langgraph.runtime import Runtime
from reportgraph.graph.context import Context
from reportgraph.graph.state import DraftTask
from reportgraph.nodes.common import NodeRecord, chat_model, emit
from reportgraph.prompts.drafting import (
    DISCLOSURE_NOTE,
    DRAFT_SYSTEM,
    DRAFT_USER,
    PREVIOUS_DRAFT,
    REVISE_USER,
)
from reportgraph.tools.intake.spec import RequirementSpec, SectionRequirement
from reportgraph.tools.llm import message_text, provider_errors, strip_reasoning
from reportgraph.tools.registry import SourceRecord, render_citation
from reportgraph.tools.writing.extractive import draft_extractive_section

_EVIDENCE_CHARS = 1200
_LEADING_HEADINGS = re.compile(r"\A(?:\s*(?:#{1,6}[^\n]*|\*\*[^\n*]{1,80}\*\*[:：]?)[ \t]*\n)+")
_WHOLE_FENCE = re.compile(r"\A\s*```[\w-]*[ \t]*\n(.*?)\n?```\s*\Z", re.S)
_FENCE_LINE = re.compile(r"^[ \t]*```[\w-]*[ \t]*$\n?", re.M)
_PROMPT_TAGS = re.compile(r"</?(?:evidence|previous|task|sentence|source)>", re.I)
_TOP_HEADING = re.compile(r"^#{1,2}(?=\s)", re.M)
# [@a, @b], [@a; b], 【@a】 and full-width brackets: models write lists the validator would not read.
_SOURCE_ID = r"[A-Za-z0-9][A-Za-z0-9_.\-]*"
_CITATION_GROUP = re.compile(rf"[\[【［]\s*@({_SOURCE_ID}(?:\s*[,;，；、]\s*@?{_SOURCE_ID})*)\s*[\]】］]")
_ID_SEPARATOR = re.compile(r"\s*[,;，；、]\s*@?")


def format_evidence(records: list[SourceRecord]) -> str:
    return "\n\n".join(
        f"[@{record.id}] {render_citation(record)}\n{record.text[:_EVIDENCE_CHARS]}" for record in records
    )


def with_disclosure(body: str, disclosure: str) -> str:
    """The video-failure statement is put in by code, verbatim, so no drafter can leave it out."""
    if not disclosure or disclosure in body:
        return body
    return f"> {disclosure}\n\n{body}"


def normalise_citations(text: str) -> str:
    """Citation lists as one ``[@id]`` marker per id, the only form the validator and renderer read."""
    return _CITATION_GROUP.sub(
        lambda match: "".join(f"[@{source_id}]" for source_id in _ID_SEPARATOR.split(match.group(1))), text
    )


def clean_draft(reply: str) -> str:
    """A model's reply as a section body: no reasoning, fences, prompt tags, echoed or top-level headings.

    Invented ``[@id]``s stay: the validator names them in its feedback for the next round.
    """
    text = strip_reasoning(reply)
    whole = _WHOLE_FENCE.match(text)
    text = whole.group(1) if whole else text
    text = _PROMPT_TAGS.sub("", _FENCE_LINE.sub("", text))
    text = _LEADING_HEADINGS.sub("", text.strip() + "\n")
    # A level-1/2 heading inside a body would start a section of its own in the assembled report.
    text = _TOP_HEADING.sub("###", text)
    return normalise_citations(text).strip() + "\n"


def draft_prompt(task: DraftTask, spec: RequirementSpec, section: SectionRequirement,
                 evidence: list[SourceRecord]) -> str:
    lang = spec.language
    video_note = task["video_disclosure"]
    disclosure = DISCLOSURE_NOTE[lang].format(disclosure=video_note) if video_note else ""
    prompt = DRAFT_USER[lang].format(
        report_title=spec.title or "",
        task=spec.topic,
        index=section.index,
        title=section.title,
        budget=task["budget"],
        audience="; ".join(spec.soft) or ("一般读者" if lang == "zh" else "general readers"),
        disclosure=disclosure,
        evidence=format_evidence(evidence),
        allowed_ids=" ".join(f"[@{record.id}]" for record in evidence) or "—",
    )
    if task["feedback"]:
        problems = "\n".join(f"- {item}" for item in task["feedback"])
        prompt += "\n\n" + REVISE_USER[lang].format(feedback=problems)
    if task["feedback"] and task["previous_text"].strip():
        prompt += "\n\n" + PREVIOUS_DRAFT[lang].format(previous=task["previous_text"].strip())
    return prompt


def draft_with_model(task: DraftTask, spec: RequirementSpec, section: SectionRequirement,
                     evidence: list[SourceRecord], runtime: Runtime[Context], record: NodeRecord) -> str:
    context = runtime.context
    prompt = draft_prompt(task, spec, section, evidence)
    messages = [("system", DRAFT_SYSTEM[spec.language]), ("human", prompt)]
    with provider_errors(context.chat_model, context.base_url, f"draft, section {section.index}"):
        reply = chat_model(context).invoke(messages)
    record.llm(reply)
    return clean_draft(message_text(reply))


def draft(task: DraftTask, runtime: Runtime[Context]) -> dict[str, Any]:
    section = SectionRequirement.model_validate(task["section"])
    spec = RequirementSpec.model_validate(task["spec"])
    record = NodeRecord("draft")
    evidence = [SourceRecord.model_validate(item) for item in task["evidence"]]
    if task["drafting_mode"] == "llm":
        body = draft_with_model(task, spec, section, evidence, runtime, record)
    else:
        unit = spec.length.text_unit if spec.length else ("cjk_chars" if spec.language == "zh" else "words")
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
