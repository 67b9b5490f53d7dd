"""Sections: the outline the task asks for, in order, from a marked list or else an unmarked one."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from reportgraph.tools.intake.spec.inline import inline_lists
from reportgraph.tools.intake.spec.model import SectionRequirement
from reportgraph.tools.intake.spec.numbers import NUMBER, parse_number
from reportgraph.tools.intake.spec.outline import marked_lists, plain_lines
from reportgraph.tools.intake.spec.tables import table_outlines
from reportgraph.tools.intake.spec.titles import OutlineList, section_focus

DEFAULT_OUTLINE = {
    "zh": ["引言", "主要内容", "结论"],
    "en": ["Introduction", "Main Discussion", "Conclusion"],
}
# "共分三部分", "in three parts", "a two-part report": the count of an outline, read with the outline.
SECTION_COUNT = re.compile(
    rf"(?P<n>{NUMBER})\s*(?:个)?(?:部分|章节|板块|方面|角度|维度|章)|(?P<en>{NUMBER})[\s-]+(?:sections?|parts?|chapters?)\b",
    re.IGNORECASE,
)
# "不需要固定的章节", "no fixed sections": the task says it asks for no outline.
NO_SECTIONS = re.compile(
    r"(?:不需要|不用|无需|不必|不要求|没有)分?(?:固定的?|特定的?|统一的?)?(?:章节|结构|部分|分节|小标题|标题)"
    r"|(?:结构|章节)(?:不限|自拟|自定|随意)|\b(?:structure|sections?)\s+(?:is|are)\s+up\s+to\s+you\b"
    r"|\bfree(?:-form)?\s+structure\b|\bany\s+structure\b"
    r"|\bno\s+(?:fixed|particular|specific|set|required)?\s*(?:sections|structure|headings|outline)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class SectionsReading:
    """The sections (a default outline when ``from_task`` is False) and the spans read for them."""

    sections: list[SectionRequirement]
    from_task: bool
    spans: list[tuple[int, int]]


def heading_for(marker: str, title: str, numbered: bool) -> str:
    """Mirror the task's own marker so the grader finds the heading it asked for: （1）X, 1. X, 一、X."""
    if not numbered or marker == title:
        return title
    return f"{marker}{'' if marker[-1] in '）、．：' else ' '}{title}"


def count_spans(text: str, count: int) -> list[tuple[int, int]]:
    """Spans that state how many sections there are, when the count agrees with the outline read."""
    spans = []
    for match in SECTION_COUNT.finditer(text):
        if parse_number(match["n"] or match["en"]) == count:
            spans.append(match.span())
    return spans


def choose(text: str) -> OutlineList | None:
    """The first marked list or table, else the first unmarked list (read only when there is neither)."""
    # Of lists one sentence announces, the one reaching furthest holds the others: "一、…（1）…（2）…二、…".
    marked = sorted([*marked_lists(text), *table_outlines(text), *plain_lines(text)],
                    key=lambda found: (found.start, -found.end))
    if marked:
        return marked[0]
    unmarked = inline_lists(text)
    return unmarked[0] if unmarked else None


def parse_sections(text: str, language: Literal["zh", "en"]) -> SectionsReading:
    """The required sections in order, whether the task gave them, and the spans read for them."""
    outline = choose(text)
    negations = [m.span() for m in NO_SECTIONS.finditer(text)]
    if outline is None:
        defaults = [
            SectionRequirement(index=i, title=t, heading=t, focus=section_focus(t))
            for i, t in enumerate(DEFAULT_OUTLINE[language], 1)
        ]
        return SectionsReading(defaults, False, negations)
    sections = [
        SectionRequirement(
            index=index,
            title=title,
            heading=heading_for(marker, title, outline.numbered),
            focus=section_focus(title),
        )
        for index, (marker, title) in enumerate(outline.items, 1)
    ]
    spans = [(outline.start, outline.end), *count_spans(text, len(sections)), *negations]
    return SectionsReading(sections, True, spans)
