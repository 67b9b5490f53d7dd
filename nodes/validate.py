"""validate: assemble the report, run the hard checks in code, and decide: pass, revise, or needs_review."""

from __future__ import annotations

import hashlib
import time
from pathlib import Path
from typing import Any

from langgraph.runtime import Runtime
from pydantic import BaseModel, Field
from reportgraph.graph.context import Context
from reportgraph.graph.state import ReportState
from reportgraph.nodes.common import NodeRecord, chat_model, embedder_settings, emit
from reportgraph.nodes.gaps import pending_gaps
from reportgraph.prompts.drafting import REPORT_NOTE, SOFT_JUDGE_SYSTEM, SOFT_JUDGE_USER
from reportgraph.tools.checking.support import EmbedFunction, SupportChecker, llm_support_judge
from reportgraph.tools.checking.validator import ValidationInputs, ValidationResult, validate_report
from reportgraph.tools.intake.spec import RequirementSpec
from reportgraph.tools.llm import invoke_structured
from reportgraph.tools.registry import render_citations
from reportgraph.tools.retrieval import select_embedder
from reportgraph.tools.writing.outputs import run_summary, write_outputs
from reportgraph.tools.writing.replies import with_reply_check


class SoftItem(BaseModel):
    requirement: str
    met: bool
    reason: str = Field(description="One sentence on why")


class SoftVerdict(BaseModel):
    """Whether the report meets each soft requirement."""

    items: list[SoftItem]


def assemble(state: ReportState) -> str:
    """The report as drafted: title, mode note, then each required section under its exact heading."""
    spec = RequirementSpec.model_validate(state["spec"])
    mode = state.get("drafting_mode", "extractive")
    title = spec.title or ("研究报告" if spec.language == "zh" else "Report")
    parts = [f"# {title}", REPORT_NOTE[spec.language][mode]]
    video = state.get("video") or {}
    has_video_section = any(section.focus == "video" for section in spec.sections)
    if video.get("disclosure") and video.get("status") in ("failed", "partial") and not has_video_section:
        parts.append(f"> {video['disclosure']}")
    drafts = state.get("drafts") or {}
    for section in spec.sections:
        parts.append(f"## {section.heading}")
        parts.append(drafts.get(str(section.index), "").strip())
    return "\n\n".join(part for part in parts if part) + "\n"


def judge_soft(
    spec: RequirementSpec, markdown: str, runtime: Runtime[Context], record: NodeRecord
) -> list[dict[str, Any]]:
    requirements = "\n".join(f"- {s}" for s in spec.soft)
    reply = invoke_structured(
        chat_model(runtime.context),
        SoftVerdict,
        [
            ("system", SOFT_JUDGE_SYSTEM),
            ("human", SOFT_JUDGE_USER.format(requirements=requirements, report=markdown)),
        ],
    )
    for raw in reply.replies:
        record.llm(raw)
    if reply.value is None:
        raise ValueError(f"soft verdict not readable: {reply.problem}")
    return [item.model_dump() for item in reply.value.items]


def support_embedding(context: Context) -> EmbedFunction | None:
    """The run's embedder, for support checks lexical overlap cannot settle (e.g. across languages)."""
    embedder = select_embedder(embedder_settings(context), cache_dir=context.cache_dir).embedder
    return embedder.embed_documents if embedder is not None else None


def revised_budgets(
    outline: list[dict[str, Any]], result: ValidationResult, spec: RequirementSpec
) -> list[dict[str, Any]]:
    """Move the failing sections' budgets so the next draft lands mid-range."""
    length = next((c for c in result.checks if c.name == "length"), None)
    if length is None or length.passed or spec.length is None or not length.sections:
        return outline
    shift = (spec.length.target - int(length.figure["count"])) // len(length.sections)
    return [
        {**item, "budget": max(1, item["budget"] + shift)} if item["index"] in length.sections else item
        for item in outline
    ]


def validate(state: ReportState, runtime: Runtime[Context]) -> dict[str, Any]:
    record = NodeRecord("validate")
    context = runtime.context
    spec = RequirementSpec.model_validate(state["spec"])
    mode = state.get("drafting_mode", "extractive")
    markdown = assemble(state)
    video = state.get("video") or {}
    registry = state.get("sources") or {}
    outline = state.get("outline") or []
    embed = support_embedding(context) if mode == "llm" else None  # extractive quotes are verbatim
    result = validate_report(
        ValidationInputs(
            markdown=markdown,
            spec=spec,
            registry=registry,
            drafting_mode=mode,
            video_status=video.get("status", "absent"),
            video_disclosure=video.get("disclosure", ""),
            section_budgets={item["index"]: item["budget"] for item in outline},
            support=SupportChecker(embed, judge=llm_support_judge(chat_model(context), record.llm)
                                   if mode == "llm" else None),
        )
    )
    result = with_reply_check(result, state.get("draft_defects") or {})
    soft: list[dict[str, Any]] = []
    if mode == "llm" and spec.soft:
        try:
            soft = judge_soft(spec, render_citations(markdown, registry), runtime, record)
        except Exception as error:  # soft items are advisory; a failed judge is recorded, not fatal
            record.fallback("soft_judge", f"soft requirements not judged: {error}")
    current_round = state.get("round", 1)
    report_sha1 = hashlib.sha1(markdown.encode("utf-8")).hexdigest()
    # The extractive drafter is deterministic: a redraft that changed nothing will not change next
    # time either, so stop instead of spending the remaining rounds.
    stalled = mode == "extractive" and (state.get("validation") or {}).get("report_sha1") == report_sha1
    if result.passed:
        status = "pass"
    elif current_round > context.max_revision_rounds or not result.feedback or stalled:
        status = "needs_review"
    else:
        status = "running"
    unmet = [f"{check.name}: {check.detail}" for check in result.failed]
    emit(
        runtime,
        "validate",
        f"round {current_round}: {status}",
        round=current_round,
        status=status,
        checks={c.name: c.passed for c in result.checks},
        unmet=unmet,
    )
    validation = {
        "status": status,
        "round": current_round,
        "max_revision_rounds": context.max_revision_rounds,
        "hard_checks_passed": result.passed,
        "stalled": stalled,
        "report_sha1": report_sha1,
        "unmet": unmet,
        "checks": [check.model_dump() for check in result.checks],
        "soft": {
            "judged_by": "llm" if soft else "not judged",
            "items": soft,
            "note": "advisory only; never overrides a failed hard check",
        },
        "feedback": result.feedback,
        # What the task was read as: spans no rule understood, and where a model's reading differed.
        "task_reading": {"parsed_by": spec.parsed_by, "unparsed": spec.unparsed,
                         "disagreements": [d.model_dump() for d in spec.disagreements]},
    }
    update: dict[str, Any] = {
        "validation": validation,
        "status": status,
        "report_markdown": render_citations(markdown, registry),
        "feedback": result.feedback,
    }
    if status == "running":
        update["round"] = current_round + 1
        # Evidence-gap loop (nodes/gaps.py): failing sections whose pack lacks a facet go back to retrieve.
        update["evidence_gaps"] = pending_gaps(state, list(result.feedback), context)
        update["outline"] = revised_budgets(outline, result, spec)
    events = record.finish(round=current_round, status=status)
    if status != "running" and context.write_outputs:
        output_dir = Path(context.output_dir or Path("out") / Path(state["task_dir"]).resolve().name)
        all_events = [*(state.get("events") or []), *events]
        run = {
            "task_dir": str(Path(state["task_dir"]).resolve()),
            "status": status,
            "drafting_mode": mode,
            "rounds": current_round,
            "finished_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            **run_summary(all_events),
            "video": video,
            "retrieval": state.get("retrieval", {}),
            "inventory": state.get("inventory", {}),
            "spec": state["spec"],
            "task_notes": state.get("task_notes", []),
        }
        header = ""
        if status == "needs_review":
            header = "> needs_review — " + "; ".join(unmet)
        write_outputs(
            output_dir, markdown=markdown, registry=registry, validation=validation, run=run, header=header
        )
        update["output_dir"] = str(output_dir.resolve())
    update["events"] = events
    return update
