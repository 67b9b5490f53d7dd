"""Each section's evidence pack, from what the section must cover: one assembly for every writer (the
model's drafting requests and the offline writer get the same records).

A section's facets (tools/intake/spec/facets.py: the task's own terms and the section's kind) decide what is
searched, the materials the task names first (its papers), the collection only past a relevance floor
(:class:`FocusedSearch`), so a pack may be short but is never padded with unrelated text:

- basic information: the paper's page-1 facts record and the page-1 passages printing its title, authors,
  venue line and links (paperparts.front_matter);
- summary: the paper's abstract, contributions and conclusion, the passages of every body page that state
  most (figures, findings, data, steps; the paper read across its length) and its limitations;
- talk: a few paper passages to compare the talk with (its segments come from the video step);
- a method, results or limitations section (its title says so, :data:`TITLE_KINDS`): the passages of every
  body page that state most of how the work is done (steps) or what it found (findings, with the abstract
  and conclusion), or the paper's limitations section;
- each technique the task names: its own dense and lexical search of the paper, across languages (the
  paper's own phrase for a term of the task's language), and of the collection, floored;
- any other section: its planned queries over the paper, then the collection, floored.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from reportgraph.tools.intake.pdf import PdfExtraction
from reportgraph.tools.intake.spec import RequirementSpec
from reportgraph.tools.intake.spec.facets import Facet, section_facets, section_kind
from reportgraph.tools.registry import SourceRecord
from reportgraph.tools.retrieval.focused import FocusedSearch
from reportgraph.tools.retrieval.paperparts import (
    front_matter,
    limitation_records,
    page_highlights,
    summary_records,
)
from reportgraph.tools.retrieval.store import IndexStore, ProgressCallback

PAPER_PER_TERM = 8  # paper passages searched per technique the task names
CORPUS_PER_TERM = 3  # collection chunks per technique, when they clear the relevance floor
SUMMARY_EXTRA = 4  # paper passages the summary's planned queries add
# The share of each body page's passages a summary takes (those that state most findings and figures): a
# summary reports the paper's setup and results across its length, not its abstract alone.
SUMMARY_PAGE_SHARE = 0.5
TITLED_PAGE_SHARE = 0.5  # … a method section of those that state steps, a results section of findings
# Sections the facets table has no kind for, by what their titles ask (zh and en; the first match wins):
# their packs take the part of the paper that says it.
TITLE_KINDS = {
    "limitations": re.compile(r"局限|不足|limitation|weakness", re.I),
    "results": re.compile(r"结果|结论|发现|成效|results?\b|findings?|conclusions?|outcomes?", re.I),
    "method": re.compile(r"技术|方法|原理|实现|流程|设计|methods?\b|technique|approach|design", re.I),
}
TALK_PAPER = 6  # paper passages a talk section compares the talk with
CORPUS_SHARE = 3  # a general section takes up to a third of its pack from the collection, floored
DEFINITION_QUERY = {"zh": "{term}的定义是什么", "en": "what is {term}"}


@dataclass
class TermEvidence:
    """A task term's facet and the ids its searches found, best first."""

    facet: Facet
    equivalents: list[str]
    ids: list[str]


@dataclass
class SectionPack:
    """One section's records (materials the task names first, no repeats) and what each term found."""

    kind: str | None
    records: list[SourceRecord] = field(default_factory=list)
    terms: list[TermEvidence] = field(default_factory=list)


def build_packs(spec: RequirementSpec, task_text: str, finder: FocusedSearch, pdfs: Sequence[PdfExtraction],
                queries: dict[int, list[str]], per_section: int) -> dict[int, SectionPack]:
    """Section index → its pack; ``queries``: each section's planned search queries, ``per_section`` the
    size of a general section's pack (the kinds above take what their part of the paper holds)."""
    facets = section_facets(spec, task_text)
    homeless = facets.get(0, [])
    papers = [pdf for pdf in pdfs if pdf.records]
    packs: dict[int, SectionPack] = {}
    for section in spec.sections:
        own = list(facets.get(section.index, []))
        kind = section_kind(section)
        if kind is None and homeless:
            own, homeless = own + homeless, []  # task terms no title matched: the first general section
        part = kind or next((name for name, words in TITLE_KINDS.items() if words.search(section.title)), "")
        planned = queries.get(section.index, [])
        part_records = _kind_records(part, finder, papers, planned, per_section)
        # Its planned queries over every material (the paper first, the collection floored) for a section
        # the facets table has no kind for (titled or not), and for a part no paper holds (a
        # collection-only task): the collection may say in the task's language what the paper says in
        # another, and an offline writer quotes, it cannot translate.
        general = (kind is None and (part in TITLE_KINDS or not part_records)) or (not part_records
                                                                                  and not papers)
        pack = SectionPack(kind, list(part_records))
        for facet in own:
            if facet.kind == "task_term":
                term = _term_evidence(facet, finder, spec.language)
                pack.terms.append(term)
                pack.records += [finder.record(i) for i in term.ids]
        if general and (not papers or not pack.terms or part in TITLE_KINDS):
            pack.records += materials_first(finder, planned, per_section)
        pack.records = list({r.id: r for r in pack.records}.values())
        packs[section.index] = pack
    return packs


def outline_packs(spec: RequirementSpec, task_text: str, store: IndexStore, pdfs: Sequence[PdfExtraction],
                  outline: Sequence[dict[str, Any]], per_section: int,
                  progress: ProgressCallback | None = None) -> dict[str, list[SourceRecord]]:
    """Section index (a string, as state ``evidence`` keys it) → its pack's records, for a writer that
    needs no plan (a model); ``outline`` items carry ``index`` and ``queries``. ``progress("embed", done,
    total)`` follows the paper's passages being embedded."""
    finder = FocusedSearch(store, progress=progress)
    queries = {item["index"]: list(item.get("queries") or []) for item in outline}
    packs = build_packs(spec, task_text, finder, pdfs, queries, per_section)
    return {str(index): pack.records for index, pack in packs.items()}


def _kind_records(kind: str, finder: FocusedSearch, papers: Sequence[PdfExtraction],
                  queries: list[str], per_section: int) -> list[SourceRecord]:
    records: list[SourceRecord] = []
    if kind == "basic_information":
        for paper in papers:
            meta = paper.metadata
            records += [r for r in paper.records if r.id == meta.cite]
            records += front_matter(paper.records, [meta.title[:40], *meta.authors], meta.venue)
    elif kind == "summary":
        for paper in papers:
            records += summary_records(paper.records)
            records += page_highlights(paper.records, SUMMARY_PAGE_SHARE, per_section)
            records += limitation_records(paper.records)
        records += [f.record for f in finder.paper(queries, SUMMARY_EXTRA)]
        if not papers:
            records += [f.record for f in finder.corpus(queries, per_section)]
    elif kind in ("method", "results"):
        focus = "steps" if kind == "method" else "findings"
        for paper in papers:
            records += page_highlights(paper.records, TITLED_PAGE_SHARE, per_section, focus)
            records += [] if kind == "method" else summary_records(paper.records)
    elif kind == "limitations":
        records = [r for paper in papers for r in limitation_records(paper.records)]
        records = records or [f.record for f in finder.paper(queries, per_section // 2)]
    elif kind == "talk":
        records = [f.record for f in finder.paper(queries, TALK_PAPER)]
    return records


def _term_evidence(facet: Facet, finder: FocusedSearch, language: str) -> TermEvidence:
    """A technique's search: the paper (dense and lexical, with its own phrases for the term), then the
    collection past the floor; a passage whose last sentence runs on is followed by the next one."""
    equivalents = finder.equivalents(facet.name)
    term_queries = [facet.name, DEFINITION_QUERY[language].format(term=facet.name), *equivalents]
    hits = [f.record for f in finder.paper(term_queries, PAPER_PER_TERM)]
    hits += [f.record for f in finder.corpus(term_queries, CORPUS_PER_TERM)]
    return TermEvidence(facet, equivalents, [r.id for r in _with_continuations(hits, finder)])


def materials_first(finder: FocusedSearch, queries: Sequence[str], per_section: int) -> list[SourceRecord]:
    """Records for ``queries``: up to ``per_section`` of the paper first (the material a task names), then
    the collection's, only what clears its relevance floor: a third of ``per_section`` beside the paper,
    all of it without one (the collection may say in the task's language what the paper says in
    another). A section no kind describes takes its pack this way, and a gap search its new records."""
    records = [f.record for f in finder.paper(queries, per_section)]
    room = per_section // CORPUS_SHARE if records else per_section
    return records + [f.record for f in finder.corpus(queries, room)]


def _with_continuations(records: list[SourceRecord], finder: FocusedSearch) -> list[SourceRecord]:
    """Each record whose last sentence runs on (ends with ":", "define as:") followed by the next chunk."""
    out: list[SourceRecord] = []
    for record in records:
        out.append(record)
        after = finder.following(record) if record.text.rstrip().endswith((":", "：")) else None
        if after is not None:
            out.append(after)
    return list({record.id: record for record in out}.values())
