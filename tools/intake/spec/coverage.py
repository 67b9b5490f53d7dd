"""Coverage: the spans of the task that look like a requirement but that no rule understood.

Each rule reports the spans it read (a length phrase, an outline with its lead-in and count, "no fixed
sections"). What is left is searched for three kinds of requirement-like text, returned verbatim:
a length phrase no rule used (length.LengthReading.unused), a run of list markers (1. 2. / （1）（2） /
①② / 一、二、) outside every read span, and a clause with a structure or length word (部分, 章节, 篇幅,
字数, sections, pages, words …) outside every read span. A reference to a place in a source ("section 4
of the paper", 第3节, 部分学者) is not a requirement.
"""

from __future__ import annotations

import re

from reportgraph.tools.intake.spec.outline import STYLES, runs

REQUIREMENT_WORDS = re.compile(
    r"篇幅|字数|章节|页数|提纲|大纲|(?:[\d一二三四五六七八九十两几]+个?|以下|这几个|下列|各|每个?)部分|第[一二三四五六七八九十\d]+部分"
    r"|\b(?:sections|headings|outline|word\s+count|word\s+limit|pages|words)\b"
    r"|\b(?:sections?|parts?|chapters?|headings?)\s*[:：]",
    re.IGNORECASE,
)
# Uses of those words that are no requirement: a place in a source, a figure of speech.
NOT_A_REQUIREMENT = re.compile(
    r"\bsections?\s+\d|\bpages?\s+\d|第[\d一二三四五六七八九十]+[节章页]"
    r"|\b(?:own|other|few|key|these|those|kind|simple|plain)\s+words\b|\bin\s+a\s+word\b"
    r"|\b(?:first|last|top|opening|final)\s+(?:\w+\s+)?(?:pages|sections|words)\b"
    r"|\b(?:pages|sections|words)\s+of\s+(?:the|this|that|its|their)\b",
    re.IGNORECASE,
)
CLAUSE = re.compile(r"[^。！？!?；;\n]+(?:[。！？!?；;]|\.(?=\s|$)|$)")
LIST_STYLES = ("paren", "circled", "dotted", "cn_ordinal", "part_cn", "roman")


def outside(span: tuple[int, int], read: list[tuple[int, int]]) -> bool:
    return not any(span[0] < end and start < span[1] for start, end in read)


def marker_runs(text: str, read: list[tuple[int, int]]) -> list[str]:
    """Runs of list markers (1, 2, …) that lie outside every read span: the line or sentence they are in."""
    found = []
    for name in LIST_STYLES:
        for run in runs(text, name, STYLES[name]):
            start, end = run[0].start(), run[-1].end()
            if outside((start, end), read):
                line_end = text.find("\n", end)
                found.append(text[start : line_end if line_end >= 0 else len(text)].strip())
    return found


def word_clauses(text: str, read: list[tuple[int, int]]) -> list[str]:
    """Clauses with a structure or length word, outside every read span, that are no reference."""
    found = []
    for clause in CLAUSE.finditer(text):
        words = [m for m in REQUIREMENT_WORDS.finditer(clause.group(0))]
        if not words or not outside(clause.span(), read):
            continue
        cleaned = NOT_A_REQUIREMENT.sub(" ", clause.group(0))
        if REQUIREMENT_WORDS.search(cleaned):
            found.append(clause.group(0).strip())
    return found


def unparsed_spans(text: str, read: list[tuple[int, int]], unused_length: list[tuple[int, int]]) -> list[str]:
    """Verbatim requirement-like spans of ``text`` that no rule read, in order, without repeats.

    ``unused_length``: spans of length phrases found but not used; those inside a read span (a heading
    that contains a figure) are part of what was read.
    """
    lengths = [text[start:end].strip() for start, end in unused_length if outside((start, end), read)]
    found = [*lengths, *marker_runs(text, read), *word_clauses(text, read)]
    kept: list[str] = []
    for span in found:
        if span and not any(span in other for other in found if other != span):
            kept.append(span)
    return list(dict.fromkeys(kept))
