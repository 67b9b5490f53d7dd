"""retrieve: index the whole collection and the PDFs, then fetch an evidence pack for every section."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from langgraph.runtime import Runtime
from reportgraph.nodes.common import NodeRecord, emit, task_index
from reportgraph.nodes.context import Context, speech_configured
from reportgraph.nodes.state import ReportState
from reportgraph.tools.intake import (
    BadInputError,
    Inventory,
    material_notes,
    nothing_to_cite,
    talks,
)
from reportgraph.tools.registry import SourceRecord, to_registry
from reportgraph.tools.retrieval import (
    FocusedSearch,
    IndexBuild,
    ProgressCallback,
    build_materials,
    describe,
    outline_packs,
)
from reportgraph.tools.writing import assign_sentences, gather, rebalance


def titled_queries(build: IndexBuild, outline: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The outline with the papers' titles among each section's queries: a paper's own title carries its
    terms across languages (a Chinese task, an English paper)."""
    pdf_titles = [pdf.metadata.title for pdf in build.pdfs if pdf.metadata.title]
    return [{**item, "queries": list(dict.fromkeys([*item["queries"], *pdf_titles]))} for item in outline]


def focused_packs(
    build: IndexBuild, state: ReportState, outline: list[dict[str, Any]], context: Context,
    progress: ProgressCallback | None = None,
) -> tuple[list[dict[str, Any]], dict[str, list[SourceRecord]]]:
    """Section-aware evidence for the offline writer (tools/writing/evidence.py): per facet searches,
    the writer's plan in each outline item (``offline``), budgets moved off a basic-information section,
    and every sentence owned by one section. ``progress("embed", done, total)`` follows the paper's chunks
    being embedded (the longest step of a cold run's retrieve)."""
    spec = state["spec"]
    queries = {item["index"]: item["queries"] for item in outline}
    finder = FocusedSearch(build.store, progress=progress)
    found = gather(spec, state.get("task_text", ""), finder, build.pdfs, queries,
                   context.evidence_per_section)
    budgets = rebalance({item["index"]: item["budget"] for item in outline}, found)
    packs = {str(index): section.records for index, section in found.items()}
    taken = assign_sentences(spec, found, budgets)
    planned = [
        {**item, "budget": budgets[item["index"]],
         "offline": {**found[item["index"]].plan.model_dump(), "taken": taken[item["index"]]}}
        for item in outline
    ]
    return planned, packs


def note_build(build: IndexBuild, record: NodeRecord, speech: bool) -> dict[str, Any]:
    """Log what indexing met (retrieval and PDF problems, OCRed or unreadable pages, collection entries
    left out); return the materials summary for run.json and the report's disclosures (``speech``: a speech
    recogniser is configured)."""
    for problem in build.problems[1:]:
        record.fallback("retrieval", problem)
    for pdf in build.pdfs:
        for pdf_problem in pdf.problems:
            record.fallback("pdf", pdf_problem.message)
    materials = build_materials(build, speech)
    for note in material_notes(materials):
        record.note(**note)
    return materials


def retrieve(state: ReportState, runtime: Runtime[Context]) -> dict[str, Any]:
    record = NodeRecord("retrieve")
    context = runtime.context
    task_dir = Path(state["task_dir"])
    stock = Inventory.model_validate(state["inventory"])

    def progress(stage: str, done: int, total: int) -> None:
        emit(runtime, "retrieve", f"{stage} {done}/{total}", stage=stage, done=done, total=total)

    try:
        build = task_index(context, task_dir, stock, progress)
    except BadInputError as error:
        return {
            "status": "bad_input",
            "error": {"code": error.code, "message": str(error)},
            "events": record.finish(status="bad_input"),
        }
    materials = note_build(build, record, speech_configured(context))
    if not build.store.records and not (talks(stock, speech_configured(context)) or stock.subtitle):
        refusal = BadInputError(
            "no_usable_material",
            f"no material has text to cite: {nothing_to_cite(build.pdfs, build.corpus_report, materials)}",
            task_dir,
        )
        return {"status": "bad_input", "error": {"code": refusal.code, "message": str(refusal)},
                "events": record.finish(status="bad_input")}
    def dense_progress(_stage: str, done: int, total: int) -> None:
        progress("dense re-ranking", done, total)

    titled = titled_queries(build, state.get("outline") or [])
    if state.get("drafting_mode") == "extractive":  # one pack assembly (retrieval/packs.py), plus a plan
        outline, packs = focused_packs(build, state, titled, context, dense_progress)
    else:
        spec = state["spec"]
        outline, packs = titled, outline_packs(spec, state.get("task_text", ""), build.store, build.pdfs,
                                               titled, context.evidence_per_section, dense_progress)
    evidence = {key: [hit.id for hit in hits] for key, hits in packs.items()}
    for problem in build.store.problems:  # met while searching: Chroma stopped, the embedder failed
        record.fallback("retrieval", problem)
    retrieved = {record.id: record for hits in packs.values() for record in hits}
    registry = {source_id: retrieved[source_id] for ids in evidence.values() for source_id in ids}
    summary = describe(build)
    summary["embedder"] = build.problems[0]
    summary["materials"] = materials
    summary["evidence"] = {key: len(ids) for key, ids in evidence.items()}
    emit(
        runtime,
        "retrieve",
        f"{len(registry)} evidence pieces from {summary['records']} indexed "
        f"({'cached index' if build.cache_hit else 'index built'})",
    )
    return {
        "sources": to_registry(registry.values()),
        "evidence": evidence,
        "outline": outline,
        "retrieval": summary,
        "events": record.finish(cache_hit=build.cache_hit),
    }
