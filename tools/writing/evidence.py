"""The offline writer's evidence: each section's pack (tools/retrieval/packs.py, the same records a model
gets) with the writer's plan beside it, which sentences each section owns, and the budgets moved off a
basic-information section.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from reportgraph.tools.intake.pdf import PdfExtraction, paper_metadata
from reportgraph.tools.intake.spec import RequirementSpec
from reportgraph.tools.registry import SourceRecord
from reportgraph.tools.retrieval.focused import FocusedSearch
from reportgraph.tools.retrieval.packs import build_packs
from reportgraph.tools.text import language_unit
from reportgraph.tools.writing.offline import write_offline_section
from reportgraph.tools.writing.section_plan import FacetEvidence, SectionPlan

BASIC_SHARE = 0.3  # a basic-information section needs about this share of an even budget


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
    """Evidence and writer plan per section index; ``queries``: each section's planned search queries. The
    records are the packs every writer gets (tools/retrieval/packs.py); the plan adds the paper's facts
    for a basic-information section and each task term's ranked ids."""
    paper = next((pdf for pdf in pdfs if pdf.records), None)
    found: dict[int, SectionEvidence] = {}
    for index, pack in build_packs(spec, task_text, finder, pdfs, queries, per_section).items():
        plan = SectionPlan(kind=pack.kind)
        if pack.kind == "basic_information" and paper is not None:
            plan.paper = paper_metadata(paper)
        plan.facets = [FacetEvidence(name=t.facet.name, kind=t.facet.kind, ids=t.ids,
                                     terms=list(dict.fromkeys([*t.facet.terms, *t.equivalents])))
                       for t in pack.terms]
        found[index] = SectionEvidence(pack.records, plan)
    return found


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


def rebalance(budgets: dict[int, int], evidence: dict[int, SectionEvidence]) -> dict[int, int]:
    """A basic-information section is a few lines: its unused budget goes to the other sections."""
    short = [i for i, ev in evidence.items() if ev.plan.kind == "basic_information" and ev.plan.paper]
    others = [i for i in budgets if i not in short]
    if not short or not others:
        return dict(budgets)
    freed = sum(budgets[i] - int(budgets[i] * BASIC_SHARE) for i in short)
    return {i: int(budgets[i] * BASIC_SHARE) if i in short else budgets[i] + freed // len(others)
            for i in budgets}
