"""The summary: the paper's goal, method and conclusions, quoted from its abstract, stated contributions
and conclusion, each group led in by a framing line in the task's language."""

from __future__ import annotations

import re
from collections.abc import Sequence

from reportgraph.prompts.offline import SUMMARY_LEADS
from reportgraph.tools.registry import SourceRecord
from reportgraph.tools.writing.extractive import Sentence, sentences_of
from reportgraph.tools.writing.ledger import Ledger
from reportgraph.tools.writing.quotes import take

# Cues of what a sentence of an abstract or conclusion does (zh and en); the first that matches wins.
CUES = {
    "conclusions": re.compile(
        r"\bwe (?:also )?(?:find|found|show|observe|conclude|demonstrate)\b|"
        r"\b(?:finds?|shows?|suggests?) that\b|"
        r"\boverall\b|\bresults? (?:show|indicate|suggest)|\b(?:reduces?|improves?|outperforms?|raises?)\b|"
        r"结果表明|研究发现|我们发现|结论|表明|显示",
        re.I,
    ),
    "method": re.compile(
        r"\bwe (?:first |then )?(?:present|propose|introduce|deploy|develop|describe|design|conduct|collect|"
        r"evaluate|annotate|survey|use|compare|study|train|build|measure)\b|\bdatasets?\b|\bexperiments?\b|"
        r"\bannotation stud|"
        r"提出|方法|实验|数据集|采用",
        re.I,
    ),
    "goal": re.compile(
        r"\b(?:remains?|difficult\w*|challeng\w*|problem\w*|few solutions|lacks?|gold standard|expensive|"
        r"motivat\w*|goal|aims?|too (?:slow|costly|large)|however|"
        r"we (?:first )?(?:shed light|investigate|ask))\b|"
        r"目标|目的|旨在|挑战|困难|动机|问题",
        re.I,
    ),
}
ORDER = ("goal", "method", "conclusions")
PER_FACET = 4  # quotes per facet: the gist, not the paper retold
QUOTE_LIMIT = {"cjk_chars": 50, "words": 45, "chars": 200}
# Questions the paper asks, section headings and table rows are no statements of what it did or found.
_NOT_A_STATEMENT = re.compile(r"[?？]\W*$|^\d+(?:\.\d+)+\s|^(?:RQ|Q)\d", re.I)
_NUMBER = re.compile(r"\d+(?:\.\d+)?")


def classify(sentence: Sentence) -> str | None:
    """The facet a statement serves, or None (questions, headings, table rows, no cue)."""
    text = sentence.text
    if _NOT_A_STATEMENT.search(text) or len(_NUMBER.findall(text)) > max(4, len(text.split()) // 4):
        return None
    return next((name for name, cue in CUES.items() if cue.search(text)), None)


def write_summary(evidence: Sequence[SourceRecord], lang: str, ledger: Ledger) -> list[str]:
    """Quote the paper (else the other evidence) by facet; return the facets nothing could be found for."""
    papers = [record for record in evidence if record.kind == "pdf"]
    sources = papers or [record for record in evidence if record.kind == "corpus"]
    groups: dict[str, list[Sentence]] = {name: [] for name in ORDER}
    for record in sources:
        for sentence in sentences_of(record, ledger.unit, QUOTE_LIMIT[ledger.unit]):
            name = classify(sentence)
            if name and len(groups[name]) < PER_FACET * 3:
                groups[name].append(sentence)
    share = max(1, ledger.room() // len(ORDER))
    missing = []
    leads = SUMMARY_LEADS[lang]
    for name in ORDER:
        ledger.add("")
        if not take(groups[name][:PER_FACET * 3], ledger, share, [leads[name], leads["other"]], lang,
                    bullet=True, most=PER_FACET):
            ledger.lines.pop()
            missing.append(name)
    return missing
