"""Section-aware evidence for the writers: each section's facets become targeted searches.

Per section kind (tools/checking/facets.py): basic information gets the paper's first page and its facts;
a summary the paper's abstract, stated contributions and conclusion plus the chunks its facets find; each
technique the task names its own search of the paper (dense, across languages) and of the collection
(floored); a talk section a few paper chunks to compare the talk with (its segments come from the video
step); any other section a search with its queries. Paper chunks that are bibliography are left out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from reportgraph.tools.checking.facets import Facet, section_facets, section_kind
from reportgraph.tools.intake.pdf import PdfExtraction, paper_metadata
from reportgraph.tools.intake.spec import RequirementSpec, SectionRequirement
from reportgraph.tools.registry import SourceRecord
from reportgraph.tools.retrieval.focused import FocusedSearch
from reportgraph.tools.text import language_unit
from reportgraph.tools.writing.offline import write_offline_section
from reportgraph.tools.writing.plan import FacetEvidence, SectionPlan
from reportgraph.tools.writing.summary import summary_records

PAPER_PER_TERM = 8  # paper chunks searched per technique the task names
CORPUS_PER_TERM = 3  # collection chunks per technique, when they clear the relevance floor
SUMMARY_EXTRA = 4  # paper chunks the summary's facets add to the abstract and conclusion
TALK_PAPER = 6  # paper chunks a talk section compares the talk with
BASIC_SHARE = 0.3  # a basic-information section needs about this share of an even budget
DEFINITION_QUERY = {"zh": "{term}的定义是什么", "en": "what is {term}"}


@dataclass
class SectionEvidence:
    """What retrieval found for one section: records best first, and the writer's plan."""

    records: list[SourceRecord] = field(default_factory=list)
    plan: SectionPlan = field(default_factory=SectionPlan)


def gather(
    spec: RequirementSpec,
    task_text: str,
    finder: FocusedSearch,
    pdfs: Sequence[PdfExtraction],
    queries: dict[int, list[str]],
    per_section: int,
) -> dict[int, SectionEvidence]:
    """Evidence and writer plan per section index; ``queries``: each section's planned search queries."""
    facets = section_facets(spec, task_text)
    homeless = facets.get(0, [])
    paper = next((pdf for pdf in pdfs if pdf.records), None)
    found: dict[int, SectionEvidence] = {}
    for section in spec.sections:
        own = list(facets.get(section.index, []))
        kind = section_kind(section)
        if kind is None and homeless:
            own, homeless = own + homeless, []  # task terms no title matched: the first general section
        found[section.index] = _section(section, kind, own, finder, paper, queries.get(section.index, []),
                                        spec.language, per_section)
    return found


def _section(
    section: SectionRequirement,
    kind: str | None,
    facets: list[Facet],
    finder: FocusedSearch,
    paper: PdfExtraction | None,
    queries: list[str],
    language: str,
    per_section: int,
) -> SectionEvidence:
    plan = SectionPlan(kind=kind)
    records: list[SourceRecord] = []
    if kind == "basic_information" and paper is not None:
        plan.paper = paper_metadata(paper)
        records = [r for r in paper.records if r.id == plan.paper.cite]
    elif kind == "summary":
        records = summary_records(paper.records) if paper else []
        records += [f.record for f in finder.paper(queries, SUMMARY_EXTRA)]
        if not paper:
            records += [f.record for f in finder.corpus(queries, per_section)]
    elif kind == "talk":
        records = [f.record for f in finder.paper(queries, TALK_PAPER)]
    for facet in facets:
        if facet.kind != "task_term":
            continue
        # The paper's own words for a term of the task's language carry it across languages.
        equivalents = finder.equivalents(facet.name)
        term_queries = [facet.name, DEFINITION_QUERY[language].format(term=facet.name), *equivalents]
        hits = [f.record for f in finder.paper(term_queries, PAPER_PER_TERM)]
        hits += [f.record for f in finder.corpus(term_queries, CORPUS_PER_TERM)]
        hits = _with_continuations(hits, finder)
        plan.facets.append(FacetEvidence(name=facet.name, kind=facet.kind,
                                         terms=list(dict.fromkeys([*facet.terms, *equivalents])),
                                         ids=[record.id for record in hits]))
        records += hits
    if kind is None and not plan.facets:
        records = [f.record for f in finder.paper(queries, per_section // 2)]
        records += [f.record for f in finder.corpus(queries, per_section - len(records))]
    return SectionEvidence(list({r.id: r for r in records}.values()), plan)


def assign_sentences(
    spec: RequirementSpec, found: dict[int, SectionEvidence], budgets: dict[int, int]
) -> dict[int, list[str]]:
    """Per section, the sentence keys other sections quote, so no sentence is used twice in the report.

    The sections are written once here in order, each leaving alone what an earlier one quoted; a
    sentence belongs to the first section that uses it. Talk sections quote only the talk (not known yet),
    so their paper and collection records are only compared with, never claimed.
    """
    unit = spec.length.unit if spec.length else language_unit(spec.language)
    used: dict[int, list[str]] = {}
    for section in spec.sections:
        earlier = [key for keys in used.values() for key in keys]
        evidence = found[section.index]
        plan = evidence.plan.model_copy(update={"taken": earlier})
        written = write_offline_section(section, evidence.records, plan, language=spec.language, unit=unit,
                                        budget=budgets[section.index])
        used[section.index] = written.used
    return {index: sorted({k for o, keys in used.items() if o != index for k in keys}) for index in used}


def _with_continuations(records: list[SourceRecord], finder: FocusedSearch) -> list[SourceRecord]:
    """Each record whose last sentence runs on (ends with ":", "define as:") followed by the next chunk."""
    out: list[SourceRecord] = []
    for record in records:
        out.append(record)
        after = finder.following(record) if record.text.rstrip().endswith((":", "：")) else None
        if after is not None:
            out.append(after)
    return list({record.id: record for record in out}.values())


def rebalance(budgets: dict[int, int], evidence: dict[int, SectionEvidence]) -> dict[int, int]:
    """A basic-information section is a few lines: its unused budget goes to the other sections."""
    short = [i for i, ev in evidence.items() if ev.plan.kind == "basic_information" and ev.plan.paper]
    others = [i for i in budgets if i not in short]
    if not short or not others:
        return dict(budgets)
    freed = sum(budgets[i] - int(budgets[i] * BASIC_SHARE) for i in short)
    return {i: int(budgets[i] * BASIC_SHARE) if i in short else budgets[i] + freed // len(others)
            for i in budgets}
