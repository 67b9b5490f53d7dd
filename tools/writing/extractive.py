"""The offline drafter: builds a section from the best evidence sentences, each quoted with its citation.

Deterministic (same evidence, same text) and honest: it never writes a claim of its own, only a short
framing line in the task's language, and the report says it is extractive.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from reportgraph.tools.checking.support import content_tokens
from reportgraph.tools.intake.spec import SectionRequirement
from reportgraph.tools.registry import SourceRecord
from reportgraph.tools.text import LengthUnit, count_length, detect_language, split_sentences

_URLISH = re.compile(r"https?://|www\.|\.com\b|\.org\b|@\w+\.")
_SYMBOLS = re.compile(r"[|{}<>=_*#`\\$^~\[\]]")
_MARKUP = re.compile(r"\*\*|`|\\\[|\]\(|\[\[|\"\w+\"\s*:")
# Text that addresses a model is data to us, never a quote worth repeating in a report.
_INSTRUCTION_LIKE = re.compile(
    r"ignore (?:all |any )?(?:previous|prior|above) instructions|disregard .{0,20}instructions|"
    r"system prompt|you are (?:now )?(?:an? )?(?:ai|assistant|chatgpt)|忽略(?:之前|以上|前面)|系统提示",
    re.I,
)
_MARKDOWN_LEAD = re.compile(r"^\s*(?:#{1,6}\s*|[-*+]\s+|\d+[.)]\s+|>\s*)")
MAX_SENTENCES_PER_SOURCE = 4

FRAMING = {
    "zh": "本节依据{sources}，摘录与“{title}”最相关的原文要点（抽取式摘录，未经改写）：",
    "en": "Verbatim extracts from {sources} that bear most directly on “{title}” "
    "(extractive, not paraphrased):",
}
SOURCE_NAMES = {
    "zh": {"pdf": "论文原文", "video": "讲解视频", "corpus": "资料库文献"},
    "en": {"pdf": "the paper", "video": "the talk video", "corpus": "the document collection"},
}
JOINER = {"zh": "、", "en": ", "}
QUOTES = {"zh": ("「", "」"), "en": ("“", "”")}
SHORTFALL = {
    "zh": "（可用证据不足以写满本节的篇幅要求。）",
    "en": "(The available evidence was not enough to fill this section's length budget.)",
}


@dataclass(frozen=True)
class Candidate:
    text: str
    record: SourceRecord
    rank: int
    position: int
    score: float
    length: int


def clean_sentence(sentence: str) -> str:
    sentence = _MARKDOWN_LEAD.sub("", sentence)
    sentence = re.sub(r"\s+", " ", sentence).strip(" -–—•·")
    return sentence.replace("「", "“").replace("」", "”")


def usable(sentence: str, unit: LengthUnit) -> bool:
    if _URLISH.search(sentence) or _INSTRUCTION_LIKE.search(sentence):
        return False
    if _MARKUP.search(sentence) or len(_SYMBOLS.findall(sentence)) > max(2, len(sentence) // 40):
        return False
    length = count_length(sentence, "cjk_chars")
    words = count_length(sentence, "words")
    long_enough = length >= 10 if detect_language(sentence) == "zh" else words >= 7
    too_long = length > 160 if unit != "words" else words > 70
    letters = sum(ch.isalpha() for ch in sentence)
    return long_enough and not too_long and letters >= len(sentence) * 0.5


def rank_candidates(
    evidence: Sequence[SourceRecord], query_terms: set[str], language: str, unit: LengthUnit, focus: str
) -> list[Candidate]:
    candidates: list[Candidate] = []
    seen: set[str] = set()
    for rank, record in enumerate(evidence):
        if record.segment == "metadata":
            continue  # container facts (codec, frame rate) are no content to quote
        for position, raw in enumerate(split_sentences(record.text)):
            sentence = clean_sentence(raw)
            key = re.sub(r"\W+", "", sentence.lower())
            if key in seen or not usable(sentence, unit):
                continue
            seen.add(key)
            tokens = content_tokens(sentence)
            overlap = len(tokens & query_terms)
            if record.kind == "corpus" and not overlap:
                continue  # background material must be on the subject, not just in a retrieved chunk
            relevance = overlap / (len(tokens) ** 0.5 or 1.0)
            score = relevance + 1.0 / (1 + rank)
            score += 0.3 if detect_language(sentence) == language else 0.0
            score += 0.5 if _kind_focus(record.kind) == focus else 0.0
            candidates.append(
                Candidate(sentence, record, rank, position, score, count_length(sentence, unit))
            )
    return sorted(candidates, key=lambda c: (-c.score, c.rank, c.position))


def _kind_focus(kind: str) -> str:
    return {"pdf": "paper", "video": "video"}.get(kind, "corpus")


def draft_extractive_section(
    section: SectionRequirement,
    evidence: Sequence[SourceRecord],
    *,
    language: str,
    unit: LengthUnit,
    budget: int,
    query: str,
    disclosure: str = "",
) -> str:
    """Section body (no heading): framing line, optional disclosure, then cited quotes up to ``budget``."""
    lang = "zh" if language == "zh" else "en"
    open_quote, close_quote = QUOTES[lang]
    kinds = list(dict.fromkeys(record.kind for record in evidence))
    framing = FRAMING[lang].format(
        sources=JOINER[lang].join(SOURCE_NAMES[lang][kind] for kind in kinds) or SOURCE_NAMES[lang]["corpus"],
        title=section.title,
    )
    lines = [f"> {disclosure}", ""] if disclosure else []
    lines.append(framing)
    used = count_length(framing, unit) + (count_length(disclosure, unit) if disclosure else 0)
    query_terms = content_tokens(f"{section.title} {query}")
    chosen: list[Candidate] = []
    per_source: dict[str, int] = {}
    for candidate in rank_candidates(evidence, query_terms, lang, unit, section.focus):
        if used >= budget:
            break
        if per_source.get(candidate.record.id, 0) >= MAX_SENTENCES_PER_SOURCE:
            continue
        if used + candidate.length > budget * 1.08 and used >= budget * 0.85:
            continue  # would overshoot; a shorter sentence may still fit
        chosen.append(candidate)
        per_source[candidate.record.id] = per_source.get(candidate.record.id, 0) + 1
        used += candidate.length
    # Read in source order: best-ranked source first, sentences as they stand in it.
    chosen.sort(key=lambda c: (c.rank, c.position))
    lines += [f"- {open_quote}{c.text}{close_quote}[@{c.record.id}]" for c in chosen]
    if used < budget * 0.85:
        lines += ["", SHORTFALL[lang]]
    return "\n".join(lines).strip() + "\n"
