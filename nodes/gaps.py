"""gap_search: a section whose evidence lacks a facet gets a targeted search, then is redrafted.

validate (after a round that still has failing sections) calls :func:`pending_gaps`: for each failing
section, the facets (tools/intake/spec/facets.py) no record of its pack mentions. While
``gap_round < Context.max_gap_rounds`` they go to state ``evidence_gaps``, and the graph's conditional edge
validate → gap_search takes them; :func:`gap_search` searches the index once more per section with
targeted queries (proposed by the chat model when the run drafts with one, else the facets' own terms),
adds what is new to the pack, clears ``evidence_gaps`` and counts ``gap_round``. join then sends the
failing sections to draft again. The bound ends the loop: once reached, pending_gaps returns nothing and
validate's usual revise/end decision stands.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from langgraph.runtime import Runtime
from pydantic import BaseModel, Field
from reportgraph.nodes.common import NodeRecord, ask, emit, task_index
from reportgraph.nodes.context import Context
from reportgraph.nodes.state import ReportState
from reportgraph.prompts.gaps import GAP_QUERIES_SYSTEM, GAP_QUERIES_USER
from reportgraph.tools.intake import Inventory
from reportgraph.tools.intake.spec import Facet, mentions, section_facets
from reportgraph.tools.registry import SourceRecord, to_registry
from reportgraph.tools.retrieval import FocusedSearch, materials_first

# New records a gap search may add to one section's pack.
GAP_RECORDS = 4


class GapQueries(BaseModel):
    """Search queries that would find the missing evidence."""

    queries: list[str] = Field(description="2-4 short search queries")


def searchable_gap(facet: Facet, records: Sequence[Mapping[str, Any]]) -> bool:
    """Whether the pack lacks the facet and a search of the index could find it: no record mentions it.
    A talk facet (time-ranged video evidence) is not searchable: video segments come from the video
    nodes, not from the index."""
    if facet.evidence == "video_time_range" or not (facet.terms or facet.patterns):
        return False
    return not any(mentions(facet, str(record.get("text", ""))) for record in records)


def pending_gaps(
    state: ReportState, failing: Sequence[str], context: Context
) -> dict[str, dict[str, list[str]]]:
    """Section index → facet name → terms, for failing sections whose pack lacks a facet; {} once
    ``gap_round`` has reached ``context.max_gap_rounds``."""
    if state.get("gap_round", 0) >= context.max_gap_rounds:
        return {}
    spec = state["spec"]
    registry = state.get("sources") or {}
    evidence = state.get("evidence") or {}
    gaps: dict[str, dict[str, list[str]]] = {}
    for index, facets in section_facets(spec, state.get("task_text", "")).items():
        key = str(index)
        if index == 0 or key not in failing:
            continue
        pack = [registry[i] for i in evidence.get(key, []) if i in registry]
        missing = {f.name: list(f.terms) for f in facets if searchable_gap(f, pack)}
        if missing:
            gaps[key] = missing
    return gaps


def gap_queries(state: ReportState, key: str, facets: Mapping[str, list[str]], runtime: Runtime[Context],
                record: NodeRecord) -> list[str]:
    """Queries for a section's missing facets: the model's when the run drafts with one, else the terms."""
    terms = [term for names in facets.values() for term in names]
    own = list(dict.fromkeys([" ".join(facets), *terms]))
    if state.get("drafting_mode") != "llm":
        return own
    spec = state["spec"]
    title = next((s.title for s in spec.sections if str(s.index) == key), "")
    prompt = GAP_QUERIES_USER.format(task=spec.topic, title=title, facets=", ".join(facets),
                                     terms=", ".join(terms))
    reply = ask(runtime.context, GapQueries, [("system", GAP_QUERIES_SYSTEM), ("human", prompt)],
                "gap_queries", record, max_tokens=256)
    if reply is None or not reply.queries:
        return own
    return list(dict.fromkeys([*reply.queries, *own]))


def fills_gap(record: SourceRecord, facets: Mapping[str, list[str]], drafting_mode: str) -> bool:
    """Whether a found record can fill the gap: for the offline writer, which quotes, only a record that
    says one of the facets' terms; a model writer may use any record the search ranked."""
    if drafting_mode == "llm":
        return True
    text = record.text.casefold()
    return any(term.casefold() in text for terms in facets.values() for term in terms)


def gap_search(state: ReportState, runtime: Runtime[Context]) -> dict[str, Any]:
    """One targeted search per section in ``evidence_gaps``; what is new joins the section's pack."""
    record = NodeRecord("gap_search")
    context = runtime.context
    stock = Inventory.model_validate(state["inventory"])
    build = task_index(context, Path(state["task_dir"]), stock)
    evidence = {key: list(ids) for key, ids in (state.get("evidence") or {}).items()}
    taken = {source_id for ids in evidence.values() for source_id in ids}
    added: list[SourceRecord] = []
    # The materials the task names first (the paper), the collection only past its relevance floor: the
    # same search as the packs' (tools/retrieval/packs.py).
    finder = FocusedSearch(build.store)
    mode = state.get("drafting_mode", "extractive")
    for key, facets in (state.get("evidence_gaps") or {}).items():
        queries = gap_queries(state, key, facets, runtime, record)
        found = materials_first(finder, queries, GAP_RECORDS * 3)
        new = [r for r in found if r.id not in taken and fills_gap(r, facets, mode)][:GAP_RECORDS]
        taken.update(r.id for r in new)
        added += new
        evidence[key] = [*evidence.get(key, []), *(r.id for r in new)]
        record.note("evidence gap search", section=int(key), facets=sorted(facets), queries=queries,
                    added=[r.id for r in new])
    gap_round = state.get("gap_round", 0) + 1
    emit(runtime, "gap_search", f"evidence-gap round {gap_round}: {len(added)} new evidence pieces",
         gap_round=gap_round, sections=sorted(state.get("evidence_gaps") or {}))
    return {
        "sources": to_registry(added),
        "evidence": evidence,
        "evidence_gaps": {},
        "gap_round": gap_round,
        "events": record.finish(gap_round=gap_round, cache_hit=build.cache_hit),
    }
