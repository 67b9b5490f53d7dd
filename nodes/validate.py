"""validate: run the hard checks in code on the assembled draft, and decide: pass, revise, or needs_review.

The decision is the run's ``status`` (running / pass / needs_review) and, for a revision round, the failing
sections' ``feedback`` and any facets their evidence lacks (``evidence_gaps``); :func:`route_after_validate`
reads only those. The finished report is rendered and written by the ``finish`` node."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from langgraph.runtime import Runtime
from pydantic import BaseModel, Field
from reportgraph.nodes.check_inputs import TaskMaterials, check_inputs
from reportgraph.nodes.clock import drafting_started, next_round_projection, remaining_s
from reportgraph.nodes.common import NodeRecord, ask, draft_markdown, emit, task_collection
from reportgraph.nodes.context import Context
from reportgraph.nodes.gaps import pending_gaps
from reportgraph.nodes.state import OutlineItem, ReportState
from reportgraph.prompts.facets import FACETS_SYSTEM, FACETS_USER
from reportgraph.prompts.judging import JUDGE_FEEDBACK, SOFT_JUDGE_SYSTEM, SOFT_JUDGE_USER
from reportgraph.tools.checking import (
    Facet,
    ValidationResult,
    validate_report,
    validation_summary,
)
from reportgraph.tools.intake.spec import RequirementSpec
from reportgraph.tools.registry import render_citations
from reportgraph.tools.writing.replies import with_reply_check

# Why a run ended needs_review (validation.json "stopped_because").
STOP_ROUND_LIMIT = "round limit reached (max_revision_rounds)"
STOP_NO_FEEDBACK = "no section feedback to act on"
STOP_UNCHANGED = "the extractive redraft changed nothing"
STOP_NO_PROGRESS = "the model's redraft left no fewer checks failing and no fewer feedback items"
STOP_TIME_BUDGET = "the next round would end past the time budget (time_budget_s)"


class SoftItem(BaseModel):
    requirement: str
    met: bool
    reason: str = Field(description="One sentence on why")
    section: int = Field(0, description="For an unmet requirement, the section index that falls short of "
                                        "it most; 0 for the whole report")


class ProposedFacet(BaseModel):
    section: int = Field(description="The required section's index")
    name: str
    terms: list[str] = Field(description="1-3 words that show a sentence addresses it")


class FacetProposal(BaseModel):
    """What each section should cover, in the model's reading of the task."""

    facets: list[ProposedFacet]


class SoftVerdict(BaseModel):
    """Whether the report meets each soft requirement."""

    items: list[SoftItem]


def soft_items(
    spec: RequirementSpec, mode: str, rendered: str, context: Context, record: NodeRecord
) -> list[dict[str, Any]]:
    """The model's verdicts on the soft items, recorded apart: advisory, never overriding a hard check."""
    if mode != "llm" or not spec.soft:
        return []
    requirements = "\n".join(f"- {s}" for s in spec.soft)
    sections = "\n".join(f"{s.index}. {s.heading}" for s in spec.sections)
    messages = [("system", SOFT_JUDGE_SYSTEM),
                ("human", SOFT_JUDGE_USER.format(requirements=requirements, sections=sections,
                                                 report=rendered))]
    verdict = ask(context, SoftVerdict, messages, "soft_judge", record)
    return [item.model_dump() for item in verdict.items] if verdict is not None else []


def model_facets(
    spec: RequirementSpec, task_text: str, context: Context, record: NodeRecord
) -> dict[int, list[Facet]] | None:
    """The model's facets per section (opt-in: Context.model_facets, with a model drafting); None when not
    asked or not readable (recorded as a fallback): they are a soft item, the rules' facets stay hard.
    The task does not change between rounds, so they are asked for once per run (the run's memo) and the
    first round's answer, or its failure, serves every later round."""
    if not context.model_facets:
        return None
    sections = "\n".join(f"{s.index}. {s.heading}" for s in spec.sections)
    proposed, _ = context.memo.once(("model_facets", task_text, sections),
                                    lambda: propose_facets(spec, task_text, sections, context, record))
    return proposed


def propose_facets(
    spec: RequirementSpec, task_text: str, sections: str, context: Context, record: NodeRecord
) -> dict[int, list[Facet]] | None:
    messages = [("system", FACETS_SYSTEM), ("human", FACETS_USER.format(task=task_text, sections=sections))]
    reply = ask(context, FacetProposal, messages, "model_facets", record)
    if reply is None:
        return None
    known = {s.index for s in spec.sections}
    proposed: dict[int, list[Facet]] = {}
    for item in reply.facets:
        terms = tuple(t for t in [item.name, *item.terms] if t.strip())
        if item.section in known and terms:
            proposed.setdefault(item.section, []).append(Facet(item.name, "model", terms, where="model"))
    return proposed


def judge_feedback(spec: RequirementSpec, soft: list[dict[str, Any]]) -> dict[str, list[str]]:
    """Section index → the judge's reasons, for the unmet soft requirements it pins on a section (issue 23:
    what the judge saw goes back to the writer). Advisory: it earns a revision round, never a status."""
    known = {s.index for s in spec.sections}
    lang = spec.language if spec.language in JUDGE_FEEDBACK else "en"
    feedback: dict[str, list[str]] = {}
    for item in soft:
        if not item["met"] and item.get("section") in known:
            text = JUDGE_FEEDBACK[lang].format(requirement=item["requirement"], reason=item["reason"])
            feedback.setdefault(str(item["section"]), []).append(text)
    return feedback


def with_judge_feedback(hard: Mapping[str, list[str]], judge: Mapping[str, list[str]]
                        ) -> dict[str, list[str]]:
    """The hard checks' feedback with the judge's added under each section it names, in section order."""
    keys = sorted({*hard, *judge}, key=int)
    return {key: [*hard.get(key, []), *judge.get(key, [])] for key in keys}


def revised_budgets(
    outline: list[OutlineItem], result: ValidationResult, spec: RequirementSpec
) -> list[OutlineItem]:
    """Move the failing sections' budgets so the next draft lands mid-range."""
    length = next((c for c in result.checks if c.name == "length"), None)
    if length is None or length.passed or spec.length is None or not length.sections:
        return outline
    shift = (spec.length.target - int(length.figure["count"])) // len(length.sections)
    return [
        {**item, "budget": max(1, item["budget"] + shift)} if item["index"] in length.sections else item
        for item in outline
    ]


def run_checks(state: ReportState, context: Context, record: NodeRecord, markdown: str) -> ValidationResult:
    """The hard checks (nodes/check_inputs.py, the same builder as `reportgraph check`) on the draft."""
    spec = state["spec"]
    mode = state.get("drafting_mode", "extractive")
    video = state.get("video") or {}
    task_text = state.get("task_text", "")
    # Relevance ranks a cited document among the whole collection, not only the evidence retrieved.
    collection = task_collection(context, Path(state["task_dir"]))
    materials = TaskMaterials(task_text, spec, state.get("sources") or {}, collection,
                              video.get("status", "absent"),
                              video.get("disclosure", ""), (state.get("retrieval") or {}).get("materials"))
    budgets = {item["index"]: item["budget"] for item in state.get("outline") or []}
    proposed = model_facets(spec, task_text, context, record) if mode == "llm" else None
    inputs = check_inputs(markdown, materials, context, drafting_mode=mode, on_reply=record.llm,
                          section_budgets=budgets, model_facets=proposed)
    return validate_report(inputs)


def made_no_progress(previous: Mapping[str, Any], result: ValidationResult) -> bool:
    """Whether a model's redraft left the report no better: more hard checks fail than before, or as
    many with no fewer feedback items. A small model repeats its defects or trades one for another
    (issue 15: Qwen2.5-0.5B pasted the same evidence back round after round), so another round would
    cost minutes of a slow server for the same verdict."""
    if not previous.get("checks"):
        return False
    failing_before = sum(not check["passed"] for check in previous["checks"])
    failing_now = len(result.failed)
    items_before = sum(len(items) for items in (previous.get("feedback") or {}).values())
    items_now = sum(len(items) for items in result.feedback.values())
    return failing_now > failing_before or (failing_now == failing_before and items_now >= items_before)


def time_budget(state: ReportState, context: Context, sections: int, now: float
                ) -> dict[str, Any] | None:
    """The run's time budget as this validate sees it (None without one), seconds: the budget, elapsed,
    left, and the next round projected from the one just drafted (nodes/clock.py)."""
    left = remaining_s(context, now)
    if left is None:
        return None
    projected = next_round_projection(state.get("events") or [], state.get("round", 1),
                                      sections, now, drafting_started(context))
    return {"budget_s": context.time_budget_s, "elapsed_s": round(context.time_budget_s - left, 3),
            "left_s": round(left, 3),
            "projected_next_round_s": None if projected is None else round(projected, 3)}


def out_of_time(budget: Mapping[str, Any] | None) -> bool:
    """Whether the next round is projected to end past the budget (with no projection: none is left)."""
    return budget is not None and (budget["projected_next_round_s"] or 0.0) >= budget["left_s"]


def judge_round(state: ReportState, context: Context, judge: Mapping[str, list[str]],
                budget: Mapping[str, Any] | None) -> bool:
    """Whether the judge's feedback earns a report that passed every hard check one more round: once per
    run, within the round limit and the time budget."""
    previous = state.get("validation") or {}
    return (bool(judge) and not (previous.get("soft") or {}).get("revision_requested")
            and state.get("round", 1) <= context.max_revision_rounds and not out_of_time(budget))


def decide(
    state: ReportState, context: Context, result: ValidationResult, markdown: str,
    budget: Mapping[str, Any] | None = None, judge: Mapping[str, list[str]] | None = None,
) -> tuple[str, str, str]:
    """(status, why the run stopped or "", the draft's sha1): pass, another round (running), or
    needs_review. ``budget``: :func:`time_budget`'s figures; ``judge``: :func:`judge_feedback`, which
    may earn a passing report one more round but never decides pass or needs_review."""
    report_sha1 = hashlib.sha1(markdown.encode("utf-8")).hexdigest()
    previous = state.get("validation") or {}
    if result.passed:
        return ("running" if judge_round(state, context, judge or {}, budget) else "pass"), "", report_sha1
    if state.get("round", 1) > context.max_revision_rounds:
        return "needs_review", STOP_ROUND_LIMIT, report_sha1
    if not result.feedback:
        return "needs_review", STOP_NO_FEEDBACK, report_sha1
    # The extractive drafter is deterministic: a redraft that changed nothing will not change next time.
    if state.get("drafting_mode") == "extractive" and previous.get("report_sha1") == report_sha1:
        return "needs_review", STOP_UNCHANGED, report_sha1
    if out_of_time(budget):
        return "needs_review", STOP_TIME_BUDGET, report_sha1
    if (context.stop_without_progress and state.get("drafting_mode") == "llm"
            and made_no_progress(previous, result)):
        return "needs_review", STOP_NO_PROGRESS, report_sha1
    return "running", "", report_sha1


def validation_record(state: ReportState, context: Context, result: ValidationResult,
                      soft: list[dict[str, Any]], decision: tuple[str, str, str],
                      budget: Mapping[str, Any] | None) -> dict[str, Any]:
    """validation.json: the status, why the run stopped, each check with its figure, the soft items apart,
    and how the task was read."""
    spec = state["spec"]
    status, stopped, report_sha1 = decision
    return {
        "status": status,
        "round": state.get("round", 1),
        "max_revision_rounds": context.max_revision_rounds,
        "stalled": stopped in (STOP_UNCHANGED, STOP_NO_PROGRESS),
        "stopped_because": stopped,
        # Clock figures only when they decided the run: a report's validation.json is otherwise the same
        # however fast the machine (run.json's notes keep them every round).
        "time_budget": budget if stopped == STOP_TIME_BUDGET else None,
        "report_sha1": report_sha1,
        **validation_summary(result),
        "soft": {
            "judged_by": "llm" if soft else "not judged",
            "items": soft,
            "note": "advisory only; never overrides a failed hard check",
        },
        # What the task was read as: spans no rule understood, and where a model's reading differed.
        "task_reading": {"parsed_by": spec.parsed_by, "unparsed": spec.unparsed,
                         "disagreements": [d.model_dump() for d in spec.disagreements]},
    }


def validate(state: ReportState, runtime: Runtime[Context]) -> dict[str, Any]:
    record = NodeRecord("validate")
    context = runtime.context
    spec = state["spec"]
    mode = state.get("drafting_mode", "extractive")
    markdown = draft_markdown(state)
    result = run_checks(state, context, record, markdown)
    result = with_reply_check(result, state.get("draft_defects") or {}, drafted_by_model=mode == "llm")
    soft = soft_items(spec, mode, render_citations(markdown, state.get("sources") or {}), context, record)
    current_round = state.get("round", 1)
    judge = judge_feedback(spec, soft)
    feedback = with_judge_feedback(result.feedback, judge)
    budget = time_budget(state, context, len(feedback), time.time())
    decision = decide(state, context, result, markdown, budget, judge)
    status, stopped, _ = decision
    if budget is not None:
        record.note("time budget", round=current_round, **budget)
    validation = validation_record(state, context, result, soft, decision, budget)
    validation["soft"]["revision_requested"] = bool(judge) and status == "running"
    validation["soft"]["feedback"] = judge
    emit(runtime, "validate", f"round {current_round}: {status}" + (f" ({stopped})" if stopped else ""),
         round=current_round, status=status, checks={c.name: c.passed for c in result.checks},
         unmet=validation["unmet"])
    update: dict[str, Any] = {"validation": validation, "status": status, "feedback": feedback}
    if status == "running":
        update["round"] = current_round + 1
        # Evidence-gap loop (nodes/gaps.py): failing sections whose pack lacks a facet go to the gap search.
        update["evidence_gaps"] = pending_gaps(state, list(feedback), context)
        update["outline"] = revised_budgets(state.get("outline") or [], result, spec)
    update["events"] = record.finish(round=current_round, status=status)
    return update
