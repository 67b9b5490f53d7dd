"""retrieve: index the whole collection and the PDFs, then fetch an evidence pack for every section."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from langgraph.runtime import Runtime
from reportgraph.nodes.common import NodeRecord, emit, task_index
from reportgraph.nodes.context import Context
from reportgraph.nodes.state import ReportState
from reportgraph.tools.intake import (
    BadInputError,
    Inventory,
    material_notes,
    nothing_to_cite,
)
from reportgraph.tools.registry import SourceRecord, to_registry
from reportgraph.tools.retrieval import (
    FocusedSearch,
    Hit,
    IndexBuild,
    IndexStore,
    ProgressCallback,
    build_materials,
    describe,
    prefetch_rerank,
    search,
)
from reportgraph.tools.writing import assign_sentences, gather, rebalance

# Of a section's pack, the share taken from the paper, by what the section is about.
PDF_SHARE = {"paper": 0.6, "video": 0.3, "general": 0.4, "corpus": 0.2}


def pack_sizes(item: dict[str, Any], context: Context, has_pdf: bool, has_corpus: bool,
               widen: int = 1) -> tuple[int, int]:
    """How many hits a section's pack takes in all, and how many of them from the paper."""
    k = context.evidence_per_section * widen
    pdf_k = (
        round(k * PDF_SHARE.get(item.get("focus", "general"), 0.4))
        if has_pdf and has_corpus
        else (k if has_pdf else 0)
    )
    return k, pdf_k


def section_pack(
    store: IndexStore,
    item: dict[str, Any],
    queries: list[str],
    context: Context,
    has_pdf: bool,
    has_corpus: bool,
    widen: int = 1,
) -> list[Hit]:
    """The section's evidence: the paper's best pages and the collection's best chunks, diverse."""
    k, pdf_k = pack_sizes(item, context, has_pdf, has_corpus, widen)
    hits: list[Hit] = []
    if pdf_k:
        hits += search(store, queries, k=pdf_k, per_doc_cap=None, min_distinct_docs=1, kinds={"pdf"})
    if has_corpus and k - len(hits) > 0:
        hits += search(
            store,
            queries,
            k=k - len(hits),
            per_doc_cap=context.per_doc_cap,
            min_distinct_docs=context.min_distinct_docs,
            kinds={"corpus"},
        )
    return hits


def share_out(packs: dict[str, list[SourceRecord]], per_section: int) -> dict[str, list[str]]:
    """Deal ranked hits to sections in turns, so no two sections quote the same chunk."""
    taken: set[str] = set()
    dealt: dict[str, list[str]] = {key: [] for key in packs}
    cursors = dict.fromkeys(packs, 0)
    while any(len(dealt[key]) < per_section and cursors[key] < len(packs[key]) for key in packs):
        for key, hits in packs.items():
            while len(dealt[key]) < per_section and cursors[key] < len(hits):
                record = hits[cursors[key]]
                cursors[key] += 1
                if record.id not in taken:
                    taken.add(record.id)
                    dealt[key].append(record.id)
                    break
    return dealt


def first_pages(build: IndexBuild) -> list[SourceRecord]:
    """Each PDF's first page chunk: the title, authors and abstract an overview section needs."""
    return [pdf.records[0] for pdf in build.pdfs if pdf.records]


def titled_queries(build: IndexBuild, outline: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The outline with the papers' titles among each section's queries: a paper's own title carries its
    terms across languages (a Chinese task, an English paper)."""
    pdf_titles = [pdf.metadata.title for pdf in build.pdfs if pdf.metadata.title]
    return [{**item, "queries": list(dict.fromkeys([*item["queries"], *pdf_titles]))} for item in outline]


def outline_packs(
    build: IndexBuild,
    outline: list[dict[str, Any]],
    context: Context,
    progress: ProgressCallback | None = None,
) -> tuple[list[dict[str, Any]], dict[str, list[SourceRecord]]]:
    """Each section's queries (with the papers' titles) and its ranked evidence, twice a pack wide.

    The candidates every section's searches re-rank densely are embedded first, in one batch
    (``progress("embed", done, total)``)."""
    has_pdf = any(pdf.records for pdf in build.pdfs)
    has_corpus = any(r.kind == "corpus" for r in build.store.records)
    queried = titled_queries(build, outline)
    searches = []
    for item in queried:
        k, pdf_k = pack_sizes(item, context, has_pdf, has_corpus, widen=2)
        searches += [(item["queries"], pdf_k, {"pdf"}), (item["queries"], k - pdf_k, {"corpus"})]
    prefetch_rerank(build.store, searches, progress)
    packs: dict[str, list[SourceRecord]] = {}
    overview_done = False
    for item in queried:
        # Twice the pack, so sharing out afterwards still fills every section.
        wide = section_pack(build.store, item, item["queries"], context, has_pdf, has_corpus, widen=2)
        hits = [hit.record for hit in wide]
        if item.get("focus") == "paper" and not overview_done:
            overview_done = True
            overview = first_pages(build)
            hits = [*overview, *(h for h in hits if h not in overview)]
        packs[str(item["index"])] = hits
    return queried, packs


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


def note_build(build: IndexBuild, record: NodeRecord) -> dict[str, Any]:
    """Log what indexing met (retrieval and PDF problems, OCRed or unreadable pages, collection entries
    left out); return the materials summary for run.json and the report's disclosures."""
    for problem in build.problems[1:]:
        record.fallback("retrieval", problem)
    for pdf in build.pdfs:
        for pdf_problem in pdf.problems:
            record.fallback("pdf", pdf_problem.message)
    materials = build_materials(build)
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
    materials = note_build(build, record)
    if not build.store.records and not (stock.video or stock.subtitle):
        refusal = BadInputError(
            "no_usable_material",
            f"no material has text to cite: {nothing_to_cite(build.pdfs, build.corpus_report, materials)}",
            task_dir,
        )
        return {"status": "bad_input", "error": {"code": refusal.code, "message": str(refusal)},
                "events": record.finish(status="bad_input")}
    def dense_progress(_stage: str, done: int, total: int) -> None:
        progress("dense re-ranking", done, total)

    if state.get("drafting_mode") == "extractive":  # sentences, not chunks, are owned by one section
        # Only the focused searches' packs are used: no hybrid packs (and no dense work) beside them.
        titled = titled_queries(build, state.get("outline") or [])
        outline, packs = focused_packs(build, state, titled, context, dense_progress)
        evidence = {key: [hit.id for hit in hits] for key, hits in packs.items()}
    else:
        outline, packs = outline_packs(build, state.get("outline") or [], context, dense_progress)
        evidence = share_out(packs, context.evidence_per_section)
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
