"""The offline writer: one section body from its evidence, without a model, honest about what it lacks.

Dispatches on the section's kind (the checker's table, tools/intake/spec/facets.py): basic information from
the paper's first-page facts, the summary from its abstract, contributions and conclusion, the techniques
the task names from definitional sentences, the talk as a timeline; any other section quotes the evidence
retrieval found for its facets. Deterministic: the same evidence gives the same text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from reportgraph.prompts.offline import GAP_NO_EVIDENCE, GENERAL_LEAD
from reportgraph.tools.intake.spec import SectionRequirement
from reportgraph.tools.registry import SourceRecord
from reportgraph.tools.text import LengthUnit, language_shares
from reportgraph.tools.writing.basics import write_basics
from reportgraph.tools.writing.extractive import sentences_of
from reportgraph.tools.writing.ledger import Ledger
from reportgraph.tools.writing.quotes import take
from reportgraph.tools.writing.section_plan import SectionPlan
from reportgraph.tools.writing.summary import write_summary
from reportgraph.tools.writing.talk import write_talk
from reportgraph.tools.writing.techniques import write_techniques

LANGUAGE_FLOOR = 0.9  # the checker's share of the task's language (issue 11)
FILLED = 0.85  # under this share of its budget a section says the evidence ran short


@dataclass
class OfflineSection:
    """A section body, what it could not do offline (``gaps``: facet or requirement names) and the keys
    of the sentences it quotes (``used``)."""

    body: str
    gaps: list[str] = field(default_factory=list)
    used: list[str] = field(default_factory=list)


def write_offline_section(
    section: SectionRequirement,
    evidence: Sequence[SourceRecord],
    plan: SectionPlan,
    *,
    language: str,
    unit: LengthUnit,
    budget: int,
) -> OfflineSection:
    """The body (no heading) of ``section`` within about ``budget`` ``unit``s, and its gaps."""
    lang = "zh" if language == "zh" else "en"
    ledger = Ledger(unit, budget, plan.taken)
    gaps: list[str] = []
    terms = [facet for facet in plan.facets if facet.kind == "task_term"]
    if plan.kind == "basic_information" and plan.paper is not None:
        gaps += write_basics(plan.paper, lang, ledger)
    elif plan.kind == "summary":
        gaps += write_summary(evidence, lang, ledger)
    elif plan.kind == "talk":
        if not write_talk(evidence, lang, ledger):
            gaps.append(section.title)
            ledger.add(GAP_NO_EVIDENCE[lang].format(name=section.title))
    elif terms:
        gaps += write_techniques(terms, evidence, lang, ledger)
    else:
        _write_general(section, evidence, lang, ledger)
    gaps += _gaps_shared(ledger, lang, complete=plan.kind == "basic_information")
    return OfflineSection(ledger.body(), gaps, ledger.claimed)


def _write_general(
    section: SectionRequirement, evidence: Sequence[SourceRecord], lang: str, ledger: Ledger
) -> None:
    sentences = [s for r in evidence if r.kind != "video" for s in sentences_of(r, ledger.unit)]
    # A quote in another language fails the report's language: only when the task's language has none
    # does the section quote another (a short section beats a failed one).
    own = [s for s in sentences if s.lang == lang]
    sentences = own or sentences
    take(sentences, ledger, ledger.room(), [GENERAL_LEAD[lang].format(title=section.title), ""], lang,
         bullet=True)


def _gaps_shared(ledger: Ledger, lang: str, complete: bool) -> list[str]:
    """Gaps every section may share (stated once, by the validator): quotes in another language, a budget
    the evidence could not fill. A basic-information section is complete with its facts."""
    if complete:
        return []
    text = "\n".join(ledger.lines)
    gaps = ["language"] if text.strip() and getattr(language_shares(text), lang) < LANGUAGE_FLOOR else []
    return gaps + (["length"] if ledger.used < ledger.budget * FILLED else [])
