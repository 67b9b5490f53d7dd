"""draft: write one section from its evidence pack (one invocation per section, fanned out with Send)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from langgraph.runtime import Runtime
from reportgraph.nodes.clock import request_allowance_s
from reportgraph.nodes.common import NodeRecord, chat_model, emit
from reportgraph.nodes.context import Context
from reportgraph.nodes.state import DraftTask
from reportgraph.prompts.drafting import (
    AS_THE_TASK_STATES,
    COVERS_AS_HEADING,
    CUT_RETRY,
    DISCLOSURE_NOTE,
    DRAFT_SYSTEM,
    DRAFT_USER,
    PREVIOUS_DRAFT,
    REPLY_DEFECT_FEEDBACK,
    REVISE_USER,
)
from reportgraph.prompts.offline import gap_record
from reportgraph.tools.intake.spec import RequirementSpec, SectionRequirement
from reportgraph.tools.llm import (
    PROMPT_WEIGHT,
    estimate_tokens,
    finish_reason,
    message_text,
    provider_errors,
    server_context_window,
    server_speed,
)
from reportgraph.tools.registry import SourceRecord, render_citation
from reportgraph.tools.text import language_unit
from reportgraph.tools.writing import SectionPlan, write_offline_section
from reportgraph.tools.writing.brief import writer_brief
from reportgraph.tools.writing.replies import clean_reply

_EVIDENCE_CHARS = 1200
# A cut reply is asked again for this share of its budget.
SHORTER = 0.6
# Tokens kept free in the context window for the chat template's own tokens.
TEMPLATE_TOKENS = 256
EVIDENCE_CUT = "evidence cut to fit the context window and the time budget"


def format_evidence(records: list[SourceRecord]) -> str:
    return "\n\n".join(
        f"[@{record.id}] {render_citation(record)}\n{record.text[:_EVIDENCE_CHARS]}" for record in records
    )


def with_disclosure(body: str, disclosure: str) -> str:
    """The video-failure statement is put in by code, verbatim, so no drafter can leave it out."""
    if not disclosure or disclosure in body:
        return body
    return f"> {disclosure}\n\n{body}"


def draft_prompt(task: DraftTask, spec: RequirementSpec, section: SectionRequirement,
                 evidence: list[SourceRecord]) -> str:
    lang = spec.language
    video_note = task["video_disclosure"]
    disclosure = DISCLOSURE_NOTE[lang].format(disclosure=video_note) if video_note else ""
    brief = writer_brief(spec, task["task_text"], section.index)
    prompt = DRAFT_USER[lang].format(
        task=brief.task,
        report_title=spec.title or "",
        audience=brief.audience or AS_THE_TASK_STATES[lang],
        outline=brief.outline,
        index=section.index,
        title=section.title,
        covers=brief.covers or COVERS_AS_HEADING[lang],
        budget=task["budget"],
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


def max_tokens_for(budget: int, context: Context) -> int:
    """A section's ``max_tokens``: budget (CJK characters or words) x tokens per unit x headroom."""
    return math.ceil(budget * context.tokens_per_unit * context.max_tokens_headroom)


@dataclass
class EvidenceFit:
    kept: list[SourceRecord]
    cut: list[str]
    prompt_tokens_allowed: int
    window: int
    seconds_allowed: float


def fit_evidence(evidence: list[SourceRecord], fixed_prompt: str, max_tokens: int,
                 context: Context, seconds_allowed: float | None = None) -> EvidenceFit:
    """The pack's best-ranked records that fit the context window and the time a request may take.

    Window: the server's own figure when it states one, else ``context.context_window``; it must hold
    the prompt, ``max_tokens`` and ``TEMPLATE_TOKENS``. Time: at the measured speed a request, its reply
    as long as the section's budget (``max_tokens`` without its headroom), must fit ``seconds_allowed``
    (default ``context.request_timeout_s``; before any answer, only the window binds).
    Records are taken from the pack in rank order, whole: one that does not fit is left out and the next
    ones are tried. Time never cuts the pack below its first record that fits the window: a draft with
    no evidence could cite nothing.
    """
    stated = server_context_window(context.base_url, context.chat_model, context.memo)
    window = stated or context.context_window
    fixed = estimate_tokens(fixed_prompt)
    allowed = window - max_tokens - TEMPLATE_TOKENS - fixed
    costs = [estimate_tokens(format_evidence([record])) + 2 for record in evidence]
    speed = server_speed(context.base_url, context.chat_model, context.max_model_calls, context.memo)
    seconds = context.request_timeout_s if seconds_allowed is None else seconds_allowed
    if speed:
        reply = max_tokens / context.max_tokens_headroom
        in_time = int((seconds * speed - reply) / PROMPT_WEIGHT) - fixed
        first = next((cost for cost in costs if cost <= allowed), 0)
        allowed = min(allowed, max(first, in_time))
    kept: list[SourceRecord] = []
    used = 0
    for record, cost in zip(evidence, costs, strict=True):
        if used + cost <= allowed:
            kept.append(record)
            used += cost
    cut = [record.id for record in evidence if record not in kept]
    return EvidenceFit(kept, cut, max(0, allowed), window, round(seconds, 1))


def ask_model(messages: list[tuple[str, str]], max_tokens: int, runtime: Runtime[Context],
              record: NodeRecord, purpose: str) -> tuple[str, bool]:
    """One draft request: the reply's text and whether it stopped at ``max_tokens``."""
    context = runtime.context
    with provider_errors(context.chat_model, context.base_url, purpose):
        reply = chat_model(context).invoke(messages, max_tokens=max_tokens)
    record.llm(reply)
    return message_text(reply), finish_reason(reply) == "length"


def draft_with_model(task: DraftTask, spec: RequirementSpec, section: SectionRequirement,
                     evidence: list[SourceRecord], runtime: Runtime[Context],
                     record: NodeRecord) -> tuple[str, list[str]]:
    """The section from the chat model, and the feedback its reply's unfixable defects earn.

    The evidence is cut to the context window and to the request's share of the time budget
    (nodes/clock.py). A reply cut at ``max_tokens`` is asked again once for ``SHORTER`` of the budget,
    with ``max_tokens`` to match; cut again, its finished sentences are kept and the section fails with
    ``cut_at_max_tokens``.
    """
    lang = spec.language
    max_tokens = max_tokens_for(task["budget"], runtime.context)
    seconds = request_allowance_s(runtime.context, task.get("requests_in_round", 1))
    fit = fit_evidence(evidence, draft_prompt(task, spec, section, []), max_tokens, runtime.context, seconds)
    if fit.cut:
        record.note(EVIDENCE_CUT, section=section.index, cut=fit.cut, window=fit.window,
                    prompt_tokens_allowed=fit.prompt_tokens_allowed, seconds_allowed=fit.seconds_allowed)
    prompt = draft_prompt(task, spec, section, fit.kept)
    messages = [("system", DRAFT_SYSTEM[lang]), ("human", prompt)]
    purpose = f"draft, section {section.index}"
    text, cut = ask_model(messages, max_tokens, runtime, record, purpose)
    if cut:
        shorter = max(1, int(task["budget"] * SHORTER))
        messages[-1] = ("human", prompt + "\n\n" + CUT_RETRY[lang].format(budget=shorter))
        text, cut = ask_model(messages, max_tokens_for(shorter, runtime.context), runtime, record,
                              purpose + ", shorter")
    cleaned = clean_reply(text, fit.kept, prompt=prompt, title=section.title, cut=cut)
    for defect in cleaned.defects:
        record.note("model reply defect", section=section.index, defect=defect.kind, detail=defect.detail,
                    fixed=defect.fixed)
    feedback = [REPLY_DEFECT_FEEDBACK[lang][defect.kind].format(detail=defect.detail)
                for defect in cleaned.failures]
    return cleaned.text, list(dict.fromkeys(feedback))


def draft(task: DraftTask, runtime: Runtime[Context]) -> dict[str, Any]:
    section = SectionRequirement.model_validate(task["section"])
    spec = task["spec"]
    record = NodeRecord("draft")
    evidence = [SourceRecord.model_validate(item) for item in task["evidence"]]
    if task["drafting_mode"] == "llm":
        body, reply_feedback = draft_with_model(task, spec, section, evidence, runtime, record)
    else:
        reply_feedback = []
        unit = spec.length.text_unit if spec.length else language_unit(spec.language)
        written = write_offline_section(
            section,
            evidence,
            SectionPlan.from_item(task["section"]),
            language=spec.language,
            unit=unit,
            budget=task["budget"],
        )
        body = written.body
        for gap in written.gaps:
            record.note(gap_record(gap), section=section.index, gap=gap)
    body = with_disclosure(body, task["video_disclosure"])
    emit(runtime, "draft", f"section {section.index} drafted (round {task['round']})",
         section=section.index, round=task["round"])
    return {
        "drafts": {str(section.index): body},
        "draft_defects": {str(section.index): reply_feedback},
        "events": record.finish(section=section.index, round=task["round"]),
    }
