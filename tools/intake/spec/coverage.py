"""Coverage: the spans of the task that look like a requirement but that no rule understood.

Each rule reports the spans it read (a length phrase; an outline with its lead-in and count, or "no fixed
sections"). What is left is searched for four kinds of requirement-like text, returned verbatim:
a length phrase no rule used (length.LengthReading.unused); a run of list markers (1. 2. / （1）（2） /
①② / 一、二、) outside every read span; and a clause with a length word (篇幅, 字数, words, pages …) that
no read length phrase touches, or with a structure word (章节, 三个部分, sections, "structured as" …) that
no read outline touches; and a markdown table whose header row names sections, parts or headings that
the table reader (tables) did not take as the outline. A place in a source ("section 4 of the paper", 第3节,
"the first 10 pages") or a figure of speech ("in your own words") is not a requirement.
"""

from __future__ import annotations

import re

from reportgraph.tools.intake.spec.outline import STYLES, runs

LENGTH_WORDS = re.compile(
    # Invariant: every figure next to a length unit (八百字, 3页, 2000单词) is read or quoted; a figure inside
    # a name (GPT4 字符级) is none.
    r"(?<![A-Za-z\d.,])[\d零〇一二两三四五六七八九十百千万][\d,.]*\s*(?:个)?(?:字(?![幕体号母节典段路架军形街文经])|汉字|单词|页(?![码面眉脚]))|"
    r"篇幅|字数|页数|\b(?:word\s+count|word\s+limit|pages?|words)\b|\blength\s*[:：]"
    r"|(?:[2-9]|\d{2,}|[二三四五六七八九十两]+)\s*个?段落?(?!时间|式)|\b\d+\s*(?:tokens?|paragraphs?|sentences?)\b",
    re.IGNORECASE,
)
STRUCTURE_WORDS = re.compile(
    r"章节|提纲|大纲|(?:[\d一二三四五六七八九十两几]+个?|以下|这几个|下列|各|每个?)部分|第[一二三四五六七八九十\d]+部分"
    r"|(?:包括|包含|涵盖)[^。；\n]{1,40}、[^。；\n]{1,40}、"
    r"|[\d一二三四五六七八九十两几]+个?(?:方面|板块|章)|(?:包括|包含|涵盖|分为)\s*[:：]|的结构|结构来写|式结构"
    r"|\b(?:\d+|two|three|four|five|six|seven|eight)\s+(?:parts|sections|chapters)\b|\bthe\s+following\s*[:：]"
    r"|结构(?:如下|为)|按(?:以下|如下|下列)?顺序"
    r"|\b(?:sections|headings|outline)\b|\b(?:sections?|parts?|chapters?|headings?)\s*[:：]"
    r"|\bstructured?\s+(?:it\s+)?(?:as|around|into)\b|\borgani[sz]ed?\s+(?:it\s+)?(?:as|into)\b|\b(?:part|chapter)\s+(?:[A-Z]|\d)\b",
    re.IGNORECASE,
)
# Uses of those words that are no requirement: a place in a source, a figure of speech.
NOT_A_REQUIREMENT = re.compile(
    r"\bsections?\s+\d|\bpages?\s+\d|第[\d一二三四五六七八九十]+[节章页]"
    r"|\b(?:own|other|few|key|these|those|kind|simple|plain)\s+words\b|\bin\s+a\s+word\b"
    r"|\bwords\s+(?:of|to|for|from|that|which)\b"
    r"|\b(?:first|last|top|opening|final)\s+(?:\w+\s+)?(?:pages|sections|words)\b"
    r"|\b(?:pages|sections|words)\s+of\s+(?:the|this|that|its|their)\b|\b(?:web|home|landing)\s+pages\b"
    r"|(?:字数|篇幅|长度|页数)不限|不限(?:字数|篇幅|长度)|\bno\s+(?:word|length|page)\s+limit\b|\bany\s+length\b",
    re.IGNORECASE,
)
CLAUSE = re.compile(r"[^。！？!?；;\n]+(?:[。！？!?；;\n]|\.(?=\s|$)|$)")
# A markdown table: a header row, then its |---|---| rule; the header names the outline's columns.
TABLE = re.compile(
    r"^[ \t]*(\|[^\n]*\|)[ \t]*\n[ \t]*\|?[ \t]*:?-+:?[ \t]*\|[^\n]*(?:\n[ \t]*\|[^\n]*)*", re.MULTILINE
)
TABLE_OUTLINE = re.compile(
    r"章节|部分|标题|小节|结构|提纲|大纲|\b(?:sections?|parts?|chapters?|headings?|outline)\b", re.IGNORECASE
)
LIST_STYLES = ("paren", "circled", "dotted", "cn_ordinal", "part_cn", "roman", "part_en", "letter")


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


def outline_tables(text: str, read: list[tuple[int, int]]) -> list[str]:
    """Markdown tables outside every read span whose header row names sections: the whole table."""
    return [
        match.group(0).strip()
        for match in TABLE.finditer(text)
        if TABLE_OUTLINE.search(match.group(1)) and outside(match.span(), read)
    ]


def word_clauses(
    text: str, length_read: list[tuple[int, int]], sections_read: list[tuple[int, int]]
) -> list[str]:
    """Clauses with a length word no read length touches, or a structure word no read outline touches."""
    found = []
    for clause in CLAUSE.finditer(text):
        words = NOT_A_REQUIREMENT.sub(" ", clause.group(0))
        unread_length = LENGTH_WORDS.search(words) and outside(clause.span(), length_read)
        unread_structure = STRUCTURE_WORDS.search(words) and outside(clause.span(), sections_read)
        if unread_length or unread_structure:
            found.append(clause.group(0).strip())
    return found


def unparsed_spans(
    text: str,
    length_read: list[tuple[int, int]],
    sections_read: list[tuple[int, int]],
    unused_length: list[tuple[int, int]],
) -> list[str]:
    """Verbatim requirement-like spans of ``text`` that no rule read, in order, without repeats.

    ``unused_length``: spans of length phrases found but not used; those inside a read span (a heading
    that contains a figure) are part of what was read.
    """
    read = [*length_read, *sections_read]
    lengths = [text[start:end].strip() for start, end in unused_length if outside((start, end), read)]
    found = [
        *lengths,
        *marker_runs(text, read),
        *outline_tables(text, read),
        *word_clauses(text, length_read, sections_read),
    ]
    kept: list[str] = []
    for span in found:
        if span and not any(span in other for other in found if other != span):
            kept.append(span)
    return list(dict.fromkeys(kept))
