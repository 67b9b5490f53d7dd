"""Techniques the task names, each explained by definitional sentences ("X 是/指…", "X is/refers to…")
from the paper and the supportive documents retrieval found for it, preferring the task's language."""

from __future__ import annotations

import re
from collections.abc import Sequence

from reportgraph.prompts.offline import DEFINITION_LEAD, GAP_NO_EVIDENCE, MORE_LEAD, TECHNIQUE_HEADING
from reportgraph.tools.registry import SourceRecord
from reportgraph.tools.writing.extractive import Sentence, follows, run_on, sentences_of
from reportgraph.tools.writing.ledger import Ledger
from reportgraph.tools.writing.quotes import quote
from reportgraph.tools.writing.section_plan import FacetEvidence

DEFINITION = re.compile(
    r"\b(?:is|are) (?:defined as|called|known as|referred to as|termed)\b|\brefers? to\b|\bwe define\b|"
    r"\bwe (?:call|term|use the term)\b|\bdenotes?\b|\bi\.e\.,|"
    r"\b(?:is|are) (?:a|an|the) (?:[\w-]+ ){0,3}(?:task|method|metric|measure|process|approach|technique|"
    r"procedure|protocol|score|framework|model|problem)s?\b|"
    r"是指|指的是|定义为|被称为|称为|是一种|是一类|是一项|是一个|即为|简称",
    re.I,
)
_QUESTION = re.compile(r"[?？]\W*$")
_CJK_PAIR = re.compile(r"(?=([\u4e00-\u9fff]{2}))")
QUOTE_LIMIT = {"cjk_chars": 90, "words": 45, "chars": 200}
NAMED, PARTLY_NAMED = 0.66, 0.5  # share of a term's words a sentence holds to be about it
PER_TECHNIQUE = 6  # sentences at most, so one technique cannot crowd out the others


def term_overlap(sentence: str, terms: Sequence[str]) -> float:
    """The largest share of a term's words (English) or character pairs (Chinese) the sentence holds."""
    lowered = sentence.lower()
    best = 0.0
    for term in terms:
        parts = _CJK_PAIR.findall(term) or term.lower().split()
        if parts:
            best = max(best, sum(part.lower() in lowered for part in parts) / len(parts))
    return best


def score(sentence: Sentence, rank: int, terms: Sequence[str], lang: str) -> float:
    """Definitional form, naming the term, the task's language, and how well retrieval ranked its record."""
    return (
        2.0 * bool(DEFINITION.search(sentence.text))
        + 2.0 * term_overlap(sentence.text, terms)
        + 1.0 * (sentence.lang == lang)
        + 1.0 / (1 + rank)
    )


def candidates(
    facet: FacetEvidence, evidence: dict[str, SourceRecord], ledger: Ledger, lang: str
) -> list[Sentence]:
    """The facet's sentences, best first; a sentence must define something or name the term."""
    found: list[tuple[float, int, Sentence]] = []
    records = [evidence[i] for i in facet.ids if i in evidence and evidence[i].kind != "video"]
    for rank, record in enumerate(records):
        joined = [run_on(record, after, ledger.unit) for after in records if follows(record, after)]
        for sentence in [*sentences_of(record, ledger.unit, QUOTE_LIMIT[ledger.unit]), *filter(None, joined)]:
            if _QUESTION.search(sentence.text):
                continue  # a question the source asks explains nothing
            overlap = term_overlap(sentence.text, facet.terms)
            if overlap >= NAMED or (DEFINITION.search(sentence.text) and overlap >= PARTLY_NAMED):
                found.append((score(sentence, rank, facet.terms, lang), len(found), sentence))
    return [sentence for _, _, sentence in sorted(found, key=lambda item: (-item[0], item[1]))]


def lead(sentence: Sentence, name: str, lang: str, first: bool) -> str:
    if not first:
        return MORE_LEAD[lang].format(name=name)
    kind = sentence.record.kind if sentence.record.kind in DEFINITION_LEAD else "paper"
    return DEFINITION_LEAD[kind][lang].format(name=name)


def write_techniques(
    facets: Sequence[FacetEvidence], evidence: Sequence[SourceRecord], lang: str, ledger: Ledger
) -> list[str]:
    """A sub-section per technique; return the techniques no evidence could explain."""
    by_id = {record.id: record for record in evidence}
    share = max(1, ledger.room() // max(1, len(facets)))
    missing = []
    for index, facet in enumerate(facets, start=1):
        ledger.add("")
        ledger.add(TECHNIQUE_HEADING[lang].format(index=index, name=facet.name))
        ledger.add("")
        written, spent = 0, 0
        for sentence in candidates(facet, by_id, ledger, lang):
            if written >= PER_TECHNIQUE or spent >= share or not ledger.claim(sentence.text):
                continue
            before = ledger.used
            ledger.add("- " + quote(sentence, lang, lead(sentence, facet.name, lang, first=written == 0)))
            written += 1
            spent += ledger.used - before
        if not written:
            missing.append(facet.name)
            ledger.add(GAP_NO_EVIDENCE[lang].format(name=facet.name))
    return missing
